"""Paging for SQLAlchemy 2 ``select()`` with flask-smorest's manual pagination.

Views decorated with ``@blp.paginate(...)`` receive ``pagination_parameters``;
setting its ``item_count`` makes flask-smorest send the ``X-Pagination`` header.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result, Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**31 - 1


def paginate(session: Session, stmt: Select[Any], pagination_parameters: Any) -> Result[Any]:
    """Count the rows of ``stmt`` (which must have a deterministic ORDER BY) and page it."""
    count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    pagination_parameters.item_count = session.scalar(count_stmt) or 0
    # An absurd page number is just a page past the end (and must not overflow the driver).
    offset = min(pagination_parameters.first_item, MAX_OFFSET)
    return session.execute(stmt.offset(offset).limit(pagination_parameters.page_size))

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


def paginate(
    session: Session,
    stmt: Select[Any],
    pagination_parameters: Any,
    *,
    count_stmt: Select[Any] | None = None,
) -> Result[Any]:
    """Page ``stmt`` (which must have a deterministic ORDER BY) and set the total.

    A page that holds some rows but fewer than the page size is the last one, so the
    total is the offset plus its rows (and an empty first page means none): the separate
    COUNT is sent only for a full page or a page past the end. ``count_stmt`` counts the
    same rows more cheaply (e.g. without a join that cannot change the number).
    """
    # An absurd page number is just a page past the end (and must not overflow the driver).
    offset = min(pagination_parameters.first_item, MAX_OFFSET)
    size = pagination_parameters.page_size
    page = session.execute(stmt.offset(offset).limit(size)).freeze()
    rows = len(page.data)
    if 0 < rows < size or (rows == 0 and offset == 0):
        pagination_parameters.item_count = offset + rows
    else:
        if count_stmt is None:
            count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
        pagination_parameters.item_count = session.scalar(count_stmt) or 0
    return page()

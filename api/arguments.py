"""The request parser: ``api.parsing.UprightParser``, strict about repeated query parameters.

Invalid JSON answers 400 with ``errors.json._schema``, like every other error of the
body as a whole. A query parameter that takes one value (``page_size``, ``from``...) given twice
(``?page_size=5&page_size=7``) is a 422 naming it under ``errors.query``, together
with every other error of the query string, rather than silently using the first.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError
from webargs.flaskparser import abort
from webargs.multidictproxy import MultiDictProxy

from api.parsing import UprightParser

REPEATED = "Give this parameter once."


class StrictParser(UprightParser):
    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        # flask-smorest hands over the schema class: webargs would build it (and deep-copy
        # its fields) on every request. One instance per class serves them all (the
        # project's schemas keep no state between loads).
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _instance(argmap)
        return super()._get_schema(argmap, req)

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kwargs: Any):
        # Field errors are keyed by field; the body as a whole is ``_schema``.
        abort(
            400,
            exc=error,
            message="The body is not valid JSON.",
            messages={"json": {"_schema": ["Invalid JSON body."]}},
        )

    def _process_location_data(
        self, location_data: Any, schema: Schema, req: Any, location: str, *args: Any
    ) -> Any:
        repeated = {}
        if location in {"query", "querystring"}:
            repeated = _repeated_scalars(location_data, schema)
        try:
            data = super()._process_location_data(location_data, schema, req, location, *args)
        except ValidationError as error:
            if repeated and isinstance(error.messages, dict):
                raise ValidationError({**repeated, **error.messages}) from error
            raise
        if repeated:
            raise ValidationError(repeated)
        return data


@cache
def _instance(schema_class: type[Schema]) -> Schema:
    return schema_class()


def _repeated_scalars(location_data: Any, schema: Schema) -> dict[str, list[str]]:
    """The parameters of ``schema`` that take one value but were given several."""
    if not isinstance(location_data, MultiDictProxy) or not hasattr(location_data.data, "getlist"):
        return {}
    multidict = location_data.data
    known = {field.data_key or name for name, field in schema.fields.items()}
    return {
        key: [REPEATED]
        for key in multidict
        if key in known - location_data.multiple_keys and len(multidict.getlist(key)) > 1
    }

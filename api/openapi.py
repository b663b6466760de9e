"""How marshmallow schemas become the OpenAPI 3.0.3 contract that clients are generated from.

apispec's converter, with four additions:

- a field made by ``api.schemas.code(name, ...)`` becomes a ``$ref`` to the named
  enum component ``name`` (registered once; two vocabularies under one name fail
  the spec build);
- a nullable reference (an object or a named enum) is ``oneOf: [$ref, null]``, the
  null written as ``{type, nullable: true, enum: [null]}``, and an enum component
  never lists ``null``: generators read it as ``Model | None`` (apispec's ``anyOf``
  with an empty object, or ``null`` inside the enum, make them invent extra types),
  and linters find the ``type`` that ``nullable`` needs beside it;
- a list validated with ``unique_items`` says ``uniqueItems: true``;
- a query parameter is never nullable: left out, it is absent;
- a ``OneOfSchema`` (marshmallow-oneofschema) becomes ``oneOf`` its type schemas
  with a ``discriminator`` on its type field, and a ``ChangesSchema`` (a PATCH
  body) says ``minProperties: 1``.
"""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from marshmallow import fields
from marshmallow_oneofschema import OneOfSchema

from api.schemas import ChangesSchema
from api.validation import unique_items


class ContractConverter(OpenAPIConverter):
    def init_attribute_functions(self) -> None:
        super().init_attribute_functions()
        self.attribute_functions.append(self.named_enum)
        self.attribute_functions.append(self.unique_items2properties)

    def init_parameter_attribute_functions(self) -> None:
        super().init_parameter_attribute_functions()
        self.parameter_attribute_functions.append(self.parameter_not_null)

    def parameter_not_null(self, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict:
        """A parameter left out is absent, never null (``load_default=None`` says "absent")."""
        schema = ret.get("schema", {})
        if "default" in schema and schema["default"] is None:
            del schema["default"]
        schema.pop("nullable", None)
        branches = schema.pop("oneOf", None)
        if branches is not None:
            kept = [branch for branch in branches if branch.get("enum") != [None]]
            if len(kept) == 1 and len(schema) == 0:
                schema.update(kept[0])
            elif len(kept) == 1:
                schema["allOf"] = kept
            else:
                schema["oneOf"] = kept
        return {}

    def field2nullable(self, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
        if field.metadata.get("enum_name"):
            return {}  # named_enum writes it
        if field.allow_none and ("$ref" in ret or "allOf" in ret):
            refs = ret.pop("allOf", None) or [{"$ref": ret.pop("$ref")}]
            return {"oneOf": [*refs, _null("object")]}
        if field.allow_none and "enum" in ret:
            ret["enum"] = [value for value in ret["enum"] if value is not None]
        return super().field2nullable(field, ret)

    def named_enum(self, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict:
        name = field.metadata.get("enum_name")
        if name is None:
            return {}
        values = [value for value in ret.pop("enum") if value is not None]
        component = {"type": ret.pop("type"), "enum": values}
        schemas = self.spec.components.schemas
        if name not in schemas:
            self.spec.components.schema(name, component)
        elif schemas[name] != component:
            raise ValueError(f"Enum component {name!r} has two definitions: {component!r}")
        ref = self.spec.components.get_ref("schema", name)
        if field.allow_none:
            ret["oneOf"] = [ref, _null(component["type"])]
        elif ret:
            ret["allOf"] = [ref]
        else:
            return ref
        return {}

    def unique_items2properties(self, field: fields.Field, **_kwargs: Any) -> dict:
        if isinstance(field, fields.List) and unique_items in field.validators:
            return {"uniqueItems": True}
        return {}

    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        instance = schema() if isinstance(schema, type) else schema
        if isinstance(instance, OneOfSchema):
            return self._one_of(instance)
        jsonschema = super().schema2jsonschema(schema)
        if isinstance(instance, ChangesSchema):
            jsonschema["minProperties"] = 1
        return jsonschema

    def _one_of(self, schema: OneOfSchema) -> dict[str, Any]:
        refs = {name: self.resolve_nested_schema(s) for name, s in schema.type_schemas.items()}
        jsonschema: dict[str, Any] = {
            "oneOf": list(refs.values()),
            "discriminator": {
                "propertyName": schema.type_field,
                "mapping": {name: ref["$ref"] for name, ref in refs.items()},
            },
        }
        description = getattr(getattr(schema, "Meta", None), "description", None)
        if description:
            jsonschema["description"] = description
        return jsonschema


def _null(type_: str) -> dict[str, Any]:
    """The JSON ``null`` alone, in OpenAPI 3.0 terms."""
    return {"type": type_, "nullable": True, "enum": [None]}


class ContractPlugin(MarshmallowPlugin):
    Converter = ContractConverter

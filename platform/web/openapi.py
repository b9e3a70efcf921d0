"""OpenAPI details the route decorators cannot say on their own."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi.spec import Operation, Schema
from litestar.typing import FieldDefinition


@dataclass
class PublicOperation(Operation):
    """An operation anyone may call: ``security: []`` overrides the document's
    bearer requirement (Litestar drops an empty ``security=[]`` on the handler,
    so the API browser would show a padlock on a public route)."""

    def __post_init__(self) -> None:
        self.security = []


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """msgspec structs declared ``forbid_unknown_fields`` refuse unknown keys:
    say so in their schema (``additionalProperties: false``), which Litestar's
    own plugin leaves out, so that a client or a generator reading the document
    does not send fields the API answers 422 to."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema

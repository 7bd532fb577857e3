"""How the schema describes the portal's own fields and token scheme
(drf-spectacular extensions).

drf-spectacular registers an extension when its class is defined, and its
``extensions`` module imports ``drf_spectacular.plumbing``, which imports
``rest_framework.test`` and with it ``django.test``, Jinja2 and unittest
(about 15 MB). So the extensions live here, not beside the field and the
authentication class they describe, and this module is loaded only when a
schema is generated: ``SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"]`` names
``load``, which the generator imports before it reads any field. Web and
worker processes that never generate a schema never load it
(``marketplace/tests/test_startup_imports.py``).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension

from marketplace.api.authentication import TokenAuthentication
from marketplace.api.fields import (
    MoneyField,
    PlainTextField,
    VisibleTextField,
    plain_text_pattern,
    visible_text_pattern,
)


def load(endpoints: list) -> list:
    """The preprocessing hook: importing this module registered the
    extensions below; the endpoints pass unchanged."""
    return endpoints


class PlainTextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = PlainTextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request" and self.target.allow_blank:
            # In an allOf: for a blank-allowed field with a "pattern" of its
            # own, drf-spectacular writes oneOf: [{pattern}, {maxLength: 0}],
            # and "" (which this pattern admits) would match both branches.
            schema["allOf"] = [{"pattern": plain_text_pattern(allow_blank=True)}]
        elif direction == "request":
            schema["pattern"] = plain_text_pattern(allow_blank=False)
        return schema


class VisibleTextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = VisibleTextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = visible_text_pattern()
        return schema


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    target_class = MoneyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction != "request":
            return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {
            "description": 'At most two decimals: a number or a string ("6500.00").',
            "oneOf": [
                {"type": "string", "format": "decimal", "pattern": f"^{MoneyField.STRING.pattern}$"},
                {"type": "number", "minimum": 0, "maximum": MoneyField.LARGEST, "multipleOf": 0.01},
            ],
        }


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema (and the docs' "Authorize" button) describes tokens."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal access token, sent as "Token <key>".',
        }

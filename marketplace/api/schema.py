"""Additions to the generated OpenAPI schema: the error answers every
operation can give (``marketplace.api.errors``), so a client, the docs and
schemathesis know every status code the API may answer with."""

from django.utils.translation import gettext_lazy as _

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field errors: {"field": ["message", ...]}; "non_field_errors" and
# "red_lines" likewise; a body that is not JSON gives {"detail": "..."}.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": True,
    "example": {"term_end": ["The licence cannot end before it starts."]},
}

_DESCRIPTIONS = {
    "400": _('Invalid input: field errors as {"field": ["message"]}.'),
    "401": _("Not signed in, or the token is unknown or revoked."),
    "403": _("Your account does not have the role this needs."),
    "404": _("Not found, or not yours to see."),
    "409": _("The move is not possible in the object's current state, or someone else moved it first."),
    "415": _("Send the body as application/json."),
    "429": _("Too many requests: wait for the seconds in Retry-After."),
}


def _response(code: str, schema_name: str) -> dict:
    response = {
        "description": str(_DESCRIPTIONS[code]),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }
    if code == "429":
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    return response


def _is_public(operation: dict) -> bool:
    return {} in operation.get("security", [{}])


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "429"]
            if not _is_public(operation):
                codes.append("403")
            if "{" in path:
                codes.append("404")
            if method in ("post", "patch", "put"):
                codes.append("415")
            if method == "post" and not _is_public(operation):
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _response(code, "ValidationError" if code == "400" else "Error"))
    return result

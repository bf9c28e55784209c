"""OpenAPI post-processing: the error answers every endpoint can give (docs/api.md's error
shape, core/api.py), so that clients — and the schema fuzzing in CI — find each status code
documented."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": '`{"detail": "…", "errors": {field: [message, …]}}` (docs/api.md).',
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail", "errors"],
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input; `errors` names each field.",
    "401": "Credentials missing or invalid.",
    "403": "Not allowed.",
    "404": "Not found, or not visible to the caller (tenancy answers 404, not 403).",
    "409": "The request conflicts with the object's state.",
    "413": "The body or a file is larger than allowed.",
    "415": "Unsupported media type.",
    "429": "Rate limit reached; see the Retry-After header.",
}
WITH_BODY = {"post", "put", "patch"}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method in WITH_BODY:
                codes += ["413", "415"]
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                        **(
                            {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                            if code == "429"
                            else {}
                        ),
                    },
                )
    return result

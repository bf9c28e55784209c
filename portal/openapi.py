"""The endpoints of docs/api.md that are not DRF views, in the OpenAPI document: the health
check and each notifying payment provider's server-to-server call. drf-spectacular only
sees DRF views, so this post-processing hook describes them (settings.SPECTACULAR_SETTINGS).
It runs after core.openapi.add_error_responses: these endpoints answer only what is listed
here (plain text to a provider, not the API's JSON errors)."""

from typing import Any

from django.urls import reverse

from payments import providers

TEXT = {"text/plain": {"schema": {"type": "string"}}}

HEALTH_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "checks": {
            "type": "object",
            "description": '"database" (and "broker", where one is configured): "ok" or '
            '"down: <error>".',
            "additionalProperties": {"type": "string"},
        },
    },
    "required": ["status", "checks"],
}


def _health() -> dict[str, Any]:
    answer = {"application/json": {"schema": HEALTH_SCHEMA}}
    return {
        "get": {
            "operationId": "healthz",
            "summary": "Health check: the database (and the broker, where configured) answers",
            "tags": ["health"],
            "security": [{}],
            "responses": {
                "200": {"description": "Everything answers.", "content": answer},
                "503": {"description": "A part is down; `checks` names it.", "content": answer},
            },
        }
    }


def _notify(key: str, names: tuple[str, ...]) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in names
    ]
    form = {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in names},
            }
        }
    }
    responses = {
        "200": {
            "description": "Processed (also a repeated message: nothing changes twice).",
            "content": TEXT,
        },
        "400": {
            "description": "Unknown attempt or a signature that does not verify: nothing "
            "changes, and the provider does not send it again.",
            "content": TEXT,
        },
    }
    summary = f"{key}: the provider's signed server-to-server notification"
    operation = {"summary": summary, "tags": ["payments"], "security": [{}]}
    return {
        "get": {
            **operation,
            "operationId": f"{key}_notify",
            "parameters": parameters,
            "responses": responses,
        },
        "post": {
            **operation,
            "operationId": f"{key}_notify_post",
            "requestBody": {"content": form, "required": False},
            "responses": responses,
        },
    }


def add_plain_endpoints(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    paths = result.setdefault("paths", {})
    paths[reverse("healthz")] = _health()
    for key in providers.keys_where("notifies"):
        path = reverse("payments:provider-notify", args=[key])
        paths[path] = _notify(key, providers.get(key).notify_parameters)
    return result

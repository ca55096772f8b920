"""The OpenAPI schema declares every error a view can answer (API.md's "Errors"), in one place rather than on
each view: clients and the schema fuzzer (schemathesis, in CI) then know every status code to expect."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# DRF answers every error but a 400 as {"detail": "..."}; a 409 may add fields (e.g. the record's current version).
ERROR = ResolvedComponent(  # type: ignore[no-untyped-call]  # drf-spectacular is untyped
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "properties": {"detail": {"type": "string", "description": "What went wrong, in the user's language."}},
        "required": ["detail"],
    },
)

# API.md: a 400 has a message list per field (`{"field": ["message"]}`); a nested field (a violation, a service)
# has its own object or list of objects, and a body that is not JSON gets {"detail": "..."}.
VALIDATION_ERROR = ResolvedComponent(  # type: ignore[no-untyped-call]
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": "A list of messages per field; `non_field_errors` for the body as a whole.",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
)

DESCRIPTIONS = {
    400: "Invalid input: a list of messages per field.",
    401: "Not authenticated: no credentials, or a token that is unknown, expired or revoked.",
    403: "Authenticated, but the role may not do this (or the session lacks its second factor, or CSRF).",
    404: "The record does not exist or is outside the user's scope; also an unknown `format` or page.",
    406: "The `Accept` header asks for a format this operation does not serve.",
    409: "A workflow step not allowed from the record's status, a stale `version`, or a closed month.",
    415: "The body's content type is not JSON or a form.",
    429: "Too many failed attempts: try again later.",
    503: "The task queue cannot be reached: nothing was started or changed; try again later.",
}


class ErrorsDeclaringSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can answer.

    Which errors apply is read off the operation itself: a body or query parameters can be invalid (400), any
    body can be of the wrong type (415), an authenticated operation refuses missing credentials (401) and roles
    (403), an unauthenticated one (the token endpoint) is throttled (429). Every operation answers 404 (out of
    scope, an unknown `?format=` or page) and 406 (an `Accept` it cannot satisfy). Views whose writes follow a
    workflow, a `version` or the month's closing set `may_conflict = True` (409); views that start a background job
    set `starts_job = True` (503 when the task queue cannot be reached)."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        registry.register_on_missing(ERROR)
        registry.register_on_missing(VALIDATION_ERROR)
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for status in sorted(self._error_statuses(operation)):
            responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        for code, response in responses.items():
            # A view that declared an error by its description alone (OpenApiResponse) gets its body too.
            if str(code).startswith(("4", "5")) and "content" not in response:
                component = VALIDATION_ERROR if str(code) == "400" else ERROR
                response["content"] = {"application/json": {"schema": component.ref}}
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> set[int]:
        writes = self.method in WRITE_METHODS
        has_query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
        public = not operation.get("security") or {} in operation["security"]
        statuses = {404, 406}
        if writes or has_query or "requestBody" in operation:
            statuses.add(400)
        if writes:
            statuses.add(415)
        statuses |= {429} if public else {401, 403}
        if writes and getattr(self.view, "may_conflict", False):
            statuses.add(409)
        if writes and getattr(self.view, "starts_job", False):
            statuses.add(503)
        return statuses

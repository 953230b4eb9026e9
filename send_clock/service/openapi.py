"""The OpenAPI contract as the server keeps it: every error an RFC 9457 problem document.

FastAPI describes what the routes declare; the errors come from elsewhere (the bearer-token
dependency, the library's exceptions, the size limit, the If-Match check), so :func:`install`
adds them to every operation where they can occur, by rules that follow the code:

=====  ==========================================================================================
401    every operation with a bearer token (``security``)
403    operations that need a write token (security scheme ``WriteToken``)
404    operations with a path parameter (a case, record, feed, calendar or process that is not)
409    creating a case whose reference is taken
410    feeds (declared by the feed routes): revoked
412    operations with ``If-Match`` (a stale ETag); ``If-Match`` is required there...
400    operations with a request body that cannot be parsed
413    operations with a request body larger than the limit
422    every operation with a body or a parameter other than an id in the path (it does not fit)
428    ... and without it the answer is 428
503    every operation that reads the database (a bearer token, a feed): it is unreachable, the
       connection was lost, or every connection stayed busy (with ``Retry-After``)
=====  ==========================================================================================
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI

from .schemas import ImportIn

CALENDAR = {"text/calendar": {"schema": {"type": "string"}}}

#: A feed's answers: the calendar, not modified, unknown, revoked.
FEED_RESPONSES = {
    200: {"description": "The feed, as iCalendar (RFC 5545)", "content": CALENDAR},
    304: {"description": "Not modified: the client's copy (If-None-Match, If-Modified-Since)"},
    404: {"description": "No such feed"},
    410: {"description": "The feed was revoked: remove the subscription"},
}

#: A public term calendar's answers: as a feed's, but a calendar is never revoked.
TERMS_RESPONSES = {status: FEED_RESPONSES[status] for status in (200, 304, 404)}

PROBLEM = "application/problem+json"

#: The security scheme of routes that need a write token.
WRITE_SCHEME = "WriteToken"

PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string", "description": "The status's reason phrase"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What was wrong, for a case officer"},
        "errors": {
            "type": "array",
            "description": "Each value that did not fit (422): where and why, or the CSV row",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
    "additionalProperties": True,
}

#: Why each status is documented; the description of its response.
REASONS = {
    400: "The body cannot be parsed (not JSON, or not the declared media type)",
    401: "No API token, or one that is unknown or revoked",
    403: "A read-only token on a route that writes",
    404: "The case, record, feed, calendar or process does not exist",
    409: "A case with this reference already exists",
    410: "The feed was revoked",
    412: "If-Match is not the case's current ETag: it changed since you read it",
    413: "The request body is larger than the limit",
    422: "The request does not fit the contract, or a value cannot be used",
    428: "If-Match is missing: send the ETag of the case as you last read it",
    503: (
        "The database cannot be reached just now, the connection to it was lost, or every "
        "connection stayed busy: try again after Retry-After seconds"
    ),
}

#: Statuses only some operations answer, by (method, path).
CONFLICTS = {("post", "/v1/cases")}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the contract with its errors documented."""
    generate = app.openapi

    def contract() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = contract


def document_errors(spec: dict) -> dict:
    """``spec`` with the problem responses of every operation (see the table above)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ImportIn"] = ImportIn.model_json_schema()  # named only in the import's openapi_extra
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            for status in sorted(_statuses(method, path, operation)):
                _add_problem(operation, status)
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {
                        PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
    return spec


def _statuses(method: str, path: str, operation: dict) -> set[int]:
    statuses = set()
    schemes = {name for entry in operation.get("security", []) for name in entry}
    if schemes:
        statuses |= {401, 503}
    if "410" in operation.get("responses", {}):  # a feed: looked up in the database
        statuses.add(503)
    if WRITE_SCHEME in schemes:
        statuses.add(403)
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if (method, path) in CONFLICTS:
        statuses.add(409)
    if_match = [
        p for p in parameters if p.get("in") == "header" and p["name"].lower() == "if-match"
    ]
    for parameter in if_match:
        parameter["required"] = True
        statuses |= {412, 428}
    if "requestBody" in operation:
        statuses |= {400, 413}
    if _refusable(parameters) or "requestBody" in operation:
        statuses.add(422)
    else:  # FastAPI lists it for any parameter; an id in the path is never refused, only 404
        operation.get("responses", {}).pop("422", None)
    return statuses


def _refusable(parameters: list[dict]) -> bool:
    """Whether a value of ``parameters`` can be refused (422): any but an id in the path (the
    routes take only digits there, ``{case_id:int}``, and an id no row has is 404)."""
    return any(
        not (p.get("in") == "path" and p.get("schema", {}).get("type") == "integer")
        for p in parameters
    )


def _add_problem(operation: dict, status: int) -> None:
    responses = operation.setdefault("responses", {})
    response = responses.setdefault(str(status), {})
    if not response.get("description") or response["description"] == "Validation Error":
        response["description"] = REASONS.get(status, HTTPStatus(status).phrase)
    if status == 503:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        }

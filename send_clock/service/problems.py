"""Every error the service returns is an RFC 9457 problem document, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import Conflict, NotFound, SendClockError, StaleVersion

log = logging.getLogger("send_clock.service")


def problem(status: int, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def status_of(error: SendClockError) -> int:
    """The HTTP status for a library error."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, StaleVersion):
        return 412
    return 422  # bad input, unknown calendar or process in a body, out of coverage...


class PreconditionRequired(SendClockError):
    """An update came without If-Match."""


def install(app: FastAPI) -> None:
    @app.exception_handler(PreconditionRequired)
    async def _precondition(_request: Request, error: PreconditionRequired):
        return problem(428, str(error))

    @app.exception_handler(SendClockError)
    async def _library(_request: Request, error: SendClockError):
        return problem(status_of(error), str(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException):
        response = problem(error.status_code, str(error.detail))
        for key, value in (error.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, error: RequestValidationError):
        errors = [
            {
                "where": ".".join(str(part) for part in item.get("loc", ())),
                "message": item.get("msg", ""),
            }
            for item in error.errors()
        ]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "invalid request"
        return problem(422, detail, errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception):
        log.error("internal error: %s", type(error).__name__)
        return problem(500, "internal error; the request was not completed")

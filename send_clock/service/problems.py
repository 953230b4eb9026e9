"""Every error the service returns is an RFC 9457 problem document, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import Conflict, Gone, NotFound, SendClockError, StaleVersion
from ..store import ConnectionLost, DatabaseUnavailable

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
    if isinstance(error, Gone):
        return 410
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, StaleVersion):
        return 412
    return 422  # bad input, unknown calendar or process in a body, out of coverage...


#: A 503's Retry-After: long enough for a database restart or fail-over to be over (seconds).
RETRY_AFTER_SECONDS = 5


class PreconditionRequired(SendClockError):
    """An update came without If-Match."""


def _is_page(request: Request) -> bool:
    """Web pages get HTML errors; the API and feeds (public calendars too) get problem
    documents."""
    path = request.url.path
    return not (
        path.startswith("/v1") or path.endswith(".ics") or path in ("/health", "/openapi.json")
    )


def page_error(request: Request, status: int, detail: str):
    from .web.pages import render

    return render(
        request,
        "error.html",
        status_code=status,
        forms=False,
        title=HTTPStatus(status).phrase,
        detail=detail,
    )


def respond(request: Request, status: int, detail: str, headers: dict | None = None, **extra):
    if _is_page(request):
        return page_error(request, status, detail)
    return problem(status, detail, headers=headers, **extra)


def internal_error(scope, request_id: str):
    """The answer to an unexpected error (logged by the middleware as one line): the request id
    to quote when reporting it, and nothing of the error itself."""
    return respond(
        Request(scope),
        500,
        f"internal error; the request was not completed (request id {request_id})",
        request_id=request_id,
    )


def unavailable(scope, error: DatabaseUnavailable, before_the_request: bool = False):
    """The answer to a database that cannot be used just now: 503 with ``Retry-After``, from a
    route (the exception handler) or from the token check before it (``BearerFirst``, outside
    the routes' error handling: ``before_the_request``, its body not yet read, so nothing of
    it can have been saved). The error's message names the database, for whoever runs
    send-clock: the log has its kind; the client is told what happened and when to try again,
    nothing of the set-up."""
    log.warning("database unavailable: %s", type(error).__name__)
    detail = error.for_clients
    if before_the_request and isinstance(error, ConnectionLost):
        detail = f"{DatabaseUnavailable.for_clients} (nothing was changed)"
    response = respond(Request(scope), 503, detail)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def refuse(scope, detail: str):
    """A request refused before it reached a route (e.g. a NUL in its query)."""
    return respond(Request(scope), 422, detail)


#: The methods a 405's ``Allow`` can name.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route answers at the request's path, for a 405's ``Allow`` (RFC 9110
    15.5.6): the router itself names only the first route that matched the path."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    )


def install(app: FastAPI) -> None:
    from fastapi.responses import RedirectResponse

    from .web.pages import CsrfFailed, LoginRequired

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, _error: LoginRequired):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _error: CsrfFailed):
        return respond(
            request,
            403,
            "The form had expired or did not come from this site. "
            "Go back, reload the page and try again.",
        )

    @app.exception_handler(PreconditionRequired)
    async def _precondition(request: Request, error: PreconditionRequired):
        return respond(request, 428, str(error))

    @app.exception_handler(DatabaseUnavailable)
    async def _database(request: Request, error: DatabaseUnavailable):
        return unavailable(request.scope, error)

    @app.exception_handler(SendClockError)
    async def _library(request: Request, error: SendClockError):
        return respond(request, status_of(error), str(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException):
        response = respond(request, error.status_code, str(error.detail))
        for key, value in (error.headers or {}).items():
            response.headers[key] = value
        if error.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError):
        errors = [
            {
                "where": ".".join(str(part) for part in item.get("loc", ())),
                "message": item.get("msg", ""),
            }
            for item in error.errors()
        ]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "invalid request"
        return respond(request, 422, detail, errors=errors)

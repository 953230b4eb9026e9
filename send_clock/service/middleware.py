"""ASGI middleware: request-size limits, the bearer token checked before any body is read,
security headers, request ids, and logging without personal data."""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable

from ..store import DatabaseUnavailable

log = logging.getLogger("send_clock.access")
errors_log = logging.getLogger("send_clock.service")

#: The pages' policy: no script at all (the pages need none), styles and images from the site
#: (inline SVG charts carry style attributes), forms post only here, never inside a frame.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: JSON, CSV and calendar responses load nothing.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
#: FastAPI's /docs page runs Swagger UI's inline script from a CDN: only framing is refused.
DOCS_POLICY = "frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Feed URLs carry their token: never send a URL of this site on to another.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _raw(policy: str) -> tuple[tuple[bytes, bytes], ...]:
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": policy}
    return tuple((name.lower().encode(), value.encode()) for name, value in headers.items())


#: The headers every response gets, ready to send (built once: they are the same every time).
RAW_HEADERS = {policy: _raw(policy) for policy in (PAGE_POLICY, DATA_POLICY, DOCS_POLICY)}


class BodyTooLarge(Exception):
    pass


class SizeLimit:
    """Refuse request bodies over the route's limit with a 413 problem, whether or not the
    client announced the length: ``limit`` everywhere, ``larger`` on the paths it names (the
    CSV import only)."""

    def __init__(self, app, limit: int, larger: dict[str, int] | None = None):
        self.app, self.limit, self.larger = app, limit, larger or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):  # no body to read: nothing to limit
            return await self.app(scope, receive, send)
        limit = self.larger.get(scope.get("path", ""), self.limit)
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            return await _too_large(send, limit)
        seen = 0

        async def counted_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send, limit: int) -> None:
    await _send_problem(
        send,
        413,
        "Content Too Large",
        f"the request body is larger than the limit of {limit} bytes",
    )


async def _send_problem(send, status: int, title: str, detail: str, headers=()) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class BearerFirst:
    """On the API's writes, check the bearer token before the body is read: a client without
    a valid token cannot make the service read (or parse) a megabyte of JSON. The actor found
    is kept for the route's own check (:mod:`.auth`), which then needs no second query.
    A database that cannot be used for the check is answered by ``unavailable(scope, error)``
    (a 503, as a route would say: this runs outside the routes' error handling)."""

    def __init__(self, app, authenticate: Callable, unavailable: Callable):
        self.app, self.authenticate, self.unavailable = app, authenticate, unavailable

    async def __call__(self, scope, receive, send):
        if not _api_write(scope):
            return await self.app(scope, receive, send)
        scheme, _, token = _header(scope, b"authorization").partition(" ")
        actor = None
        if scheme.lower() == "bearer" and token.strip():
            try:
                actor = await self.authenticate(scope["app"], token.strip())
            except DatabaseUnavailable as error:
                return await self.unavailable(scope, error, before_the_request=True)(
                    scope, receive, send
                )
        if actor is None:
            detail = "send a valid API token: Authorization: Bearer <token>"
            return await _send_problem(
                send, 401, "Unauthorized", detail, [(b"www-authenticate", b"Bearer")]
            )
        scope.setdefault("state", {})["actor"] = actor
        await self.app(scope, receive, send)


def _api_write(scope) -> bool:
    path = scope.get("path", "")
    return (
        scope["type"] == "http"
        and path.startswith("/v1/")
        and not (path.startswith("/v1/feeds/") and path.endswith(".ics"))  # public, GET only
        and scope.get("method") not in ("GET", "HEAD", "OPTIONS")
    )


def _header(scope, name: bytes) -> str:
    """The request header ``name`` (lower case), or ``""``."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return ""


class Guard:
    """Every response gets the security headers and an ``X-Request-ID``; a NUL in the query is
    refused (422); an unexpected error is logged as its class, route and request id
    only (never the traceback, whose SQL parameters hold case references and officers) and
    answered by ``on_error(scope, request_id)``, which quotes the id to the user."""

    def __init__(self, app, on_error: Callable, refuse: Callable):
        self.app, self.on_error, self.refuse = app, on_error, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = _request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _with_security(
                    message.get("headers") or [], _policy(scope), request_id
                )
            await send(message)

        if b"%00" in scope.get("query_string", b""):  # (in a path: no route finds it, 404)
            response = self.refuse(scope, "the query holds a NUL character (%00); remove it")
            return await response(scope, receive, with_headers)
        try:
            await self.app(scope, receive, with_headers)
        except BodyTooLarge:
            raise
        except Exception as error:  # noqa: BLE001 - the last guard: one line, no traceback
            errors_log.error(
                "internal error %s on %s %s (request %s)",
                type(error).__name__,
                scope.get("method"),
                route_template(scope),
                request_id,
            )
            if not started:
                await self.on_error(scope, request_id)(scope, receive, with_headers)


class _RequestIds:
    """Request ids: 16 hex digits, this process's random half and a count of its requests (a
    counter, not 8 random bytes from the operating system each time: a system call per
    request). Unique across workers and restarts as the random half is; they need not be
    secret (an id names a log line, and gives no access to anything)."""

    def __init__(self):
        self._renew()
        os.register_at_fork(after_in_child=self._renew)  # a forked worker counts apart

    def _renew(self) -> None:
        self.prefix = secrets.token_hex(4)
        self.count = itertools.count()

    def __call__(self) -> str:
        return f"{self.prefix}{next(self.count) & 0xFFFFFFFF:08x}"


_request_id = _RequestIds()


def _policy(scope) -> str:
    path = scope.get("path", "")
    if path.startswith(("/docs", "/redoc")):
        return DOCS_POLICY
    if path.startswith("/v1/") or path in ("/openapi.json", "/health"):
        return DATA_POLICY
    return PAGE_POLICY


def _with_security(headers, policy: str, request_id: str) -> list:
    """The response's headers, the security headers added where the response set none of its
    own, and ``X-Request-ID`` (always this request's)."""
    present = {name.lower() for name, _value in headers}
    return [
        *(h for h in headers if h[0].lower() != b"x-request-id"),
        *(h for h in RAW_HEADERS[policy] if h[0] not in present),
        (b"x-request-id", request_id.encode()),
    ]


class AccessLog:
    """One log line per request: method, the route's template (never the raw path, which may
    hold a feed token or a case reference), status and time taken."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def recording_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            if log.isEnabledFor(logging.INFO):
                method, route = scope.get("method"), route_template(scope)
                ms = round((time.perf_counter() - started) * 1000, 1)
                fields = {"method": method, "route": route, "status": status, "ms": ms}
                log.handle(_access_record((method, route, status, ms), fields))


#: The access log's records' attributes that are the same for every request of a process and
#: thread (the logger, level, file, process and thread names): (process id, thread id) -> them
_RECORD_TEMPLATES: dict[tuple[int, int], dict] = {}


def _access_record(args: tuple, fields: dict) -> logging.LogRecord:
    """The access log's record: what ``log.info`` makes, from a record made once per process
    and thread with only the time, the arguments and ``fields`` set anew. ``LogRecord()``
    looks up the caller's file, the process and the thread names for every record (``log.info``
    walks the frames to the caller too): half of the access log's cost."""
    key = (os.getpid(), threading.get_ident())
    template = _RECORD_TEMPLATES.get(key)
    if template is None:
        made = log.makeRecord(log.name, logging.INFO, __file__, 0, ACCESS_FORMAT, (), None)
        if len(_RECORD_TEMPLATES) > 64:  # threads come and go (a test client's event loops)
            _RECORD_TEMPLATES.clear()
        template = _RECORD_TEMPLATES.setdefault(key, dict(vars(made)))
    record = logging.LogRecord.__new__(logging.LogRecord)
    vars(record).update(template)
    now = time.time()  # as LogRecord.__init__ sets the three times
    record.created = now
    record.msecs = int((now - int(now)) * 1000) + 0.0
    record.relativeCreated = (now - logging._startTime) * 1000  # noqa: SLF001 - as logging
    record.args = args
    vars(record).update(fields)
    return record


ACCESS_FORMAT = "%s %s %s %.1fms"


def route_template(scope) -> str:
    """The request path with every path parameter replaced by its name:
    ``/v1/feeds/{token}.ics``, never the token itself. Unrouted paths are not logged."""
    params = {str(value): name for name, value in (scope.get("path_params") or {}).items()}
    if "route" not in scope and not params:
        return "(unmatched)" if scope.get("path", "/") != "/health" else "/health"
    parts = []
    for segment in scope.get("path", "").split("/"):
        stem, dot, suffix = segment.partition(".")
        if segment in params:
            segment = "{" + params[segment] + "}"
        elif stem in params:
            segment = "{" + params[stem] + "}" + dot + suffix
        parts.append(segment)
    return "/".join(parts)

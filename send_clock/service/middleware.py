"""ASGI middleware: a request-size limit and logging without personal data."""

from __future__ import annotations

import json
import logging
import time

log = logging.getLogger("send_clock.access")


class BodyTooLarge(Exception):
    pass


class SizeLimit:
    """Refuse request bodies over ``limit`` bytes with a 413 problem, whether or not the client
    announced the length."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        seen = 0

        async def counted_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
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
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"the request body is larger than the limit of {self.limit} bytes",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


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
            method, route = scope.get("method"), route_template(scope)
            ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {"method": method, "route": route, "status": status, "ms": ms}
            log.info("%s %s %s %.1fms", method, route, status, ms, extra=fields)


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

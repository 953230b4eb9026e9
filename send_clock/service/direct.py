"""The API's busiest routes answered directly, without FastAPI's per-request machinery.

For a request that costs a fraction of a millisecond of work (a timeline projection, one case
read), FastAPI's request path costs several times more: solving the dependencies, parsing the
body into Python objects and validating them, and validating the returned dict against the
response model before encoding it. A :class:`DirectRoute` answers the well-formed request
itself, with pydantic-core doing the work in one call each way (``model_validate_json`` on
the body's bytes, or one validation of the query against a model of the declared route's own
query parameters; ``dump_json`` of the response model), and the bearer token checked by the
same functions as the routes' dependency (:func:`.auth.request_actor`).

Anything out of the ordinary (a body that does not fit, a content type that is not JSON, a path
or query value out of range) is handed, body and all, to the route declared with FastAPI at the
same path and method, so every error is the one the declared route gives. The declared routes
stay the contract: ``/openapi.json`` is generated from them, and a DirectRoute is not in it.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable

from anyio import CapacityLimiter, to_thread
from pydantic import BaseModel, TypeAdapter, ValidationError, create_model
from pydantic_core import to_json
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

#: Set in the scope when a request is handed on: the routers then skip the direct routes.
HANDED_ON = "send_clock.handed_on"

#: What a direct route's answer returns: a response, or None to hand the request on.
Answer = Callable[[Request], Awaitable[Response | None]]


class HandOn(Exception):
    """The request is not the plain case a direct route answers: the declared route will."""


class DirectRoute(Route):
    """A route answered by ``answer(request)``; it hands the request to the declared route
    (see the module) by raising :class:`HandOn` or when the method is not its own."""

    def __init__(self, path: str, answer: Answer, methods: list[str], name: str):
        super().__init__(path, endpoint=answer, methods=methods, name=name)
        # Only the declared methods (a Starlette route would add HEAD to GET; the declared
        # route does not answer HEAD, and a HEAD goes to it for its 405).
        self.methods = set(methods)
        self.answer = answer

    def matches(self, scope) -> tuple[Match, dict]:
        if HANDED_ON in scope:
            return Match.NONE, {}
        match, child_scope = super().matches(scope)
        if match is not Match.FULL:  # another method: the declared route answers (405 ...)
            return Match.NONE, {}
        child_scope["route"] = self  # the access log names the route's template
        return match, child_scope

    async def handle(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except HandOn:
            await _hand_on(scope, request, receive, send)
            return
        await response(scope, receive, send)


async def _hand_on(scope, request: Request, receive, send) -> None:
    """Route the request again, to the declared route, with the body already read (if any)
    given back to it first."""
    body = getattr(request, "_body", None)
    pending = body is not None

    async def replay():
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    scope[HANDED_ON] = True
    await scope["router"].app(scope, replay, send)


#: Threads for the direct routes' database reads (a case, a page of the list): a few
#: milliseconds each. Their own few, apart from the threads of everything else (a breach report
#: computed, a CSV export, a feed, the writes): see :func:`short_threads`.
SHORT_THREADS = 2


def short_threads(connections: int) -> int:
    """How many of a worker's ``connections`` (one per thread) the short reads take: at most
    :data:`SHORT_THREADS`, and never all but one when there are few.

    Why so few: a request waiting for a thread waits in line (first come, first served), but
    threads that all hold a request take turns at the interpreter's lock, each request's time
    then stretched by every other's. With 30 threads at 20 requests at once the 99th percentile
    was three times the median; with a few, requests wait in order and the throughput is the
    same (the worker's one core is the limit, not the database). Two rather than four: on the
    idle 2-core machine at 50,000 cases, the overdue list at 20 connections had a p99 of
    97-126 ms with two and 127-200 ms with four (runs alternated), at the same throughput."""
    return max(1, min(SHORT_THREADS, connections // 2))


async def in_short_thread(request: Request, function: Callable, *args):
    """``function(*args)`` in one of the short reads' threads (the default thread pool's when
    the app was not started through its lifespan, as in a test client used without ``with``)."""
    limiter: CapacityLimiter | None = getattr(request.app.state, "short_limiter", None)
    return await to_thread.run_sync(function, *args, limiter=limiter)


def body_of(request_body: bytes, content_type: str | None, model: type[BaseModel]) -> BaseModel:
    """``model`` from a JSON request body, or :class:`HandOn` when the body is not a JSON
    object that fits (the declared route then says why, as FastAPI words it)."""
    if not _is_json(content_type) or not request_body:
        raise HandOn
    try:
        return model.model_validate_json(request_body)
    except ValidationError:
        raise HandOn from None


def query_model(endpoint: Callable) -> type[BaseModel]:
    """A model of the query parameters of the declared route ``endpoint``: its parameters that
    have a default, with their own annotations (constraints included) and defaults. Made from
    the function itself, so that a parameter added or changed there is validated alike here."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    fields = {
        name: (hints[name], parameter.default)
        for name, parameter in inspect.signature(endpoint).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    return create_model(f"{endpoint.__name__}_query", **fields)


def query_of(request: Request, model: type[BaseModel]) -> BaseModel:
    """The request's query as ``model``, or :class:`HandOn` when a value does not fit (the
    declared route then says why, as FastAPI words it). Read as FastAPI reads a query: each
    value as text, the last one of a repeated name, names the route does not take ignored."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError:
        raise HandOn from None


def _is_json(content_type: str | None) -> bool:
    """``application/json`` or ``application/...+json`` (parameters allowed), as FastAPI
    accepts; anything else is handed on."""
    if not content_type:
        return False
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JSONOut:
    """A response model's encoder: the route's dict validated against the model and written
    as JSON by pydantic-core in one call each (what FastAPI does, without its overhead).

    ``validated=False`` writes the dict as it is, for a route whose dict is made in the
    model's own field order with values that are what the model would give back (dates,
    ints, strings, None): the same bytes without building a model object of every item (a
    quarter of a 50-case page's work). ``tests/service/test_direct.py`` compares such routes'
    answers with the declared routes', which validate."""

    def __init__(self, model: type[BaseModel], validated: bool = True):
        self.adapter = TypeAdapter(model)
        self.validated = validated

    def response(self, content: dict, status_code: int = 200, headers=None) -> Response:
        if self.validated:
            body = self.adapter.dump_json(self.adapter.validate_python(content))
        else:
            body = to_json(content)
        return Response(body, status_code, headers, media_type="application/json")


def install(app, routes: list[DirectRoute]) -> None:
    """Put ``routes`` ahead of the app's declared routes (which they hand on to)."""
    app.router.routes[0:0] = routes

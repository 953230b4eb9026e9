"""Bearer API tokens: 401 without a valid one, 403 for a read token on a write route."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..store import tokens

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ReadToken",
    description="An API token from `send-clock tokens create` (read or write scope)",
)
#: The same bearer token, named apart in the OpenAPI contract: routes that write need this one.
_write_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="WriteToken",
    description="An API token from `send-clock tokens create --scope write`",
)


@dataclass(frozen=True)
class Actor:
    """Who is making the request: an API token's name, or a signed-in user's."""

    name: str
    scope: str


class TokenCache:
    """The live API tokens this worker has checked lately, each for ``seconds``: a client
    sending many requests costs one token query every few seconds instead of one per request.

    Why a revocation still holds: ``send-clock tokens revoke`` (another process) cannot reach
    every worker's memory, so a revoked token keeps working here for at most ``seconds`` after
    it was last checked (``SEND_CLOCK_TOKEN_CACHE_SECONDS``, 5 by default; 0 checks every
    request). Only live tokens are kept, by their hash (never the token itself), and at most
    ``size`` of them: unknown or revoked tokens are looked up every time, so guessing fills
    nothing.
    """

    def __init__(
        self, seconds: float, size: int = 1000, clock: Callable[[], float] = time.monotonic
    ):
        self.seconds, self.size, self.clock = seconds, size, clock
        self._actors: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def remembered(self, token: str) -> Actor | None:
        """The actor of ``token`` if it was found live less than ``seconds`` ago."""
        if self.seconds <= 0:
            return None
        found = self._actors.get(tokens.token_hash(token))
        return found[1] if found is not None and found[0] > self.clock() else None

    def actor(self, token: str, lookup: Callable[[str], Actor | None]) -> Actor | None:
        """The actor of ``token``: remembered, or ``lookup(token)`` (remembered when live)."""
        actor = self.remembered(token)
        if actor is not None:
            return actor
        actor = lookup(token)
        if self.seconds <= 0:
            return actor
        key = tokens.token_hash(token)
        with self._lock:
            if actor is None:
                self._actors.pop(key, None)
                return None
            if len(self._actors) >= self.size:  # the oldest entry makes room
                self._actors.pop(next(iter(self._actors)), None)
            self._actors[key] = (self.clock() + self.seconds, actor)
        return actor


def authenticated(app, token: str) -> Actor | None:
    """The actor of a live API token, or None (checked in the database at most every
    :class:`TokenCache` ``seconds`` per worker). Blocking: call it from a thread."""

    def lookup(token: str) -> Actor | None:
        with app.state.store.session() as session:
            row = tokens.authenticate(session, token)
            return row and Actor(row.name, row.scope)

    return app.state.token_cache.actor(token, lookup)


async def actor_of(app, token: str) -> Actor | None:
    """:func:`authenticated` from the event loop: a token found live lately is answered at
    once, without a trip to the thread pool; any other is looked up in a thread, one of the
    short reads' (one indexed query: it never waits behind long requests; see app._lifespan)."""
    return app.state.token_cache.remembered(token) or await to_thread.run_sync(
        authenticated, app, token, limiter=getattr(app.state, "short_limiter", None)
    )


async def _actor(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    checked = getattr(request.state, "actor", None)  # by the middleware, before the body
    if checked is not None:
        return checked
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "send an API token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    actor = await actor_of(request.app, credentials.credentials)
    if actor is None:
        raise HTTPException(
            401,
            "the API token is not valid (unknown or revoked)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
WriteCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_write_bearer)]


# async: a remembered token costs no trip to the thread pool (see actor_of)
async def reader(request: Request, credentials: Credentials) -> Actor:
    return await _actor(request, credentials)


async def writer(request: Request, credentials: WriteCredentials) -> Actor:
    actor = await _actor(request, credentials)
    if actor.scope != "write":
        raise HTTPException(403, f"the token {actor.name!r} is read-only; this needs a write token")
    return actor


async def request_actor(request: Request, write: bool = False) -> Actor:
    """The routes' check (:func:`reader`, or :func:`writer` when ``write``) for a route that
    reads the ``Authorization`` header itself (:mod:`.direct`): the same answers, 401 and 403
    included."""
    # The actor BearerFirst found (on the API's writes, POST included, before the body was
    # read): the token is not hashed and looked up a second time. A reader takes it as it is.
    checked = request.scope.get("state", {}).get("actor")
    if checked is not None:
        return await writer(request, None) if write else checked
    if not write:  # a live token checked lately: its actor at once (what reader would give)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        actor = scheme.lower() == "bearer" and request.app.state.token_cache.remembered(token)
        if actor:
            return actor
    check = writer if write else reader
    return await check(request, await (_write_bearer if write else _bearer)(request))


#: Route parameters: the authenticated actor, with read or write scope.
Reader = Annotated[Actor, Depends(reader)]
Writer = Annotated[Actor, Depends(writer)]

"""Bearer API tokens: 401 without a valid one, 403 for a read token on a write route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

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


def authenticated(app, token: str) -> Actor | None:
    """The actor of a live API token, or None."""
    with app.state.store.session() as session:
        row = tokens.authenticate(session, token)
        return row and Actor(row.name, row.scope)


def _actor(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    checked = getattr(request.state, "actor", None)  # by the middleware, before the body
    if checked is not None:
        return checked
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "send an API token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    actor = authenticated(request.app, credentials.credentials)
    if actor is None:
        raise HTTPException(
            401,
            "the API token is not valid (unknown or revoked)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
WriteCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_write_bearer)]


def reader(request: Request, credentials: Credentials) -> Actor:
    return _actor(request, credentials)


def writer(request: Request, credentials: WriteCredentials) -> Actor:
    actor = _actor(request, credentials)
    if actor.scope != "write":
        raise HTTPException(403, f"the token {actor.name!r} is read-only; this needs a write token")
    return actor


#: Route parameters: the authenticated actor, with read or write scope.
Reader = Annotated[Actor, Depends(reader)]
Writer = Annotated[Actor, Depends(writer)]

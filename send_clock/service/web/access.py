"""Who may use a staff page, and the checks every page form goes through: one place for every
page module to reuse.

A page handler is a plain ``def`` (run in the thread pool, so password hashing and database
work never hold up the event loop) that takes :data:`Staff` or :data:`StaffWriter` (the
signed-in actor, read from the server-side session), :data:`Form` (the posted form, its CSRF
token checked, NUL refused) and :data:`CaseId` (a case number from the path;
:data:`RecordId` and :data:`FeedId` likewise). Messages for the
next page go through :func:`flash`, never the query string.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ...errors import InputError, NotFound
from ...store import sessions
from ..auth import Actor
from ..schemas import check_stored_id


class LoginRequired(Exception):
    """A staff page was asked for without a live signed-in session."""


class CsrfFailed(Exception):
    """A form came back without the session's CSRF token."""


def signed_in(request: Request) -> Actor:
    """The actor of the request's live server-side session (the cookie only names it)."""
    key = request.session.get("sid")
    if not key:
        raise LoginRequired
    with request.app.state.store.session() as session:
        row = sessions.current(session, key, lifetime(request))
        actor = row and Actor(row.name, row.scope)
    if actor is None:  # signed out, revoked, disabled or idle too long: start again
        request.session.clear()
        raise LoginRequired
    request.state.user = {"name": actor.name, "scope": actor.scope}
    return actor


def can_write(request: Request) -> Actor:
    actor = signed_in(request)
    if actor.scope != "write":
        raise HTTPException(403, f"{actor.name} has read-only access; ask for a write account")
    return actor


def lifetime(request: Request) -> sessions.Lifetime:
    settings = request.app.state.settings
    return sessions.Lifetime(
        timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_hours)
    )


def sign_in_limit(request: Request) -> sessions.Limit:
    settings = request.app.state.settings
    return sessions.Limit(settings.login_attempts, timedelta(minutes=settings.login_window_minutes))


async def checked_form(request: Request):
    """The posted form (files included) once its CSRF token matches the session's."""
    form = await request.form()
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(form.get("csrf", "")), expected):
        raise CsrfFailed
    return form


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's text fields, stripped, after the CSRF check; a NUL is refused (no
    database stores it, and nobody types one)."""
    form = {key: str(value).strip() for key, value in (await checked_form(request)).items()}
    if any("\x00" in value for value in form.values()):
        raise InputError("a field holds a NUL character; remove it and send the form again")
    return form


def page_id(case_id: str) -> int:
    """A case number from a page's path: one that no database can hold, or that is not a
    number at all (``1e3``, ``-1``), is simply not found."""
    return _page_number(case_id, "no case {}")


def page_record_id(record_id: str) -> int:
    """A record's number from a page's path (a correction or withdrawal form): text that is not
    a number is not found; a number is left to the store, whose "no current record" comes back
    by the form's field, as for a record withdrawn since the page was shown."""
    if not _is_number(record_id):
        raise NotFound(f"no current record {record_id[:40]}")
    return int(record_id)


def page_feed_id(feed_id: str) -> int:
    """A feed's number from a page's path, checked as a case's."""
    return _page_number(feed_id, "no live feed {} for this case")


def _page_number(text: str, unknown: str) -> int:
    """``text`` as a stored row's id, or the page's 404 ``unknown`` (formatted with it): taken
    as text, not ``int``, so that ``abc`` or ``1e3`` gets the team's error page rather than
    pydantic's message about parsing integers."""
    if not _is_number(text):
        raise NotFound(unknown.format(text[:40]))
    return check_stored_id(int(text), unknown)


def _is_number(text: str) -> bool:
    """Whether ``text`` is a whole number in ASCII digits (``1e3``, ``-1``, ``²`` are not)."""
    return text.isascii() and text.isdigit()


def check_id(number: int) -> None:
    """A case number no database can hold (0, beyond INTEGER) is a case not found."""
    check_stored_id(number, "no case {}")


def flash(request: Request, message: str = "", error: str = "") -> None:
    """Keep a message for the next page, in the session: never in the URL, where anyone could
    write a link that shows their own text in the site's banner."""
    request.session["flash"] = {"message": message, "error": error}


#: Handler parameters: the signed-in actor (any scope, or write), the checked form, a case,
#: feed or record id.
Staff = Annotated[Actor, Depends(signed_in)]
StaffWriter = Annotated[Actor, Depends(can_write)]
Form = Annotated[dict[str, str], Depends(posted_form)]
CaseId = Annotated[int, Depends(page_id)]
FeedId = Annotated[int, Depends(page_feed_id)]
RecordId = Annotated[int, Depends(page_record_id)]

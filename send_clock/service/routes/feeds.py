"""Calendar subscriptions: create and revoke (staff), and the public feed by token.

A feed URL carries an unguessable token (256 bits) because calendar apps cannot send headers;
only the token's hash is stored, the token is shown once, and revoking it makes the URL 404.
"""

from __future__ import annotations

import hashlib
from datetime import date
from email.utils import format_datetime

from fastapi import APIRouter, Request, Response

from ...calendars import load_calendar
from ...ical import events_feed, schedule_feed, sequences_of
from ...store import cases as store
from ...store import queries, tokens
from ...store.sequences import load_sequences, save_sequences
from ...store.stored import ensure_current
from ...timelines import load_process, project
from ..auth import Writer
from ..schemas import FeedCreated, Id

router = APIRouter(tags=["feeds"])
ICS = "text/calendar; charset=utf-8"
TEAM = "team:"  # the team feed's SEQUENCE namespace


def _created(request: Request, feed_id: int, token: str) -> dict:
    base = request.app.state.settings.public_url or str(request.base_url)
    url = f"{base.rstrip('/')}/v1/feeds/{token}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    return {"id": feed_id, "token": token, "url": url, "webcal_url": webcal}


@router.post("/cases/{case_id}/feeds", response_model=FeedCreated, status_code=201)
def create_case_feed(case_id: Id, request: Request, actor: Writer):
    """A subscription to one case's milestones, for the parent's or young person's calendar.
    The token and URL are returned only now."""
    with request.app.state.store.session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    return _created(request, row.id, token)


@router.delete("/cases/{case_id}/feeds/{feed_id}", status_code=204)
def revoke_case_feed(case_id: Id, feed_id: Id, request: Request, _actor: Writer):
    """Revoke a subscription: its URL stops working at once."""
    with request.app.state.store.session() as session:
        tokens.revoke_feed(session, feed_id, case_id)
    return Response(status_code=204)


@router.post("/feeds", response_model=FeedCreated, status_code=201)
def create_team_feed(request: Request, actor: Writer):
    """A subscription to every open deadline of every stored case, for the SEN team."""
    with request.app.state.store.session() as session:
        row, token = tokens.create_feed(session, None, actor.name)
    return _created(request, row.id, token)


@router.delete("/feeds/{feed_id}", status_code=204)
def revoke_team_feed(feed_id: Id, request: Request, _actor: Writer):
    with request.app.state.store.session() as session:
        tokens.revoke_feed(session, feed_id, None)
    return Response(status_code=204)


@router.get(
    "/feeds/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 304: {}, 404: {}},
)
def feed(token: str, request: Request):
    """The feed itself: public, by token. Honours If-None-Match; SEQUENCE rises when an event
    changes."""
    settings = request.app.state.settings
    today = date.today()
    ensure_current(request.app.state.store, today)
    with request.app.state.store.session() as session:
        row = tokens.find_feed(session, token)
        if row.case_id is not None:
            state = store.get_case(session, row.case_id)
            namespace = ""
            known = load_sequences(session, f"{state.ref}-{state.process}-")
            schedule = project(
                load_process(state.process),
                load_calendar(state.calendar),
                state.to_case(),
                as_of=today,
            )
            calendar = schedule_feed(
                schedule,
                state.ref,
                domain=settings.ical_domain,
                previous=known,
                stamp=state.updated_at,
            )
            modified = state.updated_at
        else:
            namespace = TEAM
            pairs = queries.open_schedules(session, today)  # stored: nothing is projected
            modified = queries.last_change(session) or row.created_at
            known = load_sequences(session, namespace=namespace)
            calendar = events_feed(
                pairs, domain=settings.ical_domain, previous=known, stamp=modified
            )
        body = calendar.to_ical()
        save_sequences(session, sequences_of(calendar), known, namespace)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": "private, max-age=3600",
    }
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=ICS, headers=headers)

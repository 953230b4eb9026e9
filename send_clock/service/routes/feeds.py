"""Calendar subscriptions: create and revoke (staff), the feed by token, and the public term
calendars.

A feed URL carries an unguessable token (256 bits) because calendar apps cannot send headers;
only the token's hash is stored, the token is shown once, and revoking it makes the URL answer
410 Gone, so that calendar apps stop polling it. A feed's body is a function of its case's data
(and of the day only where a status word changes), so ``ETag``, ``Last-Modified``, each event's
``DTSTAMP``/``LAST-MODIFIED`` and ``SEQUENCE`` change together, and polls of an unchanged feed
are answered 304.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from fastapi import APIRouter, Request, Response

from ... import __version__
from ...calendars import load_calendar
from ...ical import calendar_feed, schedule_feed, sequences_of
from ...ical.feed import empty_note
from ...ical.timeline import team_description
from ...ical.writer import stored_feed
from ...store import cases as store
from ...store import queries, tokens
from ...store.sequences import load_sequences, save_sequences
from ...store.stored import ensure_current
from ...timelines import load_process, project
from ..auth import Writer
from ..caching import (
    PRIVATE,
    PUBLIC,
    calendar_response,
    options_response,
    streamed_calendar_response,
)
from ..openapi import FEED_RESPONSES, TERMS_RESPONSES
from ..schemas import CaseIdPath, FeedCreated, FeedIdPath, TeamFeedIn
from .reference import bundled_calendar

router = APIRouter(tags=["feeds"])
#: Routes without a bearer token: a calendar app cannot send one.
public = APIRouter(tags=["feeds"])
TEAM_NAME = "Open SEN deadlines"
FEED = "/feeds/{token}.ics"
TERMS = "/calendars/{calendar_id}.ics"


@router.get(FEED, response_class=Response, responses=FEED_RESPONSES, operation_id="get_feed")
@router.head(FEED, response_class=Response, responses=FEED_RESPONSES, operation_id="head_feed")
def feed(token: str, request: Request):
    """The feed itself: public, by token (revoked: 410 Gone). Conditional requests
    (If-None-Match, weak comparison and ``*``; If-Modified-Since) are answered 304. The team
    feed holds the open deadlines dated in a window around today (by default from 14 days
    before to 60 days after; ``SEND_CLOCK_TEAM_FEED_DAYS_BEFORE`` and ``_AFTER``), sent
    gzip-compressed to a client that accepts it."""
    settings = request.app.state.settings
    now = datetime.now(UTC)
    ensure_current(request.app.state.store, now.date())
    with request.app.state.store.session() as session:
        row = tokens.find_feed(session, token)
        if row.case_id is None:
            team = row
        else:
            team = None
            state = store.get_case(session, row.case_id)
            namespace, changed = "", state.updated_at
            known = load_sequences(session, f"{state.ref}-{state.process}-")
            schedule = project(
                load_process(state.process),
                load_calendar(state.calendar),
                state.to_case(),
                as_of=now.date(),
            )
            calendar = schedule_feed(
                schedule, state.ref, domain=settings.ical_domain, previous=known, stamp=now
            )
            served = sequences_of(calendar)
            save_sequences(session, served, known, namespace)
    if team is not None:
        return _team_feed(request, team, now)
    modified = max([changed, *(entry[2] for entry in served.values() if entry[2])])
    return calendar_response(request, calendar.to_ical(), modified, PRIVATE)


def team_window(settings) -> tuple[int, int]:
    """How many days before today the team feed's events start, and after it they end."""
    return max(settings.team_feed_days_before, 0), max(settings.team_feed_days_after, 0)


def _team_feed(request: Request, row, now: datetime) -> Response:
    """The team feed, written from the events stored with each case (a write renders only
    its own case's events) and streamed as it is read. Its ETag is known before its body:
    the caseload's generation, the window and the settings it is written with determine
    every byte, and on PostgreSQL all of it is read from one snapshot."""
    settings = request.app.state.settings
    domain = settings.ical_domain
    before, after = team_window(settings)
    first, last = now.date() - timedelta(days=before), now.date() + timedelta(days=after)
    session = request.app.state.store.reader()
    try:
        officer = row.officer
        state = queries.team_feed_state(session, first, last, officer)
        created = row.created_at
        name = f"{TEAM_NAME}: {officer}" if officer else TEAM_NAME
        key = "\x1f".join(
            map(str, (__version__, state.generation, first, last, domain, created, name))
        )
        etag = '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'
        # the window moves at midnight: what was in the feed yesterday may be out of it now
        midnight = datetime.combine(now.date(), time(), UTC)
        modified = max(filter(None, (created, state.modified, state.changed, midnight)))
        body = stored_feed(
            name,
            team_description(state.cases, window=(before, after)),
            queries.team_feed_events(session, first, last, officer),
            domain=domain,
            placeholder=empty_note(name, created.date(), domain),
            placeholder_stamp=created,
        )
        return streamed_calendar_response(request, etag, modified, PRIVATE, body, session.close)
    except BaseException:
        session.close()
        raise


@router.options(FEED, include_in_schema=False)
def feed_options(token: str):
    return options_response()


@public.get(TERMS, response_class=Response, responses=TERMS_RESPONSES, operation_id="get_terms")
@public.head(TERMS, response_class=Response, responses=TERMS_RESPONSES, operation_id="head_terms")
def public_terms(calendar_id: str, request: Request):
    """A bundled calendar's terms, half terms, INSET days and school-closure windows, for
    schools and parents to subscribe to: no token needed (a calendar app cannot send one)."""
    return terms_response(request, calendar_id, PUBLIC)


@public.options(TERMS, include_in_schema=False)
def public_terms_options(calendar_id: str):
    return options_response()


def terms_response(request: Request, calendar_id: str, cache: str) -> Response:
    """A bundled calendar's term feed, stamped with the time its data file last changed, so
    that the same data gives the same bytes and ETag."""
    calendar = bundled_calendar(calendar_id)
    modified = _data_changed(calendar_id)
    domain = request.app.state.settings.ical_domain
    body = calendar_feed(calendar, domain=domain, stamp=modified).to_ical()
    return calendar_response(request, body, modified, cache)


def _data_changed(calendar_id: str) -> datetime:
    from ... import calendars

    data = Path(calendars.__file__).parent / "data" / f"{calendar_id}.toml"
    return datetime.fromtimestamp(int(data.stat().st_mtime), UTC)


def _created(request: Request, feed_id: int, token: str) -> dict:
    base = request.app.state.settings.public_url or str(request.base_url)
    url = f"{base.rstrip('/')}/v1/feeds/{token}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    return {"id": feed_id, "token": token, "url": url, "webcal_url": webcal}


@router.post("/cases/{case_id:int}/feeds", response_model=FeedCreated, status_code=201)
def create_case_feed(case_id: CaseIdPath, request: Request, actor: Writer):
    """A subscription to one case's milestones, for the parent's or young person's calendar.
    The token and URL are returned only now."""
    with request.app.state.store.session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    return _created(request, row.id, token)


@router.delete("/cases/{case_id:int}/feeds/{feed_id:int}", status_code=204)
def revoke_case_feed(case_id: CaseIdPath, feed_id: FeedIdPath, request: Request, _actor: Writer):
    """Revoke a subscription: its URL stops working at once."""
    with request.app.state.store.session() as session:
        tokens.revoke_feed(session, feed_id, case_id)
    return Response(status_code=204)


@router.post("/feeds", response_model=FeedCreated, status_code=201)
def create_team_feed(request: Request, actor: Writer, body: TeamFeedIn | None = None):
    """A subscription to the open deadlines of every stored case (or of one officer's
    cases), dated in a window around today, for the SEN team."""
    officer = body.officer if body else None
    with request.app.state.store.session() as session:
        row, token = tokens.create_feed(session, None, actor.name, officer)
    return _created(request, row.id, token)


@router.delete("/feeds/{feed_id:int}", status_code=204)
def revoke_team_feed(feed_id: FeedIdPath, request: Request, _actor: Writer):
    with request.app.state.store.session() as session:
        tokens.revoke_feed(session, feed_id, None)
    return Response(status_code=204)

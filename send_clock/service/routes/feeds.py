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
import zlib
from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response

from ...calendars import load_calendar
from ...ical import calendar_feed, schedule_feed, sequences_of
from ...ical.feed import empty_note
from ...ical.timeline import team_description, team_events
from ...ical.writer import feed_chunks
from ...store import cases as store
from ...store import feedcache, queries, tokens
from ...store.sequences import load_sequences, save_sequences
from ...store.stored import ensure_current
from ...timelines import load_process, project
from ..auth import Writer
from ..caching import (
    PRIVATE,
    PUBLIC,
    calendar_response,
    options_response,
    stored_calendar_response,
)
from ..openapi import FEED_RESPONSES, TERMS_RESPONSES
from ..schemas import FeedCreated, Id
from .reference import bundled_calendar

router = APIRouter(tags=["feeds"])
#: Routes without a bearer token: a calendar app cannot send one.
public = APIRouter(tags=["feeds"])
TEAM = "team:"  # the team feed's SEQUENCE namespace
TEAM_NAME = "Open SEN deadlines"
FEED = "/feeds/{token}.ics"
TERMS = "/calendars/{calendar_id}.ics"


@router.get(FEED, response_class=Response, responses=FEED_RESPONSES, operation_id="get_feed")
@router.head(FEED, response_class=Response, responses=FEED_RESPONSES, operation_id="head_feed")
def feed(token: str, request: Request):
    """The feed itself: public, by token (revoked: 410 Gone). Conditional requests
    (If-None-Match, weak comparison and ``*``; If-Modified-Since) are answered 304."""
    settings = request.app.state.settings
    now = datetime.now(UTC)
    ensure_current(request.app.state.store, now.date())
    with request.app.state.store.session() as session:
        row = tokens.find_feed(session, token)
        if row.case_id is not None:
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
        else:
            return _team_feed(request, session, row, now)
        served = sequences_of(calendar)
        save_sequences(session, served, known, namespace)
    modified = max([changed, *(entry[2] for entry in served.values() if entry[2])])
    return calendar_response(request, calendar.to_ical(), modified, PRIVATE)


def _team_feed(request: Request, session, row, now: datetime) -> Response:
    """The team feed: served from its stored copy while the cases and the day are as they were
    when it was built (a conditional request then costs two small queries), else built again
    from the stored rows and stored for every worker."""
    domain = request.app.state.settings.ical_domain
    key = feedcache.feed_key(session, now.date(), domain, row.created_at.date().isoformat())
    entry = feedcache.cached(session, row.id)
    if entry is None or entry.key != key:
        entry = _build_team_feed(session, row, now, key, domain)
    return stored_calendar_response(
        request,
        entry.etag,
        entry.modified,
        PRIVATE,
        (entry.size, entry.gzip_size),
        lambda: feedcache.cached_body(session, row.id),
    )


def _build_team_feed(session, row, now: datetime, key: str, domain: str):
    """Write the team feed from the stored rows (each event as text, see
    :mod:`send_clock.ical.writer`), hashing and compressing it as it is written; load the
    SEQUENCEs in one query and save the changed ones in one statement."""
    known = load_sequences(session, namespace=TEAM)
    served: dict = {}
    chunks = feed_chunks(
        TEAM_NAME,
        team_description(queries.open_case_count(session)),
        team_events(queries.open_schedules(session, now.date()), domain=domain),
        served=served,
        stamp=now,
        previous=known,
        placeholder=empty_note(TEAM_NAME, row.created_at.date(), domain),
    )
    digest, packer, size, packed = hashlib.sha256(), zlib.compressobj(6, zlib.DEFLATED, 31), 0, []
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        packed.append(packer.compress(chunk))
    packed.append(packer.flush())
    save_sequences(session, served, known, TEAM)
    changed = queries.last_change(session) or row.created_at
    body = b"".join(packed)
    entry = feedcache.CachedFeed(
        key,
        '"' + digest.hexdigest()[:32] + '"',  # as etag_of(body) would say
        max([changed, *(state[2] for state in served.values())]),
        size,
        len(body),
    )
    feedcache.keep(session, row.id, entry, body)
    return entry


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
def create_case_feed(case_id: Id, request: Request, actor: Writer):
    """A subscription to one case's milestones, for the parent's or young person's calendar.
    The token and URL are returned only now."""
    with request.app.state.store.session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    return _created(request, row.id, token)


@router.delete("/cases/{case_id:int}/feeds/{feed_id:int}", status_code=204)
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


@router.delete("/feeds/{feed_id:int}", status_code=204)
def revoke_team_feed(feed_id: Id, request: Request, _actor: Writer):
    with request.app.state.store.session() as session:
        tokens.revoke_feed(session, feed_id, None)
    return Response(status_code=204)

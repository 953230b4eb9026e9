"""Stateless routes: calendars, processes, date arithmetic, timelines."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from ...calendars import bundled_calendars, load_calendar
from ...calendars.export import calendar_summary, calendar_to_dict
from ...errors import SendClockError
from ...timelines import Case, bundled_processes, parse_exceptions
from ...timelines.describe import process_to_dict
from ...timelines.schedule import project_to_dict
from .. import known
from ..auth import reader, request_actor
from ..direct import DirectRoute, JSONOut, body_of
from ..schemas import (
    CalendarOut,
    CalendarSummary,
    DateAddIn,
    DateAddOut,
    ProcessOut,
    TimelineIn,
    TimelineOut,
)

router = APIRouter(dependencies=[Depends(reader)])


def bundled_calendar(calendar_id: str):
    """Only bundled calendars by id over HTTP: a path on the server's disk is not an id."""
    return known.calendar(calendar_id)


def case_calendar(request: Request, process, named: str | None) -> str:
    """The calendar of a case: the bundled one it names; else the deployment's default
    (``SEND_CLOCK_DEFAULT_CALENDAR``) where the process's own default has no term dates; else
    the process's own."""
    if named:
        return bundled_calendar(named).id
    fallback = request.app.state.settings.default_calendar
    if fallback and not load_calendar(process.default_calendar).has_terms:
        return fallback
    return process.default_calendar


def bundled_process(process_id: str):
    return known.process(process_id)


@router.get("/calendars", response_model=list[CalendarSummary], tags=["calendars"])
def list_calendars():
    """The bundled calendars: coverage of their term dates and how they were sourced."""
    return [calendar_summary(c) for c in bundled_calendars()]


@router.get(
    "/calendars/{calendar_id}.ics",
    tags=["calendars"],
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, 304: {}},
)
def calendar_ics(calendar_id: str, request: Request):
    """Terms, half terms, INSET days and school-closure windows as iCalendar events (also
    public, without a token, at ``/calendars/{calendar_id}.ics``)."""
    from ..caching import PRIVATE
    from .feeds import terms_response

    return terms_response(request, calendar_id, PRIVATE)


@router.get("/calendars/{calendar_id}", response_model=CalendarOut, tags=["calendars"])
def get_calendar(calendar_id: str):
    return calendar_to_dict(bundled_calendar(calendar_id))


@router.get("/processes", response_model=list[ProcessOut], tags=["processes"])
def list_processes():
    """The statutory processes, their milestones, rules' legal bases and branches."""
    return [process_to_dict(p) for p in bundled_processes()]


@router.post("/date/add", response_model=DateAddOut, tags=["arithmetic"])
def date_add(body: DateAddIn):
    """The date ``amount`` units after ``start`` in a calendar (units: days, weeks, months,
    working-days, term-weeks, school-days)."""
    calendar = bundled_calendar(body.calendar)
    result = calendar.add(body.start, body.amount, body.unit)
    from ...calendars import parse_unit

    return {
        "start": body.start,
        "amount": body.amount,
        "unit": parse_unit(body.unit),
        "calendar": calendar.id,
        "result": result,
    }


@router.post("/timelines/{process_id}", response_model=TimelineOut, tags=["timelines"])
def timeline(process_id: str, body: TimelineIn, request: Request):
    """Project every milestone of a process for one case, as ``send-clock timeline`` does."""
    return timeline_of(process_id, body, request)


def timeline_of(process_id: str, body: TimelineIn, request: Request) -> dict:
    process = bundled_process(process_id)
    calendar = load_calendar(case_calendar(request, process, body.calendar))
    case = Case(
        received=body.received,
        events=body.events,
        outcomes=body.outcomes,
        exceptions=parse_exceptions(body.exceptions, process),
        params=body.params,
    )
    return project_to_dict(process, calendar, case, as_of=body.as_of)


# Written as it is (see JSONOut): project_to_dict makes the model's fields in its order with
# the values it would dump; tests/service/test_direct.py and test_timeline_answer.py compare the
# answers with the declared route's, which validates them.
_TIMELINE_OUT = JSONOut(TimelineOut, validated=False)


#: Bodies up to this size are projected on the event loop; a larger one (thousands of recorded
#: exceptions, say) in the thread pool, so that it cannot hold up the worker's other requests.
ON_THE_LOOP_BYTES = 8192


async def timeline_direct(request: Request) -> Response:
    """:func:`timeline` for a well-formed request (see :mod:`..direct`). On the event loop: one
    case's projection (a fraction of a millisecond) costs less than a trip to the thread
    pool."""
    await request_actor(request)
    raw = await request.body()
    body = body_of(raw, request.headers.get("content-type"), TimelineIn)
    process_id = request.path_params["process_id"]
    if len(raw) <= ON_THE_LOOP_BYTES:
        found = timeline_of(process_id, body, request)
    else:
        found = await run_in_threadpool(timeline_of, process_id, body, request)
    return _TIMELINE_OUT.response(found)


#: The routes answered directly (the declared ones above stay the contract).
direct: list[BaseRoute] = [
    DirectRoute("/v1/timelines/{process_id}", timeline_direct, ["POST"], "timeline"),
]

__all__ = ["router", "direct", "SendClockError"]

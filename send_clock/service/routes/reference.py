"""Stateless routes: calendars, processes, date arithmetic, timelines."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from ...calendars import bundled_calendars
from ...calendars.export import calendar_summary, calendar_to_dict
from ...errors import SendClockError
from ...timelines import Case, bundled_processes, parse_exceptions, project
from ...timelines.describe import process_to_dict
from .. import known
from ..auth import reader
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
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar_ics(calendar_id: str, request: Request):
    """Terms, half terms, INSET days and school-closure windows as iCalendar events."""
    from ...ical import calendar_feed

    domain = request.app.state.settings.ical_domain
    body = calendar_feed(bundled_calendar(calendar_id), domain=domain).to_ical()
    return Response(body, media_type="text/calendar; charset=utf-8")


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
def timeline(process_id: str, body: TimelineIn):
    """Project every milestone of a process for one case, as ``send-clock timeline`` does."""
    process = bundled_process(process_id)
    calendar = bundled_calendar(body.calendar or process.default_calendar)
    case = Case(
        received=body.received,
        events=body.events,
        outcomes=body.outcomes,
        exceptions=parse_exceptions(body.exceptions, process),
        params=body.params,
    )
    return project(process, calendar, case, as_of=body.as_of).to_dict()


__all__ = ["router", "SendClockError"]

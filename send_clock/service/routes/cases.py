"""Cases: create, read, list, record what happened, correct, withdraw, history, timeline."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from ...calendars import load_calendar
from ...errors import StaleVersion
from ...store import cases as store
from ...store import queries
from ...store.stored import ensure_current
from ...timelines import RecordedException, load_process, project
from ..auth import Reader, Writer, request_actor
from ..direct import (
    DirectRoute,
    HandOn,
    JSONOut,
    body_of,
    in_short_thread,
    query_model,
    query_of,
)
from ..problems import PreconditionRequired
from ..schemas import (
    MAX_ID,
    CaseIdPath,
    CaseIn,
    CaseList,
    CaseOut,
    CorrectionIn,
    EventIn,
    ExceptionIn,
    HistoryOut,
    IsoDate,
    OfficerName,
    OutcomeIn,
    ParamIn,
    ProcessId,
    RecordIdPath,
    Status,
    TimelineOut,
    WithdrawalIn,
)
from .reference import bundled_process, case_calendar

router = APIRouter(prefix="/cases", tags=["cases"])

_ETAG = re.compile(r'^(?:W/)?"(\d+)-(\d+)"$')
IfMatch = Annotated[
    str | None,
    Header(
        description='The ETag of the case as last read, e.g. "12-3" (required: without it, '
        "428; a stale one gives 412).",
        pattern=r'^\s*(W/)?"\d+-\d+"\s*$',
    ),
]


def expected_version(case_id: int, if_match: str | None) -> int:
    """The case version the client based its change on, from ``If-Match``."""
    if not if_match:
        raise PreconditionRequired(
            "send If-Match with the ETag of the case as you last read it, so that a change "
            "made meanwhile by someone else is not overwritten"
        )
    match = _ETAG.match(if_match.strip())
    if not match or int(match[1]) != case_id:
        raise StaleVersion(
            f"If-Match {if_match} is not an ETag of case {case_id}; read the "
            "case again and use its ETag"
        )
    return int(match[2])


def _case_response(response: Response, state: store.CaseState) -> dict:
    response.headers["ETag"] = state.etag
    return state.to_dict()


def _store(request: Request):
    return request.app.state.store


@router.post("", response_model=CaseOut, status_code=201)
def create_case(body: CaseIn, request: Request, response: Response, actor: Writer):
    """Open a case: a reference (never a name), the process, the calendar, the received date."""
    state = _created(request, body, actor)
    response.headers["Location"] = f"/v1/cases/{state.id}"
    return _case_response(response, state)


def _created(request: Request, body: CaseIn, actor) -> store.CaseState:
    calendar = case_calendar(request, bundled_process(body.process), body.calendar)
    with _store(request).session() as session:
        return store.create_case(
            session, body.ref, body.process, calendar, body.received, body.officer, actor.name
        )


@router.get("", response_model=CaseList)
def list_cases(
    request: Request,
    _actor: Reader,
    status: Annotated[
        Status | None, Query(description="Cases with a milestone in this status")
    ] = None,
    due_before: Annotated[
        IsoDate | None, Query(description="With an open milestone due before")
    ] = None,
    process: ProcessId | None = None,
    officer: OfficerName | None = None,
    as_of: Annotated[
        IsoDate | None,
        Query(description="Another day than today projects every case: slow at scale"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_ID, description="The `next` of the previous page: the cases after"),
    ] = None,
    offset: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Prefer `after`, which stays fast")
    ] = 0,
):
    """Cases with their next deadline, filtered and paginated (oldest first), from the stored
    statuses as of today. Page with `after` (the previous page's `next`)."""
    filters = queries.CaseFilters(status, officer, process, due_before)
    return _listing(request, filters, as_of, limit, after, offset)


def _listing(
    request: Request,
    filters: queries.CaseFilters,
    as_of: date | None,
    limit: int,
    after: int | None,
    offset: int,
) -> dict:
    today = date.today()
    store = _store(request)
    if as_of is not None and as_of != today:  # projected for that day: the whole caseload
        with store.session() as session:
            page, total = queries.list_cases_as_of(session, filters, as_of, after, limit, offset)
    else:
        ensure_current(store, today)
        with store.read_connection() as connection:  # one statement a page (a count at times)
            page, total = queries.page_of_cases(
                connection, filters, store.remembered, after=after, offset=offset, limit=limit
            )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": page[-1]["id"] if len(page) == limit else None,
        "cases": page,
    }


@router.get("/{case_id:int}", response_model=CaseOut)
def get_case(case_id: CaseIdPath, request: Request, response: Response, _actor: Reader):
    """The case and its current records; the ETag header is what an update must send back."""
    return _case_response(response, _read(request, case_id))


def _read(request: Request, case_id: int) -> store.CaseState:
    with _store(request).read_connection() as connection:  # one statement: no transaction
        return store.read_case(connection, case_id)


@router.get("/{case_id:int}/history", response_model=HistoryOut)
def case_history(case_id: CaseIdPath, request: Request, _actor: Reader):
    """Every record ever made on the case, corrections and withdrawals included: who, when,
    what."""
    with _store(request).session() as session:
        store.get_case(session, case_id)
        return {"case": case_id, "records": [r.to_dict() for r in store.history(session, case_id)]}


@router.get("/{case_id:int}/timeline", response_model=TimelineOut)
def case_timeline(
    case_id: CaseIdPath,
    request: Request,
    response: Response,
    _actor: Reader,
    as_of: IsoDate | None = None,
):
    """The case's timeline projected now (or as of a date); the ETag header is the case's, for
    an update to send back as If-Match."""
    with _store(request).session() as session:
        state = store.get_case(session, case_id)
    response.headers["ETag"] = state.etag
    schedule = project(
        load_process(state.process), load_calendar(state.calendar), state.to_case(), as_of=as_of
    )
    return schedule.to_dict()


def _record(
    request: Request,
    response: Response,
    case_id: CaseIdPath,
    if_match: str | None,
    field: str,
    key: str,
    value: str,
    actor,
) -> dict:
    expected = expected_version(case_id, if_match)
    with _store(request).session() as session:
        state = store.record(session, case_id, expected, field, key, value, actor.name)
    return _case_response(response, state)


@router.post("/{case_id:int}/events", response_model=CaseOut, status_code=201)
def record_event(
    case_id: CaseIdPath,
    body: EventIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Record the actual date of a milestone (or a case date such as school_asked)."""
    return _record(
        request, response, case_id, if_match, "event", body.milestone, body.date.isoformat(), actor
    )


@router.post("/{case_id:int}/outcomes", response_model=CaseOut, status_code=201)
def record_outcome(
    case_id: CaseIdPath,
    body: OutcomeIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Record an outcome, e.g. decision=refused or outcome=no_plan."""
    return _record(request, response, case_id, if_match, "outcome", body.branch, body.value, actor)


@router.post("/{case_id:int}/params", response_model=CaseOut, status_code=201)
def record_param(
    case_id: CaseIdPath,
    body: ParamIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Record a case parameter, e.g. transfer_year=2027."""
    return _record(request, response, case_id, if_match, "param", body.name, str(body.value), actor)


@router.post("/{case_id:int}/exceptions", response_model=CaseOut, status_code=201)
def record_exception(
    case_id: CaseIdPath,
    body: ExceptionIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Record an exception the regulations allow (e.g. absence from the area, with dates)."""
    exception = RecordedException(body.kind, body.start, body.end, body.milestone)
    text = str(RecordedException.parse(str(exception)))  # the same checks as the CLI's
    return _record(request, response, case_id, if_match, "exception", body.kind, text, actor)


@router.post(
    "/{case_id:int}/records/{record_id:int}/correction", response_model=CaseOut, status_code=201
)
def correct_record(
    case_id: CaseIdPath,
    record_id: RecordIdPath,
    body: CorrectionIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Correct a record: a new record replaces it; the old one stays in the history."""
    expected = expected_version(case_id, if_match)
    with _store(request).session() as session:
        state = store.correct(
            session, case_id, expected, record_id, body.value, body.reason, actor.name
        )
    return _case_response(response, state)


@router.post(
    "/{case_id:int}/records/{record_id:int}/withdrawal", response_model=CaseOut, status_code=201
)
def withdraw_record(
    case_id: CaseIdPath,
    record_id: RecordIdPath,
    body: WithdrawalIn,
    request: Request,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
):
    """Withdraw a record recorded in error; the history keeps both."""
    expected = expected_version(case_id, if_match)
    with _store(request).session() as session:
        state = store.withdraw(session, case_id, expected, record_id, body.reason, actor.name)
    return _case_response(response, state)


# -- the busiest three answered directly (see ..direct; the routes above stay the contract) ------
_CASE_OUT = JSONOut(CaseOut)
# The reads' dicts are written as they are (see JSONOut): store.CaseState.to_dict and
# queries._summary make them in the models' field order, with JSON's values.
_CASE_READ = JSONOut(CaseOut, validated=False)
_CASE_LIST = JSONOut(CaseList, validated=False)
_LIST_QUERY = query_model(list_cases)


async def create_case_direct(request: Request) -> Response:
    """:func:`create_case` for a well-formed request."""
    actor = await request_actor(request, write=True)
    body = body_of(await request.body(), request.headers.get("content-type"), CaseIn)
    state = await run_in_threadpool(_created, request, body, actor)
    headers = {"Location": f"/v1/cases/{state.id}", "ETag": state.etag}
    return _CASE_OUT.response(state.to_dict(), 201, headers)


async def get_case_direct(request: Request) -> Response:
    """:func:`get_case` for a well-formed request."""
    await request_actor(request)
    case_id = request.path_params["case_id"]
    if not 1 <= case_id <= MAX_ID:  # the declared route's 404
        raise HandOn
    state = await in_short_thread(request, _read, request, case_id)
    return _CASE_READ.response(state.to_dict(), headers={"ETag": state.etag})


async def list_cases_direct(request: Request) -> Response:
    """:func:`list_cases` for a well-formed request of today's list (another day's, which
    projects the whole caseload, is left to the declared route)."""
    await request_actor(request)
    query = query_of(request, _LIST_QUERY)
    if query.as_of is not None:
        raise HandOn
    filters = queries.CaseFilters(query.status, query.officer, query.process, query.due_before)
    found = await in_short_thread(
        request, _listing, request, filters, None, query.limit, query.after, query.offset
    )
    return _CASE_LIST.response(found)


direct: list[BaseRoute] = [
    DirectRoute("/v1/cases", create_case_direct, ["POST"], "create_case"),
    DirectRoute("/v1/cases", list_cases_direct, ["GET"], "list_cases"),
    DirectRoute("/v1/cases/{case_id:int}", get_case_direct, ["GET"], "get_case"),
]

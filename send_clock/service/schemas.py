"""Typed request and response bodies: the OpenAPI contract of ``/v1``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from ..calendars import UNITS, bundled_calendars
from ..errors import InputError, NotFound
from ..ical import check_reference
from ..officers import OFFICER_LENGTH, officer_problem
from ..timelines import bundled_processes
from ..timelines.model import EXCEPTION_KINDS
from ..timelines.projector import STATUSES

#: A milestone's status: the projector's list, one place.
Status = Literal[STATUSES]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value):
    """Only ``YYYY-MM-DD`` text (or a date) is a date here: not a number of seconds."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date must be written YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("a date must be written YYYY-MM-DD, not as a number")
    return value


#: A date in a body or a query: ISO 8601 ``YYYY-MM-DD`` only, as the contract says.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _not_bool(value):
    if isinstance(value, bool):
        raise ValueError("a whole number is needed, not true or false")
    return value


#: An integer that is not ``true`` or ``false`` (JSON booleans are not numbers).
WholeNumber = Annotated[int, BeforeValidator(_not_bool)]


def _one_of(values) -> type:
    """A ``Literal`` of ``values``, sorted: an enum in the contract, checked by the server."""
    return Literal[tuple(sorted(set(values)))]


_PROCESSES = bundled_processes()
ProcessId = _one_of(p.id for p in _PROCESSES)
CalendarId = _one_of(c.id for c in bundled_calendars())
Unit = _one_of(UNITS)
ExceptionKind = _one_of(EXCEPTION_KINDS)
#: Milestone ids and case dates of every bundled process (the case's own process decides).
DateKey = _one_of(key for p in _PROCESSES for key in (*p.ids, *p.dates))
Branch = _one_of(branch for p in _PROCESSES for branch in p.branches)
BranchValue = _one_of(value for p in _PROCESSES for b in p.branches.values() for value in b.values)
ParamName = _one_of(name for p in _PROCESSES for name in p.params)

#: A case reference, as it stands in event UIDs: never a name (no spaces).
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$"


def _reference(value: str) -> str:
    """The library's check and message ("... never a name") for the contract's pattern."""
    try:
        return check_reference(value)
    except InputError as error:
        raise ValueError(str(error)) from None


def _officer(value: str | None) -> str | None:
    """The library's check and message (no control character) for an officer's name."""
    problem = officer_problem(value)
    if problem:
        raise ValueError(problem)
    return value


#: An officer's name to look for (a query's filter): refused as a case's officer is, with the
#: same message, as no stored case can hold it.
OfficerName = Annotated[str, AfterValidator(_officer)]


#: The largest row id both databases store (INTEGER).
MAX_ID = 2_147_483_647


def check_stored_id(number: int, unknown: str) -> int:
    """``number``, or the 404 ``unknown`` (formatted with it) if no row can have it (0, or
    beyond INTEGER): never sent to a database that could not hold it."""
    if not 1 <= number <= MAX_ID:
        raise NotFound(unknown.format(number))
    return number


def stored_id(name: str, unknown: str):
    """The path parameter ``name``, a stored row's id, as a dependency: any whole number is
    taken (the contract sets no bound), and one no row can have (0, or beyond INTEGER) is the
    404 an unknown id gets (``unknown``, formatted with the number), never sent to a database
    that could not hold it."""

    # (a default, not Annotated: annotations are strings here, and ``name`` is not a global)
    def checked(number: int = Path(alias=name, description=_ID_TEXT)) -> int:
        return check_stored_id(number, unknown)

    checked.__name__ = f"stored_{name}"
    return Annotated[int, Depends(checked)]


_ID_TEXT = "A stored row's id; an id no row has, however large, is 404"
CaseIdPath = stored_id("case_id", "no case {}")
RecordIdPath = stored_id("record_id", "no current record {}")
FeedIdPath = stored_id("feed_id", "no live feed {} for this case")
JobIdPath = stored_id("job_id", "no job {}")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data):
        """A NUL character anywhere in a request body is bad input (PostgreSQL cannot store it,
        and no text a case officer types holds one)."""
        if _holds_nul(data):
            raise ValueError("a text value holds a NUL character (\\u0000); remove it")
        return data


# -- calendars and processes ------------------------------------------------------------------
class CalendarSummary(BaseModel):
    id: str
    name: str
    jurisdiction: str
    coverage_from: date | None
    coverage_to: date | None
    status: str


class TermOut(BaseModel):
    name: str
    start: date
    end: date
    half_term: list[date] | None
    inset: list[date]
    closures: list[date]


class YearOut(BaseModel):
    year: str
    source: str
    status: str
    terms: list[TermOut]


class ClosureOut(BaseModel):
    kind: str
    after_term: str
    start: date
    end: date
    reopens: date
    days: int


class WindowOut(BaseModel):
    closure_start: date
    reopens: date
    closure_days: int
    window_start: date
    window_end: date
    after_term: str


class CalendarOut(CalendarSummary):
    origin: str
    notes: str
    years: list[YearOut]
    closures: list[ClosureOut]
    closure_windows: list[WindowOut]
    bank_holidays: list[date]


class BranchOut(BaseModel):
    title: str
    values: list[str]
    assumed: str


class RevisionDef(BaseModel):
    in_force_from: date = Field(description="Cases begun on or after this date use this rule")
    rule: str
    lead: str | None
    basis: str


class MilestoneDef(BaseModel):
    id: str
    title: str
    description: str
    kind: Literal["statutory", "practice"]
    rule: str = Field(description="The due rule in words, e.g. request_received + 20 weeks")
    target: str | None
    earliest: str | None
    lead: str | None = Field(description="Predecessor and least time after it, for projection")
    when: list[str]
    excused_by: dict[str, str] = Field(description="Exception kind → its legal basis")
    basis: str
    in_force_from: date | None = Field(
        None, description="The milestone applies to cases begun on or after this date"
    )
    in_force_until: date | None = Field(
        None, description="The milestone applies to cases begun before this date"
    )
    revisions: list[RevisionDef] = Field(
        default_factory=list, description="Later rules, each for cases begun from its date"
    )


class ProcessOut(BaseModel):
    id: str
    title: str
    jurisdiction: str
    description: str
    basis: str
    start: str
    start_label: str
    default_calendar: str
    extends: str | None
    branches: dict[str, BranchOut]
    case_dates: dict[str, str]
    params: dict[str, str]
    milestones: list[MilestoneDef]


# -- arithmetic and timelines -----------------------------------------------------------------
class DateAddIn(Strict):
    start: IsoDate
    amount: WholeNumber = Field(ge=-10_000, le=10_000)
    unit: Unit
    calendar: CalendarId = "england-and-wales"


class DateAddOut(BaseModel):
    start: date
    amount: int
    unit: str
    calendar: str
    result: date


class TimelineIn(Strict):
    received: IsoDate = Field(description="The start date: request received, plan issued...")
    calendar: CalendarId | None = Field(None, description="Calendar id; default: the process's own")
    events: dict[DateKey, IsoDate] = Field(
        default_factory=dict, description="Actual dates: milestone id (or case date) → date"
    )
    outcomes: dict[Branch, BranchValue] = Field(default_factory=dict, description="branch → value")
    exceptions: list[str] = Field(default_factory=list, description="kind[:FROM..TO][@milestone]")
    params: dict[ParamName, WholeNumber] = Field(default_factory=dict)
    as_of: IsoDate | None = None


class Window(BaseModel):
    start: date
    end: date


class ExceptionOut(BaseModel):
    kind: str
    source: Literal["calendar", "recorded"]
    basis: str
    window: Window | None


class MilestoneOut(BaseModel):
    id: str
    title: str
    kind: Literal["statutory", "practice"]
    due: date | None
    target: date | None
    earliest: date | None
    projected: date | None
    actual: date | None
    status: Status
    days_late: int | None
    basis: str
    conditional: bool
    excusal: Literal["recorded", "detected"] | None = Field(
        description="How an excused milestone was excused: an exception the authority recorded, "
        "or a school-closure window send-clock detected in the term dates"
    )
    exceptions: list[ExceptionOut]


class TimelineOut(BaseModel):
    process: str
    calendar: str
    received: date
    as_of: date
    outcomes: dict[str, str | None]
    milestones: list[MilestoneOut]
    warnings: list[str] = Field(
        description="Among them: that the school-closure exception could not be checked (no "
        "term dates for the dates tested)"
    )


# -- cases --------------------------------------------------------------------------------------
class CaseIn(Strict):
    ref: Annotated[str, AfterValidator(_reference)] = Field(
        min_length=1,
        max_length=100,
        json_schema_extra={"pattern": REFERENCE_PATTERN},
        description="The council's case reference; never a child's name (letters, digits and "
        ". _ / : - only, as it names the case's calendar events)",
    )
    process: ProcessId
    calendar: CalendarId | None = None
    received: IsoDate
    officer: Annotated[str | None, AfterValidator(_officer)] = Field(
        None,
        max_length=OFFICER_LENGTH,
        description="The case officer's name: plain text on one line (a control character, "
        "the tab and line breaks among them, is refused)",
    )


class RecordOut(BaseModel):
    id: int
    action: Literal["set", "add", "correct", "withdraw"]
    field: Literal["event", "outcome", "param", "exception"]
    key: str
    value: str | None
    corrects: int | None
    reason: str | None
    actor: str
    recorded_at: str


class CaseOut(BaseModel):
    id: int
    ref: str
    process: str
    calendar: str
    received: date
    officer: str | None
    version: int
    created_at: str
    updated_at: str
    records: list[RecordOut]


class NextDue(BaseModel):
    milestone: str
    title: str
    due: date
    projected: date | None
    status: Status


class CaseSummaryOut(BaseModel):
    id: int
    ref: str
    process: str
    calendar: str
    received: date
    officer: str | None
    version: int
    statuses: dict[str, int]
    next_due: NextDue | None
    error: str | None = Field(
        None, description="Why the case cannot be projected now (e.g. out of calendar coverage)"
    )


class CaseList(BaseModel):
    total: int = Field(
        description="How many cases match: exact on a first page; on a later page (`after`) "
        "it may be the count made for an earlier page up to 60 s before, when cases changed "
        "meanwhile (counting every matching case again on each page would cost each page a "
        "read of all of them)"
    )
    limit: int
    offset: int
    next: int | None = Field(
        None, description="Pass as `after` for the next page; null on the last page"
    )
    cases: list[CaseSummaryOut]


class EventIn(Strict):
    milestone: DateKey = Field(
        description="A milestone id, or a case date such as school_asked, of the case's process"
    )
    date: IsoDate


class OutcomeIn(Strict):
    branch: Branch = Field(description="A branch of the case's process, e.g. decision")
    value: BranchValue = Field(description="One of the branch's values, e.g. refused")


class ParamIn(Strict):
    name: ParamName = Field(description="A parameter of the case's process")
    value: WholeNumber = Field(ge=-1_000_000, le=1_000_000)


class ExceptionIn(Strict):
    kind: ExceptionKind
    start: IsoDate | None = Field(None, alias="from")
    end: IsoDate | None = Field(None, alias="to")
    milestone: DateKey | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CorrectionIn(Strict):
    value: str = Field(description="The corrected value (a date for an event)")
    reason: str | None = Field(None, max_length=500)


class WithdrawalIn(Strict):
    reason: str | None = Field(None, max_length=500)


class HistoryOut(BaseModel):
    case: int
    records: list[RecordOut]


# -- feeds ----------------------------------------------------------------------------------------
class FeedCreated(BaseModel):
    id: int
    token: str = Field(description="Shown once: only its hash is stored")
    url: str
    webcal_url: str


class TeamFeedIn(Strict):
    """What a team feed covers: every case, or one officer's."""

    # Refused as a case's officer is (a control character, a change of direction, an invisible
    # character): no stored case can match it, and it would go into the feed's name.
    officer: Annotated[str | None, AfterValidator(_officer)] = Field(
        None,
        min_length=1,
        max_length=OFFICER_LENGTH,
        description="Only this officer's cases (as named on them): a feed small enough for "
        "any calendar app, where a large team's is not (a control character is refused, as "
        "in a case's officer)",
    )


class ImportIn(Strict):
    """A caseload CSV sent as JSON, for clients that cannot send ``text/csv``."""

    csv: str = Field(description="The CSV text, header row first (the format of breaches)")


class ImportResult(BaseModel):
    imported: int
    case_ids: list[int]
    warnings: list[str]


class JobError(BaseModel):
    line: int | None
    case_id: str | None
    message: str


class JobOut(BaseModel):
    id: int
    kind: str
    state: Literal["queued", "running", "succeeded", "failed"]
    rows_total: int | None = Field(description="Rows in the upload, once read")
    rows_done: int
    errors: list[JobError] = Field(description="The rows refused (nothing was stored)")
    result: ImportResult | None
    message: str | None
    created_at: datetime
    finished_at: datetime | None


# -- the breach report ---------------------------------------------------------------------------
class Worklist(BaseModel):
    """One entry of a worklist: a milestone of a case, in the report's order."""

    case_id: str = Field(description="The case's reference")
    milestone: str
    due: date
    days: int = Field(description="Days overdue (overdue), or days left (due_soon)")
    status: Status


WorklistName = Literal["overdue", "due_soon"]
#: a worklist page's cursor: URL-safe base64, as the report gave it
Cursor = Annotated[
    str,
    Query(
        min_length=1,
        max_length=400,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next` of the previous page (or the summary's `overdue_next`, "
        "`due_soon_next`): the entries after it",
    ),
]


class WorklistPage(BaseModel):
    """A page of one of the breach report's worklists, most urgent first."""

    as_of: date
    worklist: WorklistName
    limit: int
    entries: list[Worklist]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page")


class Figures(BaseModel):
    """The DfE-style measures; percentages to one decimal, ``null`` when nothing to divide by."""

    cases: int
    final_plans_issued: int
    final_plans_within_20_weeks: int
    final_plans_within_20_weeks_pct: float | None
    final_plans_issued_excluding_exceptions: int
    final_plans_within_20_weeks_excluding_exceptions: int
    final_plans_within_20_weeks_excluding_exceptions_pct: float | None
    final_plans_issued_excluding_recorded_and_detected: int
    final_plans_within_20_weeks_excluding_recorded_and_detected: int
    final_plans_within_20_weeks_excluding_recorded_and_detected_pct: float | None
    decisions_made: int
    decisions_within_6_weeks: int
    decisions_within_6_weeks_pct: float | None
    average_weeks_to_final_plan: float | None


class MonthFigures(Figures):
    month: str = Field(description="The month the requests were received, YYYY-MM")


class BreachSummary(Figures):
    as_of: date
    status_counts: dict[str, dict[str, int]] = Field(description="milestone → status → count")
    open_cases: int
    open_cases_by_status: dict[str, int]
    overdue_count: int = Field(description="Overdue milestones of open cases, all of them")
    overdue: list[Worklist] = Field(
        description="The first page of the overdue worklist, most days overdue first (at most "
        "`limit` entries): `overdue_next` continues it"
    )
    overdue_next: str | None = Field(
        description="Pass as `after` to `GET /v1/reports/breaches/overdue` for the next page; "
        "null when `overdue` holds the whole worklist (or `limit` is 0: page from the start, "
        "without `after`). `GET /v1/reports/breaches/overdue.csv` "
        "downloads all of it"
    )
    due_soon_count: int = Field(description="Milestones due in the next 14 days, all of them")
    due_soon: list[Worklist] = Field(
        description="The first page of the due-soon worklist, soonest first (at most `limit`)"
    )
    due_soon_next: str | None = Field(
        description="Pass as `after` to `GET /v1/reports/breaches/due_soon` for the next page; "
        "null when `due_soon` holds the whole worklist"
    )
    by_month: list[MonthFigures]
    rows_rejected: int
    closure_checks_skipped: int = Field(
        description="Cases where the school-closure exception could not be checked: no term "
        "dates for the dates tested (set SEND_CLOCK_DEFAULT_CALENDAR to the council's own)"
    )
    method: str = Field(description="How the 20-week figures are counted")

"""The SEN team's web pages: sign in, caseload dashboard with its charts and worklists by case,
the case list and search, the case page with its timeline chart and forms, uploading a caseload,
the subscribe box, the request calendar. Server-rendered (Jinja2), no build step, no script (no
inline script ever: the pages hold under a strict Content-Security-Policy); every form carries a
CSRF token tied to the signed session cookie. A form that fails comes back with what was typed
and the reason next to the field."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ...calendars import bundled_calendars, load_calendar
from ...dates import full_date, parse_date
from ...errors import InputError, NotFound, SendClockError, StaleVersion
from ...ical import check_reference
from ...reports import summarise
from ...reports.worklist import cases_to_chase
from ...store import cases as store
from ...store import tokens
from ...store.projection import batches_of
from ...timelines import bundled_processes, load_process, project
from ...timelines.model import EXCEPTION_KINDS
from ..auth import Actor
from ..routes.reference import case_calendar
from . import caseload
from .chart import timeline_svg

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["full_date"] = full_date
templates.env.filters["label"] = lambda text: str(text or "").replace("_", " ")
templates.env.filters["first_sentence"] = lambda text: (
    text.partition(". ")[0] + "." if ". " in text else text
)


class LoginRequired(Exception):
    """A staff page was asked for without a signed-in session."""


class CsrfFailed(Exception):
    """A form came back without the session's CSRF token."""


def signed_in(request: Request) -> Actor:
    user = request.session.get("user")
    if not user:
        raise LoginRequired
    return Actor(user["name"], user["scope"])


def can_write(request: Request) -> Actor:
    actor = signed_in(request)
    if actor.scope != "write":
        raise SendClockError(f"{actor.name} has read-only access; ask for a write account")
    return actor


async def form_of(request: Request) -> dict[str, str]:
    """The posted form, after checking its CSRF token against the session's."""
    form = {key: str(value).strip() for key, value in (await request.form()).items()}
    _check_csrf(request, form.get("csrf", ""))
    return form


def _check_csrf(request: Request, sent: str) -> None:
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    context.setdefault("user", request.session.get("user"))
    context["csrf"] = request.session["csrf"]
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _store(request: Request):
    return request.app.state.store


def _back(path: str, message: str = "", error: str = "") -> RedirectResponse:
    query = f"?message={quote(message)}" if message else f"?error={quote(error)}" if error else ""
    return RedirectResponse(path + query, status_code=303)


# -- signing in -----------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, error: str = ""):
    return render(request, "login.html", error=error)


@router.post("/login")
async def login(request: Request):
    form = await form_of(request)
    with _store(request).session() as session:
        if form.get("token"):
            row = tokens.authenticate(session, form["token"])
            user = row and {"name": row.name, "scope": row.scope}
        else:
            row = tokens.verify_user(session, form.get("username", ""), form.get("password", ""))
            user = row and {"name": row.username, "scope": row.scope}
    if not user:
        return render(
            request,
            "login.html",
            username=form.get("username", "")[:100],  # typed again: only the password
            error="That user name and password, or API token, is not right.",
        )
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update(user=user, csrf=secrets.token_urlsafe(32))
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request):
    await form_of(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# -- dashboard ------------------------------------------------------------------------------------
class FieldError(InputError):
    """A form value that cannot be used: the message is shown next to the field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def ordered_processes() -> list:
    """The bundled processes, the EHC needs assessment (what most cases are) first."""
    processes = bundled_processes()
    return sorted(processes, key=lambda p: p.id != caseload.DEFAULT_PROCESS)


@router.get("/")
def dashboard(request: Request, process: str = "", officer: str = "", mine: bool = False):
    signed_in(request)
    return _dashboard_view(request, process, officer, mine)


def _dashboard_view(
    request: Request, process: str, officer: str, mine: bool, status_code: int = 200, **extra
) -> HTMLResponse:
    from ...reports.html import open_cases_chart, timeliness_chart

    user = signed_in(request)
    officer = user.name if mine else officer
    today = date.today()
    with _store(request).session() as session:
        states = store.all_cases(session, process or None)
    shown = [s for s in states if not officer or s.officer == officer]
    # The same figures as the breach report: one summary, not a second count.
    batches, _rejected = batches_of(shown, today)
    summary = summarise(batches)
    by_ref = {state.ref: state for state in shown}
    by_officer = {
        name or "(none)": _summary([s for s in shown if s.officer == name], today)
        for name in sorted({s.officer for s in shown}, key=lambda n: n or "")
    }
    by_process = {
        name: _summary([s for s in shown if s.process == name], today)
        for name in sorted({s.process for s in shown})
    }
    return render(
        request,
        "dashboard.html",
        status_code=status_code,
        today=today,
        overdue=_to_chase(batches, ("overdue",), by_ref),
        due_soon=_to_chase(batches, ("at_risk", "due_soon"), by_ref),
        shown=caseload.WORKLIST_ROWS,
        list_filter=urlencode(
            {k: v for k, v in {"process": process, "officer": officer}.items() if v}
        ),
        by_officer=by_officer,
        by_process=by_process,
        totals=summary,
        timeliness_chart=_labelled(
            timeliness_chart(summary["by_month"]),
            "Bar chart: final plans issued within and over 20 weeks, by month of request",
        ),
        open_chart=_labelled(
            open_cases_chart(summary["open_cases_by_status"]),
            "Bar chart: open cases by the status of their most urgent milestone",
        ),
        processes=ordered_processes(),
        calendars=bundled_calendars(),
        process=process,
        officer=officer,
        mine=mine,
        officers=sorted({s.officer for s in states if s.officer}),
        form=extra.pop("form", {}),
        errors=extra.pop("errors", {}),
        **extra,
    )


def _to_chase(batches, statuses: tuple[str, ...], by_ref: dict) -> list[dict]:
    """The worklist by case (the library's, as ``breaches --by case``): one row per open case
    whose most urgent milestone has one of ``statuses``, with its stored case for the link."""
    return [
        {**row, "state": by_ref[row["case_id"]], "due": date.fromisoformat(row["due"])}
        for row in cases_to_chase(batches, statuses)
    ]


def _labelled(svg: str, label: str) -> Markup:
    """A chart's SVG as one image with a name, for screen readers."""
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def _summary(states, today: date) -> dict:
    batches, _rejected = batches_of(states, today)
    return summarise(batches)


@router.post("/cases")
async def create_case(request: Request):
    actor = can_write(request)
    form = await form_of(request)
    today = date.today()
    try:
        received = _past_date(form.get("received", ""), "received", "date received", today)
        process_id = form.get("process", "")
        calendar = form.get("calendar") or None
        if calendar is None and process_id in {p.id for p in bundled_processes()}:
            calendar = case_calendar(request, load_process(process_id), None)
        with _store(request).session() as session:
            state = store.create_case(
                session,
                form.get("ref", ""),
                process_id,
                calendar,
                received,
                form.get("officer") or None,
                actor.name,
            )
    except SendClockError as error:
        field = getattr(error, "field", "ref")
        return _dashboard_view(
            request,
            "",
            "",
            False,
            status_code=422,
            form=form,
            errors={field: str(error)},
            error="The case was not opened: see the message by the field.",
        )
    return _back(_case_url(state), message=f"Case {state.ref} opened.")


def _past_date(text: str, field: str, what: str, today: date, earliest: date | None = None):
    """A date that has happened: not after today, and not before ``earliest`` (the date the
    request was received), each refused with the reason."""
    try:
        day = parse_date(text, what)
    except SendClockError as error:
        raise FieldError(field, str(error)) from None
    if day > today:
        raise FieldError(
            field,
            f"{full_date(day)} is after today ({full_date(today)}): record a date once it has "
            "happened (check the year)",
        )
    if earliest and day < earliest:
        raise FieldError(
            field,
            f"{full_date(day)} is before the request was received ({full_date(earliest)}): "
            "check the date",
        )
    return day


def _case_url(state) -> str:
    return "/cases/" + quote(state.ref, safe="")


# -- the case list --------------------------------------------------------------------------------
@router.get("/cases")
def case_list(
    request: Request,
    q: str = "",
    process: str = "",
    status: str = "",
    officer: str = "",
    sort: str = "due",
    page: int = 1,
):
    """Every case, closed ones too: searched by reference or officer, filtered, sorted by the
    next date due, a page at a time."""
    signed_in(request)
    query = caseload.Query(q.strip()[:100], process, status, officer, sort, page)
    today = date.today()
    with _store(request).session() as session:
        states = store.all_cases(session)
    rows = caseload.rows_of(states, today)
    found = caseload.search(rows, query)
    return render(
        request,
        "cases.html",
        today=today,
        query=query,
        found=found,
        processes=ordered_processes(),
        statuses=caseload.CASE_STATUSES,
        sorts=caseload.SORTS,
        officers=sorted({s.officer for s in states if s.officer}),
        page_url=lambda number: _list_url(query, number),
    )


def _list_url(query: caseload.Query, page: int) -> str:
    """The case list's URL for another page of the same search."""
    asked = {
        "q": query.text,
        "process": query.process,
        "status": query.status,
        "officer": query.officer,
        "sort": query.sort,
    }
    return "/cases?" + urlencode({**{k: v for k, v in asked.items() if v}, "page": page})


# -- uploading a caseload -------------------------------------------------------------------------
@router.get("/import")
def import_page(request: Request):
    can_write(request)
    return render(request, "import.html", result=None)


@dataclass(frozen=True)
class Upload:
    """A posted file: its name and its bytes (the size is capped by the SizeLimit middleware)."""

    filename: str
    data: bytes


async def uploaded_caseload(request: Request) -> Upload | None:
    """The posted caseload file, read on the event loop after the write and CSRF checks, so
    that the import itself runs in the thread pool (a plain ``def`` route)."""
    can_write(request)
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    upload = form.get("caseload")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return None
    return Upload(upload.filename, await upload.read())


@router.post("/import")
def import_upload(request: Request, upload: Annotated[Upload | None, Depends(uploaded_caseload)]):
    """The caseload CSV of `send-clock breaches` (and the API's import), all or nothing."""
    from ..importing import decode, import_caseload

    actor = can_write(request)
    if upload is None:
        return render(
            request,
            "import.html",
            status_code=422,
            result=None,
            errors={"caseload": "choose the caseload CSV file to upload"},
        )
    try:
        text = decode(upload.data)
        result = import_caseload(_store(request), text, actor.name, date.today())
    except SendClockError as error:
        return render(
            request, "import.html", status_code=422, result=None, errors={"caseload": str(error)}
        )
    if result.errors or not result.case_ids:
        message = (
            f"{result.refusal()}, so nothing was stored: correct them and upload the file again."
            if result.errors
            else "The file holds no cases."
        )
        return render(request, "import.html", status_code=422, result=result, error=message)
    with _store(request).session() as session:
        imported = [store.get_case(session, case_id) for case_id in result.case_ids]
    return render(
        request,
        "import.html",
        result=result,
        imported=imported,
        message=f"{len(imported)} cases imported.",
    )


# -- one case -------------------------------------------------------------------------------------
@router.get("/cases/{key:path}")
def case_page(request: Request, key: str, message: str = "", error: str = "", as_of: str = ""):
    """A case by its reference (``/cases/EHC-2025-0042``) or by its number."""
    signed_in(request)
    with _store(request).session() as session:
        state = _find_case(session, key)
    today = parse_date(as_of) if as_of else date.today()
    return _case_view(request, state, today, message=message, error=error)


MAX_ID = 2**31 - 1  # the largest id a database INTEGER column holds


def _find_case(session, key: str):
    try:
        check_reference(key)  # nothing else is ever a reference (NUL, spaces, a name...)
    except InputError:
        raise NotFound(f"no case with reference {key!r}") from None
    try:
        return store.get_case_by_ref(session, key)
    except NotFound:
        if not key.isdigit() or int(key) > MAX_ID:
            raise
    return store.get_case(session, int(key))


def _case_view(request: Request, state, today: date, status_code: int = 200, **extra):
    with _store(request).session() as session:
        feeds = tokens.list_feeds(session, state.id)
    process = load_process(state.process)
    schedule = project(process, load_calendar(state.calendar), state.to_case(), as_of=today)
    return render(
        request,
        "case.html",
        status_code=status_code,
        state=state,
        case_url=_case_url(state),
        process=process,
        schedule=schedule,
        chart=timeline_svg(schedule, today),
        today=today,
        feeds=feeds,
        exception_kinds=EXCEPTION_KINDS,
        new_feed=_shown_once(request),
        records=sorted(state.active.values(), key=lambda r: r.id),
        form=extra.pop("form", {}),
        errors=extra.pop("errors", {}),
        failed=extra.pop("failed", ""),
        **extra,
    )


async def _change(request: Request, case_id: int, change, failed: str, field: str):
    """Apply a form's change at the version the officer saw; a concurrent change is reported,
    not overwritten. A change that cannot be made comes back with what was typed and the
    reason by the field (``field``, unless the error names its own)."""
    actor = can_write(request)
    form = await form_of(request)
    try:
        expected = int(form.get("version", "0"))
        with _store(request).session() as session:
            change(session, form, expected, actor.name)
    except StaleVersion:
        return _failed(
            request,
            case_id,
            form,
            failed,
            {},
            "Someone else changed this case while you were looking at it. The page now shows "
            "their change: check it and apply yours again.",
        )
    except (SendClockError, ValueError) as error:
        errors = {getattr(error, "field", field): str(error)}
        return _failed(
            request, case_id, form, failed, errors, "Not saved: see the message by the field."
        )
    with _store(request).session() as session:
        state = store.get_case(session, case_id)
    return _back(_case_url(state), message="Saved.")


def _failed(request: Request, case_id: int, form: dict, failed: str, errors: dict, error: str):
    with _store(request).session() as session:
        state = store.get_case(session, case_id)
    return _case_view(
        request,
        state,
        date.today(),
        status_code=409 if not errors else 422,
        form=form,
        errors=errors,
        failed=failed,
        error=error,
    )


@router.post("/cases/{case_id}/events")
async def record_event(request: Request, case_id: int):
    def change(session, form, expected, actor):
        received = store.get_case(session, case_id).received
        day = _past_date(form.get("date", ""), "event-date", "date", date.today(), received)
        store.record(
            session, case_id, expected, "event", form.get("milestone", ""), day.isoformat(), actor
        )

    return await _change(request, case_id, change, "events", "event-date")


@router.post("/cases/{case_id}/outcomes")
async def record_outcome(request: Request, case_id: int):
    def change(session, form, expected, actor):
        branch, _, value = form.get("outcome", "").partition("=")
        store.record(session, case_id, expected, "outcome", branch, value, actor)

    return await _change(request, case_id, change, "outcomes", "outcome")


@router.post("/cases/{case_id}/exceptions")
async def record_exception(request: Request, case_id: int):
    from ...timelines import RecordedException

    def change(session, form, expected, actor):
        start, end = form.get("from"), form.get("to")
        if bool(start) != bool(end):
            raise FieldError(
                "exc-to" if start else "exc-from",
                "give both the first and the last day of the period, or neither",
            )
        spec = form.get("kind", "") + (f":{start}..{end}" if start else "")
        spec += f"@{form['milestone']}" if form.get("milestone") else ""
        exception = RecordedException.parse(spec)
        store.record(session, case_id, expected, "exception", exception.kind, str(exception), actor)

    return await _change(request, case_id, change, "exceptions", "exc-from")


@router.post("/cases/{case_id}/records/{record_id}/correction")
async def correct_record(request: Request, case_id: int, record_id: int):
    def change(session, form, expected, actor):
        store.correct(
            session,
            case_id,
            expected,
            record_id,
            form.get("value", ""),
            form.get("reason") or None,
            actor,
        )

    return await _change(request, case_id, change, f"fix-{record_id}", f"fix-{record_id}")


@router.post("/cases/{case_id}/records/{record_id}/withdrawal")
async def withdraw_record(request: Request, case_id: int, record_id: int):
    def change(session, form, expected, actor):
        store.withdraw(session, case_id, expected, record_id, form.get("reason") or None, actor)

    return await _change(request, case_id, change, f"fix-{record_id}", f"fix-{record_id}")


@router.post("/cases/{case_id}/feeds")
async def create_feed(request: Request, case_id: int):
    actor = can_write(request)
    await form_of(request)
    with _store(request).session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    base = request.app.state.settings.public_url or str(request.base_url)
    url = f"{base.rstrip('/')}/v1/feeds/{token}.ics"
    page = f"{base.rstrip('/')}/p/{token}"
    # Shown once, on the next page (carried in the signed session cookie, then dropped): the
    # token itself is never stored on the server.
    request.session["feed"] = {"id": row.id, "url": url, "page": page}
    return _back(
        f"/cases/{case_id}", message="Calendar link created: copy it now, it is shown only once."
    )


@router.post("/cases/{case_id}/feeds/{feed_id}/revoke")
async def revoke_feed(request: Request, case_id: int, feed_id: int):
    can_write(request)
    await form_of(request)
    with _store(request).session() as session:
        tokens.revoke_feed(session, feed_id, case_id)
    return _back(f"/cases/{case_id}", message="Calendar link revoked: it no longer works.")


def _shown_once(request: Request) -> dict | None:
    feed = request.session.pop("feed", None)
    if feed is None:
        return None
    webcal = "webcal://" + feed["url"].split("://", 1)[1]
    return {**feed, "webcal": webcal, "qr": _qr_svg(webcal)}


def _qr_svg(text: str) -> str:
    import segno

    svg = segno.make(text, error="m").svg_inline(scale=3, dark="#111827", light="#ffffff")
    return _labelled(svg, "QR code of the calendar link")


# -- the request calendar ------------------------------------------------------------------------
@router.get("/request-calendar")
def request_calendar_page(
    request: Request,
    calendar: str = "",
    process: str = "england-ehcna",
    start: str = "",
    end: str = "",
    printable: bool = False,
):
    """Which submission weeks avoid holidays, for a chosen calendar and process."""
    signed_in(request)
    from ...panels.html import calendar_html
    from ...panels.request_calendar import judgeable_weeks, request_calendar

    term_calendars = [c for c in bundled_calendars() if c.has_terms]
    context = {
        "calendars": term_calendars,
        "processes": ordered_processes(),
        "calendar_id": calendar,
        "process_id": process,
        "table": None,
        "start": start,
        "end": end,
    }
    if not calendar:
        return render(request, "request_calendar.html", **context)
    try:
        chosen_calendar = _bundled_calendar(calendar)
        chosen_process = load_process(process)
        earliest, latest = judgeable_weeks(chosen_calendar)
        first = parse_date(start, "first week") if start else max(earliest, _monday(date.today()))
        last = parse_date(end, "last week") if end else min(latest, first + timedelta(weeks=26))
        table = request_calendar(chosen_process, chosen_calendar, first, last)
    except SendClockError as error:
        return render(request, "request_calendar.html", error=str(error), **context)
    if printable:
        return HTMLResponse(calendar_html(table))
    context.update(
        table=table, start=first.isoformat(), end=last.isoformat(), earliest=earliest, latest=latest
    )
    return render(request, "request_calendar.html", **context)


def _bundled_calendar(calendar_id: str):
    if calendar_id not in {c.id for c in bundled_calendars()}:
        raise SendClockError(f"no calendar {calendar_id!r}; choose one from the list")
    return load_calendar(calendar_id)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/favicon.ico")
def favicon():
    """Browsers ask for it even on pages that name another icon (the printable ones)."""
    from fastapi.responses import FileResponse

    return FileResponse(
        Path(__file__).parent / "static" / "favicon.svg", media_type="image/svg+xml"
    )

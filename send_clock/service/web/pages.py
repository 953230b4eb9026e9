"""The SEN team's web pages: sign in, caseload dashboard, case page with its timeline chart and
forms, the subscribe box, the request calendar. Server-rendered (Jinja2), no build step, no
script needed; every form carries a CSRF token tied to the signed session cookie."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ...calendars import bundled_calendars, load_calendar
from ...dates import full_date, parse_date
from ...errors import InputError, SendClockError, StaleVersion
from ...reports import summarise
from ...store import cases as store
from ...store import tokens
from ...store.projection import batches_of
from ...timelines import bundled_processes, load_process, project
from ...timelines.model import EXCEPTION_KINDS
from ..auth import Actor
from ..routes.reference import case_calendar
from .chart import timeline_svg

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["full_date"] = full_date
templates.env.filters["label"] = lambda text: str(text or "").replace("_", " ")


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
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(form.get("csrf", ""), expected):
        raise CsrfFailed
    return form


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
@router.get("/")
def dashboard(
    request: Request, process: str = "", officer: str = "", message: str = "", error: str = ""
):
    signed_in(request)
    today = date.today()
    with _store(request).session() as session:
        states = store.all_cases(session, process or None)
    shown = [s for s in states if not officer or s.officer == officer]
    # The same figures and worklists as the breach report: one summary, not a second count.
    summary = _summary(shown, today)
    by_ref = {s.ref: s for s in shown}
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
        today=today,
        overdue=_worklist(summary["overdue"], by_ref),
        due_soon=_worklist(summary["due_soon"], by_ref),
        by_officer=by_officer,
        by_process=by_process,
        totals=summary,
        processes=bundled_processes(),
        calendars=bundled_calendars(),
        process=process,
        officer=officer,
        message=message,
        error=error,
        officers=sorted({s.officer for s in states if s.officer}),
    )


def _summary(states, today: date) -> dict:
    batches, _rejected = batches_of(states, today)
    return summarise(batches)


def _worklist(entries: list[dict], by_ref: dict) -> list[dict]:
    """Summary worklist entries with their case and milestone, for links and titles."""
    rows = []
    for entry in entries:
        case = by_ref[entry["case_id"]]
        milestone = load_process(case.process).milestone(entry["milestone"])
        rows.append(
            {
                **entry,
                "case": case,
                "title": milestone.title,
                "due": date.fromisoformat(entry["due"]),
            }
        )
    return rows


@router.post("/cases")
async def create_case(request: Request):
    actor = can_write(request)
    form = await form_of(request)
    try:
        received = parse_date(form.get("received", ""), "date the request was received")
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
        return _back("/", error=str(error))
    return _back(f"/cases/{state.id}", message=f"Case {state.ref} opened.")


# -- one case -------------------------------------------------------------------------------------
@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, message: str = "", error: str = "", as_of: str = ""):
    signed_in(request)
    today = parse_date(as_of) if as_of else date.today()
    with _store(request).session() as session:
        state = store.get_case(session, case_id)
        feeds = tokens.list_feeds(session, case_id)
    process = load_process(state.process)
    schedule = project(process, load_calendar(state.calendar), state.to_case(), as_of=today)
    return render(
        request,
        "case.html",
        state=state,
        process=process,
        schedule=schedule,
        chart=timeline_svg(schedule, today),
        today=today,
        feeds=feeds,
        message=message,
        error=error,
        exception_kinds=EXCEPTION_KINDS,
        new_feed=_shown_once(request),
        records=sorted(state.active.values(), key=lambda r: r.id),
    )


async def _change(request: Request, case_id: int, change) -> RedirectResponse:
    """Apply a form's change at the version the officer saw; a concurrent change is reported,
    not overwritten."""
    actor = can_write(request)
    form = await form_of(request)
    page = f"/cases/{case_id}"
    try:
        expected = int(form.get("version", "0"))
        with _store(request).session() as session:
            change(session, form, expected, actor.name)
    except StaleVersion:
        return _back(
            page,
            error="Someone else changed this case while you were looking at "
            "it. The page now shows their change: check it and apply yours again.",
        )
    except (SendClockError, ValueError) as error:
        return _back(page, error=str(error))
    return _back(page, message="Saved.")


@router.post("/cases/{case_id}/events")
async def record_event(request: Request, case_id: int):
    def change(session, form, expected, actor):
        day = parse_date(form.get("date", ""), "date")
        store.record(
            session, case_id, expected, "event", form.get("milestone", ""), day.isoformat(), actor
        )

    return await _change(request, case_id, change)


@router.post("/cases/{case_id}/outcomes")
async def record_outcome(request: Request, case_id: int):
    def change(session, form, expected, actor):
        branch, _, value = form.get("outcome", "").partition("=")
        store.record(session, case_id, expected, "outcome", branch, value, actor)

    return await _change(request, case_id, change)


@router.post("/cases/{case_id}/exceptions")
async def record_exception(request: Request, case_id: int):
    from ...timelines import RecordedException

    def change(session, form, expected, actor):
        start, end = form.get("from"), form.get("to")
        if bool(start) != bool(end):
            raise InputError("give both the first and the last day of the period, or neither")
        spec = form.get("kind", "") + (f":{start}..{end}" if start else "")
        spec += f"@{form['milestone']}" if form.get("milestone") else ""
        exception = RecordedException.parse(spec)
        store.record(session, case_id, expected, "exception", exception.kind, str(exception), actor)

    return await _change(request, case_id, change)


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

    return await _change(request, case_id, change)


@router.post("/cases/{case_id}/records/{record_id}/withdrawal")
async def withdraw_record(request: Request, case_id: int, record_id: int):
    def change(session, form, expected, actor):
        store.withdraw(session, case_id, expected, record_id, form.get("reason") or None, actor)

    return await _change(request, case_id, change)


@router.post("/cases/{case_id}/feeds")
async def create_feed(request: Request, case_id: int):
    actor = can_write(request)
    await form_of(request)
    with _store(request).session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    base = request.app.state.settings.public_url or str(request.base_url)
    url = f"{base.rstrip('/')}/v1/feeds/{token}.ics"
    # Shown once, on the next page (carried in the signed session cookie, then dropped): the
    # token itself is never stored on the server.
    request.session["feed"] = {"id": row.id, "url": url}
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
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the calendar link" ', 1)


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
        "processes": bundled_processes(),
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

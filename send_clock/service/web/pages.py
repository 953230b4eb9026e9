"""The SEN team's web pages: sign in, caseload dashboard, case page with its timeline chart and
forms, the subscribe box, the request calendar. Server-rendered (Jinja2), no build step, no
script needed; every form carries a CSRF token tied to the signed session cookie."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ...calendars import bundled_calendars, load_calendar
from ...dates import full_date, parse_date
from ...errors import InputError, NotFound, SendClockError, StaleVersion
from ...reports import summarise
from ...store import cases as store
from ...store import sessions, tokens
from ...store.projection import batches_of
from ...timelines import bundled_processes, load_process, project
from ...timelines.model import EXCEPTION_KINDS
from .. import known
from ..auth import Actor
from .chart import timeline_svg

router = APIRouter(include_in_schema=False)
#: The hint after an unknown process or calendar on a page.
CHOOSE = "choose one from the list"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["full_date"] = full_date
templates.env.filters["label"] = lambda text: str(text or "").replace("_", " ")


class LoginRequired(Exception):
    """A staff page was asked for without a signed-in session."""


class CsrfFailed(Exception):
    """A form came back without the session's CSRF token."""


#: The largest row id both databases store (INTEGER): a larger one in a page's path is a 404.
MAX_ID = 2_147_483_647


def signed_in(request: Request) -> Actor:
    """The actor of the request's live server-side session (the cookie only names it)."""
    key = request.session.get("sid")
    if not key:
        raise LoginRequired
    with _store(request).session() as session:
        row = sessions.current(session, key, _lifetime(request))
        actor = row and Actor(row.name, row.scope)
    if actor is None:  # signed out, revoked, disabled or idle too long: start again
        request.session.clear()
        raise LoginRequired
    request.state.user = {"name": actor.name, "scope": actor.scope}
    return actor


def _lifetime(request: Request) -> sessions.Lifetime:
    settings = request.app.state.settings
    return sessions.Lifetime(
        timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_hours)
    )


def _limit(request: Request) -> sessions.Limit:
    settings = request.app.state.settings
    return sessions.Limit(settings.login_attempts, timedelta(minutes=settings.login_window_minutes))


def can_write(request: Request) -> Actor:
    actor = signed_in(request)
    if actor.scope != "write":
        raise HTTPException(403, f"{actor.name} has read-only access; ask for a write account")
    return actor


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form, after checking its CSRF token against the session's. Reading the form
    is the only async work of a page: the handler itself is a plain ``def``, run in the thread
    pool, so password hashing and database work never hold up the event loop."""
    form = {key: str(value).strip() for key, value in (await request.form()).items()}
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(form.get("csrf", ""), expected):
        raise CsrfFailed
    if any("\x00" in value for value in form.values()):
        raise InputError("a field holds a NUL character; remove it and send the form again")
    return form


def page_id(case_id: int) -> int:
    """A case id from a page's path: one that no database can hold is simply not found."""
    if not 1 <= case_id <= MAX_ID:
        raise NotFound(f"no case {case_id}")
    return case_id


#: Handler parameters: the signed-in actor (any scope, or write), the checked form, a case id.
Staff = Annotated[Actor, Depends(signed_in)]
StaffWriter = Annotated[Actor, Depends(can_write)]
Form = Annotated[dict[str, str], Depends(posted_form)]
CaseId = Annotated[int, Depends(page_id)]


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    forms: bool = True,
    headers: dict | None = None,
    **context,
) -> HTMLResponse:
    """A page. A message left by the previous request (:func:`flash`) is shown once.

    ``forms=False`` (error pages) leaves the session as it came: a cross-site request arrives
    without the session cookie, and answering it with a new session would replace the user's
    cookie and sign them out."""
    if forms and "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    shown = request.session.pop("flash", None) or {}
    context.setdefault("message", shown.get("message", ""))
    context.setdefault("error", shown.get("error", ""))
    context.setdefault("user", getattr(request.state, "user", None))
    context["csrf"] = request.session.get("csrf", "")
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )


def _store(request: Request):
    return request.app.state.store


def flash(request: Request, message: str = "", error: str = "") -> None:
    """Keep a message for the next page, in the session: never in the URL, where anyone could
    write a link that shows their own text in the site's banner."""
    request.session["flash"] = {"message": message, "error": error}


def _back(request: Request, path: str, message: str = "", error: str = "") -> RedirectResponse:
    flash(request, message, error)
    return RedirectResponse(path, status_code=303)


# -- signing in -----------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request):
    return render(request, "login.html")


@router.post("/login")
def login(request: Request, form: Form):
    """Sign in with a user name and password, or an API token. Failures are audited and
    limited per account and per client address; success starts a new server-side session."""
    # A token sign-in has no account to lock: only its client address counts.
    account = "" if form.get("token") else form.get("username", "").strip()
    client = request.client.host if request.client else "unknown"
    with _store(request).session() as session:
        wait = sessions.retry_after(session, account, client, _limit(request))
        if wait:
            sessions.audit(session, "login_limited", account, client)
            key = None
        else:
            key = _sign_in(session, form, account, client)
    if wait:
        return render(
            request,
            "login.html",
            status_code=429,
            headers={"Retry-After": str(wait)},
            error=f"Too many failed sign-ins. Try again in {_minutes(wait)}.",
        )
    if key is None:
        return render(
            request,
            "login.html",
            error="That user name and password, or API token, is not right.",
        )
    request.session.clear()  # a new session key on every sign-in: no fixation
    request.session.update(sid=key, csrf=secrets.token_urlsafe(32))
    return RedirectResponse("/", status_code=303)


def _sign_in(session, form: dict, account: str, client: str) -> str | None:
    """A new session's key for the form's credentials, or None (and an audited failure)."""
    if form.get("token"):
        token = tokens.authenticate(session, form["token"])
        key = token and sessions.start(session, token.name, token.scope, token_id=token.id)
    else:
        user = tokens.verify_user(session, account, form.get("password", ""))
        key = user and sessions.start(session, user.username, user.scope, user_id=user.id)
    sessions.audit(session, "signed_in" if key else "login_failed", account, client)
    return key or None


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@router.post("/logout")
def logout(request: Request, _form: Form):
    key = request.session.get("sid")
    if key:
        with _store(request).session() as session:
            sessions.end(session, key)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# -- dashboard ------------------------------------------------------------------------------------
@router.get("/")
def dashboard(request: Request, _actor: Staff, process: str = "", officer: str = ""):
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
def create_case(request: Request, actor: StaffWriter, form: Form):
    try:
        received = parse_date(form.get("received", ""), "date the request was received")
        process = known.process(form.get("process", ""), CHOOSE).id
        calendar = form.get("calendar") and known.calendar(form["calendar"], CHOOSE).id
        with _store(request).session() as session:
            state = store.create_case(
                session,
                form.get("ref", ""),
                process,
                calendar or None,
                received,
                form.get("officer") or None,
                actor.name,
            )
    except SendClockError as error:
        return _back(request, "/", error=str(error))
    return _back(request, f"/cases/{state.id}", message=f"Case {state.ref} opened.")


# -- one case -------------------------------------------------------------------------------------
@router.get("/cases/{case_id}")
def case_page(request: Request, _actor: Staff, case_id: CaseId, as_of: str = ""):
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
        exception_kinds=EXCEPTION_KINDS,
        new_feed=_shown_once(request),
        records=sorted(state.active.values(), key=lambda r: r.id),
    )


def _change(request: Request, actor: Actor, form: dict, case_id: int, change) -> RedirectResponse:
    """Apply a form's change at the version the officer saw; a concurrent change is reported,
    not overwritten."""
    page = f"/cases/{case_id}"
    try:
        expected = int(form.get("version", "0"))
        with _store(request).session() as session:
            change(session, form, expected, actor.name)
    except StaleVersion:
        return _back(
            request,
            page,
            error="Someone else changed this case while you were looking at "
            "it. The page now shows their change: check it and apply yours again.",
        )
    except (SendClockError, ValueError) as error:
        return _back(request, page, error=str(error))
    return _back(request, page, message="Saved.")


@router.post("/cases/{case_id}/events")
def record_event(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
    def change(session, form, expected, actor):
        day = parse_date(form.get("date", ""), "date")
        store.record(
            session, case_id, expected, "event", form.get("milestone", ""), day.isoformat(), actor
        )

    return _change(request, actor, form, case_id, change)


@router.post("/cases/{case_id}/outcomes")
def record_outcome(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
    def change(session, form, expected, actor):
        branch, _, value = form.get("outcome", "").partition("=")
        store.record(session, case_id, expected, "outcome", branch, value, actor)

    return _change(request, actor, form, case_id, change)


@router.post("/cases/{case_id}/exceptions")
def record_exception(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
    from ...timelines import RecordedException

    def change(session, form, expected, actor):
        start, end = form.get("from"), form.get("to")
        if bool(start) != bool(end):
            raise InputError("give both the first and the last day of the period, or neither")
        spec = form.get("kind", "") + (f":{start}..{end}" if start else "")
        spec += f"@{form['milestone']}" if form.get("milestone") else ""
        exception = RecordedException.parse(spec)
        store.record(session, case_id, expected, "exception", exception.kind, str(exception), actor)

    return _change(request, actor, form, case_id, change)


@router.post("/cases/{case_id}/records/{record_id}/correction")
def correct_record(
    request: Request, actor: StaffWriter, form: Form, case_id: CaseId, record_id: int
):
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

    return _change(request, actor, form, case_id, change)


@router.post("/cases/{case_id}/records/{record_id}/withdrawal")
def withdraw_record(
    request: Request, actor: StaffWriter, form: Form, case_id: CaseId, record_id: int
):
    def change(session, form, expected, actor):
        store.withdraw(session, case_id, expected, record_id, form.get("reason") or None, actor)

    return _change(request, actor, form, case_id, change)


@router.post("/cases/{case_id}/feeds")
def create_feed(request: Request, actor: StaffWriter, _form: Form, case_id: CaseId):
    with _store(request).session() as session:
        store.get_case(session, case_id)
        row, token = tokens.create_feed(session, case_id, actor.name)
    base = request.app.state.settings.public_url or str(request.base_url)
    url = f"{base.rstrip('/')}/v1/feeds/{token}.ics"
    # Shown once, on the next page (carried in the signed session cookie, then dropped): the
    # token itself is never stored on the server.
    request.session["feed"] = {"id": row.id, "url": url}
    return _back(
        request,
        f"/cases/{case_id}",
        message="Calendar link created: copy it now, it is shown only once.",
    )


@router.post("/cases/{case_id}/feeds/{feed_id}/revoke")
def revoke_feed(request: Request, _actor: StaffWriter, _form: Form, case_id: CaseId, feed_id: int):
    with _store(request).session() as session:
        tokens.revoke_feed(session, feed_id, case_id)
    return _back(request, f"/cases/{case_id}", message="Calendar link revoked: it no longer works.")


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
    _actor: Staff,
    calendar: str = "",
    process: str = "england-ehcna",
    start: str = "",
    end: str = "",
    printable: bool = False,
):
    """Which submission weeks avoid holidays, for a chosen calendar and process."""
    from ...panels.html import calendar_html
    from ...panels.request_calendar import judgeable_weeks, request_calendar

    context = {
        "calendars": known.term_calendars(),
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
        chosen_calendar = _term_calendar(calendar)
        chosen_process = known.process(process, CHOOSE)
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


def _term_calendar(calendar_id: str):
    if calendar_id not in {c.id for c in known.term_calendars()}:
        known.calendar("", CHOOSE)  # the same refusal as for any other unknown id
    return known.calendar(calendar_id)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/favicon.ico")
def favicon():
    """Browsers ask for it even on pages that name another icon (the printable ones)."""
    from fastapi.responses import FileResponse

    return FileResponse(
        Path(__file__).parent / "static" / "favicon.svg", media_type="image/svg+xml"
    )

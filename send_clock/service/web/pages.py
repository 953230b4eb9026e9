"""The SEN team's web pages: sign in, caseload dashboard with its charts and worklists by case,
the case list and search, the case page with its timeline chart and forms, uploading a caseload,
the subscribe box, the request calendar. Server-rendered (Jinja2), no build step, no script (no
inline script ever: the pages hold under a strict Content-Security-Policy); every form carries a
CSRF token tied to the server-side session (see :mod:`.access`). A form that fails comes back
with what was typed and the reason next to the field."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
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
from ...officers import check_officer
from ...reports.html import TIMELINESS_FIGURES
from ...store import DatabaseUnavailable, queries, sessions, tokens
from ...store import cases as store
from ...store.stored import ensure_current
from ...timelines import bundled_processes, load_process, project
from ...timelines.model import EXCEPTION_KINDS
from .. import known
from ..routes.reference import case_calendar
from ..schemas import MAX_ID
from . import caseload
from .access import (
    CaseId,
    CsrfFailed,
    FeedId,
    Form,
    LoginRequired,
    RecordId,
    Staff,
    StaffWriter,
    check_id,
    checked_form,
    flash,
    lifetime,
    sign_in_limit,
    signed_in,
)
from .chart import labelled, timeline_svg

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)
#: The hint after an unknown process or calendar on a page.
CHOOSE = "choose one from the list"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["full_date"] = full_date
templates.env.filters["label"] = lambda text: str(text or "").replace("_", " ")
templates.env.filters["first_sentence"] = lambda text: (
    text.partition(". ")[0] + "." if ". " in text else text
)


__all__ = ["CsrfFailed", "LoginRequired", "render", "router", "templates"]


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    forms: bool = True,
    headers: dict | None = None,
    **context,
) -> HTMLResponse:
    """A page. A message left by the previous request (:func:`~.access.flash`) is shown once.

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
    client = _client(request)
    with _store(request).session() as session:
        wait = sessions.retry_after(session, account, client, sign_in_limit(request))
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
            username=account[:100],
            error=f"Too many failed sign-ins. Try again in {_minutes(wait)}.",
        )
    if key is None:
        return render(
            request,
            "login.html",
            username=account[:100],  # typed again: only the password
            error="That user name and password, or API token, is not right.",
        )
    request.session.clear()  # a new session key on every sign-in: no fixation
    request.session.update(sid=key, csrf=secrets.token_urlsafe(32))
    return RedirectResponse("/", status_code=303)


def _client(request: Request) -> str:
    """The client's address, as the sign-in limit and the audit trail record it."""
    return request.client.host if request.client else "unknown"


def _sign_in(session, form: dict, account: str, client: str) -> str | None:
    """A new session's key for the form's credentials, or None (and an audited failure)."""
    if form.get("token"):
        token = tokens.authenticate(session, form["token"])
        key = token and sessions.start(session, token.name, token.scope, token_id=token.id)
        # the audit names the token that signed in (a failed token has no name to give)
        account = sessions.account(token.name, token.id) if token else account
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
        client = _client(request)
        with _store(request).session() as session:
            name = sessions.end(session, key, lifetime(request))
            if name is not None:  # the audit trail shows who signed out, and from where
                sessions.audit(session, "signed_out", name, client)
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
def dashboard(request: Request, process: str = "", officer: str = "", mine: str = ""):
    # ``mine`` as text, not ``bool``: a hand-typed ``?mine=maybe`` is the whole caseload, not
    # pydantic's message about booleans.
    signed_in(request)
    check_officer(officer or None)  # (as a case's officer: no case can hold it)
    return _dashboard_view(request, process, officer, mine.lower() in ("true", "1", "yes", "on"))


def _dashboard_view(
    request: Request, process: str, officer: str, mine: bool, status_code: int = 200, **extra
) -> HTMLResponse:
    user = signed_in(request)
    officer = user.name if mine else officer
    today = date.today()
    filters = queries.CaseFilters(officer=officer or None, process=process or None)
    shown = _kept_dashboard(_store(request), filters, today)
    return render(
        request,
        "dashboard.html",
        status_code=status_code,
        today=today,
        **shown,
        shown=caseload.WORKLIST_ROWS,
        list_filter=urlencode(
            {k: v for k, v in {"process": process, "officer": officer}.items() if v}
        ),
        processes=ordered_processes(),
        calendars=bundled_calendars(),
        process=process,
        officer=officer,
        mine=mine,
        form=extra.pop("form", {}),
        errors=extra.pop("errors", {}),
        **extra,
    )


def _kept_dashboard(the_store, filters: queries.CaseFilters, today: date) -> dict:
    """The dashboard's figures: counted in the database from the stored projections, and kept
    while no case changes (nothing is projected here)."""
    ensure_current(the_store, today)
    with the_store.session() as session:
        return the_store.remembered.get(
            session,
            ("dashboard", filters, today),
            lambda: _dashboard_figures(session, filters, today),
        )


def warm(the_store) -> None:
    """What a fresh worker's first pages cost, paid before it takes requests: the templates
    compiled, the chart library loaded, the whole caseload's dashboard counted and kept. A
    database that cannot be read now leaves the pages to do it later: the worker starts."""
    for name in ("dashboard.html", "case.html", "cases.html"):
        templates.get_template(name)
    try:
        _kept_dashboard(the_store, queries.CaseFilters(), date.today())
    except Exception as error:  # noqa: BLE001 - the first request will say what is wrong
        logger.warning("the dashboard was not prepared at start (%s)", type(error).__name__)


def _dashboard_figures(session, filters: queries.CaseFilters, today: date) -> dict:
    """What the dashboard shows of the caseload: the breach report's figures, its worklists by
    case (the most urgent first) and the charts, from the stored projections."""
    figures = queries.caseload_figures(session, filters)
    totals = figures["total"]
    overdue, overdue_count = queries.cases_to_chase(
        session, ("overdue",), today, filters, caseload.WORKLIST_ROWS
    )
    due_soon, due_soon_count = queries.cases_to_chase(
        session, ("at_risk", "due_soon"), today, filters, caseload.WORKLIST_ROWS
    )
    return {
        "overdue": overdue,
        "overdue_count": overdue_count,
        "due_soon": due_soon,
        "due_soon_count": due_soon_count,
        "by_officer": figures["by_officer"],
        "by_process": figures["by_process"],
        "totals": totals,
        # keyed by what the chart draws only: a new case moves a month's count of requests,
        # not its final plans, and the chart is not drawn again
        "timeliness_chart": _timeliness_chart(
            tuple(tuple((k, m[k]) for k in TIMELINESS_FIGURES) for m in totals["by_month"])
        ),
        "open_chart": _open_chart(tuple(totals["open_cases_by_status"].items())),
        "officers": [name for name in queries.officers(session, filters.process) if name],
    }


# A chart is drawn again only when its figures change (a few milliseconds with pygal, kept
# all the same: most changes to a case move neither chart, and 32 charts hold under 2 MB).
@lru_cache(maxsize=32)
def _timeliness_chart(by_month: tuple) -> Markup:
    from ...reports.html import timeliness_chart

    return _labelled(
        timeliness_chart([dict(month) for month in by_month]),
        "Bar chart: final plans issued within and over 20 weeks, by month of request",
    )


@lru_cache(maxsize=32)
def _open_chart(open_cases_by_status: tuple) -> Markup:
    from ...reports.html import open_cases_chart

    return _labelled(
        open_cases_chart(dict(open_cases_by_status)),
        "Bar chart: open cases by the status of their most urgent milestone",
    )


def _labelled(svg: str, label: str) -> Markup:
    """A chart's SVG as one image with a name, for screen readers."""
    return Markup(labelled(svg, label))


@router.post("/cases")
def create_case(request: Request, actor: StaffWriter, form: Form):
    today = date.today()
    try:
        received = _past_date(form.get("received", ""), "received", "date received", today)
        process, calendar = _chosen(request, form)
        with _store(request).session() as session:
            state = store.create_case(
                session,
                form.get("ref", ""),
                process,
                calendar,
                received,
                form.get("officer") or None,
                actor.name,
            )
    except DatabaseUnavailable:
        raise  # the 503 page (its message names the database: never by a field)
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
    return _back(request, _case_url(state), message=f"Case {state.ref} opened.")


def _chosen(request: Request, form: dict) -> tuple[str, str]:
    """The form's process and calendar: bundled ids only, never a path on the server; with no
    calendar chosen, the deployment's default or the process's own."""
    try:
        process = known.process(form.get("process", ""), CHOOSE)
    except SendClockError as error:
        raise FieldError("process", str(error)) from None
    try:
        calendar = form.get("calendar") and known.calendar(form["calendar"], CHOOSE).id
    except SendClockError as error:
        raise FieldError("calendar", str(error)) from None
    return process.id, calendar or case_calendar(request, process, None)


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
    page: str = "1",
):
    """Every case, closed ones too: searched by reference or officer, filtered, sorted by the
    next date due, a page at a time."""
    signed_in(request)
    check_officer(officer or None)  # (as a case's officer: no case can hold it)
    wanted = _page_number(page)
    query = caseload.Query(q.strip()[:100], process, status, officer, sort, wanted)
    today = date.today()
    the_store = _store(request)
    ensure_current(the_store, today)
    search = queries.CaseSearch(query.text, process, status, officer, sort)
    size = caseload.PAGE_SIZE
    with the_store.session() as session:
        # A page of stored rows, sorted and counted in the database: nothing is projected.
        rows, total = queries.case_list(
            session, search, (max(1, wanted) - 1) * size, size, the_store.remembered
        )
        pages = max(1, -(-total // size))
        number = min(max(1, wanted), pages)
        if number != max(1, wanted):  # past the end: the last page
            rows, total = queries.case_list(
                session, search, (number - 1) * size, size, the_store.remembered
            )
        officers = [name for name in queries.officers(session) if name]
    return render(
        request,
        "cases.html",
        today=today,
        query=query,
        found=caseload.Page(rows, total, number, pages),
        processes=ordered_processes(),
        statuses=caseload.CASE_STATUSES,
        sorts=caseload.SORTS,
        officers=officers,
        page_url=lambda number: _list_url(query, number),
    )


def _page_number(text: str) -> int:
    """The list's page number as typed in the address bar: not a whole number (``abc``, ``1e3``)
    is the first page, and one past any database's offset the last (taken as text, not
    ``int``, so that neither is pydantic's message nor an overflow in the database)."""
    if not (text.isascii() and text.isdigit()):
        return 1
    return min(int(text), MAX_ID)


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
def import_page(request: Request, _actor: StaffWriter):
    return render(request, "import.html", result=None)


@dataclass(frozen=True)
class Upload:
    """The caseload file posted to the upload page (``data`` None when no file was chosen)."""

    data: bytes | None


async def _uploaded(request: Request) -> Upload:
    """Read the upload on the event loop (the only async part); the import itself runs in the
    thread pool, in the plain ``def`` handler."""
    upload = (await checked_form(request)).get("caseload")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return Upload(None)
    return Upload(await upload.read())


@router.post("/import")
def import_upload(
    request: Request, actor: StaffWriter, upload: Annotated[Upload, Depends(_uploaded)]
):
    """The caseload CSV of `send-clock breaches` (and the API's import), all or nothing."""
    from ..importing import decode, import_caseload

    if upload.data is None:
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
    except DatabaseUnavailable:
        raise  # the 503 page (its message names the database: never by a field)
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
def case_page(request: Request, _actor: Staff, key: str, as_of: str = ""):
    """A case by its reference (``/cases/EHC-2025-0042``) or by its number. Messages come
    from the session (a flash), never from the query string."""
    with _store(request).session() as session:
        state = _find_case(session, key)
    today = parse_date(as_of) if as_of else date.today()
    return _case_view(request, state, today)


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
    check_id(int(key))  # a number no database holds is not found, not a database error
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


def _change(request: Request, actor, form: dict, case_id: int, change, failed: str, field: str):
    """Apply a form's change at the version the officer saw; a concurrent change is reported,
    not overwritten. A change that cannot be made comes back with what was typed and the
    reason by the field (``field``, unless the error names its own)."""
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
    except NotFound as error:
        # What the form named is gone (a record withdrawn or corrected since the page was
        # shown, or never this case's): the page has no field of it to put the reason by.
        return _failed(request, case_id, form, failed, {}, f"Not saved: {error}")
    except DatabaseUnavailable:
        raise  # the 503 page (its message names the database: never by a field)
    except (SendClockError, ValueError) as error:
        errors = {getattr(error, "field", field): str(error)}
        return _failed(
            request, case_id, form, failed, errors, "Not saved: see the message by the field."
        )
    with _store(request).session() as session:
        state = store.get_case(session, case_id)
    return _back(request, _case_url(state), message="Saved.")


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
def record_event(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
    def change(session, form, expected, actor):
        received = store.get_case(session, case_id).received
        day = _past_date(form.get("date", ""), "event-date", "date", date.today(), received)
        store.record(
            session, case_id, expected, "event", form.get("milestone", ""), day.isoformat(), actor
        )

    return _change(request, actor, form, case_id, change, "events", "event-date")


@router.post("/cases/{case_id}/outcomes")
def record_outcome(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
    def change(session, form, expected, actor):
        branch, _, value = form.get("outcome", "").partition("=")
        store.record(session, case_id, expected, "outcome", branch, value, actor)

    return _change(request, actor, form, case_id, change, "outcomes", "outcome")


@router.post("/cases/{case_id}/exceptions")
def record_exception(request: Request, actor: StaffWriter, form: Form, case_id: CaseId):
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

    return _change(request, actor, form, case_id, change, "exceptions", "exc-from")


@router.post("/cases/{case_id}/records/{record_id}/correction")
def correct_record(
    request: Request, actor: StaffWriter, form: Form, case_id: CaseId, record_id: RecordId
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

    return _change(request, actor, form, case_id, change, f"fix-{record_id}", f"fix-{record_id}")


@router.post("/cases/{case_id}/records/{record_id}/withdrawal")
def withdraw_record(
    request: Request, actor: StaffWriter, form: Form, case_id: CaseId, record_id: RecordId
):
    def change(session, form, expected, actor):
        store.withdraw(session, case_id, expected, record_id, form.get("reason") or None, actor)

    return _change(request, actor, form, case_id, change, f"fix-{record_id}", f"fix-{record_id}")


@router.post("/cases/{case_id}/feeds")
def create_feed(request: Request, actor: StaffWriter, _form: Form, case_id: CaseId):
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
        request,
        f"/cases/{case_id}",
        message="Calendar link created: copy it now, it is shown only once.",
    )


@router.post("/cases/{case_id}/feeds/{feed_id}/revoke")
def revoke_feed(
    request: Request, _actor: StaffWriter, _form: Form, case_id: CaseId, feed_id: FeedId
):
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
    return _labelled(svg, "QR code of the calendar link")


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

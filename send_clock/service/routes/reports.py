"""The breach report over stored cases, and importing a caseload CSV all-or-nothing as a
background job."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...reports import summarise
from ...safecsv import Writer as CsvWriter
from ...store import cases as store_cases
from ...store import jobs, report
from ...store.projection import batches_of
from ...store.report import (
    ENTRY,
    WORKLISTS,
    WorklistKey,
    decode_cursor,
    encode_cursor,
    projected_page,
    projected_worklist,
    stored_report,
)
from ...store.stored import ensure_current
from ..auth import Reader, Writer
from ..importing import check_header, decode, run_import_job
from ..schemas import (
    BreachSummary,
    Cursor,
    ImportIn,
    IsoDate,
    JobIdPath,
    JobOut,
    WorklistName,
    WorklistPage,
)

router = APIRouter(tags=["reports"])
log = logging.getLogger("send_clock.service")
#: The caseload as CSV text, or (for generated clients, which seldom send text/csv) as JSON.
CSV_BODY = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/ImportIn"}},
        },
        "required": True,
    }
}


async def csv_text(request: Request) -> str:
    """The CSV of the body: the body itself (text/csv), or the ``csv`` of a JSON body. Read on
    the event loop; the import itself then runs in the thread pool (a plain ``def`` route), so
    a long import never holds up other requests. A body that is neither text/csv nor JSON is
    refused (415) before it is read; one not UTF-8, or holding a NUL, at once (422)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("text/csv", "application/json"):
        raise StarletteHTTPException(
            415, 'send the caseload as text/csv (or as JSON: {"csv": "..."})'
        )
    raw = await request.body()
    if kind == "application/json":
        try:
            raw = ImportIn.model_validate_json(raw).csv.encode("utf-8")
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
    text = decode(raw)
    check_header(text)  # no header, or no case_id or received column: 422 before any job
    return text


CsvText = Annotated[str, Depends(csv_text)]


WorklistLimit = Annotated[
    int, Query(ge=0, le=500, description="At most this many entries of each worklist")
]


@router.get("/reports/breaches", response_model=BreachSummary)
def breaches(
    request: Request, _actor: Reader, as_of: IsoDate | None = None, limit: WorklistLimit = 50
):
    """The same summary as `send-clock breaches`, over every stored case, as of a date (today
    by default: summed by the database from the stored statuses; another date projects the
    cases again, which costs the whole caseload). Each worklist comes as its first `limit`
    entries, most urgent first, and its full count: page through the rest with
    `GET /v1/reports/breaches/{worklist}?after=` (the summary's `overdue_next`,
    `due_soon_next`), or download it whole as CSV (`/v1/reports/breaches/{worklist}.csv`)."""
    store, today = request.app.state.store, _today(request)
    as_of = as_of or today
    if as_of == today:
        with store.session() as session:
            summary, following = stored_report(session, as_of, limit, store.remembered)
    else:
        states = _all_cases(store)
        batches, rejected = batches_of(states, as_of)
        summary = summarise(batches, rows_rejected=rejected, worklist_limit=limit)
        following = {
            name: _projected_key(states, name, as_of, limit)
            if summary[f"{name}_count"] > limit
            else None
            for name in WORKLISTS
        }
    for name, key in following.items():
        summary[f"{name}_next"] = key and encode_cursor(as_of, name, key)
    return {"as_of": as_of, **summary}


@router.get(
    "/reports/breaches/{worklist}.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The whole worklist as CSV, header row first, in the report's order",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def worklist_csv(
    worklist: WorklistName, request: Request, _actor: Reader, as_of: IsoDate | None = None
):
    """The whole `overdue` or `due_soon` worklist as a CSV download (`case_id`, `milestone`,
    `due`, `days`, `status`), most urgent first: written from the database as it is read, a
    few thousand rows at a time, so it may be any length. Cells a spreadsheet would run as a
    formula are written with a `'` in front."""
    store, today = request.app.state.store, _today(request)
    as_of = as_of or today
    if as_of == today:
        rows = _stored_rows(store, worklist, as_of)
    else:
        projected = projected_worklist(_all_cases(store), worklist, as_of)
        rows = ([entry[key] for key in ENTRY] for _key, entry in projected)
    filename = f"breaches-{worklist.replace('_', '-')}-{as_of.isoformat()}.csv"
    return StreamingResponse(
        _csv_chunks(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/reports/breaches/{worklist}", response_model=WorklistPage)
def worklist_page(
    worklist: WorklistName,
    request: Request,
    _actor: Reader,
    as_of: IsoDate | None = None,
    after: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    """A page of the `overdue` (most days overdue first) or `due_soon` (soonest first)
    worklist of the breach report: the entries after `after` (the previous page's `next`, or
    the summary's `overdue_next` / `due_soon_next`). Each page is one range of an index, so
    the last page costs what the first does. A cursor is good for the report's day only."""
    store, today = request.app.state.store, _today(request)
    as_of = as_of or today
    key = None if after is None else decode_cursor(after, as_of, worklist)
    if as_of == today:
        with store.reading() as session:  # one statement: no transaction around it
            entries, following = report.worklist_page(session, worklist, as_of, key, limit)
    else:
        entries, following = projected_page(_all_cases(store), worklist, as_of, key, limit)
    return {
        "as_of": as_of,
        "worklist": worklist,
        "limit": limit,
        "entries": entries,
        "next": following and encode_cursor(as_of, worklist, following),
    }


def _today(request: Request) -> date:
    """Today, with the stored statuses brought up to it (once a day)."""
    today = date.today()
    ensure_current(request.app.state.store, today)
    return today


def _all_cases(store) -> list:
    with store.session() as session:
        return store_cases.all_cases(session)


def _projected_key(states: list, name: str, as_of: date, limit: int) -> WorklistKey | None:
    """The key of the last entry a summary for another day lists (the next page's start)."""
    if limit == 0:
        return None  # nothing listed: the first page starts at the beginning
    return projected_worklist(states, name, as_of)[limit - 1][0]


def _stored_rows(store, worklist: str, as_of: date) -> Iterator[list]:
    # The session is opened when the response starts to be sent, and held until it ends.
    with store.session() as session:
        yield from report.worklist_rows(session, worklist, as_of)


def _csv_chunks(rows: Iterator[list], chunk: int = 2000) -> Iterator[str]:
    """CSV text, header row first, ``chunk`` rows at a time (each cell made safe to open in a
    spreadsheet)."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, line_end="\r\n")  # RFC 4180's line end
    writer.writerow(ENTRY)
    for count, row in enumerate(rows, 1):
        writer.writerow([str(cell) for cell in row])
        if count % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.post(
    "/cases/import",
    response_model=JobOut,
    status_code=202,
    openapi_extra=CSV_BODY,
    responses={
        202: {"description": "accepted: follow the job at its Location"},
        415: {"description": "not text/csv or JSON"},
        422: {"description": "not UTF-8, or no header row with case_id and received"},
    },
)
def import_cases(request: Request, response: Response, actor: Writer, text: CsvText):
    """Store a caseload CSV (the format of `send-clock breaches`, plus an optional `officer`
    column) in one transaction, as a background job: the answer is the job (202, `Location:
    /v1/jobs/{id}`). When any row cannot be used, nothing is stored and the job fails listing
    every bad row."""
    store = request.app.state.store
    with store.session() as session:
        job_id = jobs.create_job(session, "import", actor.name)
    request.app.state.jobs.submit(
        job_id, run_import_job, store.url, job_id, text.encode("utf-8"), actor.name
    )
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    with store.session() as session:
        return jobs.get_job(session, job_id)


@router.get("/jobs/{job_id:int}", response_model=JobOut)
def get_job(job_id: JobIdPath, request: Request, _actor: Reader):
    """A background job: its state (queued, running, succeeded, failed), rows done of rows
    total, the rows it refused, and its result."""
    with request.app.state.store.session() as session:
        return jobs.get_job(session, job_id)

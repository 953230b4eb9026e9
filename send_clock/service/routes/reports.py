"""The breach report over stored cases, and importing a caseload CSV all-or-nothing as a
background job."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...reports import summarise
from ...store import cases as store_cases
from ...store import jobs
from ...store.projection import batches_of
from ...store.report import JsonText, stored_summary
from ...store.stored import ensure_current
from ..auth import Reader, Writer
from ..importing import check_header, decode, run_import_job
from ..schemas import BreachSummary, Id, ImportIn, IsoDate, JobOut

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


@router.get("/reports/breaches", response_model=BreachSummary)
def breaches(request: Request, _actor: Reader, as_of: IsoDate | None = None):
    """The same summary as `send-clock breaches`, over every stored case, as of a date (today
    by default: summed by the database from the stored statuses; another date projects the
    cases again, which costs the whole caseload)."""
    today = date.today()
    as_of = as_of or today
    store = request.app.state.store
    if as_of == today:
        ensure_current(store, today)
        with store.session() as session:
            summary = stored_summary(session, today)
    else:
        with store.session() as session:
            batches, rejected = batches_of(store_cases.all_cases(session), as_of)
        summary = summarise(batches, rows_rejected=rejected)
    return _answer({"as_of": as_of, **summary})


def _answer(summary: dict) -> dict | Response:
    """The summary, or (when the database wrote the worklists as JSON text) its JSON with the
    worklists put in as they are: the rest is still checked against the model."""
    written = {key: value for key, value in summary.items() if isinstance(value, JsonText)}
    if not written:
        return summary
    fields = BreachSummary.model_validate({**summary, **dict.fromkeys(written, [])})
    parts = (
        f"{json.dumps(key)}:{written[key] if key in written else _json(value)}"
        for key, value in fields.model_dump(mode="json").items()
    )
    return Response("{" + ",".join(parts) + "}", media_type="application/json")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: Id, request: Request, _actor: Reader):
    """A background job: its state (queued, running, succeeded, failed), rows done of rows
    total, the rows it refused, and its result."""
    with request.app.state.store.session() as session:
        return jobs.get_job(session, job_id)

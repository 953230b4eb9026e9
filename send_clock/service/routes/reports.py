"""The breach report over stored cases, and importing a caseload CSV all-or-nothing."""

from __future__ import annotations

import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ...errors import InputError
from ...reports import project_caseload, read_caseload, summarise
from ...store import cases as store
from ...store.projection import batches_of
from ...timelines.schedule import cases_of
from ..auth import Reader, Writer
from ..problems import respond
from ..schemas import BreachSummary, ImportIn, ImportResult, IsoDate

router = APIRouter(tags=["reports"])
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


@router.get("/reports/breaches", response_model=BreachSummary)
def breaches(request: Request, _actor: Reader, as_of: IsoDate | None = None):
    """The same summary as `send-clock breaches`, over every stored case, as of a date (today
    by default)."""
    as_of = as_of or date.today()
    with request.app.state.store.session() as session:
        states = store.all_cases(session)
    batches, rejected = batches_of(states, as_of)
    return {"as_of": as_of, **summarise(batches, rows_rejected=rejected)}


@router.post(
    "/cases/import",
    response_model=ImportResult,
    status_code=201,
    openapi_extra=CSV_BODY,
    responses={422: {"description": "rows rejected"}},
)
async def import_cases(request: Request, actor: Writer):
    """Store a caseload CSV (the format of `send-clock breaches`) in one transaction: when any
    row cannot be used, nothing is stored and every bad row is listed."""
    text = await _csv_text(request)
    caseload = read_caseload(io.StringIO(text, newline=""), name="upload.csv")
    errors = [
        {"line": r.line, "case_id": r.case_id, "message": r.reason}
        for r in project_caseload(caseload, date.today()).rejected
    ]
    errors += _not_bundled(caseload)
    wanted = [
        (group, case)
        for group in caseload.groups
        for case in cases_of(group.process, group.cases, group.case_ids)
    ]
    with request.app.state.store.session() as session:
        taken = store.existing_refs(session, [case.case_id for _group, case in wanted])
        errors += [
            {
                "line": _line(group, case.case_id),
                "case_id": case.case_id,
                "message": f"a case with reference {case.case_id!r} is already stored",
            }
            for group, case in wanted
            if case.case_id in taken
        ]
        if errors or not wanted:
            return respond(
                request,
                422,
                f"{len(errors)} row(s) cannot be imported; nothing was stored"
                if errors
                else "the CSV holds no cases",
                errors=sorted(errors, key=lambda e: e["line"] or 0),
            )
        created = [
            store.create_case(
                session,
                case.case_id,
                group.process.id,
                group.calendar.id,
                case.received,
                None,
                actor.name,
                store.records_of(case),
            ).id
            for group, case in wanted
        ]
    return {"imported": len(created), "case_ids": created, "warnings": caseload.warnings}


async def _csv_text(request: Request) -> str:
    """The CSV of the body: the body itself (text/csv), or the ``csv`` of a JSON body."""
    raw = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            return ImportIn.model_validate_json(raw).csv
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"the CSV is not UTF-8 text (byte {error.start})") from None


def _not_bundled(caseload) -> list[dict]:
    """Over HTTP only bundled processes and calendars: a path would read the server's disk."""
    return [
        {
            "line": _line(group, case_id),
            "case_id": str(case_id),
            "message": "only bundled processes and calendars can be used here, not files",
        }
        for group in caseload.groups
        if group.process.origin != "bundled" or group.calendar.origin != "bundled"
        for case_id in group.case_ids
    ]


def _line(group, case_id) -> int | None:
    if group.lines is None:
        return None
    positions = [i for i, value in enumerate(group.case_ids) if value == case_id]
    return int(group.lines[positions[0]]) if positions else None

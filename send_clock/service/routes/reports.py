"""The breach report over stored cases, and importing a caseload CSV all-or-nothing."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ...errors import InputError
from ...reports import project_caseload, read_caseload, summarise
from ...store import cases as store
from ...store.projection import batches_of
from ...timelines.schedule import cases_of
from ..auth import Reader, Writer
from ..problems import respond
from ..schemas import BreachSummary, ImportResult

router = APIRouter(tags=["reports"])


async def raw_body(request: Request) -> bytes:
    """The request body, read on the event loop; the import itself then runs in the thread
    pool (a plain ``def`` route), so a long import never holds up other requests."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
CSV_BODY = {
    "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
}


@router.get("/reports/breaches", response_model=BreachSummary)
def breaches(request: Request, _actor: Reader, as_of: date | None = None):
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
def import_cases(request: Request, actor: Writer, raw: RawBody):
    """Store a caseload CSV (the format of `send-clock breaches`) in one transaction: when any
    row cannot be used, nothing is stored and every bad row is listed."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"the CSV is not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:  # PostgreSQL cannot store it: refuse it as bad input, not a crash
        raise InputError("the CSV holds a NUL character; save it again as plain CSV UTF-8")
    caseload = read_caseload(io.StringIO(text, newline=""), name="upload.csv", ids_only=True)
    errors = [
        {"line": r.line, "case_id": r.case_id, "message": r.reason}
        for r in project_caseload(caseload, date.today()).rejected
    ]
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


def _line(group, case_id) -> int | None:
    if group.lines is None:
        return None
    positions = [i for i, value in enumerate(group.case_ids) if value == case_id]
    return int(group.lines[positions[0]]) if positions else None

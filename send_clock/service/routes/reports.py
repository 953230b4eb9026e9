"""The breach report over stored cases, and importing a caseload CSV all-or-nothing."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ...reports import summarise
from ...store import cases as store
from ...store.projection import batches_of
from ..auth import Reader, Writer
from ..importing import decode, import_caseload
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
    """Store a caseload CSV (the format of `send-clock breaches`, plus an optional `officer`
    column) in one transaction: when any row cannot be used, nothing is stored and every bad
    row is listed."""
    text = await _csv_text(request)
    result = import_caseload(request.app.state.store, text, actor.name, date.today())
    if result.errors or not result.case_ids:
        return respond(
            request,
            422,
            f"{result.refusal()}; nothing was stored"
            if result.errors
            else "the CSV holds no cases",
            errors=result.errors,
        )
    return {
        "imported": len(result.case_ids),
        "case_ids": result.case_ids,
        "warnings": result.warnings,
    }


async def _csv_text(request: Request) -> str:
    """The CSV of the body: the body itself (text/csv), or the ``csv`` of a JSON body."""
    raw = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            raw = ImportIn.model_validate_json(raw).csv.encode("utf-8")
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
    return decode(raw)

"""Storing a caseload CSV all-or-nothing: one function for the API and the upload page.

The format is the breach report's (``send-clock breaches``), plus an optional ``officer``
column. When any row cannot be used, nothing is stored and every bad row is listed.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..csvfiles import sniff_separator
from ..errors import InputError, SendClockError
from ..ical import check_reference
from ..officers import officer_problem, stored_officer_problem
from ..reports import project_caseload, read_caseload
from ..reports.caseload import caseload_columns
from ..store import DatabaseUnavailable, Store, imports, jobs
from ..store import cases as store
from ..timelines.schedule import cases_of

log = logging.getLogger("send_clock.jobs")


@dataclass
class Imported:
    """What an import did: the new case ids, or the rows that stopped it."""

    case_ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def refusal(self) -> str:
        """How many rows stop the import, and how many problems they have (a row can have
        several): ``2 rows cannot be imported (3 problems)``."""
        rows = len({(e["line"], e["case_id"]) for e in self.errors})
        problems = len(self.errors)
        text = f"{rows} row{'s' if rows != 1 else ''} cannot be imported"
        return text + (f" ({problems} problems)" if problems != rows else "")


def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"the CSV is not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:  # no database can store it, and no real caseload holds one
        raise InputError("the CSV holds a NUL character; save it again as plain CSV UTF-8")
    return text


def check_header(text: str, name: str = "upload.csv") -> None:
    """Refuse at once (:class:`InputError`, 422) a CSV that cannot be a caseload whatever its
    rows hold, by the caseload reader's own rule (:func:`caseload_columns`), its separator sniffed
    as the reader sniffs it. The API checks this before it accepts an import job, so a body the
    contract does not allow is never answered 202."""
    first_line = io.StringIO(text, newline="").readline()
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(first_line))
    caseload_columns(name, next(rows, None))


def import_caseload(
    database: Store,
    text: str,
    actor: str,
    today: date,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> Imported:
    """Store every case of the CSV ``text`` in one transaction, or none of them;
    ``on_progress(done, total)`` hears how far the storing has got."""
    # Bundled ids only: a path in a process or calendar cell is refused without being opened.
    caseload = read_caseload(io.StringIO(text, newline=""), name="upload.csv", ids_only=True)
    result = Imported(warnings=list(caseload.warnings))
    result.errors = [
        {"line": r.line, "case_id": r.case_id, "message": r.reason}
        for r in project_caseload(caseload, today).rejected
    ]
    officers, officer_errors = officers_of(text)
    result.errors += officer_errors
    wanted = [
        (group, case)
        for group in caseload.groups
        for case in cases_of(group.process, group.cases, group.case_ids)
    ]
    unusable = _bad_references(wanted)
    result.errors += unusable
    refused = {error["case_id"] for error in unusable}  # never sent to the database (NUL...)
    refs = [case.case_id for _group, case in wanted if case.case_id not in refused]
    try:
        with database.session() as session:
            result.errors += _already_stored(wanted, store.existing_refs(session, refs))
            result.errors.sort(key=lambda e: e["line"] or 0)
            if result.errors or not wanted:
                return result
            known_before = imports.cases_known_to_planner(session)
            on_progress(0, len(wanted))
            stored = [
                (group.process.id, group.calendar.id, case, officers.get(case.case_id))
                for group, case in wanted
            ]
            result.case_ids = imports.import_cases(
                session, stored, actor, lambda done: on_progress(done, len(wanted))
            )
    except Exception:
        # Another import stored some of these references between the check above and this
        # one's insert (the database's unique rule stopped it, and nothing was stored): its
        # rows are refused as a later import's are. The error itself is not looked at (its
        # message quotes the references) nor passed on; any other failure is.
        with database.session() as session:
            taken = store.existing_refs(session, refs)
        if not taken:
            raise
        result.errors = _already_stored(wanted, taken)
        return result
    if imports.statistics_stale(len(result.case_ids), known_before):
        imports.gather_statistics(database)
    return result


def _already_stored(wanted: list, taken) -> list[dict]:
    """The rows of ``wanted`` whose reference is in ``taken``, refused for it."""
    return [
        {
            "line": _line(group, case.case_id),
            "case_id": case.case_id,
            "message": f"a case with reference {case.case_id!r} is already stored",
        }
        for group, case in wanted
        if case.case_id in taken
    ]


def run_import_job(url: str, job_id: int, raw: bytes, actor: str) -> None:
    """The background job of ``POST /v1/cases/import`` (run in a process of its own): store
    the CSV ``raw`` or, when any row cannot be used, nothing. The job ends ``succeeded`` with the
    new ids, or ``failed`` with every bad row."""
    database = Store(url, pool_size=1, max_overflow=1)

    def progress(done: int, total: int) -> None:
        if done and database.url.startswith("sqlite"):
            return  # one writer at a time: the import's own transaction holds the lock
        with database.session() as session:
            jobs.progress(session, job_id, done, total)

    try:
        try:
            result = import_caseload(database, decode(raw), actor, date.today(), progress)
            if result.errors or not result.case_ids:
                outcome = {
                    "errors": result.errors,
                    "message": f"{result.refusal()}; nothing was stored"
                    if result.errors
                    else "the CSV holds no cases",
                }
            else:
                outcome = {
                    "result": {
                        "imported": len(result.case_ids),
                        "case_ids": result.case_ids,
                        "warnings": result.warnings,
                    },
                    "rows_done": len(result.case_ids),
                }
        except DatabaseUnavailable as error:
            # Its message names the database (for whoever runs send-clock); the job's is read
            # by API clients and on the import page: said as a request's 503 says it.
            log.warning("import job %s: database unavailable: %s", job_id, type(error).__name__)
            outcome = {"message": f"the import stopped: {error.for_clients}"}
        except SendClockError as error:
            outcome = {"message": str(error)}
        except Exception as error:  # a bug: reported on the job, logged without the data
            log.exception("import job %s failed: %s", job_id, type(error).__name__)
            outcome = {"message": "the import failed on the server; nothing was stored"}
        with database.session() as session:
            jobs.finish(session, job_id, **outcome)
    finally:
        database.dispose()


def officers_of(text: str) -> tuple[dict[str, str], list[dict]]:
    """case reference -> officer from the ``officer`` column (absent: nothing), and the rows
    whose officer cannot be stored (too long; a control character is the caseload reader's
    rejection). A name starting with = + - @ is taken, as at every entry
    (:mod:`send_clock.officers`)."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "officer" not in header or "case_id" not in header:
        return {}, []
    case_at, officer_at = header.index("case_id"), header.index("officer")
    officers, errors = {}, []
    for row in rows:
        line = rows.line_num
        if len(row) <= max(case_at, officer_at):
            continue
        ref, officer = row[case_at].strip(), row[officer_at].strip()
        if not officer:
            continue
        if officer_problem(officer):
            continue  # the reader rejects the row already (one message per problem)
        problem = stored_officer_problem(officer)
        if problem:
            errors.append({"line": line, "case_id": ref, "message": problem})
        else:
            officers[ref] = officer
    return officers, errors


def _bad_references(wanted: list) -> list[dict]:
    """References that cannot name a case (they become calendar UIDs: never a name)."""
    errors = []
    for group, case in wanted:
        try:
            check_reference(case.case_id)
        except InputError as error:
            errors.append(
                {"line": _line(group, case.case_id), "case_id": case.case_id, "message": str(error)}
            )
    return errors


def _line(group, case_id) -> int | None:
    if group.lines is None:
        return None
    positions = [i for i, value in enumerate(group.case_ids) if value == case_id]
    return int(group.lines[positions[0]]) if positions else None

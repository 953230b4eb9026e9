"""Storing a caseload CSV all-or-nothing: one function for the API and the upload page.

The format is the breach report's (``send-clock breaches``), plus an optional ``officer``
column. When any row cannot be used, nothing is stored and every bad row is listed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from ..errors import InputError
from ..ical import check_reference
from ..reports import project_caseload, read_caseload
from ..store import Store
from ..store import cases as store
from ..timelines.schedule import cases_of

OFFICER_LENGTH = 100  # the column's size in the database
#: A cell a spreadsheet would run as a formula, or one holding control characters.
_HOSTILE = re.compile(r"^[=+\-@\t\r]|[\x00-\x1f\x7f]")


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


def import_caseload(database: Store, text: str, actor: str, today: date) -> Imported:
    """Store every case of the CSV ``text`` in one transaction, or none of them."""
    caseload = read_caseload(io.StringIO(text, newline=""), name="upload.csv")
    result = Imported(warnings=list(caseload.warnings))
    result.errors = [
        {"line": r.line, "case_id": r.case_id, "message": r.reason}
        for r in project_caseload(caseload, today).rejected
    ]
    result.errors += _not_bundled(caseload)
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
    with database.session() as session:
        taken = store.existing_refs(
            session, [case.case_id for _group, case in wanted if case.case_id not in refused]
        )
        result.errors += [
            {
                "line": _line(group, case.case_id),
                "case_id": case.case_id,
                "message": f"a case with reference {case.case_id!r} is already stored",
            }
            for group, case in wanted
            if case.case_id in taken
        ]
        result.errors.sort(key=lambda e: e["line"] or 0)
        if result.errors or not wanted:
            return result
        result.case_ids = [
            store.create_case(
                session,
                case.case_id,
                group.process.id,
                group.calendar.id,
                case.received,
                officers.get(case.case_id),
                actor,
                store.records_of(case),
            ).id
            for group, case in wanted
        ]
    return result


def officers_of(text: str) -> tuple[dict[str, str], list[dict]]:
    """case reference -> officer from the ``officer`` column (absent: nothing), and the rows
    whose officer cannot be stored (too long, a formula, control characters)."""
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
        problem = _officer_problem(officer)
        if problem:
            errors.append({"line": line, "case_id": ref, "message": problem})
        else:
            officers[ref] = officer
    return officers, errors


def _officer_problem(officer: str) -> str:
    if len(officer) > OFFICER_LENGTH:
        return f"the officer's name is longer than {OFFICER_LENGTH} characters"
    if _HOSTILE.search(officer):
        return (
            "the officer's name starts with = + - @ or holds a control character; "
            "write the name as plain text"
        )
    return ""


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

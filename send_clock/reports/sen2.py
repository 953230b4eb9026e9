"""The DfE SEN2 person-level return, as exported from COLLECT in "Blade" CSV form.

A Blade export is a folder of CSV files, one per module, named
``Blade-Export_<DD-MM-YYYY>_<module>.csv``. Three are read; the others are ignored:

* ``requests``: ``requeststableid``, ``receiveddate``, ``requestoutcomedate``,
  ``requestoutcome``;
* ``assessment``: ``assessmenttableid``, ``requeststableid``, ``assessmentoutcome``,
  ``assessmentoutcomedate``, ``week20``;
* ``namedplan``: ``assessmenttableid``, ``startdate``.

Each request is a case of ``england-ehcna``:

* received = ``receiveddate``; ``decision_to_assess`` = ``requestoutcomedate``;
* decision = agreed when the request outcome means "assess" or the request has an assessment;
  refused when it means "not assess"; not known yet when "pending";
* outcome = plan or no_plan from the assessment outcome code; with no_plan, ``no_plan_notice`` =
  ``assessmentoutcomedate``; with plan, ``final_plan`` = ``assessmentoutcomedate`` (the day the
  final plan was issued; blank while it is decided but not issued). The named plan's
  ``startdate`` is a fallback only, used when ``assessmentoutcomedate`` is blank; where both
  exist and disagree, the case gets a warning;
* "withdrawn" (either outcome) leaves the case out, counted in ``rows_withdrawn``; "historical"
  (decided before this collection period) leaves it out, counted in ``rows_historical`` - except
  a historical request whose assessment decided to issue a plan and dates its issue: a plan
  issued now, which counts;
* ``week20`` true = an exception to the 20-week limit was recorded for the final plan: the case
  is left out of the "excluding exceptions" figures, and a late final plan is ``excused``.

What the outcome codes mean is in one table, ``data/sen2-codes.toml`` (the 2023-onwards codes,
as quoted by secondary sources of the DfE guide), which :func:`load_sen2_codes` reads, or a
user's own file of the same layout.

Dates look like ``2022-Sep-28 00:00:00``; ``YYYY-MM-DD`` and ``DD/MM/YYYY`` are read too.

>>> parse_blade_date("2022-Sep-28 00:00:00")
datetime.date(2022, 9, 28)
>>> load_sen2_codes().request["N"]
'not_assess'
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

from ..calendars import Calendar, load_calendar
from ..dates import parse_date
from ..errors import InputError
from ..timelines import Cases, Process, load_process
from .batches import CaseGroup, Caseload, Rejected

MODULES = {
    "requests": ("requeststableid", "receiveddate", "requestoutcomedate", "requestoutcome"),
    "assessment": (
        "assessmenttableid",
        "requeststableid",
        "assessmentoutcome",
        "assessmentoutcomedate",
        "week20",
    ),
    "namedplan": ("assessmenttableid", "startdate"),
}
REQUEST_MEANINGS = ("assess", "not_assess", "withdrawn", "pending", "historical")
ASSESSMENT_MEANINGS = ("plan", "no_plan", "withdrawn", "pending", "historical")
#: Why a request is left out of the figures, as the caseload counts it.
WITHDRAWN, HISTORICAL = "rows_withdrawn", "rows_historical"
#: The milestones a SEN2 return dates; the summary's statuses and worklists cover these only.
REPORTED = ("request_received", "decision_to_assess", "no_plan_notice", "final_plan")
_FILE_NAME = re.compile(r"^blade-export_(\d{2}-\d{2}-\d{4})_([a-z0-9]+)\.csv$", re.IGNORECASE)
_BLADE_DATE = re.compile(r"^(\d{4})-([A-Za-z]{3})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


# -- the code table -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Sen2Codes:
    """What the SEN2 outcome codes mean; keys are upper-case codes."""

    request: dict[str, str]
    assessment: dict[str, str]
    week20_true: frozenset[str]
    week20_false: frozenset[str]
    source: str = "bundled"
    status: str = ""
    covers: str = ""


def load_sen2_codes(path: str | Path | None = None) -> Sen2Codes:
    """The bundled code table (UNCONFIRMED), or the one in the TOML file at ``path``."""
    if path is None:
        text = (resources.files("send_clock.reports") / "data" / "sen2-codes.toml").read_text(
            encoding="utf-8"
        )
        name = "the bundled SEN2 code table"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the SEN2 code table {path}: {error}") from None
        name = str(path)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{name} is not valid TOML: {error}") from None
    return Sen2Codes(
        request=_meanings(table, "requestoutcome", REQUEST_MEANINGS, name),
        assessment=_meanings(table, "assessmentoutcome", ASSESSMENT_MEANINGS, name),
        week20_true=_flags(table, "true", name),
        week20_false=_flags(table, "false", name),
        source="bundled" if path is None else str(path),
        status=str(table.get("status", "")),
        covers=str(table.get("covers", "")),
    )


def _meanings(table: dict, key: str, allowed: tuple[str, ...], name: str) -> dict[str, str]:
    codes = table.get(key)
    if not isinstance(codes, dict) or not codes:
        raise InputError(f'{name}: give a [{key}] table of codes, e.g. A = "{allowed[0]}"')
    for code, meaning in codes.items():
        if meaning not in allowed:
            raise InputError(
                f"{name}: [{key}] {code} = {meaning!r}: a meaning is one of {', '.join(allowed)}"
            )
    return {code.strip().upper(): meaning for code, meaning in codes.items()}


def _flags(table: dict, key: str, name: str) -> frozenset[str]:
    values = table.get("week20", {}).get(key)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InputError(f'{name}: give [week20] {key} = [...], e.g. {key} = ["1", "{key}"]')
    return frozenset(v.strip().lower() for v in values)


# -- dates --------------------------------------------------------------------------------------
def parse_blade_date(text: str, what: str = "date") -> date:
    """A Blade export date (``2022-Sep-28 00:00:00``), or ``YYYY-MM-DD`` / ``DD/MM/YYYY``."""
    value = str(text).strip()
    match = _BLADE_DATE.match(value)
    if match is None:
        try:
            return parse_date(value.split(" ")[0] if value[:4].isdigit() else value, what)
        except InputError:
            raise InputError(
                f"{value!r} is not a {what} send-clock reads: a SEN2 export writes dates as "
                "2022-Sep-28 00:00:00; YYYY-MM-DD and DD/MM/YYYY are read too"
            ) from None
    year, month_name, day = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise InputError(f"{value!r}: {month_name!r} is not a month (Jan, Feb, ... Dec)")
    return parse_date(f"{year}-{month:02d}-{int(day):02d}", what)


# -- the files ----------------------------------------------------------------------------------
@dataclass
class _Table:
    """One module file: its rows as dicts of the columns used, with their line numbers."""

    name: str
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def find_export(folder: str | Path) -> dict[str, Path]:
    """The three module files of the newest complete export in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give the folder of a SEN2 Blade export")
    exports: dict[date, dict[str, Path]] = {}
    for path in folder.iterdir():
        match = _FILE_NAME.match(path.name)
        if match and match.group(2).lower() in MODULES:
            day, month, year = (int(part) for part in match.group(1).split("-"))
            try:
                exported = date(year, month, day)
            except ValueError:
                continue
            exports.setdefault(exported, {})[match.group(2).lower()] = path
    complete = [day for day, files in exports.items() if len(files) == len(MODULES)]
    if not complete:
        found = ", ".join(sorted(p.name for files in exports.values() for p in files.values()))
        raise InputError(
            f"{folder} holds no complete SEN2 Blade export: it needs "
            "Blade-Export_<DD-MM-YYYY>_requests.csv, _assessment.csv and _namedplan.csv"
            + (f" (found only: {found})" if found else " (found none)")
        )
    return exports[max(complete)]


def _read_table(path: Path, columns: tuple[str, ...]) -> _Table:
    table = _Table(path.name)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = [cell.strip().lower() for cell in next(reader, [])]
            missing = [column for column in columns if column not in header]
            if not header or missing:
                raise InputError(
                    f"{path.name} has no {', '.join(missing or columns)} column; a SEN2 Blade "
                    f"{path.stem.rsplit('_', 1)[-1]} file needs {', '.join(columns)}"
                )
            at = [header.index(column) for column in columns]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                row += [""] * (len(header) - len(row))
                table.rows.append({c: row[i].strip() for c, i in zip(columns, at, strict=True)})
                table.lines.append(reader.line_num)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    except csv.Error as error:
        raise InputError(f"{path.name}: {error}") from None
    return table


# -- from rows to cases -------------------------------------------------------------------------
def read_sen2_blade(
    folder: str | Path,
    *,
    process: str | Path | Process | None = None,
    calendar: str | Path | Calendar | None = None,
    codes: Sen2Codes | str | Path | None = None,
) -> Caseload:
    """Read a SEN2 Blade export folder into one group of ``england-ehcna`` cases."""
    files = find_export(folder)
    tables = {module: _read_table(files[module], MODULES[module]) for module in MODULES}
    process = load_process(process or "england-ehcna")
    _check_process(process)
    calendar = load_calendar(calendar or process.default_calendar)
    codes = codes if isinstance(codes, Sen2Codes) else load_sen2_codes(codes)
    return _Sen2(tables, process, calendar, codes, str(folder)).caseload()


def _check_process(process: Process) -> None:
    needed = {"decision_to_assess", "no_plan_notice", "final_plan"}
    branches = process.branches
    if (
        not needed <= set(process.ids)
        or "refused" not in getattr(branches.get("decision"), "values", ())
        or "no_plan" not in getattr(branches.get("outcome"), "values", ())
    ):
        raise InputError(
            f"a SEN2 return describes England's EHC needs assessment; {process.id} does not "
            "have its milestones (use england-ehcna or an overlay of it)"
        )


class _Sen2:
    def __init__(self, tables, process, calendar, codes, source):
        self.requests, self.assessments, self.plans = (
            tables["requests"],
            tables["assessment"],
            tables["namedplan"],
        )
        self.process, self.calendar, self.codes, self.source = process, calendar, codes, source
        self.rejected: list[Rejected] = []
        self.left_out = {WITHDRAWN: 0, HISTORICAL: 0}
        self.warnings: list[str] = []
        self.first_line: dict[str, int] = {}

    def reject(self, table: _Table, index: int, case_id: str, reason: str) -> None:
        self.rejected.append(Rejected(table.name, table.lines[index], case_id, reason))

    def caseload(self) -> Caseload:
        assessment_of = self._assessments_by_request()
        plan_issued = self._plans_by_assessment()
        built = [self._case(i, assessment_of, plan_issued) for i in range(len(self.requests.rows))]
        cases = [case for case in built if case is not None]
        warnings = list(self.warnings)
        for key, what in (
            (WITHDRAWN, "withdrawn or ceased before a decision (outcome code meaning 'withdrawn')"),
            (HISTORICAL, "decided before this collection period (outcome code 'historical')"),
        ):
            if count := self.left_out[key]:
                warnings.append(
                    f"{count} request{'s were' if count > 1 else ' was'} {what} and left out "
                    f"of the figures ({key})"
                )
        if self.codes.status.upper().startswith("UNCONFIRMED"):
            warnings.append(
                "SEN2 outcome codes were read with the bundled table, which is UNCONFIRMED; "
                "check it against the SEN2 guide (docs/breaches.md) or give your own with "
                "--sen2-codes"
            )
        self.rejected.sort(key=lambda r: (r.source, r.line))
        return Caseload(
            self.source,
            [self._group(cases)] if cases else [],
            self.rejected,
            warnings,
            rows_read=len(self.requests.rows),
            left_out=dict(self.left_out),
        )

    def _assessments_by_request(self) -> dict[str, list[int]]:
        request_ids = {row["requeststableid"] for row in self.requests.rows}
        found: dict[str, list[int]] = {}
        for index, row in enumerate(self.assessments.rows):
            request = row["requeststableid"]
            if request not in request_ids:
                self.reject(
                    self.assessments,
                    index,
                    row["assessmenttableid"],
                    f"assessment {row['assessmenttableid']} belongs to request {request!r}, "
                    f"which is not in {self.requests.name}",
                )
                continue
            found.setdefault(request, []).append(index)
        return found

    def _plans_by_assessment(self) -> dict[str, date]:
        """Each assessment's named plan ``startdate`` (the earliest): a fallback for the issue
        date only."""
        assessment_ids = {row["assessmenttableid"] for row in self.assessments.rows}
        issued: dict[str, date] = {}
        for index, row in enumerate(self.plans.rows):
            assessment = row["assessmenttableid"]
            try:
                if assessment not in assessment_ids:
                    raise InputError(
                        f"the plan belongs to assessment {assessment!r}, which is not in "
                        f"{self.assessments.name}"
                    )
                day = parse_blade_date(row["startdate"], "plan start date")
            except InputError as error:
                self.reject(self.plans, index, assessment, str(error))
                continue
            issued[assessment] = min(day, issued.get(assessment, day))
        return issued

    def _case(self, index: int, assessment_of, plan_issued) -> dict | None:
        row = self.requests.rows[index]
        case_id = row["requeststableid"]
        try:
            if not case_id:
                raise InputError("the requeststableid is empty")
            if case_id in self.first_line:
                raise InputError(
                    f"request {case_id} appears again (first on line {self.first_line[case_id]})"
                )
            self.first_line[case_id] = self.requests.lines[index]
            case = self._request(row)
            found = assessment_of.get(case_id, [])
            if len(found) > 1:
                lines = ", ".join(str(self.assessments.lines[i]) for i in found)
                raise InputError(
                    f"the request has {len(found)} assessments ({self.assessments.name} lines "
                    f"{lines}); send-clock measures one assessment per request"
                )
            assessment = self.assessments.rows[found[0]] if found else None
            left_out = self._decision(case, row, assessment)
            if left_out is None and assessment is not None:
                left_out = self._assessment(case, assessment, plan_issued)
        except InputError as error:
            self.reject(self.requests, index, case_id, str(error))
            return None
        if left_out is not None:
            self.left_out[left_out] += 1
            return None
        return case

    def _request(self, row: dict) -> dict:
        if not row["receiveddate"]:
            raise InputError("the receiveddate is empty; the request needs the date it arrived")
        return {
            "case_id": row["requeststableid"],
            "received": parse_blade_date(row["receiveddate"], "received date"),
            "decision_to_assess": _optional_date(row["requestoutcomedate"], "request outcome date"),
        }

    def _decision(self, case: dict, row: dict, assessment: dict | None) -> str | None:
        """Set the decision; the reason the request is left out, if it is."""
        code = row["requestoutcome"]
        meaning = self._meaning(code, self.codes.request, "requestoutcome")
        if assessment is not None and meaning == "not_assess":
            raise InputError(
                f"requestoutcome {code!r} means a decision not to assess, but the request has "
                "an assessment; correct one of them"
            )
        if meaning == "withdrawn":
            return WITHDRAWN
        if meaning == "historical" and assessment is None:
            return HISTORICAL  # decided before this period, and nothing since
        if meaning == "pending" and case["decision_to_assess"] is not None:
            raise InputError(
                f"requestoutcome {code!r} means no decision yet, but the request outcome is "
                f"dated {case['decision_to_assess']}; correct one of them"
            )
        if assessment is not None or meaning == "assess":
            case["decision"] = "agreed"
        elif meaning == "not_assess":
            case["decision"] = "refused"
        return None

    def _assessment(self, case: dict, row: dict, plan_issued: dict[str, date]) -> str | None:
        """Set the outcome and its dates; the reason the request is left out, if it is."""
        meaning = self._meaning(
            row["assessmentoutcome"], self.codes.assessment, "assessmentoutcome"
        )
        if meaning == "withdrawn":
            return WITHDRAWN
        if meaning == "historical":
            return HISTORICAL  # the decision after the assessment came before this period
        decided_on = _optional_date(row["assessmentoutcomedate"], "assessment outcome date")
        if meaning in ("plan", "no_plan"):
            case["outcome"] = meaning
        if meaning == "no_plan":
            case["no_plan_notice"] = decided_on
        if meaning == "plan":
            case["final_plan"] = self._issued(
                case, decided_on, plan_issued.get(row["assessmenttableid"])
            )
        flag = row["week20"].strip().lower()
        if flag not in self.codes.week20_true | self.codes.week20_false:
            raise InputError(f"week20 {row['week20']!r} is not 1/0 or true/false")
        case["week20"] = flag in self.codes.week20_true
        return None

    def _issued(self, case: dict, outcome_date: date | None, start_date: date | None):
        """The final plan's issue date: ``assessmentoutcomedate``; the named plan's
        ``startdate`` only when that is blank."""
        if outcome_date and start_date and outcome_date != start_date:
            self.warnings.append(
                f"request {case['case_id']}: the final plan is dated {outcome_date} "
                f"(assessmentoutcomedate) but its named plan starts on {start_date} "
                "(startdate); the assessmentoutcomedate is used as the issue date"
            )
        return outcome_date or start_date

    def _meaning(self, code: str, table: dict[str, str], column: str) -> str:
        key = code.strip().upper()
        if not key:
            return "pending"
        if key not in table:
            raise InputError(
                f"{column} {code!r} is not in the SEN2 code table (known: "
                f"{', '.join(sorted(table))}); add it to your own table and give it with "
                "--sen2-codes"
            )
        return table[key]

    def _group(self, cases: list[dict]) -> CaseGroup:
        process = self.process

        def dates(key: str) -> np.ndarray:
            return np.array([case.get(key) for case in cases], dtype="datetime64[D]")

        def codes(branch: str) -> np.ndarray:
            values = process.branches[branch].values
            return np.array(
                [values.index(case[branch]) if branch in case else -1 for case in cases],
                dtype=np.int8,
            )

        return CaseGroup(
            process=process,
            calendar=self.calendar,
            case_ids=np.array([case["case_id"] for case in cases], dtype=str),
            lines=np.array([self.first_line[case["case_id"]] for case in cases], dtype=np.int64),
            cases=Cases(
                received=dates("received"),
                actual={m: dates(m) for m in REPORTED[1:]},
                outcomes={"decision": codes("decision"), "outcome": codes("outcome")},
            ),
            source=self.requests.name,
            exception_cases=np.array([case.get("week20", False) for case in cases], dtype=bool),
            reported=REPORTED,
        )


def _optional_date(text: str, what: str) -> date | None:
    return parse_blade_date(text, what) if text.strip() else None

"""Loading process definitions: bundled by id, or a local authority's file by path.

A process file is TOML (see ``send_clock/timelines/data/england-ehcna.toml`` for the full form).
It is validated as it loads: unknown keys, units, anchors, branches and exception kinds, cycles
between milestones and missing bases are errors naming the file and the entry.

An *overlay* (``extends = "england-ehcna"``) adds practice milestones (panels, meetings) to a
statutory process, or replaces one with ``replaces = true``; it goes through the same checks.

>>> [p.id for p in bundled_processes()][0]
'england-annual-review'
>>> load_process("england-ehcna").milestone("final_plan").basis
'SEND Regulations 2014 reg 13(2)'
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..calendars.units import parse_unit
from ..datafiles import FILE_ID, DataFiles, TableReader, decode_text, parse_toml
from ..errors import ProcessError, ProcessFileError, SendClockError
from .model import (
    EXCEPTION_KINDS,
    KINDS,
    Branch,
    CaseDate,
    Condition,
    Milestone,
    Param,
    Process,
    Revision,
    Rule,
    Step,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_TOP_KEYS = {
    "id",
    "title",
    "category",
    "jurisdiction",
    "default_calendar",
    "description",
    "basis",
    "start",
    "start_label",
    "branches",
    "dates",
    "params",
    "milestones",
    "extends",
}
_MILESTONE_KEYS = {
    "id",
    "title",
    "short_title",
    "description",
    "kind",
    "basis",
    "due",
    "target",
    "earliest",
    "lead",
    "when",
    "excused_by",
    "closure_test",
    "insert_after",
    "replaces",
    "automatic",
    "absence_within_period",
    "in_force_from",
    "in_force_until",
    "revisions",
}
_REVISION_KEYS = {"in_force_from", "due", "lead", "basis", "description"}
_RULE_KEYS = {
    "from",
    "amount",
    "unit",
    "latest_of",
    "earliest_of",
    "on",
    "year",
    "roll_out_of",
    "if_recorded",
    "starting_with",
    "to_working_day",
    "first_of",
}


# -- finding processes ------------------------------------------------------------------------
def bundled_ids() -> list[str]:
    return _PROCESSES.ids()


def bundled_processes() -> list[Process]:
    return _PROCESSES.bundled()


def load_process(ref: str | Path | Process) -> Process:
    """A process by bundled id, or from a ``.toml`` file path (a process or an overlay)."""
    return _PROCESSES.load(ref)


def _read(path: str, origin: str) -> Process:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ProcessFileError(path, "", f"cannot be read: {error}") from None
    return process_from_toml(decode_text(raw, path, ProcessFileError), path, origin)


_PROCESSES = DataFiles(
    "send_clock.timelines",
    Process,
    _read,
    ProcessError,
    "process",
    hint="; `send-clock processes list` shows them",
)


# -- parsing ----------------------------------------------------------------------------------
def process_from_toml(text: str, path: str, origin: str | None = None) -> Process:
    return _Reader(path).process(parse_toml(text, path, ProcessFileError), origin or path)


class _Reader(TableReader):
    """Reads one file; every error is a :class:`ProcessFileError` naming ``path`` and the entry
    being read."""

    def __init__(self, path: str):
        super().__init__(path, ProcessFileError)

    # -- the whole file -----------------------------------------------------------------------
    def process(self, data: dict, origin: str) -> Process:
        self.keys(data, _TOP_KEYS, "top level")
        base = None
        if "extends" in data:
            try:
                base = load_process(self.text(data, "extends", "top level", required=True))
            except SendClockError as error:
                raise self.fail("extends", str(error)) from None
        process_id = self.text(data, "id", "top level", required=True)
        if not FILE_ID.match(process_id):
            raise self.fail(
                "id",
                f"{process_id!r} is not a process id: use lower-case letters, digits and hyphens",
            )

        def inherited(key: str, default: str = ""):
            """The file's value, else the extended process's, else ``default``."""
            if key in data:
                return data[key]
            return getattr(base, key) if base else default

        branches = dict(base.branches) if base else {}
        branches.update(self.branches(data.get("branches", {})))
        dates = dict(base.dates) if base else {}
        dates.update(
            {
                key: CaseDate(key, self.title(value, f"dates.{key}"))
                for key, value in self.table(data, "dates").items()
            }
        )
        params = dict(base.params) if base else {}
        params.update(
            {
                key: Param(key, self.title(value, f"params.{key}"))
                for key, value in self.table(data, "params").items()
            }
        )
        entries = data.get("milestones", [])
        if not isinstance(entries, list) or not entries:
            raise self.fail("milestones", "a process needs a [[milestones]] list")
        milestones = list(base.milestones) if base else []
        for number, entry in enumerate(entries, start=1):
            milestone, insert_after, replaces = self.milestone(entry, f"milestones[{number}]")
            milestones = self.place(milestones, milestone, insert_after, replaces, number)
        process = Process(
            id=process_id,
            title=inherited("title") or self.text(data, "title", "top level", required=True),
            jurisdiction=inherited("jurisdiction", "england"),
            description=inherited("description"),
            basis=inherited("basis"),
            start=inherited("start"),
            start_label=inherited("start_label", "Start date"),
            milestones=tuple(milestones),
            order=(),
            branches=branches,
            dates=dates,
            params=params,
            default_calendar=inherited("default_calendar", "england-and-wales"),
            category=inherited("category"),
            extends=base.id if base else None,
            origin=origin,
        )
        return self.checked(process)

    def title(self, table, where: str) -> str:
        """The title of a ``[dates]`` or ``[params]`` entry: a table with a title only."""
        return self.text(self.keys(table, {"title"}, where), "title", where, required=True)

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table of tables")
        return value

    def branches(self, table) -> dict[str, Branch]:
        found = {}
        for key, value in self.table({"branches": table}, "branches").items():
            where = f"branches.{key}"
            self.keys(value, {"title", "values", "assumed"}, where)
            values = value.get("values")
            if not (
                isinstance(values, list)
                and len(values) >= 2
                and all(isinstance(v, str) and _ID.match(v) for v in values)
            ):
                raise self.fail(where, "values must list two or more lower_case names")
            assumed = value.get("assumed", values[0])
            if assumed not in values:
                raise self.fail(where, f"assumed value {assumed!r} is not one of {values}")
            found[key] = Branch(
                key, self.text(value, "title", where, required=True), tuple(values), assumed
            )
        return found

    # -- one milestone -----------------------------------------------------------------------
    def milestone(self, entry, where: str) -> tuple[Milestone, str | None, bool]:
        self.keys(entry, _MILESTONE_KEYS, where)
        milestone_id = self.text(entry, "id", where, required=True)
        if not _ID.match(milestone_id):
            raise self.fail(where, f"{milestone_id!r} is not a milestone id: use lower_case_words")
        where = f"milestone {milestone_id!r}"
        kind = entry.get("kind", "statutory")
        if kind not in KINDS:
            raise self.fail(where, f"kind {kind!r} must be one of: {', '.join(KINDS)}")
        excused_by = entry.get("excused_by", {})
        if not isinstance(excused_by, dict):
            raise self.fail(where, 'excused_by must be a table: exception kind = "basis"')
        for exception_kind, basis in excused_by.items():
            if exception_kind not in EXCEPTION_KINDS:
                raise self.fail(
                    where,
                    f"unknown exception kind {exception_kind!r}; the kinds "
                    f"are: {', '.join(EXCEPTION_KINDS)}",
                )
            if not isinstance(basis, str) or not basis.strip():
                raise self.fail(where, f"excused_by.{exception_kind} needs its legal basis")
        milestone = Milestone(
            id=milestone_id,
            title=self.text(entry, "title", where, required=True),
            short_title=self.text(entry, "short_title", where),
            description=self.text(entry, "description", where, required=True),
            kind=kind,
            basis=self.text(entry, "basis", where, required=True),
            due=self.rule(entry["due"], f"{where} due") if "due" in entry else None,
            target=self.rule(entry["target"], f"{where} target") if "target" in entry else None,
            earliest=self.rule(entry["earliest"], f"{where} earliest")
            if "earliest" in entry
            else None,
            lead=self.lead(entry["lead"], f"{where} lead") if "lead" in entry else None,
            when=tuple(self.condition(text, where) for text in entry.get("when", [])),
            excused_by=dict(excused_by),
            closure_test=tuple(entry.get("closure_test", [])),
            automatic=self.flag(entry, "automatic", where, default=False),
            absence_within_period=self.flag(entry, "absence_within_period", where, default=False),
            **self.in_force(entry, where),
        )
        return milestone, entry.get("insert_after"), bool(entry.get("replaces", False))

    def in_force(self, entry: dict, where: str) -> dict:
        """When the milestone's rules apply, by the date a case began: ``in_force_from`` and
        ``in_force_until`` (dates), and ``revisions`` (the rule from a later date on)."""
        found = {
            key: self.date(entry[key], f"{where} {key}") if key in entry else None
            for key in ("in_force_from", "in_force_until")
        }
        first, last = found["in_force_from"], found["in_force_until"]
        if first and last and last <= first:
            raise self.fail(where, "in_force_until must be after in_force_from")
        revisions = []
        for number, table in enumerate(self.list(entry, "revisions", where), start=1):
            at = f"{where} revisions[{number}]"
            self.keys(table, _REVISION_KEYS, at)
            if "due" not in table:
                raise self.fail(at, "a revision needs the due rule in force from its date")
            revisions.append(
                Revision(
                    in_force_from=self.date(table.get("in_force_from"), f"{at} in_force_from"),
                    due=self.rule(table["due"], f"{at} due"),
                    basis=self.text(table, "basis", at, required=True),
                    description=self.text(table, "description", at),
                    lead=self.lead(table["lead"], f"{at} lead") if "lead" in table else None,
                )
            )
        starts = [revision.in_force_from for revision in revisions]
        if starts != sorted(set(starts)):
            raise self.fail(where, "revisions must be in order of in_force_from, one per date")
        return {**found, "revisions": tuple(revisions)}

    def place(
        self, milestones: list[Milestone], milestone: Milestone, insert_after, replaces, number: int
    ) -> list[Milestone]:
        ids = [m.id for m in milestones]
        where = f"milestone {milestone.id!r}"
        if milestone.id in ids:
            if not replaces:
                raise self.fail(
                    where,
                    "this id is already used; give another id, or "
                    "replaces = true to replace the milestone it extends",
                )
            milestones[ids.index(milestone.id)] = milestone
            return milestones
        if replaces:
            raise self.fail(where, "replaces = true, but there is no milestone with this id")
        if insert_after is None:
            return milestones + [milestone]
        if insert_after not in ids:
            raise self.fail(where, f"insert_after {insert_after!r} is not a milestone")
        position = ids.index(insert_after) + 1
        return milestones[:position] + [milestone] + milestones[position:]

    def step(self, table, where: str, anchor_key: str = "from") -> Step:
        self.keys(table, _RULE_KEYS | {"after"}, where)
        anchor = table.get(anchor_key)
        if not isinstance(anchor, str):
            raise self.fail(where, f'needs {anchor_key} = "<milestone id>"')
        amount = table.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise self.fail(where, f"amount must be a whole number, not {amount!r}")
        try:
            unit = parse_unit(str(table.get("unit", "")))
        except SendClockError as error:
            raise self.fail(where, str(error)) from None
        return Step(
            anchor,
            amount,
            unit,
            self.flag(table, "if_recorded", where, default=False),
            self.flag(table, "starting_with", where, default=False),
        )

    def lead(self, table, where: str) -> Step:
        return self.step(table, where, anchor_key="after")

    def rule(self, table, where: str) -> Rule:
        self.keys(table, _RULE_KEYS, where)
        roll = tuple(self.period(item, where) for item in table.get("roll_out_of", []))
        moves = {
            "roll_out_of": roll,
            "to_working_day": self.flag(table, "to_working_day", where, default=False),
        }
        if "on" in table:
            match = _MONTH_DAY.match(str(table["on"]))
            if not match or not isinstance(table.get("year"), str):
                raise self.fail(
                    where, 'a fixed date needs on = "MM-DD" and year = "<case parameter>"'
                )
            return Rule(on=(int(match[1]), int(match[2])), year_param=table["year"], **moves)
        for combine in ("latest", "earliest", "first"):
            parts = table.get(f"{combine}_of")
            if parts is not None:
                if not isinstance(parts, list) or len(parts) < 2:
                    raise self.fail(where, f"{combine}_of needs two or more steps")
                steps = tuple(
                    self.step(part, f"{where} {combine}_of[{n}]")
                    for n, part in enumerate(parts, start=1)
                )
                return Rule(steps=steps, combine=combine, **moves)
        return Rule(steps=(self.step(table, where),), **moves)

    def period(self, item, where: str):
        if not (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(part, str) and _MONTH_DAY.match(part) for part in item)
        ):
            raise self.fail(where, 'roll_out_of periods are ["MM-DD", "MM-DD"] pairs')
        first, last = (_MONTH_DAY.match(part) for part in item)
        return (int(first[1]), int(first[2])), (int(last[1]), int(last[2]))

    def condition(self, text, where: str) -> Condition:
        branch, _, value = str(text).partition("=")
        return Condition(branch.strip(), value.strip())

    # -- the whole process, checked -----------------------------------------------------------
    def checked(self, process: Process) -> Process:
        ids = [m.id for m in process.milestones]
        by_id = {m.id: m for m in process.milestones}
        if process.start not in by_id:
            raise self.fail("start", f"start = {process.start!r} is not a milestone")
        start = by_id[process.start]
        if start.revisions or start.in_force_from or start.in_force_until:
            raise self.fail(
                f"milestone {start.id!r}", "the start milestone applies to every case: no in_force"
            )
        for milestone in process.milestones:
            where = f"milestone {milestone.id!r}"
            if milestone.due is None and milestone.id != process.start:
                raise self.fail(where, "needs a due rule (only the start milestone has none)")
            for anchor in milestone.anchors:
                if anchor not in by_id and anchor not in process.dates:
                    raise self.fail(
                        where,
                        f"counts from {anchor!r}, which is neither a milestone of this process "
                        "nor a declared [dates] entry",
                    )
            rules = (milestone.due, milestone.target, milestone.earliest)
            for rule in rules + tuple(r.due for r in milestone.revisions):
                if rule and rule.year_param and rule.year_param not in process.params:
                    raise self.fail(
                        where, f"year = {rule.year_param!r} is not a declared [params] entry"
                    )
            for condition in milestone.when:
                branch = process.branches.get(condition.branch)
                if branch is None:
                    raise self.fail(where, f"when {condition}: no branch {condition.branch!r}")
                if condition.value not in branch.values:
                    raise self.fail(
                        where,
                        f"when {condition}: {condition.branch} takes {', '.join(branch.values)}",
                    )
            for name in milestone.closure_test:
                if name not in by_id and name not in process.dates:
                    raise self.fail(
                        where,
                        f"closure_test {name!r} is neither a milestone nor a "
                        "declared [dates] entry",
                    )
            self.check_branch_of_anchors(milestone, by_id, where)
        order = self.topological(ids, by_id)
        return replace(process, order=order)

    def check_branch_of_anchors(self, milestone: Milestone, by_id, where: str) -> None:
        own = set(milestone.when)
        rules = [r for r in (milestone.due, milestone.target, milestone.earliest) if r]
        rules += [revision.due for revision in milestone.revisions]
        required = [s.anchor for r in rules for s in r.steps if not s.if_recorded]
        leads = [milestone.lead] + [revision.lead for revision in milestone.revisions]
        required += [lead.anchor for lead in leads if lead]
        for anchor in required:
            if anchor not in by_id:  # a case date: there is no branch to check
                continue
            extra = set(by_id[anchor].when) - own
            if extra:
                raise self.fail(
                    where,
                    f"counts from {anchor!r}, which applies only when "
                    f"{', '.join(map(str, sorted(extra, key=str)))}; add that to "
                    "this milestone's when, or mark the step if_recorded",
                )

    def topological(self, ids: list[str], by_id) -> tuple[str, ...]:
        remaining = {m: set(by_id[m].anchors) & set(ids) - {m} for m in ids}
        for m in ids:
            if m in by_id[m].anchors:
                raise self.fail(f"milestone {m!r}", "counts from itself")
        order: list[str] = []
        while remaining:
            ready = [m for m in ids if m in remaining and not remaining[m] - set(order)]
            if not ready:
                cycle = " -> ".join(sorted(remaining))
                raise self.fail(
                    "milestones",
                    f"the milestones count from each other in a "
                    f"cycle ({cycle}); one of them must count from an earlier one",
                )
            for m in ready:
                order.append(m)
                del remaining[m]
        return tuple(order)

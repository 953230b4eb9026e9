"""Projecting a process over cases: due, projected, status and exceptions for every milestone.

The projector works on columns: a batch of cases that share a process and a calendar comes in as
arrays (received dates, each milestone's actual dates, outcomes, case dates, parameters) and goes
out as arrays (each milestone's due, projected, status...), for a breach report over a million
cases as for a page of a caseload. One case's timeline goes through :mod:`.onecase` instead,
which applies the same rules in plain Python (the pieces below under "rules both projectors
share" are used by both, and a differential test ties the rest).

The rules (statutory-rules.md §9):

* **due**: the milestone's own rule, counted from its anchor's actual date when recorded, else
  from the anchor's projected date;
* **projected**: the actual date when recorded; otherwise the later of due and the predecessor's
  date plus the lead time, so slippage upstream carries downstream;
* **status** as of a date: met, late, overdue, at_risk, due_soon, pending, excused (late or
  overdue, but an exception the regulations allow for this milestone applies), not_applicable (a
  branch not taken), unrecorded (the case is closed - its process reached an end: a final plan,
  a no-plan notice, a refusal - and this milestone was never dated; nothing is left to chase).

A case is **closed** when the last milestone that applies to it (and is not conditional) has
its date. Where a milestone can be excused by a school closure but its date cannot be tested
against the calendar's term dates (the calendar has none, or the date is outside them), the
projection says so in ``closure_skipped``: the exception was not checked, not found absent.

An actual date later than the as-of date has not happened yet as of then, and is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..calendars import Calendar
from ..errors import InputError, OutOfCoverage, SendClockError
from .excusals import RecordedException
from .model import MINIMUM_ABSENCE_DAYS, Milestone, Process, Rule, Step

STATUSES = (
    "met",
    "late",
    "overdue",
    "at_risk",
    "due_soon",
    "pending",
    "excused",
    "not_applicable",
    "unrecorded",
)
MET, LATE, OVERDUE, AT_RISK, DUE_SOON, PENDING, EXCUSED, NOT_APPLICABLE, UNRECORDED = range(
    len(STATUSES)
)
#: How an excused milestone was excused: by an exception the authority recorded (a case's
#: exception, SEN2 ``Week20``), or by a school-closure window send-clock detected in the term
#: dates (the regulations still require that meeting the limit was impractical).
RECORDED, DETECTED = "recorded", "detected"

#: A milestone with no actual date whose due date is this close is ``due_soon``.
DUE_SOON_DAYS = 14

NAT = np.datetime64("NaT", "D")
UNKNOWN = -1  # an outcome or parameter not given


def nat(size: int) -> np.ndarray:
    return np.full(size, NAT, dtype="datetime64[D]")


@dataclass
class Cases:
    """A batch of cases of one process on one calendar, as columns.

    ``actual`` and ``dates`` map ids to ``datetime64[D]`` arrays (``NaT`` = not recorded);
    ``outcomes`` maps a branch to indexes into its values (``-1`` = unknown); ``params`` maps a
    parameter to whole numbers (``-1`` = not given); ``exceptions`` maps a case's position to its
    recorded exceptions (most cases have none, so it is sparse).
    """

    received: np.ndarray
    actual: dict[str, np.ndarray] = field(default_factory=dict)
    outcomes: dict[str, np.ndarray] = field(default_factory=dict)
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    params: dict[str, np.ndarray] = field(default_factory=dict)
    exceptions: dict[int, tuple[RecordedException, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.received)


@dataclass
class Projection:
    """The columns a projection produces, one array per milestone id in each dict."""

    process: Process
    calendar: Calendar
    as_of: date
    due: dict[str, np.ndarray]
    target: dict[str, np.ndarray]
    earliest: dict[str, np.ndarray]
    projected: dict[str, np.ndarray]
    actual: dict[str, np.ndarray]
    status: dict[str, np.ndarray]
    days_late: dict[str, np.ndarray]  # -1 where not late/overdue/excused
    conditional: dict[str, np.ndarray]
    closure_window: dict[str, np.ndarray]  # index into calendar.qualifying_windows, -1 none
    #: where the school-closure test could not be made (no term dates, or outside them)
    closure_skipped: dict[str, np.ndarray]
    #: per case: its process reached an end (see the module's docstring)
    closed: np.ndarray
    outcomes: dict[str, np.ndarray]
    #: (case, milestone) -> recorded exceptions that apply there
    recorded: dict[tuple[int, str], list[RecordedException]]
    #: per case: None, or (exception class, message) when the case cannot be projected
    errors: np.ndarray

    def ok(self) -> np.ndarray:
        return np.array([error is None for error in self.errors], dtype=bool)

    def excusal(self, milestone_id: str) -> np.ndarray:
        """Per case: ``"recorded"``, ``"detected"`` or ``""`` - how the milestone was excused.
        A recorded exception wins over a detected window."""
        return np.array(["", RECORDED, DETECTED])[self.excusal_codes(milestone_id)]

    def excusal_codes(self, milestone_id: str) -> np.ndarray:
        """:meth:`excusal` as small numbers: 0 not excused, 1 recorded, 2 detected."""
        excused = self.status[milestone_id] == EXCUSED
        codes = np.zeros(len(excused), dtype=np.int64)
        if not excused.any():
            return codes
        detected = ~self.recorded_mask(milestone_id) & (self.closure_window[milestone_id] >= 0)
        # excused and neither recorded on the case nor detected: the source flagged it (SEN2)
        codes[excused] = np.where(detected[excused], 2, 1)
        return codes

    def recorded_mask(self, milestone_id: str) -> np.ndarray:
        """Per case: an exception the authority recorded applies to the milestone."""
        return _recorded_mask(self.recorded, milestone_id, len(self.errors))

    def closure_checks_skipped(self) -> np.ndarray:
        """Per case: some milestone's school-closure test could not be made."""
        skipped = np.zeros(len(self.errors), dtype=bool)
        for column in self.closure_skipped.values():
            skipped |= column
        return skipped


def columns_of_one(process: Process, calendar: Calendar, one, as_of: date) -> Projection:
    """One case's projection from the one-case path (an :class:`.onecase.OneProjection`) as
    this projector's result for a batch of one: what the caseload functions read (the breach
    report's measures, the stored projections), without this projector's fixed cost for a
    single case."""

    def dates(by_id: dict) -> dict[str, np.ndarray]:
        return {
            key: np.array([NAT if day is None else day], "datetime64[D]")
            for key, day in by_id.items()
        }

    def values(by_id: dict, dtype) -> dict[str, np.ndarray]:
        return {key: np.array([value], dtype=dtype) for key, value in by_id.items()}

    return Projection(
        process=process,
        calendar=calendar,
        as_of=as_of,
        due=dates(one.due),
        target=dates(one.target),
        earliest=dates(one.earliest),
        projected=dates(one.projected),
        actual=dates(one.actual),
        status=values(one.status, np.int8),
        days_late=values(one.days_late, np.int64),
        conditional=values(one.conditional, bool),
        closure_window=values(one.closure_window, np.int64),
        closure_skipped=values(one.closure_skipped, bool),
        closed=np.array([one.closed], dtype=bool),
        outcomes=values(one.outcomes, np.int8),
        recorded={(0, key): list(found) for key, found in one.recorded.items() if found},
        errors=np.full(1, None, dtype=object),
    )


def project_columns(process: Process, calendar: Calendar, cases: Cases, as_of: date) -> Projection:
    """Project every case of the batch; cases that cannot be projected carry an error."""
    return _Run(process, calendar, cases, as_of).run()


class _Run:
    def __init__(self, process: Process, calendar: Calendar, cases: Cases, as_of: date):
        self.process, self.calendar, self.cases = process, calendar, cases
        self.size = len(cases)
        self.as_of = np.datetime64(as_of, "D")
        self.as_of_date = as_of
        self.errors = np.full(self.size, None, dtype=object)
        self.failed = np.zeros(self.size, dtype=bool)  # where errors is not None
        self.windows = calendar.qualifying_windows
        self.unstarted: dict[str, np.ndarray] = {}  # automatic milestones not begun yet
        self.started = np.asarray(cases.received, dtype="datetime64[D]")

    def fail(self, mask: np.ndarray, error_class, message) -> None:
        """Record an error for the cases in ``mask`` that have none yet. ``message`` is text or
        a function of the case position."""
        for position in np.flatnonzero(mask & ~self.failed):
            text = message(int(position)) if callable(message) else message
            self.errors[position] = (error_class, text)
            self.failed[position] = True

    # -- inputs -------------------------------------------------------------------------------
    def actuals(self) -> dict[str, np.ndarray]:
        received = np.asarray(self.cases.received, dtype="datetime64[D]")
        found = {}
        for milestone in self.process.milestones:
            column = self.cases.actual.get(milestone.id)
            column = nat(self.size) if column is None else np.asarray(column, "datetime64[D]")
            if milestone.id == self.process.start:
                found[milestone.id] = received
                continue
            self.fail(
                column < received,
                InputError,
                lambda i, m=milestone.id, c=column: before_start_text(
                    m, c[i].item(), received[i].item()
                ),
            )
            # An actual date after the as-of date had not happened yet as of then.
            found[milestone.id] = np.where(column > self.as_of, NAT, column)
        return found

    def resolved_outcomes(self, actual: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Given outcomes, plus those implied by recorded milestones (a final plan means
        outcome=plan); a contradiction is an error for that case."""
        outcomes = {}
        for branch in self.process.branches.values():
            given = self.cases.outcomes.get(branch.id)
            outcomes[branch.id] = (
                np.full(self.size, UNKNOWN, dtype=np.int8)
                if given is None
                else np.asarray(given, dtype=np.int8).copy()
            )
        for milestone in self.process.milestones:
            recorded = ~np.isnat(actual[milestone.id])
            if not recorded.any():
                continue
            for condition in milestone.when:
                values = outcomes[condition.branch]
                implied = self.process.branches[condition.branch].values.index(condition.value)
                clash = recorded & (values != UNKNOWN) & (values != implied)
                self.fail(
                    clash,
                    InputError,
                    lambda i, m=milestone, c=condition, v=values: clash_text(
                        self.process, m, c, int(v[i])
                    ),
                )
                values[recorded & ~clash] = implied
        return outcomes

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> Projection:
        actual = self.actuals()
        outcomes = self.resolved_outcomes(actual)
        due, target, earliest, projected = {}, {}, {}, {}
        applicable, conditional = {}, {}
        for milestone_id in self.process.order:
            milestone = self.process.milestone(milestone_id)
            applies, maybe = self.branch_masks(milestone, outcomes)
            applies &= self.in_force(milestone)
            if milestone_id == self.process.start:
                due[milestone_id] = actual[milestone_id]
            else:
                due[milestone_id] = self.revised(
                    milestone, lambda m: self.evaluate(m.due, m, actual, projected)
                )
                # No due date: a parameter it needs was not given (e.g. no transfer year), or
                # it could not be counted (the case then carries the error).
                applies &= ~np.isnat(due[milestone_id])
                if milestone.automatic:
                    actual[milestone_id] = self.ended_by_itself(
                        milestone, due[milestone_id], actual, applies
                    )
            target[milestone_id] = self.evaluate(milestone.target, milestone, actual, projected)
            earliest[milestone_id] = self.evaluate(milestone.earliest, milestone, actual, projected)
            own_due = due[milestone_id]
            projected[milestone_id] = self.revised(
                milestone, lambda m, own_due=own_due: self.projection(m, own_due, actual, projected)
            )
            applicable[milestone_id], conditional[milestone_id] = applies, maybe & applies
            for column in (due, target, earliest, projected):
                column[milestone_id] = np.where(applies, column[milestone_id], NAT)
        self.known = {m: self.date_of(m, actual, projected) for m in self.process.ids}
        self.tested = {m.id: self.closure_test_dates(m) for m in self.process.milestones}
        windows = {m.id: self.closure_windows(m) for m in self.process.milestones}
        skipped = {
            m.id: self.closure_untestable(m, applicable[m.id], windows[m.id])
            for m in self.process.milestones
        }
        recorded = self.recorded_exceptions(due, applicable)
        closed = self.closed_cases(actual, applicable, conditional)
        status, days_late = {}, {}
        for milestone in self.process.milestones:
            status[milestone.id], days_late[milestone.id] = self.statuses(
                milestone,
                due[milestone.id],
                projected[milestone.id],
                actual[milestone.id],
                applicable[milestone.id],
                windows[milestone.id] >= 0,
                _recorded_mask(recorded, milestone.id, self.size),
                closed,
            )
        return Projection(
            process=self.process,
            calendar=self.calendar,
            as_of=self.as_of_date,
            due=due,
            target=target,
            earliest=earliest,
            projected=projected,
            actual={k: np.where(applicable[k], v, NAT) for k, v in actual.items()},
            status=status,
            days_late=days_late,
            conditional=conditional,
            closure_window=windows,
            closure_skipped=skipped,
            closed=closed,
            outcomes=outcomes,
            recorded=recorded,
            errors=self.errors,
        )

    def in_force(self, milestone: Milestone) -> np.ndarray:
        """The cases that began while the milestone was in force (all, for most milestones)."""
        mask = np.ones(self.size, dtype=bool)
        if milestone.in_force_from is not None:
            mask &= self.started >= np.datetime64(milestone.in_force_from, "D")
        if milestone.in_force_until is not None:
            mask &= self.started < np.datetime64(milestone.in_force_until, "D")
        return mask

    def revised(self, milestone: Milestone, compute) -> np.ndarray:
        """``compute(version)`` for each case by the version of the milestone in force on the
        case's start date (a regulation that replaced another counts only the cases begun
        after its commencement)."""
        result = compute(milestone)
        for revision in milestone.revisions:
            began_after = self.started >= np.datetime64(revision.in_force_from, "D")
            if began_after.any():
                result = np.where(
                    began_after, compute(milestone.at(revision.in_force_from)), result
                )
        return result

    def branch_masks(self, milestone: Milestone, outcomes) -> tuple[np.ndarray, np.ndarray]:
        applies = np.ones(self.size, dtype=bool)
        maybe = np.zeros(self.size, dtype=bool)
        for condition in milestone.when:
            branch = self.process.branches[condition.branch]
            wanted = branch.values.index(condition.value)
            values = outcomes[condition.branch]
            applies &= (values == UNKNOWN) | (values == wanted)
            if condition.value != branch.assumed:
                maybe |= values == UNKNOWN
        return applies, maybe

    def date_of(self, milestone_id: str, actual, projected) -> np.ndarray:
        """A milestone's actual date where recorded, else its projected date; for a case date
        (e.g. when the body asked for advice received the request), the date recorded."""
        if milestone_id in self.process.dates:
            return self.case_date(milestone_id)
        recorded = actual[milestone_id]
        return np.where(np.isnat(recorded), projected[milestone_id], recorded)

    def case_date(self, name: str) -> np.ndarray:
        column = self.cases.dates.get(name)
        return nat(self.size) if column is None else np.asarray(column, "datetime64[D]")

    def ended_by_itself(self, milestone: Milestone, due, actual, applies) -> np.ndarray:
        """An automatic milestone (the family's comment period) is open on its last day: it
        has ended - and is dated its last day - only from the next day, and only once the
        dates it runs from are recorded (a projected draft plan never starts a real period)."""
        anchors_recorded = np.ones(self.size, dtype=bool)
        for anchor in milestone.due.anchors if milestone.due else ():
            anchors_recorded &= ~np.isnat(self.date_of_recorded(anchor, actual))
        passed = np.isnat(actual[milestone.id]) & (due < self.as_of) & anchors_recorded
        # not begun: the family's period cannot be overdue before the draft exists
        self.unstarted[milestone.id] = ~anchors_recorded
        return np.where(passed & applies, due, actual[milestone.id])

    def date_of_recorded(self, name: str, actual) -> np.ndarray:
        return self.case_date(name) if name in self.process.dates else actual[name]

    def evaluate(self, rule: Rule | None, milestone: Milestone, actual, projected) -> np.ndarray:
        if rule is None:
            return nat(self.size)
        if rule.on is not None:
            result = self.fixed_date(rule)
        else:
            parts = [self.step(step, milestone, actual, projected) for step in rule.steps]
            if rule.combine == "latest":
                result = parts[0]
                for part in parts[1:]:
                    result = np.fmax(result, part)
            elif rule.combine == "earliest":
                result = parts[0]
                for part in parts[1:]:
                    result = np.fmin(result, part)
            elif rule.combine == "first":  # the first part whose anchor is dated
                result = parts[0]
                for part in parts[1:]:
                    result = np.where(np.isnat(result), part, result)
            else:
                result = parts[0]
        if rule.roll_out_of:
            result = self.rolled(rule, result)
        return self.next_working_day(result) if rule.to_working_day else result

    def step(self, step: Step, milestone: Milestone, actual, projected) -> np.ndarray:
        if step.if_recorded:
            start = self.date_of_recorded(step.anchor, actual)
        else:
            start = self.date_of(step.anchor, actual, projected)
        try:
            result = self.calendar.add_many(start, step.amount, step.unit, errors="coerce")
        except SendClockError as error:  # e.g. term weeks on a calendar without terms
            self.fail(~np.isnat(start), type(error), f"{milestone.id}: {error}")
            return nat(self.size)
        self.fail(
            np.isnat(result) & ~np.isnat(start),
            OutOfCoverage,
            lambda i: f"{milestone.id}: {_coverage_message(self.calendar, start[i], step)}",
        )
        # A period "beginning with" its anchor's date counts that date as its first day.
        return result - np.timedelta64(1, "D") if step.starting_with else result

    def fixed_date(self, rule: Rule) -> np.ndarray:
        years = self.cases.params.get(rule.year_param)
        if years is None:
            return nat(self.size)
        years = np.asarray(years, dtype=np.int64)
        month, day = rule.on
        first = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
        result = first.astype("datetime64[D]") + (day - 1)
        return np.where(years < 0, NAT, result)

    def next_working_day(self, days: np.ndarray) -> np.ndarray:
        """Each date that is not a working day moved to the next working day (the day before
        plus one working day), NaT kept."""
        try:
            before = days - np.timedelta64(1, "D")
            return self.calendar.add_many(before, 1, "working-days", errors="coerce")
        except SendClockError as error:  # bank holidays are known for 1990-2060 only
            self.fail(~np.isnat(days), type(error), str(error))
            return nat(self.size)

    def rolled(self, rule: Rule, days: np.ndarray) -> np.ndarray:
        """Move dates inside a ``roll_out_of`` period to the first working day after it; done
        once per distinct date, since a caseload has few."""
        valid = ~np.isnat(days)
        unique, inverse = np.unique(days[valid], return_inverse=True)
        moved = np.array(
            [_roll(d, rule, self.calendar) for d in unique.tolist()], dtype="datetime64[D]"
        )
        result = days.copy()
        result[valid] = moved[inverse] if len(unique) else result[valid]
        return result

    def projection(self, milestone: Milestone, due, actual, projected) -> np.ndarray:
        forecast = due
        if milestone.lead is not None:
            lead = milestone.lead
            after = self.date_of(lead.anchor, actual, projected)
            try:
                earliest_possible = self.calendar.add_many(
                    after, lead.amount, lead.unit, errors="coerce"
                )
            except SendClockError:
                earliest_possible = nat(self.size)
            forecast = np.fmax(due, earliest_possible)
        recorded = actual[milestone.id]
        return np.where(np.isnat(recorded), forecast, recorded)

    # -- exceptions ---------------------------------------------------------------------------
    def closure_test_dates(self, milestone: Milestone) -> np.ndarray:
        """The first known of the milestone's closure-test dates (a recorded case date such as
        when the school was asked, else a milestone's actual or projected date)."""
        result = nat(self.size)
        for name in milestone.closure_test:
            if name in self.process.dates:
                column = self.cases.dates.get(name)
                candidate = (
                    nat(self.size) if column is None else np.asarray(column, "datetime64[D]")
                )
                # Like an actual date, a case date after the as-of date has not happened yet.
                candidate = np.where(candidate > self.as_of, NAT, candidate)
            else:
                candidate = self.known[name]
            result = np.where(np.isnat(result), candidate, result)
        return result

    def closure_untestable(self, milestone: Milestone, applicable, window) -> np.ndarray:
        """Where the milestone can be excused by a school closure, but its test date cannot be
        tested: the calendar has no term dates, or the date is outside them (or in their last
        week, when a closure that starts after them cannot be known)."""
        none = np.zeros(self.size, dtype=bool)
        if "school_closure" not in milestone.excused_by:
            return none
        tested = self.tested[milestone.id]
        untestable = applicable & ~np.isnat(tested) & (window < 0)
        coverage = self.calendar.coverage
        if coverage is None:
            return untestable
        first = np.datetime64(coverage[0], "D")
        last_known = np.datetime64(coverage[1], "D") - np.timedelta64(7, "D")
        return untestable & ((tested < first) | (tested > last_known))

    def closed_cases(self, actual, applicable, conditional) -> np.ndarray:
        """A case is closed when the last milestone that applies to it, and is not conditional
        (a final plan, a no-plan notice, a refusal to assess), has its date."""
        closed = np.zeros(self.size, dtype=bool)
        for milestone in self.process.milestones:
            counts = applicable[milestone.id] & ~conditional[milestone.id]
            closed = np.where(counts, ~np.isnat(actual[milestone.id]), closed)
        return closed

    def closure_windows(self, milestone: Milestone) -> np.ndarray:
        none = np.full(self.size, -1, dtype=np.int64)
        if "school_closure" not in milestone.excused_by or not self.windows:
            return none
        tested = self.tested[milestone.id]
        starts = np.array([w.start for w in self.windows], dtype="datetime64[D]")
        ends = np.array([w.end for w in self.windows], dtype="datetime64[D]")
        position = np.searchsorted(starts, tested, side="right") - 1
        inside = ~np.isnat(tested) & (position >= 0)
        inside &= tested <= ends[np.clip(position, 0, None)]
        return np.where(inside, position, none)

    def recorded_exceptions(self, due, applicable):
        """Which recorded exceptions apply to which milestone of which case."""
        found: dict[tuple[int, str], list[RecordedException]] = {}
        # A caseload repeats a few exceptions: each is checked, and the milestones it may
        # excuse found, once (a case's dates are gathered only for those milestones).
        excusable: dict[RecordedException, list[Milestone] | str] = {}
        for case, exceptions in self.cases.exceptions.items():
            for exception in exceptions:
                if exception not in excusable:
                    excusable[exception] = self.excusable_by(exception)
                milestones = excusable[exception]
                if isinstance(milestones, str):
                    self.fail(np.arange(self.size) == case, InputError, milestones)
                    continue
                for milestone in milestones:
                    if self.exception_applies(exception, milestone, case, due, applicable):
                        found.setdefault((case, milestone.id), []).append(exception)
        return found

    def excusable_by(self, exception: RecordedException) -> list[Milestone] | str:
        """The milestones ``exception`` may excuse in any case (:func:`may_excuse`), or why it
        cannot apply in this process."""
        try:
            exception.check(self.process)
        except InputError as error:
            return str(error)
        return [m for m in self.process.milestones if may_excuse(exception, m)]

    def exception_applies(self, exception, milestone, case, due, applicable) -> bool:
        """:func:`exception_applies` for the case at position ``case``."""

        def anchor_date(name: str) -> date | None:
            known = self.known.get(name)
            return day_or_none(known[case] if known is not None else self.case_date(name)[case])

        return exception_applies(
            exception,
            milestone,
            applicable=bool(applicable[milestone.id][case]),
            started=self.started[case].item(),
            tested=day_or_none(self.tested[milestone.id][case]),
            due=day_or_none(due[milestone.id][case]),
            anchor_date=anchor_date,
        )

    # -- statuses -----------------------------------------------------------------------------
    def statuses(self, milestone, due, projected, actual, applicable, in_window, recorded, closed):
        has_actual = ~np.isnat(actual)
        late = has_actual & (actual > due)
        overdue = ~has_actual & (self.as_of > due)
        at_risk = ~has_actual & ~overdue & (projected > due)
        soon = np.timedelta64(DUE_SOON_DAYS, "D")
        due_soon = ~has_actual & ~overdue & ~at_risk & (due - self.as_of <= soon)
        excused = (late | overdue) & (in_window | recorded)
        unrecorded = closed & ~has_actual
        # A period given to someone else that has not begun (no draft yet) waits, never overdue.
        overdue &= ~self.unstarted.get(milestone.id, np.zeros(self.size, dtype=bool))
        status = np.select(
            [~applicable, unrecorded, excused, late, has_actual, overdue, at_risk, due_soon],
            [NOT_APPLICABLE, UNRECORDED, EXCUSED, LATE, MET, OVERDUE, AT_RISK, DUE_SOON],
            default=PENDING,
        ).astype(np.int8)
        if milestone.automatic:  # not begun and its last day passed: pending, not due soon
            waiting = self.unstarted[milestone.id] & ~has_actual & (self.as_of > due)
            status = np.where(waiting & (status == DUE_SOON), PENDING, status).astype(np.int8)
        if milestone.id == self.process.start:
            status = np.where(applicable, MET, NOT_APPLICABLE).astype(np.int8)
        late_days = np.where(late, actual - due, self.as_of - due).astype(np.int64)
        days_late = np.where(applicable & (late | (overdue & ~unrecorded)), late_days, -1)
        return status, days_late


# -- rules both projectors share (this one and the one-case path of :mod:`.onecase`) ----------
def day_or_none(value: np.datetime64) -> date | None:
    return None if np.isnat(value) else value.item()


def before_start_text(milestone_id: str, day: date, received: date) -> str:
    return f"{milestone_id} is dated {day}, before the start date {received}; check both dates"


def clash_text(process: Process, milestone: Milestone, condition, value: int) -> str:
    """A recorded milestone implies an outcome (``condition``) other than the one given."""
    given = process.branches[condition.branch].values[value]
    return (
        f"{milestone.id} is recorded, which means {condition}, but {condition.branch}={given} "
        "was given"
    )


def exception_applies(
    exception: RecordedException,
    milestone: Milestone,
    *,
    applicable: bool,
    started: date,
    tested: date | None,
    due: date | None,
    anchor_date: Callable[[str], date | None],
) -> bool:
    """Whether a recorded exception excuses ``milestone`` of one case: its kind is one the
    milestone allows, it names no other milestone, and a window holds the closure-test date
    ``tested`` or a dated absence falls in the period the limit runs over (from the earliest
    dated anchor of the rule in force on ``started`` to ``due``)."""
    if not applicable or not may_excuse(exception, milestone):
        return False
    if exception.start is None:
        return True
    if exception.is_window():
        return tested is not None and exception.start <= tested <= exception.end
    # A dated absence excuses the limits whose running period it overlaps (reg 8(2)(b):
    # "during that 6 week period").
    in_force = milestone.at(started)  # the rule the case counts by
    anchors = [s.anchor for s in in_force.due.steps] if in_force.due else []
    begins = min((day for a in anchors if (day := anchor_date(a)) is not None), default=None)
    if begins is None or due is None:
        return False
    if milestone.absence_within_period:  # 4 weeks of it inside the period
        inside = min(exception.end, due) - max(exception.start, begins)
        return inside.days + 1 >= MINIMUM_ABSENCE_DAYS
    return exception.start <= due and exception.end >= begins


def may_excuse(exception: RecordedException, milestone: Milestone) -> bool:
    """Whether ``exception`` can excuse ``milestone`` in some case: its kind is one the
    milestone allows, and it names no other milestone (the dates decide the rest)."""
    return exception.kind in milestone.excused_by and exception.milestone in (None, milestone.id)


def excusal_of(status: int, recorded: bool, window: int) -> str:
    """How an excused milestone was excused: a recorded exception wins over a detected window;
    excused with neither, the source flagged it (SEN2). ``""`` when not excused."""
    if status != EXCUSED:
        return ""
    return DETECTED if not recorded and window >= 0 else RECORDED


def _recorded_mask(recorded, milestone_id: str, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for case, name in recorded:
        if name == milestone_id:
            mask[case] = True
    return mask


def closure_skipped_text(calendar: Calendar, milestones: Sequence[str] = ()) -> str:
    """Why the school-closure exception could not be checked, and what to do.

    >>> from send_clock.calendars import load_calendar
    >>> print(closure_skipped_text(load_calendar("england-and-wales"), ["final_plan"]))
    the school-closure exception (SEND Regulations 2014 reg 5(4)(a), 10(4)(a)) was not checked \
for final_plan: calendar 'england-and-wales' has no term dates; give a calendar with the \
schools' term dates (--calendar, or the service's default calendar)
    """
    coverage = calendar.coverage
    why = (
        f"calendar {calendar.id!r} has no term dates"
        if coverage is None
        else f"the dates tested fall outside the term dates of calendar {calendar.id!r} "
        f"({coverage[0]} to {coverage[1]})"
    )
    which = f" for {', '.join(milestones)}" if milestones else ""
    return (
        "the school-closure exception (SEND Regulations 2014 reg 5(4)(a), 10(4)(a)) was not "
        f"checked{which}: {why}; give a calendar with the schools' term dates (--calendar, or "
        "the service's default calendar)"
    )


def _roll(day: date, rule: Rule, calendar: Calendar) -> date:
    for (first_month, first_day), (last_month, last_day) in rule.roll_out_of:
        first = date(day.year, first_month, first_day)
        wraps = (last_month, last_day) < (first_month, first_day)
        if wraps and day < first:  # e.g. 1 January inside 25 Dec - 1 Jan
            first = date(day.year - 1, first_month, first_day)
        last = date(first.year + (1 if wraps else 0), last_month, last_day)
        if first <= day <= last:
            return calendar.add(last, 1, "working-days")
    return day


def _coverage_message(calendar: Calendar, start: np.datetime64, step: Step) -> str:
    try:
        calendar.add(start.item(), step.amount, step.unit)
    except SendClockError as error:
        return str(error)
    return f"cannot count {step.amount} {step.unit} from {start}"  # pragma: no cover

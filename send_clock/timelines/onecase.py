"""One case's projection in plain Python: the single-case path (the timeline endpoint, the case
page and feed, validating each case write).

The column-wise projector (:mod:`.projector`) is built for caseloads: every step is a numpy
operation over all the cases at once. For one case nearly all of its time is numpy's fixed cost
per operation (milliseconds for a timeline that needs a few dozen date sums). This module
applies the same rules to one case with plain dates (``None``: not dated) and the calendar's
scalar arithmetic (:meth:`Calendar.add <send_clock.calendars.Calendar.add>`: a bisect into the
day index the calendar builds once).

Both paths read the same process data and share what is not array arithmetic: the rule in
force for a case's start date (:meth:`Milestone.at <.model.Milestone.at>`, ``in_force_on``),
whether a recorded exception applies (:func:`.projector.exception_applies`), how an excused
milestone was excused, the roll out of a holiday period, the statuses and their names, and
every message. The date rules themselves (§9 of statutory-rules.md: due, projected, status)
are written once per representation; ``tests/timelines/test_onecase.py`` ties the two, field
by field, for every bundled process on each of its calendars, errors included.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import Case, load_process
>>> one = project_one(load_process("england-ehcna"), load_calendar("england-and-wales"),
...                   Case(received=date(2025, 9, 15)), as_of=date(2025, 9, 15))
>>> one.due["final_plan"], one.status["final_plan"] == STATUSES.index("pending")
(datetime.date(2026, 2, 2), True)
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendars import Calendar
from ..calendars.units import SCHOOL_DAYS, TERM_WEEKS, parse_unit
from ..errors import CalendarError, InputError, OutOfCoverage, SendClockError
from .excusals import RecordedException
from .model import Milestone, Process, Rule, Step
from .projector import (
    AT_RISK,
    DUE_SOON,
    DUE_SOON_DAYS,
    EXCUSED,
    LATE,
    MET,
    NOT_APPLICABLE,
    OVERDUE,
    PENDING,
    STATUSES,
    UNKNOWN,
    UNRECORDED,
    _roll,
    before_start_text,
    clash_text,
    exception_applies,
)

__all__ = ["STATUSES", "OneProjection", "project_one"]

ONE_DAY = timedelta(days=1)


@dataclass
class OneProjection:
    """What :class:`.projector.Projection` holds for one case, as plain values keyed by
    milestone id (``None`` where the column path has ``NaT``, ``-1`` for no window or no days
    late, ``UNKNOWN`` for an unknown outcome)."""

    due: dict[str, date | None]
    target: dict[str, date | None]
    earliest: dict[str, date | None]
    projected: dict[str, date | None]
    actual: dict[str, date | None]
    status: dict[str, int]
    days_late: dict[str, int]
    conditional: dict[str, bool]
    closure_window: dict[str, int]
    closure_skipped: dict[str, bool]
    closed: bool
    outcomes: dict[str, int]
    recorded: dict[str, list[RecordedException]]


def project_one(process: Process, calendar: Calendar, case, as_of: date) -> OneProjection:
    """Project one case (already checked against the process: see
    :func:`.schedule.check_case`). Raises the error the column path would record for it."""
    return _OneCase(process, calendar, case, as_of).run()


class _CalendarFacts:
    """What a projection reads from a calendar, worked out once per calendar: the school-closure
    windows as sorted lists for bisect, the term-date coverage, and, for a unit whose day index
    cannot be built (term weeks without term dates), the error."""

    def __init__(self, calendar: Calendar):
        self.windows = calendar.qualifying_windows
        self.window_starts = [window.start for window in self.windows]
        self.window_ends = [window.end for window in self.windows]
        coverage = calendar.coverage
        self.first_term_day = coverage[0] if coverage else None
        # a closure that starts after the term dates cannot be known in their last week
        self.last_known = coverage[1] - timedelta(days=7) if coverage else None
        self.index_errors: dict[str, CalendarError] = {}
        for unit, index in ((TERM_WEEKS, "term_days"), (SCHOOL_DAYS, "school_days")):
            try:
                getattr(calendar, index)
            except CalendarError as error:
                self.index_errors[unit] = error
        self.calendar = calendar
        self.counters: dict[tuple[int, str], Callable[[date], date] | CalendarError] = {}

    def counter(self, amount: int, unit: str) -> Callable[[date], date] | CalendarError:
        """``calendar.adder(amount, unit)``, or why the calendar cannot count in ``unit`` (term
        weeks without term dates: the column path reports that error as it stands)."""
        found = self.counters.get((amount, unit))
        if found is None:
            found = self.index_errors.get(parse_unit(unit)) or self.calendar.adder(amount, unit)
            self.counters[(amount, unit)] = found
        return found

    def window_of(self, day: date | None) -> int:
        """The position in ``calendar.qualifying_windows`` of the window holding ``day``, or -1
        (like the column path: the last window starting on or before it)."""
        if day is None:
            return -1
        position = bisect_right(self.window_starts, day) - 1
        return position if position >= 0 and day <= self.window_ends[position] else -1


_FACTS: OrderedDict[int, tuple[Calendar, _CalendarFacts]] = OrderedDict()
_FACTS_KEPT = 64  # calendars a service uses: the bundled ones and a few imported files


def _facts(calendar: Calendar) -> _CalendarFacts:
    kept = _FACTS.get(id(calendar))
    if kept is not None and kept[0] is calendar:
        return kept[1]
    facts = _CalendarFacts(calendar)
    _FACTS[id(calendar)] = (calendar, facts)  # holding the calendar keeps its id unique
    if len(_FACTS) > _FACTS_KEPT:
        _FACTS.popitem(last=False)
    return facts


def _combined(pick, first: date | None, second: date | None) -> date | None:
    """``pick`` (max or min) of two dates, ignoring a missing one (numpy's ``fmax``/``fmin``
    over ``NaT``)."""
    if first is None:
        return second
    return first if second is None else pick(first, second)


class _OneCase:
    """One run: the same steps, in the same order, as the column path's ``_Run``."""

    def __init__(self, process: Process, calendar: Calendar, case, as_of: date):
        self.process, self.calendar, self.case = process, calendar, case
        self.facts = _facts(calendar)
        self.as_of = as_of
        self.received = case.received
        self.events = case.events
        self.unstarted: dict[str, bool] = {}  # automatic milestones not begun yet

    # -- inputs -------------------------------------------------------------------------------
    def actuals(self) -> dict[str, date | None]:
        found: dict[str, date | None] = {}
        for milestone in self.process.milestones:
            if milestone.id == self.process.start:
                found[milestone.id] = self.received
                continue
            day = self.events.get(milestone.id)
            if day is not None and day < self.received:
                raise InputError(before_start_text(milestone.id, day, self.received))
            # An actual date after the as-of date had not happened yet as of then.
            found[milestone.id] = None if day is None or day > self.as_of else day
        return found

    def resolved_outcomes(self, actual) -> dict[str, int]:
        """Given outcomes, plus those implied by recorded milestones."""
        given = self.case.outcomes
        outcomes = {
            branch.id: branch.values.index(given[branch.id]) if branch.id in given else UNKNOWN
            for branch in self.process.branches.values()
        }
        for milestone in self.process.milestones:
            if actual[milestone.id] is None:
                continue
            for condition in milestone.when:
                value = outcomes[condition.branch]
                implied = self.process.branches[condition.branch].values.index(condition.value)
                if value not in (UNKNOWN, implied):
                    raise InputError(clash_text(self.process, milestone, condition, value))
                outcomes[condition.branch] = implied
        return outcomes

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> OneProjection:
        process = self.process
        actual = self.actuals()
        outcomes = self.resolved_outcomes(actual)
        due, target, earliest, projected = {}, {}, {}, {}
        applicable, conditional = {}, {}
        for milestone_id in process.order:
            milestone = process.milestone(milestone_id)
            applies, maybe = self.branch_flags(milestone, outcomes)
            applies = applies and milestone.in_force_on(self.received)
            if milestone_id == process.start:
                own_due = actual[milestone_id]
            else:
                own_due = (
                    self.revised(milestone, lambda m: self.evaluate(m.due, m, actual, projected))
                    if milestone.revisions
                    else self.evaluate(milestone.due, milestone, actual, projected)
                )
                # No due date: a parameter it needs was not given, or it could not be counted.
                applies = applies and own_due is not None
                if milestone.automatic:
                    actual[milestone_id] = self.ended_by_itself(milestone, own_due, actual, applies)
            own_target = own_earliest = None
            if milestone.target is not None:
                own_target = self.evaluate(milestone.target, milestone, actual, projected)
            if milestone.earliest is not None:
                own_earliest = self.evaluate(milestone.earliest, milestone, actual, projected)
            own_projected = (
                self.revised(
                    milestone, lambda m, due=own_due: self.projection(m, due, actual, projected)
                )
                if milestone.revisions
                else self.projection(milestone, own_due, actual, projected)
            )
            applicable[milestone_id], conditional[milestone_id] = applies, maybe and applies
            due[milestone_id] = own_due if applies else None
            target[milestone_id] = own_target if applies else None
            earliest[milestone_id] = own_earliest if applies else None
            projected[milestone_id] = own_projected if applies else None
        self.known = {m: self.date_of(m, actual, projected) for m in process.ids}
        self.tested = {m.id: self.closure_test_date(m) for m in process.milestones}
        windows = {
            m.id: self.facts.window_of(self.tested[m.id])
            if "school_closure" in m.excused_by
            else -1
            for m in process.milestones
        }
        skipped = {
            m.id: self.closure_untestable(m, applicable[m.id], windows[m.id])
            for m in process.milestones
        }
        recorded = self.recorded_exceptions(due, applicable)
        closed = False
        for milestone in process.milestones:
            if applicable[milestone.id] and not conditional[milestone.id]:
                closed = actual[milestone.id] is not None
        status, days_late = {}, {}
        for milestone in process.milestones:
            key = milestone.id
            status[key], days_late[key] = self.status(
                milestone,
                due[key],
                projected[key],
                actual[key],
                applicable[key],
                windows[key] >= 0,
                key in recorded,
                closed,
            )
        return OneProjection(
            due=due,
            target=target,
            earliest=earliest,
            projected=projected,
            actual={k: v if applicable[k] else None for k, v in actual.items()},
            status=status,
            days_late=days_late,
            conditional=conditional,
            closure_window=windows,
            closure_skipped=skipped,
            closed=closed,
            outcomes=outcomes,
            recorded=recorded,
        )

    def revised(self, milestone: Milestone, compute):
        """``compute`` by the version of the milestone in force on the case's start date. As
        in the column path, the original rule is counted first (its errors are the case's)."""
        result = compute(milestone)
        for revision in milestone.revisions:
            if self.received >= revision.in_force_from:
                result = compute(milestone.at(revision.in_force_from))
        return result

    def branch_flags(self, milestone: Milestone, outcomes) -> tuple[bool, bool]:
        applies, maybe = True, False
        for condition in milestone.when:
            branch = self.process.branches[condition.branch]
            value = outcomes[condition.branch]
            applies = applies and value in (UNKNOWN, branch.values.index(condition.value))
            if condition.value != branch.assumed:
                maybe = maybe or value == UNKNOWN
        return applies, maybe

    def date_of(self, name: str, actual, projected) -> date | None:
        """A milestone's actual date where recorded, else its projected date; for a case date,
        the date recorded."""
        if name in self.process.dates:
            return self.events.get(name)
        recorded = actual[name]
        return projected[name] if recorded is None else recorded

    def date_of_recorded(self, name: str, actual) -> date | None:
        return self.events.get(name) if name in self.process.dates else actual[name]

    def ended_by_itself(self, milestone: Milestone, due, actual, applies) -> date | None:
        """An automatic milestone has ended, dated its last day, from the day after it, once
        the dates it runs from are recorded."""
        anchors = milestone.due.anchors if milestone.due else ()
        anchors_recorded = all(self.date_of_recorded(a, actual) is not None for a in anchors)
        self.unstarted[milestone.id] = not anchors_recorded
        passed = actual[milestone.id] is None and due is not None and due < self.as_of
        return due if passed and anchors_recorded and applies else actual[milestone.id]

    # -- rules --------------------------------------------------------------------------------
    def evaluate(self, rule: Rule | None, milestone: Milestone, actual, projected) -> date | None:
        if rule is None:
            return None
        if rule.on is not None:
            result = self.fixed_date(rule)
        else:
            parts = [self.step(step, milestone, actual, projected) for step in rule.steps]
            result = parts[0]
            if rule.combine == "latest":
                for part in parts[1:]:
                    result = _combined(max, result, part)
            elif rule.combine == "earliest":
                for part in parts[1:]:
                    result = _combined(min, result, part)
            elif rule.combine == "first":  # the first part whose anchor is dated
                for part in parts[1:]:
                    result = part if result is None else result
        if rule.roll_out_of and result is not None:
            result = _roll(result, rule, self.calendar)
        if rule.to_working_day and result is not None:
            result = self.next_working_day(result)
        return result

    def step(self, step: Step, milestone: Milestone, actual, projected) -> date | None:
        if step.if_recorded:
            start = self.date_of_recorded(step.anchor, actual)
        else:
            start = self.date_of(step.anchor, actual, projected)
        if start is None:
            return None
        count = self.facts.counter(step.amount, step.unit)
        if isinstance(count, CalendarError):  # e.g. term weeks on a calendar without terms
            raise type(count)(f"{milestone.id}: {count}")
        try:
            result = count(start)
        except SendClockError as error:
            raise OutOfCoverage(f"{milestone.id}: {error}") from None
        # A period "beginning with" its anchor's date counts that date as its first day.
        return result - ONE_DAY if step.starting_with else result

    def fixed_date(self, rule: Rule) -> date | None:
        year = self.case.params.get(rule.year_param, UNKNOWN)
        if rule.year_param not in self.process.params or year < 0:
            return None
        month, day = rule.on
        # like the column path: the month's first day plus (day - 1) days
        return date(year, month, 1) + timedelta(days=day - 1)

    def next_working_day(self, day: date) -> date | None:
        """The date, or the next working day when it is not one; None beyond the bank
        holidays known (as the column path, which coerces)."""
        try:
            return self.calendar.adder(1, "working-days")(day - ONE_DAY)
        except SendClockError:
            return None

    def projection(self, milestone: Milestone, due, actual, projected) -> date | None:
        recorded = actual[milestone.id]
        if recorded is not None:
            return recorded
        forecast = due
        lead = milestone.lead
        if lead is not None:
            after = self.date_of(lead.anchor, actual, projected)
            if after is not None:
                with suppress(SendClockError):  # as the column path: no lead, no forecast
                    possible = self.calendar.adder(lead.amount, lead.unit)(after)
                    forecast = possible if due is None or possible > due else due
        return forecast

    # -- exceptions ---------------------------------------------------------------------------
    def closure_test_date(self, milestone: Milestone) -> date | None:
        """The first known of the milestone's closure-test dates (a case date after the as-of
        date has not happened yet)."""
        for name in milestone.closure_test:
            if name in self.process.dates:
                candidate = self.events.get(name)
                if candidate is not None and candidate > self.as_of:
                    candidate = None
            else:
                candidate = self.known[name]
            if candidate is not None:
                return candidate
        return None

    def closure_untestable(self, milestone: Milestone, applicable: bool, window: int) -> bool:
        if "school_closure" not in milestone.excused_by:
            return False
        tested = self.tested[milestone.id]
        if not applicable or tested is None or window >= 0:
            return False
        if self.facts.first_term_day is None:
            return True
        return tested < self.facts.first_term_day or tested > self.facts.last_known

    def recorded_exceptions(self, due, applicable) -> dict[str, list[RecordedException]]:
        found: dict[str, list[RecordedException]] = {}
        for exception in self.case.exceptions:
            exception.check(self.process)
            for milestone in self.process.milestones:
                if exception_applies(
                    exception,
                    milestone,
                    applicable=applicable[milestone.id],
                    started=self.received,
                    tested=self.tested[milestone.id],
                    due=due[milestone.id],
                    anchor_date=self.anchor_date,
                ):
                    found.setdefault(milestone.id, []).append(exception)
        return found

    def anchor_date(self, name: str) -> date | None:
        return self.known[name] if name in self.known else self.events.get(name)

    # -- statuses -----------------------------------------------------------------------------
    def status(
        self, milestone, due, projected, actual, applicable, in_window, recorded, closed
    ) -> tuple[int, int]:
        """The status and days late (-1: none) of one milestone, as the column path's
        ``statuses``: the first that holds of not_applicable, unrecorded, excused, late, met,
        overdue, at_risk, due_soon; else pending."""
        if milestone.id == self.process.start:
            return (MET if applicable else NOT_APPLICABLE), -1
        has_actual = actual is not None
        dated = due is not None
        late = has_actual and dated and actual > due
        overdue = not has_actual and dated and self.as_of > due
        at_risk = not has_actual and not overdue and dated and projected is not None
        at_risk = at_risk and projected > due
        due_soon = not (has_actual or overdue or at_risk) and dated
        due_soon = due_soon and (due - self.as_of).days <= DUE_SOON_DAYS
        excused = (late or overdue) and (in_window or recorded)
        unrecorded = closed and not has_actual
        # A period given to someone else that has not begun (no draft yet) waits, never overdue.
        unstarted = self.unstarted.get(milestone.id, False)
        overdue = overdue and not unstarted
        if not applicable:
            status = NOT_APPLICABLE
        elif unrecorded:
            status = UNRECORDED
        elif excused:
            status = EXCUSED
        elif late:
            status = LATE
        elif has_actual:
            status = MET
        elif overdue:
            status = OVERDUE
        elif at_risk:
            status = AT_RISK
        elif due_soon:
            status = DUE_SOON
        else:
            status = PENDING
        waiting = unstarted and not has_actual and dated and self.as_of > due
        if milestone.automatic and status == DUE_SOON and waiting:  # not begun, last day passed
            status = PENDING
        if applicable and (late or (overdue and not unrecorded)):
            return status, (actual - due).days if late else (self.as_of - due).days
        return status, -1

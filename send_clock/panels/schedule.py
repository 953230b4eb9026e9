"""Panel schedules: the days a panel sits, and the day its papers must be in.

A schedule is plain data, usually read from a TOML file by :func:`load_schedule`. Its panel
dates are its explicit ``dates`` plus the dates of its recurrences (python-dateutil ``rrule``
text such as ``FREQ=WEEKLY;BYDAY=WE``); a recurrence date is kept only on a term weekday of the
calendar used (unless ``term_time = false``) that is not a bank holiday; explicit dates are kept
as written; ``exclude`` removes dates from both.

The paperwork **cut-off** is a lead before each panel: ``cutoff = { amount = 4, unit =
"working-days" }`` puts the cut-off of a Wednesday panel on the Thursday of the week before
(Tuesday, Monday, Friday, Thursday are the 4 working days back). A case's papers are in time
for a panel when they are ready **on or before** its cut-off date (dates only: a "5 pm" on the
cut-off day is the council's own rule and is not modelled).

>>> from send_clock.calendars import load_calendar
>>> schedule = schedule_from_toml('''
... id = "decision-panel"
... title = "Decision panel"
... serves = "decision_to_assess"
... cutoff = { amount = 4, unit = "working-days" }
... [[recurrence]]
... rule = "FREQ=WEEKLY;BYDAY=WE"
... start = 2025-09-01
... ''', "decision-panel.toml")
>>> surrey = load_calendar("surrey")
>>> [str(s.panel) for s in schedule.sittings(surrey, date(2025, 10, 13), date(2025, 11, 9))]
['2025-10-15', '2025-10-22', '2025-11-05']
>>> schedule.cutoff_for(date(2025, 11, 5), surrey)   # half term 27-31 Oct is no bar to papers
datetime.date(2025, 10, 30)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from dateutil import rrule

from ..calendars import Calendar
from ..calendars.units import WORKING_DAYS, describe, parse_unit
from ..datafiles import TableReader, decode_text, parse_toml
from ..dates import iso
from ..errors import InputError, PanelError, PanelFileError, SendClockError

_MILESTONE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {
    "id",
    "title",
    "description",
    "serves",
    "needs",
    "process",
    "term_time",
    "dates",
    "recurrence",
    "exclude",
    "cutoff",
}
_RECURRENCE_KEYS = {"rule", "start", "until"}
_CUTOFF_KEYS = {"amount", "unit"}
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FREQ = re.compile(r"FREQ=([A-Z]+)")
_EXAMPLE_RULE = "FREQ=WEEKLY;BYDAY=WE (every Wednesday) or FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"


@dataclass(frozen=True)
class Cutoff:
    """The paperwork cut-off: ``amount`` ``unit`` before the panel date (0 = the panel day)."""

    amount: int = 0
    unit: str = WORKING_DAYS

    def before(self, panel: date, calendar: Calendar) -> date:
        """The cut-off date of a panel sitting on ``panel``."""
        return calendar.add(panel, -self.amount, self.unit) if self.amount else panel

    def __str__(self) -> str:
        if not self.amount:
            return "papers by the panel day"
        return f"{describe(self.amount, self.unit)} before the panel"


@dataclass(frozen=True)
class Recurrence:
    """A python-dateutil recurrence rule (``FREQ=WEEKLY;BYDAY=WE``) from ``start``, optionally
    up to ``until`` (inclusive)."""

    rule: str
    start: date
    until: date | None = None

    def between(self, first: date, last: date) -> list[date]:
        """The rule's dates from ``first`` to ``last`` inclusive.

        >>> Recurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2025, 9, 4)).between(
        ...     date(2025, 9, 1), date(2025, 10, 1))
        [datetime.date(2025, 9, 4), datetime.date(2025, 9, 18)]
        """
        last = min(last, self.until) if self.until else last
        if last < first:
            return []
        rule = _parse_rule(self.rule, self.start)
        found = rule.between(_midnight(first), _midnight(last), inc=True)
        return [moment.date() for moment in found]

    def last_date(self) -> date | None:
        """The last date of the rule (``until``, ``UNTIL`` or ``COUNT``), ``None`` without end."""
        if self.until is not None:
            return self.until
        upper = self.rule.upper()
        if "UNTIL=" not in upper and "COUNT=" not in upper:
            return None
        found = list(_parse_rule(self.rule, self.start))
        return found[-1].date() if found else self.start


@dataclass(frozen=True)
class Sitting:
    """One panel: the day it sits and its paperwork cut-off."""

    panel: date
    cutoff: date

    def to_dict(self) -> dict:
        return {"date": iso(self.panel), "cutoff": iso(self.cutoff)}


@dataclass(frozen=True)
class PanelSchedule:
    """When one kind of panel sits, which milestone it serves and what it needs to hear a case.

    ``serves``: the milestone the panel decides (its due date is the deadline the panel must
    meet). ``needs``: the milestone whose date makes a case ready for the panel; ``None`` means
    the served milestone's predecessor (the request for an England decision panel, the advice for
    a Jersey outcome panel). ``process``: the process the schedule is for, if it says.
    """

    id: str
    title: str
    serves: str
    cutoff: Cutoff = Cutoff()
    dates: tuple[date, ...] = ()
    recurrences: tuple[Recurrence, ...] = ()
    exclude: tuple[tuple[date, date], ...] = ()
    term_time: bool = True
    needs: str | None = None
    process: str | None = None
    description: str = ""
    origin: str = ""

    # -- panel dates --------------------------------------------------------------------------
    def panel_dates(self, calendar: Calendar, first: date, last: date) -> list[date]:
        """The days the panel sits from ``first`` to ``last`` inclusive, in order.

        With ``term_time`` (the default) a recurrence date outside the calendar's term dates,
        or outside the years those cover, is dropped: see :meth:`known_between`.
        """
        found = {day for day in self.dates if first <= day <= last}
        for recurrence in self.recurrences:
            found.update(
                day for day in recurrence.between(first, last) if self._sits_on(day, calendar)
            )
        return sorted(day for day in found if not self.is_excluded(day))

    def sittings(self, calendar: Calendar, first: date, last: date) -> list[Sitting]:
        """:meth:`panel_dates` with each panel's cut-off."""
        return [
            Sitting(day, self.cutoff_for(day, calendar))
            for day in self.panel_dates(calendar, first, last)
        ]

    def cutoff_for(self, panel: date, calendar: Calendar) -> date:
        """The last day papers can be in for the panel of ``panel``."""
        try:
            return self.cutoff.before(panel, calendar)
        except SendClockError as error:
            raise type(error)(f"the cut-off of the {self.title} of {panel}: {error}") from None

    def is_excluded(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.exclude)

    def known_between(self, calendar: Calendar) -> tuple[date, date]:
        """The days over which the panel dates are known: the calendar's term dates for a
        term-time schedule with a recurrence, any day otherwise."""
        if self.term_time and self.recurrences and calendar.coverage:
            return calendar.coverage
        return date.min, date.max

    def last_date(self) -> date | None:
        """The last day the schedule can have a panel, or ``None`` when a recurrence runs on
        without end."""
        ends = list(self.dates)
        for recurrence in self.recurrences:
            end = recurrence.last_date()
            if end is None:
                return None
            ends.append(end)
        return max(ends, default=None)

    def _sits_on(self, day: date, calendar: Calendar) -> bool:
        if day in calendar.bank_holidays:
            return False
        if not self.term_time:
            return True
        coverage = calendar.coverage
        if coverage is None:
            raise PanelError(
                f"the {self.title} sits in term time only, and calendar {calendar.id!r} has no "
                "school term dates: use a calendar with term dates, or set term_time = false "
                "in the schedule"
            )
        return coverage[0] <= day <= coverage[1] and calendar.is_term_day(day)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "serves": self.serves,
            "needs": self.needs,
            "process": self.process,
            "term_time": self.term_time,
            "cutoff": {
                "amount": self.cutoff.amount,
                "unit": self.cutoff.unit,
                "text": str(self.cutoff),
            },
            "dates": [iso(day) for day in self.dates],
            "recurrences": [
                {"rule": r.rule, "start": iso(r.start), "until": iso(r.until)}
                for r in self.recurrences
            ],
            "exclude": [[iso(first), iso(last)] for first, last in self.exclude],
            "origin": self.origin,
        }


# -- loading ----------------------------------------------------------------------------------
def load_schedule(path: str | Path) -> PanelSchedule:
    """Read and validate a panel schedule file (TOML)."""
    file = Path(path).expanduser()
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise PanelError(f"no panel schedule file {str(path)!r}: the file does not exist") from None
    except OSError as error:
        raise PanelError(f"cannot read panel schedule {path}: {error.strerror}") from None
    return schedule_from_toml(decode_text(raw, str(path), PanelFileError), str(path))


def schedule_from_toml(text: str, path: str) -> PanelSchedule:
    """Parse and validate a panel schedule written in TOML; ``path`` names it in errors."""
    data = parse_toml(text, path, PanelFileError)
    read = TableReader(path, PanelFileError)
    read.keys(data, _TOP_KEYS, "top level")
    schedule_id = read.file_id(data, "schedule", "decision-panel")
    schedule = PanelSchedule(
        id=schedule_id,
        title=read.text(data, "title", "title") or schedule_id,
        description=read.text(data, "description", "description"),
        serves=_milestone_id(read, data, "serves", required=True),
        needs=_milestone_id(read, data, "needs") or None,
        process=read.text(data, "process", "process") or None,
        term_time=read.flag(data, "term_time", "term_time", default=True),
        cutoff=_cutoff(data.get("cutoff"), read),
        dates=tuple(
            read.date(value, f"dates[{number}]")
            for number, value in enumerate(read.list(data, "dates", "dates"), start=1)
        ),
        recurrences=_recurrences(data.get("recurrence"), read),
        exclude=tuple(
            _exclusion(value, read, f"exclude[{number}]")
            for number, value in enumerate(read.list(data, "exclude", "exclude"), start=1)
        ),
        origin=path,
    )
    if not schedule.dates and not schedule.recurrences:
        raise read.fail(
            "", "the schedule has no panel dates: give dates = [...] or a [[recurrence]]"
        )
    if schedule.process:
        check_schedule(schedule, _process(schedule.process, path))
    return schedule


def check_schedule(schedule: PanelSchedule, process) -> tuple:
    """The served and needed milestones of ``process``: ``(serves, needs)``; a
    :class:`PanelFileError` naming the schedule file when either does not fit the process."""
    path = schedule.origin or schedule.id
    if schedule.process and schedule.process != process.id:
        raise PanelFileError(
            path,
            "process",
            f"the schedule is for process {schedule.process!r}, not {process.id!r}; plan it "
            f"with process {schedule.process}, or change the schedule",
        )
    serves = _milestone_of(process, schedule.serves, path, "serves")
    if serves.due is None:
        raise PanelFileError(
            path, "serves", f"{serves.id} is where {process.id} starts: it has no deadline to meet"
        )
    needs_id = schedule.needs or _predecessor(serves)
    needs = _milestone_of(process, needs_id, path, "needs")
    return serves, needs


def _predecessor(milestone) -> str:
    if milestone.lead is not None:
        return milestone.lead.anchor
    return milestone.due.steps[0].anchor if milestone.due.steps else milestone.id


def _milestone_of(process, milestone_id: str, path: str, where: str):
    if milestone_id not in process.ids:
        raise PanelFileError(
            path,
            where,
            f"{milestone_id!r} is not a milestone of {process.id}; its milestones are: "
            f"{', '.join(process.ids)}",
        )
    return process.milestone(milestone_id)


def _process(process_id: str, path: str):
    from ..timelines import load_process

    try:
        return load_process(process_id)
    except SendClockError as error:
        raise PanelFileError(path, "process", str(error)) from None


def _recurrences(value, read: TableReader) -> tuple[Recurrence, ...]:
    if value is None:
        return ()
    tables = [value] if isinstance(value, dict) else value
    if not isinstance(tables, list):
        raise read.fail("recurrence", "write each recurrence as a [[recurrence]] table")
    return tuple(
        _recurrence(table, read, f"recurrence[{number}]")
        for number, table in enumerate(tables, start=1)
    )


def _recurrence(table, read: TableReader, where: str) -> Recurrence:
    if not isinstance(table, dict):
        raise read.fail(where, "a recurrence is a table: { rule, start, until }")
    read.keys(table, _RECURRENCE_KEYS, where)
    text = table.get("rule")
    if not isinstance(text, str) or not text.strip():
        raise read.fail(where, f"rule is missing: write it like {_EXAMPLE_RULE}")
    start = read.date(table.get("start"), f"{where} start")
    until = read.date(table["until"], f"{where} until") if "until" in table else None
    rule = text.strip().removeprefix("RRULE:")
    try:
        _parse_rule(rule, start)
    except InputError as error:
        raise read.fail(f"{where} rule", str(error)) from None
    if until is not None and until < start:
        raise read.fail(f"{where} until", f"{until} is before the start {start}")
    return Recurrence(rule, start, until)


def _parse_rule(rule: str, start: date) -> rrule.rrule:
    """The dateutil rule of ``rule`` from ``start``; :class:`InputError` when it is not one."""
    upper = rule.upper()
    if "DTSTART" in upper or "\n" in rule:
        raise InputError(
            f"{rule!r}: give only the RRULE part (e.g. {_EXAMPLE_RULE}); the first date goes "
            "in start"
        )
    frequency = _FREQ.search(upper)
    if frequency is None:
        raise InputError(f"{rule!r} has no FREQ: write it like {_EXAMPLE_RULE}")
    if frequency.group(1) in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise InputError(
            f"{rule!r}: panels sit on days, so FREQ must be one of {', '.join(_FREQUENCIES)}"
        )
    try:
        parsed = rrule.rrulestr(rule, dtstart=_midnight(start))
        parsed.after(_midnight(start), inc=True)  # a bad UNTIL shows only when it is used
    except (ValueError, TypeError) as error:
        raise InputError(
            f"{rule!r} is not a recurrence rule send-clock can read (python-dateutil says: "
            f"{error}); write it like "
            f"{_EXAMPLE_RULE}"
        ) from None
    return parsed


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _cutoff(value, read: TableReader) -> Cutoff:
    if value is None:
        return Cutoff()
    if not isinstance(value, dict):
        raise read.fail("cutoff", 'write the cut-off as { amount = 4, unit = "working-days" }')
    read.keys(value, _CUTOFF_KEYS, "cutoff")
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise read.fail("cutoff amount", f"{amount!r} is not a whole number of days of 0 or more")
    try:
        unit = parse_unit(value.get("unit", WORKING_DAYS))
    except InputError as error:
        raise read.fail("cutoff unit", str(error)) from None
    return Cutoff(amount, unit)


def _exclusion(value, read: TableReader, where: str) -> tuple[date, date]:
    if isinstance(value, list):
        if len(value) != 2:
            raise read.fail(
                where, "an excluded period is [first day, last day]; a single day is a date"
            )
        first, last = (read.date(v, where) for v in value)
        if last < first:
            raise read.fail(where, f"the period ends on {last} before it starts {first}")
        return first, last
    day = read.date(value, where)
    return day, day


def _milestone_id(read: TableReader, table: dict, key: str, required: bool = False) -> str:
    value = read.text(table, key, key)
    if not value:
        if required:
            raise read.fail(key, f"{key} is missing: name the milestone, e.g. decision_to_assess")
        return ""
    if not _MILESTONE_ID.match(value):
        raise read.fail(
            key, f"{value!r} is not a milestone id (lower case and _, e.g. outcome_panel)"
        )
    return value

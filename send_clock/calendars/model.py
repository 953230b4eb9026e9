"""The calendar: bank holidays of a jurisdiction plus, optionally, school term dates.

A :class:`Calendar` is plain data (terms, academic years with their source and status, bank
holiday corrections) and the arithmetic over it. Indexes for each counting unit are built the
first time they are needed and kept, so that each addition afterwards is a bisect.

>>> from send_clock.calendars import load_calendar
>>> jersey = load_calendar("jersey")
>>> jersey.add(date(2025, 10, 15), 6, "term-weeks")
datetime.date(2025, 12, 3)
>>> jersey.between(date(2025, 10, 15), date(2025, 12, 3), "term-weeks")
6
>>> jersey.is_term_day(date(2025, 10, 29))   # half term
False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
from dateutil.relativedelta import relativedelta

from ..errors import CalendarError, InputError, SendClockError
from . import bankholidays
from .dayindex import DayIndex, day_number, from_day_number, weekday_numbers, without
from .units import (
    DAYS,
    MONTHS,
    SCHOOL_DAYS,
    TERM_WEEKS,
    WEEKS,
    WORKING_DAYS,
    describe,
    parse_unit,
)

#: Two terms further apart than this leave a gap no school holiday is that long: term dates are
#: missing there, and counting across the gap would silently treat a school year as holiday.
LONGEST_HOLIDAY_DAYS = 70

#: §2 of the rules: a closure of at least this many days can excuse the 16- and 20-week limits.
QUALIFYING_CLOSURE_DAYS = 28

#: Days from 1 Jan 0001 to 31 Dec 9999, the dates Python can hold: an amount larger than this, in
#: any unit, lands outside them.
MAX_AMOUNT = (date.max - date.min).days

_FIRST_DAY = np.datetime64(date.min, "D")
_LAST_DAY = np.datetime64(date.max, "D")


@dataclass(frozen=True)
class Term:
    """One term: first and last day (inclusive, INSET days included), its half-term holiday
    (first and last weekday of the holiday), INSET days and other closure days inside it."""

    name: str
    start: date
    end: date
    half_term: tuple[date, date] | None = None
    inset: tuple[date, ...] = ()
    closures: tuple[date, ...] = ()

    def weekday_numbers(self) -> np.ndarray:
        """Day numbers of this term's term weekdays (half term excluded)."""
        numbers = weekday_numbers(self.start, self.end)
        if self.half_term:
            first, last = (day_number(d) for d in self.half_term)
            numbers = numbers[(numbers < first) | (numbers > last)]
        return numbers


@dataclass(frozen=True)
class AcademicYear:
    """The terms of one school year, with where they were taken from and how sure they are."""

    label: str  # "2025-26"
    source: str
    status: str  # official | school-sourced | imported | ...
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Closure:
    """A continuous run of days without term weekdays, between two term days.

    ``start`` is the day after the last term day, ``reopens`` the first term day after it.
    """

    start: date
    reopens: date
    kind: str  # "half term" (inside a term) | "holiday" (between terms)
    after_term: str

    @property
    def end(self) -> date:
        return self.reopens - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.reopens - self.start).days


@dataclass(frozen=True)
class ClosureWindow:
    """The school-closure exception window of SEND Regulations 2014 reg 5(4)(a) / 10(4)(a):
    from one week before the closure starts to one week before the school re-opens, inclusive."""

    closure: Closure
    start: date
    end: date

    @classmethod
    def of(cls, closure: Closure) -> ClosureWindow:
        week = timedelta(days=7)
        return cls(closure, closure.start - week, closure.reopens - week)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Calendar:
    """Bank holidays of a jurisdiction and, optionally, the school term dates of an authority."""

    id: str
    name: str
    jurisdiction: str
    years: tuple[AcademicYear, ...] = ()
    notes: str = ""
    origin: str = "bundled"
    bank_holidays_add: tuple[date, ...] = ()
    bank_holidays_remove: tuple[date, ...] = ()

    # -- what it holds ----------------------------------------------------------------------
    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for year in self.years for term in year.terms)

    @property
    def has_terms(self) -> bool:
        return bool(self.years)

    @property
    def coverage(self) -> tuple[date, date] | None:
        """First and last day of term the calendar knows, or ``None`` without term dates."""
        terms = self.terms
        return (terms[0].start, terms[-1].end) if terms else None

    @property
    def status(self) -> str:
        """The source status of the term dates, summarised: ``official``, or e.g.
        ``official 2023-24 to 2024-25, school-sourced 2025-26 to 2026-27``."""
        if not self.years:
            return "bank holidays only"
        runs: list[list] = []
        for year in self.years:
            if runs and runs[-1][0] == year.status:
                runs[-1][2] = year.label
            else:
                runs.append([year.status, year.label, year.label])
        if len(runs) == 1:
            return runs[0][0]
        return ", ".join(
            f"{status} {first}" + ("" if first == last else f" to {last}")
            for status, first, last in runs
        )

    @cached_property
    def bank_holidays(self) -> frozenset[date]:
        """Weekday bank holidays from 1990 to 2060, with this calendar's own corrections."""
        days = bankholidays.bank_holidays(
            self.jurisdiction, bankholidays.FIRST_YEAR, bankholidays.LAST_YEAR
        )
        return (days | set(self.bank_holidays_add)) - set(self.bank_holidays_remove)

    def bank_holidays_between(self, first: date, last: date) -> list[date]:
        return sorted(day for day in self.bank_holidays if first <= day <= last)

    # -- indexes, built once ----------------------------------------------------------------
    @cached_property
    def working_days(self) -> DayIndex:
        first = date(bankholidays.FIRST_YEAR, 1, 1)
        last = date(bankholidays.LAST_YEAR, 12, 31)
        numbers = without(weekday_numbers(first, last), self.bank_holidays)
        return DayIndex(numbers, first, last, "bank holidays", self.id)

    @cached_property
    def term_days(self) -> DayIndex:
        """Term weekdays: Mon-Fri inside a term, half terms excluded (INSET days count)."""
        first, last = self._require_terms("term weeks")
        numbers = np.concatenate([term.weekday_numbers() for term in self.terms])
        return DayIndex(numbers, first, last, "term dates", self.id)

    @cached_property
    def school_days(self) -> DayIndex:
        """Term weekdays that are not bank holidays, INSET or other closure days."""
        first, last = self._require_terms("school days")
        closed = set(self.bank_holidays)
        for term in self.terms:
            closed.update(term.inset, term.closures)
        return DayIndex(without(self.term_days.numbers, closed), first, last, "term dates", self.id)

    def _require_terms(self, what: str) -> tuple[date, date]:
        if self.coverage is None:
            raise CalendarError(
                f"calendar {self.id!r} has bank holidays only, no school term dates, so it "
                f"cannot count {what}; use a calendar with term dates (e.g. 'jersey', 'surrey') "
                "or give a file of term dates"
            )
        return self.coverage

    def _index(self, unit: str) -> DayIndex:
        return {
            WORKING_DAYS: lambda: self.working_days,
            TERM_WEEKS: lambda: self.term_days,
            SCHOOL_DAYS: lambda: self.school_days,
        }[unit]()

    # -- arithmetic on one date -------------------------------------------------------------
    def add(self, start: date, amount: int, unit: str) -> date:
        """The date ``amount`` units after ``start`` (before it when ``amount`` is negative),
        counted as §1 of the statutory rules says.

        >>> from send_clock.calendars import load_calendar
        >>> load_calendar("england-and-wales").add(date(2025, 12, 31), 2, "months")
        datetime.date(2026, 2, 28)
        """
        unit = parse_unit(unit)
        amount = _whole(amount)
        if abs(amount) > MAX_AMOUNT:
            raise InputError(
                f"{amount} is too large an amount: no date {describe(amount, unit)} from "
                f"{start} exists; give an amount of at most {MAX_AMOUNT}"
            )
        try:
            if unit == DAYS:
                return start + timedelta(days=amount)
            if unit == WEEKS:
                return start + timedelta(weeks=amount)
            if unit == MONTHS:
                return start + relativedelta(months=amount)
        except (OverflowError, ValueError):
            raise InputError(
                f"{describe(amount, unit)} from {start} falls outside the years 1 to 9999"
            ) from None
        per_unit = 5 if unit == TERM_WEEKS else 1
        try:
            return self._index(unit).step(start, amount * per_unit)
        except CalendarError as error:
            raise type(error)(f"{describe(amount, unit)} from {start}: {error}") from None

    def adder(self, amount: int, unit: str) -> Callable[[date], date]:
        """``lambda start: self.add(start, amount, unit)``, with the unit and its day index
        looked up once: for counting many dates one at a time (one case's timeline counts a
        few dozen). Same results and errors as :meth:`add`.

        >>> from send_clock.calendars import load_calendar
        >>> six_weeks = load_calendar("england-and-wales").adder(6, "weeks")
        >>> six_weeks(date(2025, 9, 15))
        datetime.date(2025, 10, 27)
        """
        key = (amount, unit)
        found = self._adders.get(key)
        if found is None:
            found = self._adders[key] = self._make_adder(amount, unit)
        return found

    @cached_property
    def _adders(self) -> dict[tuple[int, str], Callable[[date], date]]:
        return {}

    def _make_adder(self, amount: int, unit: str) -> Callable[[date], date]:
        def slow(start: date) -> date:
            return self.add(start, amount, unit)

        try:
            unit, amount = parse_unit(unit), _whole(amount)
            if abs(amount) > MAX_AMOUNT:
                return slow
            if unit in (DAYS, WEEKS, MONTHS):
                delta = (
                    relativedelta(months=amount)
                    if unit == MONTHS
                    else timedelta(days=amount * (7 if unit == WEEKS else 1))
                )
                count = _plus(delta)
            else:
                count = _steps(self._index(unit), amount * (5 if unit == TERM_WEEKS else 1))
        except SendClockError:  # no such unit, or no day index for it: add says why
            return slow

        def fast(start: date) -> date:
            try:
                return count(start)
            except (SendClockError, OverflowError, ValueError):
                return slow(start)  # raises add's own error, with its message

        return fast

    def between(self, start: date, end: date, unit: str) -> int:
        """How many whole units lie from ``start`` to ``end``: the inverse of :meth:`add`, so
        ``between(d, add(d, n)) == n`` for every n ≥ 0."""
        unit = parse_unit(unit)
        if end < start:
            raise InputError(
                f"the end date {end} is before the start date {start}; give the earlier date first"
            )
        if unit == DAYS:
            return (end - start).days
        if unit == WEEKS:
            return (end - start).days // 7
        if unit == MONTHS:
            months = (end.year - start.year) * 12 + end.month - start.month
            return months if start + relativedelta(months=months) <= end else months - 1
        try:
            counted = self._index(unit).count(start, end)
        except CalendarError as error:
            raise type(error)(f"{unit} from {start} to {end}: {error}") from None
        return counted // 5 if unit == TERM_WEEKS else counted

    def is_term_day(self, day: date) -> bool:
        """Whether ``day`` is a term weekday (INSET days and bank holidays in term included)."""
        return day in self.term_days

    def is_school_day(self, day: date) -> bool:
        """Whether ``day`` is a term weekday on which the school is open to pupils."""
        return day in self.school_days

    def is_working_day(self, day: date) -> bool:
        return day in self.working_days

    # -- arithmetic on many dates -----------------------------------------------------------
    def add_many(self, starts, amount, unit: str, errors: str = "raise") -> np.ndarray:
        """:meth:`add` for many start dates at once, without a Python loop.

        ``starts`` is anything ``numpy.asarray(..., "datetime64[D]")`` accepts (a list of
        ``date``, a ``datetime64`` array); ``amount`` one whole number or an array of them.
        Returns ``datetime64[D]``. With ``errors="coerce"`` a result that needs data the calendar
        lacks, or that falls outside the years 1 to 9999, is ``NaT`` instead of an error. A ``NaT``
        start gives a ``NaT`` result.

        >>> from send_clock.calendars import load_calendar
        >>> load_calendar("jersey").add_many([date(2025, 10, 15), date(2025, 12, 1)], 6,
        ...                                  "term-weeks").tolist()
        [datetime.date(2025, 12, 3), datetime.date(2026, 1, 27)]
        """
        unit = parse_unit(unit)
        days = np.asarray(starts, dtype="datetime64[D]")
        try:
            amounts = np.asarray(amount, dtype=np.int64)
        except OverflowError:
            raise InputError(
                f"an amount is too large: give amounts of at most {MAX_AMOUNT}"
            ) from None
        # Larger amounts land outside the years 1-9999 in every unit (and could overflow int64):
        # they are computed as 0 and reported as failed.
        too_large = np.abs(amounts) > MAX_AMOUNT
        if too_large.any():
            amounts = np.where(too_large, 0, amounts)
        if unit in (DAYS, WEEKS, MONTHS):
            if unit == MONTHS:
                out = _add_months(days, amounts)
            else:
                out = days + (7 * amounts if unit == WEEKS else amounts)
            ok = (out >= _FIRST_DAY) & (out <= _LAST_DAY)
        else:
            per_unit = 5 if unit == TERM_WEEKS else 1
            results, ok = self._index(unit).step_many(days.astype(np.int64), amounts * per_unit)
            out = results.astype("datetime64[D]")
        missing = np.isnat(days)
        ok = (ok & ~too_large) | missing
        if not ok.all():
            if errors != "coerce":
                first_bad = int(np.flatnonzero(~ok)[0])
                bad_amount = np.broadcast_to(np.asarray(amount, dtype=object), ok.shape)
                # the one-date path raises the precise error
                self.add(
                    np.broadcast_to(days, ok.shape)[first_bad].item(), bad_amount[first_bad], unit
                )
            out = np.where(ok, out, np.datetime64("NaT"))
        if missing.any():
            out = np.where(missing, np.datetime64("NaT"), out)
        return out

    # -- closures -----------------------------------------------------------------------------
    def closures(self, min_days: int = 3) -> list[Closure]:
        """Every run of ``min_days`` or more days without a term weekday, inside coverage.

        The default leaves out ordinary weekends (2 days).
        """
        self._require_terms("school closures")
        numbers = self.term_days.numbers
        gaps = np.flatnonzero(np.diff(numbers) > 1)
        found = []
        for position in gaps.tolist():
            start = from_day_number(numbers[position] + 1)
            reopens = from_day_number(numbers[position + 1])
            if (reopens - start).days >= min_days:
                found.append(self._closure(start, reopens))
        return found

    def closure_windows(self, min_days: int = QUALIFYING_CLOSURE_DAYS) -> list[ClosureWindow]:
        """The school-closure exception windows (§2): closures of 28 days or more, each window
        from closure start − 7 days to re-opening − 7 days, inclusive."""
        return [ClosureWindow.of(closure) for closure in self.closures(min_days)]

    def closure_window_on(self, day: date) -> ClosureWindow | None:
        """The qualifying closure window that contains ``day``, if any."""
        return next((window for window in self.qualifying_windows if day in window), None)

    @cached_property
    def qualifying_windows(self) -> tuple[ClosureWindow, ...]:
        """The §2 school-closure windows, computed once (none without term dates); the
        projector indexes cases into this tuple."""
        return tuple(self.closure_windows()) if self.has_terms else ()

    def _closure(self, start: date, reopens: date) -> Closure:
        before = max((t for t in self.terms if t.start < start), key=lambda t: t.start)
        kind = "half term" if before.end >= reopens else "holiday"
        return Closure(start, reopens, kind, before.name)

    def term_containing(self, day: date) -> Term | None:
        return next((term for term in self.terms if term.start <= day <= term.end), None)


def _plus(delta: timedelta | relativedelta) -> Callable[[date], date]:
    return lambda start: start + delta


def _steps(index: DayIndex, count: int) -> Callable[[date], date]:
    step = index.step
    return lambda start: step(start, count)


def _whole(amount) -> int:
    """An amount must be a whole number of units."""
    if isinstance(amount, bool):
        raise InputError(f"{amount!r} is not a whole number of units")
    if isinstance(amount, int):
        return amount
    text = str(amount).strip()
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"{text!r} is not a whole number of units; write the amount as a whole number, e.g. 6"
        ) from None


def _add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Vectorised ``relativedelta(months=n)``: same day of the month, or the month's last."""
    month_start = days.astype("datetime64[M]")
    target = month_start + months
    day_of_month = (days - month_start.astype("datetime64[D]")).astype(np.int64)
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)

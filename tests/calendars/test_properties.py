"""Properties of the arithmetic, checked with hypothesis (derandomized, see conftest) and
differentially against ``numpy.busday_offset``."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars import UNITS, load_calendar
from send_clock.calendars.dayindex import from_day_number
from send_clock.errors import SendClockError
from tests.helpers import TERM_CALENDARS

ALL_CALENDARS = ("england-and-wales", *TERM_CALENDARS)
INDEX_UNITS = {"working-days": 1, "term-weeks": 5, "school-days": 1}
#: The largest amount drawn: 10 term weeks is about a third of the shortest coverage (Brighton &
#: Hove's one school year).
MAX_N = {"term-weeks": 10}
DEFAULT_MAX_N = 20


def _max_n(unit: str) -> int:
    return MAX_N.get(unit, DEFAULT_MAX_N)


def _index(calendar, unit):
    name = {"working-days": "working_days", "term-weeks": "term_days", "school-days": "school_days"}
    return getattr(calendar, name[unit])


def _start_range(calendar, unit: str, backwards: bool) -> tuple[date, date]:
    """Starts from which every amount up to ``_max_n(unit)`` (and down to its negative when
    ``backwards``) stays inside the calendar's data."""
    if unit not in INDEX_UNITS:
        return date(2000, 1, 1), date(2050, 12, 31)
    index = _index(calendar, unit)
    reach = INDEX_UNITS[unit] * _max_n(unit)
    first = from_day_number(index.numbers[reach]) if backwards else index.first
    return first, from_day_number(index.numbers[-1 - reach])


@st.composite
def calendar_unit_start(draw, units=UNITS, backwards=False):
    """``(calendar, unit, start, amount)``: amount in 0..max, or -max..max when ``backwards``."""
    unit = draw(st.sampled_from(units))
    ids = TERM_CALENDARS if unit in ("term-weeks", "school-days") else ALL_CALENDARS
    calendar = load_calendar(draw(st.sampled_from(ids)))
    first, last = _start_range(calendar, unit, backwards)
    start = draw(st.dates(min_value=first, max_value=last))
    most = _max_n(unit)
    amount = draw(st.integers(-most if backwards else 0, most))
    return calendar, unit, start, amount


# -- monotonic ------------------------------------------------------------------------------
@settings(max_examples=300)
@given(case=calendar_unit_start(backwards=True), more=st.integers(1, 2 * DEFAULT_MAX_N))
def test_results_never_go_backwards_as_the_amount_grows(case, more):
    calendar, unit, start, amount = case
    larger = min(amount + more, _max_n(unit))
    if larger > amount:
        assert calendar.add(start, amount, unit) < calendar.add(start, larger, unit)
    assert calendar.add(start, -1, unit) < start < calendar.add(start, 1, unit)


@settings(max_examples=200)
@given(case=calendar_unit_start(), later_by=st.integers(0, 60))
def test_results_never_go_backwards_as_the_start_moves_later(case, later_by):
    calendar, unit, start, amount = case
    later = min(start + timedelta(days=later_by), _start_range(calendar, unit, False)[1])
    assert calendar.add(start, amount, unit) <= calendar.add(later, amount, unit)


# -- no holiday in range: term weeks are calendar weeks -------------------------------------
def _stretches(numbers: np.ndarray) -> list[tuple[date, date]]:
    """Runs of counted days with nothing missing but weekends: each next day is the next
    weekday (Fri -> Mon across a weekend)."""
    gaps = np.diff(numbers)
    friday = (numbers[:-1] + 3) % 7 == 4
    breaks = np.flatnonzero(~((gaps == 1) | ((gaps == 3) & friday)))
    firsts = np.concatenate([[0], breaks + 1])
    lasts = np.concatenate([breaks, [len(numbers) - 1]])
    pairs = zip(firsts.tolist(), lasts.tolist(), strict=True)
    return [(from_day_number(numbers[a]), from_day_number(numbers[b])) for a, b in pairs]


def _long_stretches(calendar_id: str, unit: str) -> list[tuple[date, date]]:
    numbers = _index(load_calendar(calendar_id), unit).numbers
    return [(a, b) for a, b in _stretches(numbers) if (b - a).days >= 14]


def test_stretches_are_derived_from_the_term_dates():
    # Jersey autumn 2025: 2 Sep to the half term (27 Oct), then 3 Nov to 18 Dec
    stretches = _long_stretches("jersey", "term-weeks")
    assert (date(2025, 9, 2), date(2025, 10, 24)) in stretches
    assert (date(2025, 11, 3), date(2025, 12, 18)) in stretches
    # school days: the INSET day Thu 11 Sep 2025 splits the first stretch
    assert (date(2025, 9, 12), date(2025, 10, 24)) in _long_stretches("jersey", "school-days")


@st.composite
def inside_a_stretch(draw, unit):
    calendar_id = draw(st.sampled_from(TERM_CALENDARS))
    first, last = draw(st.sampled_from(_long_stretches(calendar_id, unit)))
    start = draw(st.dates(min_value=first, max_value=last - timedelta(days=7)))
    start -= timedelta(days=max(0, start.weekday() - 4))  # a weekday, still in the stretch
    weeks = draw(st.integers(1, (last - start).days // 7))
    return load_calendar(calendar_id), start, weeks


@settings(max_examples=200)
@given(case=inside_a_stretch("term-weeks"))
def test_with_no_holiday_in_range_term_weeks_are_calendar_weeks(case):
    calendar, start, weeks = case
    assert calendar.add(start, weeks, "term-weeks") == start + timedelta(weeks=weeks)


@settings(max_examples=200)
@given(case=inside_a_stretch("school-days"))
def test_with_no_closure_in_range_five_school_days_are_a_week(case):
    calendar, start, weeks = case
    assert calendar.add(start, 5 * weeks, "school-days") == start + timedelta(weeks=weeks)


# -- between is the inverse of add ----------------------------------------------------------
@settings(max_examples=300)
@given(case=calendar_unit_start())
def test_between_undoes_add(case):
    calendar, unit, start, amount = case
    assert calendar.between(start, calendar.add(start, amount, unit), unit) == amount


# -- the bulk path equals the one-date path -------------------------------------------------
def _add_or_none(calendar, start, amount, unit):
    try:
        return calendar.add(start, amount, unit)
    except SendClockError:
        return None


@settings(max_examples=150)
@given(
    unit=st.sampled_from(UNITS),
    calendar_id=st.sampled_from(TERM_CALENDARS),
    starts=st.lists(st.dates(date(2023, 1, 1), date(2028, 12, 31)), max_size=30),
    amounts=st.one_of(
        st.integers(-DEFAULT_MAX_N, DEFAULT_MAX_N),
        st.lists(st.integers(-DEFAULT_MAX_N, DEFAULT_MAX_N), min_size=30, max_size=30),
    ),
)
def test_add_many_equals_add_elementwise(unit, calendar_id, starts, amounts):
    calendar = load_calendar(calendar_id)
    each = amounts[: len(starts)] if isinstance(amounts, list) else [amounts] * len(starts)
    expected = [_add_or_none(calendar, s, n, unit) for s, n in zip(starts, each, strict=True)]
    got = calendar.add_many(starts, each, unit, errors="coerce")
    assert got.dtype == np.dtype("datetime64[D]")
    assert got.tolist() == expected


@settings(max_examples=100)
@given(case=calendar_unit_start(units=("term-weeks", "school-days")))
def test_add_many_raises_what_add_raises(case):
    calendar, unit, start, amount = case
    amount = amount or 1
    before_coverage = calendar.coverage[0] - timedelta(days=400)
    with pytest.raises(SendClockError) as one:
        calendar.add(before_coverage, amount, unit)
    with pytest.raises(type(one.value), match="^" + _escaped(str(one.value)) + "$"):
        calendar.add_many([start, before_coverage], amount, unit)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


# -- differential: numpy.busday_offset ------------------------------------------------------
def _weekdays(first: date, last: date) -> np.ndarray:
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    return days[np.is_busday(days)]


def _counted_by_the_rules(calendar, day: date, unit: str) -> bool:
    """Is ``day`` counted? Worked out from the term data alone, not from the engine's index."""
    term = next((t for t in calendar.terms if t.start <= day <= t.end), None)
    if term is None or (term.half_term and term.half_term[0] <= day <= term.half_term[1]):
        return False
    if unit == "school-days":
        return not (day in calendar.bank_holidays or day in term.inset or day in term.closures)
    return True


def _numpy_calendar(calendar, unit: str) -> np.busdaycalendar:
    first, last = calendar.coverage
    holidays = [
        day
        for day in _weekdays(first, last).tolist()
        if not _counted_by_the_rules(calendar, day, unit)
    ]
    return np.busdaycalendar(weekmask="1111100", holidays=holidays)


@pytest.mark.parametrize("unit", ["term-weeks", "school-days"])
@pytest.mark.parametrize("calendar_id", TERM_CALENDARS)
def test_forward_counts_equal_numpy_busday_offset(calendar_id, unit):
    calendar = load_calendar(calendar_id)
    first, last = (np.datetime64(day) for day in calendar.coverage)
    rng = np.random.default_rng(20250915)
    starts = first + rng.integers(0, (last - first).astype(int) + 1, size=5000)
    amounts = rng.integers(1, 13 if unit == "term-weeks" else 61, size=starts.size)
    offsets = amounts * (5 if unit == "term-weeks" else 1)

    expected = np.busday_offset(
        starts, offsets, roll="backward", busdaycal=_numpy_calendar(calendar, unit)
    )
    got = calendar.add_many(starts, amounts, unit, errors="coerce")

    inside = expected <= last
    assert inside.sum() >= 2500  # thousands of dates compared, not a handful
    assert (got[inside] == expected[inside]).all()
    assert np.isnat(got[~inside]).all()  # past coverage: an error, never a guess
    for start, amount, result in zip(starts[:200].tolist(), amounts, got.tolist(), strict=False):
        assert _add_or_none(calendar, start, int(amount), unit) == result


@pytest.mark.parametrize("calendar_id", TERM_CALENDARS)
def test_backward_counts_equal_numpy_busday_offset(calendar_id):
    calendar = load_calendar(calendar_id)
    first, last = (np.datetime64(day) for day in calendar.coverage)
    rng = np.random.default_rng(7)
    starts = first + rng.integers(0, (last - first).astype(int) + 1, size=3000)
    amounts = -rng.integers(1, 13, size=starts.size)
    # counting back, a start outside term rolls forward to the next term day first
    expected = np.busday_offset(
        starts, amounts * 5, roll="forward", busdaycal=_numpy_calendar(calendar, "term-weeks")
    )
    got = calendar.add_many(starts, amounts, "term-weeks", errors="coerce")
    inside = expected >= first
    assert inside.sum() >= 1500
    assert (got[inside] == expected[inside]).all()
    assert np.isnat(got[~inside]).all()


def test_working_days_equal_numpy_busday_offset(england):
    holidays = sorted(england.bank_holidays)
    calendar = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    rng = np.random.default_rng(3)
    first = np.datetime64("1990-01-01")
    starts = first + rng.integers(0, 365 * 70, size=20000)
    amounts = rng.integers(1, 80, size=starts.size)
    expected = np.busday_offset(starts, amounts, roll="backward", busdaycal=calendar)
    assert (england.add_many(starts, amounts, "working-days") == expected).all()

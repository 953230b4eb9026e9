"""The worked examples of the statutory rules (§1, §2, §9) and of issue 2, and hand-counted ones.

Each hand-counted example says, in its comment, which days were counted.
"""

from __future__ import annotations

import pytest

from send_clock.calendars import load_calendar
from send_clock.errors import OutOfCoverage
from tests.helpers import d


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-10-15", "2025-12-03"),  # half term 27-31 Oct skipped
        ("2025-12-01", "2026-01-27"),  # Christmas holiday 19 Dec - 4 Jan skipped
        ("2025-06-30", "2025-09-23"),  # summer holiday 19 Jul - 1 Sep skipped
        ("2025-07-14", "2025-10-07"),  # §9: Jersey advice requested Mon 14 Jul 2025
    ],
)
def test_jersey_six_term_weeks(jersey, start, expected):
    assert jersey.add(d(start), 6, "term-weeks") == d(expected)


def test_twenty_calendar_weeks(england):
    assert england.add(d("2025-09-15"), 20, "weeks") == d("2026-02-02")
    assert england.add(d("2025-09-15"), 6, "weeks") == d("2025-10-27")


def test_months_end_on_the_last_day_of_a_short_month(england):
    assert england.add(d("2025-12-31"), 2, "months") == d("2026-02-28")
    assert england.add(d("2024-01-31"), 1, "months") == d("2024-02-29")  # leap year


def test_fifteen_days_beginning_with_the_day_served(england):
    # §1: served Fri 9 Jan 2026, last day for comments = served + 14 days
    assert england.add(d("2026-01-09"), 14, "days") == d("2026-01-23")


def test_term_weeks_past_coverage_name_the_calendar_and_its_coverage(jersey):
    with pytest.raises(OutOfCoverage) as caught:
        jersey.add(d("2027-03-01"), 6, "term-weeks")
    message = str(caught.value)
    assert "'jersey'" in message
    assert "6 Jan 2025 to 25 Mar 2027" in message
    assert "after 25 Mar 2027" in message


def test_a_start_in_the_holidays_counts_from_the_next_term_weekday(jersey):
    # Sat 19 Jul 2025 is in the summer holiday: term weekdays 2, 3, 4, 5, 8 Sep
    assert jersey.add(d("2025-07-19"), 1, "term-weeks") == d("2025-09-08")


def test_term_weeks_run_through_bank_holidays_and_inset_days_in_term(surrey, jersey):
    # Surrey, Wed 30 Apr 2025: 1, 2 May, Mon 5 May (bank holiday, counts), 6, 7 May
    assert surrey.add(d("2025-04-30"), 1, "term-weeks") == d("2025-05-07")
    # Jersey, Wed 10 Sep 2025: the INSET day Thu 11 Sep counts
    assert jersey.add(d("2025-09-10"), 1, "term-weeks") == d("2025-09-17")


def test_term_weeks_across_easter(jersey):
    # Mon 31 Mar 2025: 1, 2, 3, 4 Apr; Easter holiday 5-21 Apr; Tue 22 Apr is the fifth
    assert jersey.add(d("2025-03-31"), 1, "term-weeks") == d("2025-04-22")


def test_negative_term_weeks_count_backwards(jersey):
    assert jersey.add(d("2025-12-03"), -6, "term-weeks") == d("2025-10-15")


# -- working days ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # Wed 16 Apr 2025: Thu 17 (1); Good Friday 18 and Easter Monday 21 skipped; 22 (2), 23 (3)
        ("2025-04-16", 3, "2025-04-23"),
        ("2025-04-17", 1, "2025-04-22"),
        # Fri 5 May 2023: Mon 8 May 2023 was the coronation bank holiday
        ("2023-05-05", 1, "2023-05-09"),
        # Thu 24 Dec 2026: Fri 25 Dec and its Monday substitute 28 Dec skipped
        ("2026-12-24", 1, "2026-12-29"),
        # Backwards over Easter 2025: Tue 22 Apr, -1 -> Thu 17 Apr
        ("2025-04-22", -1, "2025-04-17"),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(england, start, amount, expected):
    assert england.add(d(start), amount, "working-days") == d(expected)


def test_liberation_day_is_a_working_day_in_england_only(england, jersey):
    # Thu 8 May 2025 + 1 working day: Fri 9 May is Liberation Day in Jersey
    assert england.add(d("2025-05-08"), 1, "working-days") == d("2025-05-09")
    assert jersey.add(d("2025-05-08"), 1, "working-days") == d("2025-05-12")


def test_working_days_between_over_easter(england):
    # after Thu 17 Apr 2025, up to Wed 23 Apr: only 22 and 23 are working days
    assert england.between(d("2025-04-17"), d("2025-04-23"), "working-days") == 2


# -- school days ----------------------------------------------------------------------------
def test_school_days_skip_hertfordshire_inset_days_and_half_term(hertfordshire):
    # Wed 22 Oct 2025: Thu 23 and Fri 24 Oct are INSET days, 27-31 Oct half term
    assert hertfordshire.add(d("2025-10-22"), 1, "school-days") == d("2025-11-03")
    assert hertfordshire.add(d("2025-10-22"), 5, "school-days") == d("2025-11-07")
    assert hertfordshire.between(d("2025-10-22"), d("2025-11-07"), "school-days") == 5


def test_term_weeks_count_the_same_hertfordshire_inset_days(hertfordshire):
    # Wed 22 Oct 2025: 23, 24 Oct (INSET, still term days), 3, 4, 5 Nov
    assert hertfordshire.add(d("2025-10-22"), 1, "term-weeks") == d("2025-11-05")


def test_school_days_at_the_start_of_the_year_skip_the_inset_day(hertfordshire):
    # Fri 29 Aug 2025 (holiday): Mon 1 Sep 2025 is an INSET day, so Tue 2 Sep is the first
    assert hertfordshire.add(d("2025-08-29"), 1, "school-days") == d("2025-09-02")
    assert hertfordshire.add(d("2025-08-29"), 1, "term-weeks") == d("2025-09-05")


def test_school_days_across_easter_skip_the_summer_inset_day(hertfordshire):
    # Thu 3 Apr 2025: Fri 4 Apr (1); Easter holiday; Tue 22 Apr INSET; Wed 23 Apr (2)
    assert hertfordshire.add(d("2025-04-03"), 2, "school-days") == d("2025-04-23")


def test_school_days_skip_bank_holidays_in_term(surrey, jersey):
    # Surrey, Wed 30 Apr 2025: 1, 2 May; Mon 5 May bank holiday; 6, 7, 8 May
    assert surrey.add(d("2025-04-30"), 5, "school-days") == d("2025-05-08")
    # Jersey, Wed 7 May 2025: Thu 8 (1); Fri 9 Liberation Day; Mon 12 (2), Tue 13 (3)
    assert jersey.add(d("2025-05-07"), 3, "school-days") == d("2025-05-13")


def test_term_days_and_school_days_by_date(jersey, hertfordshire):
    assert jersey.is_term_day(d("2025-10-15"))
    assert not jersey.is_term_day(d("2025-10-29"))  # half term
    assert not jersey.is_term_day(d("2025-10-18"))  # Saturday
    assert not jersey.is_term_day(d("2025-08-01"))  # summer holiday
    assert jersey.is_term_day(d("2025-09-11"))  # INSET day: a term day
    assert not jersey.is_school_day(d("2025-09-11"))  # ... but not a school day
    assert hertfordshire.is_term_day(d("2025-10-23"))
    assert not hertfordshire.is_school_day(d("2025-10-23"))


# -- the inverse ----------------------------------------------------------------------------
def test_between_inverts_the_worked_examples(jersey, england):
    assert jersey.between(d("2025-10-15"), d("2025-12-03"), "term-weeks") == 6
    assert jersey.between(d("2025-10-15"), d("2025-12-02"), "term-weeks") == 5
    assert england.between(d("2025-09-15"), d("2026-02-02"), "weeks") == 20
    assert england.between(d("2025-09-15"), d("2026-02-01"), "weeks") == 19
    assert england.between(d("2025-12-31"), d("2026-02-28"), "months") == 2
    assert england.between(d("2025-12-31"), d("2026-02-27"), "months") == 1


# -- closure windows (§2) -------------------------------------------------------------------
def test_surrey_closure_windows_are_the_summer_holidays(surrey):
    windows = [(w.start, w.end) for w in surrey.closure_windows()]
    assert windows == [
        (d("2024-07-17"), d("2024-08-26")),  # last day Tue 23 Jul, re-opens Mon 2 Sep 2024
        (d("2025-07-16"), d("2025-08-27")),  # last day Tue 22 Jul, re-opens Wed 3 Sep 2025
        (d("2026-07-16"), d("2026-08-25")),  # last day Wed 22 Jul, re-opens Tue 1 Sep 2026
    ]


def test_jersey_summer_closure_starts_on_the_saturday(jersey):
    window = jersey.closure_windows()[0]
    assert (window.closure.start, window.closure.reopens) == (d("2025-07-19"), d("2025-09-02"))
    assert (window.start, window.end) == (d("2025-07-12"), d("2025-08-26"))
    assert window.closure.days == 45
    assert window.closure.kind == "holiday"
    assert window.closure.after_term == "Summer 2025"
    assert len(jersey.closure_windows()) == 2  # the two summers; Christmas is 17 days


def test_closure_window_on_is_inclusive(jersey):
    assert jersey.closure_window_on(d("2025-07-12")) is not None
    assert jersey.closure_window_on(d("2025-08-26")) is not None
    assert jersey.closure_window_on(d("2025-07-11")) is None
    assert jersey.closure_window_on(d("2025-08-27")) is None


def test_half_terms_are_closures_but_never_qualify(jersey):
    autumn_half_term = next(c for c in jersey.closures() if c.start == d("2025-10-25"))
    assert autumn_half_term.kind == "half term"
    assert autumn_half_term.reopens == d("2025-11-03")
    assert autumn_half_term.days == 9
    assert all(w.closure.kind == "holiday" for w in jersey.closure_windows())


def test_closure_windows_with_a_shorter_minimum(jersey):
    # 14 days or more: Christmas (17 days) and Easter (18 days) join the two summers
    assert len(jersey.closure_windows(min_days=14)) > len(jersey.closure_windows())


def test_bristol_six_terms_have_no_half_terms_but_closures_between_terms():
    bristol = load_calendar("bristol")
    assert all(term.half_term is None for term in bristol.terms)
    october = next(c for c in bristol.closures() if c.start == d("2025-10-25"))
    assert (october.kind, october.reopens) == ("holiday", d("2025-11-03"))

"""The calendars of Wales, Scotland and Northern Ireland: their bank holidays reach the
arithmetic, their terms come with a source and a status, and what is not confirmed says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from send_clock.calendars import load_calendar
from send_clock.errors import OutOfCoverage
from tests.helpers import d

AUTHORITIES = {
    # id: (jurisdiction, first day, last day, status)
    "argyll-and-bute": ("scotland", "2026-08-13", "2027-07-02", "UNCONFIRMED"),
    "cardiff": ("england-and-wales", "2025-09-01", "2026-07-20", "official"),
    "carmarthenshire": ("england-and-wales", "2025-09-01", "2027-07-20", "official"),
    "edinburgh": ("scotland", "2025-08-13", "2026-06-26", "press-sourced"),
    "northern-ireland-de": ("northern-ireland", "2025-09-01", "2026-06-30", "official"),
    "shetland": (
        "scotland",
        "2025-08-18",
        "2027-07-02",
        "school-sourced 2025-26, official 2026-27",
    ),
}
# Calendars whose 2026-27 year was not found in a published source: their notes say so.
MISSING_2026_27 = ("cardiff", "edinburgh", "northern-ireland-de")


@pytest.mark.parametrize("calendar_id", sorted(AUTHORITIES))
def test_authority_calendars_have_coverage_source_and_status(calendar_id):
    jurisdiction, first, last, status = AUTHORITIES[calendar_id]
    calendar = load_calendar(calendar_id)
    assert calendar.jurisdiction == jurisdiction
    assert calendar.coverage == (d(first), d(last))
    assert calendar.status == status
    assert all(re.search(r"retrieved 2026-12-0[12]", year.source) for year in calendar.years)


@pytest.mark.parametrize("calendar_id", MISSING_2026_27)
def test_a_year_that_could_not_be_confirmed_says_so(calendar_id):
    calendar = load_calendar(calendar_id)
    assert "2026-27" in calendar.notes and "UNCONFIRMED" in calendar.notes
    assert calendar.coverage[1] < d("2026-08-01")


def test_wales_has_an_authority_with_2025_26_and_2026_27():
    calendar = load_calendar("carmarthenshire")
    assert [year.label for year in calendar.years] == ["2025-26", "2026-27"]
    assert all("sirgar.llyw.cymru" in year.source for year in calendar.years)


def _days_the_council_counts(calendar, term) -> int:
    """Term weekdays that are not bank holidays, INSET days included (as the council counts)."""
    days = (term.start + timedelta(days=n) for n in range((term.end - term.start).days + 1))
    return sum(calendar.is_term_day(day) and day not in calendar.bank_holidays for day in days)


def test_carmarthenshire_2026_27_has_the_days_the_council_counts():
    # Admissions booklet 2026-2027, Adran B: "Tymor Hydref 2026 ... Dyddiau: 74", "Tymor Gwanwyn
    # 2027 ... Dyddiau: 50", "Tymor Haf 2027 ... Dyddiau: 71", "Cyfanswm: 195 Dyddiau". Autumn:
    # Tue 1 Sep (designated INSET) to Fri 18 Dec is 79 weekdays less half term 26-30 Oct = 74;
    # spring 4 Jan to 19 Mar is 55 less 8-12 Feb = 50; summer 5 Apr to Tue 20 Jul is 77 less
    # 31 May-4 Jun and May Day (3 May 2027) = 71.
    calendar = load_calendar("carmarthenshire")
    counted = [_days_the_council_counts(calendar, term) for term in calendar.years[1].terms]
    assert counted == [74, 50, 71]


def test_carmarthenshire_term_weeks_skip_the_directed_february_half_term():
    # "Gwanwyn 2027 | Dydd Llun 4 Ionawr | Dydd Llun 8 Chwefror - Dydd Gwener 12 Chwefror": one
    # term week from Fri 5 Feb 2027 skips 8-12 Feb and lands on Fri 19 Feb.
    calendar = load_calendar("carmarthenshire")
    assert calendar.add(d("2027-02-05"), 1, "term-weeks") == d("2027-02-19")


def test_carmarthenshire_school_days_skip_the_designated_inset_day_and_may_day():
    # Summer 2026 ends Mon 20 Jul 2026; "Dyddiau HMS Penodol ... Dydd Mawrth 1 Medi 2026" is the
    # designated INSET day, so the first school day after 20 July is Wed 2 Sep 2026. "Gŵyl Fai
    # ... 3 Mai 2027": one school day from Fri 30 Apr 2027 is Tue 4 May.
    calendar = load_calendar("carmarthenshire")
    assert calendar.add(d("2026-07-20"), 1, "school-days") == d("2026-09-02")
    assert calendar.add(d("2027-04-30"), 1, "school-days") == d("2027-05-04")


def test_scotland_has_an_authority_with_2025_26_and_2026_27():
    calendar = load_calendar("shetland")
    assert [year.label for year in calendar.years] == ["2025-26", "2026-27"]
    assert [year.status for year in calendar.years] == ["school-sourced", "official"]
    assert "shetland.gov.uk" in calendar.years[1].source


def test_shetland_term_weeks_skip_the_holiday_between_terms_1_and_2():
    # "Term 1 Wednesday 19 August 2026 to Friday 9 October 2026 ... Term 2 Wednesday 28 October
    # 2026"; in-service Monday 26 and Tuesday 27 October. The fortnight between the terms is a
    # holiday, so one term week from Friday 9 Oct lands five term weekdays later, Friday 30 Oct
    # (26, 27, 28, 29, 30). School days skip the two in-service days: 5 school days from Fri 9 Oct
    # are 28, 29, 30 Oct, 2, 3 Nov.
    calendar = load_calendar("shetland")
    assert calendar.add(d("2026-10-09"), 1, "term-weeks") == d("2026-10-30")
    assert calendar.add(d("2026-10-09"), 5, "school-days") == d("2026-11-03")


def test_shetland_occasional_holidays_are_not_school_days():
    # "Occasional Holiday Dates: Wednesday 27 January 2027, Friday 12 February 2027, Monday 15
    # February 2027 ..."; in-service Tuesday 16 February 2027. From Thursday 11 February 2027, one
    # school day is Wednesday 17 February (12, 15 and 16 are not school days).
    calendar = load_calendar("shetland")
    assert calendar.add(d("2027-02-11"), 1, "school-days") == d("2027-02-17")
    assert calendar.add(d("2027-01-26"), 1, "school-days") == d("2027-01-28")


def test_shetland_2025_26_meets_2026_27_across_the_summer():
    # Term 4 2026 ends Friday 3 July 2026; in-service 17-18 August 2026, pupils from Wednesday
    # 19 August. One school day from 3 July 2026 is 19 August 2026.
    assert load_calendar("shetland").add(d("2026-07-03"), 1, "school-days") == d("2026-08-19")


def test_scottish_working_days_skip_st_andrews_day_substitute():
    # St Andrew's Day, Sunday 30 Nov 2025, is observed on Monday 1 December.
    scotland = load_calendar("scotland")
    assert scotland.add(d("2025-11-28"), 1, "working-days") == d("2025-12-02")
    assert load_calendar("england-and-wales").add(d("2025-11-28"), 1, "working-days") == d(
        "2025-12-01"
    )


def test_scottish_working_days_count_easter_monday():
    # Easter Monday is not a Scottish bank holiday: Thursday 2 Apr 2026 + 1 working day is
    # Monday 6 April in Scotland (Good Friday skipped), Tuesday 7 April in England.
    assert load_calendar("scotland").add(d("2026-04-02"), 1, "working-days") == d("2026-04-06")
    assert load_calendar("england-and-wales").add(d("2026-04-02"), 1, "working-days") == d(
        "2026-04-07"
    )


def test_northern_ireland_working_days_skip_the_twelfth_substitute():
    # 12 July 2025 was a Saturday: Monday 14 July is the holiday.
    calendar = load_calendar("northern-ireland-de")
    assert calendar.add(d("2025-07-11"), 1, "working-days") == d("2025-07-15")


def test_edinburgh_term_weeks_skip_the_october_break_and_the_september_holiday_counts():
    # Friday 10 Oct 2025 + 1 term week: the break (13-20 Oct) is skipped, so five term weekdays
    # later is Monday 27 October (21-24, 27). The September holiday is a closure: it still
    # counts in term weeks (only half terms and holidays between terms are skipped).
    calendar = load_calendar("edinburgh")
    assert calendar.add(d("2025-10-10"), 1, "term-weeks") == d("2025-10-27")
    assert calendar.add(d("2025-09-12"), 1, "term-weeks") == d("2025-09-19")
    assert calendar.add(d("2025-09-12"), 5, "school-days") == d("2025-09-22")


def test_counting_past_the_confirmed_terms_is_an_error_not_a_guess():
    with pytest.raises(OutOfCoverage, match="cardiff"):
        load_calendar("cardiff").add(d("2026-07-01"), 6, "term-weeks")


def test_argyll_and_bute_term_weeks_skip_the_october_fortnight():
    # "October | Closes | Friday 2nd October 2026 | Opens - Pupils Return | Monday 19th October
    # 2026": one term week from Fri 2 Oct is Fri 23 Oct.
    assert load_calendar("argyll-and-bute").add(d("2026-10-02"), 1, "term-weeks") == d("2026-10-23")

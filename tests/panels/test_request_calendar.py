"""The request calendar: good and avoid submission weeks, worked out by hand.

Conventions (send_clock/panels/request_calendar.py): a week is named by its Monday S, the request
taken as received that day; the assessment is weeks 6-12 = S+42 to S+90, the consultation
weeks 16-17 = S+112 to S+125; a period clashes with a closure of 14 days or more when they share
a weekday.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from send_clock.errors import CalendarError, InputError, OutOfCoverage
from send_clock.panels import judgeable_weeks, request_calendar, submission_mondays
from send_clock.timelines import load_process

from ..helpers import d

ENGLAND = load_process("england-ehcna")
JERSEY = load_process("jersey-ron")


def mondays(first: str, last: str) -> set:
    start, end = d(first), d(last)
    return {start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)}


# Surrey 2025-26 closures of two weeks or more (weekdays closed in brackets):
#   Christmas Sat 20 Dec 2025 - Sun 4 Jan 2026 (Mon 22 Dec - Fri 2 Jan)
#   Easter    Sat 28 Mar - Sun 12 Apr 2026     (Mon 30 Mar - Fri 10 Apr)
#   summer    Thu 23 Jul - Mon 31 Aug 2026     (Thu 23 Jul - Mon 31 Aug)
# Consultation in Christmas: S+112 <= Fri 2 Jan 2026 and S+125 >= Mon 22 Dec 2025
#   -> S <= Fri 12 Sep 2025 and S >= Tue 19 Aug 2025: Mondays 25 Aug, 1 Sep, 8 Sep 2025.
CONSULTATION_IN_CHRISTMAS = mondays("2025-08-25", "2025-09-08")
# Consultation in Easter: S+112 <= Fri 10 Apr 2026 and S+125 >= Mon 30 Mar 2026
#   -> S <= Fri 19 Dec 2025 and S >= Tue 25 Nov 2025: Mondays 1, 8, 15 Dec 2025.
CONSULTATION_IN_EASTER = mondays("2025-12-01", "2025-12-15")
# Assessment in Christmas: S+42 <= Fri 2 Jan and S+90 >= Mon 22 Dec
#   -> S <= Fri 21 Nov and S >= Tue 23 Sep 2025: Mondays 29 Sep to 17 Nov 2025.
ASSESSMENT_IN_CHRISTMAS = mondays("2025-09-29", "2025-11-17")
# Assessment in Easter: S+42 <= Fri 10 Apr and S+90 >= Mon 30 Mar
#   -> S <= Fri 27 Feb 2026 and S >= Tue 30 Dec 2025: Mondays 5 Jan to 23 Feb 2026.
ASSESSMENT_IN_EASTER = mondays("2026-01-05", "2026-02-23")
# Consultation in summer: S+112 <= Mon 31 Aug and S+125 >= Thu 23 Jul 2026
#   -> S <= Mon 11 May and S >= Fri 20 Mar 2026: Mondays 23 Mar to 11 May 2026.
CONSULTATION_IN_SUMMER = mondays("2026-03-23", "2026-05-11")
# Assessment in summer: S+42 <= Mon 31 Aug and S+90 >= Thu 23 Jul
#   -> S <= Mon 20 Jul and S >= Fri 24 Apr 2026: Mondays 27 Apr to 20 Jul 2026.
ASSESSMENT_IN_SUMMER = mondays("2026-04-27", "2026-07-20")
# The good weeks left between them. Two touch a closure only on a weekend, so they stay good:
#   S = 22 Sep 2025: assessment ends Sun 21 Dec (Christmas closure from Sat 20 Dec);
#   S = 29 Dec 2025: assessment ends Sun 29 Mar (Easter closure from Sat 28 Mar).
GOOD_BY_HAND = {
    d("2025-09-15"), d("2025-09-22"), d("2025-11-24"), d("2025-12-22"), d("2025-12-29"),
    d("2026-03-02"), d("2026-03-09"), d("2026-03-16"),
}  # fmt: skip


@pytest.fixture(scope="module")
def surrey_2025_26():
    from send_clock.calendars import load_calendar

    return request_calendar(ENGLAND, load_calendar("surrey"), d("2025-08-25"), d("2026-07-20"))


def test_every_week_of_the_year_is_judged_as_worked_by_hand(surrey_2025_26):
    verdicts = {week.monday: week.verdict for week in surrey_2025_26.weeks}
    assert set(verdicts) == mondays("2025-08-25", "2026-07-20")
    avoid = (
        CONSULTATION_IN_CHRISTMAS
        | CONSULTATION_IN_EASTER
        | ASSESSMENT_IN_CHRISTMAS
        | ASSESSMENT_IN_EASTER
        | CONSULTATION_IN_SUMMER
        | ASSESSMENT_IN_SUMMER
    )
    assert {m for m, v in verdicts.items() if v == "avoid"} == avoid
    assert {m for m, v in verdicts.items() if v == "good"} == GOOD_BY_HAND
    assert surrey_2025_26.counts() == {"good": 8, "avoid": len(avoid)}


@pytest.mark.parametrize(
    ("weeks", "closure"),
    [
        (CONSULTATION_IN_CHRISTMAS, "Christmas closure 20 Dec 2025 – 4 Jan 2026"),
        (CONSULTATION_IN_EASTER, "Easter closure 28 Mar – 12 Apr 2026"),
    ],
)
def test_consultation_in_christmas_or_easter_is_avoid_with_the_reason(
    surrey_2025_26, weeks, closure
):
    for week in surrey_2025_26.weeks:
        if week.monday in weeks:
            assert week.verdict == "avoid"
            assert week.consultation.closures, week.monday
            assert week.reason.startswith("consultation (weeks 16–17, ")
            assert closure in week.reason
            assert week.assessment.clear


def test_the_reason_in_words(surrey_2025_26):
    by_monday = {week.monday: week for week in surrey_2025_26.weeks}
    # S = Mon 1 Sep 2025: consultation Mon 22 Dec 2025 (S+112) to Sun 4 Jan 2026 (S+125), all
    # inside the closure.
    assert by_monday[d("2025-09-01")].reason == (
        "consultation (weeks 16–17, 22 Dec 2025 – 4 Jan 2026) falls in the Christmas closure "
        "20 Dec 2025 – 4 Jan 2026"
    )
    assert by_monday[d("2025-12-08")].reason == (
        "consultation (weeks 16–17, 30 Mar – 12 Apr 2026) falls in the Easter closure "
        "28 Mar – 12 Apr 2026"
    )
    # S = Mon 15 Sep 2025: assessment Mon 27 Oct to Sun 14 Dec, consultation 5-18 Jan 2026.
    assert by_monday[d("2025-09-15")].reason == (
        "assessment (weeks 6–12, 27 Oct – 14 Dec 2025) and consultation (weeks 16–17, "
        "5–18 Jan 2026) are clear of school closures of two weeks or more"
    )
    assert "assessment (weeks 6–12, 10 Nov – 28 Dec 2025) overlaps the Christmas" in (
        by_monday[d("2025-09-29")].reason
    )


def test_england_final_plan_is_always_projected_on_time(surrey_2025_26):
    for week in surrey_2025_26.weeks:
        assert week.final.milestone.id == "final_plan"
        assert week.final.due == week.monday + timedelta(weeks=20)
        assert week.final.on_time
    assert surrey_2025_26.term_counted == ""


def test_a_two_week_half_term_counts_as_a_closure(surrey):
    # Surrey 2026-27 has a two-week October half term: Sat 17 Oct - Sun 1 Nov 2026. S = Mon 7 Sep
    # 2026: assessment Mon 19 Oct (S+42) to Sun 6 Dec.
    [week] = request_calendar(ENGLAND, surrey, d("2026-09-07"), d("2026-09-07")).weeks
    assert week.verdict == "avoid"
    assert "overlaps the October half-term closure 17 Oct – 1 Nov 2026" in week.reason


def test_jersey_weeks_where_20_weeks_cannot_be_met_are_avoid(jersey):
    table = request_calendar(JERSEY, jersey, d("2025-06-16"), d("2025-08-04"))
    by_monday = {week.monday: week for week in table.weeks}
    # statutory-rules.md §9: received Mon 16 Jun 2025 -> final RoN due Mon 3 Nov 2025, projected
    # Tue 16 Dec 2025 (the advice waits out the summer holiday).
    june = by_monday[d("2025-06-16")]
    assert (june.final.due, june.final.projected) == (d("2025-11-03"), d("2025-12-16"))
    assert june.verdict == "avoid"
    assert (
        "the 20 weeks cannot be met: final Record of Need issued projected Tue 16 Dec 2025, "
        "43 days after its due date Mon 3 Nov 2025, because professional advice due is counted "
        "in term weeks"
    ) in june.reason
    # S = Mon 28 Jul 2025: advice requested Mon 25 Aug (S+28), in the holiday; the 30 term
    # weekdays start on Tue 2 Sep: 2-5 Sep (4), 8-12 (9), 15-19 (14), 22-26 (19), 29 Sep-3 Oct
    # (24), 6-10 Oct (29), Mon 13 Oct (30) -> advice due 13 Oct, a week after S+70 = 6 Oct.
    # Outcome panel 27 Oct, outcome letter 3 Nov, draft 15 Dec, final Mon 22 Dec > due 15 Dec.
    # Its periods (8 Sep - 26 Oct; 17-30 Nov) are clear: it is avoided for the 20 weeks alone.
    july = by_monday[d("2025-07-28")]
    assert july.assessment.clear and july.consultation.clear
    assert (july.final.due, july.final.projected) == (d("2025-12-15"), d("2025-12-22"))
    assert july.verdict == "avoid"
    assert july.reasons == (july.final.text(table.term_counted),)
    # S = Mon 4 Aug 2025: advice requested Mon 1 Sep; 30 term weekdays from Tue 2 Sep end Mon
    # 13 Oct = S+70, no slip: the final RoN is on time (Mon 22 Dec), and the periods are clear.
    august = by_monday[d("2025-08-04")]
    assert august.final.on_time and august.final.projected == d("2025-12-22")
    assert august.verdict == "good"
    assert "the 20 weeks can be met" in august.reason
    assert table.term_counted == "professional advice due is counted in term weeks"


def test_weeks_outside_the_term_dates_are_an_error_naming_the_coverage(surrey):
    first_ok, last_ok = judgeable_weeks(surrey)
    # Term dates run from Fri 1 Sep 2023 to Wed 28 Jul 2027: the earliest Monday with S+42 on or
    # after 1 Sep 2023 is Mon 24 Jul 2023; the latest with S+125 on or before 28 Jul 2027 is Mon
    # 22 Mar 2027 (S+125 = Sun 25 Jul 2027).
    assert (first_ok, last_ok) == (d("2023-07-24"), d("2027-03-22"))
    assert len(request_calendar(ENGLAND, surrey, first_ok, last_ok).weeks) == 192
    with pytest.raises(OutOfCoverage) as raised:
        request_calendar(ENGLAND, surrey, d("2027-03-01"), d("2027-04-30"))
    message = str(raised.value)
    assert "the submission week of Mon 29 Mar 2027 cannot be judged" in message
    assert "from Fri 1 Sep 2023 to Wed 28 Jul 2027" in message
    assert "choose submission weeks from Mon 24 Jul 2023 to Mon 22 Mar 2027" in message
    with pytest.raises(OutOfCoverage, match="Mon 17 Jul 2023 cannot be judged"):
        request_calendar(ENGLAND, surrey, d("2023-07-17"), d("2023-07-31"))


def test_a_calendar_without_term_dates_is_refused(england):
    with pytest.raises(CalendarError, match="bank holidays only"):
        request_calendar(ENGLAND, england, d("2025-09-01"), d("2025-09-30"))


def test_only_processes_that_start_with_a_request(surrey):
    with pytest.raises(InputError, match="england-annual-review starts from"):
        request_calendar(
            load_process("england-annual-review"), surrey, d("2025-09-01"), d("2025-09-30")
        )


def test_submission_weeks_hold_the_range():
    assert submission_mondays(d("2025-09-07"), d("2025-09-08")) == [
        d("2025-09-01"),
        d("2025-09-08"),
    ]
    with pytest.raises(InputError, match="before it starts"):
        submission_mondays(d("2025-09-08"), d("2025-09-01"))


def test_to_dict_is_plain_data(surrey):
    table = request_calendar(ENGLAND, surrey, d("2025-09-08"), d("2025-09-08"))
    data = json.loads(json.dumps(table.to_dict()))
    assert data["process"] == "england-ehcna" and data["calendar"] == "surrey"
    assert data["periods"] == {"assessment": [6, 12], "consultation": [16, 17]}
    assert data["counts"] == {"good": 0, "avoid": 1}
    [week] = data["weeks"]
    assert week["week"] == "2025-09-08"
    assert week["verdict"] == "avoid"
    assert week["assessment"] == {
        "name": "assessment",
        "weeks": [6, 12],
        "start": "2025-10-20",
        "end": "2025-12-07",
        "clear": True,
        "closures": [],
    }
    assert week["consultation"]["closures"] == [
        {
            "name": "Christmas",
            "start": "2025-12-20",
            "end": "2026-01-04",
            "reopens": "2026-01-05",
            "days": 16,
            "kind": "holiday",
            "after_term": "Autumn 2025",
        }
    ]
    assert week["final"]["milestone"] == "final_plan" and week["final"]["on_time"] is True
    assert [c["name"] for c in data["closures"]] == ["Christmas"]

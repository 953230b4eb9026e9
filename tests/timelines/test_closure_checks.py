"""The school-closure exception is never skipped without a word, and says how it was found.

SEND Regulations 2014 reg 5(4)(a) / 10(4)(a): the time limit need not be met if it is
impractical because the authority "has requested advice from the head teacher or principal of a
school ... during a period beginning one week before any date on which that school ... was
closed for a continuous period of not less than 4 weeks ... and ending one week before the date
on which it re-opens". Only term dates can show such a closure: without them the test cannot be
made, and the timeline must say so.
"""

from __future__ import annotations

from tests.timelines.support import row, timeline


def test_without_term_dates_the_check_is_skipped_and_said_to_be():
    # Received Mon 30 Jun 2025: on england-and-wales (no term dates) the final plan is overdue,
    # and the timeline says the closure exception could not be checked.
    schedule = timeline(received="2025-06-30", as_of="2026-01-10")
    assert row(schedule, "final_plan")["status"] == "overdue"
    [warning] = schedule.warnings
    assert warning.startswith(
        "the school-closure exception (SEND Regulations 2014 reg 5(4)(a), 10(4)(a)) was not "
        "checked for decision_to_assess, no_plan_notice, final_plan: calendar "
        "'england-and-wales' has no term dates"
    )
    assert schedule.to_dict()["warnings"] == [warning]


def test_with_the_councils_term_dates_the_window_is_detected():
    # The same request on Surrey's calendar: advice is requested on Mon 11 Aug 2025, inside the
    # window of the summer closure (16 Jul - 27 Aug 2025): excused, and detected, not recorded.
    schedule = timeline(received="2025-06-30", calendar="surrey", as_of="2026-01-10")
    final = row(schedule, "final_plan")
    assert (final["status"], final["excusal"]) == ("excused", "detected")
    assert schedule.warnings == ()


def test_a_recorded_exception_says_recorded():
    schedule = timeline(
        received="2025-06-30",
        calendar="surrey",
        as_of="2026-01-10",
        exceptions=("exceptional_personal_circumstances@final_plan",),
    )
    assert row(schedule, "final_plan")["excusal"] == "recorded"
    assert row(schedule, "draft_plan")["excusal"] is None


def test_a_date_beyond_the_term_dates_is_said_to_be_unchecked():
    # Surrey's term dates end on 28 Jul 2027: advice asked for after that cannot be tested.
    schedule = timeline(received="2027-07-05", calendar="surrey", as_of="2027-07-05")
    [warning] = schedule.warnings
    assert "was not checked for no_plan_notice, final_plan" in warning
    assert "outside the term dates of calendar 'surrey' (2023-09-01 to 2027-07-28)" in warning

"""Exceptions: recorded ones (`kind[:FROM..TO][@milestone]`) and the calendar's school closures.

England, received Mon 15 Sep 2025 (england-and-wales) unless a test says otherwise; periods run
request -> decision 15 Sep - 27 Oct, advice requested -> advice due 27 Oct - 8 Dec, request ->
final plan 15 Sep 2025 - 2 Feb 2026.
"""

from __future__ import annotations

import pytest

from send_clock.errors import InputError
from send_clock.timelines import RecordedException, load_process, parse_exceptions
from tests.helpers import d
from tests.timelines.support import column, row, timeline

EHCNA = load_process("england-ehcna")


def excused_milestones(schedule) -> list[str]:
    return [m for m, status in column(schedule, "status").items() if status == "excused"]


def test_parse_reads_kind_period_and_milestone():
    found = RecordedException.parse(" absence_from_area:2025-10-01..2025-11-05@advice_due ")
    assert found == RecordedException(
        "absence_from_area", d("2025-10-01"), d("2025-11-05"), "advice_due"
    )
    assert str(found) == "absence_from_area:2025-10-01..2025-11-05@advice_due"
    assert parse_exceptions("missed_appointment; exceptional_personal_circumstances", EHCNA) == (
        RecordedException("missed_appointment"),
        RecordedException("exceptional_personal_circumstances"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("holiday", "'holiday' is not an exception kind"),
        ("absence_from_area", "needs its dates"),
        ("absence_from_area:2025-10-01..2025-10-27", "this one lasts 27 days"),
        ("absence_from_area:2025-10-01", "write the period as FROM..TO"),
        ("absence_from_area:2025-11-30..2025-10-01", "ends on 2025-10-01 before it starts"),
        ("absence_from_area:2025-10-01..2025-02-30", "not a real date"),
        ("school_closure@advice_due", "do not let school_closure excuse advice_due"),
        ("missed_appointment@final_plan", "do not let missed_appointment excuse final_plan"),
        ("missed_appointment@nowhere", "'nowhere' is not a milestone of england-ehcna"),
    ],
)
def test_bad_recorded_exceptions_are_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_exceptions([text], EHCNA)


def test_an_exception_no_milestone_of_the_process_allows_is_an_error():
    with pytest.raises(InputError, match="no milestone of england-tribunal"):
        parse_exceptions(["missed_appointment"], load_process("england-tribunal"))


def test_an_absence_of_exactly_28_days_is_enough():
    schedule = timeline(
        as_of="2025-11-03", exceptions=("absence_from_area:2025-10-01..2025-10-28",)
    )
    assert row(schedule, "decision_to_assess")["status"] == "excused"


def test_an_absence_excuses_the_limits_whose_period_it_overlaps():
    # 1-30 Nov 2025: after the decision period, inside the advice period and the 20 weeks.
    schedule = timeline(
        as_of="2026-02-10", exceptions=("absence_from_area:2025-11-01..2025-11-30",)
    )
    assert excused_milestones(schedule) == ["advice_due", "no_plan_notice", "final_plan"]
    assert row(schedule, "decision_to_assess")["status"] == "overdue"
    [applied] = row(schedule, "advice_due")["exceptions"]
    assert applied == {
        "kind": "absence_from_area",
        "source": "recorded",
        "basis": "SEND Regulations 2014 reg 8(2)",
        "window": {"start": "2025-11-01", "end": "2025-11-30"},
    }
    assert row(schedule, "final_plan")["days_late"] == 8


def test_an_absence_outside_every_period_is_not_applied():
    schedule = timeline(
        as_of="2026-02-10", exceptions=("absence_from_area:2026-03-01..2026-03-31",)
    )
    assert excused_milestones(schedule) == []
    assert all(not found for found in column(schedule, "exceptions").values())
    assert row(schedule, "final_plan")["status"] == "overdue"


def test_an_exception_aimed_at_one_milestone_applies_only_there():
    schedule = timeline(
        as_of="2026-02-10", exceptions=("exceptional_personal_circumstances@final_plan",)
    )
    assert excused_milestones(schedule) == ["final_plan"]


def test_an_exception_without_a_target_applies_wherever_it_is_allowed():
    schedule = timeline(as_of="2026-02-10", exceptions=("exceptional_personal_circumstances",))
    allowed = ["decision_to_assess", "advice_due", "no_plan_notice", "final_plan"]
    assert excused_milestones(schedule) == allowed
    assert row(schedule, "draft_plan")["status"] == "overdue"  # practice: nothing excuses it


def test_a_missed_appointment_only_excuses_the_advice():
    schedule = timeline(as_of="2025-12-15", exceptions=("missed_appointment",))
    advice = row(schedule, "advice_due")
    assert (advice["status"], advice["days_late"]) == ("excused", 7)
    assert advice["exceptions"][0]["basis"] == "SEND Regulations 2014 reg 8(2)"
    assert row(schedule, "decision_to_assess")["status"] == "overdue"
    assert row(schedule, "decision_to_assess")["exceptions"] == []


def test_an_exception_does_not_excuse_a_milestone_that_is_not_late():
    schedule = timeline(as_of="2025-10-01", exceptions=("exceptional_personal_circumstances",))
    found = row(schedule, "decision_to_assess")
    assert found["status"] == "pending"
    assert [e["kind"] for e in found["exceptions"]] == ["exceptional_personal_circumstances"]


def test_a_recorded_school_closure_is_tested_against_the_advice_request_date():
    # On a calendar without term dates the closure can be recorded by hand. Advice is projected
    # to be requested on 27 Oct, inside 20 Oct - 30 Nov; the request (15 Sep) is not.
    schedule = timeline(as_of="2026-02-10", exceptions=("school_closure:2025-10-20..2025-11-30",))
    assert excused_milestones(schedule) == ["no_plan_notice", "final_plan"]
    assert row(schedule, "final_plan")["exceptions"][0]["source"] == "recorded"


def test_the_date_the_school_was_asked_replaces_the_dates_tested_against_closures():
    surrey = {"received": "2025-07-10", "calendar": "surrey"}
    # Asked on 10 Sep, after the window: the advice request date no longer counts.
    later = timeline(**surrey, events={"school_asked": "2025-09-10"}, as_of="2025-09-10")
    assert row(later, "final_plan")["exceptions"] == []
    assert row(later, "no_plan_notice")["exceptions"] == []
    # Asked on 20 Jul, inside the window: now the decision is covered as well as the plan.
    inside = timeline(**surrey, events={"school_asked": "2025-07-20"}, as_of="2025-07-20")
    for milestone in ("decision_to_assess", "no_plan_notice", "final_plan"):
        [found] = row(inside, milestone)["exceptions"]
        assert found["window"] == {"start": "2025-07-16", "end": "2025-08-27"}, milestone
    assert row(inside, "advice_due")["exceptions"] == []


def test_a_school_asked_date_after_the_as_of_date_is_not_used_yet():
    schedule = timeline(
        received="2025-07-10",
        calendar="surrey",
        events={"school_asked": "2025-09-10"},
        as_of="2025-07-10",
    )
    assert "school_asked is dated 2025-09-10" in schedule.warnings[0]
    # As of 10 Jul the school has not been asked: the projected advice request date counts.
    assert [e["source"] for e in row(schedule, "final_plan")["exceptions"]] == ["calendar"]


def test_a_request_received_inside_the_window_covers_the_decision():
    schedule = timeline(received="2025-07-20", calendar="surrey", as_of="2025-09-15")
    decision = row(schedule, "decision_to_assess")
    assert (decision["due"], decision["status"], decision["days_late"]) == (
        "2025-08-31",
        "excused",
        15,
    )


def test_calendars_without_term_dates_detect_no_closures():
    schedule = timeline(received="2025-07-10", as_of="2025-12-01")
    assert excused_milestones(schedule) == []
    assert row(schedule, "final_plan")["status"] == "overdue"

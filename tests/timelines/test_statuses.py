"""Every status, branch and recorded-date rule, each on a hand-worked England case.

The case is a request received Mon 15 Sep 2025 on england-and-wales unless a test says
otherwise: decision due Mon 27 Oct 2025, advice due Mon 8 Dec 2025, final plan Mon 2 Feb 2026.
"""

from __future__ import annotations

import pytest

from send_clock.errors import InputError
from send_clock.timelines import STATUSES
from tests.timelines.support import column, row, timeline

LATER = ("advice_requested", "advice_due", "no_plan_notice", "draft_plan", "comments_due")


def decision(as_of: str, **kwargs) -> dict:
    return row(timeline(as_of=as_of, **kwargs), "decision_to_assess")


def test_the_statuses_are_the_eight_of_the_rules_and_unrecorded():
    assert STATUSES == (
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


def test_met_on_the_due_day():
    found = decision("2025-11-01", events={"decision_to_assess": "2025-10-27"})
    assert (found["status"], found["actual"], found["days_late"]) == ("met", "2025-10-27", None)


def test_late_counts_the_days_after_due():
    found = decision("2025-11-01", events={"decision_to_assess": "2025-10-30"})
    assert (found["status"], found["days_late"]) == ("late", 3)


def test_overdue_counts_the_days_to_the_as_of_date():
    found = decision("2025-11-03")
    assert (found["status"], found["days_late"], found["actual"]) == ("overdue", 7, None)


@pytest.mark.parametrize(
    ("as_of", "status", "days_late"),
    [
        ("2025-09-15", "pending", None),
        ("2025-10-12", "pending", None),  # 15 days before
        ("2025-10-13", "due_soon", None),  # 14 days before
        ("2025-10-27", "due_soon", None),  # due today
        ("2025-10-28", "overdue", 1),
    ],
)
def test_pending_due_soon_and_overdue_around_the_due_date(as_of, status, days_late):
    found = decision(as_of)
    assert (found["status"], found["days_late"]) == (status, days_late)


def test_at_risk_when_a_late_advice_request_pushes_the_projection_past_due():
    schedule = timeline(
        as_of="2025-12-01",
        events={"decision_to_assess": "2025-10-27", "advice_requested": "2025-12-01"},
    )
    # advice due 1 Dec + 6 weeks = 12 Jan; draft no earlier than 14 days later = 26 Jan;
    # comments 15 days from then = 9 Feb; final the day after = 10 Feb, against 2 Feb due.
    assert row(schedule, "advice_due")["due"] == "2026-01-12"
    assert row(schedule, "draft_plan")["projected"] == "2026-01-26"
    assert row(schedule, "comments_due")["due"] == "2026-02-09"
    final = row(schedule, "final_plan")
    assert (final["due"], final["projected"], final["status"]) == (
        "2026-02-02",
        "2026-02-10",
        "at_risk",
    )
    notice = row(schedule, "no_plan_notice")
    assert (notice["projected"], notice["status"], notice["conditional"]) == (
        "2026-01-12",
        "at_risk",
        True,
    )
    assert row(schedule, "decision_to_assess")["status"] == "met"


def test_excused_when_overdue_with_a_recorded_exception_the_milestone_allows():
    schedule = timeline(as_of="2025-11-03", exceptions=("exceptional_personal_circumstances",))
    found = row(schedule, "decision_to_assess")
    assert (found["status"], found["days_late"]) == ("excused", 7)
    assert found["exceptions"] == [
        {
            "kind": "exceptional_personal_circumstances",
            "source": "recorded",
            "basis": "SEND Regulations 2014 reg 5(4)",
            "window": None,
        }
    ]
    # Advice requested is practice with no exceptions: still just overdue.
    assert row(schedule, "advice_requested")["status"] == "overdue"


def test_excused_when_late_with_a_recorded_exception():
    found = decision(
        "2025-11-03",
        events={"decision_to_assess": "2025-10-30"},
        exceptions=("absence_from_area:2025-10-01..2025-10-31",),
    )
    assert (found["status"], found["days_late"]) == ("excused", 3)


def test_excused_by_the_calendar_school_closure_window():
    # Surrey, received Thu 10 Jul 2025: final plan due 27 Nov 2025; advice projected to be
    # requested 21 Aug 2025, inside the 16 Jul - 27 Aug window.
    schedule = timeline(received="2025-07-10", calendar="surrey", as_of="2025-12-01")
    final = row(schedule, "final_plan")
    assert (final["due"], final["status"], final["days_late"]) == ("2025-11-27", "excused", 4)
    assert [e["source"] for e in final["exceptions"]] == ["calendar"]
    # The request itself came before the window, and advice cannot be excused by a closure.
    assert row(schedule, "decision_to_assess")["status"] == "overdue"
    assert row(schedule, "advice_due")["status"] == "overdue"


def test_a_late_final_plan_is_excused_by_the_closure_window_too():
    events = {
        "decision_to_assess": "2025-08-21",
        "advice_requested": "2025-08-21",
        "final_plan": "2025-12-05",
    }
    schedule = timeline(received="2025-07-10", calendar="surrey", as_of="2025-12-10", events=events)
    final = row(schedule, "final_plan")
    assert (final["status"], final["days_late"], final["actual"]) == ("excused", 8, "2025-12-05")


def test_a_refused_decision_makes_everything_after_it_not_applicable():
    schedule = timeline(outcomes={"decision": "refused"}, as_of="2026-03-01")
    status = column(schedule, "status")
    assert {status[m] for m in (*LATER, "final_plan")} == {"not_applicable"}
    assert status["decision_to_assess"] == "overdue"
    for milestone in (*LATER, "final_plan"):
        found = row(schedule, milestone)
        assert found["due"] is found["projected"] is found["days_late"] is None, milestone
        assert (found["conditional"], found["exceptions"]) == (False, [])


def test_a_recorded_final_plan_means_a_plan_so_no_no_plan_notice():
    schedule = timeline(events={"final_plan": "2026-01-30"}, as_of="2026-02-01")
    assert schedule.outcomes == {"decision": "agreed", "outcome": "plan"}
    notice = row(schedule, "no_plan_notice")
    assert (notice["status"], notice["conditional"], notice["due"]) == (
        "not_applicable",
        False,
        None,
    )
    assert row(schedule, "final_plan")["status"] == "met"


def test_a_recorded_no_plan_notice_means_no_plan_so_no_draft_comments_or_final():
    schedule = timeline(events={"no_plan_notice": "2025-12-20"}, as_of="2025-12-20")
    assert schedule.outcomes["outcome"] == "no_plan"
    status = column(schedule, "status")
    assert [status[m] for m in ("draft_plan", "comments_due", "final_plan")] == [
        "not_applicable"
    ] * 3
    notice = row(schedule, "no_plan_notice")
    assert (notice["status"], notice["conditional"]) == ("met", False)


@pytest.mark.parametrize(
    ("outcomes", "notice_status", "conditional", "final_status"),
    [
        ({}, "pending", True, "pending"),
        ({"outcome": "no_plan"}, "pending", False, "not_applicable"),
        ({"outcome": "plan"}, "not_applicable", False, "pending"),
    ],
)
def test_the_no_plan_notice_is_conditional_while_the_outcome_is_unknown(
    outcomes, notice_status, conditional, final_status
):
    schedule = timeline(outcomes=outcomes)
    notice = row(schedule, "no_plan_notice")
    assert (notice["status"], notice["conditional"]) == (notice_status, conditional)
    assert row(schedule, "final_plan")["status"] == final_status
    assert row(schedule, "final_plan")["conditional"] is False


@pytest.mark.parametrize(
    ("events", "outcomes", "message"),
    [
        ({"final_plan": "2026-01-30"}, {"outcome": "no_plan"}, "final_plan is recorded"),
        ({"no_plan_notice": "2025-12-20"}, {"outcome": "plan"}, "outcome=no_plan"),
        ({"draft_plan": "2026-01-10"}, {"decision": "refused"}, "decision=agreed"),
    ],
)
def test_a_recorded_milestone_that_contradicts_the_given_outcome_is_an_error(
    events, outcomes, message
):
    with pytest.raises(InputError, match=message):
        timeline(events=events, outcomes=outcomes, as_of="2026-02-01")


def test_an_actual_date_after_the_as_of_date_is_ignored_with_a_warning():
    schedule = timeline(
        events={"decision_to_assess": "2025-10-20", "final_plan": "2026-01-30"},
        as_of="2025-10-01",
    )
    found = row(schedule, "decision_to_assess")
    assert (found["actual"], found["status"], found["projected"]) == (
        None,
        "pending",
        "2025-10-27",
    )
    # The final plan has not happened yet either, so the outcome is still open.
    assert row(schedule, "no_plan_notice")["conditional"] is True
    assert len(schedule.warnings) == 3  # the two dates, and the closure check not made
    assert "school-closure exception" in schedule.warnings[2]
    assert "decision_to_assess is dated 2025-10-20" in schedule.warnings[0]
    assert "2025-10-01" in schedule.warnings[0]


def test_an_event_before_the_request_is_an_error():
    with pytest.raises(InputError, match="before the start date 2025-09-15"):
        timeline(events={"decision_to_assess": "2025-09-01"}, as_of="2025-10-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": {"bogus": "2025-10-01"}}, "'bogus' is not a milestone of england-ehcna"),
        ({"outcomes": {"decision": "maybe"}}, "decision is one of agreed, refused"),
        ({"outcomes": {"colour": "red"}}, "'colour' is not a branch"),
        ({"params": {"transfer_year": 2027}}, "not a parameter of england-ehcna"),
    ],
)
def test_unknown_events_branches_and_parameters_are_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        timeline(**kwargs)


def test_a_start_event_that_disagrees_with_the_received_date_is_an_error():
    with pytest.raises(InputError, match="request_received is the start date, 2025-09-15"):
        timeline(events={"request_received": "2025-10-01"}, as_of="2025-10-02")
    same = timeline(events={"request_received": "2025-09-15"}, as_of="2025-10-02")
    assert row(same, "request_received")["actual"] == "2025-09-15"


def test_the_start_milestone_is_always_met_on_the_received_date():
    found = row(timeline(as_of="2026-06-01"), "request_received")
    assert (found["status"], found["due"], found["actual"]) == ("met", "2025-09-15", "2025-09-15")


# -- automatic milestones: a period given to the family ends by itself -------------------------
def test_the_comment_period_is_open_on_its_last_day_and_ends_by_itself_the_next():
    # reg 13(1): "at least 15 days, beginning with the day on which the draft plan was served":
    # the family may still comment on the last of those days, so the period has ended only
    # from the next day.
    events = {
        "decision_to_assess": "2025-10-20",
        "advice_requested": "2025-10-20",
        "draft_plan": "2026-01-12",
    }
    # Draft served Mon 12 Jan 2026: the last day for comments is 12 + 14 = Mon 26 Jan.
    before = row(timeline(events=events, as_of="2026-01-25"), "comments_due")
    assert (before["due"], before["actual"], before["status"]) == ("2026-01-26", None, "due_soon")
    on_the_day = row(timeline(events=events, as_of="2026-01-26"), "comments_due")
    assert (on_the_day["actual"], on_the_day["status"]) == (None, "due_soon")
    next_day = row(timeline(events=events, as_of="2026-01-27"), "comments_due")
    assert (next_day["actual"], next_day["status"]) == ("2026-01-26", "met")
    later = timeline(events=events, as_of="2026-03-01")
    assert row(later, "comments_due")["status"] == "met"  # never "overdue"
    assert row(later, "final_plan")["status"] == "overdue"  # the LA's own act still is


def test_without_a_recorded_draft_the_comment_period_is_projected_and_never_met():
    events = {"decision_to_assess": "2025-10-20", "advice_requested": "2025-10-20"}
    schedule = timeline(events=events, as_of="2026-03-01")
    found = row(schedule, "comments_due")
    # the draft (due Sun 18 Jan 2026) is projected, so are the comments: never met, and not
    # overdue either - the family's period has not begun; the authority's draft is what is late
    assert (found["due"], found["actual"], found["status"]) == ("2026-02-01", None, "pending")
    assert row(schedule, "draft_plan")["status"] == "overdue"


def test_a_recorded_comment_date_still_counts():
    events = {
        "decision_to_assess": "2025-10-20",
        "advice_requested": "2025-10-20",
        "draft_plan": "2026-01-12",
        "comments_due": "2026-01-20",
    }
    schedule = timeline(events=events, as_of="2026-01-21")
    assert row(schedule, "comments_due")["actual"] == "2026-01-20"
    # Comments in on 20 Jan: nothing holds the final plan past its own due date.
    assert row(schedule, "final_plan")["projected"] == "2026-02-02"

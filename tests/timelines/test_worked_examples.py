"""The worked examples of statutory-rules.md §9 and the acceptance list of issue 3, exactly."""

from __future__ import annotations

import pytest

from tests.timelines.support import column, row, timeline

ENGLAND_DUE = {
    "request_received": "2025-09-15",
    "decision_to_assess": "2025-10-27",  # 6 weeks
    "advice_requested": "2025-10-27",  # on the decision (practice)
    "advice_due": "2025-12-08",  # 6 weeks after advice requested
    "no_plan_notice": "2026-01-05",  # 16 weeks
    "draft_plan": "2026-01-18",  # received + 125 days
    "comments_due": "2026-02-01",  # draft + 14 days (15 days beginning with the day served)
    "final_plan": "2026-02-02",  # 20 weeks = received + 140 days
}


def test_england_received_15_september_2025_nothing_recorded():
    schedule = timeline("england-ehcna", "2025-09-15")
    assert column(schedule, "due") == ENGLAND_DUE
    assert column(schedule, "projected") == ENGLAND_DUE  # nothing has slipped
    assert row(schedule, "draft_plan")["target"] == "2025-12-22"  # week 14 (IPSEA)
    status = column(schedule, "status")
    assert status["request_received"] == "met"
    assert row(schedule, "request_received")["actual"] == "2025-09-15"
    assert {status[m] for m in ENGLAND_DUE if m != "request_received"} == {"pending"}
    conditional = column(schedule, "conditional")
    assert [m for m, flag in conditional.items() if flag] == ["no_plan_notice"]
    assert schedule.outcomes == {"decision": None, "outcome": None}


def test_jersey_received_16_june_2025_cannot_finish_in_20_weeks():
    schedule = timeline("jersey-ron", "2025-06-16")
    due, projected, status = (column(schedule, k) for k in ("due", "projected", "status"))
    assert due == {
        "request_received": "2025-06-16",
        "acknowledged": "2025-06-30",
        "request_panel": "2025-07-07",
        "advice_requested": "2025-07-14",
        "advice_due": "2025-10-07",  # 6 term weeks, summer 19 Jul - 1 Sep skipped
        "outcome_panel": "2025-09-08",
        "decision_communicated": "2025-09-15",
        "draft_ron": "2025-10-27",
        "final_ron": "2025-11-03",
    }
    assert projected["outcome_panel"] == "2025-10-21"
    assert projected["decision_communicated"] == "2025-10-28"
    assert projected["draft_ron"] == "2025-12-09"
    assert projected["final_ron"] == "2025-12-16"
    assert projected["advice_due"] == due["advice_due"]
    for milestone in ("outcome_panel", "decision_communicated", "draft_ron", "final_ron"):
        assert status[milestone] == "at_risk", milestone
    assert status["acknowledged"] == "due_soon"  # due in exactly 14 days
    assert status["request_panel"] == status["advice_due"] == "pending"


def test_recording_the_draft_moves_comments_and_puts_the_final_plan_at_risk():
    schedule = timeline(
        "england-ehcna", "2025-09-15", events={"draft_plan": "2026-01-26"}, as_of="2026-01-26"
    )
    comments, final, draft = (
        row(schedule, m) for m in ("comments_due", "final_plan", "draft_plan")
    )
    assert (comments["due"], comments["projected"]) == ("2026-02-09", "2026-02-09")
    assert (final["due"], final["projected"], final["status"]) == (
        "2026-02-02",
        "2026-02-10",
        "at_risk",
    )
    assert (draft["actual"], draft["status"], draft["days_late"]) == ("2026-01-26", "late", 8)
    # A draft plan means a plan: the no-plan notice is off the table.
    assert row(schedule, "no_plan_notice")["status"] == "not_applicable"
    assert schedule.outcomes["outcome"] == "plan"


def test_surrey_request_in_july_detects_the_summer_closure_for_the_later_limits():
    schedule = timeline("england-ehcna", "2025-07-10", calendar="surrey")
    # Advice is projected to be requested on Thu 21 Aug 2025, inside the summer window.
    assert row(schedule, "advice_requested")["projected"] == "2025-08-21"
    window = {"start": "2025-07-16", "end": "2025-08-27"}
    assert row(schedule, "final_plan")["exceptions"] == [
        {
            "kind": "school_closure",
            "source": "calendar",
            "basis": "SEND Regulations 2014 reg 13(3), 10(4)",
            "window": window,
        }
    ]
    [notice] = row(schedule, "no_plan_notice")["exceptions"]
    assert (notice["kind"], notice["source"], notice["window"]) == (
        "school_closure",
        "calendar",
        window,
    )
    # The request (10 Jul) came before the window; advice cannot be excused by a closure.
    assert row(schedule, "decision_to_assess")["exceptions"] == []
    assert row(schedule, "advice_due")["exceptions"] == []
    # Detected, not yet needed: nothing is late.
    assert row(schedule, "final_plan")["status"] == "pending"


@pytest.mark.parametrize(
    ("received", "requested", "advice_due"),
    [
        ("2025-09-15", "2025-10-15", "2025-12-03"),  # half term skipped
        ("2025-11-03", "2025-12-01", "2026-01-27"),  # Christmas skipped
        ("2025-06-02", "2025-06-30", "2025-09-23"),  # summer skipped
    ],
)
def test_jersey_advice_counts_six_term_weeks_from_the_actual_request(
    received, requested, advice_due
):
    schedule = timeline(
        "jersey-ron", received, events={"advice_requested": requested}, as_of=requested
    )
    found = row(schedule, "advice_due")
    assert (found["due"], found["projected"]) == (advice_due, advice_due)

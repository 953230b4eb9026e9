"""The edge days of issue 10: non-working Tribunal deadlines, closed cases, reg 8(1)'s start.

Each worked example quotes the words it rests on.
"""

from __future__ import annotations

import pytest

from tests.timelines.support import column, row, timeline

DECIDED = {"decision_to_assess": "2025-10-20", "advice_requested": "2025-10-20"}


# -- HESC Rules 2008 r.12(2) --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("notice", "appeal"),
    [
        # 2 months from Sun 6 Jul 2025 is Sat 6 Sep 2025: in time on Mon 8 Sep.
        ("2025-07-06", "2025-09-08"),
        # 2 months from Wed 4 Mar 2026 is Mon 4 May 2026, the Early May bank holiday: Tue 5 May.
        ("2026-03-04", "2026-05-05"),
        # a working day stays put
        ("2025-06-20", "2025-09-01"),
    ],
)
def test_an_appeal_deadline_on_a_non_working_day_moves_to_the_next_working_day(notice, appeal):
    # r.12(2): "If the time specified by these Rules ... for doing any act ends on a day other
    # than a working day, the act is done in time if it is done on the next working day."
    found = row(timeline("england-tribunal", notice), "appeal_deadline")
    assert found["due"] == appeal
    assert "r.12(2)" in found["basis"] and "UNCONFIRMED" not in found["basis"]


# -- closed cases -------------------------------------------------------------------------------
def test_a_closed_case_reports_its_undated_milestones_as_unrecorded_never_overdue():
    # The final plan was issued (the process reached its end); the advice date and the draft
    # were never recorded. Nothing is left to chase: unrecorded, not overdue or pending.
    events = {**DECIDED, "final_plan": "2026-01-30"}
    schedule = timeline(events=events, as_of="2026-06-01")
    status = column(schedule, "status")
    assert status["advice_due"] == status["draft_plan"] == "unrecorded"
    assert status["final_plan"] == "met"
    assert status["no_plan_notice"] == "not_applicable"
    assert row(schedule, "advice_due")["days_late"] is None


def test_a_refusal_to_assess_closes_the_case():
    schedule = timeline(
        events={"decision_to_assess": "2025-10-01"},
        outcomes={"decision": "refused"},
        as_of="2026-06-01",
    )
    status = column(schedule, "status")
    assert status["decision_to_assess"] == "met"
    assert {status[m] for m in ("advice_due", "draft_plan", "final_plan")} == {"not_applicable"}


def test_a_no_plan_notice_closes_the_case():
    events = {**DECIDED, "no_plan_notice": "2026-01-05"}
    schedule = timeline(events=events, as_of="2026-06-01")
    assert column(schedule, "status")["advice_due"] == "unrecorded"


def test_an_open_case_is_still_overdue():
    schedule = timeline(events=DECIDED, as_of="2026-06-01")
    assert column(schedule, "status")["advice_due"] == "overdue"


# -- reg 8(1) -----------------------------------------------------------------------------------
def test_advice_runs_from_the_day_the_body_received_the_request_when_recorded():
    # reg 8(1): the advice must be provided "within 6 weeks of the date of receiving the
    # request" - the day the body received it, which may be later than the day it was sent.
    later = timeline(
        events={**DECIDED, "advice_request_received": "2025-10-23"}, as_of="2025-10-23"
    )
    assert row(later, "advice_due")["due"] == "2025-12-04"  # 23 Oct + 6 weeks
    without = timeline(events=DECIDED, as_of="2025-10-23")
    assert row(without, "advice_due")["due"] == "2025-12-01"  # 20 Oct + 6 weeks


# -- reg 8(2)(b) --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("absence", "excused"),
    [
        # advice asked for Mon 20 Oct 2025, due Mon 1 Dec: 25 Oct - 30 Nov is 37 days inside
        ("absence_from_area:2025-10-25..2025-11-30", True),
        # 10 Nov - 31 Dec: 52 days, but only 10 Nov - 1 Dec (22 days) inside the 6 weeks
        ("absence_from_area:2025-11-10..2025-12-31", False),
    ],
)
def test_an_absence_excuses_late_advice_only_when_4_weeks_fall_in_the_6(absence, excused):
    # reg 8(2)(b): the advice limit is lifted when the parent or young person is absent from
    # the area for 4 weeks or more "during that 6 week period" - not merely overlapping it.
    schedule = timeline(events=DECIDED, exceptions=(absence,), as_of="2026-01-10")
    assert (row(schedule, "advice_due")["status"] == "excused") is excused

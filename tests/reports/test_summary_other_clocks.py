"""The DfE-style figures (final plans within 20 weeks, decisions within 6 weeks) measure EHC
needs assessments (and Jersey's Record of Need) only: the plans and decisions of the other
clocks (a re-assessment, a Tribunal order, an unopposed appeal, Northern Ireland's statement)
are not new plans from a request, so they are never counted as such."""

from __future__ import annotations

from datetime import date

import pytest

from send_clock.calendars import load_calendar
from send_clock.reports.batches import batch_from_cases
from send_clock.reports.summary import summarise
from send_clock.timelines import Case, bundled_processes, load_process

AS_OF = date(2026, 6, 1)

#: The new clocks: each of their milestones is recorded, alone, a week after the start.
OTHER_CLOCKS = [
    "england-reassessment",
    "england-tribunal-order",
    "england-unopposed-appeal",
    "england-mediation-agreement",
    "northern-ireland-statutory-assessment",
    "wales-aln-idp",
    "scotland-csp",
]


def _batch(process_id: str, events: dict[str, date]):
    process = load_process(process_id)
    calendar = load_calendar(process.default_calendar)
    case = Case(date(2025, 9, 1), events, case_id="C-1")
    batch, _ = batch_from_cases(process, calendar, [case], as_of=AS_OF)
    return batch


CASES = [
    (process_id, milestone.id)
    for process_id in OTHER_CLOCKS
    for milestone in load_process(process_id).milestones
    if milestone.id != load_process(process_id).start
]


@pytest.mark.parametrize(("process_id", "milestone_id"), CASES)
def test_no_milestone_of_another_clock_counts_as_a_new_plan_or_decision(process_id, milestone_id):
    summary = summarise([_batch(process_id, {milestone_id: date(2025, 9, 8)})])
    assert summary["cases"] == 1
    assert summary["final_plans_issued"] == 0
    assert summary["decisions_within_6_weeks_pct"] is None


def test_an_ehc_needs_assessment_still_counts():
    events = {"decision_to_assess": date(2025, 10, 6), "final_plan": date(2026, 1, 12)}
    summary = summarise([_batch("england-ehcna", events)])
    assert (summary["final_plans_issued"], summary["final_plans_within_20_weeks"]) == (1, 1)


def test_only_the_assessment_processes_use_the_measured_milestone_ids():
    measured = {"final_plan", "final_ron", "decision_to_assess", "request_panel"}
    users = {p.id for p in bundled_processes() if measured & set(p.ids)}
    assert users == {
        "england-ehcna",
        "england-ehcna-brighton-hove",
        "england-ehcna-hertfordshire",
        "jersey-ron",
    }

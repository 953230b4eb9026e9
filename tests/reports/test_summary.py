"""The summary of the hand-made caseload (tests/reports/handmade.py): every figure by hand."""

from __future__ import annotations

import io
from datetime import date

import pytest

from send_clock.calendars import load_calendar
from send_clock.reports import (
    batch_from_cases,
    project_caseload,
    read_caseload,
    summarise,
)
from send_clock.reports.summary import FIGURES as FIGURE_KEYS
from send_clock.reports.summary import percent
from send_clock.timelines import Case, load_process, parse_exceptions

from .handmade import (
    AS_OF,
    BY_MONTH,
    CASELOAD,
    DUE_SOON,
    FIGURES,
    OVERDUE,
    STATUS_COUNTS,
    month_figures,
    with_zeros,
)


@pytest.fixture(scope="module")
def report():
    return project_caseload(read_caseload(io.StringIO(CASELOAD), name="handmade.csv"), AS_OF)


@pytest.fixture(scope="module")
def summary(report):
    return report.summary()


def test_the_fixed_figures(summary):
    assert {key: summary[key] for key in FIGURE_KEYS} == FIGURES


def test_the_exception_case_counts_in_one_measure_and_not_the_other(summary, report):
    # C: issued after 165 days with an exception recorded. All plans: 4 issued, 2 on time.
    # Excluding exceptions: C leaves numerator and denominator alike, 2 of 3.
    batch = report.batches[0]
    position = batch.case_ids.tolist().index("C")
    assert batch.projection.status["final_plan"][position] == 6  # excused
    assert summary["final_plans_issued"] - summary["final_plans_issued_excluding_exceptions"] == 1
    assert summary["final_plans_within_20_weeks"] == 2
    assert summary["final_plans_within_20_weeks_excluding_exceptions"] == 2


def test_status_counts_leave_out_conditional_and_closed_unrecorded(summary):
    assert summary["status_counts"] == {m: with_zeros(c) for m, c in STATUS_COUNTS.items()}


def test_worklists_by_urgency(summary):
    assert summary["overdue"] == OVERDUE
    assert summary["due_soon"] == DUE_SOON
    assert (summary["overdue_count"], summary["due_soon_count"]) == (1, 2)


def test_open_cases(summary):
    # F (final plan overdue) and G (decision due today); the rest are closed: A B C H have final
    # plans, D was refused, E was told no plan would be issued.
    assert summary["open_cases"] == 2
    assert summary["open_cases_by_status"] == {
        "overdue": 1,
        "at_risk": 0,
        "due_soon": 1,
        "excused": 0,
        "pending": 0,
    }


def test_by_month_of_request(summary):
    assert [m["month"] for m in summary["by_month"]] == list(BY_MONTH)
    for month in summary["by_month"]:
        assert {k: v for k, v in month.items() if k != "month"} == month_figures(month["month"])


def test_the_bad_row_is_counted(summary, report):
    assert summary["rows_rejected"] == 1
    assert [(r.line, r.case_id) for r in report.rejected] == [(10, "X")]


def test_worklist_limit_keeps_the_counts(report):
    limited = report.summary(worklist_limit=1)
    assert limited["due_soon"] == DUE_SOON[:1]
    assert limited["due_soon_count"] == 2


def test_the_same_figures_from_cases_held_elsewhere(summary):
    """The service holds Case objects, not files: the same cases give the same summary."""
    process = load_process("england-ehcna")
    d = date.fromisoformat
    cases = [
        Case(
            d("2025-01-06"),
            {"decision_to_assess": d("2025-02-10"), "final_plan": d("2025-05-23")},
            {"decision": "agreed", "outcome": "plan"},
            case_id="A",
        ),
        Case(
            d("2025-01-13"),
            {"decision_to_assess": d("2025-03-03"), "final_plan": d("2025-06-20")},
            {"decision": "agreed", "outcome": "plan"},
            case_id="B",
        ),
        Case(
            d("2025-03-03"),
            {"decision_to_assess": d("2025-04-11"), "final_plan": d("2025-08-15")},
            {"decision": "agreed", "outcome": "plan"},
            parse_exceptions("exceptional_personal_circumstances@final_plan", process),
            case_id="C",
        ),
        Case(
            d("2025-02-03"),
            {"decision_to_assess": d("2025-03-10")},
            {"decision": "refused"},
            case_id="D",
        ),
        Case(
            d("2025-02-10"),
            {"decision_to_assess": d("2025-03-21"), "no_plan_notice": d("2025-05-30")},
            {"decision": "agreed", "outcome": "no_plan"},
            case_id="E",
        ),
        Case(
            d("2025-05-12"),
            {
                "decision_to_assess": d("2025-06-20"),
                "advice_requested": d("2025-06-20"),
                "advice_due": d("2025-08-01"),
                "draft_plan": d("2025-09-12"),
                "comments_due": d("2025-09-26"),
            },
            {"decision": "agreed"},
            case_id="F",
        ),
        Case(d("2025-10-20"), case_id="G"),
        Case(
            d("2025-02-24"),
            {"decision_to_assess": d("2025-04-04"), "final_plan": d("2025-07-14")},
            {"decision": "agreed", "outcome": "plan"},
            case_id="H",
        ),
    ]
    batch, rejected = batch_from_cases(process, load_calendar("england-and-wales"), cases, AS_OF)
    assert rejected == []
    assert summarise([batch], rows_rejected=1) == summary


def test_an_empty_caseload_divides_by_nothing():
    figures = summarise([])
    assert figures["cases"] == 0
    assert figures["final_plans_within_20_weeks_pct"] is None
    assert figures["average_weeks_to_final_plan"] is None
    assert figures["by_month"] == [] and figures["overdue"] == []


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, 33.3), (2, 3, 66.7), (0, 5, 0.0), (5, 5, 100.0), (0, 0, None), (1, 8, 12.5)],
)
def test_percentages_to_one_decimal(part, whole, expected):
    assert percent(part, whole) == expected

"""The worklist by case: one row per open case, its most urgent milestone."""

from __future__ import annotations

import io
from datetime import date

import pytest

from send_clock.errors import InputError
from send_clock.reports import project_caseload, read_caseload
from send_clock.reports.worklist import cases_to_chase, parse_statuses

CASELOAD = """case_id,received,officer,decision,decision_to_assess,advice_requested
A,2025-09-01,Sam,,,
B,2025-11-03,Ali,,,
C,2025-09-01,Sam,agreed,2025-10-01,2025-10-01
D,2025-06-02,Jo,refused,2025-07-01,
"""


def _worklist(statuses=("overdue", "due_soon", "at_risk", "pending")):
    report = project_caseload(read_caseload(io.StringIO(CASELOAD)), date(2025, 12, 1))
    return cases_to_chase(report.batches, statuses)


def test_one_row_per_case_most_urgent_first():
    # SEND Regulations 2014 reg 5(1): the local authority must notify "within 6 weeks of—
    # (a) receiving a request for an assessment ... of its decision whether or not it is
    # necessary to secure an EHC needs assessment". A, received 1 Sep 2025, was due a decision
    # on 13 Oct 2025: 49 days late on 1 Dec 2025. B, received 3 Nov 2025, is due on 15 Dec.
    rows = _worklist()
    assert [
        (r["case_id"], r["officer"], r["milestone"], r["status"], r["days_late"]) for r in rows
    ][:1] == [("A", "Sam", "decision_to_assess", "overdue", 49)]
    assert [r["case_id"] for r in rows].count("C") == 1  # several open milestones: one row
    assert "D" not in [r["case_id"] for r in rows]  # refused: closed, nothing to chase
    b = next(r for r in rows if r["case_id"] == "B")
    assert (b["due"], b["status"], b["days_late"]) == ("2025-12-15", "due_soon", -14)


def test_statuses_filter_by_the_most_urgent_milestone():
    assert [r["case_id"] for r in _worklist(("due_soon",))] == ["B"]


@pytest.mark.parametrize("text", ["late", "", "overdue,met"])
def test_unknown_statuses_are_refused(text):
    with pytest.raises(InputError, match="overdue, at_risk, due_soon, excused, pending"):
        parse_statuses(text)

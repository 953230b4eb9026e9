"""A breach report writes, for each case, the basis of the rule in force on its start date (as
the case's own timeline does), in every per-milestone format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from send_clock.calendars import load_calendar
from send_clock.reports.batches import batch_from_cases
from send_clock.reports.render import write_csv, write_jsonl
from send_clock.timelines import Case, load_process, project

PROCESS = load_process("northern-ireland-statutory-assessment")
CALENDAR = load_calendar("northern-ireland")
AS_OF = date(2006, 1, 3)
# 31 Aug 2005: the 1998 rule; 1 Sep 2005: the 2005 Regulations.
CASES = [
    Case(date(2005, 8, 31), case_id="NI-OLD"),
    Case(date(2005, 9, 1), case_id="NI-NEW"),
    Case(date(2005, 8, 1), case_id="NI-OLDER"),
]


def expected_bases() -> dict[str, str]:
    """Each case's proposed-statement basis as its own timeline gives it."""
    return {
        case.case_id: project(PROCESS, CALENDAR, case, as_of=AS_OF)
        .milestone("proposed_statement")
        .milestone.basis
        for case in CASES
    }


def rows(writer) -> list[dict]:
    batch, _ = batch_from_cases(PROCESS, CALENDAR, CASES, as_of=AS_OF)
    out = io.BytesIO()
    writer([batch], out)
    text = out.getvalue().decode()
    if writer is write_csv:
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


# The JSON document writes each milestone with the same code as JSON lines.
@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_each_case_carries_the_basis_in_force_on_its_start_date(writer):
    expected = expected_bases()
    assert "1998/217" in expected["NI-OLD"] and "2005 reg 16" in expected["NI-NEW"]
    found = [r for r in rows(writer) if r["id"] == "proposed_statement"]
    assert {r["case_id"]: r["basis"] for r in found} == expected

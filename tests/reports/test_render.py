"""Per case x milestone output: the column-wise writers give exactly what the timeline gives."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

import send_clock.reports.records as records
import send_clock.reports.render as render
from send_clock.calendars import load_calendar
from send_clock.reports import (
    batch_from_cases,
    project_caseload,
    read_caseload,
    read_sen2_blade,
    render_html,
    write_csv,
    write_json,
    write_jsonl,
)
from send_clock.timelines import Case, load_process, schedule_at
from send_clock.timelines.schedule import exception_text

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 12, 1)


@pytest.fixture(scope="module")
def report():
    """The example caseload: three processes/calendars, exceptions of every source."""
    return project_caseload(read_caseload(ROOT / "examples" / "caseload.csv"), AS_OF)


def expected_rows(report) -> list[dict]:
    """What the single-case timeline (schedule_at) says, case by case: the oracle."""
    rows = []
    for batch in report.batches:
        for position in range(len(batch)):
            case = Case(received=batch.received[position].item())
            timeline = schedule_at(batch.projection, position, case).to_dict()
            for milestone in timeline["milestones"]:
                rows.append(
                    {
                        "case_id": str(batch.case_ids[position]),
                        "process": timeline["process"],
                        "calendar": timeline["calendar"],
                        "received": timeline["received"],
                        **milestone,
                    }
                )
    return rows


def written(writer, *args) -> str:
    out = io.BytesIO()
    writer(*args, out)
    return out.getvalue().decode()


def test_jsonl_is_the_timeline_json_line_by_line(report):
    expected = expected_rows(report)
    text = written(write_jsonl, report.batches)
    assert text == "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in expected)
    kinds = {e["source"] for row in expected for e in row["exceptions"]}
    assert kinds == {"recorded", "calendar"}  # both kinds of exception are in the example


def test_csv_has_the_same_fields(report):
    expected = expected_rows(report)
    rows = list(csv.DictReader(io.StringIO(written(write_csv, report.batches))))
    assert list(rows[0]) == list(render.CSV_COLUMNS)
    assert len(rows) == len(expected) == 21 * 8 + 1  # 20 English cases, 1 Jersey (9 milestones)

    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "; ".join(exception_text(e) for e in value)
        return str(value)

    for row, want in zip(rows, expected, strict=True):
        assert row == {key: cell(want[key]) for key in render.CSV_COLUMNS}


def test_json_document(report):
    summary = report.summary()
    document = json.loads(written(write_json, report, summary))
    assert list(document) == ["as_of", "summary", "rejected", "warnings", "cases"]
    assert document["as_of"] == "2025-12-01" and document["summary"] == summary
    flat = [
        {k: case[k] for k in ("case_id", "process", "calendar", "received")} | milestone
        for case in document["cases"]
        for milestone in case["milestones"]
    ]
    assert flat == expected_rows(report)


def test_json_with_no_cases():
    empty = project_caseload(read_caseload(io.StringIO("case_id,received\nA,\n")), AS_OF)
    document = json.loads(written(write_json, empty, empty.summary()))
    assert document["cases"] == [] and document["rejected"][0]["line"] == 2


def test_case_ids_are_quoted_and_escaped():
    names = ["plain", "with, comma", 'with "quotes"', "back\\slash", "café", "tab\there"]
    process = load_process("england-ehcna")
    batch, _ = batch_from_cases(
        process,
        load_calendar("england-and-wales"),
        [Case(received=date(2025, 9, 15), case_id=name) for name in names],
        AS_OF,
    )
    rows = list(csv.DictReader(io.StringIO(written(write_csv, [batch]))))
    assert [row["case_id"] for row in rows[:: len(process.ids)]] == names
    lines = written(write_jsonl, [batch]).splitlines()
    assert [json.loads(line)["case_id"] for line in lines[:: len(process.ids)]] == names


def test_dates_decades_apart_and_small_chunks(monkeypatch, report):
    """Beyond the date table's reach dates are formatted one by one; records come out the same
    however the writer cuts them into chunks."""
    expected = written(write_jsonl, report.batches)
    monkeypatch.setattr(render, "LARGEST_DATE_TABLE", 10)
    monkeypatch.setattr(records, "CHUNK_BYTES", 5_000)
    assert written(write_jsonl, report.batches) == expected


@pytest.mark.parametrize("block_records", [1, 3, 5])
def test_short_last_blocks_and_chunks(monkeypatch, report, block_records):
    """Blocks and chunks of a few records, the last ones shorter than the rest: the writer's
    buffers, filled again for each, give every record once."""
    expected = {w: written(w, report.batches) for w in (write_csv, write_jsonl)}
    monkeypatch.setattr(records, "CHUNK_BYTES", 5_000)
    monkeypatch.setattr(records, "BLOCK_RECORDS", block_records)
    assert {w: written(w, report.batches) for w in expected} == expected


def test_sen2_week20_shows_as_an_exception():
    report = project_caseload(read_sen2_blade(ROOT / "tests" / "data" / "sen2-blade"), AS_OF)
    rows = [json.loads(line) for line in written(write_jsonl, report.batches).splitlines()]
    r05 = next(r for r in rows if r["case_id"] == "R05" and r["id"] == "final_plan")
    assert r05["status"] == "excused"
    assert r05["exceptions"] == [
        {
            "kind": "unspecified",
            "source": "sen2_week20",
            "basis": "SEND Regulations 2014 reg 13(3), 10(4)",
            "window": None,
        }
    ]


def test_progress_counts_cases(report):
    seen = []
    write_csv(report.batches, io.BytesIO(), seen.append)
    assert seen[-1] == report.cases == 21


def test_html_report_is_one_self_contained_page(report):
    page = render_html(report, report.summary(worklist_limit=5))
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 2
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "50.0%" in page  # 4 of 8 final plans within 20 weeks
    assert "60.0%" in page  # 3 of 5 excluding recorded exceptions
    assert "75.0%" in page  # 3 of 4 excluding recorded and detected
    assert "received + 140 days (the DfE method)" in page
    assert "The 5 most overdue are shown" in page
    assert "EHC-2508" in page and "Final EHC plan issued" in page

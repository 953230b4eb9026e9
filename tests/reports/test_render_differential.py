"""The column-wise row writers against an independent one on generated caseloads.

The independent writer takes each case's timeline (``schedule_at``, one case at a time) and
writes it with Python's ``csv`` module (or ``json``), cell by cell, with the formula defence of
:mod:`send_clock.safecsv`. Hypothesis picks case ids with commas, quotes, line breaks, a leading
``=+-@``, tabs, spaces, accents and emoji, start dates decades apart, events and exceptions; the
bytes written must be the same, whatever the size of the writer's chunks.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import send_clock.reports.records as records
import send_clock.reports.render as render
from send_clock.calendars import load_calendar
from send_clock.reports import batch_from_cases, write_csv, write_jsonl
from send_clock.safecsv import neutral
from send_clock.timelines import Case, load_process, schedule_at
from send_clock.timelines.excusals import RecordedException
from send_clock.timelines.schedule import exception_text

AS_OF = date(2025, 12, 1)
PROCESS = load_process("england-ehcna")
CALENDAR = load_calendar("england-and-wales")

case_ids = st.text(alphabet=st.sampled_from(list("AZ09,\"\n\r=+-@ \té€😀;'")), min_size=1)
starts = st.dates(min_value=date(1995, 1, 1), max_value=date(2026, 6, 30))


@st.composite
def cases(draw) -> list[Case]:
    ids = draw(st.lists(case_ids, min_size=1, max_size=6, unique=True))
    found = []
    for case_id in ids:
        received = draw(starts)
        events, exceptions = {}, ()
        if draw(st.booleans()):
            events["decision_to_assess"] = received + timedelta(days=draw(st.integers(0, 80)))
            if draw(st.booleans()):
                events["final_plan"] = received + timedelta(days=draw(st.integers(90, 200)))
                if draw(st.booleans()):
                    exceptions = (RecordedException("exceptional_personal_circumstances"),)
        found.append(Case(received, events, exceptions=exceptions, case_id=case_id))
    return found


def timeline_rows(batch) -> list[dict]:
    rows = []
    for position in range(len(batch)):
        timeline = schedule_at(batch.projection, position, Case(batch.received[position].item()))
        for milestone in timeline.to_dict()["milestones"]:
            rows.append(
                {
                    "case_id": str(batch.case_ids[position]),
                    "process": timeline.process.id,
                    "calendar": timeline.calendar.id,
                    "received": batch.received[position].item().isoformat(),
                    **milestone,
                }
            )
    return rows


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(exception_text(e) for e in value)
    return str(value)


def csv_by_hand(batch, raw: bool) -> bytes:
    """Rows ending in ``\n``, written by ``csv`` with ``\r\n`` as the terminator (so that a
    value holding a lone ``\r`` or ``\n`` is quoted, on every Python version)."""
    lines = [",".join(render.CSV_COLUMNS) + "\n"]
    for row in timeline_rows(batch):
        cells = [cell(row[column]) for column in render.CSV_COLUMNS]
        if not raw:
            cells[0] = neutral(cells[0])
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(cells)
        lines.append(text.getvalue()[:-2] + "\n")
    return "".join(lines).encode()


def jsonl_by_hand(batch) -> bytes:
    return "".join(
        json.dumps(row, ensure_ascii=False) + "\n" for row in timeline_rows(batch)
    ).encode()


def written(writer, batch, **options) -> bytes:
    out = io.BytesIO()
    writer([batch], out, **options)
    return out.getvalue()


@settings(max_examples=25, deadline=None)
@given(cases(), st.booleans(), st.sampled_from([1, 300, records.CHUNK_BYTES]))
def test_csv_and_jsonl_as_written_cell_by_cell(found, raw, chunk_bytes):
    batch, rejected = batch_from_cases(PROCESS, CALENDAR, found, AS_OF)
    assert not rejected
    with mock.patch.object(records, "CHUNK_BYTES", chunk_bytes):
        assert written(write_csv, batch, raw=raw) == csv_by_hand(batch, raw)
        assert written(write_jsonl, batch) == jsonl_by_hand(batch)


@settings(max_examples=10, deadline=None)
@given(cases())
def test_dates_formatted_one_by_one_give_the_same_bytes(found):
    """Beyond ``LARGEST_DATE_TABLE`` days between a batch's first and last dates, the writer
    formats dates one by one instead of through a table of days."""
    batch, _ = batch_from_cases(PROCESS, CALENDAR, found, AS_OF)
    with mock.patch.object(render, "LARGEST_DATE_TABLE", 5):
        assert written(write_csv, batch) == csv_by_hand(batch, raw=False)


def test_a_big_batch_shares_one_table_of_ids():
    """Past ``SMALL_TABLE`` cases, the ids' table is not copied per milestone: the separators
    around it are entries of their own, and the rows are the same."""
    found = [Case(date(2025, 9, 15), case_id=f"=A,{n}") for n in range(40)]
    batch, _ = batch_from_cases(PROCESS, CALENDAR, found, AS_OF)
    with mock.patch.object(records, "SMALL_TABLE", 10):
        assert written(write_csv, batch) == csv_by_hand(batch, raw=False)
        assert written(write_jsonl, batch) == jsonl_by_hand(batch)


def test_tables_past_two_gigabytes_give_the_same_bytes():
    """Tables too big for pyarrow's 32-bit offsets are gathered with 64-bit ones."""
    found = [Case(date(2025, 9, 15), case_id=f"A,{n}") for n in range(5)]
    batch, _ = batch_from_cases(PROCESS, CALENDAR, found, AS_OF)
    with mock.patch.object(records, "LARGEST_BINARY", 0):
        assert written(write_csv, batch) == csv_by_hand(batch, raw=False)
        assert written(write_jsonl, batch) == jsonl_by_hand(batch)

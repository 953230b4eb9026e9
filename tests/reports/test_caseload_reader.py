"""The caseload CSV reader: columns, date forms, rows it rejects (with line numbers), errors."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.errors import InputError
from send_clock.reports import read_caseload
from send_clock.reports.columns import parse_dates, repeated_positions

from .handmade import CASELOAD

HEADER = "case_id,received,decision,decision_to_assess,final_plan\n"


def read(text: str, **options):
    return read_caseload(io.StringIO(text), name="caseload.csv", **options)


def reasons(caseload) -> list[tuple[int, str, str]]:
    return [(r.line, r.case_id, r.reason) for r in caseload.rejected]


def test_reads_the_columns_of_the_process():
    caseload = read(CASELOAD)
    (group,) = caseload.groups
    assert (group.process.id, group.calendar.id) == ("england-ehcna", "england-and-wales")
    assert group.case_ids.tolist() == list("ABCDEFGH")
    assert group.lines.tolist() == list(range(2, 10))
    cases = group.cases
    assert str(cases.received[7]) == "2025-02-24"  # H, written 24/02/2025
    assert str(cases.actual["final_plan"][7]) == "2025-07-14"
    # decision: agreed=0, refused=1, -1 unknown (G)
    assert cases.outcomes["decision"].tolist() == [0, 0, 0, 1, 0, 0, -1, 0]
    assert list(cases.exceptions) == [2]  # C
    assert caseload.rows_read == 9 and caseload.warnings == []


def test_a_bad_date_is_rejected_with_its_line_and_both_forms():
    caseload = read(CASELOAD)
    assert reasons(caseload) == [
        (10, "X", "'2025-13-01' is not a real date: there is no month 13"),
    ]
    ((line, _, reason),) = reasons(read(HEADER + "A,15-09-2025,,,\n"))
    assert line == 2
    assert "YYYY-MM-DD (2025-09-15) or DD/MM/YYYY (15/09/2025)" in reason


def test_every_kind_of_unreadable_row_is_reported_and_the_rest_read():
    text = HEADER + "\n".join(
        [
            "ok1,2025-09-15,agreed,,",
            "bad-decision,2025-09-15,perhaps,,",
            "no-date,,agreed,,",
            ",2025-09-15,agreed,,",  # no case id
            "ok1,2025-09-16,,,",  # the same id again
            "too-long,2025-09-15,agreed,,,extra",
            "bad-final,2025-09-15,agreed,,31/31/2025",
            "ok2,2025-09-15",  # short: padded with empty values
            "",  # blank line: skipped
            ",,,,",  # empty row: skipped
        ]
    )
    caseload = read(text + "\n")
    assert reasons(caseload) == [
        (3, "bad-decision", "decision='perhaps': decision is one of agreed, refused"),
        (4, "no-date", "the received date is empty; give the date the request was received"),
        (5, "", "the case_id is empty; give every case its reference"),
        (6, "ok1", "case_id ok1 appears again (first on line 2); each case needs its own row"),
        (
            7,
            "too-long",
            "the row has 6 values but the header has 5 columns; check for a stray comma or an "
            "unquoted value",
        ),
        (8, "bad-final", "'31/31/2025' is not a real date: there is no month 31"),
    ]
    assert caseload.groups[0].case_ids.tolist() == ["ok1", "ok2"]
    assert caseload.rows_read == 8


def test_bad_exceptions_and_columns_of_another_process_are_rejected():
    text = (
        "case_id,received,process,exceptions,final_plan,final_ron\n"
        "E1,2025-09-15,,holiday,,\n"
        "E2,2025-09-15,,absence_from_area:2025-10-01..2025-10-10,,\n"
        "J1,2025-09-15,jersey-ron,,2026-01-01,\n"
        "J2,2025-09-15,jersey-ron,,,2026-01-20\n"
    )
    caseload = read(text)
    lines = {line: reason for line, _, reason in reasons(caseload)}
    assert lines[2].startswith("exceptions: 'holiday' is not an exception kind")
    assert "4 weeks or more" in lines[3]
    assert lines[4].startswith("final_plan has a value, but final_plan is not part of jersey-ron")
    (group,) = caseload.groups
    assert (group.process.id, group.calendar.id, group.case_ids.tolist()) == (
        "jersey-ron",
        "jersey",
        ["J2"],
    )


def test_process_and_calendar_columns_group_the_rows():
    text = (
        "case_id,received,process,calendar\n"
        "A,2025-09-15,,\n"
        "B,2025-09-15,england-ehcna,surrey\n"
        "C,2025-09-15,jersey-ron,\n"
        "D,2025-09-15,,england-and-wales\n"
        "E,2025-09-15,no-such-process,\n"
        "F,2025-09-15,,no-such-calendar\n"
    )
    caseload = read(text)
    found = {(g.process.id, g.calendar.id): g.case_ids.tolist() for g in caseload.groups}
    assert found == {
        ("england-ehcna", "england-and-wales"): ["A", "D"],
        ("england-ehcna", "surrey"): ["B"],
        ("jersey-ron", "jersey"): ["C"],
    }
    assert [(line, reason.split(":")[0]) for line, _, reason in reasons(caseload)] == [
        (6, "no process 'no-such-process'"),
        (7, "no calendar 'no-such-calendar'"),
    ]


def test_defaults_from_the_command_line():
    caseload = read("case_id,received\nA,2025-06-16\n", process="jersey-ron")
    assert (caseload.groups[0].process.id, caseload.groups[0].calendar.id) == (
        "jersey-ron",
        "jersey",
    )
    caseload = read("case_id,received\nA,2025-06-16\n", calendar="surrey")
    assert caseload.groups[0].calendar.id == "surrey"


def test_unknown_columns_give_one_warning():
    caseload = read("Case_ID, Received ,notes,school,\nA,2025-09-15,x,y,\n")
    assert caseload.warnings == [
        "caseload.csv: ignoring 3 columns send-clock does not use: notes, school, "
        "(a column with no name)"
    ]
    assert caseload.groups[0].case_ids.tolist() == ["A"]


def test_the_officer_column_is_known():
    """Kept by the service's import, ignored by the reports, and never warned about."""
    caseload = read("case_id,received,Officer\nA,2025-09-15,Sam Patel\n")
    assert caseload.warnings == [] and caseload.rejected == []


def test_line_numbers_count_line_breaks_inside_quoted_values():
    text = 'case_id,received,notes\nA,2025-09-15,"two\nlines"\nB,2025-13-01,\n'
    assert [(line, case) for line, case, _ in reasons(read(text))] == [(4, "B")]


def test_reads_a_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("case_id,received\r\nA,15/09/2025\r\n".encode("utf-8-sig"))
    caseload = read_caseload(path)
    assert caseload.groups[0].case_ids.tolist() == ["A"]
    assert str(caseload.groups[0].cases.received[0]) == "2025-09-15"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "caseload.csv is empty: a caseload needs a header row (case_id,received,...)"),
        ("\n\n", "caseload.csv is empty"),
        ("case_id,received\n", "caseload.csv has a header but no cases"),
        (
            "case_id,decision\nA,agreed\n",
            "caseload.csv has no received column (found: case_id, decision; expected: "
            "case_id, received; names are matched ignoring case and spaces)",
        ),
        ("id,date\nA,2025-09-15\n", "caseload.csv has no case_id or received column"),
        ("case_id,received,received\n", "the column 'received' appears twice"),
    ],
)
def test_one_clear_error_for_an_unusable_file(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        read(text)


def test_a_missing_or_undecodable_file(tmp_path):
    with pytest.raises(InputError, match="cannot read the caseload .*missing.csv"):
        read_caseload(tmp_path / "missing.csv")
    (tmp_path / "latin1.csv").write_bytes("case_id,received\nÉ,2025-09-15\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin1.csv is not UTF-8 text"):
        read_caseload(tmp_path / "latin1.csv")


def test_progress_is_reported(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text(CASELOAD)
    seen = []
    read_caseload(path, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen == [("reading", 9, 9)]


# -- the column helpers -------------------------------------------------------------------------
def test_iso_dates_take_the_fast_path_and_others_the_careful_one():
    days, problems = parse_dates(("2025-09-15", "", "2025-02-28"), "date")
    assert days.tolist()[1] is None and problems == {}
    days, problems = parse_dates(("2025-09-15", "NaT", "today", "2025-09"), "date")
    assert str(days[0]) == "2025-09-15" and np.isnat(days[1:]).all()
    assert sorted(problems) == [1, 2, 3]  # numpy would take these; send-clock does not
    days, problems = parse_dates(("1/2/2025", " 2025-09-15 ", "2025-02-29"), "date")
    assert [str(d) for d in days[:2]] == ["2025-02-01", "2025-09-15"]
    assert problems == {2: "'2025-02-29' is not a real date: February 2025 has 28 days"}


def test_repeated_ids_are_found_exactly():
    ids = np.array([f"EHC{n:05d}" for n in range(20_000)] + ["EHC00007", "EHC19999"])
    assert repeated_positions(ids) == {20_000: 7, 20_001: 19_999}
    assert repeated_positions(np.array(["a", "b"])) == {}


def test_blank_rows_are_skipped_the_same_by_both_readers(tmp_path):
    # a row of separators is skipped; a case id of spaces alone is an empty case id
    text = "case_id,received\nA,2025-09-15\n,\n\n , \nB,2025-09-16\n"
    path = tmp_path / "caseload.csv"
    path.write_text(text)
    columnar, rows = read_caseload(path), read_caseload(io.StringIO(text), name="caseload.csv")
    assert (
        [str(r) for r in columnar.rejected]
        == [str(r) for r in rows.rejected]
        == ["caseload.csv, line 5: the case_id is empty; give every case its reference"]
    )


DATE_CELL = st.sampled_from(
    [
        "2025-09-15",
        "",
        "15/09/2025",
        "2025-02-30",
        "2025-9-15",
        " 2025-09-16 ",
        "31/02/2025",
        "2024-02-29",
        "today",
        "0001-01-01",
        "2025-13-01",
        "1/2/2025",
        "  ",
    ]
)
ID_CELL = st.sampled_from(["A", "EHC-1", " B ", "C ", "é1", "", "A", "=1", "D2"])
CHOICE_CELL = st.sampled_from(["agreed", "refused", "", "Agreed ", "maybe"])
#: Ids of one width (read straight from their bytes), some with a space at either end
#: (stripped only where one is found there)
SAME_WIDTH_ID = st.sampled_from(["X{:03d}", " X{:02d}", "X{:02d} ", "\tX{:02d}", "X{:02d}\x1f"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            ID_CELL, DATE_CELL, CHOICE_CELL, DATE_CELL, DATE_CELL, st.integers(0, 99), SAME_WIDTH_ID
        ),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_the_columnar_reader_reads_as_the_row_reader(tmp_path_factory, rows, same_width_ids):
    """Whatever mix of date forms, ids and choices a column holds (so that pyarrow reads some
    values and Python the rest), the columnar reader finds what ``csv``, row by row, finds."""
    lines = [HEADER]
    for case_id, received, decision, decided, final, number, same_width in rows:
        case_id = same_width.format(number) if same_width_ids else case_id + str(number)
        lines.append(",".join([case_id, received, decision, decided, final]) + "\n")
    text = "".join(lines)
    path = tmp_path_factory.mktemp("caseload") / "caseload.csv"
    path.write_text(text)
    try:
        columnar = read_caseload(path)
    except InputError as error:
        with pytest.raises(InputError, match=re.escape(str(error))):
            read(text)
        return
    by_rows = read(text)
    assert [str(r) for r in columnar.rejected] == [str(r) for r in by_rows.rejected]
    assert len(columnar.groups) == len(by_rows.groups)
    for mine, theirs in zip(columnar.groups, by_rows.groups, strict=True):
        assert mine.case_ids.tolist() == theirs.case_ids.tolist()
        assert mine.lines.tolist() == theirs.lines.tolist()
        assert mine.cases.received.tolist() == theirs.cases.received.tolist()
        assert {m: d.tolist() for m, d in mine.cases.actual.items()} == {
            m: d.tolist() for m, d in theirs.cases.actual.items()
        }
        assert {b: c.tolist() for b, c in mine.cases.outcomes.items()} == {
            b: c.tolist() for b, c in theirs.cases.outcomes.items()
        }

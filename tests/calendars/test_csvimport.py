"""Term dates from CSV files: one row per term; bad rows rejected with their line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from send_clock.calendars import Term, load_calendar
from tests.calendars.test_loader import file_error
from tests.helpers import d

HEADER = "name,start,end,half_term_start,half_term_end,inset,closures,year,source,status"


def write_csv(folder: Path, *lines: str, name: str = "council.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_valid_csv(tmp_path):
    path = write_csv(
        tmp_path,
        HEADER,
        "Autumn 2025,2025-09-02,2025-12-18,2025-10-27,2025-10-31,2025-09-11,,2025-26,gov.je,"
        "official",
        "Spring 2026,05/01/2026,01/04/2026,16/02/2026,20/02/2026,,,2025-26,gov.je,official",
        ",,,,,,,,,",  # blank rows are skipped
        "Summer 2026,2026-04-20,2026-07-17,2026-05-26,2026-05-29,,2026-06-01;2026-06-02,2025-26,"
        "gov.je,official",
    )
    calendar = load_calendar(path)
    assert calendar.terms == (
        Term(
            "Autumn 2025",
            d("2025-09-02"),
            d("2025-12-18"),
            (d("2025-10-27"), d("2025-10-31")),
            (d("2025-09-11"),),
        ),
        Term("Spring 2026", d("2026-01-05"), d("2026-04-01"), (d("2026-02-16"), d("2026-02-20"))),
        Term(
            "Summer 2026",
            d("2026-04-20"),
            d("2026-07-17"),
            (d("2026-05-26"), d("2026-05-29")),
            closures=(d("2026-06-01"), d("2026-06-02")),
        ),
    )
    (year,) = calendar.years
    assert (year.label, year.source, year.status) == ("2025-26", "gov.je", "official")


def test_the_smallest_csv_names_its_terms(tmp_path):
    path = write_csv(tmp_path, "Start,End", "2025-09-02,2025-12-18", "2026-01-05,2026-04-01")
    calendar = load_calendar(path)
    assert [t.name for t in calendar.terms] == ["Autumn 2025", "Spring 2026"]
    assert calendar.years[0].label == "2025-26"


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "council.csv"
    path.write_bytes("\ufeffstart,end\n2025-09-02,2025-12-18\n".encode())
    assert load_calendar(path).coverage == (d("2025-09-02"), d("2025-12-18"))


# -- invalid files --------------------------------------------------------------------------
def test_a_term_that_ends_before_it_starts(tmp_path):
    path = write_csv(tmp_path, "name,start,end", "Autumn 2025,2025-12-18,2025-09-02")
    file_error(path, "term 'Autumn 2025'", "ends on 2025-09-02 before it starts on 2025-12-18")


def test_overlapping_terms(tmp_path):
    path = write_csv(
        tmp_path, "name,start,end", "Autumn,2025-09-02,2025-12-18", "Spring,2025-12-01,2026-04-01"
    )
    file_error(path, "term 'Spring'", "overlaps term 'Autumn'")


def test_a_half_term_outside_its_term(tmp_path):
    path = write_csv(
        tmp_path,
        "name,start,end,half_term_start,half_term_end",
        "Autumn 2025,2025-09-02,2025-12-18,2025-12-22,2025-12-24",
    )
    file_error(path, "term 'Autumn 2025'", "half term 2025-12-22 to 2025-12-24 is outside the term")


def test_half_of_a_half_term(tmp_path):
    path = write_csv(
        tmp_path,
        "name,start,end,half_term_start",
        "Autumn 2025,2025-09-02,2025-12-18,2025-10-27",
    )
    file_error(path, "line 2", "give both half_term_start and half_term_end")


def test_an_inset_day_outside_its_term(tmp_path):
    path = write_csv(
        tmp_path, "name,start,end,inset", "Autumn 2025,2025-09-02,2025-12-18,2025-08-29"
    )
    file_error(path, "term 'Autumn 2025'", "INSET day 2025-08-29 is outside the term")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Spring 2026,2026-02-30,2026-04-01", "'2026-02-30' is not a real date"),
        ("Spring 2026,5 Jan 2026,2026-04-01", "'5 Jan 2026' is not a term start date"),
        ("Spring 2026,2026-01-05,", "'' is not a term end date"),
    ],
)
def test_an_unparseable_date_names_its_line(tmp_path, row, reason):
    path = write_csv(tmp_path, "name,start,end", "Autumn 2025,2025-09-02,2025-12-18", row)
    file_error(path, "line 3", reason)


def test_an_unparseable_inset_date(tmp_path):
    path = write_csv(
        tmp_path, "name,start,end,inset", "Autumn 2025,2025-09-02,2025-12-18,2025-09-11;11 Sep"
    )
    error = file_error(path, "line 2", "'11 Sep' is not a")
    assert "YYYY-MM-DD" in error.reason


def test_an_unknown_column(tmp_path):
    # a misspelt column would silently drop the half terms
    path = write_csv(
        tmp_path,
        "name,start,end,half_term_begin,half_term_end",
        "Autumn 2025,2025-09-02,2025-12-18,2025-10-27,2025-10-31",
    )
    error = file_error(path, "line 1", "unknown column 'half_term_begin'")
    assert "half_term_start" in error.reason


def test_a_row_longer_than_the_header(tmp_path):
    path = write_csv(tmp_path, "name,start,end", "Autumn 2025,2025-09-02,2025-12-18,2025-10-27")
    file_error(path, "line 2", "more cells than the header has columns (3)")


def test_a_header_without_start_and_end(tmp_path):
    path = write_csv(tmp_path, "term,from,to", "Autumn 2025,2025-09-02,2025-12-18")
    file_error(path, "line 1", "the header needs the columns start and end (missing: start, end)")


def test_a_header_and_no_rows(tmp_path):
    file_error(write_csv(tmp_path, "start,end"), "", "no terms found")


def test_a_gap_where_a_year_is_missing(tmp_path):
    path = write_csv(
        tmp_path,
        "name,start,end",
        "Autumn 2025,2025-09-02,2025-12-18",
        "Autumn 2026,2026-09-07,2026-12-18",
    )
    file_error(path, "term 'Autumn 2026'", "terms are missing in between")


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "council.csv"
    path.write_bytes("name,start,end\nCaf\u00e9,2025-09-02,2025-12-18\n".encode("cp1252"))
    file_error(path, "byte 18", "the file is not UTF-8 text")

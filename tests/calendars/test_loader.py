"""Calendar data files in the project's TOML format: loading, and every kind of invalid file
rejected with the file, the entry and the reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from send_clock.calendars import Term, bundled_ids, load_calendar
from send_clock.errors import CalendarFileError, UnknownCalendar
from tests.helpers import TERM_CALENDARS, d

AUTUMN = '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18 }'
SPRING = '{ name = "Spring 2026", start = 2026-01-05, end = 2026-04-01 }'


def write_toml(folder: Path, *terms: str, top: str = "", name: str = "council.toml") -> Path:
    lines = [
        'name = "Test council"',
        top,
        "[[years]]",
        'year = "2025-26"',
        'source = "tests"',
        'status = "official"',
        "terms = [",
        *(f"  {term}," for term in terms),
        "]",
    ]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_error(path: Path, where: str, reason: str) -> CalendarFileError:
    """Load ``path``, expecting a CalendarFileError naming the file, ``where`` and ``reason``."""
    with pytest.raises(CalendarFileError) as caught:
        load_calendar(path)
    error = caught.value
    assert error.path == str(path.resolve())
    assert where in error.where
    assert reason in error.reason
    assert str(error).startswith(f"{error.path}: ")
    assert error.where in str(error) and error.reason in str(error)
    return error


# -- the bundled calendars ------------------------------------------------------------------
def test_bundled_ids():
    assert bundled_ids() == [
        "argyll-and-bute",
        "brighton-and-hove",
        "bristol",
        "cardiff",
        "carmarthenshire",
        "edinburgh",
        "england-and-wales",
        "hertfordshire",
        "jersey",
        "northern-ireland",
        "northern-ireland-de",
        "scotland",
        "shetland",
        "surrey",
    ]


@pytest.mark.parametrize("calendar_id", TERM_CALENDARS)
def test_bundled_calendars_have_terms_sources_and_status(calendar_id):
    calendar = load_calendar(calendar_id)
    assert calendar.id == calendar_id
    assert calendar.terms and calendar.coverage == (calendar.terms[0].start, calendar.terms[-1].end)
    assert all(year.source and year.status for year in calendar.years)


def test_surrey_status_names_both_kinds_of_source(surrey):
    assert surrey.status == "official 2023-24 to 2024-25, school-sourced 2025-26 to 2026-27"


def test_jersey_2025_26_as_published(jersey):
    year = next(y for y in jersey.years if y.label == "2025-26")
    assert year.terms[0] == Term(
        "Autumn 2025",
        d("2025-09-02"),
        d("2025-12-18"),
        (d("2025-10-27"), d("2025-10-31")),
        inset=(d("2025-09-11"),),
    )
    assert [t.name for t in year.terms] == ["Autumn 2025", "Spring 2026", "Summer 2026"]


def test_a_calendar_object_loads_as_itself(jersey):
    assert load_calendar(jersey) is jersey


# -- a valid file ---------------------------------------------------------------------------
def test_a_valid_file_loads_with_every_field(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, '
        'half_term = [2025-10-27, 2025-10-31], inset = [2025-09-11], closures = ["12/12/2025"] }',
        SPRING,
        top='id = "my-council"\njurisdiction = "england"\nbank_holidays_add = [2025-11-05]',
    )
    calendar = load_calendar(path)
    assert (calendar.id, calendar.name, calendar.jurisdiction) == (
        "my-council",
        "Test council",
        "england-and-wales",
    )
    assert calendar.origin == str(path.resolve())
    assert calendar.terms == (
        Term(
            "Autumn 2025",
            d("2025-09-02"),
            d("2025-12-18"),
            (d("2025-10-27"), d("2025-10-31")),
            (d("2025-09-11"),),
            (d("2025-12-12"),),
        ),
        Term("Spring 2026", d("2026-01-05"), d("2026-04-01")),
    )
    assert calendar.status == "official"
    assert not calendar.is_working_day(d("2025-11-05"))  # the added bank holiday
    assert not calendar.is_school_day(d("2025-12-12"))  # the closure day


def test_the_id_defaults_to_the_file_name(tmp_path):
    assert load_calendar(write_toml(tmp_path, AUTUMN, name="st-marys.toml")).id == "st-marys"


def test_a_changed_file_is_read_again(tmp_path):
    path = write_toml(tmp_path, AUTUMN)
    assert len(load_calendar(path).terms) == 1
    write_toml(tmp_path, AUTUMN, SPRING)
    assert len(load_calendar(path).terms) == 2


def test_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(UnknownCalendar, match="nor a file that exists"):
        load_calendar(tmp_path / "missing.toml")


# -- invalid files --------------------------------------------------------------------------
def test_a_term_that_ends_before_it_starts(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = 2025-12-18, end = 2025-09-02 }')
    file_error(path, "term 'Autumn 2025'", "ends on 2025-09-02 before it starts on 2025-12-18")


def test_overlapping_terms(tmp_path):
    path = write_toml(
        tmp_path, AUTUMN, '{ name = "Spring 2026", start = 2025-12-15, end = 2026-04-01 }'
    )
    file_error(path, "term 'Spring 2026'", "overlaps term 'Autumn 2025'")


def test_terms_out_of_order(tmp_path):
    file_error(write_toml(tmp_path, SPRING, AUTUMN), "term 'Autumn 2025'", "in date order")


def test_a_half_term_outside_its_term(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, '
        "half_term = [2025-12-15, 2025-12-23] }",
    )
    file_error(path, "term 'Autumn 2025'", "half term 2025-12-15 to 2025-12-23 is outside the term")


def test_a_half_term_that_ends_before_it_starts(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, '
        "half_term = [2025-10-31, 2025-10-27] }",
    )
    file_error(path, "term 'Autumn 2025'", "half term ends on 2025-10-27 before it starts")


def test_a_half_term_needs_two_dates(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, half_term = [2025-10-27] }',
    )
    file_error(path, "year 2025-26, term 1 ('Autumn 2025')", "half_term must be [first day, last")


def test_an_inset_day_outside_its_term(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, inset = [2025-09-01] }',
    )
    file_error(path, "term 'Autumn 2025'", "INSET day 2025-09-01 is outside the term")


def test_a_closure_day_outside_its_term(tmp_path):
    path = write_toml(
        tmp_path,
        '{ name = "Autumn 2025", start = 2025-09-02, end = 2025-12-18, closures = [2026-01-02] }',
    )
    file_error(path, "term 'Autumn 2025'", "closure day 2026-01-02 is outside the term")


def test_an_impossible_date_written_as_text(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = "2025-02-30", end = 2025-12-18 }')
    file_error(path, "year 2025-26, term 1 ('Autumn 2025') start", "February 2025 has 28 days")


def test_an_unreadable_date(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = 2025-09-02, end = "18 Dec" }')
    file_error(path, "term 1 ('Autumn 2025') end", "is not a date in a form send-clock reads")


def test_an_impossible_toml_date_is_invalid_toml(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = 2025-02-30, end = 2025-12-18 }')
    error = file_error(path, "", "not valid TOML")
    assert "line 8" in error.reason


def test_a_missing_date(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = 2025-09-02 }')
    file_error(path, "term 1 ('Autumn 2025') end", "the date is missing")


@pytest.mark.parametrize(
    ("term", "top", "where", "key"),
    [
        (AUTUMN.replace("end", "ends"), "", "year 2025-26, term 1", "'ends'"),
        (AUTUMN.replace("name", "half_terms = [], name"), "", "term 1", "'half_terms'"),
        (AUTUMN, 'colour = "blue"', "top level", "'colour'"),
    ],
)
def test_an_unknown_key(tmp_path, term, top, where, key):
    error = file_error(write_toml(tmp_path, term, top=top), where, f"unknown key {key}")
    assert "the keys here are:" in error.reason


def test_an_unknown_key_in_a_year(tmp_path):
    path = write_toml(tmp_path, AUTUMN)
    path.write_text(path.read_text().replace('status = "official"', 'state = "official"'))
    file_error(path, "years[1]", "unknown key 'state'")


def test_a_gap_where_a_year_is_missing(tmp_path):
    path = write_toml(
        tmp_path, AUTUMN, '{ name = "Autumn 2026", start = 2026-09-07, end = 2026-12-18 }'
    )
    file_error(path, "term 'Autumn 2026'", "terms are missing in between")


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "council.toml"
    path.write_bytes('name = "Caf\u00e9 council"\n'.encode("latin-1"))
    file_error(path, "byte 11", "the file is not UTF-8 text")


def test_invalid_toml(tmp_path):
    path = tmp_path / "council.toml"
    path.write_text("[[years]]\nyear = \nterms = [\n", encoding="utf-8")
    file_error(path, "", "not valid TOML")


def test_a_year_without_terms(tmp_path):
    file_error(write_toml(tmp_path), "year 2025-26", "a year needs at least one term")


def test_a_term_without_a_name(tmp_path):
    path = write_toml(tmp_path, "{ start = 2025-09-02, end = 2025-12-18 }")
    file_error(path, "year 2025-26, term 1", "name is missing")


def test_an_unknown_jurisdiction(tmp_path):
    path = write_toml(tmp_path, AUTUMN, top='jurisdiction = "guernsey"')
    file_error(path, "jurisdiction", "'guernsey' is not a jurisdiction")


def test_a_bad_id(tmp_path):
    path = write_toml(tmp_path, AUTUMN, top='id = "My Council"')
    file_error(path, "id", "'My Council' is not a calendar id")


def test_a_file_of_another_kind(tmp_path):
    path = tmp_path / "council.txt"
    path.write_text("Autumn 2025: 2 Sep to 18 Dec\n", encoding="utf-8")
    file_error(path, "", "from .toml, .ics or .csv files")


def test_terms_must_be_tables(tmp_path):
    file_error(write_toml(tmp_path, '"Autumn 2025"'), "term 1", "each term must be a table")


def test_nothing_is_cached_from_a_rejected_file(tmp_path):
    path = write_toml(tmp_path, '{ name = "Autumn 2025", start = 2025-12-18, end = 2025-09-02 }')
    file_error(path, "term 'Autumn 2025'", "before it starts")
    write_toml(tmp_path, AUTUMN)
    assert load_calendar(path).terms[0].start == date(2025, 9, 2)

"""``send-clock calendars list / show / closures / export`` in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from freezegun import freeze_time

from send_clock.calendars import calendar_from_toml, load_calendar
from tests.cli.test_date_cmd import fails, run
from tests.helpers import d, make_ics

IDS = [
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


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# -- list -----------------------------------------------------------------------------------
def test_list_as_a_table():
    out = ok(run("calendars list"))
    for calendar_id in IDS:
        assert calendar_id in out
    assert "term dates from" in out


def test_list_as_json():
    rows = json.loads(ok(run("calendars list --format json")))
    assert [row["id"] for row in rows] == IDS
    jersey = rows[IDS.index("jersey")]
    assert (jersey["coverage_from"], jersey["coverage_to"]) == ("2025-01-06", "2027-03-25")
    assert jersey["status"] == "official"
    assert rows[IDS.index("england-and-wales")]["coverage_from"] is None


def test_list_as_csv():
    out = ok(run("calendars list --format csv"))
    assert out.splitlines()[0] == "id,name,jurisdiction,coverage_from,coverage_to,status,source"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == IDS
    assert rows[IDS.index("surrey")]["coverage_to"] == "2027-07-28"


# -- show -----------------------------------------------------------------------------------
def test_show_as_tables():
    out = ok(run("calendars show jersey"))
    expected = ["Terms", "Autumn 2025", "Mon 27 Oct 2025", "Thu 11 Sep 2025"]
    expected += ["Closures", "Sat 19 Jul 2025", "Bank holidays", "Fri 9 May 2025"]
    assert [text for text in expected if text not in out] == []


def test_show_as_json():
    data = json.loads(ok(run("calendars show hertfordshire --format json")))
    assert data["id"] == "hertfordshire"
    assert [year["year"] for year in data["years"]] == ["2024-25", "2025-26"]
    autumn = data["years"][1]["terms"][0]
    assert autumn["inset"] == ["2025-09-01", "2025-10-23", "2025-10-24", "2025-12-18", "2025-12-19"]
    assert {"window_start": "2025-07-17", "window_end": "2025-08-25"}.items() <= data[
        "closure_windows"
    ][0].items()


@freeze_time("2025-06-15")
def test_show_without_terms_lists_this_year_and_next():
    data = json.loads(ok(run("calendars show england-and-wales --format json")))
    assert data["bank_holidays"][0] == "2025-01-01"
    assert data["bank_holidays"][-1] == "2026-12-28"
    assert data["years"] == data["closures"] == data["closure_windows"] == []
    out = ok(run("calendars show england-and-wales"))
    assert "Mon 28 Dec 2026" in out and "Terms" not in out


def test_show_a_file_with_no_closures(tmp_path):
    # one four-week term: no closure of three days or more inside coverage
    path = tmp_path / "summer-school.toml"
    path.write_text(
        '[[years]]\nyear = "2025-26"\n'
        'terms = [{ name = "Summer school", start = 2026-07-06, end = 2026-07-31 }]\n'
    )
    out = ok(run("calendars show", str(path)))
    assert "Summer school" in out and "Closures" not in out


def test_show_checks_a_file(tmp_path):
    path = tmp_path / "council.toml"
    path.write_text(
        '[[years]]\nyear = "2025-26"\n'
        'terms = [{ name = "Autumn", start = 2025-12-18, end = 2025-09-02 }]\n'
    )
    fails(run("calendars show", str(path)), 1, str(path.resolve()), "term 'Autumn'", "ends on")


# -- closures -------------------------------------------------------------------------------
def test_closures_as_a_table():
    out = ok(run("calendars closures surrey"))
    assert "2024-07-17" in out and "2024-08-26" in out
    assert "Summer 2024" in out


def test_closures_as_json():
    rows = json.loads(ok(run("calendars closures surrey --format json")))
    assert rows[0] == {
        "after_term": "Summer 2024",
        "closure_start": "2024-07-24",
        "reopens": "2024-09-02",
        "closure_days": 40,
        "window_start": "2024-07-17",
        "window_end": "2024-08-26",
    }
    assert len(rows) == 3


def test_closures_as_csv():
    out = ok(run("calendars closures jersey --format csv"))
    lines = out.splitlines()
    assert lines[0] == "after_term,closure_start,reopens,closure_days,window_start,window_end"
    assert lines[1] == "Summer 2025,2025-07-19,2025-09-02,45,2025-07-12,2025-08-26"
    assert len(lines) == 3


def test_closures_with_a_shorter_minimum():
    rows = json.loads(ok(run("calendars closures jersey --min-days 14 --format json")))
    assert [row["after_term"] for row in rows] == [
        "Spring 2025",
        "Summer 2025",
        "Autumn 2025",
        "Spring 2026",
        "Summer 2026",
        "Autumn 2026",
    ]


def test_closures_need_term_dates():
    fails(run("calendars closures england-and-wales"), 1, "bank holidays only", "closures")


# -- export ---------------------------------------------------------------------------------
def test_export_as_toml_reads_back():
    copy = calendar_from_toml(ok(run("calendars export jersey")), "copy.toml")
    assert copy.years == load_calendar("jersey").years


def test_export_as_json():
    data = json.loads(ok(run("calendars export bristol --format json")))
    assert data["id"] == "bristol"
    assert len([t for y in data["years"] for t in y["terms"]]) == 12


def test_export_an_imported_ics_as_toml_to_a_file(tmp_path):
    source = tmp_path / "council.ics"
    source.write_bytes(
        make_ics(
            ("Autumn term", d("2025-09-02"), d("2025-12-18")),
            ("Half term", d("2025-10-27"), d("2025-10-31")),
        )
    )
    target = tmp_path / "council.toml"
    assert ok(run("calendars export", str(source), "--output", str(target))) == ""
    assert load_calendar(target).terms == load_calendar(source).terms


@pytest.mark.parametrize("calendar_id", ["jersey", "surrey", "hertfordshire", "bristol"])
def test_export_as_ics_imports_back_into_the_same_calendar(tmp_path, calendar_id):
    exported = tmp_path / f"{calendar_id}-export.ics"
    result = run("calendars export", calendar_id, "--format", "ics", "--output", str(exported))
    assert result.exit_code == 0, result.stderr
    assert exported.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    imported, original = load_calendar(exported), load_calendar(calendar_id)
    assert imported.terms == original.terms
    assert (imported.id, imported.name, imported.jurisdiction) == (
        original.id,
        original.name,
        original.jurisdiction,
    )
    assert imported.bank_holidays == original.bank_holidays


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["show", "closures", "export"])
def test_an_unknown_calendar(command):
    fails(run(f"calendars {command} guernsey"), 1, "no calendar 'guernsey'", "jersey")


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        ("calendars export jersey --format pdf", "Invalid value for '--format'"),
        ("calendars list --format ics", "Invalid value for '--format'"),
        ("calendars show", "Missing argument"),
        ("calendars closures jersey --min-days many", "Invalid value for '--min-days'"),
        ("calendars remove jersey", "No such command 'remove'"),
    ],
)
def test_bad_usage(command, fragment):
    fails(run(command), 2, fragment, "(try --help)")


@pytest.mark.parametrize("name", ["Line one\\nline two", "Tab\\there", "Return\\rhere"])
def test_a_name_that_is_not_one_line_is_refused_on_load(tmp_path, name):
    path = tmp_path / "broken.toml"
    path.write_text(f'name = "{name}"\njurisdiction = "england-and-wales"\n', encoding="utf-8")
    line = fails(run(f"calendars export {path} --format ics"), 1, "name:", "must be one line")
    assert str(path.name) in line


def test_export_of_a_calendar_with_no_terms_holds_a_note():
    raw = run("calendars export england-and-wales --format ics").stdout_bytes
    assert raw.count(b"BEGIN:VEVENT") == 1 and b"SUMMARY:No term dates: England and Wales" in raw


def test_list_names_each_calendars_source():
    rows = {row["id"]: row for row in json.loads(ok(run("calendars list --format json")))}
    assert rows["cardiff"]["source"].startswith("gov.wales/approved-school-term-dates-2025-2026")
    assert "argyll-bute.gov.uk" in rows["argyll-and-bute"]["source"]
    assert rows["scotland"]["source"] == ""  # bank holidays only: no term dates to source

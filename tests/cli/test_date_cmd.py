"""``send-clock date add`` and ``send-clock date between``, through click's CliRunner on the
app (whose ``main`` turns errors into one line on stderr and an exit code)."""

from __future__ import annotations

import csv
import io
import json
import shlex

import pytest
from click.testing import CliRunner

from cli.main import app
from tests.helpers import d, make_ics


def run(command: str, *more: str, stdin: str | None = None):
    """Run ``send-clock COMMAND MORE...``; ``command`` is split like a shell would."""
    return CliRunner().invoke(app, [*shlex.split(command), *more], input=stdin)


def fails(result, code: int, *fragments: str) -> str:
    """The command failed with ``code``, printing one line on stderr and nothing on stdout."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("send-clock: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


# -- date add -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["2025-10-15", "6", "term-weeks", "--calendar", "jersey"], "2025-12-03"),
        (["2025-12-01", "6", "term-weeks", "--calendar", "jersey"], "2026-01-27"),
        (["2025-06-30", "6", "term-weeks", "--calendar", "jersey"], "2025-09-23"),
        (["2025-09-15", "20", "weeks"], "2026-02-02"),
        (["2025-12-31", "2", "months"], "2026-02-28"),
        (["15/09/2025", "20", "week"], "2026-02-02"),
        (["2025-12-03", "-6", "term-weeks", "--calendar", "jersey"], "2025-10-15"),
        (["2025-04-22", "-1", "working-days"], "2025-04-17"),
    ],
)
def test_add_prints_the_date(args, expected):
    result = run("date add", *args)
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == (f"{expected}\n", "")


def test_add_as_json():
    result = run("date add 2025-10-15 6 term-weeks --calendar jersey --format json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "start": "2025-10-15",
        "amount": 6,
        "unit": "term-weeks",
        "calendar": "jersey",
        "result": "2025-12-03",
    }


def test_add_negative_as_json():
    result = run("date add 2025-12-03 -6 term-weeks --calendar jersey --format json")
    assert json.loads(result.stdout)["amount"] == -6
    assert json.loads(result.stdout)["result"] == "2025-10-15"


def test_add_with_a_calendar_file(tmp_path):
    path = tmp_path / "my-school.ics"
    path.write_bytes(make_ics(("Autumn term", d("2025-09-02"), d("2025-12-18"))))
    result = run("date add 2025-09-01 1 term-weeks --format json --calendar", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["calendar"] == "my-school"
    assert json.loads(result.stdout)["result"] == "2025-09-08"


def test_add_to_an_output_file(tmp_path):
    out = tmp_path / "out.txt"
    result = run("date add 2025-09-15 6 weeks --output", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert out.read_text() == "2025-10-27\n"


# -- date add --input -----------------------------------------------------------------------
def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_add_input_writes_every_row_and_fails_when_any_row_failed(tmp_path):
    school = tmp_path / "school.ics"
    school.write_bytes(make_ics(("Autumn term", d("2025-09-02"), d("2025-12-18"))))
    rows = [
        ("2025-10-15", "6", "term-weeks", "jersey", "2025-12-03", ""),
        ("2025-02-30", "6", "weeks", "", "", "not a real date"),
        ("2027-03-01", "6", "term-weeks", "jersey", "", "needs term dates after 25 Mar 2027"),
        ("2025-09-15", "20", "weeks", "", "2026-02-02", ""),
        ("2025-10-15", "6", "term-weeks", "", "", "'england-and-wales' has bank holidays only"),
        ("2025-10-15", "6", "fortnights", "jersey", "", "'fortnights' is not a unit"),
        ("2025-10-15", "six", "weeks", "", "", "'six' is not a whole number"),
        ("2025-10-15", "6", "term-weeks", "guernsey", "", "no calendar 'guernsey'"),
        ("2025-12-03", "-6", "term-weeks", "jersey", "2025-10-15", ""),
        ("2025-09-01", "1", "term-weeks", str(school), "2025-09-08", ""),
        ("9999-12-31", "1", "days", "", "", "outside the years 1 to 9999"),
    ]
    lines = ["start,amount,unit,calendar,case"]
    lines += [f"{s},{a},{u},{c},row {n}" for n, (s, a, u, c, *_) in enumerate(rows)]
    path = tmp_path / "dates.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run("date add --input", str(path))

    assert result.exit_code == 1
    assert result.stderr == "send-clock: 7 row(s) could not be computed; see their error column\n"
    out = _rows(result.stdout)
    assert list(out[0]) == ["start", "amount", "unit", "calendar", "case", "result", "error"]
    assert [row["case"] for row in out] == [f"row {n}" for n in range(len(rows))]
    for row, (start, amount, _unit, calendar, result_date, error) in zip(out, rows, strict=True):
        assert (row["start"], row["amount"], row["calendar"]) == (start, amount, calendar)
        assert row["result"] == result_date
        assert (error in row["error"]) if error else row["error"] == ""


def test_add_input_uses_the_calendar_option_for_rows_without_one(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("start,amount,unit\n2025-10-15,6,term-weeks\n2025-06-30,6,term-weeks\n")
    result = run("date add --calendar jersey --input", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert [row["result"] for row in _rows(result.stdout)] == ["2025-12-03", "2025-09-23"]
    assert [row["error"] for row in _rows(result.stdout)] == ["", ""]


def test_add_input_as_json_from_stdin():
    stdin = (
        "start,amount,unit,calendar\n"
        "2025-10-15,6,term-weeks,jersey\n"
        "2025-10-15,6,weeks,\n"
        "2027-03-01,6,term-weeks,jersey\n"
    )
    result = run("date add --input - --format json", stdin=stdin)
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(row["result"], row["error"] is None) for row in rows] == [
        ("2025-12-03", True),
        ("2025-11-26", True),
        (None, False),
    ]
    assert rows[1]["calendar"] is None


def test_add_input_needs_the_columns(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("start,amount\n2025-10-15,6\n")
    fails(run("date add --input", str(path)), 1, "has no unit column (found: start, amount;")


def test_add_input_with_no_rows(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("start,amount,unit\n")
    fails(run("date add --input", str(path)), 1, "a header but no rows")


def test_add_input_and_arguments_together(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("start,amount,unit\n2025-10-15,6,weeks\n")
    fails(run("date add 2025-10-15 --input", str(path)), 2, "not both")


# -- date between ---------------------------------------------------------------------------
def test_between_prints_the_count():
    result = run("date between 2025-10-15 2025-12-03 --unit term-weeks --calendar jersey")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "6\n", "")


def test_between_as_json():
    result = run("date between 2025-09-15 2026-02-02 --unit weeks --format json")
    assert json.loads(result.stdout) == {
        "start": "2025-09-15",
        "end": "2026-02-02",
        "unit": "weeks",
        "calendar": "england-and-wales",
        "count": 20,
    }


# -- errors: one line, no traceback ---------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        ("add 2025-02-30 6 weeks", ["'2025-02-30' is not a real date"]),
        ("add 2025-13-01 6 weeks", ["there is no month 13"]),
        ("add 2025-10-15 6 fortnights", ["'fortnights' is not a unit", "term-weeks"]),
        ("add 2025-10-15 6 weeks --calendar guernsey", ["no calendar"]),
        ("add 2025-10-15 6 term-weeks", ["bank holidays only"]),
        ("add 2027-03-01 6 term-weeks --calendar jersey", ["'jersey'", "25 Mar"]),
        ("add 2024-12-01 6 term-weeks --calendar jersey", ["before 6 Jan 2025"]),
        ("add 2025-10-15 6.5 weeks", ["'6.5' is not a whole number"]),
        ("add 9999-12-31 1 days", ["outside the years 1 to 9999"]),
        ("add 2025-01-01 99999999999999999999 days", ["too large an amount"]),
        ("between 2025-12-03 2025-10-15 --unit days", ["before the start date"]),
        ("between 2025-02-30 2025-10-15 --unit days", ["not a real date"]),
        ("between 2025-10-15 2025-12-03 --unit fortnights", ["not a unit"]),
        (
            "between 2027-01-04 2027-06-01 --unit term-weeks --calendar jersey",
            ["after 25 Mar 2027"],
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_1(args, fragments):
    fails(run(f"date {args}"), 1, "error: ", *fragments)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ("add", "give START AMOUNT UNIT"),
        ("add 2025-10-15 6", "give START AMOUNT UNIT"),
        ("add 2025-10-15 6 weeks --format csv", "--format csv goes with --input"),
        ("add 2025-10-15 6 weeks extra", "unexpected extra argument"),
        ("between 2025-10-15 2025-12-03", "Missing option '--unit'"),
        ("add 2025-10-15 6 weeks --format xml", "Invalid value for '--format'"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args, fragment):
    fails(run(f"date {args}"), 2, fragment, "(try --help)")


@pytest.mark.parametrize("unit", ["weeks", "term-weeks", "school-days", "working-days", "months"])
def test_one_date_imports_neither_numpy_nor_pyarrow(unit):
    """Start-up of ``date add`` for one date: the scalar arithmetic needs no numpy (whose import
    alone took a third of the command's time), so it is not imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from cli.main import main\n"
        f"sys.argv = ['send-clock', 'date', 'add', '2025-10-15', '6', '{unit}', "
        "'--calendar', 'jersey']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result, imported = done.stdout.splitlines()
    assert result.startswith("20")
    assert imported == "[]"

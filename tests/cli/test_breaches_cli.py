"""`send-clock breaches`: formats, the default as-of date, rejected rows and exit codes, errors.

The caseload is the hand-made one of tests/reports/handmade.py, whose figures are worked out
there: as of 1 Dec 2025, 8 cases, 4 final plans, 2 within 20 weeks (50.0%), 2 of 3 excluding
the exception case (66.7%), 6 of 7 decisions within 6 weeks (85.7%); row X (line 10) has no
month 13 and is rejected.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from cli.main import app
from tests.reports.handmade import CASELOAD, FIGURES

EXPORT = Path(__file__).resolve().parents[1] / "data" / "sen2-blade"
REJECTED_X = "send-clock: rejected: caseload.csv, line 10, case X: '2025-13-01' is not a real date"
#: england-and-wales has no term dates: the school-closure exception cannot be checked, and
#: every report says so rather than showing the cases as if it did not apply.
NOT_CHECKED = (
    "send-clock: warning: the school-closure exception (SEND Regulations 2014 reg 5(4)(a), "
    "10(4)(a)) was not checked: calendar 'england-and-wales' has no term dates; give a calendar "
    "with the schools' term dates (--calendar, or the service's default calendar)"
)


@pytest.fixture
def caseload(tmp_path) -> Path:
    path = tmp_path / "caseload.csv"
    path.write_text(CASELOAD)
    return path


def run(*args):
    return CliRunner().invoke(app, ["breaches", *map(str, args)])


def test_json_summary_and_cases(caseload):
    result = run(caseload, "--as-of", "2025-12-01", "--format", "json", "--allow-rejects")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {key: document["summary"][key] for key in FIGURES} == FIGURES
    assert document["summary"]["rows_rejected"] == 1
    assert [case["case_id"] for case in document["cases"]] == list("ABCDEFGH")
    assert result.stderr.splitlines()[0] == NOT_CHECKED
    assert result.stderr.splitlines()[1].startswith(REJECTED_X)
    assert document["summary"]["closure_checks_skipped"] == 8


def test_a_rejected_row_makes_the_exit_status_non_zero_but_the_report_is_written(caseload):
    result = run(caseload, "--as-of", "2025-12-01", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 8 * 8 and {row["case_id"] for row in rows} == set("ABCDEFGH")
    assert result.stderr.splitlines() == [
        NOT_CHECKED,
        REJECTED_X + ": there is no month 13",
        "send-clock: 1 row was rejected and left out of the report; correct them, or give "
        "--allow-rejects to accept the report as it is",
    ]


def test_table_shows_the_figures_and_worklists(caseload):
    result = run(caseload, "--as-of", "2025-12-01", "--allow-rejects")
    assert result.exit_code == 0
    text = result.stdout
    assert "Breach report as of Mon 1 Dec 2025: 8 cases from caseload.csv, 1 rows rejected" in text
    assert "2 of 4 (50.0%)" in text  # within 20 weeks
    assert "2 of 3 (66.7%)" in text  # excluding exception cases
    assert "6 of 7 (85.7%)" in text  # decisions within 6 weeks
    assert "Overdue, most overdue first (1)" in text
    assert re.search(r"\n\s+F\s+final_plan\s+Mon 29 Sep 2025\s+63\s+overdue", text)
    assert "Due in the next 14 days (2)" in text


@freeze_time("2025-12-01")
def test_as_of_defaults_to_today(caseload):
    result = run(caseload, "--format", "json", "--allow-rejects")
    assert json.loads(result.stdout)["as_of"] == "2025-12-01"
    assert json.loads(result.stdout)["summary"]["overdue"][0]["days"] == 63


def test_jsonl_to_a_file(caseload, tmp_path):
    out = tmp_path / "rows.jsonl"
    result = run(
        caseload, "--as-of", "2025-12-01", "--format", "jsonl", "-o", out, "--allow-rejects"
    )
    assert result.exit_code == 0 and result.stdout == ""
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    final_f = next(r for r in rows if r["case_id"] == "F" and r["id"] == "final_plan")
    assert (final_f["status"], final_f["days_late"], final_f["due"]) == (
        "overdue",
        63,
        "2025-09-29",
    )


def test_html_report(caseload, tmp_path):
    out = tmp_path / "report.html"
    result = run(caseload, "--as-of", "2025-12-01", "--format", "html", "--output", out)
    assert result.exit_code == 1  # the rejected row, still
    page = out.read_text()
    assert page.count("<svg") == 2 and "66.7%" in page and "Rows rejected (1)" in page


def test_unknown_columns_are_one_warning(tmp_path):
    path = tmp_path / "extra.csv"
    # officer is a known column (the service keeps it), so it is not one of them.
    path.write_text("case_id,received,officer,school,notes\nA,2025-09-15,Sam,Oak,first\n")
    result = run(path, "--as-of", "2025-12-01", "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == (
        "send-clock: warning: extra.csv: ignoring 2 columns send-clock does not use: "
        "school, notes\n"
        f"{NOT_CHECKED}\n"
    )


def test_sen2_export(tmp_path):
    result = run(
        "--sen2-blade", EXPORT, "--as-of", "2025-12-01", "--format", "json", "--allow-rejects"
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert (summary["cases"], summary["final_plans_within_20_weeks_pct"]) == (12, 66.7)
    assert summary["final_plans_within_20_weeks_excluding_exceptions_pct"] == 75.0
    assert (summary["rows_withdrawn"], summary["rows_historical"]) == (2, 2)
    assert NOT_CHECKED in result.stderr.splitlines()


def test_sen2_export_for_plans_issued_in_a_period(tmp_path):
    result = run(
        "--sen2-blade",
        EXPORT,
        "--as-of",
        "2025-12-01",
        "--issued-from",
        "2025-01-01",
        "--issued-to",
        "2025-06-30",
        "--allow-rejects",
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "Figures for plans issued (and decisions made) from 2025-01-01 to 2025-06-30; open "
        "cases and worklists as of the report date." in result.stdout
    )
    assert re.search(r"within 20 weeks +2 of 3 \(66\.7%\)", result.stdout)
    assert "received + 140 days (the DfE method)" in result.stdout


def test_a_period_that_ends_before_it_starts(tmp_path):
    result = run("--sen2-blade", EXPORT, "--issued-from", "2025-06-30", "--issued-to", "2025-01-01")
    assert result.exit_code == 2
    assert "--issued-to 2025-01-01 is before --issued-from 2025-06-30" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "send-clock: error: caseload.csv is empty: a caseload needs a header row"),
        (
            "case_id,decision\nA,agreed\n",
            "send-clock: error: caseload.csv has no received column (found: case_id, decision; "
            "expected: case_id, received; names are matched ignoring case and spaces)",
        ),
    ],
)
def test_an_unusable_file_is_one_error(tmp_path, content, message):
    path = tmp_path / "caseload.csv"
    path.write_text(content)
    result = run(path)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [message] or result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_a_folder_without_the_sen2_files(tmp_path):
    result = run("--sen2-blade", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"send-clock: error: {tmp_path} holds no complete SEN2")


def test_a_missing_file():
    result = run("no-such-caseload.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "send-clock: error: cannot read the caseload no-such-caseload.csv: "
        "No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a caseload FILE.csv or --sen2-blade DIR (one of them)"),
        (("x.csv", "--sen2-blade", "."), "give a caseload FILE.csv or --sen2-blade DIR"),
        (("x.csv", "--sen2-codes", "c.toml"), "--sen2-codes goes with --sen2-blade"),
        (("x.csv", "--format", "ical"), "Invalid value for '--format'"),
    ],
)
def test_usage_errors(args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_report_header_and_page_say_the_closure_checks_were_not_made(caseload, tmp_path):
    # the hand-made caseload is on england-and-wales: no term dates, so for all 8 cases the
    # school-closure exception could not be checked - the table's header and the page say so
    table = run(caseload, "--as-of", "2025-12-01", "--allow-rejects")
    assert "School-closure exception not checked for 8 cases: see the warning." in table.stdout
    page = tmp_path / "report.html"
    run(caseload, "--as-of", "2025-12-01", "--format", "html", "-o", page, "--allow-rejects")
    html = page.read_text()
    assert "School-closure exception not checked for 8 cases" in html
    assert NOT_CHECKED.removeprefix("send-clock: warning: ") in html.replace("&#39;", "'")
    on_surrey = tmp_path / "surrey.csv"
    on_surrey.write_text("case_id,received,calendar\nS-1,2025-06-30,surrey\n")
    quiet = run(on_surrey, "--as-of", "2026-01-10", "--format", "json")
    assert json.loads(quiet.stdout)["summary"]["closure_checks_skipped"] == 0
    assert quiet.stderr == ""


def test_an_officer_name_with_a_control_character_is_a_rejected_row(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(
        b'case_id,received,officer\nA,2025-09-15,Sam\nB,2025-09-15,"Sam\x1b[2J\tLee"\n'
    )
    for by in ([], ["--by", "case"]):
        result = run(path, "--as-of", "2025-12-01", "--format", "csv", *by)
        assert result.exit_code == 1  # the rejected row
        assert "\x1b" not in result.output and "\x1b" not in result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert {row["case_id"] for row in rows} == {"A"}
        assert "line 3" in result.stderr and "officer's name" in result.stderr


def test_the_output_can_be_the_caseload_itself(caseload):
    """The caseload is read whole before the output takes its place (it was emptied first)."""
    result = run(caseload, "--as-of", "2025-12-01", "--format", "csv", "--output", caseload)
    assert result.exit_code == 1  # row X is rejected
    rows = list(csv.DictReader(io.StringIO(caseload.read_text())))
    assert len({row["case_id"] for row in rows}) == 8 and rows[0]["id"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_failed_run_leaves_the_previous_output_as_it_was(tmp_path, fmt):
    """Nothing half written is left claiming to be the report: the output replaces the file
    only once whole."""
    bad = tmp_path / "bad.csv"
    bad.write_text("received\n2025-01-06\n")
    out = tmp_path / "report.out"
    out.write_text("last week's report\n")
    result = run(bad, "--as-of", "2025-12-01", "--format", fmt, "--output", out)
    assert result.exit_code == 1
    assert out.read_text() == "last week's report\n"
    assert {p.name for p in tmp_path.iterdir()} == {"bad.csv", "report.out"}  # no spare left


def test_the_output_through_a_symbolic_link_replaces_what_it_points_to(caseload, tmp_path):
    target, link = tmp_path / "report.jsonl", tmp_path / "latest.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link.symlink_to(target.name)
    run(caseload, "--as-of", "2025-12-01", "--format", "jsonl", "--output", link)
    assert link.is_symlink() and target.read_text().startswith("{")
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("character", ["\u202e", "\u2067", "\u200b", "\ufeff"])
def test_an_officer_name_turned_round_or_invisible_is_a_rejected_row(tmp_path, character):
    path = tmp_path / "caseload.csv"
    path.write_text(f"case_id,received,officer\nA,2025-09-15,Sam\nB,2025-09-15,Sam{character}Lee\n")
    result = run(path, "--as-of", "2025-12-01", "--format", "csv", "--by", "case")
    assert result.exit_code == 1 and character not in result.output
    assert "line 3" in result.stderr and "officer's name" in result.stderr


def test_a_run_terminated_while_writing_leaves_the_previous_output_and_no_spare(tmp_path):
    """SIGTERM while the report is written ends the run as Ctrl-C does: the output as it was,
    the spare file beside it removed."""
    import os
    import signal

    from cli.breaches_cmd import _opened

    def unhandled(number, _frame):  # (what the test process would otherwise do: die)
        raise AssertionError("SIGTERM was not handled while the report was written")

    out = tmp_path / "report.csv"
    out.write_text("last week's report\n")
    before = signal.signal(signal.SIGTERM, unhandled)
    try:
        with pytest.raises(SystemExit) as stopped, _opened(out) as stream:
            stream.write(b"case_id,process\n")
            os.kill(os.getpid(), signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) is unhandled  # as it was
    finally:
        signal.signal(signal.SIGTERM, before)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert out.read_text() == "last week's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_an_officer_name_like_a_formula_is_kept_and_written_neutralised(tmp_path):
    """A name starting with = + - @ is taken at every entry (send_clock/officers.py), here as
    in the service; the CSV written neutralises it."""
    path = tmp_path / "caseload.csv"
    path.write_text(
        'case_id,received,officer\nA,2025-09-15,"=SUM(A1)"\nB,2025-09-15,-\nC,2025-09-15,@team\n'
    )
    result = run(path, "--as-of", "2025-12-01", "--format", "csv", "--by", "case")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert {row["case_id"]: row["officer"] for row in rows} == {
        "A": "'=SUM(A1)",
        "B": "'-",
        "C": "'@team",
    }


def test_a_spare_left_by_a_killed_run_is_named_so_and_removed_by_the_next_run(caseload):
    """A run killed outright (SIGKILL) leaves its spare beside the output: its name says what
    it is, the help says so, and the next run to the same output removes it and nothing else
    (a spare another run holds, one changed just now, another output's, other names)."""
    import fcntl
    import os
    import time

    folder = caseload.parent
    out = folder / "report.csv"
    killed = subprocess.run(  # a run killed while it writes (the lock goes with the process)
        [sys.executable, "-c", KILLED_WHILE_WRITING, str(out)], cwd=ROOT, env=_env()
    )
    assert killed.returncode == -9
    left = [p for p in folder.iterdir() if p.name.startswith(".report.csv.")]
    assert len(left) == 1 and left[0].name.endswith(".send-clock-partial"), left
    hour_ago = time.time() - 3600
    os.utime(left[0], (hour_ago, hour_ago))
    kept = {
        ".report.csv.abcdefgh.send-clock-partial": hour_ago,  # held by a run still writing
        ".report.csv.ijklmnop.send-clock-partial": time.time(),  # changed just now
        ".other.csv.abcdefgh.send-clock-partial": hour_ago,  # another output's
        ".report.csv.abcdefgh": hour_ago,  # the naming before, or anyone's
        ".report.csv.abcdefghi.send-clock-partial": hour_ago,  # not as we name them
        "report.csv.abcdefgh.send-clock-partial": hour_ago,
    }
    for name, stamp in kept.items():
        (folder / name).write_text("someone's\n")
        os.utime(folder / name, (stamp, stamp))
    with open(folder / ".report.csv.abcdefgh.send-clock-partial") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run(caseload, "--as-of", "2025-12-01", "--format", "csv", "--output", out)
    assert result.exit_code == 1 and out.read_text().startswith("case_id,")  # (row X rejected)
    assert not left[0].exists()
    assert all((folder / name).read_text() == "someone's\n" for name in kept)
    assert ".FILE.xxxxxxxx.send-clock-partial" in "".join(run("--help").stdout.split())


#: Open the output as breaches does, write part of a report, then die by SIGKILL.
KILLED_WHILE_WRITING = """
import os, signal, sys
from pathlib import Path
from cli.breaches_cmd import _opened
with _opened(Path(sys.argv[1])) as stream:
    stream.write(b"case_id,half a report")
    stream.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}

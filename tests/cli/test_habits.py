"""Habits of a good command line, checked on real processes: start-up imports, ``| head``,
``-V``, and the one-line help of each lazily imported command."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.main import COMMANDS, app
from send_clock import __version__


def _modules_after(*args: str) -> set[str]:
    """The modules imported by running ``send-clock ARGS`` in a fresh interpreter."""
    script = (
        "import sys\n"
        "from cli.main import app\n"
        f"app.main({list(args)!r}, prog_name='send-clock', standalone_mode=False)\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(run.stderr.split())


HEAVY = {"icalendar", "rich", "send_clock.reports", "send_clock.store", "pyarrow", "jinja2"}


def test_help_imports_no_command():
    loaded = _modules_after("--help")
    assert not loaded & (HEAVY | {"numpy", "send_clock.calendars"})


def test_one_date_imports_only_the_calendar_engine():
    loaded = _modules_after("date", "add", "2025-09-15", "20", "weeks")
    assert "send_clock.calendars" in loaded
    assert not loaded & HEAVY


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_help_is_the_commands_own(name):
    # the summary --help lists without importing must not drift from the command's docstring
    command = app.get_command(None, name)
    summary = COMMANDS[name][2].rstrip(".")
    assert " ".join(command.help.split()).startswith(summary)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    result = CliRunner().invoke(app, [flag])
    assert result.exit_code == 0
    assert result.output == f"send-clock, version {__version__}\n"


def _caseload(path, cases: int):
    # on Surrey's term dates, so that no warning (the closure check) is due on stderr
    rows = "".join(f"C{n},2025-09-{1 + n % 28:02d},surrey\n" for n in range(cases))
    path.write_text("case_id,received,calendar\n" + rows)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["breaches", "CASELOAD", "--format", "csv", "--as-of", "2025-12-01"],
        ["breaches", "CASELOAD", "--format", "table", "--as-of", "2025-12-01"],
        ["calendars", "show", "england-and-wales"],
        ["date", "add", "--input", "CASELOAD_DATES"],
    ],
)
def test_a_reader_that_goes_away_is_not_an_error(tmp_path, args):
    # `send-clock ... | head`: the reader closes the pipe before the output is all written
    caseload = _caseload(tmp_path / "caseload.csv", 3000)
    dates = tmp_path / "dates.csv"
    dates.write_text("start,amount,unit\n" + "2025-09-15,20,weeks\n" * 50_000)
    args = [{"CASELOAD": str(caseload), "CASELOAD_DATES": str(dates)}.get(arg, arg) for arg in args]
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert stderr == b""


# -- CSV in: what Excel writes; CSV out: no formulas --------------------------------------------
def _date_add(tmp_path, content: bytes, *more: str):
    path = tmp_path / "dates.csv"
    path.write_bytes(content)
    return CliRunner().invoke(app, ["date", "add", "--input", str(path), *more])


@pytest.mark.parametrize(
    "content",
    [
        b"start,amount,unit\n2025-09-15,20,weeks\n",
        b"\xef\xbb\xbfstart,amount,unit\r\n2025-09-15,20,weeks\r\n",  # Excel's "CSV UTF-8"
        b"\xef\xbb\xbfStart;Amount;Unit\r\n2025-09-15;20;weeks\r\n",  # ... in a UK locale
        b"start\tamount\tunit\n2025-09-15\t20\tweeks\n",
    ],
)
def test_date_list_as_excel_saves_it(tmp_path, content):
    result = _date_add(tmp_path, content)
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.lower() == "start,amount,unit,result,error"
    assert row == "2025-09-15,20,weeks,2026-02-02,"


def test_header_names_in_any_case_and_spacing(tmp_path):
    result = _date_add(
        tmp_path, b" START , Amount,unit ,Calendar\n2025-10-15,6,term-weeks,jersey\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "2025-10-15,6,term-weeks,jersey,2025-12-03,"


def test_missing_columns_show_what_was_found_and_expected(tmp_path):
    result = _date_add(tmp_path, b"Begin;Amount;Unit\n2025-09-15;20;weeks\n")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "send-clock: error: dates.csv has no start column (found: Begin, Amount, Unit; "
        "expected: start, amount, unit; names are matched ignoring case and spaces); an "
        "optional calendar column overrides --calendar\n"
    )


def test_formula_cells_are_neutralised_and_numbers_kept(tmp_path):
    content = b'start,amount,unit,note\n2025-09-15,-3,weeks,=HYPERLINK("http://x")\n'
    content += (
        b"2025-09-15,20,weeks,-7\n2025-09-15,20,weeks,@SUM(A1)\n2025-09-15,1,weeks,+44 1534\n"
    )
    result = _date_add(tmp_path, content)
    assert result.stdout.splitlines()[1:] == [
        '2025-09-15,-3,weeks,"\'=HYPERLINK(""http://x"")",2025-08-25,',
        "2025-09-15,20,weeks,-7,2026-02-02,",  # a number stays a number
        "2025-09-15,20,weeks,'@SUM(A1),2026-02-02,",
        "2025-09-15,1,weeks,'+44 1534,2025-09-22,",
    ]
    raw = _date_add(tmp_path, content, "--raw-csv")
    assert (
        raw.stdout.splitlines()[1] == '2025-09-15,-3,weeks,"=HYPERLINK(""http://x"")",2025-08-25,'
    )


def test_breaches_csv_neutralises_case_ids(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text("case_id,received\n=cmd|' /C calc'!A0,2025-09-15\n-12,2025-09-15\n")
    args = ["breaches", str(path), "--format", "csv", "--as-of", "2025-12-01"]
    rows = CliRunner().invoke(app, args).stdout.splitlines()[1:]
    assert {row.split(",")[0] for row in rows} == {"'=cmd|' /C calc'!A0", "-12"}
    raw = CliRunner().invoke(app, [*args, "--raw-csv"]).stdout.splitlines()[1:]
    assert {row.split(",")[0] for row in raw} == {"=cmd|' /C calc'!A0", "-12"}


# -- tables -------------------------------------------------------------------------------------
def _worklist_run(tmp_path, *more, env=None):
    path = tmp_path / "caseload.csv"
    path.write_text(
        "Case ID,Received,Officer\nEHC-2025-000123-LONG-REFERENCE,2025-09-01,Sam\n"
        "EHC-2,2025-11-03,Ali\n"
    )
    args = ["breaches", str(path), "--as-of", "2025-12-01", "--by", "case", *more]
    return CliRunner(env=env).invoke(app, args)


def test_worklist_by_case(tmp_path):
    result = _worklist_run(tmp_path, "--status", "overdue,due_soon", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "case_id,officer,process,milestone,title,due,status,days_late",
        "EHC-2025-000123-LONG-REFERENCE,Sam,england-ehcna,decision_to_assess,"
        "Decision whether to assess,2025-10-13,overdue,49",
        "EHC-2,Ali,england-ehcna,decision_to_assess,Decision whether to assess,2025-12-15,"
        "due_soon,-14",
    ]


@pytest.mark.parametrize("width", ["60", "80", "100"])
def test_tables_never_cut_ids_and_wrap_titles(tmp_path, width):
    result = _worklist_run(tmp_path, env={"COLUMNS": width})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for whole in ("EHC-2025-000123-LONG-REFERENCE", "decision_to_assess", "2025-10-13"):
        assert whole in out
    assert "EHC-2025-000123-LONG-REFERENCE " in out  # not folded across lines either


def test_tables_to_a_pipe_have_no_padding(tmp_path):
    out = _worklist_run(tmp_path).stdout  # CliRunner's output is not a terminal
    assert out.strip() and all(line == line.rstrip() for line in out.splitlines())


def test_by_case_refuses_formats_it_cannot_write(tmp_path):
    result = _worklist_run(tmp_path, "--format", "html")
    assert result.exit_code == 2
    assert "--by case writes a table, csv, jsonl or json" in result.stderr


# -- progress -----------------------------------------------------------------------------------
def _on_a_terminal(args: list[str]) -> tuple[int, bytes]:
    """Run send-clock with standard error on a (pseudo-)terminal: exit code, what it drew."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        stderr=follower,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    code = process.wait(timeout=120)
    os.close(leader)
    return code, drawn


def test_progress_on_a_terminal_covers_the_whole_run(tmp_path):
    caseload = _caseload(tmp_path / "caseload.csv", 6000)
    args = ["breaches", str(caseload), "--format", "csv", "--as-of", "2025-12-01"]
    code, drawn = _on_a_terminal([*args, "--output", str(tmp_path / "out.csv")])
    assert code == 0
    for stage in (b"reading rows", b"projecting cases", b"writing cases"):
        assert stage in drawn


def test_date_lists_show_progress_on_a_terminal(tmp_path):
    dates = tmp_path / "dates.csv"
    dates.write_text("start,amount,unit\n" + "2025-09-15,20,weeks\n" * 50_000)
    code, drawn = _on_a_terminal(["date", "add", "--input", str(dates), "--output", os.devnull])
    assert code == 0 and b"rows" in drawn


def test_nothing_but_messages_on_a_pipe(tmp_path):
    caseload = _caseload(tmp_path / "caseload.csv", 6000)
    args = ["breaches", str(caseload), "--format", "csv", "--as-of", "2025-12-01"]
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", *args, "--output", str(tmp_path / "out.csv")],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert run.stderr == b""


# -- hostile input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"start,amount,unit\n2025-09-15,20," + b"x" * 3_000_000 + b"\n",
            "send-clock: error: dates.csv, line 2: field larger than field limit (131072); "
            "fix the row\n",
        ),
        (
            b"start,amount,unit\n\xe9,1,weeks\n",
            "send-clock: error: dates.csv is not UTF-8 text; save it as CSV UTF-8\n",
        ),
        (
            b"\xff\xfes\x00t\x00a\x00r\x00t\x00\n\x00",
            "send-clock: error: dates.csv is not UTF-8 text (it is UTF-16); save it as CSV UTF-8\n",
        ),
    ],
)
def test_hostile_date_lists_are_one_line_and_exit_1(tmp_path, content, message):
    result = _date_add(tmp_path, content)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def test_a_huge_case_id_is_refused_with_its_line(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(b"case_id,received\nA,2025-09-15\n" + b"B" * 3_000_000 + b",2025-09-15\n")
    result = CliRunner().invoke(app, ["breaches", str(path), "--format", "csv"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "send-clock: error: caseload.csv, line 3: field larger than field limit (131072); fix "
        "the row and run again\n"
    )


@pytest.mark.parametrize("command", [["processes", "list"], ["calendars", "list"]])
def test_listed_ids_stay_whole_on_a_narrow_terminal(command):
    from send_clock.calendars import bundled_ids
    from send_clock.timelines import bundled_processes

    out = CliRunner(env={"COLUMNS": "40"}).invoke(app, command).stdout
    ids = bundled_ids() if command[0] == "calendars" else [p.id for p in bundled_processes()]
    words = set(out.split())
    assert set(ids) <= words
    if command[0] == "processes":
        assert "england-and-wales" in words  # a default calendar, typed back as --calendar


@pytest.mark.parametrize("more", [[], ["--raw-csv"]])
def test_a_lone_carriage_return_is_quoted_in_every_csv_written(tmp_path, more):
    # Python 3.11's csv leaves a lone \r bare with \n line ends; a reader then splits the row
    dates = _date_add(tmp_path, b'start,amount,unit,note\n2025-09-15,20,weeks,"a\rb"\n', *more)
    rows = list(csv.reader(io.StringIO(dates.stdout, newline="")))
    assert rows[1] == ["2025-09-15", "20", "weeks", "a\rb", "2026-02-02", ""]
    path = tmp_path / "caseload.csv"
    path.write_bytes(b'case_id,received,officer\n"A\rB",2025-09-01,Sam\n')
    for by in ([], ["--by", "case"]):
        args = ["breaches", str(path), "--as-of", "2025-12-01", "--format", "csv", *by, *more]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
        assert {row[0] for row in rows[1:]} == {"A\rB"}

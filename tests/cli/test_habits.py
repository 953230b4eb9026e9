"""Habits of a good command line, checked on real processes: start-up imports, ``| head``,
``-V``, and the one-line help of each lazily imported command."""

from __future__ import annotations

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
    rows = "".join(f"C{n},2025-09-{1 + n % 28:02d}\n" for n in range(cases))
    path.write_text("case_id,received\n" + rows)
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

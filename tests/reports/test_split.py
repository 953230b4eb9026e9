"""Two processes write exactly what one writes: same bytes, same rejected rows and lines.

Forking is only safe from a program with one thread, and a test session may have others, so
each comparison runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import send_clock.reports.split as split

from .handmade import CASELOAD

ROOT = Path(__file__).resolve().parents[2]

COMPARE = textwrap.dedent(
    """
    import io, json, sys
    from datetime import date
    import send_clock.reports.split as split

    split.SPLIT_BYTES = 1  # split files of any size
    if len(sys.argv) > 3 and sys.argv[3] != "-":  # spooled (as for a pipe), partly in memory
        split.SPOOL_MEMORY_BYTES = int(sys.argv[3])
        split._placeable = lambda out: None
    before = sys.argv[4].encode() if len(sys.argv) > 4 else b""  # already in the output file
    finished = []
    in_two = split._in_two

    def spy(*args):
        written = in_two(*args)
        finished.append(written is not None)
        return written

    split._in_two = spy
    path, fmt = sys.argv[1], sys.argv[2]
    results = []
    for parallel in (True, False):
        out = open(path + ".out", "w+b")  # a real file: the second half is written in place
        out.write(before)
        try:
            written = split.write_rows(path, fmt, out, as_of=date(2025, 12, 1), parallel=parallel)
        except Exception as error:
            results.append({"error": f"{type(error).__name__}: {error}"})
            continue
        end = out.tell()
        out.seek(0)
        results.append(
            {
                "output": out.read().decode(),
                "end": end,
                "cases": written.cases,
                "rejected": [[r.line, r.case_id, r.reason] for r in written.rejected],
                "warnings": written.warnings,
            }
        )
    print(json.dumps({"finished_in_two": finished, "results": results}))
    """
)


def compare(path: Path, fmt: str, *spool: str) -> tuple[list[bool], dict, dict]:
    done = subprocess.run(
        [sys.executable, "-c", COMPARE, str(path), fmt, *spool],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = json.loads(done.stdout)
    in_two, in_one = found["results"]
    return found["finished_in_two"], in_two, in_one


def caseload_text(copies: int, extra: str = "") -> str:
    """The hand-made caseload, ``copies`` times over with fresh case ids, and a quoted value
    holding a line break in the middle (where the file is cut, a quote must be closed)."""
    header, *rows = CASELOAD.splitlines()
    lines = [header + ",notes"]
    for copy in range(copies):
        for row in rows:
            case_id, rest = row.split(",", 1)
            note = '"line one\nline two"' if copy == copies // 2 else ""
            lines.append(f"{case_id}{copy},{rest},{note}")
    return "\n".join(lines) + "\n" + extra


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_same_bytes_and_the_same_rejects(tmp_path, fmt):
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    finished, in_two, in_one = compare(path, fmt)
    assert finished == [True]  # done by two processes
    assert in_two == in_one
    assert in_two["cases"] == 40 * 8
    # one bad row per copy (X, "2025-13-01"), the later ones from the second process
    assert len(in_two["rejected"]) == 40 and in_two["rejected"][-1][1] == "X39"
    assert in_two["warnings"][0] == "caseload.csv: ignoring 1 column send-clock does not use: notes"
    # one warning that the closure exception was not checked, though each process found it
    assert len(in_two["warnings"]) == 2 and "was not checked" in in_two["warnings"][1]


@pytest.mark.parametrize("memory", ["0", "1000", str(10**9)])
def test_the_second_half_in_memory_on_disk_or_both(tmp_path, memory):
    """Where the output is no file (a pipe), the second half waits in a spool."""
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    finished, in_two, in_one = compare(path, "csv", memory)
    assert finished == [True]
    assert in_two == in_one and in_two["cases"] == 40 * 8


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_second_half_in_its_place_after_what_the_file_held(tmp_path, fmt):
    """Written into a file that already holds something (a shell's ``{ echo; send-clock; }``),
    the second process's rows go where the first's end, and the file is left at the end."""
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    finished, in_two, in_one = compare(path, fmt, "-", "before\n")
    assert finished == [True]
    assert in_two == in_one and in_two["output"].startswith("before\n")
    assert in_two["end"] == len(in_two["output"].encode())


NULL_DEVICE = textwrap.dedent(
    """
    import os, sys
    from datetime import date
    import send_clock.reports.split as split

    split.SPLIT_BYTES = 1
    with open(os.devnull, "wb") as out:
        written = split.write_rows(sys.argv[1], "csv", out, as_of=date(2025, 12, 1))
        print(written.cases, split._placeable(out) is not None)
    """
)


def test_rows_thrown_away_on_the_null_device(tmp_path):
    """The null device takes the second half's rows in place, though it is never anywhere."""
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    done = subprocess.run(
        [sys.executable, "-c", NULL_DEVICE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.split() == [str(40 * 8), "True"]


def test_the_cut_falls_between_rows(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    offset, line = split._split_point(path)
    data = path.read_bytes()
    assert data[offset - 1 : offset] == b"\n" and data[:offset].count(b'"') % 2 == 0
    assert data[:offset].count(b"\n") + 1 == line


def test_a_case_id_in_both_halves_is_reported_as_one_process_would(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40, extra="A0,2025-09-15,,,,,,,,,,,\n"))
    finished, in_two, in_one = compare(path, "csv")
    assert finished == [False]  # two processes gave the work back to one
    assert in_two == in_one
    assert in_two["rejected"][-1][2].startswith("case_id A0 appears again (first on line 2)")


def test_an_unreadable_second_half_is_one_error(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(caseload_text(40).encode() + b"Z,\xff\xfe,,,,,,,,,,,\n")
    _, in_two, in_one = compare(path, "csv")
    assert in_two["error"].startswith("InputError: caseload.csv is not UTF-8 text")
    assert in_one["error"].startswith("InputError: caseload.csv is not UTF-8 text")


def test_one_process_when_the_program_has_threads(tmp_path, monkeypatch):
    monkeypatch.setattr(split, "SPLIT_BYTES", 1)
    monkeypatch.setattr(split.threading, "active_count", lambda: 2)
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(2))
    assert not split._can_split(path)


def test_formula_case_ids_neutralised_in_both_halves(tmp_path):
    """Case ids a spreadsheet would run as formulas are neutralised in the second process's
    rows too (its ``raw`` flag was once shadowed by the file it read, and so always true)."""
    path = tmp_path / "caseload.csv"
    path.write_text(re.sub(r"\n([A-Z])", r"\n=\1", caseload_text(40)))
    finished, in_two, in_one = compare(path, "csv")
    assert finished == [True]
    assert in_two == in_one
    rows = in_two["output"].splitlines()[1:]
    assert len(rows) > 40 * 8
    assert not [row for row in rows if row.startswith("=")]


KILLED_FIRST = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys
    from datetime import date
    import send_clock.reports.split as split

    split.SPLIT_BYTES = 1

    def killed(*args, **kwargs):  # the first process dies while the second works
        print(multiprocessing.active_children()[0].pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    split.read_caseload = killed
    split.write_rows(sys.argv[1], "csv", open(sys.argv[1] + ".out", "wb"), as_of=date(2025, 12, 1))
    """
)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_the_second_process_ends_when_the_first_is_killed(tmp_path):
    """Killed (SIGKILL, out of memory), the first process leaves no second one behind: it held
    the other ends of its pipes, and waited for ever for a place to write to."""
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_text(40))
    said = tmp_path / "said.txt"  # (a file, not a pipe the second process would hold open)
    with said.open("w") as stdout:
        subprocess.run(
            [sys.executable, "-c", KILLED_FIRST, str(path)],
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
    helper = int(said.read_text())
    for _ in range(200):
        if not _running(helper):
            break
        time.sleep(0.1)
    else:
        os.kill(helper, signal.SIGKILL)
        pytest.fail("the second process outlived the first")


POOL = "from send_clock.reports.split import use_jemalloc_for_arrow\n" + (
    "use_jemalloc_for_arrow(); import pyarrow; print(pyarrow.default_memory_pool().backend_name)"
)


def test_the_command_gives_pyarrow_jemalloc_unless_told_otherwise():
    """(mimalloc, pyarrow's default, took fresh pages for each block read and chunk written)"""
    try:
        pytest.importorskip("pyarrow").jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow was built without jemalloc")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}

    def pool(**chosen) -> str:
        done = subprocess.run(
            [sys.executable, "-c", POOL],
            env={**env, **chosen},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert pool() == "jemalloc"
    assert pool(ARROW_DEFAULT_MEMORY_POOL="system") == "system"

"""Benchmark: the command line against Python's ``csv`` module and a bare interpreter, in one run.

Prints three ratios, each against a baseline measured in the same run:

1. start-up: ``send-clock --help`` and ``send-clock date add 2025-09-15 20 weeks``, timed as whole
   processes by ``hyperfine`` (Debian package ``hyperfine``), against starting Python and
   importing click and dateutil (what any click command with dates pays); goal: 0.25 s wall;
2. ``send-clock date add --input`` on ROWS rows of term-week additions (200,000 by default)
   against reading and writing the same file with ``csv``; goal: at most 3x;
3. ``send-clock breaches FILE --format csv`` on CASES cases (1,000,000 by default, the caseload of
   ``benchmarks/breaches.py``) against reading the file with ``csv``; goal: at most 5x;

with the peak memory (maximum resident set size) of each command's largest process.

    .venv/bin/python benchmarks/cli.py [--rows N] [--cases N] [--runs N] [--only PART]

``--only breaches --cases 200000`` runs the third part alone on a smaller caseload (what to run
while working on the report; the README quotes full runs).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from breaches import synthetic_caseload  # noqa: E402 - the sibling benchmark's caseload

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["start-up", "date-add", "breaches"]
COMMAND = [sys.executable, "-m", "cli.main"]


def startup(runs: int) -> list[tuple[str, float, float, float]]:
    """(label, mean wall seconds, its ratio to bare Python with click and dateutil, mean CPU
    seconds: user + system, which other programs on a busy machine do not inflate), from
    hyperfine."""
    if shutil.which("hyperfine") is None:
        sys.exit("benchmarks/cli.py needs hyperfine: apt-get install hyperfine")
    python = sys.executable
    commands = {
        "python -c 'import click, dateutil.relativedelta'": (
            f"{python} -c 'import click, dateutil.relativedelta'"
        ),
        "send-clock --help": f"{python} -m cli.main --help",
        "send-clock date add 2025-09-15 20 weeks": (
            f"{python} -m cli.main date add 2025-09-15 20 weeks"
        ),
    }
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [
                "hyperfine",
                "--warmup",
                "2",
                "--runs",
                str(runs),
                "--style",
                "none",
                "--export-json",
                export.name,
                *commands.values(),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        results = json.loads(Path(export.name).read_text())["results"]
    means = [result["mean"] for result in results]
    cpu = [result["user"] + result["system"] for result in results]
    return [
        (label, mean, mean / means[0], used)
        for label, mean, used in zip(commands, means, cpu, strict=True)
    ]


def term_week_rows(path: Path, rows: int, seed: int) -> None:
    """``start,amount,unit,calendar`` rows: term-week additions on the Jersey calendar."""
    rng = np.random.default_rng(seed)
    starts = np.datetime64("2025-09-01") + rng.integers(0, 300, rows).astype("timedelta64[D]")
    amounts = rng.integers(1, 20, rows)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["start", "amount", "unit", "calendar"])
        writer.writerows(
            zip(
                starts.astype(str).tolist(),
                amounts.tolist(),
                ["term-weeks"] * rows,
                ["jersey"] * rows,
                strict=True,
            )
        )


def csv_read_write(path: Path) -> tuple[float, float]:
    """Read every row with ``csv`` and write it back (to the null device) with ``csv``: wall
    and CPU seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    with path.open(newline="") as source, open(os.devnull, "w", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        for row in csv.reader(source):
            writer.writerow(row)
    return time.perf_counter() - started, time.process_time() - cpu


def csv_read(path: Path) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    with path.open(newline="") as stream:
        for _row in csv.reader(stream):
            pass
    return time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(args: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """Wall and CPU seconds of ``send-clock ARGS`` as a process (CPU: of all its processes),
    and its peak RSS in KiB (0 if not above an earlier command's peak, which ``ru_maxrss`` of
    children cannot tell apart)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [*COMMAND, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"send-clock {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, _children_cpu() - cpu_before, peak if peak > before else 0


def _memory(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB" if kib else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10, help="hyperfine runs per command")
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run this part only (repeat for several; default: all three)",
    )
    options = parser.parse_args()
    parts = options.only or PARTS
    if "start-up" in parts:
        _startup(options)
    with tempfile.TemporaryDirectory() as folder:
        if "date-add" in parts:
            _date_add(options, Path(folder))
        if "breaches" in parts:
            _breaches(options, Path(folder))
    print(f"   load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _startup(options) -> None:
    print(f"1. start-up (hyperfine, mean of {options.runs} runs: wall time, ratio, CPU time)")
    for label, seconds, ratio, cpu in startup(options.runs):
        goal = "" if label.startswith("python") else f"  goal 0.25 s: {_met(seconds <= 0.25)}"
        print(f"   {label:<44} {seconds:6.3f} s  {ratio:4.1f}x  cpu {cpu:5.3f} s{goal}")
    print(f"   load average while measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _date_add(options, folder: Path) -> None:
    dates = folder / "dates.csv"
    term_week_rows(dates, options.rows, options.seed)
    baseline, baseline_cpu = csv_read_write(dates)
    args = ["date", "add", "--input", str(dates), "--output", os.devnull]
    seconds, cpu, peak = timed(args)
    print(f"2. date add --input, {options.rows:,} term-week rows (wall, ratio; CPU, ratio)")
    _row("csv.reader + csv.writer", baseline, baseline_cpu)
    _row("send-clock date add --input", seconds, cpu, baseline, baseline_cpu, 3, peak)


def _breaches(options, folder: Path) -> None:
    caseload = folder / "caseload.csv"
    synthetic_caseload(caseload, options.cases, options.seed)
    baseline, baseline_cpu = csv_read(caseload)
    args = ["breaches", str(caseload), "--format", "csv", "--output", os.devnull]
    args += ["--as-of", "2025-12-01", "--allow-rejects"]
    two = timed(args)
    one = timed(args, {"SEND_CLOCK_ONE_PROCESS": "1"})
    print(f"3. breaches --format csv, {options.cases:,} cases (wall, ratio; CPU, ratio)")
    _row("csv.reader", baseline, baseline_cpu)
    _row("send-clock breaches (two processes)", *two[:2], baseline, baseline_cpu, 5, two[2])
    _row("send-clock breaches (one process)", *one[:2], baseline, baseline_cpu, 5, one[2])


def _row(label, wall, cpu, base_wall=None, base_cpu=None, goal=None, peak=0) -> None:
    line = f"   {label:<38} {wall:6.2f} s"
    if base_wall is None:
        print(f"{line}         {cpu:6.2f} s")
        return
    print(
        f"{line} {wall / base_wall:4.1f}x  {cpu:6.2f} s {cpu / base_cpu:4.1f}x  goal {goal}x: "
        f"{_met(wall / base_wall <= goal)} (wall), {_met(cpu / base_cpu <= goal)} (CPU); "
        f"peak memory {_memory(peak)}"
    )


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()

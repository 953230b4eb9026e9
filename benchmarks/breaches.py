"""Benchmark: ``send-clock breaches FILE --format csv`` against merely reading FILE with ``csv``.

Generates a seeded synthetic caseload (1,000,000 cases of ``england-ehcna`` by default) in a
temporary folder, then in the same run times

(a) iterating the file's rows with the standard ``csv`` module, in this process;
(b) ``send-clock breaches FILE --format csv --output /dev/null`` run as a subprocess
    (``python -m cli.main``, so interpreter start-up and imports are included): as shipped (a
    file this big is read, projected and written by two processes at once), and again in one
    process (``SEND_CLOCK_ONE_PROCESS=1``),

and prints the times, the ratio (target: under 10) and peak memory (maximum resident set size;
``ru_maxrss`` of children is that of the largest single process, so the two-process run, whose
processes are smaller, is measured first, and its figure is per process). The caseload mixes
every stage: undecided requests, refusals, assessments with and without advice, draft and
final plans, no-plan notices, recorded exceptions, a few dates in DD/MM/YYYY and a few
unreadable rows (hence ``--allow-rejects``).

    .venv/bin/python benchmarks/breaches.py [--cases N] [--seed S] [--keep PATH]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AS_OF = np.datetime64("2025-12-01")
COLUMNS = (
    "case_id",
    "received",
    "decision",
    "outcome",
    "decision_to_assess",
    "advice_requested",
    "advice_due",
    "no_plan_notice",
    "draft_plan",
    "final_plan",
    "exceptions",
)
NAT = np.datetime64("NaT", "D")


def synthetic_caseload(path: Path, cases: int, seed: int) -> None:
    """Write ``cases`` rows of a plausible caseload to ``path``."""
    rng = np.random.default_rng(seed)

    def days(low: int, high: int) -> np.ndarray:
        return rng.integers(low, high, cases).astype("timedelta64[D]")

    def sometimes(share: float) -> np.ndarray:
        return rng.random(cases) < share

    received = np.datetime64("2023-01-02") + days(0, 1060)
    decided = np.where(sometimes(0.06), NAT, received + days(20, 60))
    refused = sometimes(0.22) & ~np.isnat(decided)
    assessed = ~np.isnat(decided) & ~refused
    advice_requested = np.where(assessed, decided + days(0, 5), NAT)
    advice_due = np.where(assessed & ~sometimes(0.25), advice_requested + days(30, 55), NAT)
    no_plan = assessed & sometimes(0.12)
    no_plan_notice = np.where(no_plan & ~sometimes(0.2), received + days(90, 140), NAT)
    draft = np.where(assessed & ~no_plan & ~sometimes(0.3), received + days(85, 150), NAT)
    final = np.where(~np.isnat(draft) & ~sometimes(0.15), draft + days(16, 70), NAT)
    dates = {
        "received": received,
        "decision_to_assess": decided,
        "advice_requested": advice_requested,
        "advice_due": advice_due,
        "no_plan_notice": no_plan_notice,
        "draft_plan": draft,
        "final_plan": final,
    }
    text = {name: _as_text(np.where(d > AS_OF, NAT, d)) for name, d in dates.items()}
    british = np.flatnonzero(sometimes(0.002) & ~np.isnat(final) & (final <= AS_OF))
    for position in british.tolist():  # a few dates as DD/MM/YYYY
        year, month, day = text["final_plan"][position].split("-")
        text["final_plan"][position] = f"{day}/{month}/{year}"
    for position in rng.choice(cases, size=min(cases, 5), replace=False).tolist():
        text["draft_plan"][position] = "31/02/2025"  # unreadable: rejected
    text["decision"] = np.where(refused, "refused", np.where(assessed, "agreed", "")).tolist()
    text["outcome"] = np.where(no_plan, "no_plan", np.where(~np.isnat(final), "plan", "")).tolist()
    text["exceptions"] = np.where(
        sometimes(0.01) & ~np.isnat(final), "exceptional_personal_circumstances@final_plan", ""
    ).tolist()
    text["case_id"] = [f"EHC{number:07d}" for number in range(cases)]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(zip(*(text[column] for column in COLUMNS), strict=True))


def _as_text(days: np.ndarray) -> list[str]:
    return np.where(np.isnat(days), "", days.astype(str)).tolist()


def time_csv_read(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="") as stream:
        for _row in csv.reader(stream):
            pass
    return time.perf_counter() - started


def time_report(path: Path, one_process: bool = False) -> tuple[float, int, str]:
    """Seconds, the largest peak RSS of the command's processes in KiB, and its stderr tail."""
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "breaches",
        str(path),
        "--format",
        "csv",
        "--output",
        "/dev/null",
        "--as-of",
        str(AS_OF),
        "--allow-rejects",
    ]
    env = {**os.environ, "SEND_CLOCK_ONE_PROCESS": "1" if one_process else "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"send-clock breaches failed ({done.returncode}):\n{done.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib <= before:
        peak_kib = 0  # not above an earlier run's peak: unknown
    return elapsed, peak_kib, done.stderr.strip().splitlines()[-1] if done.stderr else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--keep", type=Path, help="write the caseload here and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "caseload.csv"
        started = time.perf_counter()
        synthetic_caseload(path, options.cases, options.seed)
        print(
            f"caseload: {options.cases:,} cases, {path.stat().st_size / 1e6:.1f} MB "
            f"(generated in {time.perf_counter() - started:.1f} s, seed {options.seed})"
        )
        read = time_csv_read(path)
        report, peak_kib, last_line = time_report(path)
        one, one_peak, _ = time_report(path, one_process=True)
    ratio = report / read
    rows = [
        ("(a) csv.reader, rows only", read, ""),
        ("(b) send-clock breaches --format csv", report, f"{ratio:.1f}x"),
        ("    the same in one process", one, f"{one / read:.1f}x"),
    ]
    for label, seconds, times in rows:
        print(f"{label:<40} {seconds:6.2f} s  {times}")
    print(f"ratio (b)/(a): {ratio:.1f}x (target < 10x: {'met' if ratio < 10 else 'NOT met'})")
    one_text = f"{one_peak / 1024:.0f} MiB" if one_peak else "not above the other"
    print(
        f"peak memory (max resident set size): (b) {peak_kib / 1024:.0f} MiB in the larger of "
        f"its two processes; in one process {one_text}"
    )
    if last_line:
        print(f"last line on stderr: {last_line}")


if __name__ == "__main__":
    main()

"""Batch outputs are unchanged byte for byte by the columnar reading: ``tests/data/golden``
holds a caseload and a list of dates with every kind of row (DD/MM/YYYY dates, impossible ones,
a blank row, a row of separators, a quoted line break, a row too wide and one too short, a
repeated case id, unknown units and calendars) and what send-clock printed for them before
(``expected.json``: exit code, SHA-256 of standard output, standard error)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())


def _run(args: list[str], folder: Path = GOLDEN) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=folder,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def _same(run: subprocess.CompletedProcess, expected: dict) -> None:
    assert run.stderr.decode().splitlines() == expected["stderr"]
    assert run.returncode == expected["exit_code"]
    assert len(run.stdout) == expected["stdout_bytes"]
    assert hashlib.sha256(run.stdout).hexdigest() == expected["stdout_sha256"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_output_unchanged(name):
    _same(_run(EXPECTED[name]["args"]), EXPECTED[name])


def _as_excel_saves_it(source: Path, target: Path, separator: str) -> None:
    """The file as Excel in a UK locale saves "CSV UTF-8": a byte-order mark, ``;`` between
    values, CRLF line ends, and header names as people write them ("Case ID")."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(source.read_text(), newline="")))
    rows[0] = [name.replace("_", " ").title() for name in rows[0]]
    text = io.StringIO()
    csv.writer(text, delimiter=separator, lineterminator="\r\n").writerows(rows)
    target.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode())


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize("name", ["columnar-breaches-csv", "breaches-csv"])
def test_excel_forms_read_the_same(tmp_path, separator, name):
    expected = EXPECTED[name]
    file_name = expected["args"][1]
    _as_excel_saves_it(GOLDEN / file_name, tmp_path / file_name, separator)
    _same(_run(expected["args"], tmp_path), expected)

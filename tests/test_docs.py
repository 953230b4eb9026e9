"""Every ```console example in the README and docs/ runs and prints what the page says.

A block is a series of ``$ command`` lines, each followed by the output it prints (stdout and
stderr together). In an expected line, ``...`` stands for any text (a time stamp, say). Each
page's blocks run in order in one scratch folder that holds links to ``examples/`` and
``tests/data/``, with the installed ``send-clock`` first on the PATH and ``COLUMNS=100``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def examples(page: Path) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) in the order the page shows them."""
    found = []
    for block in BLOCK.findall(page.read_text(encoding="utf-8")):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            found.append((command, output))
    return found


def _trimmed(lines: list[str]) -> list[str]:
    """Lines without trailing spaces, and without blank lines at the end (a table's padding)."""
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.rstrip().split("..."))
    return re.fullmatch(pattern, actual.rstrip()) is not None


@pytest.mark.parametrize(
    "page", [p for p in PAGES if examples(p)], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_examples_print_what_the_page_says(page, tmp_path):
    for name in ("examples", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {
        **os.environ,
        "COLUMNS": "100",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "NO_COLOR": "1",
    }
    env.pop("SEND_CLOCK_ICAL_DOMAIN", None)
    for command, expected in examples(page):
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=120,
        )
        actual = _trimmed(result.stdout.replace("\r\n", "\n").split("\n"))
        expected = _trimmed(expected)
        assert len(actual) == len(expected) and all(
            matches(e, a) for e, a in zip(expected, actual, strict=True)
        ), (
            f"$ {command}\n--- the page says ---\n"
            + "\n".join(expected)
            + "\n--- it printed ---\n"
            + "\n".join(actual)
        )

"""Schedules shared by the panel tests, written as the TOML a council would keep."""

from __future__ import annotations

import textwrap
from pathlib import Path

from send_clock.panels import load_schedule

#: Every Wednesday in term time; papers 4 working days before (the Thursday of the week before).
WEEKLY_WEDNESDAY = """
    id = "wednesday-panel"
    title = "Decision panel"
    serves = "decision_to_assess"
    cutoff = { amount = 4, unit = "working-days" }
    [[recurrence]]
    rule = "FREQ=WEEKLY;BYDAY=WE"
    start = 2025-09-03
"""


def write_schedule(folder: Path, text: str, name: str = "panel.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def schedule(folder: Path, text: str = WEEKLY_WEDNESDAY, extra: str = ""):
    """A schedule loaded from a file, with ``extra`` top-level lines added before the tables."""
    body = textwrap.dedent(text)
    head, sep, tail = body.partition("[[recurrence]]")
    return load_schedule(write_schedule(folder, head + textwrap.dedent(extra) + sep + tail))

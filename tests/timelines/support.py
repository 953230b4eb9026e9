"""Shared helpers for the timeline tests: one case projected in one call."""

from __future__ import annotations

import textwrap

from send_clock.calendars import load_calendar
from send_clock.timelines import Case, Schedule, load_process, parse_exceptions, project
from tests.helpers import d


def timeline(
    process: str = "england-ehcna",
    received: str = "2025-09-15",
    *,
    calendar: str | None = None,
    as_of: str | None = None,
    events: dict[str, str] | None = None,
    outcomes: dict[str, str] | None = None,
    exceptions: tuple[str, ...] = (),
    params: dict[str, int] | None = None,
) -> Schedule:
    """Project one case; ``as_of`` defaults to the received date. Dates are ISO text."""
    found = load_process(process)
    case = Case(
        received=d(received),
        events={key: d(value) for key, value in (events or {}).items()},
        outcomes=dict(outcomes or {}),
        exceptions=parse_exceptions(list(exceptions), found),
        params=dict(params or {}),
    )
    cal = load_calendar(calendar or found.default_calendar)
    return project(found, cal, case, as_of=d(as_of or received))


def column(schedule: Schedule, key: str) -> dict[str, object]:
    """``{milestone id: value}`` for one reported field, dates as ISO text (None if absent)."""
    return {m["id"]: m[key] for m in schedule.to_dict()["milestones"]}


def row(schedule: Schedule, milestone_id: str) -> dict:
    """One milestone as reported (the JSON form)."""
    return schedule.milestone(milestone_id).to_dict()


def process_file(tmp_path, text: str, name: str = "process.toml") -> str:
    """``text`` (indented TOML, dedented here) written as a process file; its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)

"""Statutory timelines as data, and the projector that dates them for a case.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> jersey = project(load_process("jersey-ron"), load_calendar("jersey"),
...                  Case(received=date(2025, 6, 16)), as_of=date(2025, 6, 16))
>>> final = jersey.milestone("final_ron")
>>> final.due, final.projected, final.status
(datetime.date(2025, 11, 3), datetime.date(2025, 12, 16), 'at_risk')
"""

from .excusals import RecordedException, parse_exceptions
from .loader import bundled_ids, bundled_processes, load_process, process_from_toml
from .model import Milestone, Process
from .projector import STATUSES, Cases, Projection, project_columns
from .schedule import Case, MilestoneStatus, Schedule, columns_of, project, schedule_at

__all__ = [
    "STATUSES",
    "Case",
    "Cases",
    "Milestone",
    "MilestoneStatus",
    "Process",
    "Projection",
    "RecordedException",
    "Schedule",
    "bundled_ids",
    "bundled_processes",
    "columns_of",
    "load_process",
    "parse_exceptions",
    "process_from_toml",
    "project",
    "project_columns",
    "schedule_at",
]

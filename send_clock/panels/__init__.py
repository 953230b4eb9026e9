"""Panel schedules, panel planning and the request calendar.

* :mod:`~send_clock.panels.schedule`: when a panel sits and when its papers are due, from a TOML
  schedule file;
* :mod:`~send_clock.panels.planning`: for each request date, the first panel that can hear it
  and whether that panel meets the deadline it serves; the schedule's gaps;
* :mod:`~send_clock.panels.request_calendar`: for each submission week, whether the assessment
  and the consultation on the draft fall in a long school closure (the "request calendar" SEN
  teams give schools).

Every result is plain data with a ``to_dict()``; :mod:`~send_clock.panels.html` and
:mod:`~send_clock.panels.feeds` write them as a printable page and as iCalendar feeds.
"""

from .planning import Gap, PanelPlan, PlanRow, find_gaps, plan_panels, request_dates
from .request_calendar import (
    FinalCheck,
    Period,
    RequestCalendar,
    SubmissionWeek,
    judgeable_weeks,
    request_calendar,
    submission_mondays,
)
from .schedule import (
    Cutoff,
    PanelSchedule,
    Recurrence,
    Sitting,
    check_schedule,
    load_schedule,
    schedule_from_toml,
)

__all__ = [
    "Cutoff",
    "FinalCheck",
    "Gap",
    "PanelPlan",
    "PanelSchedule",
    "Period",
    "PlanRow",
    "Recurrence",
    "RequestCalendar",
    "Sitting",
    "SubmissionWeek",
    "check_schedule",
    "find_gaps",
    "judgeable_weeks",
    "load_schedule",
    "plan_panels",
    "request_calendar",
    "request_dates",
    "schedule_from_toml",
    "submission_mondays",
]

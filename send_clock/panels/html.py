"""The request calendar and a panel plan as one self-contained, printable HTML page each.

The pages are written with Jinja2 from the templates in ``send_clock/panels/templates``: no
script, no external style sheet or font, dates written out in full, each verdict in words as
well as colour, so a school can print the page or save it.

>>> from datetime import date
>>> from send_clock.calendars import load_calendar
>>> from send_clock.timelines import load_process
>>> from send_clock.panels import request_calendar
>>> page = calendar_html(request_calendar(load_process("england-ehcna"),
...                      load_calendar("surrey"), date(2025, 9, 8), date(2025, 9, 15)))
>>> "Monday 15 September 2025" in page and "Avoid" in page and "Good week" in page
True
"""

from __future__ import annotations

from functools import cache

from .. import __version__
from ..dates import full_date
from ..errors import SendClockError
from .planning import PanelPlan
from .request_calendar import RequestCalendar
from .text import closure_name, full_range, lower_first, upper_first


def calendar_html(table: RequestCalendar) -> str:
    """The request calendar as a page for schools."""
    return _environment().get_template("calendar.html").render(table=table, **_common())


def plan_html(plan: PanelPlan) -> str:
    """A panel plan as a page for the SEN team."""
    return _environment().get_template("plan.html").render(plan=plan, **_common())


def _common() -> dict:
    return {"version": __version__, "full_date": full_date}


@cache
def _environment():
    try:
        import jinja2
    except ImportError:  # pragma: no cover - jinja2 is a dependency
        raise SendClockError(
            "writing HTML needs the jinja2 package, which is not installed: pip install jinja2"
        ) from None

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("send_clock.panels", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(
        full_date=full_date,
        full_range=full_range,
        closure_name=closure_name,
        upper_first=upper_first,
        lower_first=lower_first,
    )
    return environment

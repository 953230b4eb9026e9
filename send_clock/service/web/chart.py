"""The case timeline as a chart: milestones on a time axis, due against projected, holidays
shaded. Drawn by pygal (the dashboard's charts' library) as inline SVG in a few milliseconds, so
the page needs no script to show it.

Each drawn mark carries an SVG id (``due-<milestone>``, ``projected-<milestone>``,
``actual-<milestone>``) so that a reader of the page source, or a browser test, can find it.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from ...dates import full_date
from ...timelines import Schedule

COLOURS = {
    "closure": "#e5e7eb",
    "due": "#1d4ed8",
    "projected": "#b45309",
    "actual": "#15803d",
    "late": "#b91c1c",
    "today": "#6b7280",
}
#: pygal's series, in the order drawn (later ones on top) and listed in the legend
SERIES = ("school closed", "due", "projected", "happened", "late", "today")


def timeline_svg(schedule: Schedule, today: date) -> str:
    """An SVG figure of the schedule's applicable milestones."""
    import pygal

    from ...reports.html import chart_options, chart_svg

    shown = [m for m in schedule.milestones if m.status != "not_applicable" and m.due]
    dates = [d for m in shown for d in (m.due, m.projected, m.actual) if d]
    first = _shifted(min(dates + [today]), -7)
    last = _shifted(max(dates + [today]), 7)
    rows = {m.id: len(shown) - 1 - index for index, m in enumerate(shown)}  # the first on top
    top, bottom = len(shown) - 0.5, -0.5
    chart = pygal.XY(
        **chart_options(
            "timeline",
            colours=tuple(COLOURS.values()),
            width=960,
            height=round(43 * len(shown) + 130),
            range=(bottom, top),
            xrange=(first.toordinal(), last.toordinal()),
            zero=bottom,  # a closure's band is filled down to the foot of the chart
            x_labels=[day.toordinal() for day in _months(first, last)],
            x_value_formatter=lambda day: date.fromordinal(int(day)).strftime("%b %Y"),
            y_labels=[{"label": m.milestone.title, "value": rows[m.id]} for m in shown],
            show_x_guides=True,
            show_y_guides=False,
            legend_at_bottom=True,
            legend_at_bottom_columns=len(SERIES),
            legend_box_size=10,
            allow_interruptions=True,
            dots_size=5,
        )
    )
    closures = _closures(schedule, first, last, bottom, top)
    chart.add(SERIES[0], closures or [None], fill=True, show_dots=False, stroke=bool(closures))
    due = [_mark((m.due, rows[m.id]), f"due-{m.id}") for m in shown]
    chart.add(SERIES[1], due, stroke=False, dots_size=3.5)  # inside a projected date's ring
    projected, happened, late = [], [], []
    for m in shown:
        row = rows[m.id]
        if m.actual:  # a dot alone (``None``: no line to the next point of its series)
            (late if m.actual > m.due else happened).extend(
                [_mark((m.actual, row), f"actual-{m.id}"), None]
            )
        elif m.projected:
            # a line from the due date to a projected date that differs, and a ring there: red
            # when it is later, or when the due date has passed with nothing recorded (overdue:
            # its projected date is then its due date, which would look on time)
            points = late if m.projected > m.due or m.status == "overdue" else projected
            if m.projected != m.due:
                points.append(_mark((m.due, row), None))
            points += [_mark((m.projected, row), f"projected-{m.id}", ring=True), None]
    chart.add(SERIES[2], projected or [None], stroke=True)
    chart.add(SERIES[3], happened or [None], stroke=False)
    chart.add(SERIES[4], late or [None], stroke=True)
    chart.add(
        SERIES[5],
        [(today.toordinal(), bottom), (today.toordinal(), top)],
        show_dots=False,
        stroke_style={"dasharray": "2, 3", "width": 1.5},
    )
    return _inline(chart_svg(chart, "timeline"), schedule)


def _shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the first or last date there is (a page viewed as of
    9999-12-31, or 0001-01-01, overflowed: a 500 instead of the case)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def _mark(point: tuple[date, int], mark_id: str | None, ring: bool = False) -> dict:
    """A point of the chart: its SVG id, drawn as a ring (projected) or a dot; a point with
    no id only bends a line (the due date a projected date is drawn from)."""
    day, row = point
    node = {"id": mark_id} if mark_id else {"r": 0}
    if ring:
        node |= {"r": 7, "style": "fill: none; stroke-width: 2"}
    return {"value": (day.toordinal(), row), "node": node, "label": full_date(day)}


def _months(first: date, last: date) -> list[date]:
    """The first of each month from ``first`` to ``last``: the time axis' labels (at most
    eight: every second or third month's on a long timeline)."""
    months, day = [], date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        if (day.year, day.month) == (date.max.year, 12):
            break  # the last month a date can be in
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months[:: 1 + len(months) // 8]


def _closures(schedule: Schedule, first: date, last: date, bottom: float, top: float) -> list:
    """Each school closure of five days or more within the chart as a band: a rectangle drawn
    from the foot of the chart, the next one apart from it (``None`` between them)."""
    calendar = schedule.calendar
    if not calendar.has_terms:
        return []
    bands: list = []
    for closure in calendar.closures(min_days=5):
        if closure.end >= first and closure.start <= last:
            start = max(closure.start, first).toordinal()
            end = min(closure.reopens, last).toordinal()
            bands += [(start, bottom), (start, top), (end, top), (end, bottom), None]
    return bands


def _inline(body: str, schedule: Schedule) -> str:
    """The SVG element labelled for screen readers (the table below it holds the same facts in
    words)."""
    label = (
        f"Timeline chart of the {schedule.process.title}, received "
        f"{full_date(schedule.case.received)}: due and projected dates of each milestone; "
        "the table below gives the same dates in words"
    )
    return labelled(body, label)


def labelled(svg: str, label: str) -> str:
    """``svg`` (an inline ``<svg>`` element) as one image named ``label`` for screen readers:
    the label escaped for the attribute (a process file's title may hold any character)."""
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label, quote=True)}" ', 1)

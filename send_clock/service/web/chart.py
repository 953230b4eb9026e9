"""The case timeline as a chart: milestones on a time axis, due against projected, holidays
shaded. Drawn with matplotlib as inline SVG, so the page needs no script to show it.

Each drawn mark carries an SVG id (``due-<milestone>``, ``projected-<milestone>``,
``actual-<milestone>``) so that a reader of the page source, or a browser test, can find it.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from ...dates import full_date
from ...timelines import Schedule

COLOURS = {
    "due": "#1d4ed8",
    "projected": "#b45309",
    "actual": "#15803d",
    "late": "#b91c1c",
    "today": "#6b7280",
    "closure": "#e5e7eb",
}


def timeline_svg(schedule: Schedule, today: date) -> str:
    """An SVG figure of the schedule's applicable milestones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    shown = [m for m in schedule.milestones if m.status != "not_applicable" and m.due]
    dates = [d for m in shown for d in (m.due, m.projected, m.actual) if d]
    first = min(dates + [today]) - timedelta(days=7)
    last = max(dates + [today]) + timedelta(days=7)
    figure, axes = plt.subplots(figsize=(10, 0.45 * len(shown) + 1.4), dpi=96)
    try:
        _shade_closures(axes, schedule, first, last)
        for row, m in enumerate(reversed(shown)):
            _milestone(axes, row, m)
        axes.axvline(today, color=COLOURS["today"], linestyle=":", linewidth=1, gid="today")
        axes.set_yticks(range(len(shown)), [m.milestone.title for m in reversed(shown)], fontsize=8)
        axes.set_xlim(first, last)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        axes.tick_params(axis="x", labelsize=8)
        axes.grid(axis="x", color="#f3f4f6")
        axes.legend(
            handles=_legend(axes),
            loc="upper center",
            ncols=5,
            fontsize=8,
            bbox_to_anchor=(0.5, -0.12),
            frameon=False,
        )
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    finally:
        plt.close(figure)
    return _inline(buffer.getvalue(), schedule)


def _shade_closures(axes, schedule: Schedule, first: date, last: date) -> None:
    calendar = schedule.calendar
    if not calendar.has_terms:
        return
    for closure in calendar.closures(min_days=5):
        if closure.end >= first and closure.start <= last:
            axes.axvspan(
                closure.start,
                closure.reopens,
                color=COLOURS["closure"],
                zorder=0,
                gid=f"closure-{closure.start.isoformat()}",
            )


def _milestone(axes, row: int, m) -> None:
    due_style = {"marker": "|", "markersize": 14, "color": COLOURS["due"], "linestyle": ""}
    axes.plot([m.due], [row], gid=f"due-{m.id}", **due_style)
    if m.actual:
        colour = COLOURS["late"] if m.actual > m.due else COLOURS["actual"]
        axes.plot([m.actual], [row], marker="o", color=colour, linestyle="", gid=f"actual-{m.id}")
    elif m.projected:
        colour = COLOURS["late"] if m.projected > m.due else COLOURS["projected"]
        if m.projected != m.due:
            axes.plot([m.due, m.projected], [row, row], color=colour, linewidth=1)
        axes.plot(
            [m.projected],
            [row],
            marker="D",
            markerfacecolor="white",
            color=colour,
            linestyle="",
            gid=f"projected-{m.id}",
        )


def _legend(axes):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        Line2D([], [], marker="|", markersize=10, color=COLOURS["due"], linestyle="", label="due"),
        Line2D(
            [],
            [],
            marker="D",
            markerfacecolor="white",
            color=COLOURS["projected"],
            linestyle="",
            label="projected",
        ),
        Line2D([], [], marker="o", color=COLOURS["actual"], linestyle="", label="happened"),
        Line2D([], [], marker="o", color=COLOURS["late"], linestyle="", label="late"),
        Patch(color=COLOURS["closure"], label="school closed"),
    ]


def _inline(svg: str, schedule: Schedule) -> str:
    """The SVG element alone, labelled for screen readers (the table below it holds the same
    facts in words)."""
    body = svg[svg.index("<svg") :]
    label = (
        f"Timeline chart of the {schedule.process.title}, received "
        f"{full_date(schedule.case.received)}: due and projected dates of each milestone; "
        "the table below gives the same dates in words"
    )
    return re.sub(r"<svg ", f'<svg role="img" aria-label="{label}" ', body, count=1)

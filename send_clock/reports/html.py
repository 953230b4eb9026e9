"""One self-contained HTML report a manager can email: figures, two charts, the worklists.

The page is a Jinja2 template (``templates/breaches.html.j2``); the charts are drawn by
pygal and inlined as SVG (no script), so the file needs nothing else to display. pygal and
Jinja2 are imported when a report is rendered, not when this module is.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from datetime import date

from .. import __version__
from ..dates import long_date
from ..timelines.projector import DUE_SOON_DAYS, STATUSES
from .batches import Report
from .summary import OPEN_STATUSES

#: Worklist entries and rejected rows shown in the page; the CSV output has them all.
SHOWN_ROWS = 200
COLOURS = {
    "within": "#2e7d32",
    "excused": "#7b1fa2",
    "late": "#c62828",
    "overdue": "#c62828",
    "at_risk": "#ef6c00",
    "due_soon": "#0277bd",
    "excused_open": "#7b1fa2",
    "pending": "#9e9e9e",
}


def render_html(report: Report, summary: dict, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """The report page for ``summary`` (as :func:`~send_clock.reports.summary.summarise` gives
    it; pass ``worklist_limit`` there to keep the page short)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    environment = Environment(
        loader=PackageLoader("send_clock.reports", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=False,
    )
    environment.filters["pct"] = lambda value: "" if value is None else f"{value:.1f}%"
    environment.filters["blank"] = lambda value: "" if value is None else value
    titles = {m.id: m.title for batch in report.batches for m in batch.process.milestones}
    page = {
        **summary,
        "overdue": _shown(summary["overdue"], titles),
        "due_soon": _shown(summary["due_soon"], titles),
        "by_month": [
            {**month, "label": _month_label(month["month"])} for month in summary["by_month"]
        ],
    }
    return environment.get_template("breaches.html.j2").render(
        as_of_long=long_date(report.as_of),
        source=report.source or "the caseload",
        summary=page,
        headline=_headline(summary),
        warnings=report.warnings,
        rejected=report.rejected[:SHOWN_ROWS],
        statuses=STATUSES,
        titles=titles,
        due_soon_days=due_soon_days,
        timeliness_chart=Markup(timeliness_chart(summary["by_month"])),
        open_chart=Markup(open_cases_chart(summary["open_cases_by_status"])),
        version=__version__,
    )


def _shown(entries: Sequence[dict], titles: dict[str, str]) -> list[dict]:
    return [
        {
            **entry,
            "title": titles.get(entry["milestone"], entry["milestone"]),
            "due_long": long_date(date.fromisoformat(entry["due"])),
        }
        for entry in entries[:SHOWN_ROWS]
    ]


def _month_label(month: str) -> str:
    """``2025-09`` -> ``Sep 2025``."""
    return date.fromisoformat(f"{month}-01").strftime("%b %Y")


def _headline(summary: dict) -> list[dict]:
    def share(key: str, part: str, whole: str, label: str) -> dict:
        pct = summary[key]
        return {
            "value": "-" if pct is None else f"{pct:.1f}%",
            "label": f"{label} ({summary[part]} of {summary[whole]})",
        }

    return [
        {"value": summary["cases"], "label": "cases in the report"},
        share(
            "final_plans_within_20_weeks_pct",
            "final_plans_within_20_weeks",
            "final_plans_issued",
            "final plans issued within 20 weeks",
        ),
        share(
            "final_plans_within_20_weeks_excluding_exceptions_pct",
            "final_plans_within_20_weeks_excluding_exceptions",
            "final_plans_issued_excluding_exceptions",
            "within 20 weeks, excluding recorded exceptions",
        ),
        share(
            "final_plans_within_20_weeks_excluding_recorded_and_detected_pct",
            "final_plans_within_20_weeks_excluding_recorded_and_detected",
            "final_plans_issued_excluding_recorded_and_detected",
            "within 20 weeks, excluding recorded and detected exceptions",
        ),
        share(
            "decisions_within_6_weeks_pct",
            "decisions_within_6_weeks",
            "decisions_made",
            "decisions whether to assess within 6 weeks",
        ),
        {
            "value": _or_dash(summary["average_weeks_to_final_plan"]),
            "label": "average weeks from request to final plan",
        },
        {"value": summary["open_cases"], "label": "open cases"},
        {"value": summary["overdue_count"], "label": "milestones overdue in open cases"},
    ]


# -- charts -----------------------------------------------------------------------------------
# Drawn by pygal: a chart is an SVG document built in a few milliseconds from a few megabytes of
# code (matplotlib took a second and some 60 MB for the first chart in a process), styled by its
# own inline CSS, with no script. Every figure drawn is also in the SVG as text (``<desc>``), so a
# reader of the source or a test can check it.
def _chart_style():
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground="#333333",
        foreground_strong="#111111",
        foreground_subtle="#cccccc",
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        value_font_size=11,
        value_label_font_size=11,
        legend_font_size=12,
        no_data_font_size=16,
        title_font_size=12,
        opacity="1",
        opacity_hover="1",
        guide_stroke_color="#e5e7eb",
        major_guide_stroke_color="#e5e7eb",
        guide_stroke_dasharray="none",
        major_guide_stroke_dasharray="none",
        transition="0s",
        colors=tuple(COLOURS.values()),
    )


def chart_options(name: str, colours: Sequence[str] | None = None, **options) -> dict:
    """What every chart shares (the case page's timeline too): no script, no tooltips;
    ``colours``: the series' in order."""
    style = _chart_style()
    if colours:
        style.colors = tuple(colours)
    return {
        "style": style,
        "js": (),
        "disable_xml_declaration": True,
        "tooltip_border_radius": 0,
        # drawn at its own size where there is room (text at the page's size), narrower
        # where there is not (the pages' CSS: max-width 100%, height auto)
        "explicit_size": True,
        "show_y_guides": True,
        "show_x_guides": False,
        "print_zeroes": True,
        "no_data_text": "no cases",
        "margin": 8,
        "truncate_label": -1,
        "truncate_legend": -1,
        "classes": ("pygal-chart", name),
        **options,
    }


def chart_svg(chart, name: str) -> str:
    """The chart as inline SVG: the same bytes for the same figures (pygal names a chart's CSS
    scope by a random id and dates its comment: both are replaced), and no script (pygal
    always writes its configuration for its tooltips' script, which no page here loads)."""
    chart.uuid = name
    text = chart.render(is_unicode=True)
    text = re.sub(r"<!--.*?-->|<script\b.*?</script>", "", text, flags=re.S)
    return text[text.index("<svg") :]


#: what the timeliness chart reads of each month
TIMELINESS_FIGURES = (
    "month",
    "final_plans_issued",
    "final_plans_within_20_weeks",
    "final_plans_within_20_weeks_pct",
    "final_plans_issued_excluding_exceptions",
    "final_plans_within_20_weeks_excluding_exceptions",
)


def _timeliness_series(by_month: Sequence[dict]) -> dict[str, list[int]]:
    """The three parts of each month's final plans: within 20 weeks, over with an exception
    that applies, over without one."""
    within = [m["final_plans_within_20_weeks"] for m in by_month]
    late_kept = [
        m["final_plans_issued_excluding_exceptions"]
        - m["final_plans_within_20_weeks_excluding_exceptions"]
        for m in by_month
    ]
    late_excepted = [
        m["final_plans_issued"] - w - k for m, w, k in zip(by_month, within, late_kept, strict=True)
    ]
    return {
        "within 20 weeks": within,
        "over 20 weeks, exception applies": late_excepted,
        "over 20 weeks": late_kept,
    }


def timeliness_chart(by_month: Sequence[dict]) -> str:
    """Stacked bars per month of request: final plans within 20 weeks, later with an exception,
    later without; the share within 20 weeks above each bar."""
    import pygal

    labels = [_month_label(month["month"]) for month in by_month]
    series = _timeliness_series(by_month)
    colours = (COLOURS["within"], COLOURS["excused"], COLOURS["late"])
    # The share is printed as the label of each bar's top part (pygal prints labels above it).
    tops = (
        [
            max((i for i, part in enumerate(parts) if part), default=None)
            for parts in zip(*series.values(), strict=True)
        ]
        if by_month
        else []
    )
    chart = pygal.StackedBar(
        **chart_options(
            "timeliness",
            width=900,
            height=380,
            y_title="final plans issued",
            x_label_rotation=-45 if len(labels) > 8 else 0,
            legend_at_bottom=True,
            legend_at_bottom_columns=3,
            legend_box_size=12,
            print_labels=True,
            print_values=False,
            print_values_position="top",
            # whole numbers of plans, with room above the tallest bar for its share
            y_labels=_counts_axis(max(map(sum, zip(*series.values(), strict=True)), default=0)),
            colours=colours,
            css=(
                "file://style.css",
                "file://graph.css",
                "inline:.timeliness .text-overlay text.label {text-anchor: middle}",
            ),
        )
    )
    chart.x_labels = labels
    for index, (title, values) in enumerate(series.items()):
        chart.add(
            title,
            [
                {
                    "value": value,
                    "label": _share(month) if tops[position] == index else "",
                }
                for position, (value, month) in enumerate(zip(values, by_month, strict=True))
            ],
        )
    return chart_svg(chart, "timeliness")


def _counts_axis(largest: int) -> list[int]:
    """The ticks of an axis of counts: whole numbers in steps of 1, 2 or 5 times a power of
    ten, at most eight of them, past ``largest`` by a tenth (room for a printed figure)."""
    top = max(1, math.ceil(largest * 1.1))
    step, factors = 1, itertools.cycle((2, 2.5, 2))  # 1, 2, 5, 10, 20, 50...
    while top / step > 8:
        step = round(step * next(factors))
    return list(range(0, top + step, step))


def _share(month: dict) -> str:
    pct = month["final_plans_within_20_weeks_pct"]
    return "" if pct is None else f"{pct:.0f}%"


def open_cases_chart(open_by_status: dict[str, int]) -> str:
    """Horizontal bars: open cases by their most urgent milestone's status."""
    import pygal

    statuses = list(OPEN_STATUSES)
    chart = pygal.HorizontalBar(
        **chart_options(
            "open-cases",
            width=520,
            height=250,
            x_title="open cases",
            show_legend=False,
            print_values=True,
            print_values_position="top",
            y_labels=_counts_axis(max(open_by_status.values(), default=0)),
            # the count just past the end of its bar, not across it
            css=(
                "file://style.css",
                "file://graph.css",
                "inline:.open-cases .text-overlay text.value "
                "{text-anchor: start; transform: translateX(-2px)}",
            ),
        )
    )
    # pygal lists a horizontal chart's rows from the bottom up: reversed, the most urgent
    # status is at the top, as the report's table orders them.
    shown = list(reversed(statuses))
    chart.x_labels = [status.replace("_", " ") for status in shown]
    chart.add(
        "open cases",
        [
            {
                "value": open_by_status.get(status, 0),
                "color": COLOURS["excused_open" if status == "excused" else status],
            }
            for status in shown
        ],
    )
    return chart_svg(chart, "open-cases")


def _or_dash(value) -> str:
    return "-" if value is None else str(value)

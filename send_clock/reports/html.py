"""One self-contained HTML report a manager can email: figures, two charts, the worklists.

The page is a Jinja2 template (``templates/breaches.html.j2``); the charts are drawn by
matplotlib and inlined as SVG, so the file needs nothing else to display. matplotlib and Jinja2
are imported when a report is rendered, not when this module is.
"""

from __future__ import annotations

import io
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
def _svg(figure) -> str:
    """The figure as inline SVG: text kept as text, ids stable from run to run, no date."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "send-clock", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)  # creator, licence URIs
    return text[text.index("<svg") :]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def timeliness_chart(by_month: Sequence[dict]) -> str:
    """Stacked bars per month of request: final plans within 20 weeks, later with an exception,
    later without; the share within 20 weeks above each bar."""
    figure, axes = _figure(9, 3.6)
    labels = [_month_label(month["month"]) for month in by_month]
    within = [m["final_plans_within_20_weeks"] for m in by_month]
    late_kept = [
        m["final_plans_issued_excluding_exceptions"]
        - m["final_plans_within_20_weeks_excluding_exceptions"]
        for m in by_month
    ]
    late_excepted = [
        m["final_plans_issued"] - w - k for m, w, k in zip(by_month, within, late_kept, strict=True)
    ]
    positions = range(len(labels))
    axes.bar(positions, within, color=COLOURS["within"], label="within 20 weeks")
    axes.bar(
        positions,
        late_excepted,
        bottom=within,
        color=COLOURS["excused"],
        label="over 20 weeks, exception applies",
    )
    bottoms = [w + e for w, e in zip(within, late_excepted, strict=True)]
    axes.bar(positions, late_kept, bottom=bottoms, color=COLOURS["late"], label="over 20 weeks")
    for position, month, top in zip(
        positions, by_month, [b + k for b, k in zip(bottoms, late_kept, strict=True)], strict=True
    ):
        if month["final_plans_within_20_weeks_pct"] is not None:
            axes.annotate(
                f"{month['final_plans_within_20_weeks_pct']:.0f}%",
                (position, top),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    axes.set_xticks(list(positions), labels, rotation=45 if len(labels) > 8 else 0, ha="right")
    axes.set_ylabel("final plans issued")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.margins(y=0.15)
    axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    if not labels:
        axes.text(0.5, 0.5, "no cases", transform=axes.transAxes, ha="center")
    return _svg(figure)


def open_cases_chart(open_by_status: dict[str, int]) -> str:
    """Horizontal bars: open cases by their most urgent milestone's status."""
    figure, axes = _figure(7, 2.6)
    statuses = list(OPEN_STATUSES)
    counts = [open_by_status.get(status, 0) for status in statuses]
    colours = [COLOURS["excused_open" if s == "excused" else s] for s in statuses]
    rows = range(len(statuses))
    axes.barh(rows, counts, color=colours)
    axes.set_yticks(list(rows), [status.replace("_", " ") for status in statuses])
    axes.invert_yaxis()
    for row, count in zip(rows, counts, strict=True):
        axes.annotate(
            str(count),
            (count, row),
            va="center",
            fontsize=8,
            xytext=(3, 0),
            textcoords="offset points",
        )
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("open cases")
    axes.margins(x=0.1)
    return _svg(figure)


def _or_dash(value) -> str:
    return "-" if value is None else str(value)

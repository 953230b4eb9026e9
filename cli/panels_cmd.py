"""``send-clock panels``: panel planning and the request calendar for schools."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from send_clock.calendars import load_calendar
from send_clock.dates import long_date
from send_clock.errors import InputError
from send_clock.ical import check_domain
from send_clock.panels import load_schedule, plan_panels, request_calendar
from send_clock.panels.text import short_range
from send_clock.timelines import load_process

from .ical_options import domain_option, previous_option, read_previous, refuse_without_ics
from .output import emit, format_option, to_json
from .params import CALENDAR_HELP, DATE

FORMATS = ("table", "csv", "json", "html", "ics")
STYLES = {
    "good": "green",
    "avoid": "bold red",
    "on time": "green",
    "late": "bold red",
    "no panel": "bold red",
    "beyond calendar": "yellow",
}
PLAN_CSV = (
    "request",
    "ready",
    "cutoff",
    "panel",
    "deadline",
    "status",
    "on_time",
    "slack_days",
    "note",
)
CALENDAR_CSV = (
    "week",
    "assessment_start",
    "assessment_end",
    "assessment_closures",
    "consultation_start",
    "consultation_end",
    "consultation_closures",
    "final_milestone",
    "final_due",
    "final_projected",
    "final_on_time",
    "verdict",
    "reason",
)


def _shared_options(command):
    options = (
        click.option("--from", "first", type=DATE, required=True, help="First date of the range."),
        click.option("--to", "last", type=DATE, required=True, help="Last date of the range."),
        format_option(*FORMATS),
        click.option(
            "--output",
            "-o",
            default=None,
            metavar="PATH",
            help="Write to PATH instead of standard output (any format).",
        ),
        domain_option("With --format ics: the part of each event UID after the @."),
        previous_option(),
    )
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
def panels() -> None:
    """Panel planning, and the request calendar of good submission weeks for schools."""


@panels.command()
@click.option(
    "--process",
    "process_ref",
    default=None,
    metavar="ID|PATH",
    help="The process (default: the one the schedule names).",
)
@click.option(
    "--calendar", "calendar_ref", default=None, help=CALENDAR_HELP + " Default: the process's own."
)
@click.option(
    "--schedule",
    "schedule_path",
    required=True,
    metavar="FILE",
    help="The panel schedule (TOML; see examples/panels/).",
)
@click.option("--weekly", is_flag=True, help="Plan the --from date and every 7 days after it.")
@_shared_options
def plan(
    process_ref, calendar_ref, schedule_path, weekly, first, last, fmt, output, domain, previous
):
    """For each request date from --from to --to: the first panel that can hear the case, and
    whether it sits on or before the deadline it serves; then the schedule's gaps.

    \b
    Examples:
      send-clock panels plan --process england-ehcna --calendar surrey \\
          --schedule examples/panels/surrey-decision-panel.toml --from 2026-07-01 --to 2026-09-30
      send-clock panels plan --process jersey-ron --calendar jersey --weekly \\
          --schedule examples/panels/jersey-outcome-panel.toml --from 2025-09-01 --to 2026-03-31
    """
    ics = _ics_settings(fmt, domain, previous)
    schedule = load_schedule(schedule_path)
    process_ref = process_ref or schedule.process
    if not process_ref:
        raise click.UsageError(
            f"give --process: the schedule {schedule_path} does not name the process it is for"
        )
    process = load_process(process_ref)
    calendar = load_calendar(calendar_ref or process.default_calendar)
    result = plan_panels(process, calendar, schedule, first, last, weekly=weekly)
    with _destination(output, fmt, f"{len(result.rows)} request dates") as stream:
        _write_plan(result, fmt, stream, ics)


@panels.command("calendar")
@click.option("--process", "process_ref", required=True, metavar="ID|PATH", help="The process.")
@click.option("--calendar", "calendar_ref", required=True, help=CALENDAR_HELP)
@_shared_options
def calendar_(process_ref, calendar_ref, first, last, fmt, output, domain, previous):
    """The request calendar: for each submission week (Monday) from --from to --to, the
    assessment (weeks 6-12) and consultation (weeks 16-17) periods, the school closures of two
    weeks or more they fall in, and a verdict, good or avoid, with the reason.

    \b
    Examples:
      send-clock panels calendar --process england-ehcna --calendar surrey \\
          --from 2025-09-01 --to 2026-07-20
      send-clock panels calendar --process england-ehcna --calendar surrey \\
          --from 2025-09-01 --to 2026-07-20 --format html --output request-calendar.html
      send-clock panels calendar --process jersey-ron --calendar jersey \\
          --from 2025-09-01 --to 2026-06-30
    """
    ics = _ics_settings(fmt, domain, previous)
    process = load_process(process_ref)
    calendar = load_calendar(calendar_ref)
    table = request_calendar(process, calendar, first, last)
    with _destination(output, fmt, f"{len(table.weeks)} submission weeks") as stream:
        _write_calendar(table, fmt, stream, ics)


def _ics_settings(fmt: str, domain: str, previous: str | None) -> dict:
    """The feed's keyword arguments, checked before any work: --previous only with ics."""
    refuse_without_ics(fmt, previous=previous)
    return {
        "domain": check_domain(domain),
        "previous": read_previous(previous) if previous else None,
    }


# -- writing ------------------------------------------------------------------------------------
@contextmanager
def _destination(output: str | None, fmt: str, what: str):
    """Standard output, or the file ``output`` (binary for ICS, UTF-8 text otherwise)."""
    binary = fmt == "ics"
    if output is None or output == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(output).expanduser()
    try:
        stream = path.open("wb") if binary else path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror}") from None
    with stream:
        yield stream
    click.echo(f"send-clock: wrote {what} to {output}", err=True)


def _write_plan(result, fmt: str, stream, ics: dict) -> None:
    if fmt == "ics":
        from send_clock.panels.feeds import plan_feed

        stream.write(plan_feed(result, **ics).to_ical())
    elif fmt == "html":
        from send_clock.panels.html import plan_html

        stream.write(plan_html(result))
    elif fmt == "json":
        stream.write(to_json(result.to_dict()) + "\n")
    elif fmt == "csv":
        emit([row.to_dict() for row in result.rows], "csv", PLAN_CSV, stream=stream)
    else:
        _plan_table(result, stream)


def _plan_table(result, stream) -> None:
    rows = [
        {
            "request": long_date(row.request),
            "ready": long_date(row.ready),
            "papers by": long_date(row.cutoff),
            "panel": long_date(row.panel),
            "deadline": long_date(row.deadline),
            "status": row.status.replace("_", " "),
            "slack": "" if row.slack_days is None else f"{row.slack_days:+d}",
            "note": row.note,
        }
        for row in result.rows
    ]
    schedule = result.schedule
    title = (
        f"{schedule.title} ({schedule.cutoff}): {result.process.id} on {result.calendar.id}, "
        f"deadline: {result.deadline_name}"
    )
    columns = [c for c in rows[0] if c != "note" or any(r["note"] for r in rows)]
    emit(rows, "table", columns, title=title, stream=stream, styles=STYLES)
    counts = result.counts()
    summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
    stream.write(f"{summary}.\n")
    if not result.gaps:
        stream.write("Gaps: none.\n")
    for text in result.gap_texts():
        stream.write(f"Gap: {text}.\n")


def _write_calendar(table, fmt: str, stream, ics: dict) -> None:
    if fmt == "ics":
        from send_clock.panels.feeds import request_calendar_feed

        stream.write(request_calendar_feed(table, **ics).to_ical())
    elif fmt == "html":
        from send_clock.panels.html import calendar_html

        stream.write(calendar_html(table))
    elif fmt == "json":
        stream.write(to_json(table.to_dict()) + "\n")
    elif fmt == "csv":
        emit([_calendar_csv_row(week) for week in table.weeks], "csv", CALENDAR_CSV, stream=stream)
    else:
        _calendar_table(table, stream)


def _calendar_csv_row(week) -> dict:
    def names(period):
        return [f"{c.start.isoformat()}..{c.end.isoformat()}" for c in period.closures]

    return {
        "week": week.monday,
        "assessment_start": week.assessment.start,
        "assessment_end": week.assessment.end,
        "assessment_closures": names(week.assessment),
        "consultation_start": week.consultation.start,
        "consultation_end": week.consultation.end,
        "consultation_closures": names(week.consultation),
        "final_milestone": week.final.milestone.id,
        "final_due": week.final.due,
        "final_projected": week.final.projected,
        "final_on_time": week.final.on_time,
        "verdict": week.verdict,
        "reason": week.reason,
    }


def _calendar_table(table, stream) -> None:
    final_title = table.weeks[0].final.milestone.short_title or "final"
    rows = []
    for week in table.weeks:
        row = {
            "week of": long_date(week.monday),
            "assessment (weeks 6-12)": short_range(week.assessment.start, week.assessment.end),
            "consultation (weeks 16-17)": short_range(
                week.consultation.start, week.consultation.end
            ),
        }
        if table.term_counted:
            final = week.final
            row[f"{final_title} (projected)"] = long_date(final.projected) + (
                "" if final.on_time else f" (+{final.days_late})"
            )
        row.update({"verdict": week.verdict, "reason": week.reason})
        rows.append(row)
    title = (
        f"Request calendar: {table.process.title}, {table.calendar.name} "
        f"(term dates {table.calendar.status})"
    )
    emit(rows, "table", list(rows[0]), title=title, stream=stream, styles=STYLES)
    counts = table.counts()
    stream.write(f"{counts['good']} good, {counts['avoid']} avoid.\n")

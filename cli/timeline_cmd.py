"""``send-clock processes`` and ``send-clock timeline``: statutory processes and case timelines."""

from __future__ import annotations

import re
import sys

import click

from send_clock.calendars import load_calendar
from send_clock.dates import long_date
from send_clock.ical import schedule_feed
from send_clock.timelines import Case, bundled_processes, load_process, parse_exceptions, project
from send_clock.timelines.describe import in_force_text, process_to_dict
from send_clock.timelines.schedule import (
    MILESTONE_COLUMNS,
    exception_text,
    parse_assignments,
    parse_events,
    parse_params,
)

from .ical_options import feed_settings, ics_options, refuse_without_ics, write_feed
from .output import console, emit, format_option, print_table, to_json, write_csv
from .params import CALENDAR_HELP, DATE

STATUS_STYLES = {
    "met": "green",
    "late": "bold red",
    "overdue": "bold red",
    "at_risk": "yellow",
    "due_soon": "cyan",
    "pending": "",
    "excused": "magenta",
    "not_applicable": "dim",
}


@click.group()
def processes() -> None:
    """The statutory processes send-clock projects."""


@processes.command("list")
@format_option("table", "json", "csv")
def list_(fmt):
    """Bundled processes: id, title, default calendar, number of milestones."""
    rows = [
        {
            "id": p.id,
            "title": p.title,
            "jurisdiction": p.jurisdiction,
            "default_calendar": p.default_calendar,
            "milestones": len(p.milestones),
            "extends": p.extends,
        }
        for p in bundled_processes()
    ]
    emit(rows, fmt, ("id", "title", "jurisdiction", "default_calendar", "milestones", "extends"))


@processes.command()
@click.argument("process_ref", metavar="ID|PATH")
@format_option("table", "json")
def show(process_ref, fmt):
    """The milestones of a process: rules, branches, exceptions and legal bases."""
    process = load_process(process_ref)
    data = process_to_dict(process)
    if fmt == "json":
        click.echo(to_json(data))
        return
    out = console()
    out.print(f"[bold]{process.title}[/bold] ({process.id})")
    out.print(process.description)
    out.print(f"Basis: {process.basis}. Starts from: {process.start_label.lower()}.")
    rows = [{**m, "excused_by": list(m["excused_by"])} for m in data["milestones"]]
    print_table(rows, ("id", "title", "kind", "rule", "lead", "when", "excused_by", "basis"))
    for milestone in data["milestones"]:
        if in_force := in_force_text(milestone):
            out.print(f"In force, [bold]{milestone['id']}[/bold]: {in_force}", highlight=False)
    for branch in process.branches.values():
        out.print(
            f"Branch [bold]{branch.id}[/bold]: {branch.title} "
            f"({' | '.join(branch.values)}; assumed {branch.assumed} until known)"
        )


@click.command()
@click.argument("process_ref", metavar="PROCESS")
@click.option(
    "--received",
    type=DATE,
    required=True,
    help="The start date: request received (or plan issued, or decision notice).",
)
@click.option(
    "--calendar", "calendar_ref", default=None, help=CALENDAR_HELP + " Default: the process's own."
)
@click.option(
    "--event",
    "events",
    multiple=True,
    metavar="ID=DATE",
    help="An actual date: a milestone id (or case date such as school_asked). Repeat.",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="BRANCH=VALUE",
    help="A known outcome, e.g. decision=refused or outcome=no_plan. Repeat.",
)
@click.option(
    "--exception",
    "exceptions",
    multiple=True,
    metavar="KIND[:FROM..TO][@MILESTONE]",
    help="A recorded exception, e.g. absence_from_area:2025-10-01..2025-11-05. Repeat.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A case parameter, e.g. transfer_year=2027.",
)
@click.option("--as-of", type=DATE, default=None, help="Statuses as of this date (default today).")
@format_option("table", "json", "csv", "ics")
@ics_options
@click.option(
    "--label",
    default=None,
    metavar="TEXT",
    help="With --format ics: put TEXT (e.g. a first name) before each event's title. Default: "
    "no name, only what is due.",
)
@click.option(
    "--case-ref",
    default=None,
    metavar="REF",
    help="With --format ics: the case part of each event UID (e.g. EHC-0042). Default: "
    "received-DATE, so UIDs are received-DATE-PROCESS-MILESTONE@DOMAIN; give a reference to "
    "tell apart cases of one process received on the same day.",
)
def timeline(
    process_ref, received, calendar_ref, events, outcomes, exceptions, params, as_of, fmt, **ics
):
    """Project every milestone of PROCESS for one case: due, projected, status, legal basis.

    With --format ics, write the timeline as an iCalendar feed: one all-day event per milestone.

    \b
    Examples:
      send-clock timeline england-ehcna --received 2025-09-15
      send-clock timeline jersey-ron --received 2025-06-16 --as-of 2025-06-16 --format json
      send-clock timeline england-ehcna --received 2025-09-15 \\
          --event draft_plan=2026-01-26 --as-of 2026-01-26
      send-clock timeline england-ehcna --received 2025-09-15 --format ics \\
          --case-ref EHC-0042 --alarms 7,1 --previous case.ics --output case.ics
    """
    refuse_without_ics(fmt, **{k: v for k, v in ics.items() if k != "domain"})
    settings = feed_settings(ics["alarms"], ics["previous"], ics["domain"]) if fmt == "ics" else {}
    process = load_process(process_ref)
    calendar = load_calendar(calendar_ref or process.default_calendar)
    case = Case(
        received=received,
        events=parse_events(events),
        outcomes=parse_assignments(outcomes, "outcome"),
        exceptions=parse_exceptions(exceptions, process),
        params=parse_params(params),
    )
    schedule = project(process, calendar, case, as_of=as_of)
    for warning in schedule.warnings:
        click.echo(f"send-clock: warning: {warning}", err=True)
    if fmt == "ics":
        case_ref = ics["case_ref"] or f"received-{received.isoformat()}"
        feed = schedule_feed(schedule, case_ref, label=ics["label"], **settings)
        write_feed(feed, ics["output"])
        return
    data = schedule.to_dict()
    if fmt == "json":
        click.echo(to_json(data))
    elif fmt == "csv":
        write_csv([_flat(m) for m in data["milestones"]], MILESTONE_COLUMNS, sys.stdout)
    else:
        _print_timeline(schedule)


def short_basis(basis: str) -> str:
    """The first citation of a basis, for a table.

    >>> short_basis("Derived from SEND Regulations 2014 reg 13(1)-(2): latest draft ...")
    'Derived from SEND Regulations 2014 reg 13(1)-(2)'
    >>> short_basis("SEND Regulations 2014 reg 6(1) (no time limit; practice: ...)")
    'SEND Regulations 2014 reg 6(1)'
    """
    head = re.split(r"; |: ", basis, maxsplit=1)[0]
    if head.count("(") > head.count(")"):  # cut inside a parenthesis: drop all of it
        head = head[: head.rfind(" (")]
    return head


def _flat(milestone: dict) -> dict:
    return {**milestone, "exceptions": [exception_text(e) for e in milestone["exceptions"]]}


def _print_timeline(schedule) -> None:
    out = console()
    outcomes = ", ".join(f"{k}={v or 'unknown'}" for k, v in schedule.outcomes.items())
    out.print(
        f"[bold]{schedule.process.title}[/bold]: received "
        f"{long_date(schedule.case.received)}, calendar {schedule.calendar.id}, as of "
        f"{long_date(schedule.as_of)}" + (f" ({outcomes})" if outcomes else "")
    )
    rows = []
    for m in schedule.milestones:
        note = "; ".join(exception_text(e) for e in m.to_dict()["exceptions"])
        if m.conditional:
            note = "; ".join(
                filter(None, ["only if " + ", ".join(str(c) for c in m.milestone.when), note])
            )
        rows.append(
            {
                "milestone": m.milestone.title,
                "due": long_date(m.due),
                # What happened, else the forecast where it differs from the due date.
                "happened / projected": long_date(m.actual)
                if m.actual
                else f"({long_date(m.projected)})"
                if m.projected != m.due
                else "",
                "status": m.status.replace("_", " "),
                "days late": m.days_late,
                "notes": note,
                "basis": short_basis(m.milestone.basis),
            }
        )
    styles = {status.replace("_", " "): style for status, style in STATUS_STYLES.items()}
    print_table(
        rows,
        list(rows[0]),
        styles=styles,
        nowrap=("due", "happened / projected", "status"),
    )
    out.print(
        "Dates in brackets are projected. Basis: the first citation; --format json or "
        "`processes show` give it in full.",
        style="dim",
    )

"""``send-clock calendars``: list, show, the school-closure windows, export."""

from __future__ import annotations

import click

from send_clock.calendars import bundled_calendars, load_calendar
from send_clock.calendars.export import (
    calendar_summary,
    calendar_to_dict,
    calendar_to_toml,
    window_to_dict,
)
from send_clock.calendars.model import QUALIFYING_CLOSURE_DAYS
from send_clock.dates import long_date
from send_clock.ical import calendar_feed, check_domain

from .ical_options import domain_option
from .output import console, emit, format_option, print_table, to_json

LIST_COLUMNS = ("id", "name", "jurisdiction", "coverage_from", "coverage_to", "status", "source")
WINDOW_COLUMNS = (
    "after_term",
    "closure_start",
    "reopens",
    "closure_days",
    "window_start",
    "window_end",
)


@click.group()
def calendars() -> None:
    """Bundled and user calendars: bank holidays and school term dates."""


@calendars.command("list")
@format_option("table", "json", "csv")
def list_(fmt):
    """The bundled calendars, their coverage and where their dates come from."""
    rows = [
        {**calendar_summary(calendar), "source": _sources(calendar)}
        for calendar in bundled_calendars()
    ]
    emit(rows, fmt, LIST_COLUMNS, headers={"coverage_from": "term dates from", "coverage_to": "to"})


@calendars.command()
@click.argument("calendar_ref", metavar="ID|PATH")
@format_option("table", "json")
def show(calendar_ref, fmt):
    """Terms, half terms, INSET and closure days, closures and bank holidays of a calendar.

    A file path is checked as it is loaded: use this to validate your own calendar file.
    """
    calendar = load_calendar(calendar_ref)
    data = calendar_to_dict(calendar)
    if fmt == "json":
        click.echo(to_json(data))
        return
    out = console()
    out.print(
        f"[bold]{calendar.name}[/bold] ({calendar.id}), bank holidays of "
        f"{calendar.jurisdiction}; term dates: {calendar.status}"
    )
    if calendar.notes:
        out.print(calendar.notes)
    terms = [
        {
            "year": year["year"],
            "term": term["name"],
            "first day": long_date(term["start"]),
            "last day": long_date(term["end"]),
            "half term": " to ".join(long_date(d) for d in term["half_term"] or []),
            "INSET / closure days": ", ".join(
                long_date(d) for d in term["inset"] + term["closures"]
            ),
        }
        for year in data["years"]
        for term in year["terms"]
    ]
    if terms:
        print_table(terms, list(terms[0]), title="Terms")
        holidays = [
            {
                "closure": c["kind"],
                "after": c["after_term"],
                "from": long_date(c["start"]),
                "to": long_date(c["end"]),
                "re-opens": long_date(c["reopens"]),
                "days": c["days"],
            }
            for c in data["closures"]
        ]
        if holidays:
            print_table(holidays, list(holidays[0]), title="Closures (3 days or more)")
    print_table(
        [{"bank holiday": long_date(d)} for d in data["bank_holidays"]],
        ["bank holiday"],
        title="Bank holidays",
    )


@calendars.command()
@click.argument("calendar_ref", metavar="ID|PATH")
@click.option(
    "--min-days",
    default=QUALIFYING_CLOSURE_DAYS,
    show_default=True,
    help="Shortest closure that qualifies (SEND Regulations 2014 reg 10(4)(a): 4 weeks).",
)
@format_option("table", "json", "csv")
def closures(calendar_ref, min_days, fmt):
    """The school-closure exception windows (SEND Regulations 2014, reg 5(4)(a) and 10(4)(a)).

    A closure of MIN-DAYS or more qualifies; its window runs from one week before the closure
    starts to one week before the school re-opens. Advice requested from a school inside a window
    lifts the 16- and 20-week limits.
    """
    calendar = load_calendar(calendar_ref)
    rows = [window_to_dict(window) for window in calendar.closure_windows(min_days)]
    emit(rows, fmt, WINDOW_COLUMNS, headers={"after_term": "after term"})


@calendars.command()
@click.argument("calendar_ref", metavar="ID|PATH")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json", "ics"]),
    default="toml",
    show_default=True,
    help="toml: the project's calendar file format; json: all data; ics: iCalendar events of "
    "terms, half terms, INSET and closure days and school-closure windows.",
)
@click.option(
    "--output",
    "output_file",
    type=click.File("wb"),
    default="-",
    help="Where to write (default: stdout).",
)
@domain_option("With ics: the part of each event UID after the @.")
def export(calendar_ref, fmt, output_file, domain):
    """Write a calendar out: as a data file to edit, as JSON, or as an iCalendar feed.

    Importing a council's .ics or a CSV once and exporting it as TOML gives a file to keep; the
    ics export imports back into the same calendar.
    """
    calendar = load_calendar(calendar_ref)
    if fmt == "toml":
        output_file.write(calendar_to_toml(calendar).encode("utf-8"))
    elif fmt == "ics":
        output_file.write(calendar_feed(calendar, domain=check_domain(domain)).to_ical())
    else:
        output_file.write((to_json(calendar_to_dict(calendar)) + "\n").encode("utf-8"))


def _sources(calendar) -> str:
    """The distinct sources of a calendar's years, in order, one string."""
    return "; ".join(dict.fromkeys(year.source for year in calendar.years))

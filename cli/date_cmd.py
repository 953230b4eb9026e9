"""``send-clock date``: add an amount of a unit to a date, or count the units between two."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from send_clock.calendars import load_calendar, parse_unit
from send_clock.calendars.units import UNIT_MEANINGS, UNITS, amount_of
from send_clock.dates import parse_date

from .output import progress_bar, to_json
from .params import CALENDAR_HELP

DEFAULT_CALENDAR = "england-and-wales"
UNIT_HELP = "Unit: " + "; ".join(f"{unit} = {meaning}" for unit, meaning in UNIT_MEANINGS.items())


@click.group()
def date() -> None:
    """Date arithmetic in calendar and term-time units."""


@date.command(context_settings={"ignore_unknown_options": True})
@click.argument("start", required=False)
@click.argument("amount", required=False)
@click.argument("unit", required=False)
@click.option(
    "--calendar", "calendar_ref", default=DEFAULT_CALENDAR, show_default=True, help=CALENDAR_HELP
)
@click.option(
    "--input",
    "input_file",
    type=click.File("rb"),
    help="CSV with columns start,amount,unit (optionally calendar): a result per row. "
    "Separated by , ; or tab; header names in any case.",
)
@click.option(
    "--output",
    "output_file",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write (default: stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default=None,
    help="text (YYYY-MM-DD) or json for one date; csv (default) or json for --input.",
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="Write cells exactly, even those a spreadsheet would run as formulas "
    "(by default they get a ' in front).",
)
def add(start, amount, unit, calendar_ref, input_file, output_file, fmt, raw_csv):
    """The date AMOUNT UNITs after START (before it, when AMOUNT is negative).

    \b
    Examples:
      send-clock date add 2025-09-15 20 weeks                        -> 2026-02-02
      send-clock date add 2025-10-15 6 term-weeks --calendar jersey  -> 2025-12-03
      send-clock date add --input dates.csv --calendar surrey > results.csv
    """
    if input_file is not None:
        if start or amount or unit:
            raise click.UsageError("give either START AMOUNT UNIT or --input FILE, not both")
        from send_clock.calendars.datelist import add_rows

        with progress_bar("rows") as progress:
            failed = add_rows(
                input_file,
                Path(getattr(input_file, "name", "") or "standard input").name,
                calendar_ref,
                output_file,
                fmt or "csv",
                raw=raw_csv,
                progress=progress,
            )
        if failed:
            click.echo(
                f"send-clock: {failed} row(s) could not be computed; see their error column",
                err=True,
            )
            sys.exit(1)
        return
    if not (start and amount and unit):
        raise click.UsageError("give START AMOUNT UNIT, e.g. 2025-09-15 20 weeks, or --input FILE")
    if fmt == "csv":
        raise click.UsageError("--format csv goes with --input; use text or json for one date")
    start_date = parse_date(start, "START date")
    calendar = load_calendar(calendar_ref)
    unit_name = parse_unit(unit)
    result = calendar.add(start_date, amount_of(amount), unit_name)
    if fmt == "json":
        output_file.write(
            to_json(
                {
                    "start": start_date,
                    "amount": int(amount),
                    "unit": unit_name,
                    "calendar": calendar.id,
                    "result": result,
                }
            )
            + "\n"
        )
    else:
        output_file.write(f"{result.isoformat()}\n")


@date.command()
@click.argument("start")
@click.argument("end")
@click.option("--unit", required=True, help=UNIT_HELP, metavar="UNIT")
@click.option(
    "--calendar", "calendar_ref", default=DEFAULT_CALENDAR, show_default=True, help=CALENDAR_HELP
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def between(start, end, unit, calendar_ref, fmt):
    """How many whole UNITs lie from START to END (START not counted, END counted).

    \b
    Example:
      send-clock date between 2025-10-15 2025-12-03 --unit term-weeks --calendar jersey  -> 6
    """
    # Read like `date add` reads START: an impossible date is bad input (exit 1), not bad usage.
    start, end = parse_date(start, "START date"), parse_date(end, "END date")
    calendar = load_calendar(calendar_ref)
    unit_name = parse_unit(unit)
    count = calendar.between(start, end, unit_name)
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "start": start,
                    "end": end,
                    "unit": unit_name,
                    "calendar": calendar.id,
                    "count": count,
                }
            )
        )
    else:
        click.echo(count)


__all__ = ["date", "UNITS"]

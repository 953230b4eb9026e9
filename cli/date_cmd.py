"""``send-clock date``: add an amount of a unit to a date, or count the units between two."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict

import click

from send_clock.calendars import load_calendar, parse_unit
from send_clock.calendars.model import MAX_AMOUNT
from send_clock.calendars.units import UNIT_MEANINGS, UNITS
from send_clock.dates import parse_date
from send_clock.errors import InputError, SendClockError

from .output import to_json, write_csv
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
    type=click.File("r", encoding="utf-8-sig"),
    help="CSV with columns start,amount,unit (optionally calendar): a result per row.",
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
def add(start, amount, unit, calendar_ref, input_file, output_file, fmt):
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
        failed = _add_rows(input_file, calendar_ref, fmt or "csv", output_file)
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
    result = calendar.add(start_date, _amount(amount), unit_name)
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


def _amount(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(
            f"{text!r} is not a whole number of units; write the amount as a whole "
            "number, e.g. 6 (negative counts backwards)"
        ) from None
    if abs(value) > MAX_AMOUNT:
        raise InputError(
            f"{value} is too large an amount: no date that far away exists; give an amount of "
            f"at most {MAX_AMOUNT}"
        )
    return value


# -- many rows ---------------------------------------------------------------------------------
def _add_rows(stream, default_calendar: str, fmt: str, output) -> int:
    """Compute every row of a CSV, in bulk per (calendar, unit). Returns how many failed."""
    reader = csv.DictReader(stream)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("start", "amount", "unit") if c not in columns]
    if missing:
        raise InputError(
            f"the input CSV needs the columns start, amount and unit (missing: "
            f"{', '.join(missing)}); an optional calendar column overrides --calendar"
        )
    reader.fieldnames = columns
    rows = [dict(row) for row in reader]
    if not rows:
        raise InputError("the input CSV has a header but no rows")
    groups: dict[tuple[str, str], list[tuple[int, object, int]]] = defaultdict(list)
    for number, row in enumerate(rows):
        row["result"], row["error"] = "", ""
        try:
            start = parse_date(row.get("start") or "", "start date")
            amount = _amount(row.get("amount") or "")
            unit = parse_unit(row.get("unit") or "")
        except SendClockError as error:
            row["error"] = str(error)
            continue
        ref = (row.get("calendar") or "").strip() or default_calendar
        groups[(ref, unit)].append((number, start, amount))
    for (ref, unit), items in groups.items():
        _add_group(ref, unit, items, rows)
    out_columns = columns + [c for c in ("result", "error") if c not in columns]
    if fmt == "json":
        output.write(to_json([{c: row.get(c) or None for c in out_columns} for row in rows]) + "\n")
    else:
        write_csv(rows, out_columns, output)
    return sum(1 for row in rows if row["error"])


def _add_group(ref: str, unit: str, items, rows: list[dict]) -> None:
    """One bulk call for the rows that share a calendar and a unit."""
    try:
        calendar = load_calendar(ref)
        results = calendar.add_many(
            [start for _n, start, _a in items],
            [amount for _n, _s, amount in items],
            unit,
            errors="coerce",
        )
    except SendClockError as error:  # unknown calendar, or term weeks on one without terms
        for number, _start, _amount in items:
            rows[number]["error"] = str(error)
        return
    for (number, start, amount), result in zip(items, results.tolist(), strict=True):
        if result is None:  # NaT: the one-date path gives the precise message
            try:
                calendar.add(start, amount, unit)
            except SendClockError as error:
                rows[number]["error"] = str(error)
        else:
            rows[number]["result"] = result.isoformat()


__all__ = ["date", "UNITS"]

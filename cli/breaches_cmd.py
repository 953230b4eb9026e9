"""``send-clock breaches``: statutory deadlines across a caseload, and the DfE 20-week measure."""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import sys
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from send_clock.dates import long_date
from send_clock.reports import (
    Report,
    project_caseload,
    read_caseload,
    read_sen2_blade,
    render_html,
    write_csv,
    write_json,
    write_jsonl,
)
from send_clock.reports.html import SHOWN_ROWS
from send_clock.reports.split import RowsWritten, use_jemalloc_for_arrow, write_rows
from send_clock.reports.summary import OPEN_STATUSES, Period
from send_clock.reports.worklist import COLUMNS as WORKLIST_COLUMNS
from send_clock.reports.worklist import cases_to_chase, parse_statuses

from . import spares
from .ical_options import feed_settings, ics_options, refuse_without_ics, write_feed
from .output import console, emit, format_option, print_table
from .params import CALENDAR_HELP, DATE

#: Inputs with more rows than this get a progress bar (on a terminal only).
PROGRESS_ROWS = 5_000
#: Worklist rows shown by ``--format table``.
TABLE_ROWS = 20


@click.command()
@click.argument(
    "caseload",
    required=False,
    metavar="[FILE.csv]",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--sen2-blade",
    "sen2_folder",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Read a DfE SEN2 person-level export (COLLECT 'Blade' CSV files) instead of FILE.csv.",
)
@click.option(
    "--process",
    "process_ref",
    default=None,
    metavar="ID|PATH",
    help="Process for rows with no process column (default england-ehcna).",
)
@click.option(
    "--calendar",
    "calendar_ref",
    default=None,
    help=CALENDAR_HELP + " For rows with no calendar column; default: the process's own.",
)
@click.option("--as-of", type=DATE, default=None, help="Statuses as of this date (default today).")
@format_option("table", "csv", "jsonl", "json", "html", "ics")
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output. Every format but ics is "
    "written whole to a hidden spare beside it, .FILE.xxxxxxxx.send-clock-partial, then "
    "renamed FILE; a run killed outright may leave that spare, which the next run to FILE "
    "removes.",
)
@ics_options(output=False)
@click.option(
    "--by",
    "by",
    type=click.Choice(["milestone", "case"]),
    default="milestone",
    show_default=True,
    help="case: the worklist, one row per open case with its most urgent milestone, officer "
    "and days late (table, csv, jsonl or json).",
)
@click.option(
    "--status",
    "statuses",
    default="overdue,at_risk,due_soon",
    show_default=True,
    metavar="S1,S2",
    help="With --by case: the cases whose most urgent milestone has one of these statuses "
    "(overdue, at_risk, due_soon, excused, pending).",
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="With --format csv: write case ids exactly, even those a spreadsheet would run as "
    "formulas (by default they get a ' in front).",
)
@click.option(
    "--allow-rejects",
    is_flag=True,
    help="Exit 0 even when some rows were rejected (they are still listed on stderr).",
)
@click.option(
    "--sen2-codes",
    "sen2_codes",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE.toml",
    help="Your own table of SEN2 outcome codes (the bundled one: the 2023-onwards codes).",
)
@click.option(
    "--issued-from",
    type=DATE,
    default=None,
    help="Count the plans issued (and decisions made) from this date in the 20-week figures.",
)
@click.option(
    "--issued-to",
    type=DATE,
    default=None,
    help="... up to this date, included (e.g. a calendar year, as the DfE counts).",
)
def breaches(
    caseload,
    sen2_folder,
    process_ref,
    calendar_ref,
    as_of,
    fmt,
    output_path,
    by,
    statuses,
    raw_csv,
    allow_rejects,
    sen2_codes,
    issued_from,
    issued_to,
    alarms,
    previous,
    domain,
):
    """Which statutory milestones were met, are late, overdue or due soon across a caseload,
    with the DfE 20-week figures.

    \b
    FILE.csv has one row per case: case_id, received, optional process and calendar, one
    column per milestone id with its actual date, decision (agreed|refused), outcome
    (plan|no_plan) and exceptions. See docs/breaches.md.

    \b
    With --format csv or jsonl (no summary), a big file is read by two processes at once;
    set SEND_CLOCK_ONE_PROCESS=1 to use one.

    \b
    With --format ics, the team calendar of open deadlines: one all-day event on the due date
    of each milestone still to happen in an open case, UIDs CASE-PROCESS-MILESTONE@DOMAIN
    (meant for a team's open caseload, not a million cases). See docs/breaches.md.

    \b
    Examples:
      send-clock breaches examples/caseload.csv --as-of 2025-12-01
      send-clock breaches caseload.csv --format html --output report.html
      send-clock breaches --sen2-blade ./sen2-export --format json
      send-clock breaches --sen2-blade ./sen2-export --issued-from 2025-01-01 --issued-to 2025-12-31
      send-clock breaches caseload.csv --format ics --previous team.ics --output team.ics
      send-clock breaches caseload.csv --by case --status overdue,due_soon
    """
    if (caseload is None) == (sen2_folder is None):
        raise click.UsageError("give a caseload FILE.csv or --sen2-blade DIR (one of them)")
    if sen2_codes is not None and sen2_folder is None:
        raise click.UsageError("--sen2-codes goes with --sen2-blade")
    refuse_without_ics(fmt, alarms=alarms, previous=previous)
    if issued_from and issued_to and issued_to < issued_from:
        raise click.UsageError(f"--issued-to {issued_to} is before --issued-from {issued_from}")
    period = Period(issued_from, issued_to) if issued_from or issued_to else None
    if by == "case" and fmt not in ("table", "csv", "jsonl", "json"):
        raise click.UsageError("--by case writes a table, csv, jsonl or json")
    wanted = parse_statuses(statuses) if by == "case" else ()
    settings = feed_settings(alarms, previous, domain) if fmt == "ics" else {}
    as_of = as_of or date.today()
    use_jemalloc_for_arrow()
    if (
        by == "milestone"
        and caseload is not None
        and fmt in ("csv", "jsonl")
        and not sys.stderr.isatty()
    ):
        # (rows only: a period changes the figures, not the rows)
        # rows only, no summary, no progress bar: a big file is read and written by two
        # processes at once
        with _opened(output_path) as out:
            report = write_rows(
                caseload,
                fmt,
                out,
                process=process_ref,
                calendar=calendar_ref,
                as_of=as_of,
                parallel=os.environ.get("SEND_CLOCK_ONE_PROCESS", "") in ("", "0"),
                raw=raw_csv,
            )
        _tell(report)
        _exit_for_rejects(report, allow_rejects)
        return
    with _progress() as progress:
        if sen2_folder is not None:
            found = read_sen2_blade(
                sen2_folder, process=process_ref, calendar=calendar_ref, codes=sen2_codes
            )
        else:
            found = read_caseload(
                caseload, process=process_ref, calendar=calendar_ref, progress=progress
            )
        projecting = (lambda done, total: progress("projecting", done, total)) if progress else None
        report = project_caseload(found, as_of, period, projecting)
    if fmt == "ics":
        _write_feed(report, settings, output_path)
        _exit_for_rejects(report, allow_rejects)
        return
    _tell(report)
    if by == "case":
        _write_worklist(cases_to_chase(report.batches, wanted), fmt, output_path, raw_csv)
    else:
        with _progress() as progress, _opened(output_path) as out:
            _write(report, fmt, out, progress, raw_csv)
    _exit_for_rejects(report, allow_rejects)


def _write_worklist(rows: list[dict], fmt: str, output_path: Path | None, raw: bool) -> None:
    """The worklist by case; in a table, case and milestone ids are never cut."""
    with _opened(output_path) as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        try:
            target = sys.stdout if out is sys.stdout.buffer and fmt == "table" else text
            emit(rows, fmt, WORKLIST_COLUMNS, stream=target, raw_csv=raw)
            target.flush()
        finally:
            text.detach()


def _write_feed(report: Report, settings: dict, output_path: Path | None) -> None:
    """The team calendar of open deadlines; open cases whose id cannot stand in an event UID
    are rejected like unreadable rows."""
    from send_clock.reports.feed import deadlines_feed  # (icalendar: only for this format)

    feed, rejected = deadlines_feed(report, **settings)
    if rejected:
        report.rejected.extend(rejected)
        report.rejected.sort(key=lambda r: (r.source, r.line if r.line is not None else -1))
    _tell(report)
    write_feed(feed, output_path)


def _exit_for_rejects(report, allow_rejects: bool) -> None:
    if report.rejected and not allow_rejects:
        count = len(report.rejected)
        click.echo(
            f"send-clock: {count} row{'s were' if count > 1 else ' was'} rejected and left out "
            "of the report; correct them, or give --allow-rejects to accept the report as it is",
            err=True,
        )
        sys.exit(1)


def _tell(report: Report | RowsWritten) -> None:
    for warning in report.warnings:
        click.echo(f"send-clock: warning: {warning}", err=True)
    for rejected in report.rejected:
        click.echo(f"send-clock: rejected: {rejected}", err=True)


@contextmanager
def _opened(path: Path | None):
    if path is None or str(path) == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()  # before any message on stderr
        return
    target = Path(os.path.realpath(path))  # (a symbolic link stays, what it points to is replaced)
    try:
        if target.exists() and not target.is_file():  # a FIFO, the null device: as it is
            with path.open("wb") as stream:
                yield stream
            return
        spares.remove_stale(target)  # (left by runs killed outright, SIGKILL)
        descriptor, spare = spares.make(target)
    except OSError as error:
        _cannot_write(path, error)
    # The report is written to a spare file beside the output (.NAME.xxxxxxxx.send-clock-
    # partial), which takes the output's name only once whole: an error or an interruption
    # leaves the previous file as it was (and the caseload itself can be the output), never a
    # part of the rows, or, as the second process writes its rows at their place, the whole
    # size with a gap of zero bytes in it.
    try:
        with open(descriptor, "wb") as stream, _terminated_as_interrupted():
            yield stream
        os.chmod(spare, _mode_for(target))
        os.replace(spare, target)
    except OSError as error:
        Path(spare).unlink(missing_ok=True)
        _cannot_write(path, error)
    except BaseException:
        Path(spare).unlink(missing_ok=True)
        raise


@contextmanager
def _terminated_as_interrupted():
    """SIGTERM (a service manager stopping the run, ``kill``) ends the program by an exception
    while the report is written, as Ctrl-C does, so that the spare file is removed and the
    second process stopped (by default the program died on the spot, leaving both)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number, _frame):
        raise SystemExit(128 + number)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


#: Why a report cannot be written where asked (a full or read-only place, a file too big, no
#: right to replace the file): one line and exit 1, not an internal error.
_CANNOT_WRITE = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EIO,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
    }
)


def _cannot_write(path: Path, error: OSError) -> NoReturn:
    if error.errno not in _CANNOT_WRITE:
        raise error
    raise click.ClickException(f"cannot write {path}: {error.strerror}") from None


def _mode_for(target: Path) -> int:
    """The permissions ``target`` has, or those a new file gets (the umask applied)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write(report: Report, fmt: str, out, progress, raw: bool = False) -> None:
    cases = report.cases

    def writing(done: int) -> None:
        progress("writing", done, cases)

    writing = writing if progress else None

    if fmt == "csv":
        write_csv(report.batches, out, writing, raw=raw)
    elif fmt == "jsonl":
        write_jsonl(report.batches, out, writing)
    elif fmt == "json":
        write_json(report, report.summary(), out, writing)
    elif fmt == "html":
        out.write(render_html(report, report.summary(worklist_limit=SHOWN_ROWS)).encode())
    else:
        _print_summary(report, out)


# -- progress -----------------------------------------------------------------------------------
@contextmanager
def _progress():
    """``progress(stage, done, total)`` drawing a bar on stderr for big inputs on a terminal."""
    stderr = sys.stderr
    if not stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    tasks: dict[str, int] = {}
    with Progress(console=console(stderr), transient=True) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            if total <= PROGRESS_ROWS:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage} {'rows' if stage == 'reading' else 'cases'}")
                bar.update(tasks[stage], completed=done, total=total)
                bar.refresh()  # each stage is shown as it starts, however quick
                return
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


# -- the table ----------------------------------------------------------------------------------
def _print_summary(report: Report, out) -> None:
    """The figures and worklists: straight to a terminal; elsewhere (a pipe, a file) as plain
    text without the spaces that pad each line of a table."""
    target = sys.stdout if out is sys.stdout.buffer else None
    if target is not None and target.isatty():
        _print_summary_to(report, target)
        return
    text = io.StringIO()
    _print_summary_to(report, text)
    lines = [line.rstrip() for line in text.getvalue().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    plain = "\n".join(lines) + "\n"
    if target is not None:
        target.write(plain)
    else:
        out.write(plain.encode())


def _print_summary_to(report: Report, stream) -> None:
    summary = report.summary()
    console(stream).print(
        f"[bold]Breach report as of {long_date(report.as_of)}[/bold]: {summary['cases']} "
        f"case{'s' if summary['cases'] != 1 else ''} from {report.source}"
        + (f", {summary['rows_rejected']} rows rejected" if summary["rows_rejected"] else ""),
        highlight=False,
    )
    for line in _header_notes(summary):
        console(stream).print(line, highlight=False)
    print_table(_figure_rows(summary), ("measure", "value"), stream=stream)
    console(stream).print(summary["method"] + "\n", highlight=False)
    _print_months(summary, stream)
    _print_worklist(summary, "overdue", "Overdue, most overdue first", "days overdue", stream)
    _print_worklist(summary, "due_soon", "Due in the next 14 days", "days left", stream)


def _header_notes(summary: dict) -> list[str]:
    """The period the figures cover, what was left out, and the closure checks not made."""
    notes = []
    period = summary["period"]
    if period["issued_from"] or period["issued_to"]:
        first, last = period["issued_from"] or "the first", period["issued_to"] or "the last"
        notes.append(
            f"Figures for plans issued (and decisions made) from {first} to {last}; open cases "
            "and worklists as of the report date."
        )
    left = [
        f"{summary[key]} {what}"
        for key, what in (("rows_withdrawn", "withdrawn"), ("rows_historical", "historical"))
        if summary[key]
    ]
    if left:
        notes.append(f"Left out of the figures: {', '.join(left)}.")
    if skipped := summary["closure_checks_skipped"]:
        notes.append(
            f"School-closure exception not checked for {skipped} case{'s' if skipped != 1 else ''}:"
            " see the warning."
        )
    return notes


def _share(part: int, whole: int, pct) -> str:
    return f"{part} of {whole}" + ("" if pct is None else f" ({pct:.1f}%)")


def _figure_rows(summary: dict) -> list[dict]:
    open_by = summary["open_cases_by_status"]
    return [
        {"measure": "Final plans issued", "value": summary["final_plans_issued"]},
        {
            "measure": "  within 20 weeks",
            "value": _share(
                summary["final_plans_within_20_weeks"],
                summary["final_plans_issued"],
                summary["final_plans_within_20_weeks_pct"],
            ),
        },
        {
            "measure": "    excluding recorded exceptions",
            "value": _share(
                summary["final_plans_within_20_weeks_excluding_exceptions"],
                summary["final_plans_issued_excluding_exceptions"],
                summary["final_plans_within_20_weeks_excluding_exceptions_pct"],
            ),
        },
        {
            "measure": "    excluding recorded and detected",
            "value": _share(
                summary["final_plans_within_20_weeks_excluding_recorded_and_detected"],
                summary["final_plans_issued_excluding_recorded_and_detected"],
                summary["final_plans_within_20_weeks_excluding_recorded_and_detected_pct"],
            ),
        },
        {
            "measure": "Average weeks from request to final plan",
            "value": summary["average_weeks_to_final_plan"],
        },
        {
            "measure": "Decisions whether to assess within 6 weeks",
            "value": _share(
                summary["decisions_within_6_weeks"],
                summary["decisions_made"],
                summary["decisions_within_6_weeks_pct"],
            ),
        },
        {
            "measure": "Open cases",
            "value": f"{summary['open_cases']}"
            + (
                " (" + ", ".join(f"{open_by[s]} {s.replace('_', ' ')}" for s in busy) + ")"
                if (busy := [s for s in OPEN_STATUSES if open_by[s]])
                else ""
            ),
        },
    ]


def _print_months(summary: dict, stream) -> None:
    rows = [
        {
            "month": month["month"],
            "requests": month["cases"],
            "final plans": month["final_plans_issued"],
            "within 20 weeks": _share(
                month["final_plans_within_20_weeks"],
                month["final_plans_issued"],
                month["final_plans_within_20_weeks_pct"],
            ),
            "excluding exceptions": _pct(
                month["final_plans_within_20_weeks_excluding_exceptions_pct"]
            ),
            "decisions in 6 weeks": _pct(month["decisions_within_6_weeks_pct"]),
        }
        for month in summary["by_month"]
    ]
    if rows:
        print_table(rows, list(rows[0]), title="By month of request", stream=stream)


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}%"


def _print_worklist(summary: dict, key: str, title: str, days: str, stream) -> None:
    entries, count = summary[key], summary[f"{key}_count"]
    if not entries:
        console(stream).print(f"{title}: none")
        return
    rows = [
        {
            "case": e["case_id"],
            "milestone": e["milestone"],
            "due": long_date(date.fromisoformat(e["due"])),
            days: e["days"],
            "status": e["status"].replace("_", " "),
        }
        for e in entries[:TABLE_ROWS]
    ]
    more = f" - the first {TABLE_ROWS} shown; --format csv lists all" if count > TABLE_ROWS else ""
    print_table(rows, list(rows[0]), title=f"{title} ({count}){more}", stream=stream)

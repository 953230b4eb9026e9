"""Writing results: tables for people, CSV / JSON / JSON lines for scripts.

Every command that prints rows goes through :func:`emit`, so ``--format`` means the same
everywhere.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import IO

import click

from send_clock.safecsv import Writer

#: Columns of ids a user types back (milestone, case, calendar and process ids): never cut.
ID_COLUMNS = frozenset({"id", "case", "case_id", "milestone", "calendar", "process", "ref"})
#: ... and statuses, which read wrongly when cut or wrapped (as do ISO dates, in any column)
WHOLE_COLUMNS = ID_COLUMNS | {"status"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _kept_whole(column: str, values: list[str]) -> bool:
    """Ids (a column of ids, or of a default calendar, say: no value with a space) and ISO
    dates are never cut or wrapped in a table."""
    if any(" " in value for value in values):
        return False
    named = column in WHOLE_COLUMNS or column.endswith(("_id", "_calendar", "_process"))
    return named or all(_ISO_DATE.fullmatch(value) for value in values if value)


def to_json(value) -> str:
    return json.dumps(value, indent=2, default=_jsonable, ensure_ascii=False)


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_cell(item) for item in value)
    return str(value)


def write_csv(
    rows: Iterable[dict], columns: Sequence[str], stream: IO[str], raw: bool = False
) -> None:
    """CSV; cells a spreadsheet would run as formulas neutralised unless ``raw``."""
    writer = Writer(stream, line_end="\n", raw=raw)
    writer.writerow(columns)
    writer.writerows([_cell(row.get(key)) for key in columns] for row in rows)


def console(stream: IO[str] | None = None, min_width: int = 0):
    """A rich console: colour on a terminal, plain and wide enough not to wrap otherwise
    (``$COLUMNS`` sets the width either way); never narrower than ``min_width``."""
    stream = stream or sys.stdout
    terminal = stream.isatty()
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    else:
        width = shutil.get_terminal_size().columns if terminal else 200
    return _console_class()(
        file=stream,
        width=max(width, min_width),
        no_color=not terminal,
        highlight=False,
        emoji=False,
    )


@contextmanager
def progress_bar(what: str, total: int | None = None):
    """``progress(done)`` drawing a bar (or a count, when ``total`` is unknown) of ``what`` on
    standard error, on a terminal only; None elsewhere, so a pipe or a file gets nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console(sys.stderr), transient=True) as bar:
        task = bar.add_task(what, total=total)
        bar.refresh()  # shown from the start, however quick the work

        def progress(done: int) -> None:
            bar.update(task, completed=done)

        yield progress


@cache
def _console_class():
    from rich.console import Console

    class PipeAwareConsole(Console):
        """Rich exits 1 when the reader of a pipe goes away; ``| head`` is not an error, so
        the command line's handler (exit 0) sees the broken pipe instead."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return PipeAwareConsole


def print_table(
    rows: Sequence[dict],
    columns: Sequence[str],
    title: str | None = None,
    headers: dict[str, str] | None = None,
    stream: IO[str] | None = None,
    styles: dict[str, str] | None = None,
    nowrap: Sequence[str] = (),
) -> None:
    """A table for a person to read. ``styles`` maps a cell value to a rich style; ``nowrap``
    columns (dates, statuses) are never broken across lines."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    headers = headers or {}
    stream = stream or sys.stdout
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, header_style="bold")
    texts = [[_cell(row.get(column)) for column in columns] for row in rows]
    needed = 2  # what the whole columns take, and a few characters for each of the others
    for index, column in enumerate(columns):
        header = headers.get(column, column.replace("_", " "))
        values = [cells[index] for cells in texts]
        if _kept_whole(column, values):
            # an id (or an ISO date, a status): whole, on one line; other columns wrap instead
            longest = max([len(header), *map(len, values)])
            table.add_column(header, no_wrap=True, min_width=longest)
            needed += longest + 3
        else:
            table.add_column(header, no_wrap=column in nowrap)
            needed += 9
    for cells in texts:
        table.add_row(*(Text(cell, style=(styles or {}).get(cell, "")) for cell in cells))
    # wider than the terminal (which then folds the lines) rather than an id cut short
    print_plain_or_styled(table, stream, needed)


def print_plain_or_styled(renderable, stream: IO[str], min_width: int = 0) -> None:
    """On a terminal, as rich draws it; elsewhere (a pipe, a file) without the spaces that pad
    each line to the table's width."""
    if stream.isatty():
        console(stream, min_width).print(renderable)
        return
    buffer = io.StringIO()
    console(buffer, min_width).print(renderable)
    stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def emit(
    rows: Sequence[dict],
    fmt: str,
    columns: Sequence[str],
    title: str | None = None,
    headers: dict[str, str] | None = None,
    stream: IO[str] | None = None,
    styles: dict[str, str] | None = None,
    raw_csv: bool = False,
) -> None:
    """Write ``rows`` as ``table``, ``csv``, ``json`` or ``jsonl``."""
    stream = stream or sys.stdout
    if fmt == "table":
        print_table(rows, columns, title, headers, stream, styles)
    elif fmt == "csv":
        write_csv(rows, columns, stream, raw=raw_csv)
    elif fmt == "json":
        stream.write(to_json([{key: row.get(key) for key in columns} for row in rows]) + "\n")
    elif fmt == "jsonl":
        for row in rows:
            stream.write(
                json.dumps(
                    {key: row.get(key) for key in columns}, default=_jsonable, ensure_ascii=False
                )
                + "\n"
            )
    else:  # pragma: no cover - click restricts the choices
        raise click.BadParameter(f"unknown format {fmt!r}")


def format_option(*choices: str, default: str | None = None):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )

"""Writing results: tables for people, CSV / JSON / JSON lines for scripts.

Every command that prints rows goes through :func:`emit`, so ``--format`` means the same
everywhere.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import IO

import click

from send_clock.safecsv import neutral


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


def write_csv(rows: Iterable[dict], columns: Sequence[str], stream: IO[str]) -> None:
    writer = csv.DictWriter(
        stream, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutral(_cell(row.get(key))) for key in columns})


def console(stream: IO[str] | None = None):
    """A rich console: colour on a terminal, plain and wide enough not to wrap otherwise
    (``$COLUMNS`` sets the width either way)."""
    stream = stream or sys.stdout
    terminal = stream.isatty()
    columns = os.environ.get("COLUMNS", "")
    return _console_class()(
        file=stream,
        width=int(columns) if columns.isdigit() else None if terminal else 200,
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
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, header_style="bold")
    for column in columns:
        table.add_column(headers.get(column, column.replace("_", " ")), no_wrap=column in nowrap)
    for row in rows:
        cells = [_cell(row.get(column)) for column in columns]
        table.add_row(*(Text(cell, style=(styles or {}).get(cell, "")) for cell in cells))
    console(stream).print(table)


def emit(
    rows: Sequence[dict],
    fmt: str,
    columns: Sequence[str],
    title: str | None = None,
    headers: dict[str, str] | None = None,
    stream: IO[str] | None = None,
    styles: dict[str, str] | None = None,
) -> None:
    """Write ``rows`` as ``table``, ``csv``, ``json`` or ``jsonl``."""
    stream = stream or sys.stdout
    if fmt == "table":
        print_table(rows, columns, title, headers, stream, styles)
    elif fmt == "csv":
        write_csv(rows, columns, stream)
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

"""A big caseload written as rows (CSV or JSON lines) by two processes at once.

For a file of many cases (hundreds of thousands), one process reads, projects and writes the
first half of the rows while a second one does the second half: into the output file itself,
from where the first half's rows will end (the first process measures them before writing them
and tells the second), or, when the output is no file (a pipe), into a spool that is added to
the output afterwards. The result is byte for byte what one process writes. The split is
made at the start of a row (after a line break outside any quoted value), so each half is a
valid CSV on its own given the header.

If a case id of the second half also appears in the first, the work is done again by one
process, so duplicates are reported exactly as they are otherwise. Where processes cannot be
forked (Windows, macOS) or the machine has one core, one process does it all.

Forking is only done from a program with one thread (the command line); elsewhere, or with
``parallel=False``, one process does the work.

>>> import io, pathlib, tempfile
>>> from datetime import date
>>> path = pathlib.Path(tempfile.mkdtemp()) / "caseload.csv"
>>> _ = path.write_text("case_id,received,final_plan\\nA,2025-01-06,2025-05-23\\n")
>>> out = io.BytesIO()
>>> written = write_rows(path, "jsonl", out, as_of=date(2025, 12, 1))
>>> written.cases, len(out.getvalue().splitlines())
(1, 8)
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from ..calendars import Calendar
from ..csvfiles import header_key, open_columns
from ..errors import InputError, SendClockError
from ..timelines import Process, bundled_processes
from .batches import Caseload, Rejected, Report, project_caseload
from .caseload import read_caseload, read_caseload_part
from .columns import shared_values
from .render import Rows, csv_rows, jsonl_rows

#: Files smaller than this are done by one process: starting a second would not pay.
SPLIT_BYTES = 16 << 20
#: Bytes of the second half's rows kept in memory until the first half is written; the rest goes
#: to a temporary file on disk. (Writing to memory costs a fifth of the CPU time of writing to
#: a file on ext4: a million cases' second half is some 900 MB.)
SPOOL_MEMORY_BYTES = 1 << 30
_BLOCK = 1 << 22


def use_jemalloc_for_arrow() -> None:
    """Make jemalloc pyarrow's memory pool for this process, where pyarrow has it and the
    ``ARROW_DEFAULT_MEMORY_POOL`` variable does not choose another. A program's choice (the
    command line's), not a library's: the pool is the whole process's. Why: pyarrow's default,
    mimalloc, gave the pages of its buffers back and took new ones (which the kernel zeroes)
    for each block read and chunk written; with jemalloc the report spends a third of the
    system time and holds some 50 MB less at its peak."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # (a pyarrow built without jemalloc)
        pa.set_memory_pool(pa.jemalloc_memory_pool())


@dataclass
class RowsWritten:
    """What :func:`write_rows` wrote: how many cases, and what it could not use."""

    cases: int
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def write_rows(
    path: str | Path,
    fmt: str,
    out: BinaryIO,
    *,
    as_of: date,
    process: str | Path | Process | None = None,
    calendar: str | Path | Calendar | None = None,
    parallel: bool = True,
    raw: bool = False,
) -> RowsWritten:
    """Read the caseload CSV at ``path`` and write one row per case and milestone as ``fmt``
    (``csv`` or ``jsonl``) to ``out``; in two processes when the file is big enough."""
    path = Path(path)
    options = {"process": process, "calendar": calendar}
    if parallel and _can_split(path):
        split = _split_point(path)
        if split is not None:
            written = _in_two(path, split, fmt, out, as_of, options, raw)
            if written is not None:
                return written
    report = project_caseload(read_caseload(path, **options), as_of)
    _writer(fmt, raw=raw)(report.batches, out)
    return RowsWritten(report.cases, report.rejected, report.warnings)


def _writer(fmt: str, header: bool = True, raw: bool = False):
    return lambda batches, out: _rows(fmt, batches, header, raw).write(out)


def _rows(fmt: str, batches, header: bool = True, raw: bool = False) -> Rows:
    if fmt == "csv":
        return csv_rows(batches, header=header, raw=raw)
    if fmt == "jsonl":
        return jsonl_rows(batches)
    raise ValueError(f"rows are written as csv or jsonl, not {fmt!r}")


def _can_split(path: Path) -> bool:
    try:
        big = path.stat().st_size >= SPLIT_BYTES
    except OSError:
        return False  # the one-process path says what is wrong
    return (
        big
        and threading.active_count() == 1  # forking a threaded program is not safe
        and (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and os.name == "posix"
        and os.uname().sysname == "Linux"
    )


# -- where to cut -------------------------------------------------------------------------------
def _split_point(path: Path) -> tuple[int, int] | None:
    """(byte offset, line number) of a row start near the middle of the file: just after a line
    break with an even number of quote characters before it. None if there is none."""
    middle = path.stat().st_size // 2
    quotes = lines = 0
    with path.open("rb") as stream:
        data = stream.read(middle)
        quotes, lines = data.count(b'"'), data.count(b"\n")
        offset = middle
        while block := stream.read(_BLOCK):
            start = 0
            while (end := block.find(b"\n", start)) >= 0:
                quotes += block.count(b'"', start, end)
                lines += 1
                if quotes % 2 == 0:
                    return offset + end + 1, lines + 1
                start = end + 1
            quotes += block.count(b'"', start)
            offset += len(block)
    return None


def _header_and_first_half(path: Path, split: int) -> tuple[list[str], io.BytesIO]:
    with path.open("rb") as stream:
        first = io.BytesIO(stream.read(split))
    header = open_columns(first, path.name).header
    first.seek(0)
    return header, first


# -- two processes ------------------------------------------------------------------------------
def _in_two(path, split, fmt, out, as_of, options, raw) -> RowsWritten | None:
    """Write the rows with a second process doing the second half; None when one process must
    do it after all (an unusable header, or case ids in both halves)."""
    offset, first_line = split
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    where_from, where_to = context.Pipe(duplex=False)  # where the second half's rows go
    placed = _placeable(out)
    _before_forking()
    with _Spool() as second_half:
        target = where_from if placed is not None else second_half
        helper = context.Process(
            target=_second_half,
            args=(path, offset, first_line, fmt, as_of, options, raw, target, sender),
            kwargs={"parents": (receiver, where_to)},
            daemon=True,
        )
        helper.start()
        sender.close()
        where_from.close()
        try:
            header, first_stream = _header_and_first_half(path, offset)
            if "case_id" not in map(header_key, header):
                return None  # let one process give the error about the header
            first = read_caseload(first_stream, name=path.name, **options)
            kind, found = _message(receiver, helper)
            if kind == "error":
                raise InputError(found)
            if shared_values(first.case_ids, found):
                return None
            report = project_caseload(first, as_of)
            rows = _rows(fmt, report.batches, raw=raw)
            if placed is not None:  # the second half starts where the first will end
                end_of_first = out.tell() + rows.size()
                where_to.send((placed, end_of_first))
            rows.write(out)
            kind, second = _message(receiver, helper)
            if kind == "error":
                raise InputError(second)
            if placed is None:
                second_half.append_to(out)
            else:
                _after_both(out, end_of_first)
        finally:
            if helper.is_alive():
                helper.terminate()
            helper.join()
            receiver.close()
            where_to.close()
    return _combined(report, second)


def _before_forking() -> None:
    """Import pyarrow's CSV reader and compute functions, and read the bundled processes,
    before forking: both processes use them, and the second then finds them ready (a tenth of
    a second of CPU time, more on a busy machine, not spent twice)."""
    import pyarrow.compute  # noqa: F401
    import pyarrow.csv  # noqa: F401

    bundled_processes()  # (kept once read: each reader of a caseload looks them up)


def _placeable(out: BinaryIO) -> int | None:
    """The file descriptor of ``out`` if the second process can write its rows straight into
    it at their place (a file, or the null device, not opened to append); else None (a pipe, a
    terminal, a stream in memory: the rows wait in a spool)."""
    import fcntl  # (POSIX: two processes run on Linux only)

    try:
        descriptor = out.fileno()
        found = os.fstat(descriptor)
        appending = fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_APPEND
        seekable = out.seekable()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    null = stat.S_ISCHR(found.st_mode) and found.st_rdev == os.stat(os.devnull).st_rdev
    placeable = seekable and not appending and (stat.S_ISREG(found.st_mode) or null)
    return descriptor if placeable else None


def _after_both(out: BinaryIO, end_of_first: int) -> None:
    """Check that the first half ended where the second was placed (in a file: the null
    device is always at 0), and leave ``out`` at the end of both."""
    out.flush()
    in_file = stat.S_ISREG(os.fstat(out.fileno()).st_mode)
    if in_file and out.tell() != end_of_first:  # (a wrong measure: a gap or an overlap)
        raise RuntimeError(
            f"the first half's rows ended at byte {out.tell()}, not {end_of_first} as measured"
        )
    out.seek(0, os.SEEK_END)


def _message(receiver, helper):
    try:
        return receiver.recv()
    except EOFError:
        helper.join()
        raise RuntimeError(
            f"the second process stopped without a word (exit code {helper.exitcode})"
        ) from None


def _second_half(path, offset, first_line, fmt, as_of, options, raw, target, sender, parents=()):
    """In the helper process: read, project and write the rows from ``offset`` on, to the
    spool, or (``target`` a connection) at the place in the output the first process sends."""
    # The first process's ends of both pipes, inherited by the fork, closed: if it dies (killed,
    # out of memory), a send finds no reader and a receive its end, and this process ends
    # (holding them, it waited for ever on a pipe that it alone could read).
    for end in parents:
        end.close()
    try:
        with path.open("rb") as rest:
            rest.seek(offset)
            with path.open("rb") as start:
                table = open_columns(start, path.name)
            caseload: Caseload = read_caseload_part(
                rest, table.header, first_line, name=path.name, separator=table.separator, **options
            )
        sender.send(("ids", caseload.case_ids))
        report = project_caseload(caseload, as_of)
        rows = _rows(fmt, report.batches, header=False, raw=raw)
        if isinstance(target, _Spool):
            rows.write(target)
            target.flush()
        else:
            descriptor, place = target.recv()
            rows.write(_At(descriptor, place))
        sender.send(("done", RowsWritten(report.cases, report.rejected, report.warnings)))
    except (EOFError, BrokenPipeError):
        pass  # the first process gave the work back to one process, or is gone: nothing to write
    except SendClockError as error:
        sender.send(("error", str(error)))
    except UnicodeDecodeError as error:
        sender.send(("error", f"{path.name} is not UTF-8 text ({error.reason})"))
    except OSError as error:  # (the output's place is full, or gone)
        sender.send(("error", f"cannot write the rows: {error.strerror}"))
    finally:
        sender.close()


class _At:
    """Writes to a file descriptor from a place on, whatever its position (which the first
    process moves as it writes its own rows)."""

    def __init__(self, descriptor: int, place: int):
        self.descriptor, self.place = descriptor, place

    def write(self, data) -> int:
        data = memoryview(data)
        size = len(data)
        while len(data):
            written = os.pwrite(self.descriptor, data, self.place)
            self.place += written
            data = data[written:]
        return size


class _Spool:
    """Where the second process writes its rows until the first half is written: an anonymous
    file in memory for the first :data:`SPOOL_MEMORY_BYTES`, then a temporary file on disk
    (memory use stays bounded whatever the file's size). Made before the second process is
    forked, so both processes hold its files."""

    def __init__(self):
        self.disk = tempfile.TemporaryFile(prefix="send-clock-")  # noqa: SIM115 - closed on exit
        try:
            self.memory = open(os.memfd_create("send-clock-rows"), "wb+")  # noqa: SIM115 - closed on exit
            self.room = SPOOL_MEMORY_BYTES
        except (AttributeError, OSError):  # no anonymous memory files here: disk only
            self.memory, self.room = None, 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *_) -> None:
        self.disk.close()
        if self.memory is not None:
            self.memory.close()

    def write(self, data) -> int:
        data = memoryview(data)
        size = len(data)
        if self.room:
            kept = data[: self.room]
            self.memory.write(kept)
            self.room -= len(kept)
            data = data[len(kept) :]
        if len(data):
            self.disk.write(data)
        return size

    def flush(self) -> None:
        self.disk.flush()
        if self.memory is not None:
            self.memory.flush()

    def append_to(self, out: BinaryIO) -> None:
        """Add what was written (memory first, then disk) to ``out``."""
        if self.memory is not None:
            _append(self.memory, out)
        _append(self.disk, out)


def _append(second_half, out: BinaryIO) -> None:
    second_half.seek(0)
    out.flush()
    with contextlib.suppress(OSError, AttributeError, io.UnsupportedOperation):
        size = os.fstat(second_half.fileno()).st_size
        done = 0
        while done < size:
            sent = os.sendfile(out.fileno(), second_half.fileno(), done, size - done)
            if sent == 0:
                break
            done += sent
        if done == size:
            return
        second_half.seek(done)
    shutil.copyfileobj(second_half, out, _BLOCK)


def _combined(first: Report, second: RowsWritten) -> RowsWritten:
    warnings = list(first.warnings)
    warnings += [w for w in second.warnings if w not in warnings]
    rejected = sorted(
        first.rejected + second.rejected, key=lambda r: r.line if r.line is not None else -1
    )
    return RowsWritten(first.cases + second.cases, rejected, warnings)

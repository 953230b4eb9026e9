"""Reading the project's TOML data files: calendars, processes and panel schedules.

The three loaders share the same small pieces, kept here: finding a package's bundled
``data/*.toml`` files, resolving a reference to a bundled id or a file path (each file version
read once), decoding UTF-8 text, parsing TOML, and a :class:`TableReader` that checks the keys and
values of a table. Every error is the loader's own ``*FileError``, naming the file, the entry
and the reason.

>>> from send_clock.errors import PanelFileError
>>> table = parse_toml('''
... title = "Decision panel"
... dates = [2025-09-03, "17/09/2025"]
... ''', "panel.toml", PanelFileError)
>>> read = TableReader("panel.toml", PanelFileError)
>>> read.text(table, "title", "top level"), read.dates(table, "dates", "top level")
('Decision panel', (datetime.date(2025, 9, 3), datetime.date(2025, 9, 17)))
>>> read.keys(table, {"title", "serves"}, "top level")
Traceback (most recent call last):
...
send_clock.errors.PanelFileError: panel.toml: top level: unknown key 'dates'; the keys here are:
serves, title
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from .dates import parse_date
from .errors import DataFileError, InputError, SendClockError

T = TypeVar("T")

#: The id of a data file (a calendar, process or panel schedule): ``england-ehcna``.
FILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# -- finding files -----------------------------------------------------------------------------
@cache
def bundled_files(package: str) -> Mapping[str, Path]:
    """The ``data/*.toml`` files bundled with ``package``, by id (the file name without
    ``.toml``). Listed once: every request that names a process or calendar looks it up here,
    and listing the folder cost more than projecting a case.

    >>> sorted(bundled_files("send_clock.timelines"))[0], "england-ehcna" in bundled_files(
    ...     "send_clock.timelines")
    ('england-annual-review', True)
    """
    folder = resources.files(package) / "data"
    return MappingProxyType(
        {
            Path(str(entry)).stem: Path(str(entry))
            for entry in folder.iterdir()
            if entry.name.endswith(".toml")
        }
    )


class DataFiles(Generic[T]):
    """The data files of one kind: bundled with ``package`` by id, or a user's own by path.

    ``kind``: the type loaded (a value of it is taken as it is); ``read(path, origin)`` loads the
    file at ``path``, with ``origin`` ``"bundled"`` or the path itself. A ``ref`` that is neither
    a bundled id nor a file that exists is an ``unknown`` error naming the bundled ``noun`` ids,
    then ``hint``. Loads are cached: a bundled file once, a user's file once per version (path,
    modification time and size), so a bulk job naming one file on every row reads it once and
    an edited file is read again. A file that fails to load is not cached.
    """

    def __init__(
        self,
        package: str,
        kind: type[T],
        read: Callable[[str, str], T],
        unknown: type[SendClockError],
        noun: str,
        hint: str = "",
    ):
        self.package, self.kind = package, kind
        self.unknown, self.noun, self.hint = unknown, noun, hint

        @cache
        def bundled(path: str) -> T:
            return read(path, "bundled")

        @cache
        def file_version(path: str, _mtime_ns: int, _size: int) -> T:
            return read(path, path)

        self._bundled, self._file_version = bundled, file_version

    def ids(self) -> list[str]:
        """The ids of the bundled files, sorted."""
        return sorted(bundled_files(self.package))

    def bundled(self) -> list[T]:
        """Every bundled file, loaded, in the order of :meth:`ids`."""
        files = bundled_files(self.package)  # listed once, not once per file (every page's)
        return [self._bundled(str(files[file_id])) for file_id in sorted(files)]

    def load(self, ref: str | Path | T) -> T:
        """``ref`` itself when it is already loaded, else the bundled file of that id, else the
        file at that path."""
        if isinstance(ref, self.kind):
            return ref
        text = str(ref)
        bundled = bundled_files(self.package)
        if text in bundled:
            return self._bundled(str(bundled[text]))
        path = Path(text).expanduser()
        if path.is_file():
            stat = path.stat()
            return self._file_version(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        raise self.unknown(
            f"no {self.noun} {text!r}: it is not a bundled {self.noun} "
            f"({', '.join(self.ids())}) nor a file that exists{self.hint}"
        )


# -- text and TOML ----------------------------------------------------------------------------
def decode_text(raw: bytes, path: str, error: type[DataFileError]) -> str:
    """``raw`` as UTF-8 text (a byte-order mark is dropped); ``error`` names the first byte
    that is not UTF-8.

    >>> from send_clock.errors import CalendarFileError
    >>> decode_text("Café".encode("latin-1"), "council.toml", CalendarFileError)
    Traceback (most recent call last):
    ...
    send_clock.errors.CalendarFileError: council.toml: byte 3: the file is not UTF-8 text
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as decode_error:
        raise error(path, f"byte {decode_error.start}", "the file is not UTF-8 text") from None


def parse_toml(text: str, path: str, error: type[DataFileError]) -> dict[str, Any]:
    """The top-level table of TOML ``text``; ``error`` when it is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as toml_error:
        raise error(path, "", f"not valid TOML: {toml_error}") from None


# -- reading tables ---------------------------------------------------------------------------
class TableReader:
    """Reads the tables of one file; every error is an ``error(path, where, reason)``, where
    ``where`` names the entry being read."""

    def __init__(self, path: str, error: type[DataFileError]):
        self.path, self.error = path, error

    def fail(self, where: str, reason: str) -> DataFileError:
        """The error to raise: ``raise read.fail(where, reason)``."""
        return self.error(self.path, where, reason)

    def keys(self, table: Any, allowed: set[str], where: str) -> dict:
        """``table``, checked to be a table with no keys but ``allowed``."""
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                where,
                f"unknown key {unknown[0]!r}; the keys here are: {', '.join(sorted(allowed))}",
            )
        return table

    def file_id(self, table: dict, kind: str, example: str) -> str:
        """The ``id`` of a file's top-level ``table``, by default the file's name without its
        suffix; an error naming the ``kind`` of id and an ``example`` when it is not a
        :data:`FILE_ID`."""
        value = table.get("id", Path(self.path).stem)
        if not isinstance(value, str) or not FILE_ID.match(value):
            raise self.fail(
                "id",
                f"{value!r} is not a {kind} id: use lower-case letters, digits and hyphens, "
                f"e.g. {example!r}",
            )
        return value

    def text(self, table: dict, key: str, where: str, required: bool = False) -> str:
        """The text of ``key`` with surrounding white space removed; ``""`` when it is absent,
        an error when it is absent or blank and ``required``."""
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(where, f"{key} must be text, not {value!r}")
        if required and not value.strip():
            raise self.fail(where, f"{key} is missing or empty")
        return value.strip()

    def list(self, table: dict, key: str, where: str) -> list:
        """The list of ``key``; ``[]`` when it is absent."""
        value = table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(where, f"{key} must be a list")
        return value

    def flag(self, table: dict, key: str, where: str, default: bool) -> bool:
        """The true or false of ``key``; ``default`` when it is absent."""
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, f"{key} must be true or false, not {value!r}")
        return value

    def date(self, value: Any, where: str) -> date:
        """A TOML date, or a date written as text (``YYYY-MM-DD`` or ``DD/MM/YYYY``)."""
        if value is None:
            raise self.fail(where, "the date is missing")
        if isinstance(value, datetime):
            raise self.fail(where, f"{value} has a time of day: give the date only")
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except InputError as error:
            raise self.fail(where, str(error)) from None

    def dates(self, table: dict, key: str, where: str) -> tuple[date, ...]:
        """The dates listed in ``key``; ``()`` when it is absent. Each is read by :meth:`date`
        with ``where`` and ``key`` naming it."""
        return tuple(self.date(value, f"{where} {key}") for value in self.list(table, key, where))

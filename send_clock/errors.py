"""The one exception hierarchy of send-clock.

Every error the library raises on purpose is a :class:`SendClockError` whose message is written
for a case officer: what was wrong and, where it helps, what would fix it. The command line turns
these into one line on stderr and a non-zero exit; the service into a 4xx problem body.
"""

from __future__ import annotations


class SendClockError(Exception):
    """Base class: a problem with the input or the data, never a bug."""


class InputError(SendClockError):
    """A value given by the user cannot be used (bad date, unknown unit, malformed row...)."""


class DataFileError(SendClockError):
    """A data file is invalid: the base of :class:`CalendarFileError`, :class:`ProcessFileError`
    and :class:`PanelFileError`, whose message is ``path: where: reason`` (``path: reason`` when
    the problem is the whole file)."""

    def __init__(self, path: str, where: str, reason: str):
        self.path, self.where, self.reason = path, where, reason
        super().__init__(f"{path}: {where}: {reason}" if where else f"{path}: {reason}")


class CalendarError(SendClockError):
    """A calendar cannot be found or its data is invalid."""


class UnknownCalendar(CalendarError):
    """No bundled calendar has this id and no file has this path."""


class CalendarFileError(DataFileError, CalendarError):
    """A calendar file (TOML, ICS or CSV) is invalid; names the file, the entry and the reason."""


class OutOfCoverage(CalendarError):
    """A count needs calendar data (term dates, bank holidays) that the calendar does not have."""


class ProcessError(SendClockError):
    """A process definition cannot be found or is invalid."""


class ProcessFileError(DataFileError, ProcessError):
    """A process file is invalid; names the file, the entry and the reason."""


class PanelError(SendClockError):
    """A panel schedule cannot be found, is invalid, or does not fit the process it is used with."""


class PanelFileError(DataFileError, PanelError):
    """A panel schedule file is invalid; names the file, the entry and the reason."""


class NotFound(SendClockError):
    """A stored case, record or feed does not exist (or was revoked)."""


class Gone(NotFound):
    """A calendar feed that existed and was revoked: its URL stays dead for good."""


class Conflict(SendClockError):
    """The request clashes with what is stored (e.g. a case reference already in use)."""


class StaleVersion(SendClockError):
    """The case changed since the version the request was based on (optimistic concurrency)."""

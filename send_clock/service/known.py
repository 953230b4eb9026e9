"""The one check every HTTP entry point (API, pages, CSV import) makes on a process or calendar
named by a client: it must be the id of a bundled one.

The library also loads a process or calendar from a file path, which is right on the command
line but not over HTTP: a path would let a client read the server's files (whether
``/etc/passwd`` exists, what ``/proc/self/environ`` holds) and a stored path that later
disappears would break every page listing that case. So a path is refused here, before anything
is opened, with the same message whether or not such a file exists.
"""

from __future__ import annotations

from ..calendars import bundled_calendars, load_calendar
from ..calendars import bundled_ids as bundled_calendar_ids
from ..calendars.model import Calendar
from ..errors import NotFound
from ..timelines import load_process
from ..timelines.loader import bundled_ids as bundled_process_ids
from ..timelines.model import Process


class UnknownId(NotFound):
    """A process or calendar named over HTTP is not a bundled id (a file path never is)."""


def is_calendar_id(value: str) -> bool:
    return value in bundled_calendar_ids()


def is_process_id(value: str) -> bool:
    return value in bundled_process_ids()


def calendar(calendar_id: str, hint: str = "GET /v1/calendars lists them") -> Calendar:
    """The bundled calendar ``calendar_id``; :class:`UnknownId` for anything else."""
    if not is_calendar_id(calendar_id):
        raise UnknownId(f"no calendar {_shown(calendar_id)}; {hint}")
    return load_calendar(calendar_id)


def process(process_id: str, hint: str = "GET /v1/processes lists them") -> Process:
    """The bundled process ``process_id``; :class:`UnknownId` for anything else."""
    if not is_process_id(process_id):
        raise UnknownId(f"no process {_shown(process_id)}; {hint}")
    return load_process(process_id)


def term_calendars() -> list[Calendar]:
    """The bundled calendars with school terms (the request calendar needs them)."""
    return [c for c in bundled_calendars() if c.has_terms]


def _shown(value: str) -> str:
    """The value as echoed in a message: quoted, and cut short (it came from a client)."""
    return repr(value if len(value) <= 60 else value[:57] + "...")

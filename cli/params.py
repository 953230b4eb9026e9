"""Click parameter types that read values the way the library does, with its messages."""

from __future__ import annotations

import click

from send_clock.dates import parse_date
from send_clock.errors import SendClockError


class DateType(click.ParamType):
    """A date as ``YYYY-MM-DD`` or ``DD/MM/YYYY``; an impossible one is a usage error."""

    name = "DATE"

    def convert(self, value, param, ctx):
        try:
            return parse_date(value)
        except SendClockError as error:
            self.fail(str(error), param, ctx)


DATE = DateType()

CALENDAR_HELP = (
    "Calendar: a bundled id (see `send-clock calendars list`) or a .toml/.ics/.csv path."
)

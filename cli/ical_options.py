"""The iCalendar options shared by commands that write ``--format ics`` feeds, and the writing.

``--output``, ``--alarms``, ``--previous`` and ``--domain`` mean the same wherever a feed is
written; each is refused with another format, except ``--output`` where a command's own
``--output`` serves every format (``@ics_options(output=False)``).
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from send_clock.errors import InputError

#: ``send_clock.ical.DEFAULT_DOMAIN``, repeated so that a command imports send_clock.ical (and
#: icalendar, a tenth of a second) only when it writes a feed; a test ties the two.
DEFAULT_DOMAIN = "send-clock.invalid"
#: The environment variable that sets the UID domain when --domain is not given.
DOMAIN_ENV = "SEND_CLOCK_ICAL_DOMAIN"


def domain_option(help_text: str = "The part of each event UID after the @."):
    """``--domain``: the UID domain of an iCalendar export (or ``$SEND_CLOCK_ICAL_DOMAIN``)."""
    return click.option(
        "--domain",
        default=DEFAULT_DOMAIN,
        show_default=True,
        envvar=DOMAIN_ENV,
        show_envvar=True,
        help=help_text,
    )


def previous_option():
    """``--previous``: the last export of the same feed, whose SEQUENCE values carry on."""
    return click.option(
        "--previous",
        default=None,
        metavar="FILE.ics",
        help="The previous export of this feed: events whose date or text changed since get "
        "a higher SEQUENCE, the others keep theirs (with --format ics).",
    )


def ics_options(command=None, *, output: bool = True):
    """Add the shared iCalendar options to ``command``: ``@ics_options``, or
    ``@ics_options(output=False)`` for a command that has an ``--output`` of its own."""
    if command is None:
        return functools.partial(ics_options, output=output)
    options = (
        click.option(
            "--output",
            "-o",
            default=None,
            metavar="FILE",
            help="Write the feed to FILE instead of standard output (with --format ics).",
        ),
        click.option(
            "--alarms",
            default=None,
            metavar="DAYS",
            help="Reminders, in days before each date still to come, e.g. 7,1 (default: none).",
        ),
        previous_option(),
        domain_option(),
    )
    for option in reversed(options if output else options[1:]):
        command = option(command)
    return command


def refuse_without_ics(fmt: str, **given) -> None:
    """A usage error for an iCalendar option given with another format."""
    if fmt == "ics":
        return
    for name, value in given.items():
        if value not in (None, "", ()):
            raise click.UsageError(f"--{name.replace('_', '-')} is used only with --format ics")


def feed_settings(alarms: str | None, previous: str | None, domain: str) -> dict:
    """The library's keyword arguments for the shared options: parsed and checked."""
    from send_clock.ical import check_domain, parse_alarms

    return {
        "alarms": parse_alarms(alarms),
        "previous": read_previous(previous) if previous else None,
        "domain": check_domain(domain),
    }


def read_previous(path: str) -> dict[str, tuple[int, str]]:
    """UID → (sequence, fingerprint) of the feed in ``path``; one-line errors for a file that
    cannot be read or is not an iCalendar feed."""
    from send_clock.ical import sequences_of

    try:
        raw = Path(path).expanduser().read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the previous feed {path}: {error.strerror}") from None
    try:
        return sequences_of(raw)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def write_feed(feed, output: str | Path | None) -> None:
    """Write ``feed`` as iCalendar bytes to ``output``, or to standard output."""
    data = feed.to_ical()
    if output is None or str(output) == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
        return
    try:
        Path(output).expanduser().write_bytes(data)
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror}") from None
    events = len(feed.walk("VEVENT"))
    click.echo(f"send-clock: wrote {events} event{'s' * (events != 1)} to {output}", err=True)

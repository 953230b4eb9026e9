"""Entry point: the ``send-clock`` command group and its error handling.

Exit codes scripts can trust:

* 0 - done;
* 1 - the input or the data was wrong (bad date, unknown calendar, out of coverage, a row that
  failed): one line on stderr says what and how to fix it;
* 2 - the command line itself was wrong (unknown option, missing argument);
* 70 - a bug in send-clock (set ``SEND_CLOCK_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import os
import sys

import click

from send_clock import __version__
from send_clock.errors import SendClockError


class SendClockGroup(click.Group):
    """A click group that turns every failure into one line on stderr and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.UsageError as error:
            return _fail(
                f"{_usage_prefix(error)}{error.format_message()} (try --help)", 2, standalone_mode
            )
        except SendClockError as error:
            return _fail(f"error: {error}", 1, standalone_mode)
        except click.ClickException as error:
            return _fail(f"error: {error.format_message()}", error.exit_code, standalone_mode)
        except click.exceptions.Abort:
            return _fail("aborted", 1, standalone_mode)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`): not an error
            return _finish(0, standalone_mode)
        except Exception as error:  # noqa: BLE001 - the last guard: never a traceback
            if os.environ.get("SEND_CLOCK_DEBUG"):
                raise
            return _fail(
                f"internal error ({type(error).__name__}: {error}); please report it, "
                "with SEND_CLOCK_DEBUG=1 for details",
                70,
                standalone_mode,
            )
        return _finish(result if isinstance(result, int) else 0, standalone_mode)


def _usage_prefix(error: click.exceptions.UsageError) -> str:
    # "send-clock date add" -> "date add: "; the program name already leads the line.
    path = error.ctx.command_path.partition(" ")[2] if error.ctx is not None else ""
    return f"{path}: " if path else ""


def _fail(message: str, code: int, standalone_mode: bool):
    click.echo(f"send-clock: {message}", err=True)
    return _finish(code, standalone_mode)


def _finish(code: int, standalone_mode: bool):
    if standalone_mode:
        sys.exit(code)
    return code


@click.group(cls=SendClockGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="send-clock")
def app() -> None:
    """send-clock: statutory SEN deadlines, counted exactly.

    Calendars hold bank holidays and school term dates; timelines project every milestone of a
    statutory process from the date a request was received.
    """


def _register() -> None:
    from . import breaches_cmd, calendars_cmd, date_cmd, panels_cmd, server_cmd, timeline_cmd

    app.add_command(date_cmd.date)
    app.add_command(calendars_cmd.calendars)
    app.add_command(timeline_cmd.processes)
    app.add_command(timeline_cmd.timeline)
    app.add_command(breaches_cmd.breaches)
    app.add_command(panels_cmd.panels)
    for command in (server_cmd.serve, server_cmd.db, server_cmd.tokens, server_cmd.users):
        app.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    app.main(prog_name="send-clock")


if __name__ == "__main__":  # pragma: no cover
    main()

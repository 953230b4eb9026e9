"""Entry point: the ``send-clock`` command group and its error handling.

Exit codes scripts can trust:

* 0 - done;
* 1 - the input or the data was wrong (bad date, unknown calendar, out of coverage, a row that
  failed): one line on stderr says what and how to fix it;
* 2 - the command line itself was wrong (unknown option, missing argument);
* 70 - a bug in send-clock (set ``SEND_CLOCK_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import contextlib
import importlib
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

    def invoke(self, ctx):
        # Caught here, inside click's own main, which would otherwise exit 1 on a broken pipe.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()
            return 0


def _quiet_stdout() -> None:
    """The reader went away (``| head``): not an error. Whatever is still buffered for standard
    output goes to the null device, so the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):  # no file descriptor (a test's capture)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


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


#: Each command: the module and attribute that define it, and the one-line help ``--help``
#: lists. Modules are imported only when their command runs, so ``send-clock --help`` and
#: ``send-clock date add`` do not pay for numpy-heavy reports, icalendar or the server's
#: libraries (tests/cli/test_startup.py checks the one-line help matches each command's own).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "breaches": (
        "breaches_cmd",
        "breaches",
        "Which statutory milestones were met, are late, overdue or due soon across a caseload.",
    ),
    "calendars": ("calendars_cmd", "calendars", "Bundled and user calendars."),
    "date": ("date_cmd", "date", "Date arithmetic in calendar and term-time units."),
    "db": ("server_cmd", "db", "The service's database schema."),
    "panels": ("panels_cmd", "panels", "Panel planning, and the request calendar."),
    "processes": ("timeline_cmd", "processes", "The statutory processes send-clock projects."),
    "serve": ("server_cmd", "serve", "Run the HTTP service."),
    "timeline": ("timeline_cmd", "timeline", "Project every milestone of PROCESS for one case."),
    "tokens": ("server_cmd", "tokens", "API tokens for the service."),
    "users": ("server_cmd", "users", "Staff accounts for the web pages."),
}


class LazyGroup(SendClockGroup):
    """The top-level group: commands are imported on first use (see :data:`COMMANDS`)."""

    def list_commands(self, ctx) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module_name, attribute, _summary = COMMANDS[cmd_name]
            module = importlib.import_module(f"{__package__ or 'cli'}.{module_name}")
            self.add_command(getattr(module, attribute), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx, formatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="send-clock")
def app() -> None:
    """send-clock: statutory SEN deadlines, counted exactly.

    Calendars hold bank holidays and school term dates; timelines project every milestone of a
    statutory process from the date a request was received.

    Shell completion: eval "$(_SEND_CLOCK_COMPLETE=bash_source send-clock)" in ~/.bashrc
    (zsh_source, fish_source for those shells).
    """


def main() -> None:
    """Console-script entry point."""
    app.main(prog_name="send-clock")


if __name__ == "__main__":  # pragma: no cover
    main()

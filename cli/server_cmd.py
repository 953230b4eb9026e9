"""``send-clock serve``, ``send-clock db``, ``send-clock tokens`` and ``send-clock users``: the
HTTP service and its database. Needs the server extra: ``pip install 'send-clock[server]'``."""

from __future__ import annotations

import errno
import os
import secrets
from datetime import date

import click

from send_clock.errors import SendClockError

DATABASE_HELP = (
    "Database URL (default: $SEND_CLOCK_DATABASE_URL, else send-clock.db in your user data "
    "directory, the same from any folder; PostgreSQL: postgresql+psycopg://user@host/db)."
)


def _server_extra_missing(error: ImportError) -> SendClockError:
    return SendClockError(
        f"the service needs the server extra ({error.name} is missing): "
        "pip install 'send-clock[server]'"
    )


def _store(database: str | None):
    try:
        from send_clock.store import Store
    except ImportError as error:
        raise _server_extra_missing(error) from None
    return Store(database)


database_option = click.option("--database", default=None, help=DATABASE_HELP)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@database_option
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (use PostgreSQL for more than one).",
)
@click.option(
    "--db-pool-size",
    default=None,
    type=click.IntRange(1, 100),
    help="Database connections each worker keeps open (default 10, or "
    "$SEND_CLOCK_DB_POOL_SIZE); up to twice as many more at peaks.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Access and error log lines on stderr: text, or one JSON object per line.",
)
@click.option(
    "--no-migrate",
    is_flag=True,
    help="Do not apply pending migrations; refuse to start if the database is behind.",
)
@click.option(
    "--public-url",
    default=None,
    help="Base URL for feed links, e.g. https://sen.example.gov.uk (default: as called).",
)
@click.option(
    "--default-calendar",
    default=None,
    metavar="ID|PATH",
    help="Calendar of a case that names none, where its process's own has no term dates "
    "(SEND_CLOCK_DEFAULT_CALENDAR): your council's term dates, so the school-closure exception "
    "can be checked.",
)
def serve(
    host,
    port,
    database,
    workers,
    db_pool_size,
    log_format,
    no_migrate,
    public_url,
    default_calendar,
):
    """Run the HTTP service (JSON API under /v1, OpenAPI at /openapi.json; /health and /ready
    for load balancers)."""
    # The option or, as the workers read it, the environment's: checked before anything starts.
    default_calendar = default_calendar or os.environ.get("SEND_CLOCK_DEFAULT_CALENDAR")
    if default_calendar:
        from send_clock.calendars import load_calendar

        calendar = load_calendar(default_calendar)
        is_file = calendar.id != default_calendar and os.path.exists(default_calendar)
        os.environ["SEND_CLOCK_DEFAULT_CALENDAR"] = (
            os.path.abspath(default_calendar) if is_file else default_calendar
        )
    if public_url:
        os.environ["SEND_CLOCK_PUBLIC_URL"] = public_url
    if db_pool_size:
        os.environ["SEND_CLOCK_DB_POOL_SIZE"] = str(db_pool_size)
        os.environ["SEND_CLOCK_DB_MAX_OVERFLOW"] = str(2 * db_pool_size)
    # Each worker counts the dashboard before it takes requests (see Settings.warm_pages).
    os.environ.setdefault("SEND_CLOCK_WARM_PAGES", "1")
    _check_settings()
    _refuse_port_in_use(host, port)
    store = _store(database)
    if no_migrate:
        store.require_current()
    else:
        before, now = store.upgrade()
        if before != now:
            click.echo(
                f"send-clock: database ({_named(store)}) migrated from {before or 'empty'} to "
                f"{now}",
                err=True,
            )
    _refresh(store)
    _fail_lost_jobs(store)
    store.dispose()
    # Workers are separate processes: they read their settings from the environment.
    os.environ["SEND_CLOCK_DATABASE_URL"] = store.url
    if workers > 1 and not os.environ.get("SEND_CLOCK_SESSION_SECRET"):
        # Every worker must sign sessions with the same secret, or a sign-in made on one is
        # refused by the next.
        os.environ["SEND_CLOCK_SESSION_SECRET"] = secrets.token_urlsafe(32)
        click.echo(
            "send-clock: SEND_CLOCK_SESSION_SECRET is not set; the workers share one made now "
            "(everyone signs in again after a restart)",
            err=True,
        )
    import uvicorn

    from send_clock.service.logs import log_config

    click.echo(
        f"send-clock: serving on http://{host}:{port} with {workers} worker(s) "
        f"(database: {_named(store)})",
        err=True,
    )
    uvicorn.run(
        "send_clock.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=log_config(log_format),
        server_header=False,
        proxy_headers=True,
    )


def _check_settings() -> None:
    """Every SEND_CLOCK_* setting checked once, before the database or a worker is touched: a
    bad value is one line and exit 1 here, not a traceback in each worker."""
    try:
        from send_clock.service.settings import Settings
    except ImportError as error:
        raise _server_extra_missing(error) from None
    Settings.from_env()


def _refuse_port_in_use(host: str, port: int) -> None:
    """One line, before anything else, when another program listens on the port (uvicorn would
    otherwise log its own lines after the database was migrated)."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        reason = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error})"
        raise SendClockError(
            f"port {port} on {host} {reason}: stop what listens there, or give another --port"
        ) from None


def _named(store) -> str:
    """The database, as every message about it names it."""
    from send_clock.store import describe_database

    return describe_database(store.url)


@click.group()
def db() -> None:
    """The service's database schema."""


@db.command()
@database_option
def upgrade(database):
    """Apply pending migrations."""
    store = _store(database)
    before, now = store.upgrade()
    click.echo(
        f"database ({_named(store)}) at revision {now}"
        + ("" if before == now else f" (was {before or 'empty'})")
    )


@db.command()
@database_option
def refresh(database):
    """Bring every case's stored statuses up to today (run daily, e.g. from cron, shortly after
    midnight; the service also does it at start-up and when it finds them stale)."""
    store = _store(database)
    store.require_current()
    count = _refresh(store)
    click.echo(f"{count} case(s) re-projected as of {date.today().isoformat()}")
    if _sums_mended(store):
        click.echo(
            "send-clock: the breach report's kept sums differed from counting every case "
            "(a case changed outside send-clock?) and were counted again",
            err=True,
        )


def _fail_lost_jobs(store) -> None:
    """Jobs a server that ended (killed, crashed) left ``running`` are marked failed now."""
    from send_clock.store import jobs

    with store.session() as session:
        lost = jobs.fail_unfinished_at_start(session)
    if lost:
        click.echo(
            f"send-clock: {lost} import job(s) left unfinished by a server that stopped are "
            "marked failed (nothing of them was stored)",
            err=True,
        )


def _sums_mended(store) -> bool:
    from send_clock.store.sums import checked

    with store.session() as session:
        return checked(session)


def _refresh(store) -> int:
    from send_clock.store.stored import refresh as refresh_projections

    return refresh_projections(store, date.today())


@db.command()
@database_option
def status(database):
    """The database's schema revision and the newest this send-clock ships."""
    store = _store(database)
    current, head = store.revisions()
    click.echo(
        f"database ({_named(store)}): current {current or 'none'}, newest {head}"
        + ("" if current == head else ": run `send-clock db upgrade`")
    )
    if current != head:
        raise SystemExit(1)


@click.group()
def tokens() -> None:
    """API tokens for the service (shown once, stored hashed)."""


@tokens.command()
@click.option("--name", required=True, help="Who or what uses it, e.g. sen-team-laptop.")
@click.option("--scope", type=click.Choice(["read", "write"]), required=True)
@database_option
def create(name, scope, database):
    """Create an API token and print it once."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        row, token = token_store.create_api_token(session, name, scope)
    click.echo(token)
    click.echo(
        f"send-clock: token {row.id} ({row.name}, {row.scope}) created; it is shown only now",
        err=True,
    )


@tokens.command("list")
@database_option
def list_tokens(database):
    """Every API token: id, name, scope, created, and whether it is revoked (the tokens
    themselves are not stored, only their hashes)."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        rows = token_store.list_api_tokens(session)
        lines = [
            _columns(
                TOKEN_COLUMNS,
                row.id,
                row.name,
                row.scope,
                _day(row.created_at),
                _state(row.revoked_at, "revoked"),
            )
            for row in rows
        ]
    click.echo(_columns(TOKEN_COLUMNS, "id", "name", "scope", "created", "status"))
    click.echo("\n".join(lines) or "(no tokens)")


@tokens.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1))
@database_option
def revoke_token(token_id, database):
    """Revoke token TOKEN_ID (from `tokens list`): it stops working at once, and so do the web
    sessions signed in with it."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        row = token_store.revoke_api_token(session, token_id)
    click.echo(f"token {row.id} ({row.name}) revoked")


@click.group()
def users() -> None:
    """Staff accounts for the web pages."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--scope", type=click.Choice(["read", "write"]), default="write", show_default=True)
@click.password_option(help="At least 10 characters (prompted when not given).")
@database_option
def create_user(username, scope, password, database):
    """Create a staff account that can sign in to the web pages."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        token_store.create_user(session, username, password, scope)
    click.echo(f"user {username} created ({scope})")


@users.command("list")
@database_option
def list_users(database):
    """Every staff account: name, scope, created, and whether it is disabled."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        lines = [
            _columns(
                USER_COLUMNS,
                row.username,
                row.scope,
                _day(row.created_at),
                _state(row.disabled_at, "disabled"),
            )
            for row in token_store.list_users(session)
        ]
    click.echo(_columns(USER_COLUMNS, "user", "scope", "created", "status"))
    click.echo("\n".join(lines) or "(no users)")


@users.command("passwd")
@click.option("--username", required=True)
@click.password_option(help="At least 10 characters (prompted when not given).")
@database_option
def set_password(username, password, database):
    """Give a user a new password; their current web sessions end."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        token_store.set_password(session, username, password)
    click.echo(f"password of {username} changed; their sessions have ended")


@users.command("disable")
@click.option("--username", required=True)
@database_option
def disable_user(username, database):
    """Stop a user signing in; their current web sessions end now."""
    from send_clock.store import tokens as token_store

    with _current(database).session() as session:
        token_store.disable_user(session, username)
    click.echo(f"user {username} disabled; their sessions have ended")


def _current(database):
    """The store, refusing a database whose schema is behind."""
    store = _store(database)
    store.require_current()
    return store


#: Column widths of `tokens list` and `users list` (the last column is not padded).
TOKEN_COLUMNS, USER_COLUMNS = (4, 24, 8, 12), (24, 8, 12)


def _columns(widths: tuple[int, ...], *values) -> str:
    cells = [f"{value!s:<{width}}" for value, width in zip(values, widths, strict=False)]
    return "".join(cells) + str(values[-1])


def _day(stamp) -> str:
    return stamp.date().isoformat()


def _state(ended, word: str) -> str:
    return "live" if ended is None else f"{word} {ended.date().isoformat()}"

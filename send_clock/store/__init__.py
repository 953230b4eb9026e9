"""Persistence: cases with append-only records, API tokens, feeds. The only SQLAlchemy user.

SQLite by default (a file in the user's data directory, see :func:`database_url`), PostgreSQL
when the URL says so
(``postgresql+psycopg://user@host/db``). The schema is managed by Alembic migrations shipped in
the package; :meth:`Store.upgrade` applies them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from ..errors import SendClockError
from .folding import SQLITE_LOWER, sqlite_lower

URL_VARIABLE = "SEND_CLOCK_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def default_database_path() -> Path:
    """``send-clock.db`` in the user's data directory (``~/.local/share/send-clock`` on Linux,
    ``$XDG_DATA_HOME`` if set; the platform's own elsewhere): one database wherever a command is
    run from, never a second, empty one in another folder."""
    from platformdirs import user_data_path

    return user_data_path("send-clock", appauthor=False) / "send-clock.db"


def database_url(url: str | None = None) -> str:
    """The one place the database is chosen: the URL given (``--database``), else
    ``$SEND_CLOCK_DATABASE_URL``, else the SQLite file :func:`default_database_path`."""
    return url or os.environ.get(URL_VARIABLE) or f"sqlite:///{default_database_path()}"


def describe_database(url: str) -> str:
    """The database for a message: a SQLite file's path, else the URL without its password.

    >>> describe_database("postgresql+psycopg://sen:secret@db.internal/sendclock")
    'postgresql+psycopg://sen:***@db.internal/sendclock'
    >>> describe_database("sqlite:////var/lib/send-clock/send-clock.db")
    'SQLite file /var/lib/send-clock/send-clock.db'
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"SQLite file {Path(parsed.database).resolve()}"
    return parsed.render_as_string(hide_password=True)


class DatabaseUnavailable(SendClockError):
    """The database is missing, unreachable or refuses the connection.

    ``for_clients`` is what the service says (503): the message itself names the database,
    which is for the person running send-clock, not for whoever sent the request."""

    for_clients = "the database cannot be reached just now; try again in a few seconds"


class ConnectionLost(DatabaseUnavailable):
    """The connection to the database broke during a request (a restart, a fail-over, the
    network): the request was not completed, and a change it sent may or may not be saved."""

    for_clients = (
        "the connection to the database was lost during the request; try again in a few "
        "seconds (a change sent may or may not have been saved: look before sending it again)"
    )

    def __init__(self, database: str):
        super().__init__(
            f"the connection to the database {database} was lost during the request; if it "
            "sent a change, look whether it was saved before sending it again"
        )


class AllConnectionsBusy(DatabaseUnavailable):
    """Every connection of the pool stayed in use for the pool's whole timeout: the request
    waited, then gave up before it began (nothing was changed)."""

    for_clients = (
        "the service is busy: every database connection is in use; try again in a few "
        "seconds (nothing was changed)"
    )

    def __init__(self, database: str, seconds: float):
        super().__init__(
            f"every connection to the database {database} stayed in use for {seconds:g} s; "
            "nothing was changed: try again, or give the service more connections "
            "(SEND_CLOCK_DB_POOL_SIZE, SEND_CLOCK_DB_MAX_OVERFLOW) if it happens often"
        )


class Store:
    """A database: an engine, sessions, and its migrations."""

    def __init__(
        self,
        url: str | None = None,
        pool_size: int = 5,
        max_overflow: int = 10,
        pool_timeout: float = 10.0,
    ):
        self.url = database_url(url)
        if url is None and URL_VARIABLE not in os.environ:
            default_database_path().parent.mkdir(parents=True, exist_ok=True)
        shown = repr(self.url.split("@")[-1][:200])  # never the password; one line
        wanted = "give e.g. sqlite:///./send-clock.db or postgresql+psycopg://user@host/db"
        if not self.url.isprintable():  # a line break would be a file name, and split messages
            raise SendClockError(f"{shown} is not a database URL: {wanted}")
        try:
            backend = make_url(self.url).get_backend_name()
            if backend not in ("sqlite", "postgresql"):
                raise SendClockError(
                    f"send-clock keeps its data in SQLite or PostgreSQL, not {backend} "
                    f"({shown}): {wanted}"
                )
            self.engine = _engine(self.url, pool_size, max_overflow, pool_timeout)
            say_when_unreachable(self.engine, describe_database(self.url), self.unavailable)
            #: how many connections :meth:`open_connections` opens before the first request
            self.pool_size = pool_size
        except (ArgumentError, ValueError):
            raise SendClockError(f"{shown} is not a database URL; {wanted}") from None
        except ImportError as error:  # a driver named in the URL that is not installed
            raise SendClockError(
                f"the database driver {error.name or 'named'} in {shown} is not installed; {wanted}"
            ) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._postgres = self.engine.dialect.name == "postgresql"
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        #: the day this process last found the stored projections current (see
        #: :func:`send_clock.store.stored.ensure_current`)
        self.projections_checked: date | None = None
        from .queries import Remembered

        #: counts and dashboard figures, kept while the caseload is unchanged
        self.remembered = Remembered()

    def unavailable(self) -> DatabaseUnavailable:
        return DatabaseUnavailable(
            f"cannot use the database {describe_database(self.url)}: it is missing or "
            "unreachable; check that the server is running and the URL (--database or "
            "$SEND_CLOCK_DATABASE_URL) is right"
        )

    @contextmanager
    def _connection_to_wait_for(self) -> Iterator[None]:
        """A pool that stays full for its whole timeout is :class:`AllConnectionsBusy` (a
        503 in the service), not SQLAlchemy's TimeoutError (an internal error)."""
        try:
            yield
        except PoolTimeout:
            raise AllConnectionsBusy(
                describe_database(self.url), self.engine.pool.timeout()
            ) from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self._connection_to_wait_for(), self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads, each statement on its own (autocommit): no round trips
        to the database for BEGIN and COMMIT. For a request whose reads need not see one
        snapshot (one statement, or a count kept apart from the page it goes with)."""
        with self._connection_to_wait_for(), Session(self._reader) as session:
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """:meth:`reading` as a Core connection, for reads that need no ORM: a request that
        runs one or two statements then spends no time making and closing a session (a
        tenth of a short request's work)."""
        with self._connection_to_wait_for(), self._reader.connect() as connection:
            yield connection

    def reader(self) -> Session:
        """A session for one long read, closed by the caller (a streamed feed reads until its
        last byte is sent): on PostgreSQL all its statements read one snapshot (REPEATABLE
        READ), so what is read first (a feed's ETag) and last (its events) agree."""
        session = self.sessions()
        snapshot = {"isolation_level": "REPEATABLE READ"}
        with self._connection_to_wait_for():  # taken now, so a full pool is said here
            session.connection(execution_options=snapshot if self._postgres else {})
        return session

    # -- migrations ---------------------------------------------------------------------------
    def _alembic(self, connection):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["connection"] = connection
        return config

    def revisions(self) -> tuple[str | None, str]:
        """(the database's current revision, the newest the package ships)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        try:
            with self.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
                head = ScriptDirectory.from_config(self._alembic(connection)).get_current_head()
        except (OperationalError, InterfaceError):  # its text may hold the password: not shown
            raise self.unavailable() from None
        return current, head

    def upgrade(self) -> tuple[str | None, str]:
        """Apply pending migrations; returns (revision before, revision now)."""
        from alembic import command

        before, _head = self.revisions()
        with self.engine.begin() as connection:
            command.upgrade(self._alembic(connection), "head")
        return before, self.revisions()[0]

    def not_ready(self) -> str | None:
        """Why the service cannot serve from this database now (unreachable, or its schema
        not the one this send-clock needs), or None when it can."""
        try:
            current, head = self.revisions()
        except Exception as error:  # any driver error means the same to a load balancer
            return f"the database cannot be reached ({type(error).__name__})"
        if current != head:
            return f"the database schema is at {current or 'none'}, not {head}"
        return None

    def require_current(self) -> None:
        current, head = self.revisions()
        if current != head:
            raise SendClockError(
                f"the database ({describe_database(self.url)}) is at schema revision "
                f"{current or 'none'} but this send-clock needs {head}; run `send-clock db "
                "upgrade` (or start without --no-migrate)"
            )

    def open_connections(self) -> None:
        """Open the pool's connections now rather than on the first requests that need them:
        on PostgreSQL each is a server process to start, and a worker's first burst of
        requests opening them all at once waited some hundreds of milliseconds under load."""
        if self.engine.dialect.name != "postgresql":
            return  # a SQLite connection is a file opened, at once
        connections = []
        try:
            for _ in range(self.pool_size):
                connections.append(self.engine.connect())
        except (DatabaseUnavailable, OperationalError, InterfaceError):
            pass  # unreachable now: the requests open them later (and say what is wrong)
        finally:
            for connection in connections:
                connection.close()  # back to the pool, open

    def dispose(self) -> None:
        self.engine.dispose()


def _engine(url: str, pool_size: int, max_overflow: int, pool_timeout: float) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # noqa: ANN001 - DB-API connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # PostgreSQL's code-point collation, so that ORDER BY ... COLLATE "C" runs on both.
            connection.create_collation("C", lambda a, b: (a > b) - (a < b))
            # PostgreSQL's lower() of every letter, for searches that ignore case (.folding)
            connection.create_function(SQLITE_LOWER, 1, sqlite_lower, deterministic=True)

        return engine
    # Each worker holds up to pool_size + max_overflow connections: size them so that workers x
    # that stays under the server's max_connections. Every connection opened is kept, the ones
    # opened at a peak too: SQLAlchemy's overflow connections are closed when they are given
    # back, and under a steady load of more requests at once than pool_size that closed and
    # opened one every few requests, each a PostgreSQL backend process started and its
    # statements planned anew (psycopg prepares them per connection) - half of PostgreSQL's
    # CPU. pool_size connections are opened at start (open_connections), the rest as needed.
    engine = create_engine(
        url, pool_size=pool_size + max_overflow, max_overflow=0, pool_timeout=pool_timeout
    )
    ping_when_idle(engine)
    return engine


def say_when_unreachable(engine: Engine, database: str, unavailable) -> None:
    """Raise :class:`ConnectionLost` for a connection that broke in use, and ``unavailable()``
    (a :class:`DatabaseUnavailable`) when no connection can be opened, in place of the
    driver's error wherever a statement or a connection fails: the service answers both with
    503 and ``Retry-After`` (a database restart or fail-over is a moment, not a bug), the
    command line with one line and exit 1. SQLAlchemy still throws the broken connection away
    (and with it the pool's others, opened before the break) as it does for its own errors.

    Through SQLAlchemy's ``handle_error`` event, the one place every statement's error
    passes, the ORM's and Core's alike; a failed connect is told by the context having no
    connection yet."""

    @event.listens_for(engine, "handle_error")
    def _translated(context) -> None:  # noqa: ANN001 - an ExceptionContext
        if context.is_disconnect or connection_lost(context.sqlalchemy_exception):
            context.is_disconnect = True  # so SQLAlchemy invalidates it, as for its own
            raise ConnectionLost(database) from context.original_exception
        if context.connection is None and isinstance(
            context.sqlalchemy_exception, (OperationalError, InterfaceError)
        ):
            raise unavailable() from context.original_exception


#: SQLSTATEs of a server that ended the connection: 57P01 admin_shutdown (a restart),
#: 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down); class 08 is
#: "connection exception".
CONNECTION_ENDED = {"57P01", "57P02", "57P03"}


def connection_lost(error: DBAPIError | None) -> bool:
    """Whether ``error`` says the connection itself failed (not the statement): SQLAlchemy
    saw the disconnect, or PostgreSQL's SQLSTATE says the server ended the session."""
    if error is None:
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", "") or ""
    return sqlstate.startswith("08") or sqlstate in CONNECTION_ENDED


#: A pooled connection idle longer than this is checked before it is used again.
IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection before use when it has been idle more than ``seconds``, and
    replace it if the database dropped it meanwhile (a restart, a fail-over, an idle timeout).

    ``pool_pre_ping`` checks every connection at every checkout: a round trip before each
    request's own query (a third of a case read). A connection that answered a moment ago
    almost always still does; should the database go away within those seconds, the one
    request that meets the dead connection fails, and SQLAlchemy, seeing the disconnect, throws
    away the pool's other connections. (The SQLAlchemy documentation's "checkout" event recipe,
    with SQLAlchemy's own ping.)"""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):  # noqa: ANN001 - pool callback
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked(dbapi_connection, record, _proxy):  # noqa: ANN001 - pool callback
        returned = record.info.get("returned")
        if returned is None or time.monotonic() - returned <= seconds:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any driver error: this connection is no longer usable
            raise DisconnectionError("the pooled connection was dropped") from error

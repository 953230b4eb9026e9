"""Persistence: cases with append-only records, API tokens, feeds. The only SQLAlchemy user.

SQLite by default (a file, ``./send-clock.db``), PostgreSQL when the URL says so
(``postgresql+psycopg://user@host/db``). The schema is managed by Alembic migrations shipped in
the package; :meth:`Store.upgrade` applies them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import SendClockError

DEFAULT_URL = "sqlite:///./send-clock.db"
URL_VARIABLE = "SEND_CLOCK_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str | None = None) -> str:
    """The URL given, else ``$SEND_CLOCK_DATABASE_URL``, else ``./send-clock.db``."""
    return url or os.environ.get(URL_VARIABLE) or DEFAULT_URL


class DatabaseUnavailable(SendClockError):
    """The database is missing, unreachable or refuses the connection."""


class Store:
    """A database: an engine, sessions, and its migrations."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        try:
            self.engine = _engine(self.url)
        except (ArgumentError, ValueError):
            raise SendClockError(
                f"{self.url.split('@')[-1]!r} is not a database URL; give e.g. "
                "sqlite:///./send-clock.db or postgresql+psycopg://user@host/db"
            ) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def unavailable(self) -> DatabaseUnavailable:
        return DatabaseUnavailable(
            f"cannot use the database {self.safe_url}: it is missing or unreachable; check that "
            "the server is running and the URL (--database or $SEND_CLOCK_DATABASE_URL) is right"
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

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

    def require_current(self) -> None:
        current, head = self.revisions()
        if current != head:
            raise SendClockError(
                f"the database is at schema revision {current or 'none'} but this send-clock "
                f"needs {head}; run `send-clock db upgrade` (or start without --no-migrate)"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # noqa: ANN001 - DB-API connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)

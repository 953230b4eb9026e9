"""Pooled PostgreSQL connections: one the database dropped while it sat idle is replaced before
a request uses it (see :func:`send_clock.store.ping_when_idle`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from send_clock.store import (
    AllConnectionsBusy,
    ConnectionLost,
    DatabaseUnavailable,
    Store,
    connection_lost,
    ping_when_idle,
)
from tests.service.conftest import POSTGRES_VARIABLE


@pytest.fixture
def postgres_url():
    if not os.environ.get(POSTGRES_VARIABLE):
        pytest.skip(f"PostgreSQL tests need {POSTGRES_VARIABLE}")
    return os.environ[POSTGRES_VARIABLE]


def _pooled_engine_with_a_dropped_connection(url: str, idle_seconds: float):
    """An engine of one pooled connection, which the server then ends (as a restart would)."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds)
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(url)
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    return engine, pid


def test_a_connection_dropped_while_idle_is_replaced(postgres_url):
    engine, dropped = _pooled_engine_with_a_dropped_connection(postgres_url, idle_seconds=0)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        assert pid != dropped
    finally:
        engine.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_checked(postgres_url):
    """Within the idle time there is no round trip first: a connection dropped that soon
    fails its request (the check above is what saves the others)."""
    engine, _dropped = _pooled_engine_with_a_dropped_connection(postgres_url, idle_seconds=3600)
    try:
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:  # the pool, told of the disconnect, starts anew
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_store_opens_its_pooled_connections_before_the_first_request(postgres_url):
    store = Store(postgres_url, pool_size=3, max_overflow=2)
    try:
        store.open_connections()
        assert store.engine.pool.checkedin() == 3  # open, waiting in the pool
    finally:
        store.dispose()
    unreachable = Store("postgresql+psycopg://postgres@127.0.0.1:1/none", pool_size=2)
    unreachable.open_connections()  # nothing open, and nothing raised: the worker starts
    assert unreachable.engine.pool.checkedin() == 0


def test_connections_opened_at_a_peak_are_kept(postgres_url):
    """A connection opened beyond pool_size is kept when given back, not closed: a steady load
    of more requests at once than pool_size would otherwise open and close one every few
    requests (each a PostgreSQL backend started)."""
    store = Store(postgres_url, pool_size=1, max_overflow=2)
    try:
        connections = [store.engine.connect() for _ in range(3)]
        pids = {c.execute(text("SELECT pg_backend_pid()")).scalar() for c in connections}
        for connection in connections:
            connection.close()
        assert store.engine.pool.checkedin() == 3
        again = [store.engine.connect() for _ in range(3)]
        assert {c.execute(text("SELECT pg_backend_pid()")).scalar() for c in again} == pids
        for connection in again:
            connection.close()
    finally:
        store.dispose()


def _end_backends(url: str, pids: set[int]) -> None:
    """End these PostgreSQL sessions from another connection, as a restart or fail-over
    would."""
    admin = create_engine(url)
    try:
        with admin.connect() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


@contextmanager
def _store(url: str, **pool) -> Iterator[Store]:
    store = Store(url, **pool)
    try:
        yield store
    finally:
        store.dispose()


def test_a_connection_lost_in_use_is_connection_lost_then_the_next_read_works(postgres_url):
    """A broken connection is a typed error (the service's 503), not the driver's
    OperationalError (its 500); SQLAlchemy still throws it away, so the next read works."""
    with _store(postgres_url, pool_size=1, max_overflow=0) as store:
        with store.read_connection() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            _end_backends(postgres_url, {pid})
            with pytest.raises(ConnectionLost) as lost:
                connection.execute(text("SELECT 1"))
        assert "was lost during the request" in str(lost.value)
        assert isinstance(lost.value, DatabaseUnavailable)
        with store.session() as session:  # the ORM's path: a new connection
            assert session.execute(text("SELECT pg_backend_pid()")).scalar() != pid


def test_a_transaction_whose_connection_is_lost_is_connection_lost(postgres_url):
    with _store(postgres_url, pool_size=1, max_overflow=0) as store:
        with pytest.raises(ConnectionLost), store.session() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
            _end_backends(postgres_url, {pid})
            session.execute(text("SELECT 1"))
        with store.session() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1


def test_a_full_pool_is_all_connections_busy_after_its_timeout(postgres_url):
    with _store(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.2) as store:
        held = store.engine.connect()
        try:
            with pytest.raises(AllConnectionsBusy) as busy, store.read_connection():
                pass
            assert "stayed in use for 0.2 s" in str(busy.value)
            with pytest.raises(AllConnectionsBusy), store.session() as session:
                session.execute(text("SELECT 1"))
            with pytest.raises(AllConnectionsBusy):
                store.reader()  # a feed's: its connection taken at once
        finally:
            held.close()
        with store.read_connection() as connection:  # given back: usable again
            assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_database_that_cannot_be_reached_is_unavailable_and_not_lost():
    with _store("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/none", pool_size=1) as store:
        with pytest.raises(DatabaseUnavailable) as unavailable, store.read_connection():
            pass
        assert not isinstance(unavailable.value, ConnectionLost)
        assert "cannot use the database" in str(unavailable.value)
        assert "s3cret" not in str(unavailable.value)


def test_a_statement_the_database_refuses_is_still_its_own_error(postgres_url):
    """Only a broken connection is translated: a wrong statement is a bug, left as it is."""
    with (
        _store(postgres_url, pool_size=1, max_overflow=0) as store,
        pytest.raises(ProgrammingError),
        store.read_connection() as connection,
    ):
        connection.execute(text("SELECT no_such_column FROM no_such_table"))


class _DriverError(Exception):
    def __init__(self, sqlstate):
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "invalidated", "lost"),
    [
        ("57P01", False, True),  # admin_shutdown: the server was restarted
        ("57P02", False, True),  # crash_shutdown
        ("57P03", False, True),  # cannot_connect_now
        ("08006", False, True),  # connection_failure
        ("08003", False, True),  # connection_does_not_exist
        (None, True, True),  # SQLAlchemy saw the disconnect
        (None, False, False),  # a client-side error of another kind
        ("42P01", False, False),  # undefined_table: the statement, not the connection
        ("40001", False, False),  # serialization_failure
    ],
)
def test_which_driver_errors_are_a_lost_connection(sqlstate, invalidated, lost):
    error = DBAPIError("SELECT 1", {}, _DriverError(sqlstate), connection_invalidated=invalidated)
    assert connection_lost(error) is lost

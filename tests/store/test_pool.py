"""Pooled PostgreSQL connections: one the database dropped while it sat idle is replaced before
a request uses it (see :func:`send_clock.store.ping_when_idle`)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from send_clock.store import Store, ping_when_idle
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

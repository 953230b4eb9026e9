"""Figures kept while the caseload is unchanged (:class:`send_clock.store.queries.Remembered`):
computed once however many requests ask at the same moment, computed again after a write, and
a request that read the caseload's generation before a write is shown the newer figures."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from send_clock.store import cases, queries
from send_clock.store.models import GENERATION_ROWS
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures


def _write(store, row: int | None = None, session=None) -> None:  # noqa: F811 - the fixture
    """A new case written; ``row``: the generation row its connection raises (each connection
    picks one at random and keeps it)."""
    if session is None:
        with store.session() as session:
            return _write(store, row, session)
    if row is not None:
        session.connection().info["generation_row"] = row
    number = len(cases.all_cases(session))
    cases.create_case(
        session, f"R-{number}-{row}", "england-ehcna", None, date(2025, 9, 15), None, "test"
    )


def test_a_write_on_any_generation_row_raises_the_generation(store):  # noqa: F811
    with store.reading() as session:
        seen = [session.scalar(queries.caseload_generation())]
    for row in (1, 2, GENERATION_ROWS, 2):
        _write(store, row)
        with store.reading() as session:
            seen.append(session.scalar(queries.caseload_generation()))
    assert seen == list(range(seen[0], seen[0] + 5))


def test_writers_on_two_generation_rows_do_not_wait_for_each_other(store):  # noqa: F811
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time whatever the rows")
    with store.sessions() as first, first.begin():
        _write(store, 1, first)  # not committed: its generation row stays locked
        with store.sessions() as second, second.begin():
            # with one generation row, or the report's sums of the month in one row, this would
            # wait for the first to commit (both write a case of the same month): give up
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            _write(store, 2, second)
        with store.sessions() as third, third.begin(), pytest.raises(OperationalError):
            third.execute(text("SET LOCAL lock_timeout = '200ms'"))
            _write(store, 1, third)  # the same row as the first: it waits (so would all)


def test_requests_at_once_wait_for_one_computation(store):  # noqa: F811
    kept = queries.Remembered()
    started, release = threading.Event(), threading.Event()
    computed = []

    def compute():
        computed.append(1)
        started.set()
        release.wait(10)  # the others arrive while this one computes
        return {"figures": len(computed)}

    def ask():
        with store.session() as session:
            return kept.get(session, ("dashboard",), compute)

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(ask)
        assert started.wait(10)
        others = [pool.submit(ask) for _ in range(5)]
        release.set()
        answers = [first.result(10)] + [other.result(10) for other in others]
    assert computed == [1]
    assert answers == [{"figures": 1}] * 6


def test_a_write_computes_again_and_no_request_gets_older_figures(store):  # noqa: F811
    kept = queries.Remembered()
    with store.session() as session:
        before = session.scalar(queries.caseload_generation())
        assert kept.get(session, "k", lambda: "first") == "first"
        assert kept.get(session, "k", lambda: "again") == "first"
    _write(store)
    with store.session() as session:
        assert kept.get(session, "k", lambda: "after the write") == "after the write"
        # a request that read the generation just before the write is given the newer
        # figures kept since, and computes nothing
        assert kept.get(session, "k", lambda: "late and old", generation=before) == (
            "after the write"
        )
        assert kept.get(session, "k", lambda: "not asked") == "after the write"

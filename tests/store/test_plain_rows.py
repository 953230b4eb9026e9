"""``queries.plain_rows``: the short reads' statements run on the driver's cursor (PostgreSQL)
give what ``connection.execute`` gives, value for value; a driver's error arrives as
SQLAlchemy's; and anything that must see SQLAlchemy's execution (SQLite, listeners) gets it.

Each test runs on SQLite (the ordinary execution, always) and on PostgreSQL when
SEND_CLOCK_TEST_DATABASE_URL is set (the driver's cursor)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import bindparam, column, select, table, text
from sqlalchemy.exc import DBAPIError

from send_clock.store import ConnectionLost, cases, queries
from send_clock.store.stored import ensure_current
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures
from tests.store.seen import statements_sent

#: a time zone of the database session that is not UTC: a timestamp the driver gives is in
#: it, and only SQLAlchemy's result processor (models.DateTime) makes it UTC
ELSEWHERE = "Asia/Kolkata"

#: each shape of the case list's page (filters given, after, offset, the generation)
PAGES = [
    (queries.CaseFilters(), None, 50, 0, False),
    (queries.CaseFilters(status="overdue"), None, 50, 0, True),
    (queries.CaseFilters(status="pending"), 1, 2, 0, True),
    (queries.CaseFilters(officer="Sam", process="england-ehcna"), None, 10, 1, False),
    (queries.CaseFilters(due_before=date(2040, 1, 1)), 0, 50, 0, True),
]


@pytest.fixture
def seeded(store):  # noqa: F811 - the fixture's name
    """Cases with records (one corrected), an officer and none, projected as of today."""
    with store.session() as session:
        for number, received in enumerate([date(2025, 1, 6), date(2026, 11, 2), date(2025, 9, 15)]):
            state = cases.create_case(
                session,
                f"REF-PLAIN-{number}",
                "england-ehcna",
                None,
                received,
                "Sam" if number % 2 else None,
                "test",
            )
        state = cases.record(
            session, state.id, state.version, "event", "decision_to_assess", "2025-10-20", "t"
        )
        first = next(iter(state.active))
        cases.correct(session, state.id, state.version, first, "2025-10-21", "typo", "t")
    ensure_current(store, date.today())
    return store


@contextmanager
def _elsewhere(store):  # noqa: F811
    """A read connection whose database session is in :data:`ELSEWHERE` (PostgreSQL)."""
    with store.read_connection() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET TIME ZONE '{ELSEWHERE}'"))
        yield connection


def _exactly(rows) -> list:
    """Each value with its type and time zone: a timestamp equals the same instant in another
    zone, and only this tells them apart."""
    return [[(v, type(v), getattr(v, "tzinfo", None)) for v in row] for row in rows]


def _statements() -> list[tuple]:
    """(statement, values) of every read plain_rows serves."""
    found = [queries._page(f, after, limit, offset, gen) for f, after, limit, offset, gen in PAGES]
    return [
        *found,
        (cases._CASE_WITH_RECORDS, {"case_id": 3}),
        (cases._CASE_WITH_RECORDS, {"case_id": 999}),
    ]


def _served_plainly(connection, statement) -> bool:
    return queries._usable_plan(connection, statement) is not None


@pytest.mark.parametrize("named", [False, True])
def test_each_statement_gives_what_execute_gives(seeded, named):
    answered = []
    with _elsewhere(seeded) as connection:
        for statement, values in _statements():
            expected = connection.execute(statement, values).all()
            answered.append(len(expected))
            found = queries.plain_rows(connection, statement, values, named=named)
            assert _exactly(found) == _exactly(expected), statement
            if named:
                assert [row._asdict() for row in found] == [row._asdict() for row in expected]
            # on PostgreSQL, the driver's cursor did answer (not the ordinary execution)
            assert _served_plainly(connection, statement) == (
                connection.dialect.name == "postgresql"
            )
    assert answered[0] == 3 and answered[-2] == 2 and answered[-1] == 0  # rows were compared


def test_a_case_read_is_the_same_as_through_sqlalchemy(seeded):
    with _elsewhere(seeded) as connection:
        plainly = cases.read_case(connection, 3)
        with statements_sent(seeded.engine) as seen:  # a listener: the ordinary execution
            ordinarily = cases.read_case(connection, 3)
    assert len(seen) == 1
    assert plainly == ordinarily and plainly.to_dict() == ordinarily.to_dict()
    assert plainly.created_at.utcoffset().total_seconds() == 0
    assert [r.value for r in plainly.active.values()] == ["2025-10-21"]


def test_a_listener_on_the_engine_sees_every_statement(seeded):
    with seeded.read_connection() as connection, statements_sent(seeded.engine) as seen:
        for statement, values in _statements():
            queries.plain_rows(connection, statement, values)
    assert len(seen) == len(_statements())
    if seeded.engine.dialect.name == "postgresql":  # the text the driver's cursor is given
        plans = [
            queries._plan_of(statement, seeded.engine.dialect) for statement, _ in _statements()
        ]
        assert [plan.text for plan in plans] == seen


def test_a_driver_error_arrives_as_sqlalchemys(seeded):
    missing = select(column("x")).select_from(table("no_such_table"))
    missing = missing.where(column("x") == bindparam("x"))
    with seeded.read_connection() as connection:
        with pytest.raises(DBAPIError) as raised:
            queries.plain_rows(connection, missing, {"x": 1})
        assert "no_such_table" in str(raised.value)
        assert not raised.value.connection_invalidated and not connection.invalidated
        # the connection is still usable, as after the ordinary execution's error
        assert queries.plain_rows(connection, cases._CASE_WITH_RECORDS, {"case_id": 1})


def test_a_value_out_of_the_columns_range_is_a_data_error_on_postgresql(seeded):
    with seeded.read_connection() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("SQLite's integers have no such range")
        assert _served_plainly(connection, cases._CASE_WITH_RECORDS)
        with pytest.raises(DBAPIError, match="out of range"):
            queries.plain_rows(connection, cases._CASE_WITH_RECORDS, {"case_id": 2**40})


def test_a_connection_the_database_dropped_is_lost_and_invalidated(seeded):
    """As for the ordinary execution: SQLAlchemy's handling sees the disconnect, the store's
    handle_error says so (ConnectionLost: the service's 503), the connection is thrown away."""
    with seeded.read_connection() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("a SQLite file cannot drop its connection")
        assert _served_plainly(connection, cases._CASE_WITH_RECORDS)
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with seeded.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(ConnectionLost) as raised:
            queries.plain_rows(connection, cases._CASE_WITH_RECORDS, {"case_id": 1})
        assert isinstance(raised.value.__cause__, seeded.engine.dialect.loaded_dbapi.Error)
        assert connection.invalidated
    with seeded.read_connection() as connection:  # the pool gives a working one again
        assert queries.plain_rows(connection, cases._CASE_WITH_RECORDS, {"case_id": 1})


def test_a_missing_value_is_sqlalchemys_error(seeded):
    statement, _values = queries._page(queries.CaseFilters(status="overdue"), None, 5, 0)
    with seeded.read_connection() as connection, pytest.raises(Exception, match="status"):
        queries.plain_rows(connection, statement, {"limit": 5})


def test_a_pages_statuses_are_its_own(seeded):
    with seeded.read_connection() as connection:
        first, _total = queries.page_of_cases(connection, queries.CaseFilters(), seeded.remembered)
        first[0]["statuses"]["changed"] = 1
        again, _total = queries.page_of_cases(connection, queries.CaseFilters(), seeded.remembered)
    assert "changed" not in again[0]["statuses"]
    assert [case["statuses"] for case in again[1:]] == [case["statuses"] for case in first[1:]]

"""Statements sent to PostgreSQL together: one round trip for several statements.

A write's statements mostly do not need each other's results (the projection rows, the
generation row raised, the report's sums added): sent one at a time, each costs a round trip
during which the transaction, and the generation row it holds locked, stands idle, and each
costs SQLAlchemy's execution machinery besides. psycopg's pipeline mode sends them all and
waits once; PostgreSQL still runs them in order, in the transaction, and stops at the first
error (the rest are skipped, the error is raised when the results are awaited). The text of
each statement is compiled once by SQLAlchemy, and psycopg prepares it on the server after a
few runs.

On another database (SQLite, in process: no round trips) the statements run one by one
through SQLAlchemy, with the same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

#: a statement and its parameters: a dict, or a list of dicts for one run per row
Step = tuple[Executable, dict | list[dict]]


def run_together(session: Session, steps: Sequence[Step]) -> list[list[tuple] | None]:
    """Run ``steps`` in order in the session's transaction; returns each one's rows (None for
    a statement that returns none, or one run per row)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return [_one_by_one(connection, statement, params) for statement, params in steps]
    import psycopg

    driver = connection.connection.driver_connection
    cursors = []
    try:
        with driver.pipeline():
            for statement, params in steps:
                cursor = driver.cursor()
                text, fixed = _text(statement, connection.dialect, _keys(params))
                if isinstance(params, list):
                    cursor.executemany(
                        text, [{**fixed, **row} for row in params] if fixed else params
                    )
                else:
                    cursor.execute(text, {**fixed, **params})
                cursors.append(cursor)
        return [cursor.fetchall() if cursor.description else None for cursor in cursors]
    except psycopg.Error as error:  # as SQLAlchemy would raise it (IntegrityError, ...)
        raise DBAPIError.instance(None, None, error, psycopg.Error) from error
    finally:
        for cursor in cursors:
            cursor.close()


def _one_by_one(connection, statement: Executable, params) -> list[tuple] | None:
    result = connection.execute(statement, params)
    return [tuple(row) for row in result] if result.returns_rows else None


def _keys(params: dict | list[dict]) -> tuple[str, ...]:
    """The columns an INSERT's VALUES name: its parameters' (the first row's, for many)."""
    return tuple(params[0] if isinstance(params, list) else params)


@cache  # statements built once (module constants): a new object each run would fill it
def _text(statement: Executable, dialect, keys: tuple[str, ...]) -> tuple[str, dict]:
    """The statement's text with psycopg's ``%(name)s`` placeholders, compiled once, and the
    values of its parameters that the statement itself holds (``generation + 1``'s 1)."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    fixed = {
        name: bind.value
        for name, bind in compiled.binds.items()
        if name not in keys and bind.value is not None and bind.callable is None
    }
    return str(compiled), fixed

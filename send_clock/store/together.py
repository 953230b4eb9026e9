"""Statements sent to PostgreSQL together: one round trip for several statements.

A write's statements mostly do not need each other's results (the projection rows, the
generation row raised, the report's sums added): sent one at a time, each costs a round trip
during which the transaction, and the generation row it holds locked, stands idle, and each
costs SQLAlchemy's execution machinery besides. psycopg's pipeline mode sends them all and
waits once; PostgreSQL still runs them in order, in the transaction, and stops at the first
error (the rest are skipped, the error is raised when the results are awaited). The text of
each statement is compiled once by SQLAlchemy, and psycopg prepares it on the server after a
few runs.

On another database (SQLite, in process: no round trips) or through another driver the
statements run one by one through SQLAlchemy, with the same results.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import cache

from sqlalchemy import Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

#: a statement and its parameters: a dict, or a list of dicts for one run per row
Step = tuple[Executable, dict | list[dict]]


def run_together(session: Session, steps: Sequence[Step]) -> list[list | None]:
    """Run ``steps`` in order in the session's transaction; returns each one's rows, read by
    position or by column name (None for a statement that returns none, or one run per
    row)."""
    connection = session.connection()
    if connection.dialect.driver != "psycopg":  # SQLite; or another PostgreSQL driver
        return [_one_by_one(connection, statement, params) for statement, params in steps]
    import psycopg

    driver = connection.connection.driver_connection
    cursors = []
    try:
        with driver.pipeline():
            for statement, params in steps:
                cursor = driver.cursor()
                compiled = _compiled(statement, connection.dialect, _keys(params))
                if isinstance(params, list):
                    cursor.executemany(compiled.text, [{**compiled.fixed, **row} for row in params])
                else:
                    cursor.execute(compiled.text, {**compiled.fixed, **params})
                cursors.append((cursor, compiled))
        return [compiled.rows(cursor) for cursor, compiled in cursors]
    except psycopg.Error as error:  # as SQLAlchemy would raise it (IntegrityError, ...)
        raise DBAPIError.instance(None, None, error, psycopg.Error) from error
    finally:
        for cursor, _compiled_statement in cursors:
            cursor.close()


def _one_by_one(connection, statement: Executable, params) -> list | None:
    result = connection.execute(statement, params)
    return list(result) if result.returns_rows else None


def _keys(params: dict | list[dict]) -> tuple[str, ...]:
    """The columns an INSERT's VALUES name: its parameters' (the first row's, for many)."""
    return tuple(params[0] if isinstance(params, list) else params)


class _Compiled:
    """A statement as :func:`run_together` sends it: its text with psycopg's ``%(name)s``
    placeholders, the values of the parameters the statement itself holds (``generation +
    1``'s 1), and how its rows are read: by position and by name, each value converted as
    SQLAlchemy converts it (a timestamp to UTC, see :class:`~.models.DateTime`)."""

    def __init__(self, statement: Executable, dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.text = str(compiled)
        self.fixed = {
            name: bind.value
            for name, bind in compiled.binds.items()
            if name not in keys and bind.value is not None and bind.callable is None
        }
        columns = list(getattr(statement, "exported_columns", ()))
        self.processors = [column.type.result_processor(dialect, None) for column in columns]
        names = [column.key or f"column_{index}" for index, column in enumerate(columns)]
        self.row = namedtuple("Row", names, rename=True)

    def rows(self, cursor) -> list | None:
        if not cursor.description:
            return None
        processors = self.processors
        if not any(processors):
            return [self.row._make(row) for row in cursor.fetchall()]
        return [
            self.row._make(
                value if convert is None else convert(value)
                for convert, value in zip(processors, row, strict=True)
            )
            for row in cursor.fetchall()
        ]


@cache  # statements built once (module constants): a new object each run would fill it
def _compiled(statement: Executable, dialect, keys: tuple[str, ...]) -> _Compiled:
    return _Compiled(statement, dialect, keys)

"""What the tests of the store's reads watch: the SQL each statement sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements_sent(engine) -> Iterator[list[str]]:
    """The SQL text of every statement run on ``engine`` within the block, in order. (A
    listener: :func:`send_clock.store.queries.plain_rows` then takes the ordinary path.)"""
    seen: list[str] = []

    def see(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", see)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", see)

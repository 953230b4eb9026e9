"""Text lowered for a search that ignores case, by one rule on both databases.

PostgreSQL's ``lower()`` lowers every letter (by the database's locale; ``Ü`` to ``ü``);
SQLite's built-in ``lower()`` lowers ASCII letters only, so on SQLite ``ÜMIT`` did not find
``Ümit``. :func:`lowered` is ``lower()`` on PostgreSQL and, on SQLite, a function registered on
each connection (:data:`SQLITE_LOWER`) that is Python's :meth:`str.lower`; the searched text is
lowered by :meth:`str.lower` too (not :meth:`str.casefold`, whose ``ß`` -> ``ss`` neither
database's ``lower()`` makes).
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

#: The name of Python's str.lower as registered on SQLite connections.
SQLITE_LOWER = "unicode_lower"


class lowered(FunctionElement):  # noqa: N801 - a SQL function, named as one
    """``lower(text)``, every letter lowered on either database."""

    type = String()
    inherit_cache = True


@compiles(lowered)
def _lower(element, compiler, **options) -> str:
    return f"lower({compiler.process(element.clauses, **options)})"


@compiles(lowered, "sqlite")
def _unicode_lower(element, compiler, **options) -> str:
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **options)})"


def sqlite_lower(text: str | None) -> str | None:
    """What :data:`SQLITE_LOWER` does with a value (NULL stays NULL)."""
    return None if text is None else text.lower()

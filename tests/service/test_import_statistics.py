"""After an import that is a large share of the caseload, PostgreSQL's planner statistics of
the tables it filled are gathered at once (ANALYZE): without them the overdue list of a
first import of 50,000 cases took 2.5 s a page until autovacuum came round, if it was on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from send_clock.service.importing import import_caseload
from send_clock.store import imports
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures

TODAY = date(2026, 12, 3)


def _caseload(first: int, count: int) -> str:
    rows = "".join(
        f"STAT-{n},2026-{1 + n % 11:02d}-{1 + n % 28:02d}\n" for n in range(first, first + count)
    )
    return "case_id,received\n" + rows


def _planner_rows(store) -> dict[str, float]:  # noqa: F811
    with store.read_connection() as connection:
        return {
            row.__table__.name: connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
                {"name": row.__table__.name},
            ).scalar_one()
            for row in imports.IMPORTED_TABLES
        }


def test_a_first_import_leaves_the_planner_knowing_its_rows(store):  # noqa: F811
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's planner keeps no statistics send-clock relies on")
    assert _planner_rows(store)["cases"] < 0  # never analysed (autovacuum would be late)
    imported = import_caseload(store, _caseload(0, 300), "officer-a", TODAY)
    assert len(imported.case_ids) == 300 and not imported.errors
    counted = _planner_rows(store)
    assert counted["cases"] == 300 and counted["case_projections"] == 300
    assert counted["milestone_projections"] > 300 and counted["case_records"] >= 0
    # a small import (under a tenth of the cases) leaves that to autovacuum: no ANALYZE
    import_caseload(store, _caseload(300, 5), "officer-a", TODAY)
    assert _planner_rows(store)["cases"] == 300


@pytest.mark.parametrize(
    ("imported", "known_before", "stale"),
    [
        (1, -1, True),  # never analysed
        (1, 0, True),  # analysed empty
        (11, 100, True),  # more than a tenth
        (10, 100, False),  # a tenth exactly: autovacuum's own threshold is "more than"
        (1, 50_000, False),
        (0, -1, False),  # nothing imported
    ],
)
def test_when_an_import_makes_the_statistics_stale(imported, known_before, stale):
    assert imports.statistics_stale(imported, known_before) is stale

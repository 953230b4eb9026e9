"""Figures kept while the caseload is unchanged (:class:`send_clock.store.queries.Remembered`):
computed once however many requests ask at the same moment, computed again after a write, and
a request that read the caseload's generation before a write is shown the newer figures."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from send_clock.store import cases, queries
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures


def _write(store) -> None:  # noqa: F811 - the fixture's name
    with store.session() as session:
        number = len(cases.all_cases(session))
        cases.create_case(
            session, f"R-{number}", "england-ehcna", None, date(2025, 9, 15), None, "test"
        )


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
        before = session.scalar(queries.select(queries.CaseloadGenerationRow.generation))
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

"""The case list a page at a time (keyset on ``after``) with every filter it accepts, and what
its ``total`` says on a first page and on a later one, on both databases."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from send_clock.store import cases, queries

OFFICERS = ("Sam Patel", "alex", None)
PROCESSES = ("england-ehcna", "england-annual-review")


@pytest.fixture(autouse=True)
def _a_fixed_day(api):
    """The caseloads are dated from today: from once the service is made, today is a fixed day
    (its clock running), so a run tests the same cases whatever the date, and no midnight falls
    between two requests."""
    with freeze_time("2026-11-16 10:00:00", tick=True):
        yield


def _caseload(store) -> None:
    today = date.today()
    with store.session() as session:
        for number in range(36):
            received = today - timedelta(days=11 * number)
            cases.create_case(
                session,
                f"K-{number:03d}",
                PROCESSES[number % 5 == 0],
                None,
                received,
                OFFICERS[number % 3],
                "test",
            )


def _every_page(api, params: dict, limit: int) -> list[int]:
    ids, after = [], None
    for _ in range(100):
        query = {**params, "limit": limit, **({"after": after} if after is not None else {})}
        body = api.client.get("/v1/cases", params=query, headers=api.read).json()
        ids += [case["id"] for case in body["cases"]]
        after = body["next"]
        if after is None:
            return ids
    raise AssertionError("the pages never ended")


def test_every_filter_pages_every_matching_case_once_in_order(api):
    _caseload(api.store)
    today = date.today()
    with api.store.session() as session:
        everything = queries.list_cases(session, limit=1000)
    due_before = (today + timedelta(days=20)).isoformat()
    filters = itertools.product(
        (None, "overdue", "pending", "met"),
        (None, "Sam Patel"),
        (None, "england-annual-review"),
        (None, due_before),
    )
    for status, officer, process, before in filters:
        params = {
            key: value
            for key, value in (
                ("status", status),
                ("officer", officer),
                ("process", process),
                ("due_before", before),
            )
            if value is not None
        }
        expected = [
            case["id"]
            for case in everything
            if (status is None or case["statuses"].get(status))
            and (officer is None or case["officer"] == officer)
            and (process is None or case["process"] == process)
            and (
                before is None
                or (case["next_due"] and case["next_due"]["due"].isoformat() < before)
            )
        ]
        for limit in (1, 4):
            assert _every_page(api, params, limit) == expected, (params, limit)
        first = api.client.get("/v1/cases", params=params, headers=api.read).json()
        assert first["total"] == len(expected), params


def test_a_later_pages_total_may_be_the_first_pages_for_a_minute(api):
    _caseload(api.store)
    first = api.client.get("/v1/cases?status=pending&limit=2", headers=api.read).json()
    total = first["total"]
    assert total > 2
    api.case(ref="K-NEW", received=date.today().isoformat())  # pending milestones: one more
    later = api.client.get(
        f"/v1/cases?status=pending&limit=2&after={first['next']}", headers=api.read
    ).json()
    assert later["total"] == total  # the count made for the first page, seconds ago
    again = api.client.get("/v1/cases?status=pending&limit=2", headers=api.read).json()
    assert again["total"] == total + 1  # a first page counts again once cases changed

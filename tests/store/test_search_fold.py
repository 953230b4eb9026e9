"""The case list's search by officer (or reference) ignores case beyond ASCII, alike on SQLite
(whose own lower() folds ASCII only) and PostgreSQL: the text and the names are lowered by the
same rule on both."""

from __future__ import annotations

from datetime import date

import pytest

from send_clock.store import cases, queries
from tests.service.conftest import api, database_url, store  # noqa: F401 - fixtures
from tests.service.test_hardening import sign_in, staff  # noqa: F401 - fixtures

OFFICERS = {"F-1": "Ümit Öztürk", "F-2": "Jo Straße", "F-3": "Ana Lee", "F-4": "ÉLODIE"}


def _found(store, text: str) -> set[str]:  # noqa: F811 - the fixture's name
    with store.session() as session:
        search = queries.CaseSearch(text)
        rows, total = queries.case_list(session, search, 0, 50, queries.Remembered())
    assert total == len(rows)
    return {row["ref"] for row in rows}


@pytest.fixture
def officers(store):  # noqa: F811
    with store.session() as session:
        for ref, officer in OFFICERS.items():
            cases.create_case(
                session, ref, "england-ehcna", None, date(2025, 9, 15), officer, "test"
            )
    return store


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("ümit", {"F-1"}), ("ÜMIT", {"F-1"}), ("Ümit", {"F-1"}), ("öztürk", {"F-1"}),
        ("ß", {"F-2"}), ("STRAẞE", {"F-2"}), ("straße", {"F-2"}),
        ("élodie", {"F-4"}), ("Élodie", {"F-4"}), ("LEE", {"F-3"}), ("f-", set(OFFICERS)),
    ],
)  # fmt: skip
def test_search_ignores_case_beyond_ascii(officers, text, refs):
    assert _found(officers, text) == refs


def test_the_case_list_page_finds_an_officer_in_any_case(api, staff):  # noqa: F811
    with api.store.session() as session:
        cases.create_case(
            session, "F-9", "england-ehcna", None, date(2025, 9, 15), "Ümit Öz", "test"
        )
    assert "1 case found." in api.client.get("/cases", params={"q": "ÜMIT"}).text
    assert "1 case found." in api.client.get("/cases", params={"q": "öz"}).text

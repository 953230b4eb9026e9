"""The team feed over HTTP, on SQLite and PostgreSQL: right after a write it holds that write's
events and is the feed built from scratch; conditional requests, HEAD and gzip; the window of
dates it covers, to the day; status words that follow the date; and three independent parsers
reading it alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime

import icalendar
import pytest
from freezegun import freeze_time

from tests.ical.test_clients import by_ical, by_icalendar, by_vobject
from tests.store.test_team_feed import from_scratch

TODAY = date(2026, 1, 10)
NOW = "2026-01-10 09:00:00"
DOMAIN = "test.invalid"  # the api fixture's


@pytest.fixture(autouse=True)
def _routes_built(api):
    """FastAPI reads each route's annotations on first use; read them before freezegun
    replaces ``datetime.date`` with its own class."""
    assert api.client.get("/openapi.json").status_code == 200


def _team(api) -> str:
    created = api.client.post("/v1/feeds", headers=api.write)
    assert created.status_code == 201, created.text
    return f"/v1/feeds/{created.json()['token']}.ics"


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _uid(ref: str, milestone: str) -> str:
    return f"{ref}-england-ehcna-{milestone}-team@{DOMAIN}"


@freeze_time(NOW)
def test_right_after_a_write_the_feed_holds_it_and_is_the_feed_built_from_scratch(api):
    first_case = api.case(ref="EHC-W-1")  # received 2025-09-15: final plan due 2 February
    url = _team(api)
    before = api.client.get(url)
    assert _uid("EHC-W-1", "final_plan") in _uids(before.content)
    api.case(ref="EHC-W-2", received="2025-10-01")
    after = api.client.get(url)
    assert _uid("EHC-W-2", "final_plan") in _uids(after.content)
    assert after.headers["etag"] != before.headers["etag"]
    recorded = api.client.post(
        f"/v1/cases/{first_case.json()['id']}/events",
        headers={**api.write, "If-Match": first_case.headers["etag"]},
        json={"milestone": "draft_plan", "date": "2026-01-09"},
    )
    assert recorded.status_code == 201, recorded.text
    latest = api.client.get(url)
    assert _uid("EHC-W-1", "draft_plan") in _uids(after.content)
    assert _uid("EHC-W-1", "draft_plan") not in _uids(latest.content)  # it happened
    with api.store.session() as session:
        assert latest.content == from_scratch(session, TODAY, 14, 60, DOMAIN)


def test_conditional_requests_head_and_gzip(api):
    with freeze_time(NOW):
        api.case(ref="EHC-C-1")
        url = _team(api)
        plain = api.client.get(url, headers={"Accept-Encoding": "identity"})
        packed = api.client.get(url, headers={"Accept-Encoding": "gzip"})
        etag, modified = plain.headers["etag"], plain.headers["last-modified"]
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content  # as the client unpacked it
        assert packed.headers["etag"] == etag[:-1] + '-gzip"'  # another representation
        assert packed.headers["vary"] == "Accept-Encoding"
        for condition in (etag, f"W/{etag}", packed.headers["etag"], f'"other", {etag}', "*"):
            again = api.client.get(url, headers={"If-None-Match": condition})
            assert again.status_code == 304 and again.content == b"", condition
        assert api.client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2024), usegmt=True)
        assert api.client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        head = api.client.head(url, headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200 and head.content == b""
        for name in ("etag", "last-modified", "cache-control", "content-type"):
            assert head.headers[name] == plain.headers[name], name
        assert api.client.head(url, headers={"If-None-Match": etag}).status_code == 304
    with freeze_time("2026-01-10 11:00:00"):  # a write, to another case
        api.case(ref="EHC-C-2", received="2025-10-01")
        changed = api.client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        stamp = parsedate_to_datetime(changed.headers["last-modified"])
        assert stamp == datetime(2026, 1, 10, 11, tzinfo=UTC)
        etag = changed.headers["etag"]
    with freeze_time("2026-01-11 08:00:00"):  # a new day: the window moved
        moved = api.client.get(url, headers={"If-None-Match": etag})
        assert moved.status_code == 200 and moved.headers["etag"] != etag
        stamp = parsedate_to_datetime(moved.headers["last-modified"])
        assert stamp >= datetime(2026, 1, 11, tzinfo=UTC)


@freeze_time(NOW)
def test_the_window_holds_the_events_from_its_first_to_its_last_day(api):
    api.case(ref="EHC-B-1")
    url = _team(api)
    settings = api.client.app.state.settings
    wide = replace(settings, team_feed_days_before=400, team_feed_days_after=400)
    api.client.app.state.settings = wide
    days = {uid: event["DTSTART"].dt for uid, event in _events(api.client.get(url).content).items()}
    last_past = max(day for day in days.values() if day < TODAY)
    first_future = min(day for day in days.values() if day > TODAY)
    past = {uid for uid, day in days.items() if day == last_past}
    future = {uid for uid, day in days.items() if day == first_future}

    def served(before: int, after: int) -> set[str]:
        api.client.app.state.settings = replace(
            settings, team_feed_days_before=before, team_feed_days_after=after
        )
        return _uids(api.client.get(url).content)

    reach_back, reach_ahead = (TODAY - last_past).days, (first_future - TODAY).days
    assert past | future <= served(reach_back, reach_ahead)  # on the first and last days
    outside = served(reach_back - 1, reach_ahead - 1)  # a day short at both ends
    assert not (past | future) & outside
    assert outside == {f"send-clock-empty@{DOMAIN}"}  # nothing between: the note alone
    assert "no dates to show" in api.client.get(url).text


def test_status_words_follow_the_date(api):
    with freeze_time(NOW):
        api.case(ref="EHC-D-1")  # final plan due Monday 2 February 2026
        url = _team(api)
        final = _events(api.client.get(url).content)[_uid("EHC-D-1", "final_plan")]
        assert "Status: overdue" not in str(final["DESCRIPTION"])
    with freeze_time("2026-02-03 09:00:00"):
        later = _events(api.client.get(url).content)[_uid("EHC-D-1", "final_plan")]
    assert "Status: overdue." in str(later["DESCRIPTION"])
    assert int(later["SEQUENCE"]) == int(final["SEQUENCE"]) + 1
    assert later["LAST-MODIFIED"].dt.date() == date(2026, 2, 3)


@freeze_time(NOW)
@pytest.mark.parametrize("reader", [by_vobject, by_ical])
def test_independent_parsers_read_the_team_feed_alike(api, reader):
    url = _team(api)
    empty = api.client.get(url).content
    assert reader(empty) == by_icalendar(empty)
    api.case(ref="EHC-P-1")
    api.case(ref="EHC-P-2", received="2025-10-01")
    added = api.client.post(
        "/v1/cases",
        headers=api.write,
        json={"ref": "EHC-P-3", "process": "england-ehcna", "received": "2025-11-03"},
    )
    assert added.status_code == 201, added.text
    raw = api.client.get(url).content
    expected = by_icalendar(raw)
    assert len(expected[2]) >= 3
    assert reader(raw) == expected


@freeze_time(NOW)
def test_a_team_feed_of_one_officers_cases(api):
    api.case(ref="EHC-O-1", officer="Sam Patel")
    api.case(ref="EHC-O-2", officer="Alex Jones")
    created = api.client.post("/v1/feeds", headers=api.write, json={"officer": "Sam Patel"})
    assert created.status_code == 201, created.text
    url = f"/v1/feeds/{created.json()['token']}.ics"
    first = api.client.get(url)
    assert _uid("EHC-O-1", "final_plan") in _uids(first.content)
    assert not any("EHC-O-2" in uid for uid in _uids(first.content))
    feed = icalendar.Calendar.from_ical(first.content)
    assert str(feed["X-WR-CALNAME"]) == "Open SEN deadlines: Sam Patel"
    assert "of 1 case," in str(feed["DESCRIPTION"])
    api.case(ref="EHC-O-3", received="2025-10-01", officer="Sam Patel")
    assert _uid("EHC-O-3", "final_plan") in _uids(api.client.get(url).content)
    for bad in ({"officer": ""}, {"officer": "x" * 101}, {"team": "all"}):
        refused = api.client.post("/v1/feeds", headers=api.write, json=bad)
        assert refused.status_code == 422, bad


@freeze_time(NOW)
@pytest.mark.parametrize("reader", [by_vobject, by_ical])
def test_a_hostile_officer_name_cannot_break_out_of_the_feeds_name(api, reader):
    """The officer's name goes into the feed's name (X-WR-CALNAME): a line break, a NUL, a
    formula or a path in it stays text of that one property (or is refused), and the feed
    stays one calendar that independent parsers read alike."""
    for officer in (
        "Sam\r\nBEGIN:VEVENT\r\nUID:evil",
        "Sam\x00Patel",
        '=HYPERLINK("http://x")',
        "../../etc/passwd",
    ):
        created = api.client.post("/v1/feeds", headers=api.write, json={"officer": officer})
        if created.status_code == 422:  # refused outright: nothing was made
            assert created.headers["content-type"].startswith("application/problem+json")
            continue
        assert created.status_code == 201, created.text
        raw = api.client.get(f"/v1/feeds/{created.json()['token']}.ics").content
        assert b"\r\nBEGIN:VEVENT\r\nUID:evil" not in raw and b"\x00" not in raw
        feed = icalendar.Calendar.from_ical(raw)
        assert str(feed["X-WR-CALNAME"]).startswith("Open SEN deadlines: ")
        assert not [e for e in feed.walk("VEVENT") if "evil" in str(e.get("UID"))]
        assert reader(raw) == by_icalendar(raw)

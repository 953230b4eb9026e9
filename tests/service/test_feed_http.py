"""HTTP behaviour of calendar feeds, on SQLite and PostgreSQL: HEAD and OPTIONS, conditional
requests, 410 for a revoked feed, a body that stays the same while the data does, and the public
term calendars.

RFC 9110 13.1.2: "A recipient MUST use the weak comparison function when comparing entity tags
for If-None-Match", and "If the field value is "*", the condition is false if the origin server
has a current representation for the target resource". 9.3.2: "The HEAD method is identical to
GET except that the server MUST NOT send content in the response". 15.5.11: "The 410 (Gone)
status code indicates that access to the target resource is no longer available at the origin
server and that this condition is likely to be permanent."
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import icalendar
import pytest
from freezegun import freeze_time

from .test_api import assert_problem


@pytest.fixture(autouse=True)
def _routes_built(api):
    """FastAPI reads each route's annotations on first use; read them before freezegun
    replaces ``datetime.date`` with its own class."""
    assert api.client.get("/openapi.json").status_code == 200


def _case_feed(api, ref="EHC-HTTP-1", received="2025-09-15"):
    created = api.case(ref=ref, received=received)
    feed = api.client.post(f"/v1/cases/{created.json()['id']}/feeds", headers=api.write)
    assert feed.status_code == 201, feed.text
    return created, feed.json()


def _url(feed: dict) -> str:
    return f"/v1/feeds/{feed['token']}.ics"


@freeze_time("2025-09-16 09:00:00")
def test_head_has_the_headers_of_get_and_no_body(api):
    _created, feed = _case_feed(api)
    got = api.client.get(_url(feed))
    head = api.client.head(_url(feed))
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "cache-control", "content-type"):
        assert head.headers[name] == got.headers[name], name
    assert int(head.headers["content-length"]) == len(got.content)


def test_options_and_405_list_get_and_head(api):
    _created, feed = _case_feed(api)
    options = api.client.options(_url(feed))
    assert options.status_code == 204
    assert {"GET", "HEAD"} <= set(options.headers["allow"].replace(" ", "").split(","))
    refused = api.client.post(_url(feed))
    assert_problem(refused, 405)
    assert set(refused.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    public = api.client.put("/calendars/jersey.ics")
    assert {"GET", "HEAD"} <= set(public.headers["allow"].replace(" ", "").split(","))


@freeze_time("2025-09-16 09:00:00")
@pytest.mark.parametrize("method", ["get", "head"])
def test_weak_and_star_if_none_match_give_304(api, method):
    _created, feed = _case_feed(api)
    etag = api.client.get(_url(feed)).headers["etag"]
    request = getattr(api.client, method)
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = request(_url(feed), headers={"If-None-Match": condition})
        assert answer.status_code == 304 and answer.content == b"", condition
        assert answer.headers["etag"] == etag
    assert request(_url(feed), headers={"If-None-Match": '"other"'}).status_code == 200


@freeze_time("2025-09-16 09:00:00")
def test_if_modified_since(api):
    _created, feed = _case_feed(api)
    modified = api.client.get(_url(feed)).headers["last-modified"]
    assert api.client.get(_url(feed), headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2024), usegmt=True)
    assert api.client.get(_url(feed), headers={"If-Modified-Since": earlier}).status_code == 200
    garbage = api.client.get(_url(feed), headers={"If-Modified-Since": "yesterday"})
    assert garbage.status_code == 200  # an invalid date is ignored
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert api.client.get(_url(feed), headers=both).status_code == 200


def test_unchanged_data_gives_the_same_body_on_another_day(api):
    with freeze_time("2025-09-16 09:00:00"):
        created, feed = _case_feed(api)
        first = api.client.get(_url(feed))
    with freeze_time("2025-09-17 18:30:00"):
        second = api.client.get(_url(feed))
        assert (
            api.client.get(_url(feed), headers={"If-None-Match": first.headers["etag"]}).status_code
            == 304
        )
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["last-modified"] == first.headers["last-modified"]
    events = icalendar.Calendar.from_ical(second.content).walk("VEVENT")
    stamp = datetime(2025, 9, 16, 9, 0, tzinfo=UTC)
    assert all(e["DTSTAMP"].dt == e["LAST-MODIFIED"].dt == stamp for e in events)
    assert {int(e["SEQUENCE"]) for e in events} == {0}
    assert parsedate_to_datetime(first.headers["last-modified"]) == stamp
    # a record changes some events: those get a new SEQUENCE and LAST-MODIFIED, and the
    # feed a new ETag and Last-Modified; the others keep theirs
    with freeze_time("2025-10-20 10:00:00"):
        recorded = api.client.post(
            f"/v1/cases/{created.json()['id']}/events",
            headers={**api.write, "If-Match": created.headers["etag"]},
            json={"milestone": "decision_to_assess", "date": "2025-10-20"},
        )
        assert recorded.status_code == 201, recorded.text
        third = api.client.get(_url(feed))
        stale = api.client.get(_url(feed), headers={"If-None-Match": first.headers["etag"]})
    assert stale.status_code == 200 and third.headers["etag"] != first.headers["etag"]
    later = datetime(2025, 10, 20, 10, 0, tzinfo=UTC)
    assert parsedate_to_datetime(third.headers["last-modified"]) == later
    for event in icalendar.Calendar.from_ical(third.content).walk("VEVENT"):
        changed = int(event["SEQUENCE"]) > 0
        assert event["LAST-MODIFIED"].dt == (later if changed else stamp), event["UID"]
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt


def test_a_revoked_feed_is_gone(api):
    created, feed = _case_feed(api)
    assert api.client.get(_url(feed)).status_code == 200
    case_id = created.json()["id"]
    assert (
        api.client.delete(f"/v1/cases/{case_id}/feeds/{feed['id']}", headers=api.write).status_code
        == 204
    )
    assert_problem(api.client.get(_url(feed)), 410, "revoked")
    assert api.client.head(_url(feed)).status_code == 410
    assert_problem(api.client.get("/v1/feeds/feed_never-issued.ics"), 404)


def test_an_empty_team_feed_is_valid_and_stable(api):
    with freeze_time("2025-09-16 09:00:00"):
        team = api.client.post("/v1/feeds", headers=api.write).json()
        first = api.client.get(_url(team))
    with freeze_time("2025-09-20 09:00:00"):
        second = api.client.get(_url(team))
    assert second.content == first.content
    (note,) = icalendar.Calendar.from_ical(first.content).walk("VEVENT")
    assert "no dates to show" in str(note["DESCRIPTION"])


@pytest.mark.parametrize("calendar_id", ["jersey", "england-and-wales"])
def test_term_calendars_are_public_with_etags(api, calendar_id):
    url = f"/calendars/{calendar_id}.ics"
    response = api.client.get(url)  # no Authorization: a calendar app cannot send one
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["cache-control"].startswith("public")
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    again = api.client.get(url)
    assert again.content == response.content  # no DTSTAMP of the moment
    etag = response.headers["etag"]
    assert api.client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert api.client.head(url).content == b""
    assert_problem(api.client.get("/calendars/atlantis.ics"), 404)
    authorised = api.client.get(f"/v1/calendars/{calendar_id}.ics", headers=api.read)
    assert authorised.content == response.content


@pytest.mark.parametrize(
    "calendar_id",
    ["..%2F..%2Fpyproject", "%00", "jersey%0d%0aX-Injected:%201", "a" * 5000, "JERSEY"],
)
def test_hostile_public_calendar_ids_are_refused_without_harm(api, calendar_id):
    response = api.client.get(f"/calendars/{calendar_id}.ics")
    assert response.status_code == 404, response.text
    assert "x-injected" not in response.headers
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Modified-Since": "Sat, 01 Jan 99999 00:00:00 GMT"},
        {"If-Modified-Since": "\x00"},
        {"If-None-Match": "," * 10_000},
        {"If-None-Match": 'W/"' + "x" * 5000 + '"'},
    ],
)
def test_hostile_conditions_are_ignored(api, headers):
    response = api.client.get("/calendars/jersey.ics", headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"BEGIN:VCALENDAR")

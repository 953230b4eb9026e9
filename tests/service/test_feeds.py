"""Calendar subscriptions over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import icalendar
import recurring_ical_events
from freezegun import freeze_time

from .test_api import assert_problem


def _feed_for(api, ref="EHC-FEED-1"):
    created = api.case(ref=ref, received="2025-09-15")
    case_id = created.json()["id"]
    feed = api.client.post(f"/v1/cases/{case_id}/feeds", headers=api.write)
    assert feed.status_code == 201, feed.text
    return created, feed.json()


def _events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_create_fetch_and_revoke(api):
    created, feed = _feed_for(api)
    token = feed["token"]
    assert len(token) >= 32 and feed["url"].endswith(f"/v1/feeds/{token}.ics")
    assert feed["webcal_url"].startswith("webcal://")
    response = api.client.get(f"/v1/feeds/{token}.ics")  # no Authorization: public by token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["etag"] and response.headers["last-modified"]
    events = _events(response.content)
    final = events["EHC-FEED-1-england-ehcna-final_plan@test.invalid"]
    assert final["DTSTART"].dt == date(2026, 2, 2)
    assert "EHC-FEED-1" not in str(final["SUMMARY"])  # no identifying text in the summary
    client_view = recurring_ical_events.of(icalendar.Calendar.from_ical(response.content))
    assert client_view.at(date(2026, 2, 2))
    case_id = created.json()["id"]
    revoked = api.client.delete(f"/v1/cases/{case_id}/feeds/{feed['id']}", headers=api.write)
    assert revoked.status_code == 204
    assert_problem(api.client.get(f"/v1/feeds/{token}.ics"), 410, "revoked")


def test_token_is_stored_only_as_a_hash(api):
    _created, feed = _feed_for(api)
    from sqlalchemy import text

    with api.store.session() as session:
        stored = [row[0] for row in session.execute(text("SELECT token_hash FROM feeds"))]
    assert feed["token"] not in stored and len(stored[0]) == 64


def test_if_none_match_gives_304(api):
    _created, feed = _feed_for(api)
    url = f"/v1/feeds/{feed['token']}.ics"
    first = api.client.get(url)
    again = api.client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_sequence_rises_when_a_date_changes_and_persists(api):
    created, feed = _feed_for(api)
    url = f"/v1/feeds/{feed['token']}.ics"
    uid = "EHC-FEED-1-england-ehcna-comments_due@test.invalid"
    before = _events(api.client.get(url).content)[uid]
    assert int(before["SEQUENCE"]) == 0
    assert int(_events(api.client.get(url).content)[uid]["SEQUENCE"]) == 0  # unchanged
    case_id = created.json()["id"]
    api.client.post(
        f"/v1/cases/{case_id}/events",
        headers={**api.write, "If-Match": created.headers["etag"]},
        json={"milestone": "draft_plan", "date": "2026-01-26"},
    )
    after = _events(api.client.get(url).content)[uid]
    assert after["DTSTART"].dt == date(2026, 2, 9) and int(after["SEQUENCE"]) == 1
    assert int(_events(api.client.get(url).content)[uid]["SEQUENCE"]) == 1


@freeze_time("2026-01-10 09:00:00")  # the final plans (February 2026) are in the window
def test_team_feed_lists_open_deadlines_of_all_cases(api):
    api.case(ref="EHC-T-1")
    api.case(ref="EHC-T-2", received="2025-10-01")
    team = api.client.post("/v1/feeds", headers=api.write).json()
    events = _events(api.client.get(f"/v1/feeds/{team['token']}.ics").content)
    assert "EHC-T-1-england-ehcna-final_plan-team@test.invalid" in events
    assert "EHC-T-2-england-ehcna-final_plan-team@test.invalid" in events
    revoked = api.client.delete(f"/v1/feeds/{team['id']}", headers=api.write)
    assert revoked.status_code == 204
    assert api.client.get(f"/v1/feeds/{team['token']}.ics").status_code == 410


def test_feed_needs_a_live_token_and_staff_routes_a_write_token(api):
    assert_problem(api.client.get("/v1/feeds/feed_unknown.ics"), 404)
    created = api.case(ref="EHC-F-2")
    case_id = created.json()["id"]
    assert_problem(api.client.post(f"/v1/cases/{case_id}/feeds", headers=api.read), 403)
    assert_problem(api.client.post(f"/v1/cases/{case_id}/feeds"), 401)


def test_calendar_ics(api):
    response = api.client.get("/v1/calendars/jersey.ics", headers=api.read)
    assert response.status_code == 200
    names = {
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert any("Autumn 2025" in name for name in names)

"""The properties every feed and every event carries, whichever feed builds them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from send_clock import __version__
from send_clock.calendars import load_calendar
from send_clock.errors import InputError
from send_clock.ical import (
    DEFAULT_DOMAIN,
    FINGERPRINT,
    AllDay,
    build_feed,
    calendar_feed,
    events_feed,
    parse_alarms,
    schedule_feed,
    uid,
    utc_stamp,
)
from tests.ical.support import STAMP, check_client, ehcna, events_by_uid, parsed


def every_feed(**options):
    """One feed of each kind, built with ``options``."""
    return {
        "schedule": schedule_feed(ehcna(), "EHC-0042", **options),
        "calendar": calendar_feed(load_calendar("jersey"), **options),
        "team": events_feed([("EHC-0042", ehcna()), ("EHC-0043", ehcna())], **options),
    }


@pytest.fixture(params=["schedule", "calendar", "team"])
def raw(request) -> bytes:
    return every_feed(stamp=STAMP)[request.param].to_ical()


def test_the_calendar_properties(raw):
    feed = parsed(raw)
    assert str(feed["VERSION"]) == "2.0"
    assert str(feed["PRODID"]) == f"-//send-clock//send-clock {__version__}//EN"
    assert str(feed["CALSCALE"]) == "GREGORIAN"
    assert str(feed["METHOD"]) == "PUBLISH"
    assert str(feed["X-WR-CALNAME"]).strip()
    assert str(feed["X-WR-CALDESC"]).strip()


def test_refresh_interval_and_published_ttl_default_to_12_hours(raw):
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in raw
    feed = parsed(raw)
    assert feed["REFRESH-INTERVAL"].dt == timedelta(hours=12)
    assert feed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_the_refresh_interval_can_be_set():
    raw = schedule_feed(ehcna(), "EHC-1", stamp=STAMP, refresh=timedelta(hours=6)).to_ical()
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in raw
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in raw
    with pytest.raises(InputError, match="refresh interval must be positive"):
        schedule_feed(ehcna(), "EHC-1", refresh=timedelta(0))


def test_every_event_is_an_all_day_event_with_an_exclusive_end(raw):
    assert b"DTSTART;VALUE=DATE:" in raw and b"DTEND;VALUE=DATE:" in raw
    for event in parsed(raw).walk("VEVENT"):
        start, end = event["DTSTART"], event["DTEND"]
        assert start.params["VALUE"] == "DATE" and end.params["VALUE"] == "DATE"
        assert type(start.dt) is date and type(end.dt) is date
        assert end.dt > start.dt


def test_every_event_has_the_required_properties(raw):
    for uid_, event in events_by_uid(parsed(raw)).items():
        assert uid_.endswith(f"@{DEFAULT_DOMAIN}")
        assert event["DTSTAMP"].dt == STAMP
        assert str(event["SUMMARY"]).strip()
        assert str(event["DESCRIPTION"]).strip()
        assert isinstance(event["SEQUENCE"], int)
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert str(event["STATUS"]) in ("CONFIRMED", "TENTATIVE")
        assert event["CATEGORIES"].cats
        assert len(str(event[FINGERPRINT])) == 32


def test_a_client_finds_every_event_on_its_dates(raw):
    check_client(raw)


def test_lines_are_crlf_and_folded_at_75_octets_even_with_long_and_non_ascii_text():
    summary = "Évaluation – " + "très longue " * 20
    feed = build_feed(
        "Ünïcode – " * 12,
        "x" * 300,
        [AllDay("u@example.invalid", date(2026, 1, 5), summary, "é" * 200)],
        stamp=STAMP,
    )
    event = next(iter(parsed(feed.to_ical()).walk("VEVENT")))  # parsed() checks the lines
    assert str(event["SUMMARY"]) == summary and str(event["DESCRIPTION"]) == "é" * 200


def test_no_alarm_unless_asked_for(raw):
    assert b"VALARM" not in raw
    for feed in every_feed(stamp=STAMP, alarms=()).values():
        assert b"VALARM" not in feed.to_ical()


def test_alarms_are_display_alarms_the_given_days_before():
    raw = schedule_feed(ehcna(), "EHC-1", stamp=STAMP, alarms=(7, 1)).to_ical()
    events = events_by_uid(parsed(raw))
    final = events[f"EHC-1-england-ehcna-final_plan@{DEFAULT_DOMAIN}"]
    alarms = final.walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(days=-7), timedelta(days=-1)]
    assert {str(a["ACTION"]) for a in alarms} == {"DISPLAY"}
    assert {str(a["DESCRIPTION"]) for a in alarms} == {str(final["SUMMARY"])}
    check_client(raw)


def test_alarms_are_only_for_what_is_still_to_come():
    raw = schedule_feed(ehcna(), "EHC-1", stamp=STAMP, alarms="7").to_ical()
    received = events_by_uid(parsed(raw))[f"EHC-1-england-ehcna-request_received@{DEFAULT_DOMAIN}"]
    assert received.walk("VALARM") == []


@pytest.mark.parametrize(
    ("text", "days"), [("7,1", (7, 1)), (" 14 , 7 ,0", (14, 7, 0)), ("1,1", (1,)), (None, ())]
)
def test_parse_alarms(text, days):
    assert parse_alarms(text) == days


@pytest.mark.parametrize("text", ["", "7,", "seven", "-1", "1.5", "7;1", "400"])
def test_bad_alarms_are_an_input_error(text):
    with pytest.raises(InputError, match="not a list of days for alarms"):
        parse_alarms(text)


def test_dtstamp_defaults_to_now_in_utc():
    with freeze_time("2026-03-01 09:15:30"):
        raw = schedule_feed(ehcna(), "EHC-1").to_ical()
    assert {e["DTSTAMP"].dt for e in parsed(raw).walk("VEVENT")} == {
        datetime(2026, 3, 1, 9, 15, 30, tzinfo=UTC)
    }
    assert b"DTSTAMP:20260301T091530Z\r\n" in raw


def test_a_stamp_in_another_zone_is_written_in_utc():
    paris = timezone(timedelta(hours=1))
    assert utc_stamp(datetime(2026, 1, 1, 10, 0, 0, 5, tzinfo=paris)) == datetime(
        2026, 1, 1, 9, tzinfo=UTC
    )


def test_uids_use_the_configured_domain():
    raw = schedule_feed(ehcna(), "EHC-1", domain="send.example.gov.uk", stamp=STAMP).to_ical()
    assert all(u.endswith("@send.example.gov.uk") for u in events_by_uid(parsed(raw)))


@pytest.mark.parametrize("domain", ["", "has space", "a@b", "-start.example", "x..y"])
def test_a_bad_domain_is_an_input_error(domain):
    with pytest.raises(InputError, match="not a domain for event UIDs"):
        uid("EHC-1", "england-ehcna", "final_plan", domain=domain)


@pytest.mark.parametrize("case_ref", ["", "Sam Smith", "a@b", "-x", "x\n"])
def test_a_case_ref_that_cannot_stand_in_a_uid_is_an_input_error(case_ref):
    with pytest.raises(InputError, match="cannot be used in an event UID"):
        schedule_feed(ehcna(), case_ref)


def test_a_multi_day_event_ends_the_day_after_its_last_day():
    event = AllDay("u@x.invalid", date(2026, 2, 16), "Half term", last=date(2026, 2, 20))
    assert event.end == date(2026, 2, 21)
    assert AllDay("v@x.invalid", date(2026, 2, 16), "One day").end == date(2026, 2, 17)

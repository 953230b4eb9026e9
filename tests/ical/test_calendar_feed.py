"""A calendar's terms as a feed, and the round trip through the ICS importer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from send_clock.calendars import AcademicYear, load_calendar
from send_clock.calendars.icsimport import calendar_from_ics, text_of
from send_clock.ical import calendar_feed
from tests.ical.support import STAMP, TERM_CALENDAR_IDS, check_client, events_by_uid, parsed


def feed_events(calendar):
    return events_by_uid(parsed(calendar_feed(calendar, stamp=STAMP).to_ical()))


def of_category(events, category: str):
    return {uid: e for uid, e in events.items() if e["CATEGORIES"].cats == [category]}


def test_there_are_bundled_calendars_with_terms():
    assert {"jersey", "surrey"} <= set(TERM_CALENDAR_IDS)


@pytest.mark.parametrize("calendar_id", TERM_CALENDAR_IDS)
def test_round_trip_through_the_ics_importer_gives_the_same_terms(calendar_id, tmp_path):
    calendar = load_calendar(calendar_id)
    raw = calendar_feed(calendar, stamp=STAMP).to_ical()
    back = calendar_from_ics(raw, f"{calendar_id}.ics")
    assert back.terms == calendar.terms
    path = tmp_path / f"{calendar_id}.ics"  # and as a file a user gives send-clock
    path.write_bytes(raw)
    assert load_calendar(path).terms == calendar.terms


def test_round_trip_keeps_closure_days():
    jersey = load_calendar("jersey")
    year = jersey.years[0]
    term = year.terms[1]
    closed = (term.start + timedelta(days=7), term.start + timedelta(days=8))
    changed = replace(year, terms=(year.terms[0], replace(term, closures=closed), *year.terms[2:]))
    calendar = replace(jersey, years=(changed, *jersey.years[1:]))
    raw = calendar_feed(calendar, stamp=STAMP).to_ical()
    assert calendar_from_ics(raw, "closures.ics").terms == calendar.terms
    days = of_category(events_by_uid(parsed(raw)), "Closure day")
    assert {e["DTSTART"].dt for e in days.values()} == set(closed)


@pytest.mark.parametrize("calendar_id", TERM_CALENDAR_IDS)
def test_a_client_reads_the_feed(calendar_id):
    check_client(calendar_feed(load_calendar(calendar_id), stamp=STAMP).to_ical())


def test_one_event_spans_each_term():
    surrey = load_calendar("surrey")
    terms = of_category(feed_events(surrey), "Term")
    assert len(terms) == len(surrey.terms)
    for term in surrey.terms:
        event = terms[f"surrey-term-{term.start.isoformat()}@send-clock.invalid"]
        assert str(event["SUMMARY"]) == term.name
        assert event["DTSTART"].dt == term.start
        assert event["DTEND"].dt == term.end + timedelta(days=1)


def test_half_terms_inset_days_and_windows():
    jersey = load_calendar("jersey")
    events = feed_events(jersey)
    half_terms = of_category(events, "Half term")
    assert len(half_terms) == sum(1 for t in jersey.terms if t.half_term)
    autumn = next(t for t in jersey.terms if t.name == "Autumn 2025")
    half = half_terms[f"jersey-half-term-{autumn.half_term[0].isoformat()}@send-clock.invalid"]
    assert str(half["SUMMARY"]) == "Half term (Autumn 2025)"
    assert half["DTEND"].dt == autumn.half_term[1] + timedelta(days=1)
    insets = of_category(events, "INSET day")
    assert {e["DTSTART"].dt for e in insets.values()} == {d for t in jersey.terms for d in t.inset}
    assert all(
        uid.startswith(f"jersey-inset-{e['DTSTART'].dt.isoformat()}@") for uid, e in insets.items()
    )
    windows = of_category(events, "School-closure window")
    assert [(e["DTSTART"].dt, e["DTEND"].dt - timedelta(days=1)) for e in windows.values()] == [
        (w.start, w.end) for w in jersey.closure_windows()
    ]
    assert all("reg 5(4)(a)" in str(e["DESCRIPTION"]) for e in windows.values())


def test_uids_are_stable_across_exports():
    first = feed_events(load_calendar("hertfordshire"))
    again = events_by_uid(parsed(calendar_feed(load_calendar("hertfordshire")).to_ical()))
    assert set(first) == set(again)


def test_only_official_term_dates_are_confirmed():
    surrey = load_calendar("surrey")
    events = of_category(feed_events(surrey), "Term")
    for year in surrey.years:
        expected = "CONFIRMED" if year.status == "official" else "TENTATIVE"
        for term in year.terms:
            event = events[f"surrey-term-{term.start.isoformat()}@send-clock.invalid"]
            assert str(event["STATUS"]) == expected
            assert f"({year.status})" in str(event["DESCRIPTION"])


def test_the_feed_is_named_after_the_calendar():
    feed = parsed(calendar_feed(load_calendar("jersey"), stamp=STAMP).to_ical())
    assert str(feed["X-WR-CALNAME"]) == "Government of Jersey (States schools): school terms"
    named = calendar_feed(load_calendar("jersey"), stamp=STAMP, name="Jersey schools")
    assert str(named["X-WR-CALNAME"]) == "Jersey schools"


def test_a_calendar_without_terms_gives_a_feed_with_a_note():
    feed = parsed(calendar_feed(load_calendar("england-and-wales"), stamp=STAMP).to_ical())
    # RFC 5545 3.6: "calcomponent = 1*(...)": a calendar holds at least one component
    (note,) = feed.walk("VEVENT")
    assert str(note["SUMMARY"]) == "No term dates: England and Wales (bank holidays only)"
    assert note["DTSTART"].dt == STAMP.date()
    assert str(note["UID"]) == "england-and-wales-no-terms@send-clock.invalid"
    assert "no term dates" in text_of(feed, "X-WR-CALDESC")


def test_alarms_are_opt_in_here_too():
    raw = calendar_feed(load_calendar("jersey"), stamp=STAMP).to_ical()
    assert b"VALARM" not in raw
    with_alarms = calendar_feed(load_calendar("jersey"), stamp=STAMP, alarms="1").to_ical()
    events = parsed(with_alarms).walk("VEVENT")
    # only before dates still to come: none on the terms already past on the day of the export
    assert all(bool(e.walk("VALARM")) == (e["DTSTART"].dt >= STAMP.date()) for e in events)
    assert any(e.walk("VALARM") for e in events) and not all(e.walk("VALARM") for e in events)


def test_an_imported_feed_with_one_year_keeps_it(tmp_path):
    jersey = load_calendar("jersey")
    one_year = replace(jersey, years=(jersey.years[0],))
    assert isinstance(one_year.years[0], AcademicYear)
    raw = calendar_feed(one_year, stamp=STAMP).to_ical()
    assert calendar_from_ics(raw, "one.ics").terms == one_year.terms
    assert date(2025, 1, 6) in {e["DTSTART"].dt for e in parsed(raw).walk("VEVENT")}


def test_closure_window_cites_the_limits_it_can_lift_and_not_the_advice():
    windows = [
        e
        for e in calendar_feed(load_calendar("surrey")).walk("VEVENT")
        if "School-closure window" in str(e["CATEGORIES"].to_ical())
    ]
    description = str(windows[0]["DESCRIPTION"])
    assert "reg 5(4)(a), 10(4)(a) and 13(3)" in description
    assert "does not excuse" in description and "8(2)(a)" not in description

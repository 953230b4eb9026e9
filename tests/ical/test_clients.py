"""Every kind of export read by three independent parsers: icalendar, vobject and ``ical``
(strict, pydantic-validated). Each must see the same calendar name, the same description and
the same events; a name with ``,;\\`` must come back whole.

RFC 5545 3.3.11: "An intentional formatted text line break MUST only be included in a "TEXT"
property value by representing the line break with the character sequence of BACKSLASH,
followed by a LATIN SMALL LETTER N or a LATIN CAPITAL LETTER N", and "ESCAPED-CHAR = ("\\\\" /
"\\;" / "\\," / "\\N" / "\\n")": commas, semicolons and backslashes in TEXT are escaped, or a
client splits the value at them (vobject and Radicale cut a name at its first comma).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar.parser import unescape_backslash

from send_clock.calendars import load_calendar
from send_clock.calendars.icsimport import calendar_from_ics, text_of
from send_clock.ical import build_feed, calendar_feed, events_feed, schedule_feed
from send_clock.ical.feed import AllDay
from send_clock.panels import plan_panels, request_calendar
from send_clock.panels.feeds import plan_feed, request_calendar_feed
from send_clock.timelines import load_process
from tests.ical.support import STAMP, ehcna
from tests.panels.support import schedule

HOSTILE = "EHC needs assessment (England), case 7; A\\B"


def exports(tmp_path) -> dict[str, bytes]:
    """One file of every kind send-clock writes, two of them with a hostile name."""
    surrey = load_calendar("surrey")
    process = load_process("england-ehcna")
    plan = plan_panels(process, surrey, schedule(tmp_path), date(2026, 7, 15), date(2026, 7, 24))
    table = request_calendar(process, surrey, date(2025, 9, 1), date(2025, 10, 6))
    feeds = {
        "case": schedule_feed(ehcna(), "EHC-0042", stamp=STAMP, name=HOSTILE),
        "case, overdue": schedule_feed(ehcna(as_of=date(2025, 11, 3)), "EHC-0042", stamp=STAMP),
        "team": events_feed([("EHC-1", ehcna()), ("EHC-2", ehcna())], stamp=STAMP),
        "empty team": events_feed([], stamp=STAMP),
        "terms": calendar_feed(load_calendar("jersey"), stamp=STAMP, name=HOSTILE),
        "no terms": calendar_feed(load_calendar("england-and-wales"), stamp=STAMP),
        "panels": plan_feed(plan, stamp=STAMP),
        "good weeks": request_calendar_feed(table, stamp=STAMP),
    }
    return {kind: feed.to_ical() for kind, feed in feeds.items()}


def by_icalendar(raw: bytes) -> tuple[str, str, set]:
    feed = icalendar.Calendar.from_ical(raw)
    assert text_of(feed, "NAME") == text_of(feed, "X-WR-CALNAME")
    assert text_of(feed, "DESCRIPTION") == text_of(feed, "X-WR-CALDESC")
    events = {
        (
            str(e["UID"]),
            e["DTSTART"].dt,
            e["DTEND"].dt,
            str(e["SUMMARY"]),
            str(e.get("DESCRIPTION", "")),
            int(e["SEQUENCE"]),
            e["LAST-MODIFIED"].dt,
        )
        for e in feed.walk("VEVENT")
    }
    return text_of(feed, "NAME"), text_of(feed, "DESCRIPTION"), events


def by_vobject(raw: bytes) -> tuple[str, str, set]:
    feed = vobject.readOne(raw.decode("utf-8"))
    name, description = feed.contents["name"][0].value, feed.contents["description"][0].value
    assert (feed.x_wr_calname.value, feed.x_wr_caldesc.value) == (name, description)
    events = {
        (
            e.uid.value,
            e.dtstart.value,
            e.dtend.value,
            e.summary.value,
            e.description.value if "description" in e.contents else "",
            int(e.sequence.value),
            e.last_modified.value,
        )
        for e in feed.vevent_list
    }
    return name, description, events


def by_ical(raw: bytes) -> tuple[str, str, set]:
    """allenporter's ``ical``: a strict parser that refuses what RFC 5545 does not allow."""
    feed = IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
    extras = {extra.name: unescape_backslash(extra.value) for extra in feed.extras}
    (name,), (description,) = feed.name, feed.description
    assert (extras["x-wr-calname"], extras["x-wr-caldesc"]) == (name, description)
    events = {
        (
            e.uid,
            e.dtstart,
            e.dtend,
            e.summary,
            e.description or "",
            e.sequence,
            e.last_modified,
        )
        for e in feed.events
    }
    return name, description, events


@pytest.mark.parametrize("reader", [by_vobject, by_ical])
def test_every_export_reads_the_same_in_three_parsers(tmp_path, reader):
    for kind, raw in exports(tmp_path).items():
        expected = by_icalendar(raw)
        assert expected[2], f"{kind}: a calendar holds at least one event (RFC 5545 3.6)"
        assert reader(raw) == expected, kind


def test_hostile_names_come_back_whole(tmp_path):
    files = exports(tmp_path)
    for kind in ("case", "terms"):
        for reader in (by_icalendar, by_vobject, by_ical):
            assert reader(files[kind])[0] == HOSTILE, (kind, reader.__name__)
    assert b"NAME:EHC needs assessment (England)\\, case 7\\; A\\\\B\r\n" in files["case"]


def test_a_calendar_named_with_commas_imports_back_with_its_name():
    jersey = replace(load_calendar("jersey"), name="States of Jersey, schools; term\\dates")
    back = calendar_from_ics(calendar_feed(jersey, stamp=STAMP).to_ical(), "jersey.ics")
    assert (back.name, back.id, back.terms) == (jersey.name, jersey.id, jersey.terms)


one_line_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85\u2028\u2029"),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=40)
@given(name=one_line_text, summary=one_line_text)
def test_any_one_line_name_round_trips_in_every_parser(name, summary):
    event = AllDay("x-1@send-clock.invalid", date(2026, 2, 2), summary, description=name)
    raw = build_feed(name, name, [event], stamp=STAMP).to_ical()
    for reader in (by_icalendar, by_vobject, by_ical):
        found, described, events = reader(raw)
        assert (found, described) == (name, name), reader.__name__
        assert {(e[0], e[3], e[4]) for e in events} == {(event.uid, summary, name)}

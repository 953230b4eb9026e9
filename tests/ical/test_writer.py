"""The fast feed writer (:mod:`send_clock.ical.writer`) writes what icalendar writes, byte for
byte, and what it writes reads the same in three independent parsers.

RFC 5545 3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break.
Long content lines SHOULD be split into a multiple line representations using a line "folding"
technique"; 3.3.11: in TEXT, backslash, semicolon and comma are escaped and a line break is
written ``\\n``. A fold must not split a UTF-8 character.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.ical import build_feed
from send_clock.ical.feed import AllDay
from send_clock.ical.timeline import team_description, team_events
from send_clock.ical.writer import fold, write_feed
from tests.ical.support import STAMP, check_text, ehcna
from tests.ical.test_clients import by_ical, by_icalendar, by_vobject

#: Text a case reference, a milestone's wording or a name could hold, at its worst: escapes,
#: line breaks, multi-byte characters (an en dash, an emoji) and a backslash at every place a
#: fold could fall.
hostile = st.lists(st.sampled_from([*'ab ,;:\\^"\n\r–é😀x', "\\N", "\r\n"]), max_size=200).map(
    "".join
)
events = st.lists(
    st.builds(
        AllDay,
        uid=st.integers(0, 10**6).map(lambda n: f"EHC-{n}-team@test.invalid"),
        first=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        summary=hostile,
        description=hostile,
        categories=st.lists(hostile, max_size=3).map(tuple),
        status=st.sampled_from(["CONFIRMED", "TENTATIVE"]),
        alarms=st.lists(st.integers(0, 14), max_size=2, unique=True).map(tuple),
    ),
    max_size=5,
    unique_by=lambda event: event.uid,
)


@settings(max_examples=150, deadline=None)
@given(found=events, name=hostile)
def test_the_writer_writes_what_icalendar_writes(found, name):
    # Some events known from an earlier export: their SEQUENCE rises, or stays when unchanged.
    previous = {
        event.uid: (3, event.fingerprint if n % 2 else "changed", STAMP - timedelta(days=9))
        for n, event in enumerate(found[:3])
    }
    options = {"stamp": STAMP, "previous": previous}
    expected = build_feed(name or "Team", "Open deadlines", found, **options).to_ical()
    written, served = write_feed(name or "Team", "Open deadlines", found, **options)
    assert written == expected
    check_text(written)
    for uid, (sequence, _fingerprint, modified) in served.items():
        if uid in previous and previous[uid][1] != "changed":
            assert (sequence, modified) == (3, STAMP - timedelta(days=9))


def test_a_team_feed_reads_the_same_in_three_parsers():
    cases = [("EHC-1", ehcna()), ("EHC-2", ehcna(as_of=date(2025, 11, 3)))]
    raw, served = write_feed(
        "Open SEN deadlines", team_description(len(cases)), team_events(cases), stamp=STAMP
    )
    assert len(served) > 10
    expected = by_icalendar(raw)
    assert by_vobject(raw) == expected
    assert by_ical(raw) == expected


def test_an_empty_feed_holds_its_note():
    raw, served = write_feed("Open SEN deadlines", team_description(0), [], stamp=STAMP)
    assert raw == build_feed("Open SEN deadlines", team_description(0), [], stamp=STAMP).to_ical()
    assert len(served) == 1 and by_ical(raw)[2]


def test_folds_never_split_a_character_or_an_escape():
    line = "DESCRIPTION:" + "x" * 61 + "\\," + "–" * 30
    folded = fold(line).encode("utf-8")
    pieces = folded.split(b"\r\n ")
    assert all(len(piece) <= 74 for piece in pieces)
    assert pieces[0].endswith(b"x") and pieces[1].startswith(b"\\,")  # the escape kept whole
    assert b"".join(pieces).decode("utf-8") == line  # no character cut in two
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_dtstamp_is_when_the_content_last_changed():
    event = AllDay("EHC-1-team@test.invalid", date(2026, 2, 2), "EHC plan: final plan due")
    first, served = write_feed("Team", "d", [event], stamp=STAMP)
    later = datetime(2025, 10, 1, tzinfo=UTC)
    again, _ = write_feed("Team", "d", [event], stamp=later, previous=served)
    assert again == first  # unchanged: the same bytes on another day
    moved, moved_served = write_feed(
        "Team",
        "d",
        [AllDay(event.uid, date(2026, 2, 9), event.summary)],
        stamp=later,
        previous=served,
    )
    assert moved_served[event.uid][:1] == (1,) and b"DTSTAMP:20251001T000000Z" in moved

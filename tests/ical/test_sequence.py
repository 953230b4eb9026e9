"""SEQUENCE: kept while an event is unchanged, raised by one when its date or text changed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from send_clock.errors import InputError
from send_clock.ical import (
    FINGERPRINT,
    AllDay,
    build_feed,
    fingerprint,
    next_sequence,
    schedule_feed,
    sequences_of,
)
from tests.ical.support import STAMP, ehcna, events_by_uid, parsed

FINAL = "EHC-0042-england-ehcna-final_plan@send-clock.invalid"
DECISION = "EHC-0042-england-ehcna-decision_to_assess@send-clock.invalid"
ADVICE_DUE = "EHC-0042-england-ehcna-advice_due@send-clock.invalid"


def sequences(raw: bytes) -> dict[str, int]:
    return {uid: int(event["SEQUENCE"]) for uid, event in events_by_uid(parsed(raw)).items()}


def export(schedule, previous=None) -> bytes:
    return schedule_feed(schedule, "EHC-0042", stamp=STAMP, previous=previous).to_ical()


def test_a_first_export_starts_every_sequence_at_0():
    assert set(sequences(export(ehcna())).values()) == {0}


def test_an_unchanged_export_keeps_every_sequence():
    first = export(ehcna())
    assert export(ehcna(), previous=first) == first


def test_a_changed_date_raises_sequence_by_one_and_only_there():
    first = export(ehcna())
    # the decision is recorded early: its date moves, so does the advice due 6 weeks after it
    later = ehcna(as_of=date(2025, 10, 20), decision_to_assess=date(2025, 10, 20))
    second = export(later, previous=first)
    before, after = parsed(first), parsed(second)
    moved = {
        uid
        for uid, event in events_by_uid(after).items()
        if event["DTSTART"].dt != events_by_uid(before)[uid]["DTSTART"].dt
    }
    assert DECISION in moved and ADVICE_DUE in moved
    changed_text = {
        uid
        for uid, event in events_by_uid(after).items()
        if str(event["DESCRIPTION"]) != str(events_by_uid(before)[uid]["DESCRIPTION"])
    }
    expected = {uid: 1 if uid in moved | changed_text else 0 for uid in sequences(second)}
    assert sequences(second) == expected
    assert sequences(second)[FINAL] == 0


def test_sequence_keeps_rising_with_each_change_and_holds_after():
    early = ehcna(as_of=date(2025, 10, 20), decision_to_assess=date(2025, 10, 13))
    first = export(ehcna())
    second = export(ehcna(as_of=date(2025, 10, 20), decision_to_assess=date(2025, 10, 20)), first)
    third = export(early, previous=second)
    assert sequences(third)[DECISION] == 2
    assert sequences(export(early, previous=third))[DECISION] == 2


def test_a_changed_text_raises_sequence():
    first = export(ehcna())
    # 7 November: the decision is overdue, its status (in the description) changes
    second = export(ehcna(as_of=date(2025, 11, 7)), previous=first)
    decision = events_by_uid(parsed(second))[DECISION]
    assert decision["DTSTART"].dt == events_by_uid(parsed(first))[DECISION]["DTSTART"].dt
    assert sequences(second)[DECISION] == 1
    labelled = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP, label="Sam", previous=first)
    assert set(sequences(labelled.to_ical()).values()) == {1}


def test_the_previous_feed_can_be_bytes_text_or_the_mapping():
    first = export(ehcna())
    mapping = sequences_of(first)
    assert mapping[FINAL] == (0, str(events_by_uid(parsed(first))[FINAL][FINGERPRINT]), STAMP)
    later = ehcna(as_of=date(2025, 10, 20), decision_to_assess=date(2025, 10, 20))
    from_bytes = export(later, previous=first)
    assert export(later, previous=first.decode()) == from_bytes
    assert export(later, previous=mapping) == from_bytes
    as_json = {uid: list(entry) for uid, entry in mapping.items()}  # as a service stores it
    assert export(later, previous=as_json) == from_bytes
    without_times = {uid: entry[:2] for uid, entry in mapping.items()}
    assert sequences(export(later, previous=without_times)) == sequences(from_bytes)


def test_the_mapping_out_is_plain_data():
    mapping = sequences_of(export(ehcna()))
    assert all(
        isinstance(uid, str)
        and type(sequence) is int
        and isinstance(found, str)
        and isinstance(modified, datetime)
        for uid, (sequence, found, modified) in mapping.items()
    )


def test_an_event_new_since_the_previous_feed_starts_at_0():
    previous = {FINAL: (4, "something else")}
    current = sequences(export(ehcna(), previous=previous))
    assert current[FINAL] == 5 and current[DECISION] == 0


def test_an_event_without_a_fingerprint_counts_as_changed():
    raw = export(ehcna()).replace(b"X-SEND-CLOCK-FINGERPRINT", b"X-OTHER")
    assert sequences_of(raw)[FINAL] == (0, "", STAMP)
    assert set(sequences(export(ehcna(), previous=raw)).values()) == {1}


def test_next_sequence():
    assert next_sequence(None, "a") == 0
    assert next_sequence((2, "a"), "a") == 2
    assert next_sequence((2, "a"), "b") == 3


def test_the_fingerprint_covers_dates_summary_and_description():
    base = AllDay("u@x.invalid", date(2026, 1, 5), "S", "D")
    variants = [
        AllDay("u@x.invalid", date(2026, 1, 6), "S", "D"),
        AllDay("u@x.invalid", date(2026, 1, 5), "S", "D", last=date(2026, 1, 6)),
        AllDay("u@x.invalid", date(2026, 1, 5), "S2", "D"),
        AllDay("u@x.invalid", date(2026, 1, 5), "S", "D2"),
    ]
    assert len({base.fingerprint, *(v.fingerprint for v in variants)}) == 5
    assert base.fingerprint == fingerprint(date(2026, 1, 5), date(2026, 1, 5), "S", "D")
    # not the DTSTAMP, nor the alarms
    same = AllDay("u@x.invalid", date(2026, 1, 5), "S", "D", alarms=(1,))
    assert same.fingerprint == base.fingerprint


@pytest.mark.parametrize(
    "raw", [b"", b"hello", b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", b"\xff\xfe\x00"]
)
def test_a_previous_feed_that_is_not_a_calendar_is_an_input_error(raw):
    with pytest.raises(InputError, match="the previous feed is not a"):
        build_feed("x", "y", [], previous=raw)


@pytest.mark.parametrize("entry", [(-1, "a"), ("1", "a"), (1,), 3, (True, "a")])
def test_a_bad_mapping_entry_is_an_input_error(entry):
    with pytest.raises(InputError, match="give \\(sequence, fingerprint\\)"):
        build_feed("x", "y", [], previous={"u@x.invalid": entry})

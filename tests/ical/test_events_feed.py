"""A team's feed: the open deadlines of many cases."""

from __future__ import annotations

from datetime import date

import pytest

from send_clock.errors import InputError
from send_clock.ical import events_feed
from tests.ical.support import STAMP, check_client, ehcna, events_by_uid, parsed


def team_events(cases, **options):
    raw = events_feed(cases, stamp=STAMP, **options).to_ical()
    check_client(raw)
    return events_by_uid(parsed(raw))


def open_milestones(schedule):
    return [m for m in schedule.milestones if m.actual is None and m.status != "not_applicable"]


def test_only_open_milestones_of_every_case():
    started = ehcna()
    drafted = ehcna(as_of=date(2026, 1, 10), draft_plan=date(2026, 1, 5))
    events = team_events([("EHC-1", started), ("EHC-2", drafted)])
    expected = {
        f"EHC-1-england-ehcna-{m.id}-team@send-clock.invalid" for m in open_milestones(started)
    }
    expected |= {
        f"EHC-2-england-ehcna-{m.id}-team@send-clock.invalid" for m in open_milestones(drafted)
    }
    assert set(events) == expected
    assert "EHC-1-england-ehcna-request_received-team@send-clock.invalid" not in events  # happened
    assert "EHC-2-england-ehcna-draft_plan-team@send-clock.invalid" not in events  # happened
    assert "EHC-2-england-ehcna-no_plan_notice-team@send-clock.invalid" not in events  # n/a


def test_events_are_on_the_due_date_and_name_the_case():
    schedule = ehcna(as_of=date(2025, 11, 3))
    events = team_events([("EHC-1", schedule)])
    for status in open_milestones(schedule):
        event = events[f"EHC-1-england-ehcna-{status.id}-team@send-clock.invalid"]
        assert event["DTSTART"].dt == status.due
        assert str(event["SUMMARY"]).startswith("EHC-1 – EHC plan: ")


def test_events_can_be_on_the_projected_date():
    schedule = ehcna()
    events = team_events([("EHC-1", schedule)], on="projected")
    for status in open_milestones(schedule):
        assert events[f"EHC-1-england-ehcna-{status.id}-team@send-clock.invalid"]["DTSTART"].dt == (
            status.projected
        )
    with pytest.raises(InputError, match="on must be"):
        events_feed([("EHC-1", schedule)], on="actual")


def test_uids_differ_from_the_case_feed_and_sequences_carry_on():
    first = events_feed([("EHC-1", ehcna())], stamp=STAMP).to_ical()
    later = ehcna(as_of=date(2025, 11, 7))  # the decision is now overdue: its text changes
    second = events_feed([("EHC-1", later)], stamp=STAMP, previous=first).to_ical()
    sequences = {uid: int(e["SEQUENCE"]) for uid, e in events_by_uid(parsed(second)).items()}
    assert sequences["EHC-1-england-ehcna-decision_to_assess-team@send-clock.invalid"] == 1
    assert sequences["EHC-1-england-ehcna-final_plan-team@send-clock.invalid"] == 0


def test_an_empty_team_gives_a_feed_with_a_note():
    feed = parsed(events_feed([], stamp=STAMP).to_ical())
    (note,) = feed.walk("VEVENT")  # RFC 5545 3.6: a calendar holds at least one component
    assert note["DTSTART"].dt == STAMP.date() and "no dates to show" in str(note["DESCRIPTION"])
    assert str(feed["X-WR-CALNAME"]) == "Open SEN deadlines"
    assert "0 cases" in str(feed["X-WR-CALDESC"])


def test_alarms_when_asked():
    events = team_events([("EHC-1", ehcna())], alarms="7,1")
    assert all(len(e.walk("VALARM")) == 2 for e in events.values())


def test_a_closed_case_has_no_open_deadlines():
    # The final plan was issued: the advice and draft dates it never recorded are unrecorded,
    # not deadlines still to meet.
    closed = ehcna(
        as_of=date(2026, 6, 1),
        decision_to_assess=date(2025, 10, 20),
        final_plan=date(2026, 1, 30),
    )
    assert {m.status for m in closed.milestones if m.id == "advice_due"} == {"unrecorded"}
    events = team_events([("EHC-3", closed)])
    # only the note that keeps an empty calendar valid (RFC 5545 §3.6 needs a component)
    assert list(events) == ["send-clock-empty@send-clock.invalid"]

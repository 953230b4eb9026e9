"""The team feed written incrementally (each write renders its own case's events, the daily
refresh the events whose status changed) is the feed built from scratch: every case projected
afresh, every event written by :func:`send_clock.ical.writer.write_feed`, after any writes and
any days, on SQLite and PostgreSQL.

The rebuild is given the stored SEQUENCE state and a stamp the incremental feed never uses: an
event whose text, dates or SEQUENCE differ in any way makes the two feeds differ.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from send_clock.ical.feed import empty_note
from send_clock.ical.timeline import team_description, team_event
from send_clock.ical.writer import stored_feed, write_feed
from send_clock.store import cases, queries
from send_clock.store.projection import schedules_of
from send_clock.store.stored import feed_states
from tests.service.conftest import database_url, store  # noqa: F401 - fixtures
from tests.store.test_stored import operations, walk

NAME, DOMAIN = "Open SEN deadlines", "team.example.invalid"
#: a time no write happens at: an event the rebuild finds changed is stamped with it
NEVER = datetime(2001, 1, 1, tzinfo=UTC)
CREATED = datetime(2025, 9, 1, 8, tzinfo=UTC)


def window(today: date, before: int, after: int) -> tuple[date, date]:
    return today - timedelta(days=before), today + timedelta(days=after)


def incremental(
    session, today: date, before: int = 14, after: int = 60, domain: str = DOMAIN
) -> bytes:
    """The feed as the service writes it: from the events stored with each case."""
    first, last = window(today, before, after)
    state = queries.team_feed_state(session, first, last)
    return b"".join(
        stored_feed(
            NAME,
            team_description(state.cases, window=(before, after)),
            queries.team_feed_events(session, first, last),
            domain=domain,
            placeholder=empty_note(NAME, CREATED.date(), domain),
            placeholder_stamp=CREATED,
        )
    )


def from_scratch(
    session, today: date, before: int = 14, after: int = 60, domain: str = DOMAIN
) -> bytes:
    """The feed built anew: every case projected as of ``today``, its open milestones'
    events in the window, in the feed's order (date, case, milestone)."""
    first, last = window(today, before, after)
    states = cases.all_cases(session)
    found = []
    for state, schedule in schedules_of(states, today):
        for position, status in enumerate(schedule.milestones):
            event = team_event(schedule, status, state.ref, domain=domain)
            if event is not None and first <= event.first <= last:
                found.append(((event.first, state.id, position), event))
    found.sort(key=lambda item: item[0])
    refs = {state.id: (state.ref, state.process) for state in states}
    previous = {
        f"{refs[case_id][0]}-{refs[case_id][1]}-{milestone}-team@{domain}": known
        for (case_id, milestone), known in feed_states(session, list(refs)).items()
    }
    body, _served = write_feed(
        NAME,
        team_description(len({key[1] for key, _event in found}), window=(before, after)),
        [event for _key, event in found],
        stamp=NEVER,
        previous=previous,
        placeholder=empty_note(NAME, CREATED.date(), domain),
    )
    # the placeholder of an empty feed is stamped with the feed's creation
    return body.replace(b"20010101T000000Z", CREATED.strftime("%Y%m%dT%H%M%SZ").encode())


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, before=st.integers(0, 200), after=st.integers(0, 200))
def test_the_incremental_team_feed_is_the_feed_built_from_scratch(store, steps, before, after):  # noqa: F811
    for today in walk(store, steps):
        with store.session() as session:
            built = incremental(session, today, before, after)
            assert built == from_scratch(session, today, before, after)


def test_a_changed_event_gets_the_next_sequence_and_the_others_keep_theirs(store):  # noqa: F811
    with freeze_time("2025-09-16 09:00:00"), store.session() as session:
        state = cases.create_case(
            session, "EHC-SEQ-1", "england-ehcna", None, date(2025, 9, 15), None, "test"
        )
    with freeze_time("2025-09-16 09:00:00"), store.session() as session:
        first = _events(session)
    assert {sequence for sequence, _stamp in first.values()} == {0}
    with freeze_time("2025-10-20 10:00:00"), store.session() as session:
        cases.record(session, state.id, 1, "event", "decision_to_assess", "2025-10-20", "test")
    with freeze_time("2025-10-20 10:00:00"), store.session() as session:
        second = _events(session)
    changed = {uid for uid in second if second[uid] != first.get(uid)}
    assert changed, "recording the decision moves or rewords some events"
    for uid in changed & set(first):
        assert second[uid] == (first[uid][0] + 1, datetime(2025, 10, 20, 10, tzinfo=UTC))
    assert all(second[uid] == first[uid] for uid in set(second) - changed)
    # the decision happened: its event left the feed
    assert "EHC-SEQ-1-england-ehcna-decision_to_assess-team" in first
    assert "EHC-SEQ-1-england-ehcna-decision_to_assess-team" not in second


def _events(session) -> dict[str, tuple[int, datetime]]:
    """UID (before the @) -> (SEQUENCE, modified) of every stored team-feed event."""
    from sqlalchemy import select

    from send_clock.store.models import MilestoneProjectionRow as m

    rows = session.execute(
        select(m.feed_uid, m.feed_sequence, m.feed_modified).where(m.feed_day.is_not(None))
    )
    return {uid: (sequence, modified) for uid, sequence, modified in rows}

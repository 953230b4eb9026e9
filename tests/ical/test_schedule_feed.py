"""A case timeline as a feed: one event per applicable milestone, named without the child."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from send_clock.calendars import load_calendar
from send_clock.calendars.icsimport import text_of
from send_clock.dates import full_date
from send_clock.ical import schedule_feed
from send_clock.timelines import (
    Case,
    bundled_processes,
    load_process,
    parse_exceptions,
    project,
)
from tests.ical.support import STAMP, check_client, ehcna, events_by_uid, parsed


def events_of(schedule, case_ref="EHC-0042", **options):
    raw = schedule_feed(schedule, case_ref, stamp=STAMP, **options).to_ical()
    return {
        uid.split("@")[0].rsplit("-", 1)[-1]: e for uid, e in events_by_uid(parsed(raw)).items()
    }


def text(event, name: str) -> str:
    return str(event[name])


def test_one_event_per_applicable_milestone_on_its_projected_date():
    schedule = ehcna()
    events = events_of(schedule)
    assert set(events) == {m.id for m in schedule.milestones}
    for status in schedule.milestones:
        assert events[status.id]["DTSTART"].dt == status.projected


def test_the_uid_is_case_process_milestone_at_domain():
    raw = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP).to_ical()
    assert "EHC-0042-england-ehcna-final_plan@send-clock.invalid" in events_by_uid(parsed(raw))


def test_two_exports_of_the_same_case_have_the_same_uids():
    first = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP).to_ical()
    # later, with more recorded and another DTSTAMP: the same events, not new ones
    later = ehcna(as_of=date(2025, 11, 3), decision_to_assess=date(2025, 10, 20))
    second = schedule_feed(later, "EHC-0042").to_ical()
    assert set(events_by_uid(parsed(first))) == set(events_by_uid(parsed(second)))


def test_the_actual_date_is_used_once_recorded():
    schedule = ehcna(as_of=date(2026, 1, 10), draft_plan=date(2026, 1, 5))
    draft = events_of(schedule)["draft_plan"]
    assert draft["DTSTART"].dt == date(2026, 1, 5)
    description = text(draft, "DESCRIPTION")
    due = full_date(schedule.milestone("draft_plan").due)
    assert f"Happened on Monday 5 January 2026; it was due by {due}." in description
    assert "Status: met." in description


def test_summary_says_what_is_due_without_any_name():
    events = events_of(ehcna())
    assert text(events["final_plan"], "SUMMARY") == "EHC plan: final plan due"
    assert (
        text(events["decision_to_assess"], "SUMMARY") == "EHC plan: decision whether to assess due"
    )
    assert all(text(e, "SUMMARY").startswith("EHC plan: ") for e in events.values())


def test_a_label_is_opt_in_and_prefixes_the_summary():
    events = events_of(ehcna(), label="Sam")
    assert text(events["final_plan"], "SUMMARY") == "Sam – EHC plan: final plan due"
    assert all(text(e, "SUMMARY").startswith("Sam – ") for e in events.values())
    raw = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP, label="Sam").to_ical()
    assert str(parsed(raw)["X-WR-CALNAME"]).startswith("Sam – ")
    unlabelled = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP, label="  ").to_ical()
    assert b"Sam" not in unlabelled and " – " not in str(parsed(unlabelled)["X-WR-CALNAME"])


def test_the_description_says_what_happens_the_basis_and_the_status():
    schedule = ehcna()
    final = events_of(schedule)["final_plan"]
    milestone = schedule.milestone("final_plan").milestone
    description = text(final, "DESCRIPTION")
    assert description.startswith(milestone.description)
    assert f"Legal basis: {milestone.basis}." in description
    assert "Good practice" not in description
    assert f"Due by {full_date(schedule.milestone('final_plan').due)}." in description
    assert "Status: pending." in description


def test_the_due_date_is_shown_when_the_projection_differs():
    jersey = project(
        load_process("jersey-ron"),
        load_calendar("jersey"),
        Case(received=date(2025, 6, 16)),
        as_of=date(2025, 6, 16),
    )
    slipping = [m for m in jersey.milestones if not m.actual and m.projected != m.due]
    assert slipping, "the Jersey panels slip the projection past the due dates"
    events = events_of(jersey, "RON-7")
    for status in slipping:
        event = events[status.id]
        assert event["DTSTART"].dt == status.projected
        assert (
            f"Due by {full_date(status.due)}; projected for {full_date(status.projected)}, the "
            "date of this event." in text(event, "DESCRIPTION")
        )
        assert f"Status: {status.status.replace('_', ' ')}" in text(event, "DESCRIPTION")


def test_days_late_are_in_the_status_once_the_date_happened():
    schedule = ehcna(as_of=date(2025, 11, 3))
    decision = schedule.milestone("decision_to_assess")
    assert decision.status == "overdue" and decision.days_late > 1
    overdue = events_of(schedule)["decision_to_assess"]
    # a count growing every day would change the event (and its SEQUENCE) every day
    assert "Status: overdue." in text(overdue, "DESCRIPTION")
    a_week_on = events_of(ehcna(as_of=date(2025, 11, 10)))["decision_to_assess"]
    assert text(a_week_on, "DESCRIPTION") == text(overdue, "DESCRIPTION")
    happened = ehcna(as_of=date(2025, 11, 10), decision_to_assess=date(2025, 11, 3))
    met_late = happened.milestone("decision_to_assess")
    assert met_late.status == "late" and met_late.days_late == 7
    late = events_of(happened)["decision_to_assess"]
    assert "Status: late (7 days late)." in text(late, "DESCRIPTION")


def test_exceptions_are_in_the_description():
    process = load_process("england-ehcna")
    recorded = parse_exceptions(["absence_from_area:2025-10-01..2025-11-05"], process)
    schedule = project(
        process,
        load_calendar("england-and-wales"),
        Case(received=date(2025, 9, 15), exceptions=recorded),
        as_of=date(2025, 11, 10),
    )
    excused = [m for m in schedule.milestones if m.exceptions]
    assert excused, "a long absence excuses the 6-week decision"
    events = events_of(schedule)
    for status in excused:
        exception = status.exceptions[0]
        assert (
            "Exception: absence from area, Wednesday 1 October 2025 to Wednesday 5 November 2025 "
            f"({exception['basis']})." in text(events[status.id], "DESCRIPTION")
        )


def test_not_applicable_milestones_get_no_event():
    schedule = ehcna(as_of=date(2026, 1, 10), draft_plan=date(2026, 1, 5))
    assert schedule.milestone("no_plan_notice").status == "not_applicable"
    assert "no_plan_notice" not in events_of(schedule)
    refused = ehcna(as_of=date(2025, 10, 27), decision="refused")
    events = events_of(refused)
    assert set(events) == {m.id for m in refused.milestones if m.status != "not_applicable"}
    assert "final_plan" not in events


def test_conditional_milestones_are_tentative_and_say_only_if():
    events = events_of(ehcna())
    notice = events["no_plan_notice"]
    assert text(notice, "STATUS") == "TENTATIVE"
    assert "Only if decision is agreed and outcome is no plan (not yet known)." in text(
        notice, "DESCRIPTION"
    )
    assert text(events["final_plan"], "STATUS") == "CONFIRMED"
    assert "Only if" not in text(events["final_plan"], "DESCRIPTION")


def test_categories_name_the_process_and_the_kind_of_milestone():
    events = events_of(ehcna())
    assert events["final_plan"]["CATEGORIES"].cats == ["EHC plan", "Statutory"]
    assert events["advice_requested"]["CATEGORIES"].cats == ["EHC plan", "Good practice"]
    assert "Good practice, not a statutory time limit." in text(
        events["advice_requested"], "DESCRIPTION"
    )


def test_the_feed_is_named_without_the_child():
    feed = parsed(schedule_feed(ehcna(), "EHC-0042", stamp=STAMP).to_ical())
    assert text_of(feed, "X-WR-CALNAME") == (
        "EHC needs assessment (England), received Monday 15 September 2025"
    )
    assert "case EHC-0042" in text_of(feed, "X-WR-CALDESC")


@pytest.mark.parametrize("process", [p.id for p in bundled_processes()])
def test_every_bundled_process_exports_a_feed_clients_read(process):
    definition = load_process(process)
    calendar = load_calendar(definition.default_calendar)
    # 16 June 2025, or the first day of a calendar whose term dates begin later.
    received = max(date(2025, 6, 16), calendar.coverage[0] if calendar.coverage else date.min)
    schedule = project(
        definition,
        calendar,
        Case(received=received, params=_params(definition)),
        as_of=received,
    )
    raw = schedule_feed(schedule, "CASE-1", stamp=STAMP, alarms=(7, 1)).to_ical()
    check_client(raw)
    dated = [m for m in schedule.milestones if m.status != "not_applicable"]
    assert len(events_by_uid(parsed(raw))) == len(dated)


def _params(process) -> dict[str, int]:
    return {key: 2027 for key in process.params}


def test_alarms_only_before_dates_still_to_come():
    schedule = ehcna(as_of=date(2025, 11, 3), advice_requested=date(2025, 10, 1))
    events = events_of(schedule, alarms="7,1")
    assert schedule.milestone("decision_to_assess").status == "overdue"
    assert not events["decision_to_assess"].walk("VALARM")  # overdue: no reminder
    assert not events["request_received"].walk("VALARM")  # happened
    assert not events["advice_requested"].walk("VALARM")  # happened
    assert len(events["final_plan"].walk("VALARM")) == 2  # final_plan, 2 February 2026: to come


def test_last_modified_is_when_the_content_last_changed():
    first = schedule_feed(ehcna(), "EHC-0042", stamp=STAMP).to_ical()
    later = STAMP.replace(month=10, day=20)
    unchanged = schedule_feed(ehcna(), "EHC-0042", stamp=later, previous=first).to_ical()
    assert unchanged == first  # the same data gives the same bytes, whenever it is exported
    recorded = ehcna(as_of=date(2025, 10, 20), decision_to_assess=date(2025, 10, 20))
    moved = events_by_uid(
        parsed(schedule_feed(recorded, "EHC-0042", stamp=later, previous=first).to_ical())
    )
    before = events_by_uid(parsed(first))
    for uid, event in moved.items():
        changed = int(event["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
        expected = later if changed else STAMP
        assert event["LAST-MODIFIED"].dt == event["DTSTAMP"].dt == expected, uid
    assert (
        int(moved["EHC-0042-england-ehcna-decision_to_assess@send-clock.invalid"]["SEQUENCE"]) == 1
    )


def test_the_case_feed_and_the_team_feed_share_no_uid():
    """RFC 4791 5.3.2.1: a calendar collection refuses a second resource with a UID it holds
    (``no-uid-conflict``); a calendar holding both feeds must get distinct UIDs."""
    from send_clock.ical import events_feed

    schedule = ehcna()
    case = set(events_by_uid(parsed(schedule_feed(schedule, "EHC-0042", stamp=STAMP).to_ical())))
    team = set(events_by_uid(parsed(events_feed([("EHC-0042", schedule)], stamp=STAMP).to_ical())))
    assert team and case and not case & team
    assert {uid.replace("-team@", "@") for uid in team} <= case


@given(days=st.integers(min_value=1, max_value=120))
def test_the_feed_changes_with_the_date_only_where_a_status_does(days):
    """A case feed is a function of the case's data and of the statuses the date gives it:
    exported again on a later day with the previous export, it is the same file unless a
    milestone's status changed (due soon, overdue, ...)."""
    first_day = date(2025, 9, 15)
    first = schedule_feed(ehcna(first_day), "EHC-0042", stamp=STAMP).to_ical()
    later = ehcna(first_day + timedelta(days=days))
    again = schedule_feed(later, "EHC-0042", stamp=STAMP + timedelta(days=days), previous=first)
    statuses = [m.status for m in ehcna(first_day).milestones]
    if [m.status for m in later.milestones] == statuses:
        assert again.to_ical() == first
    else:
        changed = {str(e["UID"]) for e in again.walk("VEVENT") if int(e["SEQUENCE"]) > 0}
        moved = {
            m.id for m, before in zip(later.milestones, statuses, strict=True) if m.status != before
        }
        assert {uid.split("@")[0].rsplit("-", 1)[-1] for uid in changed} == moved

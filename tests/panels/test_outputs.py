"""The printable page and the iCalendar feeds of a plan and of a request calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import icalendar
import pytest

from send_clock.dates import full_date
from send_clock.panels import plan_panels, request_calendar
from send_clock.panels.feeds import plan_feed, request_calendar_feed
from send_clock.panels.html import calendar_html, plan_html
from send_clock.panels.text import closure_name
from send_clock.timelines import load_process

from ..helpers import d
from .support import schedule

STAMP = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def table(surrey):
    return request_calendar(load_process("england-ehcna"), surrey, d("2025-09-01"), d("2025-10-06"))


@pytest.fixture
def plan(tmp_path, surrey):
    wednesdays = schedule(tmp_path)
    return plan_panels(
        load_process("england-ehcna"), surrey, wednesdays, d("2026-07-15"), d("2026-07-24")
    )


def test_calendar_page_is_self_contained_and_says_each_verdict_in_words(table):
    page = calendar_html(table)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in page
    assert not re.search(r"<(script|link)\b|src=|https?://", page)  # nothing fetched
    rows = re.findall(r'<tr class="(good|avoid)">(.*?)</tr>', page, flags=re.S)
    assert [verdict for verdict, _ in rows] == [w.verdict for w in table.weeks]
    for (verdict, html_row), week in zip(rows, table.weeks, strict=True):
        row = " ".join(html_row.split())
        assert ("✓ Good week" if verdict == "good" else "✗ Avoid") in row
        if verdict == "good":
            assert "clear of school closures of two weeks or more" in row
        for verb, closure in [*week.assessment.clashes(), *week.consultation.clashes()]:
            assert (
                f"{verb} the {closure_name(closure)} closure, {full_date(closure.start)} to" in row
            )
    assert "Monday 15 September 2025" in page  # dates in full
    assert "Monday 5 January 2026 to Sunday 18 January 2026" in page
    assert "Christmas: Saturday 20 December 2025 to Sunday 4 January 2026" in page
    assert "@media print" in page


def test_calendar_page_escapes_text(table):
    from dataclasses import replace

    odd = replace(table, calendar=replace(table.calendar, name="<b>Council & Co</b>"))
    page = calendar_html(odd)
    assert "&lt;b&gt;Council &amp; Co&lt;/b&gt;" in page and "<b>Council" not in page


def test_plan_page(plan):
    page = plan_html(plan)
    assert "Wednesday 2 September 2026" in page
    assert "✗ Late by 5 days" in page and "✓ On time, 0 days to spare" in page
    assert "Requests received Friday 17 July 2026 to Tuesday 21 July 2026 (5 dates) miss" in page
    assert not re.search(r"<(script|link)\b|https?://", page)


def test_plan_feed_has_one_event_per_panel_reached(plan):
    feed = icalendar.Calendar.from_ical(plan_feed(plan, stamp=STAMP).to_ical())
    events = feed.walk("VEVENT")
    assert [e["DTSTART"].dt for e in events] == [d("2026-07-22"), d("2026-09-02")]
    first = events[0]
    assert str(first["UID"]) == "wednesday-panel-panel-2026-07-22@send-clock.invalid"
    assert first["DTEND"].dt == d("2026-07-23")
    assert "Papers must be in on or before Thursday 16 July 2026" in str(first["DESCRIPTION"])


def test_request_calendar_feed_has_the_good_weeks_only(table):
    raw = request_calendar_feed(table, domain="send.example.gov.uk", stamp=STAMP).to_ical()
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    good = [w for w in table.weeks if w.verdict == "good"]
    assert [e["DTSTART"].dt for e in events] == [w.monday for w in good]
    assert [(e["DTEND"].dt - e["DTSTART"].dt).days for e in events] == [5] * len(good)
    assert str(events[0]["UID"]).endswith("@send.example.gov.uk")
    assert "Good week to submit a request" in str(events[0]["SUMMARY"])


def test_jersey_page_says_when_the_20_weeks_cannot_be_met(jersey):
    table = request_calendar(load_process("jersey-ron"), jersey, d("2025-07-28"), d("2025-08-04"))
    page = " ".join(calendar_html(table).split())
    assert "Final Record of Need issued cannot be made within the 20 weeks" in page
    assert "projected Monday 22 December 2025, due Monday 15 December 2025" in page
    assert "final Record of Need issued is projected by Monday 22 December 2025" in page

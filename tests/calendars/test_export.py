"""Writing calendars out: the TOML data format reads back to the same calendar; the plain-data
form for JSON."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from send_clock.calendars import calendar_from_toml, load_calendar
from send_clock.calendars.export import (
    calendar_summary,
    calendar_to_dict,
    calendar_to_toml,
)
from tests.calendars.test_bankholidays import ENGLAND_AND_WALES
from tests.helpers import TERM_CALENDARS, d

ALL_CALENDARS = ("england-and-wales", *TERM_CALENDARS)


@pytest.mark.parametrize("calendar_id", ALL_CALENDARS)
def test_toml_export_reads_back_the_same(calendar_id):
    calendar = load_calendar(calendar_id)
    copy = calendar_from_toml(calendar_to_toml(calendar), "copy.toml")
    assert copy.years == calendar.years
    assert (copy.id, copy.name, copy.jurisdiction, copy.notes) == (
        calendar.id,
        calendar.name,
        calendar.jurisdiction,
        calendar.notes,
    )


def test_toml_export_keeps_bank_holiday_corrections(tmp_path):
    path = tmp_path / "council.toml"
    path.write_text(
        "bank_holidays_add = [2025-11-05]\nbank_holidays_remove = [2025-12-26]\n", encoding="utf-8"
    )
    copy = calendar_from_toml(calendar_to_toml(load_calendar(path)), "copy.toml")
    assert copy.bank_holidays_add == (d("2025-11-05"),)
    assert copy.bank_holidays_remove == (d("2025-12-26"),)


# -- plain data -----------------------------------------------------------------------------
def test_summary(surrey):
    assert calendar_summary(surrey) == {
        "id": "surrey",
        "name": "Surrey County Council (community and voluntary controlled schools)",
        "jurisdiction": "england-and-wales",
        "coverage_from": d("2023-09-01"),
        "coverage_to": d("2027-07-28"),
        "status": "official 2023-24 to 2024-25, school-sourced 2025-26 to 2026-27",
    }


@pytest.mark.parametrize(("today", "first_year"), [("2025-06-15", 2025), ("2026-12-31", 2026)])
def test_without_terms_bank_holidays_of_this_year_and_next(england, today, first_year):
    with freeze_time(today):
        data = calendar_to_dict(england)
    expected = ENGLAND_AND_WALES[first_year] + ENGLAND_AND_WALES[first_year + 1]
    assert data["bank_holidays"] == expected
    assert (data["coverage_from"], data["years"], data["closures"]) == (None, [], [])


def test_with_terms_the_data_does_not_depend_on_today(jersey):
    with freeze_time("2020-01-01"):
        early = calendar_to_dict(jersey)
    with freeze_time("2030-01-01"):
        late = calendar_to_dict(jersey)
    assert early == late
    assert early["bank_holidays"][0] == d("2025-04-18")  # first in coverage (6 Jan 2025 on)
    assert early["closure_windows"][0] == {
        "closure_start": d("2025-07-19"),
        "reopens": d("2025-09-02"),
        "closure_days": 45,
        "window_start": d("2025-07-12"),
        "window_end": d("2025-08-26"),
        "after_term": "Summer 2025",
    }
    assert [year["year"] for year in early["years"]] == ["2024-25", "2025-26", "2026-27"]
    assert early["years"][1]["terms"][0]["inset"] == [d("2025-09-11")]

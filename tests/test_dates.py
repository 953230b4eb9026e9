"""Reading dates: ISO and British forms; impossible dates are errors that say why."""

from __future__ import annotations

from datetime import date

import pytest

from send_clock.dates import full_date, long_date, parse_date
from send_clock.errors import InputError


@pytest.mark.parametrize("text", ["2025-09-15", "15/09/2025", " 2025-9-15 ", "15/9/2025"])
def test_iso_and_british_forms(text):
    assert parse_date(text) == date(2025, 9, 15)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-02-30", "February 2025 has 28 days"),
        ("2024-02-30", "February 2024 has 29 days"),
        ("2025-13-01", "there is no month 13"),
        ("31/04/2025", "April 2025 has 30 days"),
        ("0000-01-01", "the year must be 1 or later"),
    ],
)
def test_impossible_dates_say_why(text, reason):
    with pytest.raises(InputError) as caught:
        parse_date(text)
    assert str(caught.value) == f"{text!r} is not a real date: {reason}"


@pytest.mark.parametrize("text", ["", "15 Sep 2025", "2025/09/15", "09-15-2025", "tomorrow"])
def test_unreadable_dates_name_the_accepted_forms(text):
    with pytest.raises(InputError, match=r"YYYY-MM-DD \(2025-09-15\) or DD/MM/YYYY"):
        parse_date(text, "START date")


def test_the_message_names_the_value():
    with pytest.raises(InputError, match="is not a received date"):
        parse_date("soon", "received date")


def test_written_forms():
    assert long_date(date(2025, 10, 27)) == "Mon 27 Oct 2025"
    assert full_date(date(2026, 2, 2)) == "Monday 2 February 2026"
    assert long_date(None) == full_date(None) == ""

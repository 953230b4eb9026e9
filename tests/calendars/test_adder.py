"""``Calendar.adder``: the unit and day index looked up once, the same dates and errors as
``Calendar.add`` (which the one-case projector relies on)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars import bundled_calendars
from send_clock.calendars.units import UNITS
from send_clock.errors import SendClockError

CALENDARS = {calendar.id: calendar for calendar in bundled_calendars()}


def result(call):
    try:
        return ("ok", call())
    except SendClockError as error:
        return ("error", type(error), str(error))


@settings(max_examples=300)
@given(
    st.sampled_from(sorted(CALENDARS)),
    st.dates(date(1985, 1, 1), date(2065, 12, 31)) | st.sampled_from([date.min, date.max]),
    st.integers(-400, 400) | st.sampled_from([10**7, -(10**7), 10**20]),
    st.sampled_from([*UNITS, "Working_Day", "term week", "fortnights"]),
)
def test_adder_counts_as_add(calendar_id, start, amount, unit):
    calendar = CALENDARS[calendar_id]
    expected = result(lambda: calendar.add(start, amount, unit))
    assert result(lambda: calendar.adder(amount, unit)(start)) == expected
    # the second call reads the cached counter
    assert result(lambda: calendar.adder(amount, unit)(start)) == expected

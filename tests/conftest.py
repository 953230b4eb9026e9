"""Shared test settings and fixtures.

Hypothesis runs derandomized, with no example database and no deadline (the first call on a
calendar builds its indexes), so every run of the suite checks the same examples.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from send_clock.calendars import load_calendar

settings.register_profile(
    "send-clock", derandomize=True, database=None, deadline=None, max_examples=100
)
settings.load_profile("send-clock")


@pytest.fixture
def jersey():
    return load_calendar("jersey")


@pytest.fixture
def surrey():
    return load_calendar("surrey")


@pytest.fixture
def hertfordshire():
    return load_calendar("hertfordshire")


@pytest.fixture
def england():
    return load_calendar("england-and-wales")

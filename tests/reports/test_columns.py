"""Column helpers checked against plain Python on generated values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from send_clock.reports.columns import repeated_positions, shared_values

ids = st.lists(st.text(alphabet="AB1é,", max_size=4), max_size=30)


@given(ids, ids)
def test_shared_values_is_set_intersection(first, second):
    expected = bool(set(first) & set(second)) if first and second else False
    first_array = np.array(first, dtype=str) if first else np.empty(0, dtype="U1")
    second_array = np.array(second, dtype=str) if second else np.empty(0, dtype="U1")
    assert shared_values(first_array, second_array) == expected


@given(ids)
def test_repeated_positions_point_at_the_first_one(values):
    seen: dict[str, int] = {}
    expected = {}
    for position, value in enumerate(values):
        if value in seen:
            expected[position] = seen[value]
        else:
            seen[value] = position
    array = np.array(values, dtype=str) if values else np.empty(0, dtype="U1")
    assert repeated_positions(array) == expected

"""Counting days of one kind (term weekdays, school days, working days) without loops.

A :class:`DayIndex` holds, sorted, the day numbers of every day that counts, over the range the
calendar covers. "The N-th counted day after D" is then one ``bisect`` (or, for many dates at
once, one ``numpy.searchsorted``) and an index; "how many counted days lie between A and B" is a
difference of two bisects. An index past either end means the count needs data the calendar does
not have, which is an :class:`~send_clock.errors.OutOfCoverage` error, never a guess.

Day numbers are days since 1970-01-01, the integer behind ``numpy.datetime64[D]``. An index is
built as a plain list of ints and numpy is imported only for the many-dates methods, so adding
to one date (``send-clock date add 2025-09-15 20 term-weeks``) never pays numpy's import.

>>> from datetime import date
>>> weekdays = DayIndex.weekdays(date(2025, 9, 1), date(2025, 9, 30), "weekdays", "example")
>>> weekdays.step(date(2025, 9, 5), 1)      # the first weekday after Friday 5 September
datetime.date(2025, 9, 8)
>>> weekdays.count(date(2025, 9, 5), date(2025, 9, 12))
5
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import OutOfCoverage

if TYPE_CHECKING:
    import numpy as np

#: ``date.toordinal()`` of 1970-01-01: converts between ordinals and numpy day numbers.
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - EPOCH_ORDINAL


def from_day_number(number: int) -> date:
    return date.fromordinal(int(number) + EPOCH_ORDINAL)


def weekday_numbers(first: date, last: date) -> list[int]:
    """Day numbers of the weekdays (Mon-Fri) from ``first`` to ``last`` inclusive."""
    # 1970-01-01 was a Thursday: (n + 3) % 7 is 0 on Mondays ... 6 on Sundays.
    return [n for n in range(day_number(first), day_number(last) + 1) if (n + 3) % 7 < 5]


def without(numbers: Sequence[int], days: Iterable[date]) -> list[int]:
    """``numbers`` less the day numbers of ``days``."""
    drop = {day_number(d) for d in days}
    return [n for n in numbers if n not in drop]


class DayIndex:
    """The sorted days one unit counts, covering ``first`` to ``last`` inclusive.

    ``what`` names the data in messages ("term dates", "bank holidays"); ``owner`` names the
    calendar.
    """

    def __init__(self, numbers: Sequence[int], first: date, last: date, what: str, owner: str):
        # plain ints: bisect on a list beats numpy per call
        self._sorted = numbers.tolist() if hasattr(numbers, "tolist") else list(numbers)
        self.first, self.last = first, last
        self._first_n, self._last_n = day_number(first), day_number(last)
        self.what, self.owner = what, owner

    @classmethod
    def weekdays(cls, first: date, last: date, what: str, owner: str) -> DayIndex:
        return cls(weekday_numbers(first, last), first, last, what, owner)

    def __len__(self) -> int:
        return len(self._sorted)

    def day_numbers(self) -> list[int]:
        """The counted days, as a sorted list of day numbers."""
        return self._sorted

    @cached_property
    def numbers(self) -> np.ndarray:
        """The counted days as an ``int64`` array, for the many-dates methods."""
        import numpy as np

        return np.array(self._sorted, dtype=np.int64)

    def __contains__(self, day: date) -> bool:
        self._check_inside(day)
        number = day_number(day)
        position = bisect_left(self._sorted, number)
        return position < len(self._sorted) and self._sorted[position] == number

    # -- one date -------------------------------------------------------------------------
    def step(self, start: date, count: int) -> date:
        """The ``count``-th counted day after ``start`` (before it when ``count`` < 0).

        ``start`` itself is never counted; ``count == 0`` returns ``start``.
        """
        if count == 0:
            return start
        number = day_number(start)
        if count > 0:
            if number < self._first_n - 1:
                raise self._outside(after=False, start=start)
            position = bisect_right(self._sorted, number) + count - 1
            if position >= len(self._sorted):
                raise self._outside(after=True)
        else:
            if number > self._last_n + 1:
                raise self._outside(after=True)
            position = bisect_left(self._sorted, number) + count
            if position < 0:
                raise self._outside(after=False)
        return from_day_number(self._sorted[position])

    def count(self, start: date, end: date) -> int:
        """How many counted days lie after ``start`` up to and including ``end``."""
        if day_number(start) < self._first_n - 1:
            raise self._outside(after=False, start=start)
        if end > self.last:
            raise self._outside(after=True)
        return bisect_right(self._sorted, day_number(end)) - bisect_right(
            self._sorted, day_number(start)
        )

    # -- many dates -----------------------------------------------------------------------
    def step_many(
        self, starts: np.ndarray, counts: np.ndarray | int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`step` over day numbers: returns ``(results, ok)``.

        ``results`` holds day numbers; where ``ok`` is false the count left the covered range
        and the result is meaningless.
        """
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        counts = np.broadcast_to(np.asarray(counts, dtype=np.int64), starts.shape)
        forward = counts > 0
        position = np.where(
            forward,
            np.searchsorted(self.numbers, starts, side="right") + counts - 1,
            np.searchsorted(self.numbers, starts, side="left") + counts,
        )
        ok = np.where(
            forward,
            (starts >= self._first_n - 1) & (position < len(self.numbers)),
            (starts <= self._last_n + 1) & (position >= 0),
        )
        ok |= counts == 0
        results = (
            self.numbers[np.clip(position, 0, max(len(self.numbers) - 1, 0))]
            if len(self.numbers)
            else starts.copy()
        )
        return np.where(counts == 0, starts, results), ok

    def count_many(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`count`: returns ``(counts, ok)``."""
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        counts = np.searchsorted(self.numbers, ends, side="right") - np.searchsorted(
            self.numbers, starts, side="right"
        )
        ok = (starts >= self._first_n - 1) & (ends <= self._last_n)
        return counts, ok

    # -- messages -------------------------------------------------------------------------
    def coverage(self) -> str:
        return f"{_short(self.first)} to {_short(self.last)}"

    def _check_inside(self, day: date) -> None:
        if not self.first <= day <= self.last:
            raise self._outside(after=day > self.last, start=day)

    def _outside(self, after: bool, start: date | None = None) -> OutOfCoverage:
        if after:
            need = f"after {_short(self.last)}"
        else:
            need = f"before {_short(self.first)}"
            if start is not None:
                need += f" (it starts on {_short(start)})"
        return OutOfCoverage(
            f"calendar {self.owner!r} has {self.what} from {self.coverage()} only, and this "
            f"needs {self.what} {need}; add the missing {self.what} to the calendar or use one "
            "that covers them"
        )


def _short(day: date) -> str:
    """``6 Jan 2025``."""
    return f"{day.day} {day:%b %Y}"

"""Reading columns of text into numpy arrays: dates, choices and case ids, with per-row problems.

Readers of caseload files work on whole columns: a column of a million dates is parsed by numpy
in C when every value is ISO ``YYYY-MM-DD`` (or empty). Only when that fails does a slower path
look at the distinct values one by one, so a file written in ``DD/MM/YYYY`` still reads, and a
value that is neither is reported for its row, never guessed.

>>> days, problems = parse_dates(["2025-09-15", "", "15/09/2025", "31/02/2025"], "received date")
>>> [str(day) for day in days]
['2025-09-15', 'NaT', '2025-09-15', 'NaT']
>>> problems
{3: "'31/02/2025' is not a real date: February 2025 has 28 days"}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..dates import parse_date
from ..errors import InputError

NAT = np.datetime64("NaT", "D")
ISO_LENGTH = len("2025-09-15")

#: position in a column -> why the value there cannot be used
Problems = dict[int, str]


def parse_dates(texts: tuple[str, ...], what: str) -> tuple[np.ndarray, Problems]:
    """``datetime64[D]`` for each text (``NaT`` where empty), and the positions that are not dates.

    ``what`` names the value in messages ("received date", "date of final_plan").
    """
    size = len(texts)
    if size == 0:
        return np.empty(0, dtype="datetime64[D]"), {}
    empty = texts.count("")
    if len("".join(texts)) == ISO_LENGTH * (size - empty):  # every value empty or ten long
        try:
            # numpy parses ISO dates in C; an empty string becomes NaT
            days = np.array(texts, dtype="datetime64[D]")
            if np.count_nonzero(np.isnat(days)) == empty:  # no "NaT" or the like
                return days, {}
        except ValueError:
            pass  # DD/MM/YYYY, or an impossible date such as 2025-02-30: sort them out below
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=size)
    values = np.array(texts, dtype=str)
    days = np.full(size, NAT, dtype="datetime64[D]")
    iso = _iso_shaped(values, lengths)
    try:
        days[iso] = values[iso].astype("datetime64[D]")
        rest = np.flatnonzero(~iso & (lengths > 0))
    except ValueError:
        rest = np.flatnonzero(lengths > 0)
    if len(rest):
        found, problems = _parse_one_by_one(values[rest], what)
        days[rest] = found
        return days, {int(rest[position]): reason for position, reason in problems.items()}
    return days, {}


def _iso_shaped(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which values look like ``YYYY-MM-DD`` (ten characters, dashes at 5 and 8)."""
    if values.dtype.itemsize < ISO_LENGTH * 4:
        return np.zeros(len(values), dtype=bool)
    codes = values.view(np.uint32).reshape(len(values), -1)
    dash = ord("-")
    return (lengths == ISO_LENGTH) & (codes[:, 4] == dash) & (codes[:, 7] == dash)


def _parse_one_by_one(texts: np.ndarray, what: str) -> tuple[np.ndarray, Problems]:
    """The slow path: parse each distinct value with :func:`parse_date` (both forms, clear
    messages); a caseload has few distinct dates, so this stays quick."""
    distinct, inverse = np.unique(texts, return_inverse=True)
    parsed = np.full(len(distinct), NAT, dtype="datetime64[D]")
    reasons: dict[int, str] = {}
    for index, text in enumerate(distinct.tolist()):
        if not text.strip():
            continue
        try:
            parsed[index] = np.datetime64(parse_date(text, what), "D")
        except InputError as error:
            reasons[index] = str(error)
    problems = {}
    if reasons:
        bad = np.zeros(len(distinct), dtype=bool)
        bad[list(reasons)] = True
        for position in np.flatnonzero(bad[inverse]).tolist():
            problems[position] = reasons[int(inverse[position])]
    return parsed[inverse], problems


def text_column(texts: Sequence[str]) -> np.ndarray:
    """A column of text as a fixed-width unicode array, surrounding spaces removed.

    >>> text_column([" EHC-1 ", "EHC-2"]).tolist()
    ['EHC-1', 'EHC-2']
    """
    values = np.array(texts, dtype=str) if len(texts) else np.empty(0, dtype="U1")
    return np.strings.strip(values)


def choice_codes(
    values: np.ndarray, choices: Sequence[str], describe: Callable[[str], str]
) -> tuple[np.ndarray, Problems]:
    """Index of each value in ``choices`` (``-1`` where empty), case and spaces ignored; a value
    that is none of them is a problem described by ``describe(value)``.

    >>> codes, problems = choice_codes(np.array(["agreed", "", "Refused", "maybe"]),
    ...                                ("agreed", "refused"), lambda v: f"{v!r}?")
    >>> codes.tolist(), problems
    ([0, -1, 1, -1], {3: "'maybe'?"})
    """
    codes = np.full(len(values), -1, dtype=np.int8)
    for index, choice in enumerate(choices):
        codes[values == choice] = index
    unread = np.flatnonzero((codes == -1) & (values != ""))
    if unread.size == 0:
        return codes, {}
    problems = {}
    lowered = np.strings.lower(np.strings.strip(values[unread]))
    for position, value, original in zip(
        unread.tolist(), lowered.tolist(), values[unread].tolist(), strict=True
    ):
        if value in choices:
            codes[position] = choices.index(value)
        elif value:
            problems[position] = describe(original)
    return codes, problems


def repeated_positions(ids: np.ndarray) -> dict[int, int]:
    """Positions whose value already appeared earlier, mapped to the first such position.

    Hashes the code points of every value at once and compares exactly only where hashes meet,
    so a million ids take a few hundredths of a second.

    >>> repeated_positions(np.array(["a", "b", "a", "c", "b", "a"]))
    {2: 0, 4: 1, 5: 0}
    """
    size = len(ids)
    if size < 2:
        return {}
    hashes = _hashes(ids)  # wraps around: a hash, checked exactly below where two meet
    ordered = np.sort(hashes)
    shared = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(shared):
        return {}
    candidates = np.isin(hashes, shared)
    first_seen: dict[str, int] = {}
    repeats = {}
    for position in np.flatnonzero(candidates).tolist():
        value = str(ids[position])
        if value in first_seen:
            repeats[position] = first_seen[value]
        else:
            first_seen[value] = position
    return repeats


def first_problems(*problem_maps: Problems) -> Problems:
    """Merge per-column problems, keeping the first reason found for each row."""
    merged: Problems = {}
    for problems in problem_maps:
        for position, reason in problems.items():
            merged.setdefault(position, reason)
    return merged


def shared_values(first: np.ndarray | None, second: np.ndarray | None) -> bool:
    """Whether any value of ``second`` is also in ``first`` (hashes first, then exactly).

    >>> shared_values(np.array(["a", "b"]), np.array(["c", "b"]))
    True
    >>> shared_values(np.array(["a", "b"]), np.array(["c"]))
    False
    """
    if first is None or second is None or not len(first) or not len(second):
        return False
    # (a binary search in the sorted hashes of ``first``: ``np.isin`` sorts both sides together,
    # ten times slower for half a million ids each)
    known = np.sort(_hashes(first))
    hashes = _hashes(second)
    candidates = known[np.minimum(np.searchsorted(known, hashes), len(known) - 1)] == hashes
    if not candidates.any():
        return False
    return bool(np.isin(second[candidates], first).any())


def _hashes(values: np.ndarray) -> np.ndarray:
    codes = np.ascontiguousarray(values).view(np.uint32).reshape(len(values), -1)
    weights = np.uint32(2_654_435_761) ** np.arange(codes.shape[1], dtype=np.uint32)
    return codes @ weights

"""The columnar CSV writing of ``date add --input`` against :class:`send_clock.safecsv.Writer`
(Python's ``csv``, a lone ``\r`` quoted too): whatever the cells hold (separators, quotes, line
breaks, formula triggers, numbers, any text), a block written by pyarrow is byte for byte what
the writer writes for the same rows, neutralised or raw."""

from __future__ import annotations

import io

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from send_clock.calendars.datelist import _csv_block, _csv_cell, _csv_cells
from send_clock.safecsv import Writer, neutral_column

CELL = st.text(
    alphabet=st.sampled_from(list(",\"\n\r\t =+-@'.0123456789eE aZ£é٣")), max_size=8
) | st.sampled_from(["-3", "+2.5", "=SUM(A1)", "@x", "\t1", "\r", "", "-٣", "1e5", "-.5"])
ROWS = st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=30)


def _by_csv(rows: list[list[str]], raw: bool) -> bytes:
    text = io.StringIO()
    Writer(text, line_end="\n", raw=raw).writerows(rows)
    return text.getvalue().encode()


def _by_pyarrow(rows: list[list[str]], raw: bool) -> bytes:
    columns = [pa.array(list(column), pa.string()) for column in zip(*rows, strict=True)]
    cells = [_csv_cells(column if raw else neutral_column(column)) for column in columns]
    return bytes(_csv_block(cells))


@settings(max_examples=300, deadline=None)
@given(ROWS, st.booleans())
def test_a_block_is_what_csv_writes(rows, raw):
    assert _by_pyarrow(rows, raw) == _by_csv(rows, raw)


@settings(max_examples=200, deadline=None)
@given(CELL, st.booleans())
def test_one_cell_is_what_csv_writes(text, raw):
    assert _csv_cell(text, raw) + ",x\n" == _by_csv([[text, "x"]], raw).decode()


def test_a_sliced_column_is_neutralised_by_its_own_values():
    column = pa.array(["=1", "a", "-x", "ok"], pa.string()).slice(1)
    assert neutral_column(column).to_pylist() == ["a", "'-x", "ok"]

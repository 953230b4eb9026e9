"""The columnar CSV layer (:mod:`send_clock.csvfiles`) on what the readers above it do not
build by themselves: a block that starts inside pyarrow's buffers."""

import io

import numpy as np

from send_clock.csvfiles import Chunk, open_columns

TEXT = b"d\n2025-09-15\n\n2024-02-29\n\n\n2025-01-31\n2023-12-01\n\n"


def test_iso_dates_of_a_block_cut_out_of_a_bigger_one_are_its_own():
    """Empty values are NaT wherever the block starts in its column's buffers (pyarrow's
    offset), and the dates are those of the rows of the block."""
    chunk = next(open_columns(io.BytesIO(TEXT), "d.csv").chunks())
    whole, _ = chunk.iso_dates(0)
    for start in range(len(chunk)):
        for stop in range(start, len(chunk) + 1):
            part = Chunk(chunk.batch.slice(start, stop - start), chunk.lines[start:stop])
            days, rest = part.iso_dates(0)
            assert days.astype(str).tolist() == whole[start:stop].astype(str).tolist()
            assert rest.tolist() == []
    assert np.isnat(whole).tolist() == [False, True, False, True, True, False, False, True]

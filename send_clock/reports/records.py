"""Writing millions of text records column by column, without a Python call per record.

A record is a sequence of items: constant bytes (separators, a milestone's title) and
:class:`Field`\\ s whose values vary by case and come as numpy ``S`` arrays. Records are laid out
in a reusable buffer, each item at a fixed offset and as wide as its widest value: constants are
written into every record once, and for each chunk of records each field is one strided numpy
copy. Shorter values leave NUL bytes, which one ``bytes.translate`` per chunk removes; no value
may contain NUL.

>>> import io, numpy as np
>>> names = np.array([b"Ada", b"Grace"])
>>> out = io.BytesIO()
>>> write_records([b"name=", Field(5, lambda start, stop: names[start:stop]), b"\\n"], 2, out)
>>> out.getvalue()
b'name=Ada\\nname=Grace\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

#: Bytes of buffer per chunk: big enough to amortise numpy calls, small enough to stay in cache.
CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class Field:
    """A value of each record: at most ``width`` bytes; ``values(start, stop)`` returns those of
    records ``start`` to ``stop`` as an ``S`` array (shorter values are NUL-padded)."""

    width: int
    values: Callable[[int, int], np.ndarray]


Item = bytes | Field


def write_records(
    items: Sequence[Item],
    count: int,
    out: BinaryIO,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``count`` records made of ``items`` to ``out``; ``progress(records_done)``."""
    layout = _layout(items)
    record = sum(width for _, _, width in layout) or 1
    chunk = max(1, min(count, CHUNK_BYTES // record))
    memory = bytearray(chunk * record)
    grid = np.frombuffer(memory, dtype=np.uint8).reshape(chunk, record)
    slots = []
    for item, offset, width in layout:
        if isinstance(item, bytes):
            grid[:, offset : offset + width] = np.frombuffer(item, dtype=np.uint8)
        else:
            slot = np.ndarray((chunk,), f"V{width}", memory, offset, (record,))
            slots.append((item, width, slot))
    for start in range(0, count, chunk):
        stop = min(count, start + chunk)
        for field, width, slot in slots:
            values = field.values(start, stop)
            if values.dtype.itemsize > width:
                raise ValueError(f"a value is wider than its field ({width} bytes)")
            slot[: stop - start] = values.astype(f"S{width}", copy=False).view(f"V{width}")
        data = memory if stop - start == chunk else memory[: (stop - start) * record]
        out.write(data.translate(None, b"\0"))
        if progress:
            progress(stop)


def _layout(items: Sequence[Item]) -> list[tuple[Item, int, int]]:
    """(item, offset, width) for each item, adjacent constants merged."""
    merged: list[Item] = []
    for item in items:
        if isinstance(item, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += item
        elif not isinstance(item, bytes) or item:
            merged.append(item)
    layout, offset = [], 0
    for item in merged:
        width = len(item) if isinstance(item, bytes) else max(item.width, 1)
        layout.append((item, offset, width))
        offset += width
    return layout


def lookup(table: Sequence[bytes]) -> np.ndarray:
    """A table of byte strings as one ``S`` array, for ``table[indexes]`` gathers.

    >>> lookup([b"met", b"late"])[np.array([1, 0, 1])].tolist()
    [b'late', b'met', b'late']
    """
    width = max((len(entry) for entry in table), default=1)
    return np.array(list(table), dtype=f"S{max(width, 1)}")

"""Every CSV the project writes, read back by ``csv``: a value holding a carriage return or a
line feed (alone or together) stays one value of one row, whatever the line end."""

from __future__ import annotations

import csv
import io

import pytest

from send_clock.safecsv import Writer, row_text

BREAKS = ["a\rb", "a\nb", "a\r\nb", "\r", "\n", "=1\r", "plain"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize("raw", [False, True])
def test_line_breaks_are_quoted_whatever_the_line_end(line_end, raw):
    text = io.StringIO()
    writer = Writer(text, line_end=line_end, raw=raw)
    writer.writerow(["id", "note"])
    for value in BREAKS:
        writer.writerow([value, "x"])
    rows = list(csv.reader(io.StringIO(text.getvalue(), newline="")))
    assert rows[0] == ["id", "note"]
    written = [row[0] for row in rows[1:]]
    neutralised = ["a\rb", "a\nb", "a\r\nb", "'\r", "\n", "'=1\r", "plain"]
    assert written == (BREAKS if raw else neutralised)
    assert text.getvalue().endswith("x" + line_end)


def test_a_row_with_nothing_to_quote_is_left_bare():
    assert row_text(["a", "b c", "-3"], "\n") == "a,b c,-3\n"
    assert row_text(["a\rb", "c"], "") == '"a\rb",c'

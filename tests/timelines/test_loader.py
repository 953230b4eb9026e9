"""Process files are validated as they load; every error names the file and the entry."""

from __future__ import annotations

import os
import textwrap

import pytest

from send_clock.errors import ProcessError, ProcessFileError
from send_clock.timelines import load_process

VALID = """
    id = "test-process"
    title = "A test process"
    start = "start"

    [branches.decision]
    title = "Agreed?"
    values = ["yes", "no"]

    [[milestones]]
    id = "start"
    title = "Start"
    description = "It starts."
    basis = "Test basis 1"

    [[milestones]]
    id = "next"
    title = "Next"
    description = "It follows."
    basis = "Test basis 2"
    due = { from = "start", amount = 2, unit = "weeks" }
"""


def extra(line: str) -> str:
    """VALID with ``line`` added to its last milestone."""
    return f"{VALID}    {line}\n"


def changed(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new)


def write(tmp_path, text: str):
    path = tmp_path / "process.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_valid_file_loads(tmp_path):
    process = load_process(write(tmp_path, VALID))
    assert (process.id, process.ids, process.order) == (
        "test-process",
        ("start", "next"),
        ("start", "next"),
    )
    assert process.milestone("next").due.steps[0].unit == "weeks"
    assert process.default_calendar == "england-and-wales"


BAD = {
    "unknown unit": (
        changed('unit = "weeks"', 'unit = "fortnights"'),
        "milestone 'next' due",
        "fortnights",
    ),
    "unknown anchor": (
        changed('from = "start"', 'from = "nowhere"'),
        "milestone 'next'",
        "counts from 'nowhere'",
    ),
    "first_of with one step": (
        changed(
            'due = { from = "start", amount = 2, unit = "weeks" }',
            'due = { first_of = [ { from = "start", amount = 2, unit = "weeks" } ] }',
        ),
        "milestone 'next' due",
        "first_of needs two or more steps",
    ),
    "a flag that is not true or false": (
        extra('absence_within_period = "yes"'),
        "milestone 'next'",
        "absence_within_period",
    ),
    "counts from itself": (
        changed('from = "start"', 'from = "next"'),
        "milestone 'next'",
        "counts from itself",
    ),
    "cycle": (
        changed('from = "start"', 'from = "third"')
        + """
    [[milestones]]
    id = "third"
    title = "Third"
    description = "Loops back."
    basis = "Test basis 3"
    due = { from = "next", amount = 1, unit = "days" }
""",
        "milestones",
        "cycle (next -> third)",
    ),
    "bad milestone id": (changed('id = "next"', 'id = "Next-Step"'), "milestones[2]", "Next-Step"),
    "bad process id": (changed('id = "test-process"', 'id = "Test Process"'), "id", "Test Process"),
    "unknown milestone key": (
        extra('colour = "red"'),
        "milestones[2]",  # keys are checked before the id is read
        "unknown key 'colour'",
    ),
    "unknown top-level key": (
        changed('title = "A test process"', 'title = "A test process"\n    owner = "me"'),
        "top level",
        "unknown key 'owner'",
    ),
    "unknown rule key": (
        changed('unit = "weeks"', 'unit = "weeks", round = "up"'),
        "milestone 'next' due",
        "unknown key 'round'",
    ),
    "unknown exception kind": (
        extra('excused_by = { holidays = "reg 99" }'),
        "milestone 'next'",
        "unknown exception kind 'holidays'",
    ),
    "exception without basis": (
        extra('excused_by = { school_closure = "" }'),
        "milestone 'next'",
        "excused_by.school_closure needs its legal basis",
    ),
    "branch value not declared": (
        extra('when = ["decision=maybe"]'),
        "milestone 'next'",
        "decision takes yes, no",
    ),
    "branch not declared": (
        extra('when = ["colour=red"]'),
        "milestone 'next'",
        "no branch 'colour'",
    ),
    "anchor on a narrower branch": (
        extra('when = ["decision=yes"]')
        + """
    [[milestones]]
    id = "after"
    title = "After"
    description = "Counts from a milestone that may not happen."
    basis = "Test basis 3"
    due = { from = "next", amount = 1, unit = "days" }
""",
        "milestone 'after'",
        "counts from 'next', which applies only when decision=yes",
    ),
    "missing basis": (
        changed('basis = "Test basis 2"', ""),
        "milestone 'next'",
        "basis is missing or empty",
    ),
    "empty title": (changed('title = "Next"', 'title = "  "'), "milestone 'next'", "title"),
    "missing due rule": (
        changed('due = { from = "start", amount = 2, unit = "weeks" }', ""),
        "milestone 'next'",
        "needs a due rule",
    ),
    "amount not a whole number": (
        changed("amount = 2", "amount = 2.5"),
        "milestone 'next' due",
        "amount must be a whole number",
    ),
    "bad kind": (extra('kind = "advisory"'), "milestone 'next'", "kind 'advisory'"),
    "start not a milestone": (changed('start = "start"', 'start = "begin"'), "start", "'begin'"),
    "duplicate id": (
        VALID.replace('id = "next"', 'id = "start"'),
        "milestone 'start'",
        "already used",
    ),
    "fixed date without a declared parameter": (
        changed(
            'due = { from = "start", amount = 2, unit = "weeks" }',
            'due = { on = "02-15", year = "transfer_year" }',
        ),
        "milestone 'next'",
        "'transfer_year' is not a declared [params] entry",
    ),
    "no milestones": (
        'id = "empty"\ntitle = "Empty"\nstart = "start"\n',
        "milestones",
        "needs a [[milestones]] list",
    ),
    "invalid TOML": (VALID + "\nbroken = \n", "", "not valid TOML"),
}


@pytest.mark.parametrize(("text", "where", "reason"), list(BAD.values()), ids=list(BAD))
def test_invalid_process_files_name_the_file_and_the_entry(tmp_path, text, where, reason):
    path = write(tmp_path, text)
    with pytest.raises(ProcessFileError) as caught:
        load_process(path)
    error = caught.value
    assert error.path == str(path.resolve())
    assert error.where == where
    assert reason in error.reason
    assert str(error).startswith(f"{path.resolve()}: ")
    assert "\n" not in str(error)


OVERLAY_BAD = {
    "replaces a milestone that does not exist": (
        'id = "ghost"\nreplaces = true',
        "milestone 'ghost'",
        "no milestone with this id",
    ),
    "reuses an id without replaces": (
        'id = "final_plan"',
        "milestone 'final_plan'",
        "already used",
    ),
    "inserts after an unknown milestone": (
        'id = "panel"\ninsert_after = "nowhere"',
        "milestone 'panel'",
        "insert_after 'nowhere'",
    ),
}


@pytest.mark.parametrize(
    ("head", "where", "reason"), list(OVERLAY_BAD.values()), ids=list(OVERLAY_BAD)
)
def test_invalid_overlays_name_the_file_and_the_entry(tmp_path, head, where, reason):
    text = f"""
id = "bad-overlay"
extends = "england-ehcna"

[[milestones]]
{head}
title = "Panel"
description = "A panel."
kind = "practice"
basis = "Local practice"
due = {{ from = "request_received", amount = 4, unit = "weeks" }}
"""
    path = write(tmp_path, text)
    with pytest.raises(ProcessFileError) as caught:
        load_process(path)
    assert (caught.value.where, caught.value.path) == (where, str(path.resolve()))
    assert reason in caught.value.reason


def test_an_overlay_of_an_unknown_process_is_an_error(tmp_path):
    path = write(tmp_path, 'id = "x"\nextends = "nowhere"\n')
    with pytest.raises(ProcessFileError) as caught:
        load_process(path)
    assert caught.value.where == "extends"
    assert "no process 'nowhere'" in caught.value.reason


def test_an_unknown_process_id_is_an_error():
    with pytest.raises(ProcessError, match="no process 'england-ehcnaa'"):
        load_process("england-ehcnaa")


def test_a_changed_file_is_read_again(tmp_path):
    path = write(tmp_path, VALID)
    assert load_process(path).title == "A test process"
    path.write_text(textwrap.dedent(VALID).replace("A test process", "Renamed"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_process(path).title == "Renamed"

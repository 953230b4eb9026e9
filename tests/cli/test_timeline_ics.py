"""``send-clock timeline ... --format ics``: the case timeline as an iCalendar feed."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

import icalendar
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from cli.main import app
from tests.ical.support import check_client, events_by_uid, parsed

# (on Surrey's term dates, so the school-closure exception can be checked: no warning)
CASE = (
    "timeline england-ehcna --calendar surrey --received 2025-09-15 --as-of 2025-09-15 --format ics"
)
FINAL = "EHC-0042-england-ehcna-final_plan@send-clock.invalid"
DECISION = "EHC-0042-england-ehcna-decision_to_assess@send-clock.invalid"


def run(command: str, *more: str, env: dict | None = None):
    runner = CliRunner(env={"SEND_CLOCK_ICAL_DOMAIN": None, **(env or {})})
    with freeze_time("2025-09-15 10:00:00"):
        return runner.invoke(app, [*shlex.split(command), *more])


def feed_of(result) -> icalendar.Calendar:
    assert result.exit_code == 0, result.stderr
    check_client(result.stdout_bytes)
    return parsed(result.stdout_bytes)


def fails(result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("send-clock: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def sequences(raw: bytes) -> dict[str, int]:
    return {uid: int(e["SEQUENCE"]) for uid, e in events_by_uid(parsed(raw)).items()}


def test_writes_the_feed_to_standard_output():
    result = run(CASE, "--case-ref", "EHC-0042")
    feed = feed_of(result)
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    events = events_by_uid(feed)
    assert str(events[FINAL]["SUMMARY"]) == "EHC plan: final plan due"
    assert {e["DTSTAMP"].dt for e in events.values()} == {datetime(2025, 9, 15, 10, tzinfo=UTC)}
    assert b"VALARM" not in result.stdout_bytes


def test_the_default_case_ref_is_made_of_the_received_date():
    events = events_by_uid(feed_of(run(CASE)))
    assert "received-2025-09-15-england-ehcna-final_plan@send-clock.invalid" in events


def test_two_exports_give_the_same_uids():
    first = events_by_uid(feed_of(run(CASE, "--case-ref", "EHC-0042")))
    with freeze_time("2025-10-01"):
        later = CliRunner(env={"SEND_CLOCK_ICAL_DOMAIN": None}).invoke(
            app, [*shlex.split(CASE), "--case-ref", "EHC-0042"]
        )
    assert set(events_by_uid(parsed(later.stdout_bytes))) == set(first)


def test_output_file_previous_file_and_a_changed_date(tmp_path):
    path = tmp_path / "case.ics"
    result = run(CASE, "--case-ref", "EHC-0042", "--output", str(path))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"send-clock: wrote 8 events to {path}\n"
    first = path.read_bytes()
    assert set(sequences(first).values()) == {0}
    # unchanged: the same SEQUENCEs, the same file
    again = run(CASE, "--case-ref", "EHC-0042", "--previous", str(path), "--output", str(path))
    assert again.exit_code == 0 and path.read_bytes() == first
    # the decision is recorded a week early: its date changes, SEQUENCE rises by one
    moved = run(
        "timeline england-ehcna --calendar surrey --received 2025-09-15 --as-of 2025-10-20 "
        "--format ics",
        "--event=decision_to_assess=2025-10-20",
        "--case-ref=EHC-0042",
        f"--previous={path}",
        f"--output={path}",
    )
    assert moved.exit_code == 0, moved.stderr
    second = path.read_bytes()
    check_client(second)
    assert sequences(second)[DECISION] == 1
    assert sequences(second)[FINAL] == 0
    assert events_by_uid(parsed(second))[DECISION]["DTSTART"].dt.isoformat() == "2025-10-20"


def test_alarms_when_asked():
    events = events_by_uid(feed_of(run(CASE, "--case-ref", "EHC-0042", "--alarms", "7,1")))
    triggers = [str(a["TRIGGER"].to_ical(), "ascii") for a in events[FINAL].walk("VALARM")]
    assert triggers == ["-P7D", "-P1D"]


def test_a_label_is_opt_in():
    events = events_by_uid(feed_of(run(CASE, "--case-ref", "EHC-0042", "--label", "Sam")))
    assert str(events[FINAL]["SUMMARY"]) == "Sam – EHC plan: final plan due"


def test_the_domain_option_and_its_environment_variable():
    flagged = events_by_uid(feed_of(run(CASE, "--case-ref", "C-1", "--domain", "send.example.org")))
    assert all(uid.endswith("@send.example.org") for uid in flagged)
    from_env = events_by_uid(
        feed_of(run(CASE, "--case-ref", "C-1", env={"SEND_CLOCK_ICAL_DOMAIN": "la.example.gov.uk"}))
    )
    assert all(uid.endswith("@la.example.gov.uk") for uid in from_env)


@pytest.mark.parametrize("alarms", ["x", "7,", "-1", "1;2"])
def test_bad_alarms_are_one_line(alarms):
    fails(run(CASE, "--alarms", alarms), 1, "not a list of days for alarms", "e.g. 7,1")


def test_a_missing_previous_file_is_one_line(tmp_path):
    missing = tmp_path / "nope.ics"
    fails(run(CASE, "--previous", str(missing)), 1, "cannot read the previous feed", "nope.ics")


def test_a_previous_file_that_is_a_folder_is_one_line(tmp_path):
    fails(run(CASE, "--previous", str(tmp_path)), 1, "cannot read the previous feed")


@pytest.mark.parametrize("content", [b"hello\n", b"", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n"])
def test_an_invalid_previous_file_is_one_line(tmp_path, content):
    path = tmp_path / "old.ics"
    path.write_bytes(content)
    fails(run(CASE, "--previous", str(path)), 1, "old.ics: the previous feed is not a")


def test_an_unwritable_output_is_one_line(tmp_path):
    fails(run(CASE, "--output", str(tmp_path / "no" / "case.ics")), 1, "cannot write")


def test_bad_case_ref_and_domain_are_one_line():
    fails(run(CASE, "--case-ref", "Sam Smith"), 1, "cannot be used in an event UID")
    fails(run(CASE, "--domain", "not a domain"), 1, "not a domain for event UIDs")


@pytest.mark.parametrize(
    "option", ["--alarms=7", "--label=Sam", "--previous=x.ics", "--output=x.ics", "--case-ref=A"]
)
def test_ics_options_with_another_format_are_a_usage_error(option):
    line = fails(
        run("timeline england-ehcna --calendar surrey --received 2025-09-15 --format json", option),
        2,
        "used only with --format ics",
    )
    assert option.split("=")[0] in line


def test_other_formats_ignore_the_domain_environment_variable():
    result = run(
        "timeline england-ehcna --received 2025-09-15 --as-of 2025-09-15 --format json",
        env={"SEND_CLOCK_ICAL_DOMAIN": "la.example.gov.uk"},
    )
    assert result.exit_code == 0 and result.stdout.startswith("{")

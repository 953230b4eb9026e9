"""``send-clock breaches ... --format ics``: the team calendar of a caseload's open deadlines.

The caseload is the hand-made one of tests/reports/handmade.py. As of 1 Dec 2025 the open cases
are F (everything recorded up to the comments; the final plan is overdue) and G (nothing
recorded yet); A B C D E H are closed, and row X is rejected.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from cli.main import app
from tests.cli.test_timeline_ics import fails
from tests.ical.support import check_client, events_by_uid, parsed
from tests.reports.handmade import CASELOAD

EXPORT = Path(__file__).resolve().parents[1] / "data" / "sen2-blade"
UID = re.compile(
    r"(?P<case>[A-Z0-9]+)-(?P<process>england-ehcna)-(?P<milestone>[a-z_]+)-team@(?P<domain>.+)"
)
G_OPEN = (
    "decision_to_assess",
    "advice_requested",
    "advice_due",
    "no_plan_notice",
    "draft_plan",
    "comments_due",
    "final_plan",
)
EXPECTED = {"F-england-ehcna-final_plan-team@send-clock.invalid"} | {
    f"G-england-ehcna-{milestone}-team@send-clock.invalid" for milestone in G_OPEN
}


@pytest.fixture
def caseload(tmp_path) -> Path:
    path = tmp_path / "caseload.csv"
    path.write_text(CASELOAD)
    return path


def run(*args, now: str = "2025-12-01 08:00:00", env: dict | None = None):
    runner = CliRunner(env={"SEND_CLOCK_ICAL_DOMAIN": None, **(env or {})})
    with freeze_time(now):
        return runner.invoke(app, ["breaches", *map(str, args)])


def feed_of(result) -> icalendar.Calendar:
    assert result.exit_code == 0, result.stderr
    check_client(result.stdout_bytes)  # every event read back as a calendar client does
    return parsed(result.stdout_bytes)


def ics(caseload, *more, **options):
    return run(
        caseload, "--as-of", "2025-12-01", "--format", "ics", "--allow-rejects", *more, **options
    )


def sequences(raw: bytes) -> dict[str, int]:
    return {uid: int(event["SEQUENCE"]) for uid, event in events_by_uid(parsed(raw)).items()}


def test_the_open_deadlines_with_stable_uids(caseload):
    first = ics(caseload)
    events = events_by_uid(feed_of(first))
    assert set(events) == EXPECTED
    for uid, event in events.items():
        parts = UID.fullmatch(uid)
        assert parts, uid
        assert parts["domain"] == "send-clock.invalid"
        assert str(event["SUMMARY"]).startswith(f"{parts['case']} – EHC plan: ")
    assert events["F-england-ehcna-final_plan-team@send-clock.invalid"][
        "DTSTART"
    ].dt.isoformat() == ("2025-09-29")
    assert "Open statutory deadlines of 2 cases" in str(feed_of(first)["X-WR-CALDESC"])
    # another run, later in the day: the same events under the same UIDs, in the same order
    again = ics(caseload, now="2025-12-01 17:30:00")
    assert [str(e["UID"]) for e in feed_of(again).walk("VEVENT")] == [
        str(e["UID"]) for e in feed_of(first).walk("VEVENT")
    ]
    # the DTSTAMPs (when each event last changed, as nothing was carried on) differ, nothing else
    assert again.stdout_bytes != first.stdout_bytes
    assert re.sub(rb"(DTSTAMP|LAST-MODIFIED):\w+", b"", again.stdout_bytes) == re.sub(
        rb"(DTSTAMP|LAST-MODIFIED):\w+", b"", first.stdout_bytes
    )
    # carried on from the previous export, unchanged events keep their DTSTAMP: the same bytes
    (caseload.parent / "team.ics").write_bytes(first.stdout_bytes)
    carried = ics(caseload, "--previous", caseload.parent / "team.ics", now="2025-12-01 17:30:00")
    assert carried.stdout_bytes == first.stdout_bytes


def test_closed_milestones_and_closed_cases_are_absent(caseload):
    events = events_by_uid(feed_of(ics(caseload)))
    cases = {UID.fullmatch(uid)["case"] for uid in events}
    assert cases == {"F", "G"}  # A B C D E H are closed; X was rejected
    # F recorded everything up to its comments; the no-plan notice does not apply to it
    for milestone in ("decision_to_assess", "advice_due", "comments_due", "no_plan_notice"):
        assert f"F-england-ehcna-{milestone}-team@send-clock.invalid" not in events
    assert "G-england-ehcna-request_received-team@send-clock.invalid" not in events  # the start


def test_previous_raises_the_sequence_of_a_changed_event(caseload, tmp_path):
    path = tmp_path / "team.ics"
    result = ics(caseload, "--output", path)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"send-clock: wrote 8 events to {path}"
    first = path.read_bytes()
    check_client(first)
    assert set(sequences(first)) == EXPECTED and set(sequences(first).values()) == {0}
    # unchanged: the same file again
    assert ics(caseload, "--previous", path, "--output", path).exit_code == 0
    assert path.read_bytes() == first
    # G's decision to assess is recorded on 28 November: its event goes, the advice requests
    # move to that day and the advice due date with them; the rest keep their SEQUENCE
    caseload.write_text(
        CASELOAD.replace("G,2025-10-20,,,,,,,,,,", "G,2025-10-20,agreed,,2025-11-28,,,,,,,")
    )
    assert ics(caseload, "--previous", path, "--output", path).exit_code == 0
    second = path.read_bytes()
    check_client(second)
    changed = {uid for uid, sequence in sequences(second).items() if sequence}
    assert changed == {
        "G-england-ehcna-advice_requested-team@send-clock.invalid",
        "G-england-ehcna-advice_due-team@send-clock.invalid",
    }
    assert set(sequences(second)) == EXPECTED - {
        "G-england-ehcna-decision_to_assess-team@send-clock.invalid"
    }
    event = events_by_uid(parsed(second))[
        "G-england-ehcna-advice_requested-team@send-clock.invalid"
    ]
    assert event["DTSTART"].dt.isoformat() == "2025-11-28"


def test_domain_and_alarms(caseload):
    events = events_by_uid(feed_of(ics(caseload, "--domain", "send.example.gov.uk")))
    assert {UID.fullmatch(uid)["domain"] for uid in events} == {"send.example.gov.uk"}
    from_env = events_by_uid(feed_of(ics(caseload, env={"SEND_CLOCK_ICAL_DOMAIN": "la.example"})))
    assert all(uid.endswith("@la.example") for uid in from_env)
    plain = feed_of(ics(caseload))
    assert not plain.walk("VALARM")
    reminded = events_by_uid(feed_of(ics(caseload, "--alarms", "7,1")))
    final = reminded["G-england-ehcna-final_plan-team@send-clock.invalid"]
    assert [a["TRIGGER"].to_ical() for a in final.walk("VALARM")] == [b"-P7D", b"-P1D"]


def test_rejected_rows_still_set_the_exit_status(caseload):
    result = run(caseload, "--as-of", "2025-12-01", "--format", "ics")
    assert result.exit_code == 1
    assert set(events_by_uid(parsed(result.stdout_bytes))) == EXPECTED
    assert result.stderr.splitlines()[1].startswith(
        "send-clock: rejected: caseload.csv, line 10, case X:"
    )


def test_an_open_case_whose_id_cannot_be_a_uid_is_rejected(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text("case_id,received\nEHC 7,2025-11-03\nEHC-8,2025-11-03\nEHC/9,2025-11-03\n")
    result = run(path, "--as-of", "2025-12-01", "--format", "ics")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "send-clock: rejected: caseload.csv, line 2, case EHC 7: 'EHC 7' cannot be used in an "
        "event UID: use letters, digits and . _ / : - only (a case reference, never a name); "
        "the case is left out of the calendar"
    )
    cases = {str(e["UID"]).split("-england")[0] for e in parsed(result.stdout_bytes).walk("VEVENT")}
    assert cases == {"EHC-8", "EHC/9"}
    allowed = run(path, "--as-of", "2025-12-01", "--format", "ics", "--allow-rejects")
    assert allowed.exit_code == 0 and allowed.stdout_bytes == result.stdout_bytes


def test_sen2_feeds_have_the_milestones_sen2_records():
    result = run(
        "--sen2-blade", EXPORT, "--as-of", "2025-12-01", "--format", "ics", "--allow-rejects"
    )
    events = events_by_uid(feed_of(result))
    assert events
    milestones = {UID.fullmatch(uid)["milestone"] for uid in events}
    # not the advice or the draft plan, which SEN2 does not record: they would always be open
    assert milestones == {"decision_to_assess", "no_plan_notice", "final_plan"}


def test_no_open_deadlines_is_a_feed_with_a_note(tmp_path):
    path = tmp_path / "closed.csv"
    path.write_text(
        "case_id,received,decision,decision_to_assess\nD,2025-02-03,refused,2025-03-10\n"
    )
    feed = feed_of(run(path, "--as-of", "2025-12-01", "--format", "ics"))
    assert str(feed["X-WR-CALNAME"]) == "Open SEN deadlines"
    # RFC 5545 3.6: "calcomponent = 1*(...)": a calendar holds at least one component
    (note,) = feed.walk("VEVENT")
    assert str(note["SUMMARY"]) == "No dates in this calendar yet: Open SEN deadlines"
    assert note["DTSTART"].dt == date(2025, 12, 1)


@pytest.mark.parametrize("option", ["--alarms=7", "--previous=team.ics"])
@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_ics_options_with_another_format_are_a_usage_error(caseload, option, fmt):
    line = fails(run(caseload, "--format", fmt, option), 2, "used only with --format ics")
    assert line == (
        f"send-clock: breaches: {option.split('=')[0]} is used only with --format ics (try --help)"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--alarms=weekly", "'weekly' is not a list of days for alarms"),
        ("--previous=missing.ics", "cannot read the previous feed missing.ics"),
        ("--domain=not a domain", "is not a domain for event UIDs"),
    ],
)
def test_bad_ics_options_are_one_line(caseload, option, message):
    fails(run(caseload, "--format", "ics", option), 1, message)


def test_only_a_feed_imports_icalendar():
    """A breach report in CSV does not pay for importing icalendar; the iCalendar options'
    default domain is the library's."""
    import subprocess
    import sys

    import cli.ical_options
    import send_clock.ical

    assert cli.ical_options.DEFAULT_DOMAIN == send_clock.ical.DEFAULT_DOMAIN
    check = "import sys, cli.main, cli.breaches_cmd; print('icalendar' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "False"

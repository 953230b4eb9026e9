"""`send-clock panels plan` and `send-clock panels calendar`: formats and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "panels"
SURREY_PANEL = str(EXAMPLES / "surrey-decision-panel.toml")
PLAN = ("plan", "--calendar", "surrey", "--schedule", SURREY_PANEL)
SUMMER = ("--from", "2026-07-13", "--to", "2026-07-26")
CALENDAR = ("calendar", "--process", "england-ehcna", "--calendar", "surrey")
AUTUMN = ("--from", "2025-09-01", "--to", "2025-10-06")


def run(*args: str):
    return CliRunner().invoke(app, ["panels", *args])


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return result


def one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("send-clock: ")
    assert "Traceback" not in result.output
    return lines[0]


# -- plan ---------------------------------------------------------------------------------------
def test_plan_table_lists_rows_and_the_gap():
    out = ok(*PLAN, *SUMMER).stdout
    assert "Fri 17 Jul 2026" in out and "Wed 2 Sep 2026" in out
    assert "9 on time, 5 late." in out
    assert (
        "Gap: requests received Fri 17 Jul 2026 to Tue 21 Jul 2026 (5 dates) miss the decision "
        "whether to assess deadline"
    ) in out


def test_plan_json_is_the_plan_to_dict():
    data = json.loads(ok(*PLAN, *SUMMER, "--format", "json").stdout)
    assert data["process"] == "england-ehcna"  # named by the schedule file
    assert data["schedule"]["id"] == "surrey-decision-panel"
    assert [g["first"] for g in data["gaps"]] == ["2026-07-17"]
    assert len(data["rows"]) == 14
    assert data["counts"]["late"] == 5


def test_plan_csv_header_and_rows():
    rows = list(csv.DictReader(io.StringIO(ok(*PLAN, *SUMMER, "--format", "csv").stdout)))
    assert list(rows[0]) == [
        "request", "ready", "cutoff", "panel", "deadline", "status", "on_time", "slack_days",
        "note",
    ]  # fmt: skip
    late = [r["request"] for r in rows if r["status"] == "late"]
    assert late == ["2026-07-17", "2026-07-18", "2026-07-19", "2026-07-20", "2026-07-21"]
    assert rows[4]["on_time"] == "false" and rows[4]["slack_days"] == "-5"


def test_plan_weekly():
    data = json.loads(ok(*PLAN, *SUMMER, "--weekly", "--format", "json").stdout)
    assert [r["request"] for r in data["rows"]] == ["2026-07-13", "2026-07-20"]
    assert data["step"] == "week"


def test_plan_ics_parses():
    raw = ok(*PLAN, *SUMMER, "--format", "ics", "--domain", "send.example.gov.uk").stdout_bytes
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert [str(e["DTSTART"].dt) for e in events] == ["2026-07-22", "2026-09-02"]
    assert str(events[0]["UID"]).endswith("@send.example.gov.uk")


def test_plan_html(tmp_path):
    page = tmp_path / "plan.html"
    result = ok(*PLAN, *SUMMER, "--format", "html", "--output", str(page))
    assert "wrote 14 request dates to" in result.stderr
    text = page.read_text(encoding="utf-8")
    assert "✗ Late by 5 days" in text and "✓ On time" in text


def test_plan_needs_a_process_when_the_schedule_names_none(tmp_path):
    schedule = tmp_path / "panel.toml"
    schedule.write_text(
        textwrap.dedent(
            """
            serves = "decision_to_assess"
            [[recurrence]]
            rule = "FREQ=WEEKLY;BYDAY=WE"
            start = 2025-09-03
            """
        )
    )
    line = one_line_error(run("plan", "--schedule", str(schedule), *SUMMER), code=2)
    assert "give --process" in line
    ok("plan", "--process", "england-ehcna", "--calendar", "surrey", "--schedule", str(schedule),
       *SUMMER)  # fmt: skip


def test_plan_invalid_schedule_file_is_one_line_naming_it(tmp_path):
    schedule = tmp_path / "bad.toml"
    schedule.write_text('serves = "decision_to_assess"\n[[recurrence]]\nrule = "FREQ=WEEKLY;'
                        'BYDAY=WEDNESDAY"\nstart = 2025-09-03\n')  # fmt: skip
    line = one_line_error(run("plan", "--process", "england-ehcna", "--schedule", str(schedule),
                              *SUMMER))  # fmt: skip
    assert f"{schedule}: recurrence[1] rule: " in line


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        ((*PLAN, "--from", "2026-13-01", "--to", "2026-07-26"), 2, "not a real date"),
        ((*PLAN, "--from", "2026-07-26", "--to", "2026-07-13"), 1, "before it starts"),
        ((*PLAN, *SUMMER, "--process", "nowhere"), 1, "no process 'nowhere'"),
        ((*PLAN, *SUMMER, "--process", "jersey-ron"), 1, "is for process 'england-ehcna'"),
        (("plan", "--schedule", "missing.toml", *SUMMER), 1, "no panel schedule file"),
        ((*PLAN, *SUMMER, "--format", "pdf"), 2, "'pdf' is not one of"),
        ((*PLAN, *SUMMER, "--domain", "not a domain"), 1, "is not a domain"),
        (
            (*PLAN, "--from", "2023-06-01", "--to", "2023-06-30"),
            1,
            "none of the request dates can be planned",
        ),
    ],
)
def test_plan_errors_are_one_line(args, code, expected):
    assert expected in one_line_error(run(*args), code)


# -- calendar -----------------------------------------------------------------------------------
def test_calendar_table():
    out = ok(*CALENDAR, *AUTUMN).stdout
    assert "Mon 8 Sep 2025" in out and "avoid" in out and "good" in out
    assert "Christmas closure 20 Dec 2025 – 4 Jan 2026" in out
    assert "2 good, 4 avoid." in out


def test_calendar_json():
    data = json.loads(ok(*CALENDAR, *AUTUMN, "--format", "json").stdout)
    verdicts = {w["week"]: w["verdict"] for w in data["weeks"]}
    assert verdicts == {
        "2025-09-01": "avoid",
        "2025-09-08": "avoid",
        "2025-09-15": "good",
        "2025-09-22": "good",
        "2025-09-29": "avoid",
        "2025-10-06": "avoid",
    }


def test_calendar_csv_header():
    rows = list(csv.DictReader(io.StringIO(ok(*CALENDAR, *AUTUMN, "--format", "csv").stdout)))
    assert list(rows[0]) == [
        "week", "assessment_start", "assessment_end", "assessment_closures",
        "consultation_start", "consultation_end", "consultation_closures", "final_milestone",
        "final_due", "final_projected", "final_on_time", "verdict", "reason",
    ]  # fmt: skip
    assert rows[0]["consultation_closures"] == "2025-12-20..2026-01-04"
    assert rows[2]["verdict"] == "good" and rows[2]["final_on_time"] == "true"


def test_calendar_html_to_a_file(tmp_path):
    page = tmp_path / "request-calendar.html"
    result = ok(*CALENDAR, *AUTUMN, "--format", "html", "--output", str(page))
    assert "wrote 6 submission weeks" in result.stderr and result.stdout == ""
    text = page.read_text(encoding="utf-8")
    assert "✓ Good week" in text and "✗ Avoid" in text
    assert "Monday 15 September 2025" in text


def test_calendar_ics_parses(tmp_path):
    feed = tmp_path / "good-weeks.ics"
    ok(*CALENDAR, *AUTUMN, "--format", "ics", "-o", str(feed))
    events = icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    assert [str(e["DTSTART"].dt) for e in events] == ["2025-09-15", "2025-09-22"]


def test_calendar_jersey_shows_the_final_milestone():
    out = ok("calendar", "--process", "jersey-ron", "--calendar", "jersey", "--from",
             "2025-07-28", "--to", "2025-08-04").stdout  # fmt: skip
    assert "the 20 weeks cannot be met" in out and "the 20 weeks can be met" in out
    assert "1 good, 1 avoid." in out


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        ((*CALENDAR, "--from", "2027-03-01", "--to", "2027-04-30"), 1, "cannot be judged"),
        (
            ("calendar", "--process", "england-ehcna", "--calendar", "england-and-wales", *AUTUMN),
            1,
            "bank holidays only",
        ),  # fmt: skip
        (("calendar", "--process", "england-ehcna", *AUTUMN), 2, "Missing option '--calendar'"),
        ((*CALENDAR, "--from", "someday", "--to", "2025-10-06"), 2, "not a date"),
        ((*CALENDAR, *AUTUMN, "--output", "/nonexistent/dir/x.html"), 1, "cannot write"),
    ],
)
def test_calendar_errors_are_one_line(args, code, expected):
    assert expected in one_line_error(run(*args), code)


@pytest.mark.parametrize("command", [(*PLAN, *SUMMER), (*CALENDAR, *AUTUMN)])
def test_ics_previous_keeps_the_sequence_and_the_bytes(tmp_path, command):
    first = tmp_path / "first.ics"
    ok(*command, "--format", "ics", "-o", str(first))
    again = ok(*command, "--format", "ics", "--previous", str(first)).stdout_bytes
    assert again == first.read_bytes()  # unchanged events keep SEQUENCE, DTSTAMP, LAST-MODIFIED
    moved = first.read_bytes().replace(b"X-SEND-CLOCK-FINGERPRINT:", b"X-SEND-CLOCK-FINGERPRINT:x")
    first.write_bytes(moved)
    changed = ok(*command, "--format", "ics", "--previous", str(first)).stdout_bytes
    sequences = {int(e["SEQUENCE"]) for e in icalendar.Calendar.from_ical(changed).walk("VEVENT")}
    assert sequences == {1}


def test_previous_is_only_for_ics():
    line = one_line_error(run(*PLAN, *SUMMER, "--previous", "x.ics"), 2)
    assert "--previous is used only with --format ics" in line

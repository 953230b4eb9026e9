"""`send-clock timeline`: the worked examples through the command line, its formats and errors."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from cli.main import app

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MILESTONE_KEYS = {
    "id",
    "title",
    "kind",
    "due",
    "target",
    "projected",
    "actual",
    "status",
    "days_late",
    "basis",
    "conditional",
    "excusal",
    "exceptions",
}
DATE_KEYS = ("due", "target", "projected", "actual")


def run(*args: str):
    return CliRunner().invoke(app, ["timeline", *args])


def as_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    check_shape(data)
    return data


def check_shape(data: dict) -> None:
    assert {"process", "calendar", "received", "as_of", "milestones"} <= set(data)
    assert ISO.match(data["received"]) and ISO.match(data["as_of"])
    for milestone in data["milestones"]:
        assert set(milestone) >= MILESTONE_KEYS
        for key in DATE_KEYS:
            assert milestone[key] is None or ISO.match(milestone[key]), (milestone["id"], key)
        assert milestone["days_late"] is None or isinstance(milestone["days_late"], int)
        assert isinstance(milestone["conditional"], bool)
        assert milestone["basis"]
        for exception in milestone["exceptions"]:
            assert set(exception) == {"kind", "source", "basis", "window"}
            window = exception["window"]
            assert window is None or (set(window) == {"start", "end"})


def by_id(data: dict) -> dict[str, dict]:
    return {m["id"]: m for m in data["milestones"]}


def one_line_error(result, code: int = 1) -> str:
    """The failure was one line on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("send-clock: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# -- the worked examples ------------------------------------------------------------------------
def test_england_worked_example_as_json():
    data = as_json("england-ehcna", "--received", "2025-09-15", "--as-of", "2025-09-15")
    assert (data["process"], data["calendar"], data["received"], data["as_of"]) == (
        "england-ehcna",
        "england-and-wales",
        "2025-09-15",
        "2025-09-15",
    )
    assert {m["id"]: m["due"] for m in data["milestones"]} == {
        "request_received": "2025-09-15",
        "decision_to_assess": "2025-10-27",
        "advice_requested": "2025-10-27",
        "advice_due": "2025-12-08",
        "no_plan_notice": "2026-01-05",
        "draft_plan": "2026-01-18",
        "comments_due": "2026-02-01",
        "final_plan": "2026-02-02",
    }
    milestones = by_id(data)
    decision = milestones["decision_to_assess"]
    assert (decision["actual"], decision["days_late"], decision["target"]) == (None, None, None)
    assert decision["basis"] == "SEND Regulations 2014 reg 4(1), 5(1)"
    assert decision["title"] == "Decision whether to assess"
    assert decision["kind"] == "statutory"
    assert milestones["no_plan_notice"]["conditional"] is True
    assert milestones["request_received"]["status"] == "met"


def test_jersey_worked_example_as_json():
    data = as_json("jersey-ron", "--received", "2025-06-16", "--as-of", "2025-06-16")
    assert data["calendar"] == "jersey"  # the process's own default
    final = by_id(data)["final_ron"]
    assert (final["due"], final["projected"], final["status"]) == (
        "2025-11-03",
        "2025-12-16",
        "at_risk",
    )
    projected = {m["id"]: m["projected"] for m in data["milestones"]}
    assert projected["outcome_panel"] == "2025-10-21"
    assert projected["decision_communicated"] == "2025-10-28"
    assert projected["draft_ron"] == "2025-12-09"
    assert by_id(data)["advice_due"]["due"] == "2025-10-07"


def test_recording_the_draft_plan():
    data = as_json(
        "england-ehcna",
        "--received",
        "2025-09-15",
        "--event",
        "draft_plan=2026-01-26",
        "--as-of",
        "2026-01-26",
    )
    milestones = by_id(data)
    assert milestones["comments_due"]["due"] == "2026-02-09"
    final = milestones["final_plan"]
    assert (final["projected"], final["status"]) == ("2026-02-10", "at_risk")
    assert milestones["draft_plan"]["actual"] == "2026-01-26"


def test_surrey_summer_closure_detected_for_the_final_plan():
    data = as_json(
        "england-ehcna", "--received", "2025-07-10", "--calendar", "surrey", "--as-of", "2025-07-10"
    )
    assert data["calendar"] == "surrey"
    milestones = by_id(data)
    expected = [
        {
            "kind": "school_closure",
            "source": "calendar",
            "basis": "SEND Regulations 2014 reg 13(3), 10(4)",
            "window": {"start": "2025-07-16", "end": "2025-08-27"},
        }
    ]
    assert milestones["final_plan"]["exceptions"] == expected
    assert [e["kind"] for e in milestones["no_plan_notice"]["exceptions"]] == ["school_closure"]
    assert milestones["decision_to_assess"]["exceptions"] == []
    assert milestones["advice_due"]["exceptions"] == []


def test_a_recorded_exception_outcome_and_param_through_the_command_line():
    data = as_json(
        "england-ehcna",
        "--received",
        "2025-09-15",
        "--exception",
        "absence_from_area:2025-11-01..2025-11-30@advice_due",
        "--outcome",
        "outcome=plan",
        "--as-of",
        "2025-12-15",
    )
    advice = by_id(data)["advice_due"]
    assert (advice["status"], advice["days_late"]) == ("excused", 7)
    assert advice["exceptions"][0]["window"] == {"start": "2025-11-01", "end": "2025-11-30"}
    assert by_id(data)["no_plan_notice"]["status"] == "not_applicable"
    review = as_json(
        "england-annual-review", "--received", "2025-03-10", "--param", "transfer_year=2027"
    )
    assert by_id(review)["phase_transfer_review"]["due"] == "2027-02-14"


def test_an_overlay_file_as_the_process(tmp_path):
    path = tmp_path / "panel.toml"
    path.write_text(
        textwrap.dedent(
            """
            id = "our-council-ehcna"
            extends = "england-ehcna"

            [[milestones]]
            id = "sen_panel"
            insert_after = "request_received"
            title = "SEN panel"
            description = "The panel considers the request."
            kind = "practice"
            basis = "Local practice"
            due = { from = "request_received", amount = 4, unit = "weeks" }
            """
        ),
        encoding="utf-8",
    )
    data = as_json(str(path), "--received", "2025-09-15", "--as-of", "2025-09-15")
    assert data["process"] == "our-council-ehcna"
    assert [m["id"] for m in data["milestones"]][:2] == ["request_received", "sen_panel"]
    assert by_id(data)["sen_panel"]["due"] == "2025-10-13"


# -- formats ---------------------------------------------------------------------------------------
def test_the_table_is_readable_at_a_glance():
    result = run("jersey-ron", "--received", "2025-06-16", "--as-of", "2025-06-16")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "received Mon 16 Jun 2025, calendar jersey, as of Mon 16 Jun 2025" in out
    assert "Mon 3 Nov 2025" in out and "Tue 16 Dec 2025" in out
    assert "at risk" in out and "due soon" in out
    assert "Jersey EA/RoN flow (seed 000), weeks 19-20" in out
    assert "2025-" not in out  # dates are written for people, not ISO


def test_the_table_notes_conditional_milestones_and_exceptions():
    result = run(
        "england-ehcna", "--received", "2025-07-10", "--calendar", "surrey", "--as-of", "2025-12-01"
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "only if decision=agreed," in out  # the no-plan notice; the cell wraps
    assert "school_closure 2025-07-16..2025-08-27" in out
    assert re.search(r"Final EHC plan issued +Thu 27 Nov 2025 +excused +4 ", out)
    assert re.search(r"Decision whether to assess +Thu 21 Aug 2025 +overdue +102 ", out)


def test_csv_has_a_row_per_milestone():
    result = run(
        "england-ehcna", "--received", "2025-09-15", "--as-of", "2025-11-03", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows][:2] == ["request_received", "decision_to_assess"]
    assert len(rows) == 8
    decision = rows[1]
    assert (decision["due"], decision["status"], decision["days_late"]) == (
        "2025-10-27",
        "overdue",
        "7",
    )
    assert decision["actual"] == ""
    assert rows[4]["conditional"] == "true"


@freeze_time("2025-10-20")
def test_as_of_defaults_to_today():
    data = as_json("england-ehcna", "--received", "2025-09-15")
    assert data["as_of"] == "2025-10-20"
    assert by_id(data)["decision_to_assess"]["status"] == "due_soon"  # due in 7 days


@freeze_time("2026-03-01")
def test_as_of_today_sees_an_overdue_plan():
    data = as_json("england-ehcna", "--received", "2025-09-15")
    final = by_id(data)["final_plan"]
    assert (final["status"], final["days_late"]) == ("overdue", 27)


def test_an_actual_date_after_as_of_is_ignored_with_a_warning():
    result = run(
        "england-ehcna",
        "--received",
        "2025-09-15",
        "--event",
        "decision_to_assess=2025-10-20",
        "--as-of",
        "2025-10-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    warning, not_checked = result.stderr.splitlines()
    assert warning.startswith("send-clock: warning: decision_to_assess is dated 2025-10-20")
    assert "school-closure exception" in not_checked  # england-and-wales has no term dates
    decision = by_id(json.loads(result.stdout))["decision_to_assess"]
    assert (decision["actual"], decision["status"]) == (None, "pending")


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope", "--received", "2025-09-15"], 1, "no process 'nope'"),
        (
            ["england-ehcna", "--received", "2025-09-15", "--event", "bogus=2025-10-01"],
            1,
            "'bogus' is not a milestone of england-ehcna",
        ),
        (
            ["england-ehcna", "--received", "2025-09-15", "--outcome", "decision=maybe"],
            1,
            "decision is one of agreed, refused",
        ),
        (
            ["england-ehcna", "--received", "2025-09-15", "--outcome", "colour=red"],
            1,
            "'colour' is not a branch",
        ),
        (
            [
                "england-ehcna",
                "--received",
                "2025-09-15",
                "--event",
                "decision_to_assess=2025-09-01",
            ],
            1,
            "before the start date 2025-09-15",
        ),
        (["england-ehcna", "--received", "2025-02-30"], 2, "February 2025 has 28 days"),
        (
            ["england-ehcna", "--received", "2025-09-15", "--event", "draft_plan=2025-02-30"],
            1,
            "February 2025 has 28 days",
        ),
        (["england-ehcna", "--received", "15 Sep"], 2, "YYYY-MM-DD"),
        (
            ["england-ehcna", "--received", "2025-09-15", "--event", "draft_plan"],
            1,
            "write each event as NAME=VALUE",
        ),
        (
            [
                "england-ehcna",
                "--received",
                "2025-09-15",
                "--exception",
                "school_closure@advice_due",
            ],
            1,
            "do not let school_closure excuse advice_due",
        ),
        (
            [
                "england-ehcna",
                "--received",
                "2025-09-15",
                "--exception",
                "absence_from_area:2025-10-01..2025-10-20",
            ],
            1,
            "lasts 20 days",
        ),
        (
            [
                "england-ehcna",
                "--received",
                "2025-09-15",
                "--event",
                "final_plan=2026-01-30",
                "--outcome",
                "outcome=no_plan",
                "--as-of",
                "2026-02-01",
            ],
            1,
            "final_plan is recorded, which means outcome=plan",
        ),
        (
            ["england-ehcna", "--received", "2025-09-15", "--calendar", "atlantis"],
            1,
            "atlantis",
        ),
        (
            ["england-annual-review", "--received", "2025-03-10", "--param", "transfer_year=soon"],
            1,
            "give a whole number",
        ),
        (["england-ehcna"], 2, "--received"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(args, code, message):
    assert message in one_line_error(run(*args), code)


def test_out_of_coverage_names_the_calendar_and_its_coverage():
    line = one_line_error(run("jersey-ron", "--received", "2027-01-15"))
    assert "calendar 'jersey'" in line
    assert "6 Jan 2025 to 25 Mar 2027" in line


def test_an_invalid_process_file_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken"\nextends = "england-ehcna"\n[[milestones]]\nid = "x"\n')
    line = one_line_error(run(str(path), "--received", "2025-09-15"))
    assert "broken.toml" in line and "milestone 'x'" in line


def test_a_closure_check_that_cannot_be_made_is_a_warning_on_stderr_and_in_json():
    # Received Mon 30 Jun 2025 on england-and-wales, which has no term dates: the summer
    # closure cannot be found, so the final plan shows overdue - and the command says why.
    result = run("england-ehcna", "--received", "2025-06-30", "--as-of", "2026-01-10")
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "send-clock: warning: the school-closure exception (SEND Regulations 2014 reg 5(4)(a), "
        "10(4)(a)) was not checked for decision_to_assess, no_plan_notice, final_plan"
    )
    data = as_json("england-ehcna", "--received", "2025-06-30", "--as-of", "2026-01-10")
    assert "was not checked" in data["warnings"][0]
    # With Surrey's term dates the window is found: excused, detected, and nothing to warn of.
    surrey = run(
        "england-ehcna", "--received", "2025-06-30", "--as-of", "2026-01-10",
        "--calendar", "surrey", "--format", "json",
    )  # fmt: skip
    final = json.loads(surrey.stdout)["milestones"][-1]
    assert (final["status"], final["excusal"], surrey.stderr) == ("excused", "detected", "")

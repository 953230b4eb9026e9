"""`send-clock processes list` and `send-clock processes show ID|PATH`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from cli.main import app
from send_clock.timelines import bundled_ids, load_process


def run(*args: str):
    return CliRunner().invoke(app, ["processes", *args])


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_list_as_a_table_names_every_process():
    out = ok("list")
    for process_id in bundled_ids():
        assert process_id in out
    assert "EHC needs assessment (England) with Hertfordshire steps" in out


def test_list_as_json():
    rows = json.loads(ok("list", "--format", "json"))
    assert [r["id"] for r in rows] == bundled_ids()
    by_id = {r["id"]: r for r in rows}
    assert by_id["england-ehcna"] == {
        "id": "england-ehcna",
        "title": "EHC needs assessment (England)",
        "jurisdiction": "england",
        "default_calendar": "england-and-wales",
        "milestones": 8,
        "extends": None,
    }
    assert by_id["jersey-ron"]["default_calendar"] == "jersey"
    assert by_id["england-ehcna-brighton-hove"]["extends"] == "england-ehcna"
    assert by_id["england-ehcna-brighton-hove"]["milestones"] == 11


def test_list_as_csv():
    rows = list(csv.DictReader(io.StringIO(ok("list", "--format", "csv"))))
    assert [r["id"] for r in rows] == bundled_ids()
    assert {r["id"]: r["milestones"] for r in rows}["england-tribunal"] == "5"


def test_show_as_a_table_gives_rules_and_bases():
    out = ok("show", "england-ehcna")
    assert out.startswith("EHC needs assessment (England) (england-ehcna)")
    for milestone_id in load_process("england-ehcna").ids:
        assert milestone_id in out
    assert "request_received + 20" in out  # the final plan's rule (the cell may wrap)
    assert "SEND Regulations 2014" in out and "reg 13(2)" in out
    assert "Branch outcome: After the assessment: a plan, or no plan? (plan | no_plan" in out


def test_show_as_json_describes_the_process():
    data = json.loads(ok("show", "england-ehcna", "--format", "json"))
    assert (data["id"], data["start"], data["default_calendar"], data["extends"]) == (
        "england-ehcna",
        "request_received",
        "england-and-wales",
        None,
    )
    assert data["branches"]["outcome"] == {
        "title": "After the assessment: a plan, or no plan?",
        "values": ["plan", "no_plan"],
        "assumed": "plan",
    }
    assert list(data["case_dates"]) == ["advice_request_received", "school_asked"]
    milestones = {m["id"]: m for m in data["milestones"]}
    assert list(milestones) == list(load_process("england-ehcna").ids)
    final = milestones["final_plan"]
    assert final["rule"] == "request_received + 20 weeks"
    assert final["lead"] == "comments_due + 1 days"
    assert final["when"] == ["decision=agreed", "outcome=plan"]
    assert "school_closure" in final["excused_by"]
    assert final["basis"] == "SEND Regulations 2014 reg 13(2)"
    assert "school_closure" not in milestones["advice_due"]["excused_by"]
    assert milestones["draft_plan"]["target"] == "request_received + 14 weeks"
    assert all(m["basis"] and m["description"] for m in data["milestones"])


@pytest.mark.parametrize(
    ("process_id", "milestone_id", "rule"),
    [
        ("england-tribunal", "appeal_deadline", "rolled out of 01/08-31/08, 25/12-01/01"),
        ("england-annual-review", "phase_transfer_review", "14/02 of transfer_year"),
        ("england-annual-review", "invitations_sent", "review_meeting - 2 weeks"),
        ("jersey-ron", "advice_due", "advice_requested + 6 term weeks"),
    ],
)
def test_show_writes_each_kind_of_rule(process_id, milestone_id, rule):
    data = json.loads(ok("show", process_id, "--format", "json"))
    assert rule in {m["id"]: m for m in data["milestones"]}[milestone_id]["rule"]


def test_show_an_overlay_file(tmp_path):
    path = tmp_path / "overlay.toml"
    path.write_text(
        'id = "our-ehcna"\nextends = "england-ehcna"\n\n[[milestones]]\nid = "panel"\n'
        'insert_after = "request_received"\ntitle = "Panel"\ndescription = "A panel."\n'
        'kind = "practice"\nbasis = "Local practice"\n'
        'due = { from = "request_received", amount = 3, unit = "weeks" }\n',
        encoding="utf-8",
    )
    data = json.loads(ok("show", str(path), "--format", "json"))
    assert (data["id"], data["extends"]) == ("our-ehcna", "england-ehcna")
    assert [m["id"] for m in data["milestones"]][:3] == [
        "request_received",
        "panel",
        "decision_to_assess",
    ]


def test_show_an_unknown_process_is_one_line():
    result = run("show", "nope")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("send-clock: error: no process 'nope'")

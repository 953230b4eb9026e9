"""`send-clock processes show` says when each rule of a process is in force."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import app
from tests.timelines.test_in_force import write


def test_processes_show_says_when_each_rule_is_in_force(tmp_path):
    result = CliRunner().invoke(app, ["processes", "show", write(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "In force, notice: cases begun from 2026-03-01" in result.output
    assert (
        "In force, decision: from 2026-03-01: notice + 5 weeks (New Regulations reg 4)"
        in result.output
    )
    shown = CliRunner().invoke(app, ["processes", "show", write(tmp_path), "--format", "json"])
    decision = json.loads(shown.output)["milestones"][2]
    assert decision["revisions"] == [
        {
            "in_force_from": "2026-03-01",
            "rule": "notice + 5 weeks",
            "lead": "notice + 0 days",
            "basis": "New Regulations reg 4",
        }
    ]

"""Panel schedule files: what they hold, the panel dates they give, and their validation."""

from __future__ import annotations

import pytest

from send_clock.errors import PanelError, PanelFileError
from send_clock.panels import Cutoff, PanelSchedule, Recurrence, load_schedule
from send_clock.panels.schedule import schedule_from_toml

from ..helpers import d
from .support import schedule, write_schedule


def test_a_schedule_file_loads(tmp_path):
    loaded = schedule(tmp_path)
    assert loaded.id == "wednesday-panel"
    assert loaded.serves == "decision_to_assess"
    assert loaded.needs is None and loaded.process is None and loaded.term_time
    assert loaded.cutoff == Cutoff(4, "working-days")
    assert loaded.recurrences == (Recurrence("FREQ=WEEKLY;BYDAY=WE", d("2025-09-03")),)
    assert loaded.origin == str(tmp_path / "panel.toml")


def test_term_time_only_drops_half_term_and_holidays(tmp_path, surrey):
    wednesdays = schedule(tmp_path)
    # Surrey autumn 2025: half term 27-31 Oct; term ends Fri 19 Dec, spring starts Mon 5 Jan.
    days = wednesdays.panel_dates(surrey, d("2025-10-20"), d("2026-01-14"))
    assert d("2025-10-29") not in days
    assert d("2025-12-17") in days
    assert d("2025-12-24") not in days and d("2025-12-31") not in days
    assert days[-2:] == [d("2026-01-07"), d("2026-01-14")]


def test_term_time_false_keeps_holiday_dates_but_not_bank_holidays(tmp_path, surrey):
    every_monday = schedule(
        tmp_path,
        """
        serves = "decision_to_assess"
        term_time = false
        [[recurrence]]
        rule = "FREQ=WEEKLY;BYDAY=MO"
        start = 2026-08-03
        """,
    )
    # Mon 31 Aug 2026 is the summer bank holiday: no panel then, even with term_time = false.
    assert every_monday.panel_dates(surrey, d("2026-08-01"), d("2026-09-08")) == [
        d("2026-08-03"), d("2026-08-10"), d("2026-08-17"), d("2026-08-24"), d("2026-09-07")
    ]  # fmt: skip


def test_fortnightly_thursday_with_exclusions(tmp_path, jersey):
    fortnightly = schedule(
        tmp_path,
        """
        serves = "outcome_panel"
        exclude = [2025-10-02, [2025-11-10, 2025-11-14]]
        dates = [2025-10-30]
        [[recurrence]]
        rule = "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
        start = 2025-09-04
        """,
    )
    # 4 Sep, 18 Sep, [2 Oct excluded], 16 Oct, 30 Oct (half term, but an explicit date is kept),
    # [13 Nov excluded], 27 Nov.
    assert fortnightly.panel_dates(jersey, d("2025-09-01"), d("2025-11-30")) == [
        d("2025-09-04"), d("2025-09-18"), d("2025-10-16"), d("2025-10-30"), d("2025-11-27")
    ]  # fmt: skip
    assert fortnightly.id == "panel"  # the file name, when the file gives no id


def test_the_cutoff_convention(tmp_path, surrey):
    wednesdays = schedule(tmp_path)
    # 4 working days before Wed 14 Jan 2026: Tue 13, Mon 12, Fri 9, Thu 8 Jan.
    assert wednesdays.cutoff_for(d("2026-01-14"), surrey) == d("2026-01-08")
    # Before Wed 7 Jan 2026: Tue 6, Mon 5, Fri 2 Jan, [Thu 1 Jan bank holiday], Wed 31 Dec.
    assert wednesdays.cutoff_for(d("2026-01-07"), surrey) == d("2025-12-31")
    assert Cutoff().before(d("2026-01-14"), surrey) == d("2026-01-14")
    assert str(Cutoff(4, "working-days")) == "4 working days before the panel"


def test_recurrence_until_and_count(surrey):
    until = Recurrence("FREQ=WEEKLY;BYDAY=WE", d("2025-09-03"), until=d("2025-09-17"))
    counted = Recurrence("FREQ=WEEKLY;BYDAY=WE;COUNT=2", d("2025-09-03"))
    assert until.between(d("2025-09-01"), d("2025-12-31"))[-1] == d("2025-09-17")
    assert until.last_date() == d("2025-09-17")
    assert counted.last_date() == d("2025-09-10")
    assert Recurrence("FREQ=WEEKLY;BYDAY=WE", d("2025-09-03")).last_date() is None


def test_to_dict(tmp_path):
    data = schedule(tmp_path, extra="exclude = [2025-12-17]\n").to_dict()
    assert data["cutoff"] == {
        "amount": 4,
        "unit": "working-days",
        "text": "4 working days before the panel",
    }
    assert data["recurrences"] == [
        {"rule": "FREQ=WEEKLY;BYDAY=WE", "start": "2025-09-03", "until": None}
    ]
    assert data["exclude"] == [["2025-12-17", "2025-12-17"]]


def test_a_term_time_schedule_needs_term_dates(tmp_path, england):
    with pytest.raises(PanelError, match="has no school term dates"):
        schedule(tmp_path).panel_dates(england, d("2026-01-01"), d("2026-01-31"))


def test_the_bundled_examples_load():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "examples" / "panels"
    loaded = {s.id: s for s in map(load_schedule, sorted(folder.glob("*.toml")))}
    assert loaded["surrey-decision-panel"].serves == "decision_to_assess"
    assert loaded["jersey-outcome-panel"].serves == "outcome_panel"
    assert loaded["jersey-request-panel"].needs == "request_received"


# -- validation: each error names the file, the entry and the reason ------------------------
BASE = {
    "serves": 'serves = "decision_to_assess"',
    "recurrence": '[[recurrence]]\nrule = "FREQ=WEEKLY;BYDAY=WE"\nstart = 2025-09-03',
}


def invalid(tmp_path, text: str) -> PanelFileError:
    path = write_schedule(tmp_path, text, "bad.toml")
    with pytest.raises(PanelFileError) as raised:
        load_schedule(path)
    assert raised.value.path == str(path)
    assert str(raised.value).startswith(f"{path}: ")
    return raised.value


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        (
            'serves = "decision_to_assess"\n[[recurrence]]\nrule = "FREQ=WEEKLY;BYDAY=XX"\n'
            "start = 2025-09-03",
            "recurrence[1] rule",
            "is not a recurrence rule send-clock can read",
        ),
        (
            'serves = "decision_to_assess"\n[[recurrence]]\nrule = "BYDAY=WE"\nstart = 2025-09-03',
            "recurrence[1] rule",
            "has no FREQ",
        ),
        (
            'serves = "decision_to_assess"\n[[recurrence]]\nrule = "FREQ=HOURLY"\n'
            "start = 2025-09-03",
            "recurrence[1] rule",
            "panels sit on days",
        ),
        (
            'serves = "decision_to_assess"\n[[recurrence]]\n'
            'rule = "DTSTART:20250903\\nRRULE:FREQ=WEEKLY"\nstart = 2025-09-03',
            "recurrence[1] rule",
            "give only the RRULE part",
        ),
        (
            'serves = "decision_to_asess"\nprocess = "england-ehcna"\n' + BASE["recurrence"],
            "serves",
            "'decision_to_asess' is not a milestone of england-ehcna",
        ),
        (
            'serves = "decision_to_assess"\nneeds = "panel"\nprocess = "england-ehcna"\n'
            + BASE["recurrence"],
            "needs",
            "'panel' is not a milestone of england-ehcna",
        ),
        (
            'serves = "request_received"\nprocess = "england-ehcna"\n' + BASE["recurrence"],
            "serves",
            "no deadline to meet",
        ),
        (
            'serves = "decision_to_assess"\nprocess = "nowhere"\n' + BASE["recurrence"],
            "process",
            "no process 'nowhere'",
        ),
        (
            BASE["serves"] + '\ndates = ["2025-02-30"]\n' + BASE["recurrence"],
            "dates[1]",
            "is not a real date: February 2025 has 28 days",
        ),
        (
            BASE["serves"] + '\ndates = ["next Wednesday"]',
            "dates[1]",
            "is not a date in a form send-clock reads",
        ),
        (
            BASE["serves"] + '\n[[recurrence]]\nrule = "FREQ=WEEKLY"\nstart = "3rd Sept"',
            "recurrence[1] start",
            "is not a date",
        ),
        (
            BASE["serves"]
            + '\ncutoff = { amount = 4, unit = "fortnights" }\n'
            + BASE["recurrence"],
            "cutoff unit",
            "'fortnights' is not a unit send-clock counts in",
        ),
        (
            BASE["serves"] + '\ncutoff = { amount = -1, unit = "days" }\n' + BASE["recurrence"],
            "cutoff amount",
            "not a whole number of days of 0 or more",
        ),
        (
            BASE["serves"] + '\ncutoff = "Thursday 5pm"\n' + BASE["recurrence"],
            "cutoff",
            "write the cut-off as",
        ),
        (
            BASE["serves"] + "\nexclude = [[2025-12-20, 2025-12-01]]\n" + BASE["recurrence"],
            "exclude[1]",
            "ends on 2025-12-01 before it starts",
        ),
        (
            BASE["serves"] + "\ndates = [2025-09-03T17:00:00]",
            "dates[1]",
            "has a time of day",
        ),
        (BASE["serves"] + "\npanel_day = 3\n" + BASE["recurrence"], "top level", "unknown key"),
        ('serves = "Decision"\n' + BASE["recurrence"], "serves", "is not a milestone id"),
        (BASE["recurrence"], "serves", "serves is missing"),
        ('id = "My Panel"\n' + BASE["serves"], "id", "is not a schedule id"),
        (BASE["serves"] + "\nterm_time = 1\n" + BASE["recurrence"], "term_time", "true or false"),
        (
            BASE["serves"] + '\n[[recurrence]]\nrule = "FREQ=WEEKLY"\nstart = 2025-09-03\n'
            "until = 2025-01-01",
            "recurrence[1] until",
            "is before the start",
        ),
    ],
)
def test_invalid_files_name_file_entry_and_reason(tmp_path, text, where, reason):
    error = invalid(tmp_path, text)
    assert error.where == where
    assert reason in error.reason


def test_a_schedule_needs_panel_dates(tmp_path):
    error = invalid(tmp_path, BASE["serves"])
    assert "no panel dates" in error.reason


def test_toml_syntax_errors(tmp_path):
    assert "not valid TOML" in invalid(tmp_path, "serves = ").reason


def test_a_missing_file(tmp_path):
    with pytest.raises(PanelError, match="no panel schedule file .*missing.toml"):
        load_schedule(tmp_path / "missing.toml")


def test_schedule_from_toml_names_the_given_path():
    with pytest.raises(PanelFileError, match="^council/panel.toml: serves: serves is missing"):
        schedule_from_toml(BASE["recurrence"], "council/panel.toml")


def test_schedules_can_be_built_in_code(surrey):
    built = PanelSchedule(
        "code", "Built in code", "decision_to_assess", dates=(d("2026-08-19"),), term_time=False
    )
    assert built.panel_dates(surrey, d("2026-08-01"), d("2026-08-31")) == [d("2026-08-19")]

"""Panel planning: the first panel that can hear each request, its slack, and the gaps.

The acceptance case: weekly Wednesday panels in term time only on the surrey calendar, so none
sits from the end of the summer term (Wed 22 Jul 2026) to the start of the autumn term (Tue 1 Sep
2026). Every expected date below is worked out by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from send_clock.errors import OutOfCoverage, PanelFileError
from send_clock.panels import plan_panels
from send_clock.timelines import load_process

from ..helpers import d
from .support import schedule

ENGLAND = load_process("england-ehcna")
JERSEY = load_process("jersey-ron")

# Surrey 2025-26: Summer term 13 Apr - Wed 22 Jul 2026; Autumn 2026 starts Tue 1 Sep 2026.
# Wednesday panels around the summer, each with its cut-off 4 working days before:
#   Wed 1 Jul  <- Tue 30 Jun, Mon 29, Fri 26, Thu 25 Jun
#   Wed 8 Jul  <- Thu 2 Jul;   Wed 15 Jul <- Thu 9 Jul;   Wed 22 Jul <- Thu 16 Jul
#   (Wed 29 Jul, 5, 12, 19, 26 Aug: summer holiday, no panel)
#   Wed 2 Sep  <- Tue 1 Sep, [Mon 31 Aug is the summer bank holiday], Fri 28, Thu 27, Wed 26 Aug
#   Wed 9 Sep  <- Thu 3 Sep;   16 Sep <- Thu 10;   23 Sep <- Thu 17;   30 Sep <- Thu 24;
#   Wed 7 Oct  <- Thu 1 Oct
PANELS_BY_HAND = {
    d("2026-07-01"): d("2026-06-25"),
    d("2026-07-08"): d("2026-07-02"),
    d("2026-07-15"): d("2026-07-09"),
    d("2026-07-22"): d("2026-07-16"),
    d("2026-09-02"): d("2026-08-26"),
    d("2026-09-09"): d("2026-09-03"),
    d("2026-09-16"): d("2026-09-10"),
    d("2026-09-23"): d("2026-09-17"),
    d("2026-09-30"): d("2026-09-24"),
    d("2026-10-07"): d("2026-10-01"),
}


def first_panel_by_hand(ready: date, panels: dict[date, date]) -> date:
    """The first panel (in date order) whose cut-off is on or after ``ready``."""
    return min(panel for panel, cutoff in panels.items() if cutoff >= ready)


def every_day(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture
def wednesdays(tmp_path):
    return schedule(tmp_path)


def test_the_panel_dates_and_cutoffs_are_those_worked_by_hand(wednesdays, surrey):
    sittings = wednesdays.sittings(surrey, d("2026-07-01"), d("2026-10-07"))
    assert {s.panel: s.cutoff for s in sittings} == PANELS_BY_HAND


def test_summer_gap_the_missed_dates_are_exactly_those_heard_after_week_6(wednesdays, surrey):
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2026-07-01"), d("2026-09-30"))
    # A request received on R is ready the same day (England: the decision panel hears the
    # request) and its decision is due on R + 42 days (week 6).
    #   R from Fri 17 Jul to Wed 26 Aug: the first cut-off on or after R is Wed 26 Aug, so the
    #   panel is Wed 2 Sep, which is after R + 42 unless R >= 2 Sep - 42 days = Wed 22 Jul.
    # So exactly Fri 17, Sat 18, Sun 19, Mon 20 and Tue 21 Jul miss week 6:
    #   R = 17 Jul: due Fri 28 Aug, heard Wed 2 Sep -> 5 days short; ... R = 21 Jul: due Tue
    #   1 Sep -> 1 day short. R = 22 Jul: due Wed 2 Sep, heard that day -> on time, 0 to spare.
    missed_by_hand = {d("2026-07-17"), d("2026-07-18"), d("2026-07-19"), d("2026-07-20"),
                      d("2026-07-21")}  # fmt: skip
    heard_late = {
        r for r in every_day("2026-07-01", "2026-09-30")
        if first_panel_by_hand(r, PANELS_BY_HAND) > r + timedelta(weeks=6)
    }  # fmt: skip
    assert heard_late == missed_by_hand
    assert {row.request for row in plan.rows if not row.on_time} == missed_by_hand
    for row in plan.rows:
        assert row.ready == row.request
        assert row.deadline == row.request + timedelta(days=42)
        assert row.panel == first_panel_by_hand(row.request, PANELS_BY_HAND)
        assert row.cutoff == PANELS_BY_HAND[row.panel]
        assert row.slack_days == (row.deadline - row.panel).days
    shortfalls = {row.request.day: row.slack_days for row in plan.rows if not row.on_time}
    assert shortfalls == {17: -5, 18: -4, 19: -3, 20: -2, 21: -1}
    by_request = {row.request: row for row in plan.rows}
    assert by_request[d("2026-07-22")].status == "on_time"
    assert by_request[d("2026-07-22")].slack_days == 0
    assert by_request[d("2026-07-16")].panel == d("2026-07-22")  # the last cut-off day itself

    [gap] = plan.gaps
    assert (gap.first, gap.last, gap.requests) == (d("2026-07-17"), d("2026-07-21"), 5)
    assert gap.panels == (d("2026-09-02"),)
    assert gap.worst_shortfall_days == 5
    assert plan.counts() == {"on_time": 87, "late": 5, "no_panel": 0, "beyond_calendar": 0}


def test_an_excluded_last_panel_of_term_widens_the_gap(tmp_path, surrey):
    wednesdays = schedule(tmp_path, extra="exclude = [2026-07-22]\n")
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2026-07-01"), d("2026-09-30"))
    # Without Wed 22 Jul, a request after Thu 9 Jul (the cut-off of Wed 15 Jul) waits for Wed 2
    # Sep: late for R from Fri 10 Jul to Tue 21 Jul (12 dates); R = 10 Jul is due Fri 21 Aug,
    # 12 days before the panel.
    [gap] = plan.gaps
    assert (gap.first, gap.last, gap.requests) == (d("2026-07-10"), d("2026-07-21"), 12)
    assert gap.worst_shortfall_days == 12
    assert {r.request for r in plan.rows if not r.on_time} == set(
        every_day("2026-07-10", "2026-07-21")
    )


def test_weekly_request_dates(wednesdays, surrey):
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2026-07-03"), d("2026-08-07"), weekly=True)
    # Fridays 3, 10, 17, 24, 31 Jul and 7 Aug; only 17 Jul (due 28 Aug, heard 2 Sep) is late.
    assert [r.request.day for r in plan.rows] == [3, 10, 17, 24, 31, 7]
    assert [r.status for r in plan.rows].count("late") == 1
    [gap] = plan.gaps
    assert gap.first == gap.last == d("2026-07-17")
    assert "a request received Fri 17 Jul 2026 misses" in plan.gap_texts()[0]


def test_explicit_summer_panel_closes_the_gap(tmp_path, surrey):
    wednesdays = schedule(tmp_path, extra="dates = [2026-08-19]\n")
    # The one-off panel of Wed 19 Aug (cut-off Thu 13 Aug) hears R from 17 Jul: all on time.
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2026-07-01"), d("2026-09-30"))
    assert plan.gaps == ()
    assert next(r for r in plan.rows if r.request == d("2026-07-17")).panel == d("2026-08-19")


def test_a_schedule_that_ends_says_so_per_row(tmp_path, surrey):
    ending = schedule(
        tmp_path,
        """
        id = "ending"
        serves = "decision_to_assess"
        cutoff = { amount = 4, unit = "working-days" }
        [[recurrence]]
        rule = "FREQ=WEEKLY;BYDAY=WE"
        start = 2025-09-03
        until = 2026-07-22
        """,
    )
    plan = plan_panels(ENGLAND, surrey, ending, d("2026-07-15"), d("2026-07-20"))
    statuses = {r.request.day: r.status for r in plan.rows}
    assert statuses == {15: "on_time", 16: "on_time", 17: "no_panel", 18: "no_panel",
                        19: "no_panel", 20: "no_panel"}  # fmt: skip
    no_panel = plan.rows[-1]
    assert no_panel.panel is None and no_panel.slack_days is None and no_panel.on_time is False
    assert "no panel whose cut-off is on or after Mon 20 Jul 2026" in no_panel.note
    [gap] = plan.gaps
    assert gap.panels == () and gap.worst_shortfall_days is None
    assert "no panel in the schedule can hear them" in plan.gap_texts()[0]


def test_beyond_the_calendar_is_not_a_gap(wednesdays, surrey):
    # Surrey's term dates end on Wed 28 Jul 2027: its panel (cut-off Thu 22 Jul) is the last one
    # known, so a request after 22 Jul 2027 cannot be planned.
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2027-07-21"), d("2027-07-24"))
    assert [r.status for r in plan.rows] == ["on_time", "on_time", "beyond_calendar",
                                             "beyond_calendar"]  # fmt: skip
    assert "term dates of surrey end on Wed 28 Jul 2027" in plan.rows[-1].note
    assert plan.gaps == ()


def test_a_range_wholly_outside_the_calendar_is_an_error(wednesdays, surrey):
    with pytest.raises(OutOfCoverage, match="none of the request dates can be planned"):
        plan_panels(ENGLAND, surrey, wednesdays, d("2023-06-01"), d("2023-06-30"))


def test_jersey_outcome_panel_waits_for_term_week_advice(tmp_path, jersey):
    fortnightly = schedule(
        tmp_path,
        """
        id = "outcome"
        process = "jersey-ron"
        serves = "outcome_panel"
        cutoff = { amount = 3, unit = "working-days" }
        [[recurrence]]
        rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
        start = 2025-09-04
        """,
    )
    plan = plan_panels(JERSEY, jersey, fortnightly, d("2025-06-16"), d("2025-06-16"))
    [row] = plan.rows
    assert plan.needs.id == "advice_due"  # the outcome panel follows the advice
    # statutory-rules.md §9: received Mon 16 Jun 2025, advice due (6 term weeks, summer skipped)
    # Tue 7 Oct 2025; outcome panel due 8 Sep. Panels: Thu 4 Sep, 18 Sep, 2 Oct (cut-off Mon 29
    # Sep, before the advice), 16 Oct (cut-off Mon 13 Oct): heard 16 Oct, 38 days after 8 Sep.
    assert (row.ready, row.deadline) == (d("2025-10-07"), d("2025-09-08"))
    assert (row.cutoff, row.panel, row.slack_days) == (d("2025-10-13"), d("2025-10-16"), -38)


def test_the_milestones_must_belong_to_the_process(tmp_path, surrey):
    wrong = schedule(tmp_path, extra='needs = "advice_due"\n')
    with pytest.raises(PanelFileError) as raised:
        plan_panels(JERSEY, surrey, schedule(tmp_path), d("2026-01-05"), d("2026-01-09"))
    assert raised.value.where == "serves"
    assert "'decision_to_assess' is not a milestone of jersey-ron" in str(raised.value)
    assert str(tmp_path / "panel.toml") in str(raised.value)
    assert plan_panels(ENGLAND, surrey, wrong, d("2026-01-05"), d("2026-01-05")).needs.id == (
        "advice_due"
    )


def test_a_schedule_for_another_process_is_refused(tmp_path, jersey):
    england_only = schedule(tmp_path, extra='process = "england-ehcna"\n')
    with pytest.raises(PanelFileError, match="is for process 'england-ehcna', not 'jersey-ron'"):
        plan_panels(JERSEY, jersey, england_only, d("2026-01-05"), d("2026-01-09"))


def test_the_range_must_run_forwards(wednesdays, surrey):
    from send_clock.errors import InputError

    with pytest.raises(InputError, match="before it starts"):
        plan_panels(ENGLAND, surrey, wednesdays, d("2026-01-09"), d("2026-01-05"))


def test_to_dict_is_plain_data(wednesdays, surrey):
    import json

    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2026-07-15"), d("2026-07-24"))
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["serves"] == {"id": "decision_to_assess", "title": "Decision whether to assess"}
    assert data["needs"]["id"] == "request_received"
    assert data["step"] == "day"
    assert data["rows"][2] == {
        "request": "2026-07-17",
        "ready": "2026-07-17",
        "cutoff": "2026-08-26",
        "panel": "2026-09-02",
        "deadline": "2026-08-28",
        "status": "late",
        "on_time": False,
        "slack_days": -5,
        "note": "",
    }
    assert data["gaps"][0]["first"] == "2026-07-17" and data["gaps"][0]["text"]
    assert data["panels"][0] == {"date": "2026-07-22", "cutoff": "2026-07-16"}
    assert data["panels"][-1]["date"] == "2026-09-02"


def test_many_request_dates_are_planned_in_one_projection(wednesdays, surrey):
    plan = plan_panels(ENGLAND, surrey, wednesdays, d("2023-09-01"), d("2027-07-20"))
    assert len(plan.rows) == 1419
    assert all(row.status in ("on_time", "late") for row in plan.rows)

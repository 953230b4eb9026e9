"""The clocks of Wales, Scotland and Northern Ireland, worked by hand from the words quoted."""

from __future__ import annotations

import pytest

from send_clock.timelines import load_process
from tests.timelines.support import column, row, timeline


# -- Northern Ireland: the rules in force on the request date ----------------------------------
def test_ni_request_the_day_before_the_2005_regulations_keeps_the_18_weeks():
    # SR 1998/217 reg 9A(2) (cases where a board "on or after 1st September 1998 ... received
    # a request"): the proposed statement "shall be 18 weeks from the date on which it ...
    # received the request". Received Wed 31 Aug 2005: 31 Aug + 126 days = Wed 4 Jan 2006. The
    # 2005 Regulations' own steps did not apply to it.
    schedule = timeline("northern-ireland-statutory-assessment", "2005-08-31")
    status = column(schedule, "status")
    assert row(schedule, "proposed_statement")["due"] == "2006-01-04"
    assert "1997 reg 9A(2)" in row(schedule, "proposed_statement")["basis"]
    for milestone in ("assessment_decision", "assessment_made", "final_statement"):
        assert status[milestone] == "not_applicable", milestone


def test_ni_request_on_the_commencement_day_counts_by_the_2005_regulations():
    # SR 2005/384 ("Coming into operation 1st September 2005") reg 11(2): notice of the decision
    # "within 6 weeks beginning with the date of receipt of the request". Received Thu 1 Sep
    # 2005, the first day of the 6 weeks: the last is Wed 12 Oct 2005. Then 10 weeks beginning
    # with that notice: Tue 20 Dec; the proposed statement 2 weeks beginning with the
    # assessment: Mon 2 Jan 2006; reg 17(1)(b)'s no-statement notice "within a period of 2
    # weeks beginning with the date on which the assessment was made": the same day; the final
    # statement 8 weeks beginning with the proposed one: Sun 26 Feb 2006.
    schedule = timeline("northern-ireland-statutory-assessment", "2005-09-01")
    assert column(schedule, "due") == {
        "request_received": "2005-09-01",
        "assessment_decision": "2005-10-12",
        "assessment_made": "2005-12-20",
        "no_statement_notice": "2006-01-02",
        "proposed_statement": "2006-01-02",
        "final_statement": "2006-02-26",
    }
    assert "2005 reg 16" in row(schedule, "proposed_statement")["basis"]


def test_ni_revised_rule_is_labelled_unconfirmed_and_the_old_rule_is_not():
    milestone = load_process("northern-ireland-statutory-assessment").milestone(
        "proposed_statement"
    )
    assert "UNCONFIRMED" not in milestone.basis
    assert "UNCONFIRMED" in milestone.revisions[0].basis


# -- Wales -------------------------------------------------------------------------------------
def test_wales_school_route_35_school_days_in_cardiff():
    # ALNET Act 2018 s.11(1): where "it is brought to the attention of ... the governing body
    # ... that a child ... may have additional learning needs, it must decide whether the child
    # ... has additional learning needs"; s.12(1)(a): if so, "prepare an individual development
    # plan". The Code's 35 school days (UNCONFIRMED default): from Mon 3 Nov 2025, 35 Cardiff
    # school days (Christmas holidays 20 Dec - 4 Jan skipped) end on Mon 5 Jan 2026.
    schedule = timeline(
        "wales-aln-idp", "2025-11-03", outcomes={"route": "school"}, calendar="cardiff"
    )
    assert row(schedule, "school_decision_and_plan")["due"] == "2026-01-05"
    assert row(schedule, "la_decision_and_plan")["status"] == "not_applicable"


def test_wales_school_route_counts_2026_27_school_days_by_default():
    # The same 35 school days (UNCONFIRMED default) from Mon 2 Nov 2026, on the default calendar
    # (Carmarthenshire, which holds the directed 2026-27 dates: "Hydref 2026 ... Dydd Gwener 18
    # Rhagfyr", "Gwanwyn 2027 | Dydd Llun 4 Ionawr"). 3-6 Nov are days 1-4, the six weeks from
    # 9 Nov to 18 Dec days 5-34; the Christmas holiday is skipped and day 35 is Mon 4 Jan 2027.
    schedule = timeline("wales-aln-idp", "2026-11-02", outcomes={"route": "school"})
    assert row(schedule, "school_decision_and_plan")["due"] == "2027-01-04"


def test_wales_local_authority_route_twelve_weeks():
    # ALNET Act 2018 s.4(6)(b): the code must require the plan to be prepared "within a period
    # of time" it sets; 12 weeks (UNCONFIRMED default) from Sat 4 Oct 2025 is Sat 27 Dec 2025.
    schedule = timeline("wales-aln-idp", "2025-10-04", outcomes={"route": "local_authority"})
    assert row(schedule, "la_decision_and_plan")["due"] == "2025-12-27"


def test_wales_review_within_12_months_starting_with_the_plan():
    # ALN and Education Tribunal (Wales) Act 2018 s.23(2): "The first review period is a period
    # of 12 months starting with the date on which a copy of the plan is given". Given Mon 15 Dec
    # 2025: the period's last day is Mon 14 Dec 2026.
    schedule = timeline(
        "wales-aln-idp",
        "2025-11-03",
        events={"school_decision_and_plan": "2025-12-15"},
        as_of="2025-12-15",
    )
    assert row(schedule, "first_review")["due"] == "2026-12-14"
    assert row(schedule, "school_decision_and_plan")["status"] == "met"


def test_wales_reconsideration_seven_weeks():
    # ALNET Act 2018 ss.26-27: the local authority reconsiders a governing body's decision on the
    # request of the parent or young person; the Code's 7 weeks (UNCONFIRMED default) from Mon 3
    # Nov 2025 end on Mon 22 Dec 2025.
    schedule = timeline("wales-aln-reconsideration", "2025-11-03")
    assert row(schedule, "reconsideration_decision")["due"] == "2025-12-22"


# -- Scotland ------------------------------------------------------------------------------
def test_scotland_csp_response_plan_and_review():
    # SSI 2010/149's note: reg 4A gives "a time limit of 8 weeks for the education authority to
    # respond to a request to establish whether a child or young person requires a plan".
    # Request Mon 1 Sep 2025: response by Mon 27 Oct; the plan 16 weeks later, Mon 16 Feb 2026.
    # 2004 Act s.10(2)(a): a review "on the expiry of the period of 12 months beginning with the
    # date on which the plan was prepared": that period's last day is Mon 15 Feb 2027.
    schedule = timeline("scotland-csp", "2025-09-01")
    due = column(schedule, "due")
    assert (due["response_to_request"], due["plan_prepared"], due["first_review"]) == (
        "2025-10-27",
        "2026-02-16",
        "2027-02-15",
    )
    assert due["tribunal_reference"] is None  # dated once a decision is recorded


def test_scotland_tribunal_reference_runs_from_the_decision():
    schedule = timeline(
        "scotland-csp",
        "2025-09-01",
        outcomes={"decision": "refused"},
        events={"response_to_request": "2025-10-20"},
        as_of="2025-10-20",
    )
    assert row(schedule, "tribunal_reference")["due"] == "2025-12-20"
    assert row(schedule, "plan_prepared")["status"] == "not_applicable"


@pytest.mark.parametrize(
    ("milestone", "due"), [("response", "2025-09-29"), ("response_if_impractical", "2025-11-24")]
)
def test_scotland_early_review_four_or_twelve_weeks(milestone, due):
    # SSI 2010/149's note: reg 5A gives "a time limit of 4 weeks to respond to a request for an
    # early review ... unless it is impractical to do so when a time limit of 12 weeks applies".
    assert row(timeline("scotland-csp-early-review", "2025-09-01"), milestone)["due"] == due

"""England's further clocks (issue 16): re-assessment, Tribunal orders, unopposed appeals,
mediation and mediation agreements, ceasing a plan, early years reviews and the phase transfer
review counted back from reg 18. Each example is worked by hand from the words quoted."""

from __future__ import annotations

import pytest

from send_clock.timelines import load_process
from tests.timelines.support import column, row, timeline
from tests.timelines.unconfirmed import ISSUE_16_UNCONFIRMED


def test_reassessment_final_plan_within_14_weeks_of_the_notice():
    # SEND Regulations 2014 reg 27(2): "The local authority must send a copy of the finalised EHC
    # plan ... as soon as practicable, and in any event within 14 weeks of the notification
    # under regulation 25(1)". Notice of the decision to re-assess Mon 6 Oct 2025: 14 weeks =
    # 98 days later, Mon 12 Jan 2026. The draft must leave "at least 15 days" (reg 13(1), applied
    # by reg 27(1)): latest draft 12 Jan - 15 days = Sun 28 Dec 2025; comments end 14 days after
    # it (15 days beginning with the day served).
    schedule = timeline(
        "england-reassessment",
        "2025-09-22",
        events={"decision_to_reassess": "2025-10-06"},
        as_of="2025-10-06",
    )
    due = column(schedule, "due")
    assert due["reassessed_plan"] == "2026-01-12"
    assert due["draft_plan"] == "2025-12-28"  # 83 days after the notice
    assert due["comments_due"] == "2026-01-11"
    assert due["advice_due"] == "2025-11-17"  # advice asked on 6 Oct + 6 weeks
    assert due["decision_to_reassess"] == "2025-10-07"  # 15 days, UNCONFIRMED default


def test_reassessment_final_plan_late_in_a_school_closure_window_is_excused():
    # reg 27(3)(a): the limit need not be met if "the authority has requested advice from the
    # head teacher ... during a period beginning one week before any date on which that school
    # ... was closed for a continuous period of not less than 4 weeks ... and ending one week
    # before the date on which it re-opens". Surrey's summer 2025 window: 16 Jul - 27 Aug.
    schedule = timeline(
        "england-reassessment",
        "2025-07-01",
        calendar="surrey",
        events={"decision_to_reassess": "2025-07-15", "advice_requested": "2025-07-20"},
        as_of="2025-11-30",
    )
    final = row(schedule, "reassessed_plan")
    assert final["due"] == "2025-10-21"  # 15 Jul + 98 days
    assert final["status"] == "excused"
    assert final["exceptions"][0]["basis"] == "SEND Regulations 2014 reg 27(3)(a)"


def test_reassessment_refused_ends_with_the_decision():
    status = column(
        timeline("england-reassessment", "2025-09-22", outcomes={"decision": "refused"}), "status"
    )
    assert [m for m, s in status.items() if s != "not_applicable"] == [
        "request_received",
        "decision_to_reassess",
    ]


@pytest.mark.parametrize(
    ("order", "outcome", "milestone", "due"),
    [
        # reg 44(2)(b): "within 2 weeks of the order being made notify ... that it shall make
        # the assessment"; (i) no plan "within 10 weeks"; (ii) finalised plan "within 14 weeks
        # of the date of the First-tier Tribunal's order". Order Fri 7 Nov 2025.
        ("assess", "plan", "assessment_notice", "2025-11-21"),
        ("assess", "no_plan", "no_plan_notice", "2026-01-16"),
        ("assess", "plan", "plan_after_assessment", "2026-02-13"),
        # reg 44(2)(c): "(i) issue a draft EHC Plan within 5 weeks of the order being made; and
        # (ii) send a copy of the finalised EHC plan ... within 11 weeks".
        ("make_plan", "plan", "draft_plan", "2025-12-12"),
        ("make_plan", "plan", "ordered_plan", "2026-01-23"),
        # reg 44(2)(a): "the local authority shall cease to maintain the EHC Plan immediately".
        ("cease", "plan", "plan_ceased", "2025-11-07"),
        # UNCONFIRMED defaults: amend 5 weeks, school 2 weeks.
        ("amend", "plan", "amended_plan", "2025-12-12"),
        ("name_school", "plan", "school_named", "2025-11-21"),
    ],
)
def test_each_kind_of_tribunal_order_has_its_own_period(order, outcome, milestone, due):
    schedule = timeline(
        "england-tribunal-order", "2025-11-07", outcomes={"order": order, "outcome": outcome}
    )
    assert row(schedule, milestone)["due"] == due
    applicable = [m for m, s in column(schedule, "status").items() if s != "not_applicable"]
    assert milestone in applicable and len(applicable) <= 3  # only this order's milestones


def test_an_order_to_assess_after_the_deadline_is_overdue():
    schedule = timeline(
        "england-tribunal-order",
        "2025-11-07",
        outcomes={"order": "assess"},
        as_of="2025-12-01",
    )
    notice = row(schedule, "assessment_notice")
    assert (notice["status"], notice["days_late"]) == ("overdue", 10)


@pytest.mark.parametrize(
    ("appeal", "outcome", "milestone", "due"),
    [
        # reg 45(3): "within 2 weeks of the date it notified the First-tier Tribunal".
        ("assessment", "plan", "assessment_notice", "2026-01-26"),
        # reg 45(3A)(a): "within 10 weeks"; (b): "within 14 weeks of the date it notified".
        ("assessment", "no_plan", "no_plan_notice", "2026-03-23"),
        ("assessment", "plan", "plan_after_assessment", "2026-04-20"),
        # reg 45(4): "issue the amended EHC plan ... within 5 weeks of the date it notified".
        ("contents", "plan", "amended_plan", "2026-02-16"),
    ],
)
def test_unopposed_appeal_periods_run_from_the_notice_to_the_tribunal(
    appeal, outcome, milestone, due
):
    # Notified the Tribunal on Mon 12 Jan 2026.
    schedule = timeline(
        "england-unopposed-appeal", "2026-01-12", outcomes={"appeal": appeal, "outcome": outcome}
    )
    assert row(schedule, milestone)["due"] == due


def test_mediation_agreement_on_an_appealable_issue_keeps_the_order_periods():
    # reg 42(2): "the local authority shall comply with the time limits set out in regulation
    # 44, as if the mediation agreement were an order of the First-tier Tribunal"; (3): other
    # actions "within two weeks of the date of the mediation agreement"; (4): the commissioning
    # body notifies the local authority "within 1 week". Agreement Wed 4 Mar 2026.
    amend = timeline("england-mediation-agreement", "2026-03-04", outcomes={"order": "amend"})
    assert row(amend, "amended_plan")["due"] == "2026-04-08"  # the reg 44 default, 5 weeks
    other = timeline(
        "england-mediation-agreement",
        "2026-03-04",
        outcomes={"order": "other", "la_party": "no"},
    )
    assert row(other, "agreed_action")["due"] == "2026-03-18"
    assert row(other, "local_authority_told")["due"] == "2026-03-11"
    assert row(other, "amended_plan")["status"] == "not_applicable"
    assert load_process("england-mediation-agreement").milestone("order_made").basis == (
        "SEND Regulations 2014 reg 42(1)-(2)"
    )


def test_deemed_mediation_certificate_when_mediation_is_not_arranged_in_time():
    # The 30 days and 3 working days are IPSEA's reading ("the mediation adviser must give to you
    # a 'deemed mediation' certificate within 3 working days of the LA telling" it), the
    # regulation text not read: labelled UNCONFIRMED. Told mediation is wanted Thu 2 Oct 2025; 30
    # days: Sat 1 Nov. Not arranged: the adviser is told by then and certifies within 3 working
    # days (Mon 3, Tue 4, Wed 5 Nov); the appeal then has 1 month from the certificate: 5 Dec.
    schedule = timeline("england-mediation", "2025-10-02", outcomes={"arranged": "no"})
    due = column(schedule, "due")
    assert due["adviser_told"] == "2025-11-01"
    assert due["deemed_certificate"] == "2025-11-05"
    assert due["appeal_deadline"] == "2025-12-05"
    assert due["mediation_held"] is None


def test_ceasing_a_plan_consultation_decision_and_appeal():
    # reg 31(1): "inform the child's parent ... that it is considering ceasing ... and consult";
    # no period is set, so the 15 days (beginning with the notice) and 2 weeks are labelled
    # defaults. reg 33: contact the mediation adviser "within 2 months after written notice of
    # the local authority's decision was sent". Notice Mon 2 Feb 2026; decision sent 20 Feb.
    schedule = timeline(
        "england-cease",
        "2026-02-02",
        events={"decision_notice": "2026-02-20"},
        as_of="2026-02-20",
    )
    due = column(schedule, "due")
    assert due["representations_due"] == "2026-02-16"
    assert due["decision_notice"] == "2026-03-02"
    assert due["mediation_contact"] == "2026-04-20"
    assert due["appeal_deadline"] == "2026-04-20"
    assert row(schedule, "decision_notice")["status"] == "met"


def test_early_years_review_window_three_to_six_months():
    # Code of Practice 9.178 (guidance; its text was not read here, so the milestone is labelled
    # practice): plans for children under five reviewed every 3 to 6 months. Plan issued 31 Aug
    # 2025: the window runs from 30 Nov 2025 to 28 Feb 2026.
    schedule = timeline("england-early-years-review", "2025-08-31")
    meeting = row(schedule, "review_meeting")
    assert (meeting["earliest"], meeting["due"], meeting["kind"]) == (
        "2025-11-30",
        "2026-02-28",
        "practice",
    )
    assert row(schedule, "invitations_sent")["due"] == "2026-02-14"


@pytest.mark.parametrize(
    ("process_id", "deadline", "full_periods", "last_possible"),
    [
        # reg 18(1)(b): review and amend "before ... 15 February in the calendar year of the
        # child's transfer": last day Sun 14 Feb 2027; 12 weeks back: Sun 22 Nov 2026; 15 days
        # back (proposals on the day, "at least 15 days" for comments, plan the next day):
        # Sat 30 Jan 2027.
        ("england-phase-transfer-review", "2027-02-14", "2026-11-22", "2027-01-30"),
        # reg 18(1)(a): "before 31 March in the calendar year of the ... transfer from secondary
        # school to a post-16 institution": last day Tue 30 Mar 2027.
        ("england-phase-transfer-review-post16", "2027-03-30", "2027-01-05", "2027-03-15"),
    ],
)
def test_phase_transfer_review_counted_back_from_reg_18(
    process_id, deadline, full_periods, last_possible
):
    schedule = timeline(process_id, "2026-03-10", params={"transfer_year": 2027})
    due = column(schedule, "due")
    assert due["transfer_deadline"] == deadline
    assert due["review_meeting"] == full_periods
    assert due["last_possible_meeting"] == last_possible


def test_a_review_after_the_last_possible_meeting_is_late():
    schedule = timeline(
        "england-phase-transfer-review",
        "2026-03-10",
        params={"transfer_year": 2027},
        events={"last_possible_meeting": "2027-02-01"},
        as_of="2027-02-01",
    )
    assert row(schedule, "last_possible_meeting")["status"] == "late"


@pytest.mark.parametrize(("process_id", "milestone_id"), ISSUE_16_UNCONFIRMED)
def test_unconfirmed_defaults_say_so(process_id, milestone_id):
    assert "UNCONFIRMED" in load_process(process_id).milestone(milestone_id).basis

"""The other shipped processes, the local overlays, and a local authority's own overlay file."""

from __future__ import annotations

import textwrap

import pytest

from send_clock.errors import InputError
from send_clock.timelines import bundled_ids, load_process
from tests.timelines.support import column, row, timeline

AMEND = ("amendment_proposals_sent", "amendment_comments_due", "amended_plan")
PHASE = ("phase_transfer_review", "phase_transfer_review_post16")


def test_the_shipped_processes_and_their_public_milestone_ids():
    assert bundled_ids() == [
        "england-annual-review",
        "england-cease",
        "england-early-years-review",
        "england-ehcna",
        "england-ehcna-brighton-hove",
        "england-ehcna-hertfordshire",
        "england-mediation",
        "england-mediation-agreement",
        "england-phase-transfer-review",
        "england-phase-transfer-review-post16",
        "england-reassessment",
        "england-tribunal",
        "england-tribunal-order",
        "england-unopposed-appeal",
        "jersey-ron",
        "northern-ireland-statutory-assessment",
        "scotland-csp",
        "scotland-csp-early-review",
        "wales-aln-idp",
        "wales-aln-reconsideration",
    ]
    assert load_process("england-ehcna").ids == (
        "request_received",
        "decision_to_assess",
        "advice_requested",
        "advice_due",
        "no_plan_notice",
        "draft_plan",
        "comments_due",
        "final_plan",
    )
    assert load_process("jersey-ron").ids == (
        "request_received",
        "acknowledged",
        "request_panel",
        "advice_requested",
        "advice_due",
        "outcome_panel",
        "decision_communicated",
        "draft_ron",
        "final_ron",
    )


# -- Jersey branches ----------------------------------------------------------------------------
def test_jersey_assessment_not_agreed_ends_the_process_after_the_request_panel():
    status = column(
        timeline("jersey-ron", "2025-06-16", outcomes={"decision": "not_agreed"}), "status"
    )
    assert [m for m, s in status.items() if s != "not_applicable"] == [
        "request_received",
        "acknowledged",
        "request_panel",
    ]


def test_jersey_ron_not_agreed_drops_the_draft_and_final_record():
    schedule = timeline("jersey-ron", "2025-06-16", outcomes={"outcome": "no_ron"})
    status = column(schedule, "status")
    assert status["draft_ron"] == status["final_ron"] == "not_applicable"
    assert status["decision_communicated"] == "at_risk"


# -- annual review -----------------------------------------------------------------------------
def test_annual_review_from_a_plan_issued_10_march_2025():
    schedule = timeline("england-annual-review", "2025-03-10")
    assert column(schedule, "due") == {
        "plan_issued": "2025-03-10",
        "invitations_sent": "2026-02-23",  # 2 weeks before the meeting
        "advice_circulated": "2026-02-23",
        # CFA 2014 s.44(1): "the period of 12 months starting with the date on which the plan
        # was first made" - 10 Mar 2025 is its first day, so 9 Mar 2026 is its last.
        "review_meeting": "2026-03-09",
        "review_report": "2026-03-23",  # 2 weeks after
        "la_decision": "2026-04-06",  # 4 weeks after
        "amendment_proposals_sent": "2026-04-06",
        "amendment_comments_due": "2026-04-20",
        "amended_plan": "2026-06-01",  # decision + 8 weeks = meeting + 12 weeks
        "phase_transfer_review": None,
        "phase_transfer_review_post16": None,
        "post16_institution_transfer_review": None,  # no post-16 move date given
    }
    conditional = column(schedule, "conditional")
    assert [m for m, flag in conditional.items() if flag] == list(AMEND)
    status = column(schedule, "status")
    assert [status[m] for m in PHASE] == ["not_applicable"] * 2  # no transfer year given


@pytest.mark.parametrize(
    ("proposals", "amended"),
    [
        ("2026-03-20", "2026-05-15"),  # proposals + 8 weeks comes first
        ("2026-04-20", "2026-05-25"),  # meeting (2 Mar) + 12 weeks comes first
    ],
)
def test_the_amended_plan_is_due_at_the_earlier_of_the_two_limits(proposals, amended):
    schedule = timeline(
        "england-annual-review",
        "2025-03-10",
        events={"review_meeting": "2026-03-02", "amendment_proposals_sent": proposals},
        as_of=proposals,
    )
    found = row(schedule, "amended_plan")
    assert (found["due"], found["conditional"]) == (amended, False)
    assert schedule.outcomes["review_decision"] == "amend"


@pytest.mark.parametrize(
    ("decision", "status"), [("maintain", "not_applicable"), ("cease", "not_applicable")]
)
def test_amendments_are_not_applicable_unless_the_decision_is_to_amend(decision, status):
    schedule = timeline(
        "england-annual-review", "2025-03-10", outcomes={"review_decision": decision}
    )
    assert {column(schedule, "status")[m] for m in AMEND} == {status}


def test_phase_transfer_dates_come_from_the_transfer_year():
    # reg 18(1): review and amend "before— (a) 31 March in the calendar year of the child or
    # young person's transfer from secondary school to a post-16 institution; and (b) 15
    # February in the calendar year of the child's transfer in any other case": the last days
    # are 14 February and 30 March.
    schedule = timeline("england-annual-review", "2025-03-10", params={"transfer_year": 2027})
    school, post16 = (row(schedule, m) for m in PHASE)
    assert (school["due"], school["conditional"], school["status"]) == (
        "2027-02-14",
        False,
        "pending",
    )
    assert "reg 18(1)(b)" in school["basis"]
    assert (post16["due"], post16["conditional"]) == ("2027-03-30", True)
    assert "reg 18(1)(a)" in post16["basis"]
    moving_to_college = timeline(
        "england-annual-review",
        "2025-03-10",
        params={"transfer_year": 2027},
        outcomes={"transfer": "post16"},
    )
    assert row(moving_to_college, PHASE[0])["status"] == "not_applicable"
    assert row(moving_to_college, PHASE[1])["conditional"] is False


def test_a_move_between_post16_institutions_is_reviewed_five_months_before():
    # reg 18(2): "Where it is proposed that a young person transfers from one post-16
    # institution to another post-16 institution at any other time, the local authority must
    # review and amend ... at least five months before that transfer takes place".
    schedule = timeline(
        "england-annual-review",
        "2025-03-10",
        events={"post16_transfer_date": "2026-01-05"},
        as_of="2025-07-01",
    )
    found = row(schedule, "post16_institution_transfer_review")
    assert (found["due"], found["status"], found["basis"][:29]) == (
        "2025-08-05",
        "pending",
        "SEND Regulations 2014 reg 18(",
    )


def test_an_annual_review_is_due_the_day_before_the_anniversary():
    # s.44(1) worked example: a plan issued Mon 15 Sep 2025 is reviewed by Mon 14 Sep 2026.
    schedule = timeline("england-annual-review", "2025-09-15")
    assert row(schedule, "review_meeting")["due"] == "2026-09-14"


def test_a_transfer_year_that_is_not_a_year_is_an_error():
    with pytest.raises(InputError, match="give a year"):
        timeline("england-annual-review", "2025-03-10", params={"transfer_year": 27})


# -- Tribunal ------------------------------------------------------------------------------------
def test_tribunal_from_a_decision_notice_of_20_june_2025():
    schedule = timeline("england-tribunal", "2025-06-20")
    due = column(schedule, "due")
    assert due["mediation_contact"] == "2025-08-20"  # 2 months
    # 2 months is 20 Aug, inside August: first working day after 31 Aug (a Sunday).
    assert due["appeal_deadline"] == "2025-09-01"
    # 3 working days from 20 Aug, skipping the summer bank holiday (Mon 25 Aug).
    assert due["mediation_certificate"] == "2025-08-26"
    assert row(schedule, "mediation_held")["conditional"] is True


@pytest.mark.parametrize(
    ("certificate", "appeal"),
    [
        ("2025-09-10", "2025-10-10"),  # a month after the certificate is later: it wins
        ("2025-07-15", "2025-09-01"),  # 15 Aug is earlier than 20 Aug; rolled out of August
        ("2025-07-25", "2025-09-01"),  # 25 Aug is later, but in August: rolled
        ("2025-11-28", "2026-01-02"),  # 28 Dec: rolled past 1 Jan to Fri 2 Jan 2026
    ],
)
def test_a_recorded_mediation_certificate_moves_the_appeal_deadline_when_later(certificate, appeal):
    schedule = timeline(
        "england-tribunal",
        "2025-06-20",
        events={"mediation_certificate": certificate},
        as_of=certificate,
    )
    assert row(schedule, "appeal_deadline")["due"] == appeal


@pytest.mark.parametrize(
    ("notice", "appeal"),
    [
        ("2025-05-31", "2025-07-31"),  # 31 Jul: just before August, unchanged
        ("2025-07-01", "2025-09-01"),  # 1 Sep: just after August, unchanged
        ("2025-10-24", "2025-12-24"),  # Christmas Eve: unchanged
        ("2025-10-25", "2026-01-02"),  # 25 Dec
        ("2025-11-01", "2026-01-02"),  # 1 Jan
        ("2026-11-01", "2027-01-04"),  # Fri 1 Jan 2027: the next working day is Mon 4 Jan
        ("2026-06-30", "2026-09-01"),  # 30 Aug 2026; Mon 31 Aug is a bank holiday anyway
    ],
)
def test_appeal_deadlines_in_august_or_over_christmas_roll_to_the_next_working_day(notice, appeal):
    assert row(timeline("england-tribunal", notice), "appeal_deadline")["due"] == appeal


# -- bundled overlays ---------------------------------------------------------------------------
def statutory_unchanged(overlay: str, calendar: str) -> None:
    """The overlay's copy of every england-ehcna milestone dates exactly like the original."""
    base = timeline("england-ehcna", calendar=calendar, as_of="2025-11-01")
    local = timeline(overlay, calendar=calendar, as_of="2025-11-01")
    for milestone in load_process("england-ehcna").ids:
        assert row(local, milestone) == row(base, milestone), milestone


def test_brighton_and_hove_adds_its_stages_as_practice():
    process = load_process("england-ehcna-brighton-hove")
    assert (process.extends, process.default_calendar) == ("england-ehcna", "brighton-and-hove")
    assert process.ids == (
        "request_received",
        "decision_to_assess",
        "coproduction_meeting_set",
        "advice_requested",
        "advice_due",
        "coproduction_meeting",
        "no_plan_notice",
        "draft_plan",
        "stage_2_complete",
        "comments_due",
        "final_plan",
    )
    schedule = timeline("england-ehcna-brighton-hove")
    meeting = row(schedule, "coproduction_meeting")
    assert (meeting["kind"], meeting["earliest"], meeting["due"]) == (
        "practice",
        "2025-11-24",  # week 10
        "2025-12-22",  # week 14
    )
    assert row(schedule, "coproduction_meeting_set")["due"] == "2025-10-27"  # week 6
    assert row(schedule, "stage_2_complete")["due"] == "2026-01-05"  # week 16
    for milestone in ("coproduction_meeting_set", "coproduction_meeting", "stage_2_complete"):
        assert process.milestone(milestone).kind == "practice"
    statutory_unchanged("england-ehcna-brighton-hove", "brighton-and-hove")


def test_hertfordshire_adds_its_steps_as_practice():
    process = load_process("england-ehcna-hertfordshire")
    assert process.extends == "england-ehcna"
    schedule = timeline("england-ehcna-hertfordshire")
    meeting = row(schedule, "ehc_planning_meeting")
    assert (meeting["kind"], meeting["earliest"], meeting["due"]) == (
        "practice",
        "2025-10-27",  # week 6
        "2025-12-08",  # week 12
    )
    assert row(schedule, "step_1_complete")["due"] == "2025-10-27"
    assert row(schedule, "step_3_complete")["due"] == "2026-01-05"
    added = set(process.ids) - set(load_process("england-ehcna").ids)
    assert added == {"step_1_complete", "ehc_planning_meeting", "step_3_complete"}
    assert {process.milestone(m).kind for m in added} == {"practice"}
    statutory_unchanged("england-ehcna-hertfordshire", "hertfordshire")


def test_a_refusal_also_drops_the_overlay_meetings():
    schedule = timeline("england-ehcna-brighton-hove", outcomes={"decision": "refused"})
    status = column(schedule, "status")
    assert status["coproduction_meeting"] == status["stage_2_complete"] == "not_applicable"


# -- a local authority's own overlay, from a path ------------------------------------------------
PANEL = """
    id = "our-council-ehcna"
    extends = "england-ehcna"
    title = "EHC needs assessment with our SEN panel"

    [[milestones]]
    id = "sen_panel"
    insert_after = "request_received"
    title = "SEN panel considers the request"
    description = "The council's SEN panel looks at the request before the decision."
    kind = "practice"
    basis = "Our council's local offer, section 4"
    due = { from = "request_received", amount = 4, unit = "weeks" }
    lead = { after = "request_received", amount = 0, unit = "days" }
"""

WEEK_14_DRAFT = """
    id = "week-14-ehcna"
    extends = "england-ehcna"

    [[milestones]]
    id = "draft_plan"
    replaces = true
    title = "Draft EHC plan served (week 14)"
    description = "This council serves the draft by week 14."
    kind = "practice"
    basis = "IPSEA good practice: draft by week 14"
    due = { from = "request_received", amount = 14, unit = "weeks" }
    lead = { after = "advice_due", amount = 14, unit = "days" }
    when = ["decision=agreed", "outcome=plan"]
"""


@pytest.fixture
def overlay(tmp_path):
    def write(text: str, name: str = "overlay.toml") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return str(path)

    return write


def test_an_overlay_file_adds_a_panel_after_the_request(overlay):
    path = overlay(PANEL)
    process = load_process(path)
    assert (process.id, process.extends) == ("our-council-ehcna", "england-ehcna")
    assert process.origin.endswith("overlay.toml")
    assert process.title == "EHC needs assessment with our SEN panel"
    assert process.default_calendar == "england-and-wales"  # inherited
    assert process.ids[:3] == ("request_received", "sen_panel", "decision_to_assess")
    schedule = timeline(path)
    assert row(schedule, "sen_panel")["due"] == "2025-10-13"
    base = column(timeline(), "due")
    assert {k: v for k, v in column(schedule, "due").items() if k != "sen_panel"} == base


def test_an_overlay_file_replaces_a_milestone(overlay):
    process = load_process(overlay(WEEK_14_DRAFT))
    assert process.ids == load_process("england-ehcna").ids
    assert process.milestone("draft_plan").title == "Draft EHC plan served (week 14)"
    due = column(timeline(process.origin), "due")
    assert due["draft_plan"] == "2025-12-22"  # 14 weeks
    assert due["comments_due"] == "2026-01-05"  # counted from the earlier draft
    assert due["final_plan"] == "2026-02-02"  # the statutory limit does not move

"""Every milestone of every shipped process says what it is and on what legal basis."""

from __future__ import annotations

import pytest

from send_clock.timelines import bundled_processes, load_process
from send_clock.timelines.model import EXCEPTION_KINDS, KINDS
from tests.timelines.unconfirmed import ISSUE_16_UNCONFIRMED

MILESTONES = [(p.id, m) for p in bundled_processes() for m in p.milestones]

#: Facts statutory-rules.md marks UNCONFIRMED, by the milestone that rests on them.
#: No longer listed: the annual review's 12 months (now CFA 2014 s.44(1) itself, "the period of
#: 12 months starting with the date on which the plan was first made") and the Tribunal's
#: August / Christmas rule (HESC Rules 2008 r.12(3), whose text is confirmed).
UNCONFIRMED = [
    ("england-annual-review", "la_decision"),  # reg 20(10) paragraph number
    ("england-tribunal", "mediation_certificate"),  # regulation number
    ("england-tribunal", "mediation_held"),  # regulation number
]


@pytest.mark.parametrize(
    "process_id, milestone", MILESTONES, ids=[f"{p}:{m.id}" for p, m in MILESTONES]
)
def test_every_milestone_has_a_basis_a_title_and_a_description(process_id, milestone):
    assert milestone.basis.strip()
    assert milestone.title.strip()
    assert milestone.description.strip()
    assert milestone.kind in KINDS
    for kind, basis in milestone.excused_by.items():
        assert kind in EXCEPTION_KINDS
        assert basis.strip()


def test_every_process_has_a_basis():
    for process in bundled_processes():
        assert process.basis.strip(), process.id
        assert process.title.strip(), process.id


@pytest.mark.parametrize(("process_id", "milestone_id"), UNCONFIRMED)
def test_unconfirmed_facts_are_labelled_unconfirmed(process_id, milestone_id):
    assert "UNCONFIRMED" in load_process(process_id).milestone(milestone_id).basis


def test_only_the_unconfirmed_facts_are_labelled_so():
    labelled = {(p, m.id) for p, m in MILESTONES if "UNCONFIRMED" in m.basis}
    # The overlays carry the statutory process's milestones, none of them unconfirmed.
    assert labelled == set(UNCONFIRMED) | set(ISSUE_16_UNCONFIRMED)


def test_the_school_closure_exception_never_excuses_advice():
    for process_id, milestone in MILESTONES:
        if milestone.id == "advice_due":
            assert "school_closure" not in milestone.excused_by, process_id
    ehcna = load_process("england-ehcna")
    assert set(ehcna.milestone("advice_due").excused_by) == {
        "exceptional_personal_circumstances",
        "absence_from_area",
        "missed_appointment",
    }
    for milestone_id in ("decision_to_assess", "no_plan_notice", "final_plan"):
        assert "school_closure" in ehcna.milestone(milestone_id).excused_by


def test_local_overlay_milestones_are_practice():
    base = set(load_process("england-ehcna").ids)
    for overlay in ("england-ehcna-brighton-hove", "england-ehcna-hertfordshire"):
        process = load_process(overlay)
        added = [m for m in process.milestones if m.id not in base]
        assert added and {m.kind for m in added} == {"practice"}, overlay

"""The family's page: a case's milestones in plain English at the calendar feed's secret.

``/p/{token}`` needs no sign-in: the unguessable token (the feed's) is the credential, and
revoking the feed ends the page too. It shows no name (cases never hold one), what has happened,
what comes next and by when, what the law says the authority must do, and what the family can
do if a date is missed, with the time limits from the timeline data. Read-only, no script,
printable, never cached or indexed, and sends no referrer (the URL is the secret).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request

from ...calendars import load_calendar
from ...errors import NotFound
from ...store import cases as store
from ...store import tokens
from ...timelines import load_process, project
from ...timelines.model import Process, Step
from ...timelines.schedule import MilestoneStatus
from .pages import templates

router = APIRouter(include_in_schema=False)
TRIBUNAL = "england-tribunal"
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


@cache
def _complaints() -> dict:
    with (Path(__file__).parent / "data" / "family.toml").open("rb") as stream:
        return tomllib.load(stream)["complaint"]


@dataclass(frozen=True)
class Remedy:
    """Something the family can do, its time limit in words, and the law that gives it."""

    title: str
    text: str
    basis: str


@router.get("/p/{token}")
def family_page(request: Request, token: str):
    today = date.today()
    with request.app.state.store.session() as session:
        try:
            feed = tokens.find_feed(session, token)
        except NotFound:
            feed = None
        if feed is None or feed.case_id is None:  # revoked, unknown, or the team's feed
            return templates.TemplateResponse(
                request, "family_gone.html", {}, status_code=404, headers=PRIVATE
            )
        state = store.get_case(session, feed.case_id)
    process = load_process(state.process)
    schedule = project(process, load_calendar(state.calendar), state.to_case(), as_of=today)
    shown = [m for m in schedule.milestones if m.status != "not_applicable"]
    context = {
        "ref": state.ref,
        "process": process,
        "today": today,
        "happened": [m for m in shown if m.actual is not None],
        "next": sorted(
            (m for m in shown if m.actual is None and m.due is not None and not _ends_itself(m)),
            key=lambda m: m.due,
        ),
        "law": [m for m in process.milestones if m.kind == "statutory" and m.id != process.start],
        "remedies": remedies(process),
        "feed": f"/v1/feeds/{token}.ics",
    }
    return templates.TemplateResponse(request, "family.html", context, headers=PRIVATE)


def _ends_itself(milestone: MilestoneStatus) -> bool:
    """The family's own period (comments on the draft) is met on its last day by itself."""
    return milestone.status in ("met", "late")


def remedies(process: Process) -> list[Remedy]:
    """Mediation and appeal (England, from the tribunal timeline's own limits) and a
    complaint (from the page's data file)."""
    found = []
    if process.jurisdiction == "england":
        tribunal = load_process(TRIBUNAL)
        mediation = tribunal.milestone("mediation_contact")
        appeal = tribunal.milestone("appeal_deadline")
        found += [
            Remedy(
                "Mediation",
                "If the council decides not to assess, not to issue a plan, or you disagree "
                "with what the plan says, contact a mediation adviser within "
                f"{_after(mediation.due.steps[0])} (needed before most appeals).",
                mediation.basis,
            ),
            Remedy(
                "Appeal to the SEND Tribunal",
                "You can appeal against those decisions within "
                + " or ".join(_after(step) for step in appeal.due.steps)
                + ", whichever is later.",
                appeal.basis,
            ),
        ]
    complaint = _complaints().get(process.jurisdiction)
    if complaint:
        found.append(Remedy(complaint["title"], complaint["text"], complaint["basis"]))
    return found


PLAIN_ANCHORS = {
    "decision_notice": "the date of the decision letter",
    "mediation_certificate": "the mediation certificate",
}


def _after(step: Step) -> str:
    """``2 months of the date of the decision letter``."""
    unit = step.unit.replace("-", " ")
    unit = unit[:-1] if step.amount == 1 and unit.endswith("s") else unit
    anchor = PLAIN_ANCHORS.get(step.anchor, step.anchor.replace("_", " "))
    joint = "of" if step.anchor == "decision_notice" else "after"
    return f"{step.amount} {unit} {joint} {anchor}"

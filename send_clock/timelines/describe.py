"""A process in words and plain data: what ``processes show`` prints and ``GET /v1/processes``
returns.

>>> from send_clock.timelines import load_process
>>> final = process_to_dict(load_process("england-ehcna"))["milestones"][-1]
>>> final["rule"], final["lead"]
('request_received + 20 weeks', 'comments_due + 1 days')
"""

from __future__ import annotations

from .model import Milestone, Process, Rule, Step


def step_text(step: Step) -> str:
    """``request_received + 20 weeks``."""
    unit = step.unit.replace("-", " ")
    sign = "+" if step.amount >= 0 else "-"
    extra = " (once recorded)" if step.if_recorded else ""
    if step.starting_with:
        extra += " beginning with that day"
    return f"{step.anchor} {sign} {abs(step.amount)} {unit}{extra}"


def rule_text(rule: Rule) -> str:
    """A rule as one line: a step, the latest or earliest of several, or a fixed day of a year
    given by a case parameter, and any periods it rolls out of."""
    if rule.on:
        month, day = rule.on
        return f"{day:02d}/{month:02d} of {rule.year_param}"
    text = ", ".join(step_text(s) for s in rule.steps)
    if rule.combine != "only":
        text = f"{rule.combine} of ({text})"
    if rule.roll_out_of:
        periods = ", ".join(
            f"{a[1]:02d}/{a[0]:02d}-{b[1]:02d}/{b[0]:02d}" for a, b in rule.roll_out_of
        )
        text += f" (rolled out of {periods})"
    if rule.to_working_day:
        text += " (or the next working day)"
    return text


def milestone_to_dict(process: Process, milestone: Milestone) -> dict:
    return {
        "id": milestone.id,
        "title": milestone.title,
        "description": milestone.description,
        "kind": milestone.kind,
        "rule": rule_text(milestone.due) if milestone.due else f"= {process.start_label.lower()}",
        "target": rule_text(milestone.target) if milestone.target else None,
        "earliest": rule_text(milestone.earliest) if milestone.earliest else None,
        "lead": step_text(milestone.lead) if milestone.lead else None,
        "when": [str(c) for c in milestone.when],
        "excused_by": dict(milestone.excused_by),
        "basis": milestone.basis,
        "in_force_from": milestone.in_force_from,
        "in_force_until": milestone.in_force_until,
        "revisions": [
            {
                "in_force_from": revision.in_force_from,
                "rule": rule_text(revision.due),
                "lead": step_text(revision.lead) if revision.lead else None,
                "basis": revision.basis,
            }
            for revision in milestone.revisions
        ],
    }


def in_force_text(milestone: dict) -> str:
    """When a milestone's rules apply, in words (empty for a milestone that always applies).

    >>> from datetime import date
    >>> in_force_text({"in_force_from": date(2005, 9, 1), "in_force_until": None,
    ...                "revisions": []})
    'cases begun from 2005-09-01'
    """
    parts = []
    if milestone["in_force_from"]:
        parts.append(f"from {milestone['in_force_from']}")
    if milestone["in_force_until"]:
        parts.append(f"before {milestone['in_force_until']}")
    lines = [f"cases begun {' and '.join(parts)}"] if parts else []
    lines += [
        f"from {r['in_force_from']}: {r['rule']} ({r['basis']})" for r in milestone["revisions"]
    ]
    return "; ".join(lines)


def process_to_dict(process: Process) -> dict:
    return {
        "id": process.id,
        "title": process.title,
        "jurisdiction": process.jurisdiction,
        "description": process.description,
        "basis": process.basis,
        "start": process.start,
        "start_label": process.start_label,
        "default_calendar": process.default_calendar,
        "extends": process.extends,
        "branches": {
            b.id: {"title": b.title, "values": list(b.values), "assumed": b.assumed}
            for b in process.branches.values()
        },
        "case_dates": {d.id: d.title for d in process.dates.values()},
        "params": {p.id: p.title for p in process.params.values()},
        "milestones": [milestone_to_dict(process, m) for m in process.milestones],
    }

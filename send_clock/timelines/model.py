"""What a statutory process is made of: rules, milestones, branches, exception kinds.

These are plain, immutable values built by :mod:`send_clock.timelines.loader` from a process data
file. Nothing here computes a date; :mod:`send_clock.timelines.projector` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

STATUTORY, PRACTICE = "statutory", "practice"
KINDS = (STATUTORY, PRACTICE)

#: The exception kinds of the SEND Regulations 2014 (reg 5(4), 8(2), 10(4)).
EXCEPTION_KINDS = {
    "school_closure": "the school or college was asked for advice in the week before, or during, "
    "a closure of 4 weeks or more",
    "early_years_closure": "the early years provider was asked for advice in the week before, or "
    "during, a closure of 4 weeks or more",
    "exceptional_personal_circumstances": "exceptional personal circumstances affect the child or "
    "parent, or the young person",
    "absence_from_area": "the child or parent, or the young person, was away from the local "
    "authority's area for 4 weeks or more",
    "missed_appointment": "the child or parent, or the young person, did not keep an appointment "
    "for an examination or test",
}

#: Kinds whose dates, when recorded, are a window tested against the milestone's closure-test
#: date (like the calendar's own school-closure windows) rather than a period of absence.
WINDOW_KINDS = ("school_closure", "early_years_closure")

#: An absence must last at least this many days (reg 5(4), 8(2), 10(4): "not less than 4 weeks").
MINIMUM_ABSENCE_DAYS = 28


@dataclass(frozen=True)
class Step:
    """``amount`` ``unit`` counted from the date of milestone ``anchor``.

    ``if_recorded``: in a ``latest_of``/``earliest_of`` rule, this part counts only once the
    anchor has actually happened (the appeal deadline moves only once a mediation certificate
    exists).

    ``starting_with``: the period is one "beginning with" (or "starting with") the anchor's
    date, which is its first day, so it ends a day earlier than one counted from the next day
    ("within 6 weeks beginning with the date of receipt": receipt + 41 days).
    """

    anchor: str
    amount: int
    unit: str
    if_recorded: bool = False
    starting_with: bool = False


@dataclass(frozen=True)
class Rule:
    """How a milestone's date is found.

    One of: ``steps`` with ``combine`` = ``"only"`` (one step), ``"latest"`` or ``"earliest"``
    of several, or ``"first"`` (the first step whose anchor is dated); or ``on`` (a fixed
    ``MM-DD``) in the year held by case parameter ``year_param``.
    ``roll_out_of`` lists ``(MM-DD, MM-DD)`` periods: a date inside one moves to the first working
    day after it. ``to_working_day``: a last day that is not a working day moves to the next
    working day ("the period is extended to include the following working day").
    """

    steps: tuple[Step, ...] = ()
    combine: str = "only"
    on: tuple[int, int] | None = None
    year_param: str | None = None
    roll_out_of: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    to_working_day: bool = False

    @property
    def anchors(self) -> tuple[str, ...]:
        return tuple(step.anchor for step in self.steps)


@dataclass(frozen=True)
class Condition:
    """The milestone applies only when branch ``branch`` takes ``value``."""

    branch: str
    value: str

    def __str__(self) -> str:
        return f"{self.branch}={self.value}"


@dataclass(frozen=True)
class Branch:
    """A fork in the process: a decision with named values. While the value is unknown the
    ``assumed`` one is projected; milestones of the other values are reported as conditional."""

    id: str
    title: str
    values: tuple[str, ...]
    assumed: str


@dataclass(frozen=True)
class Revision:
    """The milestone's rule for cases that began on or after ``in_force_from``: regulations
    that replaced earlier ones count a case by the rules in force on its start (request) date."""

    in_force_from: date
    due: Rule
    basis: str
    description: str = ""
    lead: Step | None = None


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    description: str
    kind: str
    basis: str
    due: Rule | None  # None for the start milestone
    target: Rule | None = None  # a good-practice target earlier than due
    earliest: Rule | None = None  # start of a window (e.g. a meeting in weeks 10-14)
    lead: Step | None = None  # predecessor and lead time, for projection (§9)
    when: tuple[Condition, ...] = ()
    excused_by: dict[str, str] = field(default_factory=dict)  # kind -> basis
    closure_test: tuple[str, ...] = ()  # dates tested against closure windows, first known wins
    short_title: str = ""  # for calendar feeds: "final plan due"
    #: The last day of a period given to someone else (the family's 15 days to comment): it
    #: passes by itself on its due date, so it is ``met`` then without anyone recording it.
    automatic: bool = False
    #: A dated absence excuses this limit only when 4 weeks or more of it fall inside the
    #: period the limit runs over (reg 8(2)(b): absent "during that 6 week period"), not when
    #: it merely overlaps it.
    absence_within_period: bool = False
    #: The milestone applies only to cases that began on or after ``in_force_from`` and before
    #: ``in_force_until`` (a duty that commenced, or was revoked, on a date).
    in_force_from: date | None = None
    in_force_until: date | None = None
    revisions: tuple[Revision, ...] = ()  # in order of in_force_from

    @property
    def anchors(self) -> tuple[str, ...]:
        rules = [self.due, self.target, self.earliest] + [r.due for r in self.revisions]
        found = [anchor for rule in rules if rule for anchor in rule.anchors]
        leads = [self.lead] + [r.lead for r in self.revisions]
        found += [lead.anchor for lead in leads if lead]
        return tuple(dict.fromkeys(found))

    def in_force_on(self, start: date) -> bool:
        """Whether the milestone applies to a case that began on ``start``."""
        after_from = self.in_force_from is None or start >= self.in_force_from
        return after_from and (self.in_force_until is None or start < self.in_force_until)

    def revision_on(self, start: date) -> Revision | None:
        """The latest revision in force for a case that began on ``start``, if any."""
        revision = None
        for candidate in self.revisions:
            if candidate.in_force_from <= start:
                revision = candidate
        return revision

    def at(self, start: date) -> Milestone:
        """The milestone as counted for a case that began on ``start``: its latest revision in
        force then, if any."""
        revision = self.revision_on(start)
        if revision is None:
            return self
        return replace(
            self,
            due=revision.due,
            basis=revision.basis,
            description=revision.description or self.description,
            lead=revision.lead or self.lead,
        )


@dataclass(frozen=True)
class CaseDate:
    """A date a case may record that is not a milestone (e.g. when the school was asked)."""

    id: str
    title: str


@dataclass(frozen=True)
class Param:
    """A value a case may give (e.g. the year of a phase transfer)."""

    id: str
    title: str


@dataclass(frozen=True)
class Process:
    id: str
    title: str
    jurisdiction: str
    description: str
    basis: str
    start: str  # id of the milestone dated by the received / start date
    start_label: str
    milestones: tuple[Milestone, ...]
    order: tuple[str, ...]  # milestone ids, anchors before dependants
    branches: dict[str, Branch] = field(default_factory=dict)
    dates: dict[str, CaseDate] = field(default_factory=dict)
    params: dict[str, Param] = field(default_factory=dict)
    default_calendar: str = "england-and-wales"
    category: str = ""  # for feeds: "EHC needs assessment"
    extends: str | None = None
    origin: str = "bundled"

    def milestone(self, milestone_id: str) -> Milestone:
        return self._by_id[milestone_id]

    @cached_property
    def _by_id(self) -> dict[str, Milestone]:
        return {m.id: m for m in self.milestones}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.milestones)

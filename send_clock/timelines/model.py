"""What a statutory process is made of: rules, milestones, branches, exception kinds.

These are plain, immutable values built by :mod:`send_clock.timelines.loader` from a process data
file. Nothing here computes a date; :mod:`send_clock.timelines.projector` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """

    anchor: str
    amount: int
    unit: str
    if_recorded: bool = False
    #: The period starts *with* the anchor day, so it ends the day before the date counted
    #: (CFA 2014 s.44(1): "the period of 12 months starting with the date on which the plan was
    #: first made" ends the day before the anniversary).
    inclusive: bool = False


@dataclass(frozen=True)
class Rule:
    """How a milestone's date is found.

    One of: ``steps`` with ``combine`` = ``"only"`` (one step), ``"latest"`` or ``"earliest"``
    of several, or ``"first"`` (the first step whose anchor is dated); or ``on`` (a fixed
    ``MM-DD``) in the year held by case parameter ``year_param``.
    ``roll_out_of`` lists ``(MM-DD, MM-DD)`` periods: a date inside one moves to the first working
    day after it. ``next_working_day``: a date that is not a working day moves to the next one
    (HESC Rules 2008 r.12(2)).
    """

    steps: tuple[Step, ...] = ()
    combine: str = "only"
    on: tuple[int, int] | None = None
    year_param: str | None = None
    roll_out_of: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    next_working_day: bool = False

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

    @property
    def anchors(self) -> tuple[str, ...]:
        rules = (self.due, self.target, self.earliest)
        found = [anchor for rule in rules if rule for anchor in rule.anchors]
        if self.lead:
            found.append(self.lead.anchor)
        return tuple(dict.fromkeys(found))


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

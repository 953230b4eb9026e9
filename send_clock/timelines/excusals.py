"""Exceptions recorded on a case: ``kind[:FROM..TO][@milestone]``.

The SEND Regulations 2014 lift a time limit ("the local authority need not comply") in listed
circumstances; each milestone of a process says which kinds can excuse it. A recorded exception
is checked against the process as it is read: unknown kinds, milestones that the kind cannot
excuse, reversed dates and absences shorter than 4 weeks are errors.

>>> RecordedException.parse("absence_from_area:2025-10-01..2025-11-05")
RecordedException(kind='absence_from_area', start=datetime.date(2025, 10, 1),
                  end=datetime.date(2025, 11, 5), milestone=None)
>>> str(RecordedException.parse("missed_appointment@advice_due"))
'missed_appointment@advice_due'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..dates import parse_date
from ..errors import InputError
from .model import EXCEPTION_KINDS, MINIMUM_ABSENCE_DAYS, WINDOW_KINDS, Process


@dataclass(frozen=True)
class RecordedException:
    kind: str
    start: date | None = None
    end: date | None = None
    milestone: str | None = None

    @classmethod
    def parse(cls, text: str) -> RecordedException:
        spec = str(text).strip()
        body, _, milestone = spec.partition("@")
        kind, _, period = body.partition(":")
        kind = kind.strip()
        if kind not in EXCEPTION_KINDS:
            raise InputError(
                f"{kind!r} is not an exception kind; use one of: {', '.join(EXCEPTION_KINDS)} "
                "(written kind[:FROM..TO][@milestone])"
            )
        start = end = None
        if period:
            first, dots, last = period.partition("..")
            if not dots:
                raise InputError(
                    f"{spec!r}: write the period as FROM..TO, e.g. {kind}:2025-10-01..2025-11-05"
                )
            start = parse_date(first, "exception start date")
            end = parse_date(last, "exception end date")
            if end < start:
                raise InputError(f"{spec!r}: the period ends on {end} before it starts on {start}")
        return cls(kind, start, end, milestone.strip() or None)

    def __str__(self) -> str:
        period = f":{self.start}..{self.end}" if self.start else ""
        target = f"@{self.milestone}" if self.milestone else ""
        return f"{self.kind}{period}{target}"

    @property
    def window(self) -> dict | None:
        return {"start": self.start, "end": self.end} if self.start else None

    def check(self, process: Process) -> None:
        """Raise :class:`InputError` if this exception cannot apply in ``process``."""
        if self.kind == "absence_from_area":
            if self.start is None:
                raise InputError(
                    f"{self}: an absence from the area needs its dates "
                    f"(absence_from_area:FROM..TO) to show it lasted 4 weeks or more"
                )
            days = (self.end - self.start).days + 1
            if days < MINIMUM_ABSENCE_DAYS:
                raise InputError(
                    f"{self}: an absence excuses a time limit only when it lasts 4 weeks or more "
                    f"(reg 5(4), 8(2), 10(4)); this one lasts {days} days"
                )
        allowing = [m.id for m in process.milestones if self.kind in m.excused_by]
        if self.milestone is not None:
            if self.milestone not in process.ids:
                raise InputError(
                    f"{self}: {self.milestone!r} is not a milestone of {process.id}; the "
                    f"milestones are: {', '.join(process.ids)}"
                )
            if self.milestone not in allowing:
                raise InputError(
                    f"{self}: the regulations do not let {self.kind} excuse {self.milestone}"
                    + (f"; it can excuse: {', '.join(allowing)}" if allowing else "")
                )
        elif not allowing:
            raise InputError(f"{self}: no milestone of {process.id} can be excused by {self.kind}")

    def is_window(self) -> bool:
        return self.kind in WINDOW_KINDS


def parse_exceptions(texts, process: Process) -> tuple[RecordedException, ...]:
    """Parse and check ``;``-separated or listed exception specs for ``process``."""
    if isinstance(texts, str):
        texts = texts.split(";")
    found = []
    for text in texts:
        if str(text).strip():
            exception = RecordedException.parse(text)
            exception.check(process)
            found.append(exception)
    return tuple(found)

"""A hand-made caseload whose every figure is worked out below, shared by the report tests.

England EHC needs assessment on the england-and-wales calendar; every rule it uses counts
calendar weeks, so no bank holiday matters. As of Mon 1 Dec 2025:

=====  ==========  ==================================================================
case   received    what happened
=====  ==========  ==================================================================
A      Mon 6 Jan   decided 10 Feb (35 days); final plan 23 May (137 days): on time
B      Mon 13 Jan  decided 3 Mar (49 days: late); final plan 20 Jun (158 days): late
C      Mon 3 Mar   decided 11 Apr (39 days); final plan 15 Aug (165 days) with an
                   exception recorded on the final plan: excused
D      Mon 3 Feb   refused 10 Mar (35 days)
E      Mon 10 Feb  decided 21 Mar (39 days); no plan, notice 30 May (within 16 weeks)
F      Mon 12 May  decided 20 Jun (39 days); advice and draft done, comments by 26 Sep;
                   no final plan: due 29 Sep, 63 days overdue on 1 Dec
G      Mon 20 Oct  nothing yet: decision due 1 Dec (received + 42 days): due today
H      24/02/2025  written DD/MM/YYYY; decided 04/04/2025 (39 days); final plan 14/07/2025
                   (exactly 140 days: within 20 weeks)
(bad)  2025-13-01  no month 13: rejected, on line 10 of the file
=====  ==========  ==================================================================
"""

from __future__ import annotations

from datetime import date

AS_OF = date(2025, 12, 1)

CASELOAD = """\
case_id,received,decision,outcome,decision_to_assess,advice_requested,advice_due,draft_plan,comments_due,no_plan_notice,final_plan,exceptions
A,2025-01-06,agreed,plan,2025-02-10,,,,,,2025-05-23,
B,2025-01-13,agreed,plan,2025-03-03,,,,,,2025-06-20,
C,2025-03-03,agreed,plan,2025-04-11,,,,,,2025-08-15,exceptional_personal_circumstances@final_plan
D,2025-02-03,refused,,2025-03-10,,,,,,,
E,2025-02-10,agreed,no_plan,2025-03-21,,,,,2025-05-30,,
F,2025-05-12,agreed,,2025-06-20,2025-06-20,2025-08-01,2025-09-12,2025-09-26,,,
G,2025-10-20,,,,,,,,,,
H,24/02/2025,agreed,plan,04/04/2025,,,,,,14/07/2025,
X,2025-13-01,agreed,,,,,,,,,
"""

#: Every figure, worked out by hand.
FIGURES = {
    # A B C D E F G H; X is rejected
    "cases": 8,
    # final plans recorded: A, B, C, H
    "final_plans_issued": 4,
    # within received + 140 days: A (137), H (140); not B (158), C (165)
    "final_plans_within_20_weeks": 2,
    "final_plans_within_20_weeks_pct": 50.0,  # 2 / 4
    # C's final plan is excused (late, exception recorded): left out -> A, B, H
    "final_plans_issued_excluding_exceptions": 3,
    "final_plans_within_20_weeks_excluding_exceptions": 2,  # A, H
    "final_plans_within_20_weeks_excluding_exceptions_pct": 66.7,  # 2 / 3
    # england-and-wales has no term dates: no closure window is detected, so the same
    "final_plans_issued_excluding_recorded_and_detected": 3,
    "final_plans_within_20_weeks_excluding_recorded_and_detected": 2,
    "final_plans_within_20_weeks_excluding_recorded_and_detected_pct": 66.7,
    # decision dates recorded: A B C D E F H (G has none); D's refusal counts
    "decisions_made": 7,
    # within received + 42 days: all but B (49 days)
    "decisions_within_6_weeks": 6,
    "decisions_within_6_weeks_pct": 85.7,  # 6 / 7 = 85.71
    # (137 + 158 + 165 + 140) / 4 = 150 days = 21.43 weeks
    "average_weeks_to_final_plan": 21.4,
}

STATUS_COUNTS = {
    # met: A C D E F H (D's refusal is a decision); late: B; G's is due today
    "decision_to_assess": {"met": 6, "late": 1, "due_soon": 1},
    # only F still needs them, and recorded them on time; D refused, so not applicable; the
    # closed cases A B C E H never recorded them: unrecorded (never overdue); G's come later
    "advice_requested": {"met": 1, "due_soon": 1, "not_applicable": 1, "unrecorded": 5},
    "advice_due": {"met": 1, "pending": 1, "not_applicable": 1, "unrecorded": 5},
    # E's notice was on time; A B C H had plans, and so did F (a recorded draft plan means
    # outcome=plan); D was refused; G does not know yet (conditional: left out)
    "no_plan_notice": {"met": 1, "not_applicable": 6},
    "draft_plan": {"met": 1, "pending": 1, "not_applicable": 2, "unrecorded": 4},
    # the family's comment period ends by itself the day after its last day, but only once the
    # draft is dated: met for F (recorded); A B C H are closed with no draft date: unrecorded;
    # G's is to come; D refused, E had no plan
    "comments_due": {"met": 1, "pending": 1, "not_applicable": 2, "unrecorded": 4},
    # met: A H; late: B; excused: C; overdue: F; pending: G; not applicable: D E
    "final_plan": {
        "met": 2,
        "late": 1,
        "excused": 1,
        "overdue": 1,
        "pending": 1,
        "not_applicable": 2,
    },
}

#: F's final plan: due 29 Sep, 63 days overdue on 1 Dec.
OVERDUE = [
    {
        "case_id": "F",
        "milestone": "final_plan",
        "due": "2025-09-29",
        "days": 63,
        "status": "overdue",
    },
]
#: G's decision is due today, and advice is requested the same day.
DUE_SOON = [
    {
        "case_id": "G",
        "milestone": "decision_to_assess",
        "due": "2025-12-01",
        "days": 0,
        "status": "due_soon",
    },
    {
        "case_id": "G",
        "milestone": "advice_requested",
        "due": "2025-12-01",
        "days": 0,
        "status": "due_soon",
    },
]

BY_MONTH = {
    # A (137 days, decided in 35) and B (158, decided in 49): (137 + 158) / 2 / 7 = 21.07
    "2025-01": dict(
        cases=2,
        issued=2,
        within=1,
        pct=50.0,
        kept=2,
        kept_within=1,
        kept_pct=50.0,
        kept_all=2,
        kept_all_within=1,
        kept_all_pct=50.0,
        decided=2,
        in_time=1,
        decided_pct=50.0,
        weeks=21.1,
    ),
    # D, E, H: one plan (H, 140 days = 20.0 weeks); three decisions in time
    "2025-02": dict(
        cases=3,
        issued=1,
        within=1,
        pct=100.0,
        kept=1,
        kept_within=1,
        kept_pct=100.0,
        kept_all=1,
        kept_all_within=1,
        kept_all_pct=100.0,
        decided=3,
        in_time=3,
        decided_pct=100.0,
        weeks=20.0,
    ),
    # C: late, excused: 0 of 1; none left once exceptions are excluded; 165 / 7 = 23.57
    "2025-03": dict(
        cases=1,
        issued=1,
        within=0,
        pct=0.0,
        kept=0,
        kept_within=0,
        kept_pct=None,
        kept_all=0,
        kept_all_within=0,
        kept_all_pct=None,
        decided=1,
        in_time=1,
        decided_pct=100.0,
        weeks=23.6,
    ),
    # F: no plan yet
    "2025-05": dict(
        cases=1,
        issued=0,
        within=0,
        pct=None,
        kept=0,
        kept_within=0,
        kept_pct=None,
        kept_all=0,
        kept_all_within=0,
        kept_all_pct=None,
        decided=1,
        in_time=1,
        decided_pct=100.0,
        weeks=None,
    ),
    # G: nothing decided yet
    "2025-10": dict(
        cases=1,
        issued=0,
        within=0,
        pct=None,
        kept=0,
        kept_within=0,
        kept_pct=None,
        kept_all=0,
        kept_all_within=0,
        kept_all_pct=None,
        decided=0,
        in_time=0,
        decided_pct=None,
        weeks=None,
    ),
}

MONTH_KEYS = {
    "cases": "cases",
    "issued": "final_plans_issued",
    "within": "final_plans_within_20_weeks",
    "pct": "final_plans_within_20_weeks_pct",
    "kept": "final_plans_issued_excluding_exceptions",
    "kept_within": "final_plans_within_20_weeks_excluding_exceptions",
    "kept_pct": "final_plans_within_20_weeks_excluding_exceptions_pct",
    "kept_all": "final_plans_issued_excluding_recorded_and_detected",
    "kept_all_within": "final_plans_within_20_weeks_excluding_recorded_and_detected",
    "kept_all_pct": "final_plans_within_20_weeks_excluding_recorded_and_detected_pct",
    "decided": "decisions_made",
    "in_time": "decisions_within_6_weeks",
    "decided_pct": "decisions_within_6_weeks_pct",
    "weeks": "average_weeks_to_final_plan",
}


def month_figures(month: str) -> dict:
    return {MONTH_KEYS[short]: value for short, value in BY_MONTH[month].items()}


def with_zeros(counts: dict[str, int]) -> dict[str, int]:
    from send_clock.timelines import STATUSES

    return {status: counts.get(status, 0) for status in STATUSES}

"""The dashboard and the case list read the stored projections in the database: the same
figures, worklists, charts and list rows as projecting every case afresh, on a mixed caseload
(open, overdue, due soon, refused, closed with a plan on time or late, an exception recorded on
the final plan, two processes, an officer whose only case cannot be projected), and without
calling the projector at all.

The fresh side is how the pages computed them before the stored rows: every case projected in
bulk (``batches_of``), the breach report's ``summarise`` per officer and per process, the
library's worklist by case (``cases_to_chase``), and the case list's rows, search and sort
(``caseload.rows_of`` and ``caseload.search``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import update

from send_clock.reports import summarise
from send_clock.reports.summary import FIGURES as FIGURES_OF_REPORT
from send_clock.reports.summary import OPEN_STATUSES
from send_clock.reports.worklist import cases_to_chase
from send_clock.service.web import caseload
from send_clock.store import cases, queries
from send_clock.store.models import CaseRow
from send_clock.store.projection import batches_of
from send_clock.store.stored import ensure_current, store_projections
from send_clock.timelines import RecordedException

from .conftest import database_url, store  # noqa: F401 - fixtures
from .test_team_pages import FRAMEWORK, signed_in

TODAY = date(2026, 1, 15)
#: What the figures and the charts read of each summary.
FIGURES = (
    "cases",
    "open_cases",
    "open_cases_by_status",
    "final_plans_issued",
    "final_plans_within_20_weeks",
    "final_plans_within_20_weeks_pct",
    "closure_checks_skipped",
)
#: The monthly figures the stored rows give: the plans' figures with and without exceptions.
MONTHLY = ("month", *FIGURES_OF_REPORT[:7])
OFFICERS = ("Sam Patel", "alex", None, "Zoë")


def _iso(day: date) -> str:
    return day.isoformat()


def _mixed_caseload(session) -> None:
    """Cases received over 14 months, each in one of the states a council's caseload holds."""
    first = date(2024, 11, 4)
    for number in range(48):
        received = first + timedelta(days=9 * number)
        officer = OFFICERS[number % len(OFFICERS)]
        process = "england-annual-review" if number % 7 == 3 else "england-ehcna"
        records = []
        kind = number % 6
        decided = received + timedelta(days=30 + number % 20)
        if process == "england-ehcna" and decided <= TODAY and kind:
            if kind == 1:  # refused: the case closes with the decision
                records = [
                    ("outcome", "decision", "refused"),
                    ("event", "decision_to_assess", _iso(decided)),
                ]
            else:
                records = [
                    ("outcome", "decision", "agreed"),
                    ("event", "decision_to_assess", _iso(decided)),
                ]
            final = received + timedelta(days=120 + 9 * (number % 5))  # on time or late
            if kind in (3, 4) and final <= TODAY:
                records.append(("event", "final_plan", _iso(final)))
            if kind == 4:  # an exception to the 20-week limit, recorded on the final plan
                exception = RecordedException.parse("exceptional_personal_circumstances@final_plan")
                records.append(("exception", exception.kind, str(exception)))
        cases.create_case(
            session, f"MIX-{number:03d}", process, None, received, officer, "test", records
        )
    # Cases that cannot be projected any more (their calendar's file has gone): left out of
    # every figure, but their officer and process are still listed, with nothing counted.
    for number, officer in ((900, "Gone Officer"), (901, "Sam Patel")):
        state = cases.create_case(
            session, f"GONE-{number}", "england-ehcna", None, date(2025, 6, 2), officer, "test"
        )
        session.execute(
            update(CaseRow).where(CaseRow.id == state.id).values(calendar="/gone/calendar.toml")
        )
        store_projections(session, cases.all_cases(session, ids=[state.id]), TODAY)


def _fresh(session, filters: queries.CaseFilters) -> dict:
    """The dashboard computed by projecting every case it shows (the method before)."""
    states = [
        s
        for s in cases.all_cases(session, filters.process)
        if filters.officer is None or s.officer == filters.officer
    ]

    def summary(group) -> dict:
        return summarise(batches_of(group, TODAY)[0])

    batches = batches_of(states, TODAY)[0]
    return {
        "total": summary(states),
        "by_officer": {
            name or "(none)": summary([s for s in states if s.officer == name])
            for name in sorted({s.officer for s in states}, key=lambda n: n or "")
        },
        "by_process": {
            name: summary([s for s in states if s.process == name])
            for name in sorted({s.process for s in states})
        },
        "overdue": _with_officers(cases_to_chase(batches, ("overdue",)), states),
        "due_soon": _with_officers(cases_to_chase(batches, ("at_risk", "due_soon")), states),
    }


def _with_officers(rows: list[dict], states) -> list[dict]:
    """Each row's officer from its stored case (as the dashboard showed it)."""
    officer = {state.ref: state.officer for state in states}
    return [{**row, "officer": officer[row["case_id"]]} for row in rows]


def _chased(rows: list[dict]) -> list[tuple]:
    return [
        (
            r.get("ref", r.get("case_id")),
            r["officer"] or None,
            r["milestone"],
            str(r["due"]),
            r["status"],
            r["days_late"],
        )
        for r in rows
    ]


@pytest.fixture
def mixed(store):  # noqa: F811
    with freeze_time(TODAY), store.session() as session:
        _mixed_caseload(session)
    ensure_current(store, TODAY)
    return store


@pytest.mark.parametrize(
    "filters",
    [
        queries.CaseFilters(),
        queries.CaseFilters(process="england-ehcna"),
        queries.CaseFilters(officer="Sam Patel"),
        queries.CaseFilters(officer="Gone Officer"),
        queries.CaseFilters(process="england-annual-review", officer="alex"),
    ],
    ids=str,
)
def test_stored_dashboard_figures_are_a_fresh_projections(mixed, filters):
    with mixed.session() as session:
        fresh = _fresh(session, filters)
        stored = queries.caseload_figures(session, filters)
        overdue = queries.cases_to_chase(session, ("overdue",), TODAY, filters, limit=None)
        due_soon = queries.cases_to_chase(
            session, ("at_risk", "due_soon"), TODAY, filters, limit=None
        )
    for name in FIGURES:
        assert stored["total"][name] == fresh["total"][name], name
    assert stored["total"]["by_month"] == [
        {key: month[key] for key in MONTHLY} for month in fresh["total"]["by_month"]
    ]
    for group in ("by_officer", "by_process"):
        assert list(stored[group]) == list(fresh[group]), group
        for key, figures in stored[group].items():
            for name in FIGURES:
                assert figures[name] == fresh[group][key][name], (group, key, name)
    assert _chased(overdue[0]) == _chased(fresh["overdue"]) and overdue[1] == len(fresh["overdue"])
    assert _chased(due_soon[0]) == _chased(fresh["due_soon"])
    assert due_soon[1] == len(fresh["due_soon"])


def test_the_mixed_caseload_has_every_state_the_dashboard_shows(mixed):
    # Otherwise the comparison above would prove less than it says.
    with mixed.session() as session:
        total = _fresh(session, queries.CaseFilters())["total"]
    assert total["cases"] == 48 and total["open_cases"] < 48  # some closed, two left out
    assert all(total["open_cases_by_status"][s] for s in ("overdue", "due_soon", "pending"))
    assert 0 < total["final_plans_within_20_weeks"] < total["final_plans_issued"]
    assert any(
        m["final_plans_issued_excluding_exceptions"] < m["final_plans_issued"]
        for m in total["by_month"]
    )


def test_the_worklists_keep_the_most_urgent_first_when_cut(mixed):
    with mixed.session() as session:
        fresh = _fresh(session, queries.CaseFilters())
        first, count = queries.cases_to_chase(session, ("overdue",), TODAY, limit=5)
    assert _chased(first) == _chased(fresh["overdue"][:5]) and count == len(fresh["overdue"])


def _refuse_to_project(*args, **kwargs):
    raise AssertionError("the dashboard projected a case")


def test_the_dashboard_projects_nothing(api, monkeypatch):
    with freeze_time(TODAY), api.store.session() as session:
        _mixed_caseload(session)
    with freeze_time(TODAY, ignore=FRAMEWORK):
        ensure_current(api.store, TODAY)
        with api.store.session() as session:
            fresh = _fresh(session, queries.CaseFilters())
        client, _csrf = signed_in(api, "reader", "read")
        for target in (
            "send_clock.reports.batches.project_columns",
            "send_clock.store.projection.project_columns",
            "send_clock.timelines.schedule.project_columns",
            "send_clock.service.web.pages.project",
        ):
            monkeypatch.setattr(target, _refuse_to_project)
        for path in ("/", "/?officer=Sam+Patel", "/?process=england-annual-review"):
            response = client.get(path)
            assert response.status_code == 200, response.text
    totals = fresh["total"]
    overdue = len(fresh["overdue"])
    with freeze_time(TODAY, ignore=FRAMEWORK):
        html = client.get("/").text
    assert f"<strong>{totals['open_cases']}</strong> open cases of {totals['cases']}" in html
    assert f"Cases with an overdue milestone ({overdue} cases)" in html
    assert html.count('<svg role="img" aria-label="Bar chart') == 2
    assert all(status in OPEN_STATUSES for status in totals["open_cases_by_status"])


# -- the case list page -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        caseload.Query(),
        caseload.Query(sort="late"),
        caseload.Query(sort="ref", page=2),
        caseload.Query(sort="received", status="closed"),
        caseload.Query(status="open", sort="late", page=2),
        caseload.Query(status="overdue", officer="Sam Patel"),
        caseload.Query(status="due_soon"),
        caseload.Query(text="mix-00", process="england-ehcna"),
        caseload.Query(text="PATEL", sort="due"),
        caseload.Query(text="50%_\\", page=9),
        caseload.Query(page=99),
    ],
    ids=repr,
)
def test_stored_case_list_is_a_fresh_projections(mixed, query):
    search = queries.CaseSearch(query.text, query.process, query.status, query.officer, query.sort)
    size = 10
    with mixed.session() as session:
        fresh = caseload.search(caseload.rows_of(cases.all_cases(session), TODAY), query, size)
        rows, total = queries.case_list(
            session, search, (fresh.number - 1) * size, size, mixed.remembered
        )
    assert total == fresh.total
    assert [
        (
            r["ref"],
            r["status"],
            r["days_late"],
            r["next_due"] and (r["next_due"]["title"], r["next_due"]["due"]),
        )
        for r in rows
    ] == [
        (
            row.state.ref,
            row.status,
            row.days_late,
            row.next_due and (row.next_due.milestone.title, row.next_due.due),
        )
        for row in fresh.rows
    ]

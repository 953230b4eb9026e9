"""The breach report's worklists a page at a time, and as a CSV download, on both databases.

The report gives its summary and the first page of each worklist; the rest is fetched a page at
a time after a cursor (keyset over the worklist index), or downloaded whole. Checked against
projecting every case afresh (the breach report's own ``summarise``) and against the command
line's report of the same caseload, over random caseloads; hostile cursors are refused with a
problem document.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from cli.main import app as cli_app
from send_clock.reports import summarise
from send_clock.store import cases
from send_clock.store.models import CaseloadGenerationRow, CaseRow
from send_clock.store.projection import batches_of
from send_clock.store.report import WORKLISTS, WorklistKey, encode_cursor
from send_clock.store.sums import KEPT

from .test_api import assert_problem


@pytest.fixture(autouse=True)
def _a_fixed_day(api):
    """The caseloads are dated from today: from once the service is made, today is a fixed day
    (its clock running), so a run tests the same cases whatever the date, and no midnight falls
    between two requests."""
    with freeze_time("2026-11-16 10:00:00", tick=True):
        yield


REPORT = "/v1/reports/breaches"
#: one case: days before today it was received, how far along it is, refused, how late its plan
CASE = st.tuples(st.integers(0, 420), st.integers(0, 4), st.booleans(), st.integers(90, 190))
#: a caseload: cases with references that sort in no particular order (code points included)
CASELOAD = st.lists(CASE, min_size=0, max_size=40)


def _rows(caseload: list[tuple], today: date) -> list[dict]:
    """The caseload as rows of the caseload CSV: only dates before today, in their order."""
    rows = []
    for number, (days_ago, stage, refused, plan_days) in enumerate(caseload):
        received = today - timedelta(days=days_ago)
        # references whose code-point order is not their number's, nor a locale's
        ref = "Za9B"[number % 4] + f"-{number:03d}"
        row = {"case_id": ref, "received": received.isoformat()}
        decided = received + timedelta(days=20 + days_ago % 40)
        if stage >= 1 and decided < today:
            row["decision"] = "refused" if refused else "agreed"
            row["decision_to_assess"] = decided.isoformat()
            advice = decided + timedelta(days=3)
            if stage >= 2 and not refused and advice < today:
                row["advice_requested"] = advice.isoformat()
                plan = received + timedelta(days=plan_days)
                if stage >= 4 and plan < today:
                    row["final_plan"] = plan.isoformat()
        rows.append(row)
    return rows


COLUMNS = (
    "case_id",
    "received",
    "decision",
    "decision_to_assess",
    "advice_requested",
    "final_plan",
)


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _store_caseload(store, rows: list[dict]) -> None:
    """The caseload stored as the import stores it: every case replaced."""
    with store.session() as session:
        # The service never deletes a case; here the caseload is replaced, and its generation
        # raised as every write of stored projections raises it (kept figures are dropped),
        # and the report's sums emptied with the cases they summed.
        session.execute(delete(CaseRow))
        for kept in KEPT:
            session.execute(delete(kept.table))
        session.execute(
            update(CaseloadGenerationRow).values(generation=CaseloadGenerationRow.generation + 1)
        )
        for row in rows:
            records = []
            if "decision" in row:
                records.append(("outcome", "decision", row["decision"]))
            for milestone in ("decision_to_assess", "advice_requested", "final_plan"):
                if milestone in row:
                    records.append(("event", milestone, row[milestone]))
            cases.create_case(
                session,
                row["case_id"],
                "england-ehcna",
                None,
                date.fromisoformat(row["received"]),
                None,
                "test",
                records,
            )


def _fresh(store, today: date) -> dict:
    """The report of every stored case projected afresh: the worklists in full."""
    with store.session() as session:
        batches, rejected = batches_of(cases.all_cases(session), today)
    return summarise(batches, rows_rejected=rejected)


def _pages(api, name: str, limit: int, first_after: str | None) -> list[dict]:
    """Every entry of a worklist, page after page from ``first_after``, each page's size
    checked; the number of pages is bounded, so a cursor that loops fails the test."""
    entries, after = [], first_after
    for _ in range(1000):
        if after is None:
            break
        page = api.client.get(
            f"{REPORT}/{name}", params={"after": after, "limit": limit}, headers=api.read
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["worklist"] == name and body["limit"] == limit
        assert len(body["entries"]) == limit or body["next"] is None
        assert body["entries"] or body["next"] is None
        entries += body["entries"]
        after = body["next"]
    else:
        raise AssertionError("the pages never ended")
    return entries


def _download(api, name: str, as_of: str | None = None) -> list[dict]:
    params = {"as_of": as_of} if as_of else {}
    response = api.client.get(f"{REPORT}/{name}.csv", params=params, headers=api.read)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return [{**row, "days": int(row["days"])} for row in csv.DictReader(io.StringIO(response.text))]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(caseload=CASELOAD, limit=st.integers(1, 7))
def test_pages_give_every_worklist_entry_once_in_order(api, caseload, limit):
    today = date.today()
    _store_caseload(api.store, _rows(caseload, today))
    fresh = _fresh(api.store, today)
    summary = api.client.get(REPORT, params={"limit": limit}, headers=api.read)
    assert summary.status_code == 200, summary.text
    summary = summary.json()
    for name in WORKLISTS:
        expected = fresh[name]
        assert summary[f"{name}_count"] == len(expected)
        assert summary[name] == expected[:limit]
        rest = _pages(api, name, limit, summary[f"{name}_next"])
        assert summary[name] + rest == expected  # each entry once, in the report's order
        assert (summary[f"{name}_next"] is None) == (len(expected) <= limit)
        # from the start, without a cursor: the same pages
        first = api.client.get(f"{REPORT}/{name}", params={"limit": limit}, headers=api.read)
        assert first.json()["entries"] == expected[:limit]
        assert _download(api, name) == expected


def test_a_report_for_another_day_pages_its_projected_worklists(api):
    """As of a day that is not stored, the worklists are projected for it: the same pages."""
    today = date.today()
    caseload = [(days, 1 + days % 4, days % 5 == 0, 120 + days % 60) for days in range(40, 400, 9)]
    rows = _rows(caseload, today)
    _store_caseload(api.store, rows)
    as_of = today - timedelta(days=30)
    with api.store.session() as session:
        batches, rejected = batches_of(cases.all_cases(session), as_of)
    fresh = summarise(batches, rows_rejected=rejected)
    summary = api.client.get(
        REPORT, params={"limit": 4, "as_of": as_of.isoformat()}, headers=api.read
    ).json()
    name = "overdue"
    assert len(fresh[name]) > 8 and summary[name] == fresh[name][:4]
    entries, after = list(summary[name]), summary[f"{name}_next"]
    while after:
        page = api.client.get(
            f"{REPORT}/{name}",
            params={"after": after, "limit": 4, "as_of": as_of.isoformat()},
            headers=api.read,
        ).json()
        entries += page["entries"]
        after = page["next"]
    assert entries == fresh[name]
    assert _download(api, name, as_of.isoformat()) == fresh[name]
    # a cursor of that day is refused for today's report
    refused = api.client.get(
        f"{REPORT}/{name}", params={"after": summary[f"{name}_next"]}, headers=api.read
    )
    assert_problem(refused, 422, f"as of {as_of.isoformat()}")


def test_the_summary_is_the_command_lines_for_the_same_caseload(api, tmp_path):
    """The service's report over the imported caseload says what `send-clock breaches` says
    of the same CSV: every figure and count, and the first page of each worklist."""
    today = date.today()
    caseload = [(days, days % 5, days % 7 == 0, 100 + days % 80) for days in range(3, 410, 6)]
    text = _csv(_rows(caseload, today))
    job = api.import_csv(text)
    assert job["state"] == "succeeded", job
    path = tmp_path / "caseload.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli_app, ["breaches", str(path), "--as-of", today.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)["summary"]
    served = api.client.get(REPORT, headers=api.read).json()
    assert served["as_of"] == today.isoformat()
    for key in ("rows_withdrawn", "rows_historical", "period"):
        printed.pop(key)
    for name in WORKLISTS:
        assert served.pop(name) == printed.pop(name)[:50]
        served.pop(f"{name}_next")
    served.pop("as_of")
    assert served == printed
    assert printed["overdue_count"] > 50 and printed["final_plans_issued"] > 0


def _cursor(*parts) -> str:
    text = json.dumps(list(parts))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_hostile_cursors_are_refused_with_a_problem(api):
    today = date.today()
    _store_caseload(api.store, _rows([(300, 1, False, 150), (200, 0, False, 150)], today))
    summary = api.client.get(REPORT, params={"limit": 1}, headers=api.read).json()
    good = summary["overdue_next"]
    assert good
    day = today.isoformat()
    hostile = {
        "not base64": "!!!",
        "garbage": "bm90IGpzb24",
        "empty": "",
        "too long": "A" * 401,
        "a list too short": _cursor(day, "overdue"),
        "negative position": _cursor(day, "overdue", "2025-01-01", "X-1", -1),
        "huge position": _cursor(day, "overdue", "2025-01-01", "X-1", 2**63),
        "position not a number": _cursor(day, "overdue", "2025-01-01", "X-1", "1"),
        "huge date": _cursor(day, "overdue", "99999-01-01", "X-1", 1),
        "not a date": _cursor(day, "overdue", "yesterday", "X-1", 1),
        "reference too long": _cursor(day, "overdue", "2025-01-01", "X" * 101, 1),
        "reference not text": _cursor(day, "overdue", "2025-01-01", 7, 1),
        "another worklist's": encode_cursor(today, "due_soon", WorklistKey(today, "X-1", 1)),
        "another day's": encode_cursor(
            today - timedelta(days=1), "overdue", WorklistKey(today, "X-1", 1)
        ),
        "not a list": _cursor({"due": day}),
        "SQL": base64.urlsafe_b64encode(b"'; DROP TABLE cases; --").decode().rstrip("="),
    }
    for what, cursor in hostile.items():
        response = api.client.get(f"{REPORT}/overdue", params={"after": cursor}, headers=api.read)
        body = assert_problem(response, 422)
        assert "Traceback" not in body["detail"], what
    assert (
        "another worklist"
        in api.client.get(
            f"{REPORT}/overdue", params={"after": hostile["another worklist's"]}, headers=api.read
        ).json()["detail"]
    )
    assert_problem(api.client.get(f"{REPORT}/late", headers=api.read), 422)
    assert_problem(api.client.get(f"{REPORT}/overdue", params={"limit": 0}, headers=api.read), 422)
    assert_problem(api.client.get(f"{REPORT}", params={"limit": 501}, headers=api.read), 422)
    assert_problem(api.client.get(f"{REPORT}/overdue.csv"), 401)
    # the good cursor still works, and nothing was harmed
    again = api.client.get(f"{REPORT}/overdue", params={"after": good}, headers=api.read)
    assert again.status_code == 200
    with api.store.session() as session:
        assert len(cases.all_cases(session)) == 2


def test_a_summary_of_limit_zero_lists_nothing_and_pages_from_the_start(api):
    today = date.today()
    _store_caseload(api.store, _rows([(300, 1, False, 150)], today))
    summary = api.client.get(REPORT, params={"limit": 0}, headers=api.read).json()
    assert summary["overdue"] == [] and summary["overdue_count"] > 0
    assert summary["overdue_next"] is None  # nothing listed: page from the start


def test_the_readmes_example_of_the_report_is_what_the_service_answers(api):
    """The README shows the report over examples/caseload.csv as of 1 December 2025, a page
    after its cursor and the CSV download: each shown line is the answer's own text."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert api.import_csv((root / "examples" / "caseload.csv").read_bytes())["state"] == "succeeded"
    as_of = {"as_of": "2025-12-01"}
    summary = api.client.get(REPORT, params={**as_of, "limit": 2}, headers=api.read)
    body = summary.json()
    shown = json.dumps(body, separators=(",", ":"))
    head, tail = (
        shown[: shown.index(',"final_plans_within')],
        shown[shown.index('"overdue_count"') :],
    )
    assert head + ",…," in readme and tail[: tail.index(',"due_soon":')] + ",…}" in readme
    page = api.client.get(
        f"{REPORT}/overdue",
        params={**as_of, "limit": 2, "after": body["overdue_next"]},
        headers=api.read,
    )
    assert page.text in readme and body["overdue_next"] in readme
    download = api.client.get(f"{REPORT}/overdue.csv", params=as_of, headers=api.read)
    assert "\n".join(download.text.splitlines()[:4]) in readme

"""The breach report over stored cases and the all-or-nothing CSV import, on both databases."""

from __future__ import annotations

from .test_api import assert_problem

CSV = {"Content-Type": "text/csv"}
GOOD = (
    "case_id,received,decision,decision_to_assess,advice_requested,final_plan,exceptions,notes\n"
    # On time: received 1 Sep 2025, plan 2 Jan 2026 (123 days <= 140).
    "IMP-1,2025-09-01,agreed,2025-10-01,2025-10-01,2026-01-02,,first\n"
    # Late, with an exception recorded: plan 140 + 10 days after the request.
    "IMP-2,2025-09-01,agreed,2025-10-10,2025-10-10,2026-01-29,"
    "exceptional_personal_circumstances@final_plan,second\n"
    # Refused within 6 weeks.
    "IMP-3,2025-09-08,refused,2025-10-13,,,,third\n"
)


def test_import_then_report(api):
    job = api.import_csv(GOOD)
    assert (job["state"], job["rows_done"], job["errors"]) == ("succeeded", 3, []), job
    body = job["result"]
    assert body["imported"] == 3 and len(body["case_ids"]) == 3
    assert any("notes" in warning for warning in body["warnings"])
    listed = api.client.get("/v1/cases", headers=api.read).json()
    assert {c["ref"] for c in listed["cases"]} == {"IMP-1", "IMP-2", "IMP-3"}
    history = api.client.get(f"/v1/cases/{body['case_ids'][1]}/history", headers=api.read)
    assert {(r["field"], r["key"]) for r in history.json()["records"]} >= {
        ("outcome", "decision"),
        ("event", "final_plan"),
        ("exception", "exceptional_personal_circumstances"),
    }
    summary = api.client.get("/v1/reports/breaches?as_of=2026-02-01", headers=api.read).json()
    # Two plans issued; one within 20 weeks; the late one is excused, so excluding exceptions
    # it is 1 of 1. Decisions: IMP-1 30 days, IMP-2 39 days, IMP-3 35 days: 3 of 3 in 42 days.
    assert summary["as_of"] == "2026-02-01" and summary["cases"] == 3
    assert (summary["final_plans_issued"], summary["final_plans_within_20_weeks"]) == (2, 1)
    assert summary["final_plans_within_20_weeks_pct"] == 50.0
    assert (
        summary["final_plans_issued_excluding_exceptions"],
        summary["final_plans_within_20_weeks_excluding_exceptions_pct"],
    ) == (1, 100.0)
    assert (summary["decisions_made"], summary["decisions_within_6_weeks"]) == (3, 3)
    assert summary["status_counts"]["final_plan"]["excused"] == 1


def test_a_spreadsheet_caseload_is_imported_as_the_command_line_reads_it(api):
    # Excel in a UK locale saves "CSV UTF-8" with a byte-order mark, ";" between values and CRLF
    # line ends: the API's header check reads it as the caseload reader does, not as one column.
    excel = "\ufeff" + GOOD.replace(",", ";").replace("\n", "\r\n")
    job = api.import_csv(excel.encode())
    assert (job["state"], job["rows_done"], job["errors"]) == ("succeeded", 3, []), job
    missing = api.client.post(
        "/v1/cases/import", headers={**api.write, **CSV}, content="case_id;notes\r\nA;x\r\n"
    )
    assert_problem(missing, 422, "no received column (found: case_id, notes")


def test_one_bad_row_changes_nothing(api):
    bad = GOOD + "IMP-4,31/02/2025,agreed,,,,,fourth\nIMP-5,2025-09-01,maybe,,,,,fifth\n"
    body = api.import_csv(bad)
    assert body["state"] == "failed" and "nothing was stored" in body["message"]
    assert body["result"] is None
    assert [(e["line"], e["case_id"]) for e in body["errors"]] == [(5, "IMP-4"), (6, "IMP-5")]
    assert "February 2025 has 28 days" in body["errors"][0]["message"]
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0


def test_import_refuses_references_already_stored_and_files(api):
    api.case(ref="IMP-2")
    body = api.import_csv(GOOD)
    assert body["state"] == "failed" and "nothing was stored" in body["message"]
    assert [e["case_id"] for e in body["errors"]] == ["IMP-2"]
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 1
    with_path = "case_id,received,calendar\nF-1,2025-09-01,/etc/hostname\n"
    refused = api.import_csv(with_path)
    assert refused["state"] == "failed" and "/etc/hostname" not in str(refused["result"])
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 1


def test_import_needs_a_write_token_and_a_csv(api):
    assert_problem(
        api.client.post("/v1/cases/import", headers={**api.read, **CSV}, content=GOOD), 403
    )
    # no header row (or no case_id or received column): refused at once, before any job
    assert_problem(
        api.client.post("/v1/cases/import", headers={**api.write, **CSV}, content=""),
        422,
        "empty",
    )
    not_utf8 = "case_id,received\nX-1,2025-09-01\n".encode("utf-16")
    assert_problem(
        api.client.post("/v1/cases/import", headers={**api.write, **CSV}, content=not_utf8),
        422,
        "not UTF-8",
    )
    assert_problem(api.client.get("/v1/jobs/999999", headers=api.read), 404)


def test_report_over_no_cases(api):
    summary = api.client.get("/v1/reports/breaches?as_of=2026-02-01", headers=api.read).json()
    assert summary["cases"] == 0 and summary["final_plans_within_20_weeks_pct"] is None


def test_todays_report_read_from_stored_rows_is_the_projected_one(api):
    """Today's report is summed by the database, its worklists' first pages read from their
    index: the answer is what projecting every stored case gives, key for key (with the
    worklists cut at the same length, and the cursors of their next pages)."""
    from datetime import date

    from send_clock.reports import summarise
    from send_clock.store.cases import all_cases
    from send_clock.store.projection import batches_of

    assert api.import_csv(GOOD)["state"] == "succeeded"
    api.case(ref="EHC-OPEN-1", received="2025-09-15")  # overdue milestones to list
    answer = api.client.get("/v1/reports/breaches", headers=api.read)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    today = date.today()
    with api.store.session() as session:
        batches, rejected = batches_of(all_cases(session), today)
    expected = {
        "as_of": today.isoformat(),
        **summarise(batches, rows_rejected=rejected, worklist_limit=2),
    }
    del expected["rows_withdrawn"], expected["rows_historical"], expected["period"]
    answer = api.client.get("/v1/reports/breaches?limit=2", headers=api.read).json()
    assert answer.pop("due_soon_next") is None and answer.pop("overdue_next")
    assert answer == expected
    assert answer["overdue_count"] > 2

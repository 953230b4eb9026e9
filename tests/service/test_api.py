"""The JSON API over HTTP, on SQLite and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import logging
import threading

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, fragment: str = "") -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and fragment in body["detail"]
    assert "Traceback" not in response.text
    return body


# -- authentication ---------------------------------------------------------------------------
def test_v1_needs_a_token(api):
    assert_problem(api.client.get("/v1/calendars"), 401, "Bearer")
    bogus = {"Authorization": "Bearer sc_not-a-real-token"}
    assert_problem(api.client.get("/v1/calendars", headers=bogus), 401, "not valid")


def test_read_token_cannot_write(api):
    response = api.client.post(
        "/v1/cases",
        headers=api.read,
        json={"ref": "R-1", "process": "england-ehcna", "received": "2025-09-15"},
    )
    assert_problem(response, 403, "read-only")
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0


def test_health_needs_no_token(api):
    assert api.client.get("/health").json()["status"] == "ok"


# -- stateless routes -------------------------------------------------------------------------
def test_calendars_and_processes(api):
    calendars = api.client.get("/v1/calendars", headers=api.read).json()
    assert {"jersey", "surrey", "england-and-wales"} <= {c["id"] for c in calendars}
    surrey = api.client.get("/v1/calendars/surrey", headers=api.read).json()
    assert surrey["closure_windows"][0]["window_start"] == "2024-07-17"
    assert_problem(api.client.get("/v1/calendars/nowhere", headers=api.read), 404, "nowhere")
    processes = api.client.get("/v1/processes", headers=api.read).json()
    ehcna = next(p for p in processes if p["id"] == "england-ehcna")
    assert [m["id"] for m in ehcna["milestones"]][-1] == "final_plan"


def test_date_add(api):
    response = api.client.post(
        "/v1/date/add",
        headers=api.read,
        json={"start": "2025-10-15", "amount": 6, "unit": "term-weeks", "calendar": "jersey"},
    )
    assert response.json()["result"] == "2025-12-03"
    out_of_range = api.client.post(
        "/v1/date/add",
        headers=api.read,
        json={"start": "2027-03-01", "amount": 6, "unit": "term-weeks", "calendar": "jersey"},
    )
    assert_problem(out_of_range, 422, "25 Mar 2027")
    assert_problem(
        api.client.post(
            "/v1/date/add",
            headers=api.read,
            json={"start": "2025-02-30", "amount": 1, "unit": "days"},
        ),
        422,
        "body.start",
    )


def test_timeline_matches_the_worked_example(api):
    response = api.client.post(
        "/v1/timelines/jersey-ron",
        headers=api.read,
        json={"received": "2025-06-16", "as_of": "2025-06-16"},
    )
    final = {m["id"]: m for m in response.json()["milestones"]}["final_ron"]
    assert (final["due"], final["projected"], final["status"]) == (
        "2025-11-03",
        "2025-12-16",
        "at_risk",
    )


def test_timeline_bad_input_is_a_problem(api):
    post = api.client.post
    assert_problem(
        post("/v1/timelines/nope", headers=api.read, json={"received": "2025-09-15"}), 404, "nope"
    )
    assert_problem(
        post(
            "/v1/timelines/england-ehcna",
            headers=api.read,
            json={"received": "2025-09-15", "events": {"drafty": "2025-10-01"}},
        ),
        422,
        "drafty",
    )
    assert_problem(
        post(
            "/v1/timelines/england-ehcna",
            headers=api.read,
            json={"received": "2025-09-15", "unknown_field": 1},
        ),
        422,
    )


# -- cases ------------------------------------------------------------------------------------
def test_case_lifecycle_with_etags(api):
    created = api.case()
    case_id = created.json()["id"]
    assert created.headers["location"] == f"/v1/cases/{case_id}"
    etag = created.headers["etag"]
    url = f"/v1/cases/{case_id}"
    recorded = api.client.post(
        f"{url}/events",
        headers={**api.write, "If-Match": etag},
        json={"milestone": "decision_to_assess", "date": "2025-10-20"},
    )
    assert recorded.status_code == 201 and recorded.headers["etag"] != etag
    assert api.client.get(url, headers=api.read).headers["etag"] == recorded.headers["etag"]
    timeline = api.client.get(f"{url}/timeline?as_of=2025-10-20", headers=api.read).json()
    decision = {m["id"]: m for m in timeline["milestones"]}["decision_to_assess"]
    assert (decision["actual"], decision["status"]) == ("2025-10-20", "met")


def test_updates_need_if_match(api):
    case_id = api.case().json()["id"]
    response = api.client.post(
        f"/v1/cases/{case_id}/events",
        headers=api.write,
        json={"milestone": "decision_to_assess", "date": "2025-10-20"},
    )
    assert_problem(response, 428, "If-Match")


def test_stale_etag_is_412_and_changes_nothing(api):
    created = api.case()
    case_id, etag = created.json()["id"], created.headers["etag"]
    first = api.client.post(
        f"/v1/cases/{case_id}/events",
        headers={**api.write, "If-Match": etag},
        json={"milestone": "decision_to_assess", "date": "2025-10-20"},
    )
    assert first.status_code == 201
    second = api.client.post(
        f"/v1/cases/{case_id}/outcomes",
        headers={**api.write, "If-Match": etag},
        json={"branch": "decision", "value": "refused"},
    )
    assert_problem(second, 412, "reload")
    records = api.client.get(f"/v1/cases/{case_id}", headers=api.read).json()["records"]
    assert [(r["field"], r["key"]) for r in records] == [("event", "decision_to_assess")]


def test_two_officers_same_etag_exactly_one_wins(api):
    created = api.case()
    case_id, etag = created.json()["id"], created.headers["etag"]
    barrier = threading.Barrier(2)
    results = {}

    def officer(name: str, milestone: str) -> None:
        barrier.wait()
        results[name] = api.client.post(
            f"/v1/cases/{case_id}/events",
            headers={**api.write, "If-Match": etag},
            json={"milestone": milestone, "date": "2025-10-20"},
        )

    threads = [
        threading.Thread(target=officer, args=("a", "decision_to_assess")),
        threading.Thread(target=officer, args=("b", "advice_requested")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [201, 412]
    winner = next(name for name, r in results.items() if r.status_code == 201)
    loser_milestone = "advice_requested" if winner == "a" else "decision_to_assess"
    # The loser reloads and applies again with the new ETag: nothing is lost.
    fresh = api.client.get(f"/v1/cases/{case_id}", headers=api.read)
    retried = api.client.post(
        f"/v1/cases/{case_id}/events",
        headers={**api.write, "If-Match": fresh.headers["etag"]},
        json={"milestone": loser_milestone, "date": "2025-10-20"},
    )
    assert retried.status_code == 201
    history = api.client.get(f"/v1/cases/{case_id}/history", headers=api.read).json()
    assert sorted(r["key"] for r in history["records"]) == [
        "advice_requested",
        "decision_to_assess",
    ]


def test_rejected_event_is_not_stored(api):
    created = api.case()
    case_id, etag = created.json()["id"], created.headers["etag"]
    response = api.client.post(
        f"/v1/cases/{case_id}/events",
        headers={**api.write, "If-Match": etag},
        json={"milestone": "final_plan", "date": "2025-01-01"},
    )
    assert_problem(response, 422, "before the start date")
    case = api.client.get(f"/v1/cases/{case_id}", headers=api.read)
    assert case.json()["records"] == [] and case.headers["etag"] == etag


def test_corrections_and_withdrawals_keep_history(api):
    created = api.case()
    case_id = created.json()["id"]
    url = f"/v1/cases/{case_id}"
    first = api.client.post(
        f"{url}/events",
        headers={**api.write, "If-Match": created.headers["etag"]},
        json={"milestone": "decision_to_assess", "date": "2025-10-02"},
    )
    record_id = first.json()["records"][0]["id"]
    corrected = api.client.post(
        f"{url}/records/{record_id}/correction",
        headers={**api.write, "If-Match": first.headers["etag"]},
        json={"value": "2025-10-20", "reason": "typo in the month"},
    )
    assert corrected.status_code == 201
    [live] = corrected.json()["records"]
    assert (live["value"], live["action"], live["corrects"]) == ("2025-10-20", "correct", record_id)
    withdrawn = api.client.post(
        f"{url}/records/{live['id']}/withdrawal",
        headers={**api.write, "If-Match": corrected.headers["etag"]},
        json={"reason": "recorded on the wrong case"},
    )
    assert withdrawn.json()["records"] == []
    history = api.client.get(f"{url}/history", headers=api.read).json()["records"]
    assert [r["action"] for r in history] == ["set", "correct", "withdraw"]
    assert {r["actor"] for r in history} == {"officer-a"}
    assert history[2]["reason"] == "recorded on the wrong case"


def test_outcomes_params_and_exceptions(api):
    created = api.case(ref="AR-1", process="england-annual-review", received="2025-03-10")
    case_id, etag = created.json()["id"], created.headers["etag"]
    url = f"/v1/cases/{case_id}"
    step = api.client.post(
        f"{url}/params",
        headers={**api.write, "If-Match": etag},
        json={"name": "transfer_year", "value": 2027},
    )
    step = api.client.post(
        f"{url}/outcomes",
        headers={**api.write, "If-Match": step.headers["etag"]},
        json={"branch": "transfer", "value": "post16"},
    )
    timeline = api.client.get(f"{url}/timeline?as_of=2025-03-10", headers=api.read).json()
    statuses = {m["id"]: m for m in timeline["milestones"]}
    assert statuses["phase_transfer_review_post16"]["due"] == "2027-03-30"
    assert statuses["phase_transfer_review"]["status"] == "not_applicable"
    ehc = api.case(ref="EHC-EX")
    short = api.client.post(
        f"/v1/cases/{ehc.json()['id']}/exceptions",
        headers={**api.write, "If-Match": ehc.headers["etag"]},
        json={"kind": "absence_from_area", "from": "2025-10-01", "to": "2025-10-10"},
    )
    assert_problem(short, 422, "4 weeks")


def test_duplicate_reference_is_409(api):
    api.case(ref="DUP-1")
    response = api.client.post(
        "/v1/cases",
        headers=api.write,
        json={"ref": "DUP-1", "process": "england-ehcna", "received": "2025-09-15"},
    )
    assert_problem(response, 409, "DUP-1")


def test_list_filters_and_pagination(api):
    for number in range(5):
        api.case(
            ref=f"EHC-{number}",
            received=f"2025-{9 + number % 3:02d}-15",
            officer="alex" if number % 2 else "sam",
        )
    api.case(ref="AR-9", process="england-annual-review", received="2025-12-01")
    get = api.client.get
    everything = get("/v1/cases?limit=2&as_of=2026-01-26", headers=api.read).json()
    assert everything["total"] == 6 and len(everything["cases"]) == 2
    page_three = get("/v1/cases?limit=2&offset=4&as_of=2026-01-26", headers=api.read).json()
    assert [c["ref"] for c in page_three["cases"]] == ["EHC-4", "AR-9"]
    ehcna = api.client.get("/v1/cases?process=england-ehcna", headers=api.read).json()
    assert ehcna["total"] == 5
    # Received 15 Sep 2025: decision was due 27 Oct 2025, overdue on 26 Jan 2026.
    overdue = get("/v1/cases?status=overdue&as_of=2026-01-26", headers=api.read).json()
    assert {c["ref"] for c in overdue["cases"]} == {"EHC-0", "EHC-1", "EHC-2", "EHC-3", "EHC-4"}
    alex = api.client.get("/v1/cases?officer=alex", headers=api.read).json()
    assert {c["ref"] for c in alex["cases"]} == {"EHC-1", "EHC-3"}
    soon = api.client.get("/v1/cases?due_before=2025-10-28", headers=api.read).json()
    assert {c["ref"] for c in soon["cases"]} == {"EHC-0", "EHC-3"}
    first = everything["cases"][0]
    assert first["next_due"]["milestone"] == "decision_to_assess"


# -- limits, logs, CORS ------------------------------------------------------------------------
def test_request_size_limit(api):
    huge = "x" * (21 * 1_048_576)
    response = api.client.post(
        "/v1/timelines/england-ehcna",
        headers={**api.read, "Content-Type": "application/json"},
        content=huge,
    )
    assert_problem(response, 413, "limit")


def test_cors_is_off_by_default(api):
    response = api.client.options(
        "/v1/calendars",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_logs_hold_no_case_reference_or_token(api, caplog):
    caplog.set_level(logging.INFO, logger="send_clock")
    created = api.case(ref="SECRET-REF-77")
    api.client.get(f"/v1/cases/{created.json()['id']}", headers=api.read)
    api.client.get("/v1/cases?officer=sam", headers=api.read)
    logged = caplog.text
    assert "POST /v1/cases 201" in logged and "GET /v1/cases/{case_id} 200" in logged
    assert "SECRET-REF-77" not in logged and "sam" not in logged
    assert api.read["Authorization"].split()[1] not in logged


@pytest.mark.parametrize(
    "path", ["/v1/cases/999", "/v1/cases/999/history", "/v1/cases/999/timeline"]
)
def test_unknown_case_is_404(api, path):
    assert_problem(api.client.get(path, headers=api.read), 404, "999")


def test_case_reference_must_not_look_like_a_name(api):
    response = api.client.post(
        "/v1/cases",
        headers=api.write,
        json={"ref": "Sam Smith", "process": "england-ehcna", "received": "2025-09-15"},
    )
    assert_problem(response, 422, "never a name")
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0

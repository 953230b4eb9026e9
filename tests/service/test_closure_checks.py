"""The service says when the school-closure exception could not be checked, takes a deployment
default calendar, and counts a closed case's undated milestones as `unrecorded` everywhere."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from send_clock.datafiles import bundled_files
from send_clock.errors import SendClockError
from send_clock.service.app import create_app
from send_clock.service.settings import Settings
from send_clock.store import tokens

from .conftest import Api
from .test_hardening import sign_in
from .test_pages import PASSWORD, staff  # noqa: F401 - the signed-in client fixture

NOT_CHECKED = "the school-closure exception (SEND Regulations 2014 reg 5(4)(a), 10(4)(a)) was not"


def test_the_timeline_response_warns_when_the_check_cannot_be_made(api):
    response = api.client.post(
        "/v1/timelines/england-ehcna",
        headers=api.read,
        json={"received": "2025-06-30", "as_of": "2026-01-10"},
    ).json()
    assert response["warnings"][0].startswith(NOT_CHECKED)
    final = {m["id"]: m for m in response["milestones"]}["final_plan"]
    assert (final["status"], final["excusal"]) == ("overdue", None)


def test_a_stored_cases_timeline_and_page_warn_too(api, staff):  # noqa: F811
    url = api.case(received="2025-06-30").headers["location"]
    timeline = api.client.get(f"{url}/timeline?as_of=2026-01-10", headers=api.read).json()
    assert timeline["warnings"][0].startswith(NOT_CHECKED)
    client, _csrf = staff
    page = client.get(f"/cases/{url.rsplit('/', 1)[1]}?as_of=2026-01-10")
    assert page.status_code == 200 and "Warning: " + NOT_CHECKED in page.text


def test_the_breach_report_counts_the_cases_not_checked(api):
    api.case(received="2025-06-30")
    summary = api.client.get("/v1/reports/breaches?as_of=2026-01-10", headers=api.read).json()
    assert summary["closure_checks_skipped"] == 1
    assert "received + 140 days (the DfE method)" in summary["method"]


@pytest.fixture
def surrey_api(store):
    with store.session() as session:
        _row, write = tokens.create_api_token(session, "officer-a", "write")
    app = create_app(Settings(ical_domain="test.invalid", default_calendar="surrey"), store)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {write}"}
        yield Api(client, store, headers, headers)


def test_the_deployment_default_calendar_is_used_when_a_case_names_none(surrey_api):
    api = surrey_api
    case = api.case(received="2025-06-30").json()
    assert case["calendar"] == "surrey"
    timeline = api.client.get(
        f"/v1/cases/{case['id']}/timeline?as_of=2026-01-10", headers=api.read
    ).json()
    final = {m["id"]: m for m in timeline["milestones"]}["final_plan"]
    assert (final["status"], final["excusal"], timeline["warnings"]) == (
        "excused",
        "detected",
        [],
    )
    # a process whose own calendar has term dates keeps it; a named calendar wins
    assert api.case(ref="J-1", process="jersey-ron").json()["calendar"] == "jersey"
    named = api.case(ref="E-2", calendar="england-and-wales").json()
    assert named["calendar"] == "england-and-wales"


def test_a_default_calendar_that_does_not_exist_stops_the_service(store):
    with pytest.raises(SendClockError, match="nowhere"):
        create_app(Settings(default_calendar="nowhere"), store)


def test_a_closed_cases_undated_milestones_are_unrecorded_in_the_list(api):
    url = api.case(ref="EHC-CLOSED", received="2025-09-15").headers["location"]
    etag = api.client.get(url, headers=api.read).headers["etag"]
    api.client.post(
        f"{url}/events",
        headers={**api.write, "If-Match": etag},
        json={"milestone": "final_plan", "date": "2026-01-30"},
    )
    get = api.client.get
    overdue = get("/v1/cases?status=overdue&as_of=2026-06-01", headers=api.read).json()
    assert overdue["total"] == 0  # the plan was issued: nothing is overdue
    unrecorded = get("/v1/cases?status=unrecorded&as_of=2026-06-01", headers=api.read).json()
    [case] = unrecorded["cases"]
    assert case["statuses"]["unrecorded"] >= 1 and case["next_due"] is None


def test_the_dashboard_warns_of_cases_not_checked(api, staff):  # noqa: F811
    api.case(received="2025-06-30")  # england-and-wales: no term dates, whatever the day
    client, _csrf = staff
    html = client.get("/").text
    assert "the school-closure exception could not be checked for 1 case" in html


@pytest.fixture
def council_file(tmp_path_factory):
    """A council's own term dates, as a calendar file in a folder of the server's."""
    folder = tmp_path_factory.mktemp("srv-private-calendars")
    text = bundled_files("send_clock.calendars")["surrey"].read_text(encoding="utf-8")
    text = text.replace('id = "surrey"', 'id = "our-council"', 1)
    path = folder / "council-terms.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_default_calendar_file_is_shown_by_its_id_never_its_path(store, council_file):
    with store.session() as session:
        _row, write = tokens.create_api_token(session, "officer-a", "write")
        tokens.create_user(session, "alex", PASSWORD, "write")
    settings = Settings(ical_domain="test.invalid", default_calendar=str(council_file))
    with TestClient(create_app(settings, store)) as client:
        api = Api(client, store, {"Authorization": f"Bearer {write}"}, {})
        created = api.case(received="2025-06-30")
        assert created.json()["calendar"] == "our-council"
        case_id = created.json()["id"]
        headers = api.write
        answers = [
            created,
            client.get(f"/v1/cases/{case_id}", headers=headers),
            client.get("/v1/cases", headers=headers),
            client.get(f"/v1/cases/{case_id}/timeline?as_of=2026-01-10", headers=headers),
            client.get(f"/v1/cases/{case_id}/history", headers=headers),
        ]
        assert client.get("/v1/cases", headers=headers).json()["cases"][0]["calendar"] == (
            "our-council"
        )
        sign_in(client, "alex")
        answers += [client.get(f"/cases/{case_id}"), client.get("/cases"), client.get("/")]
        for answer in answers:
            assert answer.status_code in (200, 201), answer.url
            assert "srv-private-calendars" not in answer.text, answer.url
            assert "council-terms" not in answer.text, answer.url

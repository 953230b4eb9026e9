"""The web pages through the application (no browser): sign-in, CSRF, concurrency, errors."""

from __future__ import annotations

import re

import pytest

from send_clock.store import tokens

PASSWORD = "correct horse battery"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


@pytest.fixture
def staff(api):
    """A client signed in as a write user; returns (client, csrf)."""
    with api.store.session() as session:
        tokens.create_user(session, "alex", PASSWORD, "write")
        tokens.create_user(session, "robin", PASSWORD, "read")
    client = api.client
    page = client.get("/login")
    client.post("/login", data={"csrf": _csrf(page.text), "username": "alex", "password": PASSWORD})
    return client, _csrf(client.get("/").text)


def _open_case(client, csrf, ref="EHC-P-1"):
    response = client.post(
        "/cases",
        data={
            "csrf": csrf,
            "ref": ref,
            "process": "england-ehcna",
            "calendar": "surrey",
            "received": "2025-07-10",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    return re.search(r'action="(/cases/\d+)/events"', page)[1]  # where its forms post


def test_pages_need_sign_in(api):
    for path in ("/", "/cases/1", "/request-calendar"):
        response = api.client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_wrong_password_and_token_sign_in(api):
    page = api.client.get("/login")
    wrong = api.client.post(
        "/login",
        data={"csrf": _csrf(page.text), "username": "nobody", "password": "wrong password"},
    )
    assert "is not right" in wrong.text
    signed = api.client.post(
        "/login",
        data={"csrf": _csrf(page.text), "token": api.write["Authorization"].split()[1]},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/"
    assert "Signed in as officer-a (write)" in api.client.get("/").text


def test_forms_without_the_csrf_token_are_refused(staff):
    client, _csrf_token = staff
    response = client.post(
        "/cases",
        data={"csrf": "forged", "ref": "X-1", "process": "england-ehcna", "received": "2025-07-10"},
    )
    assert response.status_code == 403 and "did not come from this site" in response.text
    assert "X-1" not in client.get("/").text


def test_case_page_records_and_reports_a_concurrent_change(staff):
    client, csrf = staff
    page = _open_case(client, csrf)
    html = client.get(page).text
    assert 'id="timeline-chart"' in html and 'id="due-final_plan"' in html
    assert "Wednesday 16 July 2025 to Wednesday 27 August 2025" in html  # closure window
    saved = client.post(
        f"{page}/events",
        data={
            "csrf": csrf,
            "version": "1",
            "milestone": "decision_to_assess",
            "date": "2025-08-20",
        },
    )
    assert "Saved." in saved.text and 'id="actual-decision_to_assess"' in saved.text
    stale = client.post(
        f"{page}/events",
        data={"csrf": csrf, "version": "1", "milestone": "advice_requested", "date": "2025-08-20"},
    )
    assert "Someone else changed this case" in stale.text
    assert 'id="actual-advice_requested"' not in stale.text


def test_bad_input_on_a_form_is_shown_not_raised(staff):
    client, csrf = staff
    page = _open_case(client, csrf)
    response = client.post(
        f"{page}/events",
        data={"csrf": csrf, "version": "1", "milestone": "final_plan", "date": "2025-01-01"},
    )
    assert response.status_code == 422 and "before the request was received" in response.text


def test_read_only_user_cannot_change_anything(api, staff):
    client, csrf = staff
    page = _open_case(client, csrf)
    client.post("/logout", data={"csrf": csrf})
    login = client.get("/login")
    client.post(
        "/login", data={"csrf": _csrf(login.text), "username": "robin", "password": PASSWORD}
    )
    html = client.get(page).text
    assert "Record the date" not in html
    refused = client.post(
        f"{page}/events",
        data={
            "csrf": _csrf(html),
            "version": "1",
            "milestone": "decision_to_assess",
            "date": "2025-08-20",
        },
    )
    assert refused.status_code == 403 and "read-only" in refused.text


def test_request_calendar_page(staff):
    client, _csrf_token = staff
    html = client.get(
        "/request-calendar?calendar=surrey&process=england-ehcna&start=2025-12-01&end=2025-12-01"
    ).text
    assert "Monday 1 December 2025" in html and "Easter closure" in html
    out_of_range = client.get(
        "/request-calendar?calendar=jersey&process=jersey-ron&start=2027-06-07&end=2027-06-07"
    )
    assert out_of_range.status_code == 200 and "jersey" in out_of_range.text
    assert 'role="alert"' in out_of_range.text


def test_unknown_case_page_is_an_html_404(staff):
    client, _csrf_token = staff
    response = client.get("/cases/4040")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


def test_dashboard_shows_the_breach_report_worklists(api, staff):
    client, csrf = staff
    closed = (
        "case_id,received,decision,decision_to_assess,final_plan,notes\n"
        # Closed: its plan is issued; the advice dates it never recorded are not worklist items.
        "DONE-1,2025-01-06,agreed,2025-02-10,2025-05-23,\n"
    )
    assert api.import_csv(closed)["state"] == "succeeded"
    _open_case(client, csrf, ref="OPEN-1")  # received 10 Jul 2025: long overdue by now
    html = client.get("/").text
    summary = api.client.get("/v1/reports/breaches", headers=api.read).json()
    assert f"<strong>{summary['open_cases']}</strong> open cases of 2" in html
    assert "DONE-1</a>" not in html.split('id="by-officer"')[0]  # in no worklist
    # One row per case in the worklist, however many of its milestones are overdue.
    assert summary["overdue_count"] > 1 and html.split('id="soon"')[0].count("OPEN-1</a>") == 1


@pytest.mark.parametrize("odd", ["1e3", "abc", "-1", "+1", "\u0661\u0662", "1_000"])
def test_a_form_posted_to_an_odd_case_or_record_number_gets_the_teams_page(staff, odd):
    """A case, record or feed number in a form's path that is not a number (a float, a word,
    negative, other digits) is the team's plain-English 404 page, never pydantic's raw message,
    and nothing is stored. (Numbers no row can have: tests/service/test_hardening.py.)"""
    client, csrf = staff
    page = _open_case(client, csrf)
    case_id = page.rsplit("/", 1)[1]
    before = client.get(page).text
    posted = {"csrf": csrf, "version": "1", "value": "2025-08-20", "reason": "typo"}
    for path in (
        f"/cases/{odd}/records/1/correction",
        f"/cases/{odd}/records/1/withdrawal",
        f"/cases/{case_id}/records/{odd}/correction",
        f"/cases/{case_id}/records/{odd}/withdrawal",
        f"/cases/{odd}/events",
        f"/cases/{odd}/feeds",
        f"/cases/{case_id}/feeds/{odd}/revoke",
    ):
        response = client.post(path, data=posted)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), path
        text = response.text
        assert "Input should be" not in text and "path." not in text, (path, text[-600:])
        assert re.search(r"no (case|current record|live feed)", text), (path, text[-600:])
    assert client.get(page).text.count("Saved.") == before.count("Saved.")
    assert "Calendar link created" not in client.get(page).text


def test_a_record_no_longer_current_is_named_in_the_banner(staff):
    """A correction or withdrawal posted for a record withdrawn since the page was shown (or a
    record number the case never had) says so at the top of the page: the record's row, by
    which its message would go, is not on the page any more."""
    client, csrf = staff
    page = _open_case(client, csrf)
    client.post(
        f"{page}/events",
        data={"csrf": csrf, "version": "1", "milestone": "advice_requested", "date": "2025-08-20"},
    )
    shown = client.get(page).text
    record_id = re.search(r'action="/cases/\d+/records/(\d+)/withdrawal"', shown)[1]
    version = re.search(r'name="version" value="(\d+)"', shown)[1]
    withdrawn = {"csrf": csrf, "version": version, "reason": "typed on the wrong case"}
    client.post(f"{page}/records/{record_id}/withdrawal", data=withdrawn)
    after = client.get(page).text
    version = re.search(r'name="version" value="(\d+)"', after)[1]
    again = {"csrf": csrf, "version": version, "value": "2025-08-21", "reason": "typo"}
    for number in (record_id, "999999"):
        for action in ("correction", "withdrawal"):
            response = client.post(f"{page}/records/{number}/{action}", data=again)
            assert response.status_code == 409, (number, action, response.status_code)
            banner = re.search(r'<p class="note bad" role="alert">([^<]*)</p>', response.text)
            assert banner and f"no current record {number}" in banner[1], response.text[-800:]
            assert "see the message by the field" not in response.text
    assert client.get(page).text.count("Saved.") == after.count("Saved.")


@pytest.mark.parametrize("odd", ["abc", "1e3", "-1", "99999999999999999999999"])
def test_an_odd_page_number_on_the_case_list_shows_a_page_of_it(staff, odd):
    """The case list's page number is typed into the address bar at times: one that is not a
    number, or is past any database's offset, shows the first or the last page, never
    pydantic's message or a server error."""
    client, csrf = staff
    _open_case(client, csrf)
    response = client.get(f"/cases?page={odd}")
    assert response.status_code == 200, response.text[-600:]
    assert "EHC-P-1" in response.text


def test_an_odd_my_cases_switch_is_the_whole_caseload(staff):
    client, _csrf_token = staff
    assert "My cases (alex)" in client.get("/?mine=true").text
    response = client.get("/?mine=maybe")
    assert response.status_code == 200 and "My cases" not in response.text.split("<h1>")[1]

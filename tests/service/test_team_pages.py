"""The team's pages for a whole caseload, through the application (no browser): the case list
and search, worklists by case, uploading a caseload, forms that keep what was typed, and the
family's page at the feed's secret."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time

from send_clock.store import tokens

from .test_pages import PASSWORD, _csrf

TODAY = "2026-01-15"
#: "Today" for the pages, while the framework, its route types and the signed session cookie
#: (whose timestamp must not be in the future) keep the real clock.
FRAMEWORK = ["fastapi", "pydantic", "starlette", "itsdangerous", "send_clock.service.routes"]


def today():
    return freeze_time(TODAY, ignore=FRAMEWORK)


CASELOAD = (
    "case_id,received,officer,decision,decision_to_assess,final_plan\n"
    # Closed: the final plan is issued, so nothing is overdue and no worklist shows it.
    "CLOSED-1,2025-01-06,Sam Patel,agreed,2025-02-10,2025-05-23\n"
    # Open and long overdue: the decision was due on 17 February 2025.
    "LATE-1,2025-01-06,alex,,,\n"
    "LATE-2,2025-02-03,Sam Patel,,,\n"
    # Open, received last week: nothing is due for weeks.
    "NEW-1,2026-01-08,,,,\n"
)


def signed_in(api, name: str, scope: str):
    """The test client signed in as a new user; returns (client, csrf)."""
    with api.store.session() as session:
        tokens.create_user(session, name, PASSWORD, scope)
    client = api.client
    client.post(
        "/login",
        data={"csrf": _csrf(client.get("/login").text), "username": name, "password": PASSWORD},
    )
    return client, _csrf(client.get("/").text)


@pytest.fixture
def staff(api):
    return signed_in(api, "alex", "write")


def _upload(client, csrf, text: str, name: str = "caseload.csv"):
    return client.post(
        "/import",
        data={"csrf": csrf},
        files={"caseload": (name, text.encode("utf-8"), "text/csv")},
    )


@pytest.fixture
def caseload(staff):
    client, csrf = staff
    with today():
        response = _upload(client, csrf, CASELOAD)
    assert response.status_code == 200, response.text
    return client, csrf


@today()
def test_upload_keeps_the_officer_column(api, caseload):
    stored = api.client.get("/v1/cases?officer=Sam%20Patel", headers=api.read).json()
    assert sorted(c["ref"] for c in stored["cases"]) == ["CLOSED-1", "LATE-2"]
    html = caseload[0].get("/cases?q=NEW-1").text
    assert "(none)" in html  # a blank officer cell is no officer


@today()
def test_upload_is_all_or_nothing_with_every_bad_row_listed(api, staff):
    client, csrf = staff
    bad = (
        "case_id,received,officer\n"
        "OK-1,2025-09-15,Sam\n"
        "BAD-1,2025-02-30,Sam\n"  # not a real date
        f"BAD-2,2025-09-15,{'S' * 101}\n"  # a name longer than the database's column
    )
    response = _upload(client, csrf, bad)
    assert response.status_code == 422
    assert "2 rows cannot be imported, so nothing was stored" in response.text
    rows = re.findall(r'<td data-label="Line">(\d+)</td>', response.text)
    assert rows == ["3", "4"]
    assert "February 2025 has 28 days" in response.text and "longer than 100" in response.text
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0


@today()
def test_upload_refuses_what_is_not_a_csv(staff):
    client, csrf = staff
    nul = _upload(client, csrf, "case_id,received\nA\x00B,2025-09-15\n")
    assert nul.status_code == 422 and "NUL character" in nul.text
    assert "0 cases found." in client.get("/cases").text  # nothing stored
    binary = client.post(
        "/import", data={"csrf": csrf}, files={"caseload": ("x.csv", b"\xff\xfe\x00", "text/csv")}
    )
    assert binary.status_code == 422 and "not UTF-8" in binary.text
    missing = client.post("/import", data={"csrf": csrf})
    assert missing.status_code == 422 and "choose the caseload CSV" in missing.text
    forged = _upload(client, "forged", CASELOAD)
    assert forged.status_code == 403


@today()
def test_api_import_keeps_the_officer_too(api):
    job = api.import_csv("case_id,received,officer\nAPI-1,2025-09-15,Robin Lee\n")
    assert job["state"] == "succeeded", job
    assert job["result"]["warnings"] == []  # officer is a known column now
    case = api.client.get(f"/v1/cases/{job['result']['case_ids'][0]}", headers=api.read)
    assert case.json()["officer"] == "Robin Lee"


@today()
def test_a_closed_case_is_found_by_search_and_by_its_reference(caseload):
    client, _csrf_token = caseload
    dashboard = client.get("/").text
    assert "CLOSED-1" not in dashboard.split('id="charts"')[0]  # in no worklist
    found = client.get("/cases?q=closed").text
    assert "1 case found." in found and 'href="/cases/CLOSED-1"' in found
    assert "nothing left to do" in found
    closed_only = client.get("/cases?status=closed").text
    assert "1 case found." in closed_only and "LATE-1" not in closed_only
    page = client.get("/cases/CLOSED-1")
    assert page.status_code == 200 and "<h1>Case CLOSED-1</h1>" in page.text
    by_id = client.get("/cases/1")
    assert "<h1>Case CLOSED-1</h1>" in by_id.text
    for hostile in ("A%00B", "x" * 5000, "Jane%20Doe", "%0D%0ASet-Cookie:x", "9" * 30, "0"):
        assert client.get(f"/cases/{hostile}").status_code == 404


@today()
def test_case_list_sorts_by_next_due_and_searches_officers(caseload):
    client, _csrf_token = caseload
    html = client.get("/cases?sort=due").text
    order = re.findall(r'<td data-label="Case"><a href="/cases/([^"]+)"', html)
    assert order == ["LATE-1", "LATE-2", "NEW-1", "CLOSED-1"]  # closed cases last
    by_officer = client.get("/cases?q=patel").text
    assert "2 cases found." in by_officer and "LATE-1" not in by_officer
    filtered = client.get("/cases?officer=alex&status=overdue").text
    assert "1 case found." in filtered and "LATE-1" in filtered


@today()
def test_case_list_is_paginated(api, staff):
    client, csrf = staff
    rows = "".join(f"P-{n:03d},2025-09-15\n" for n in range(60))
    assert _upload(client, csrf, "case_id,received\n" + rows).status_code == 200
    first = client.get("/cases?sort=ref").text
    assert "60 cases found: page 1 of 3." in first
    assert first.count('<td data-label="Case">') == 25
    assert 'href="/cases?sort=ref&amp;page=2"' in first
    last = client.get("/cases?sort=ref&page=3").text
    assert last.count('<td data-label="Case">') == 10 and "P-059" in last
    past_the_end = client.get("/cases?sort=ref&page=99").text
    assert "page 3 of 3" in past_the_end
    # The dashboard's worklist shows the 25 most days late, and links to all of them.
    dashboard = client.get("/").text.split('id="soon"')[0]
    assert dashboard.count('<td data-label="Case">') == 25
    assert '<a href="/cases?status=overdue&amp;sort=late">All 60 cases' in dashboard
    assert "60 cases found" in client.get("/cases?status=overdue&sort=late").text


@today()
def test_worklists_have_one_row_per_case_and_my_cases(caseload):
    client, _csrf_token = caseload
    html = client.get("/").text
    overdue = html.split('id="overdue"')[1].split('id="soon"')[0]
    # LATE-1 has several overdue milestones but one row: its most overdue one, days late.
    assert overdue.count("LATE-1</a>") == 1 and overdue.count("LATE-2</a>") == 1
    assert "Cases with an overdue milestone (2 cases)" in html
    mine = client.get("/?mine=true").text
    assert "My cases (alex)" in mine
    mine_overdue = mine.split('id="overdue"')[1].split('id="soon"')[0]
    assert "LATE-1" in mine_overdue and "LATE-2" not in mine_overdue


@today()
def test_dashboard_has_the_breach_report_charts(caseload):
    client, _csrf_token = caseload
    html = client.get("/").text
    assert 'id="timeliness-chart"' in html and 'id="open-chart"' in html
    assert html.count('<svg role="img" aria-label="Bar chart') == 2
    assert "<script" not in html


@today()
def test_process_list_starts_on_the_ehc_needs_assessment(staff):
    client, _csrf_token = staff
    html = client.get("/").text
    select = html.split('<select id="process" name="process">')[1]
    assert select.split("<option", 2)[1].startswith(' value="england-ehcna"')


@today()
def test_a_future_date_is_refused_with_the_reason_and_the_form_kept(caseload):
    client, csrf = caseload
    # SEND Regulations 2014 reg 13(2): the authority "must send the finalised EHC plan ... as
    # soon as practicable, and in any event within 20 weeks": what is recorded is the day it
    # was sent, which cannot be a year from now (a typing slip, not a record).
    response = client.post(
        "/cases/2/events",
        data={"csrf": csrf, "version": "1", "milestone": "final_plan", "date": "2027-01-15"},
    )
    assert response.status_code == 422
    assert "Friday 15 January 2027 is after today (Thursday 15 January 2026)" in response.text
    assert 'value="2027-01-15" aria-invalid="true" aria-describedby="event-date-error"' in (
        response.text
    )
    assert '<option value="final_plan" selected>' in response.text
    before = client.post(
        "/cases/2/events",
        data={"csrf": csrf, "version": "1", "milestone": "final_plan", "date": "2024-12-20"},
    )
    assert before.status_code == 422 and "before the request was received" in before.text


@today()
def test_a_half_given_period_keeps_the_first_day(caseload):
    client, csrf = caseload
    response = client.post(
        "/cases/2/exceptions",
        data={"csrf": csrf, "version": "1", "kind": "absence_from_area", "from": "2025-03-03"},
    )
    assert response.status_code == 422 and 'id="exc-to-error"' in response.text
    assert 'value="2025-03-03"' in response.text


@today()
def test_opening_a_case_dated_in_the_future_keeps_what_was_typed(staff):
    client, csrf = staff
    response = client.post(
        "/cases",
        data={
            "csrf": csrf,
            "ref": "EHC-TYPED-1",
            "process": "jersey-ron",
            "received": "2027-01-10",
            "officer": "Sam",
        },
    )
    assert response.status_code == 422 and 'id="received-error"' in response.text
    assert 'value="EHC-TYPED-1"' in response.text and 'value="Sam"' in response.text
    assert '<option value="jersey-ron" selected>' in response.text


def _family_link(client, csrf, case_path: str) -> str:
    page = client.post(f"{case_path}/feeds", data={"csrf": csrf}).text  # shown once, now
    return re.search(r'id="parent-url" value="http://testserver(/p/feed_[^"]+)"', page)[1]


@today()
def test_family_page_works_without_a_session_shows_no_name_and_ends_on_revocation(api, caseload):
    client, csrf = caseload
    link = _family_link(client, csrf, "/cases/2")
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/").status_code == 200 and "Sign in" in client.get("/").text
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert "alex" not in html  # no one's name: not even the officer's
    assert "Decision whether to assess</strong>:\n      by Monday 17 February 2025" in html
    assert "This is late" in html
    # England: mediation within 2 months and appeal within 2 months of the decision letter
    # (england-tribunal timeline), and the Ombudsman: "the period of 12 months beginning with
    # ... the day on which the person affected first had notice of the matter" (LGA 1974 s.26B).
    assert "within 2 months of the date of the decision letter" in html
    assert "1 month after the mediation certificate" in html and "within 12 months" in html
    assert "SEND Regulations 2014 reg 4(1), 5(1)" in html
    assert "<script" not in html and "<form" not in html

    # Sign in again and revoke the link: the page ends with the feed.
    client.post(
        "/login",
        data={"csrf": _csrf(client.get("/login").text), "username": "alex", "password": PASSWORD},
    )
    csrf = _csrf(client.get("/").text)
    feed_id = re.search(r"/feeds/(\d+)/revoke", client.get("/cases/2").text)[1]
    client.post(f"/cases/2/feeds/{feed_id}/revoke", data={"csrf": csrf})
    client.post("/logout", data={"csrf": csrf})
    gone = client.get(link)
    assert gone.status_code == 404 and "This link is no longer active" in gone.text
    token = link.rsplit("/", 1)[1]
    assert (
        client.get(f"/v1/feeds/{token}.ics").status_code == 410
    )  # Gone: calendar apps stop polling


def test_the_team_feed_and_unknown_tokens_have_no_family_page(api):
    team = api.client.post("/v1/feeds", headers=api.write).json()
    for token in (team["token"], "feed_unknown", "feed_" + "x" * 5000, "%00"):
        response = api.client.get(f"/p/{token}")
        assert response.status_code == 404 and "no longer active" in response.text
    assert api.client.get("/p/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_a_failed_sign_in_keeps_the_user_name(api):
    page = api.client.get("/login")
    response = api.client.post(
        "/login",
        data={"csrf": _csrf(page.text), "username": "alex <b>", "password": "wrong password"},
    )
    assert "is not right" in response.text
    assert 'value="alex &lt;b&gt;"' in response.text  # kept, and escaped


@today()
def test_a_reference_with_slashes_has_its_own_url(staff):
    client, csrf = staff
    opened = client.post(
        "/cases",
        data={
            "csrf": csrf,
            "ref": "EHC/2025/7",
            "process": "england-ehcna",
            "received": "2025-09-15",
        },
        follow_redirects=False,
    )
    assert opened.headers["location"].startswith("/cases/EHC%2F2025%2F7")
    for path in ("/cases/EHC%2F2025%2F7", "/cases/EHC/2025/7"):
        assert "<h1>Case EHC/2025/7</h1>" in client.get(path).text
    assert 'href="/cases/EHC/2025/7"' in client.get("/cases?q=2025/7").text


@today()
def test_jersey_family_page_claims_no_english_remedy(staff):
    client, csrf = staff
    client.post(
        "/cases",
        data={"csrf": csrf, "ref": "JSY-1", "process": "jersey-ron", "received": "2025-10-15"},
    )
    page = client.get("/cases/JSY-1").text
    case_path = re.search(r'action="(/cases/\d+)/events"', page)[1]
    html = client.get(_family_link(client, csrf, case_path)).text
    assert "SEND Tribunal" not in html and "Ombudsman" not in html
    assert "UNCONFIRMED" in html  # what send-clock does not know, it says so


def test_a_read_only_user_cannot_upload(api):
    client, csrf = signed_in(api, "robin", "read")
    assert "Upload a caseload" not in client.get("/").text
    assert "read-only" in client.get("/import").text
    refused = _upload(client, csrf, CASELOAD)
    assert refused.status_code == 403 and "read-only" in refused.text  # issue 11: 403
    assert api.client.get("/v1/cases", headers=api.read).json()["total"] == 0

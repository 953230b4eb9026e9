"""End to end in a real browser: sign in, open a case, record an event, see the chart change,
subscribe, open the request calendar. No console errors; screenshots kept as artifacts."""

from __future__ import annotations

from .conftest import PASSWORD, shoot


def sign_in(page, server: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # the keyboard alone signs in
    page.wait_for_url(f"{server}/")


def test_sign_in_is_required(page, server):
    page.goto(f"{server}/")
    assert page.url == f"{server}/login"
    page.get_by_label("User name").fill("alex")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert "is not right" in page.get_by_role("alert").inner_text()
    assert page.console_errors == []


def test_case_journey(page, server):
    sign_in(page, server)
    shoot(page, "01-dashboard")
    new_case = page.get_by_role("form", name="Open a case")
    new_case.get_by_label("Case reference").fill("EHC-E2E-1")
    new_case.get_by_label("Process", exact=True).select_option("england-ehcna")
    new_case.get_by_label("Calendar").select_option("surrey")
    new_case.get_by_label("Start date").fill("2025-07-10")
    new_case.get_by_role("button", name="Open the case").click()
    page.wait_for_url("**/cases/*")
    assert "Case EHC-E2E-1 opened." in page.get_by_role("status").inner_text()
    chart = page.locator("#timeline-chart svg")
    assert chart.get_attribute("aria-label").startswith("Timeline chart")
    assert page.locator("#timeline-chart #actual-decision_to_assess").count() == 0
    assert page.locator("#timeline-chart #projected-decision_to_assess").count() == 1
    before = chart.inner_html()
    shoot(page, "02-case-opened")

    page.get_by_label("Milestone", exact=True).select_option("decision_to_assess")
    page.get_by_label("Date it happened").fill("2025-08-20")
    page.get_by_role("button", name="Record the date").click()
    page.wait_for_load_state()
    assert "Saved." in page.get_by_role("status").inner_text()
    assert page.locator("#timeline-chart #actual-decision_to_assess").count() == 1
    assert page.locator("#timeline-chart svg").inner_html() != before
    row = page.locator("#m-decision_to_assess")
    assert "Wednesday 20 August 2025" in row.inner_text() and "met" in row.inner_text()
    shoot(page, "03-event-recorded")

    page.get_by_role("button", name="Create a calendar link").click()
    page.wait_for_load_state()
    link = page.get_by_role("textbox", name="Calendar link").input_value()
    assert "/v1/feeds/feed_" in link
    assert page.locator(".qr svg").count() == 1
    shoot(page, "04-subscribe")
    page.reload()
    assert page.get_by_role("textbox", name="Calendar link").count() == 0  # shown once only
    assert page.console_errors == []


def test_every_control_has_a_label(page, server):
    sign_in(page, server)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.name)""")
    assert unlabelled == []
    assert page.console_errors == []


def test_request_calendar(page, server):
    sign_in(page, server)
    page.get_by_role("link", name="Request calendar").click()
    form = page.get_by_role("form", name="Choose the calendar")
    form.get_by_label("Calendar").select_option("surrey")
    form.get_by_label("Process").select_option("england-ehcna")
    form.get_by_label("First week").fill("2025-11-24")
    form.get_by_label("Last week").fill("2025-12-15")
    form.get_by_role("button", name="Show the weeks").click()
    page.wait_for_load_state()
    table = page.locator("#request-calendar")
    # Submitted in the week of 1 December 2025, weeks 16-17 fall in the Easter closure.
    row = table.get_by_role("row", name="Monday 1 December 2025")
    assert "avoid" in row.inner_text() and "Easter" in row.inner_text()
    shoot(page, "05-request-calendar")
    page.get_by_role("link", name="Printable version for schools").click()
    page.wait_for_load_state()
    assert "avoid" in page.content()
    shoot(page, "06-request-calendar-printable")
    assert page.console_errors == []

"""The team's caseload pages and the family's page in a real browser: every task by keyboard
alone, axe-core on every page (no serious or critical violation, WCAG 2.2 AA), every page fits
a 390 px phone without sideways scrolling; screenshots at 1280 px and 390 px."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, PASSWORD, shoot

CASELOAD = (
    "case_id,received,officer,decision,decision_to_assess,advice_requested,final_plan\n"
    # Closed: its final plan is issued; only a search finds it now.
    "KB-CLOSED-1,2025-01-06,Sam Patel,agreed,2025-02-10,2025-02-10,2025-05-23\n"
    "KB-OPEN-1,2025-01-13,alex,agreed,2025-02-17,2025-02-17,\n"
    "KB-OPEN-2,2025-02-03,Sam Patel,,,,\n"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = ("serious", "critical")


def tab_to(page, target, limit: int = 120) -> None:
    """Press Tab until ``target`` has the focus: it can be reached by keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def submit(page) -> None:
    """Press Enter on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_chooser_by_keyboard(page, file_input, choosers: list, tries: int = 3):
    """Space on the focused file input opens its chooser. A key press lost on a busy machine
    is pressed again (the input still has the focus), up to ``tries`` times."""
    for _ in range(tries):
        assert file_input.evaluate("element => element === document.activeElement")
        page.keyboard.press("Space")
        for _ in range(50):
            if choosers:
                return choosers.pop()
            page.wait_for_timeout(100)
    raise AssertionError(f"Space on {file_input} opened no file chooser in {tries} tries")


def keyboard_sign_in(page, server: str) -> None:
    page.goto(f"{server}/login")
    tab_to(page, page.get_by_label("User name"))
    page.keyboard.type("alex")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture(scope="module")
def uploaded(browser, server, tmp_path_factory):
    """The caseload, uploaded through the page by keyboard alone (the upload task)."""
    csv_file = tmp_path_factory.mktemp("upload") / "caseload.csv"
    csv_file.write_text(CASELOAD, encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    # Listening from the start: Playwright asks Chromium to hand it file choosers without
    # waiting for the answer, so a listener added just before the key press can miss the
    # chooser on a busy machine (CI once timed out here after 30 s).
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    keyboard_sign_in(page, server)
    tab_to(page, page.get_by_role("link", name="Upload a caseload"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/import")
    file_input = page.get_by_label("Caseload CSV file")
    tab_to(page, file_input)
    open_chooser_by_keyboard(page, file_input, choosers).set_files(str(csv_file))
    tab_to(page, page.get_by_role("button", name="Upload and import"))
    submit(page)
    assert "3 cases imported." in page.get_by_role("status").inner_text()
    assert "KB-OPEN-1 (alex)" in page.inner_text("main")  # the officer column is kept
    shoot_both(page, "10-upload-done")
    context.close()
    return csv_file


def test_find_a_closed_case_and_record_a_date_by_keyboard(page, server, uploaded):
    keyboard_sign_in(page, server)
    tab_to(page, page.get_by_role("link", name="Find a case"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/cases")
    tab_to(page, page.get_by_label("Reference or officer"))
    page.keyboard.type("kb-closed")
    submit(page)
    assert page.locator("#found").inner_text() == "1 case found."
    assert "closed" in page.locator("#case-list").inner_text()
    shoot_both(page, "11-search-closed")
    tab_to(page, page.get_by_role("link", name="KB-CLOSED-1"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/cases/KB-CLOSED-1")

    page.goto(f"{server}/cases/KB-OPEN-1")
    tab_to(page, page.get_by_label("Milestone", exact=True))
    page.keyboard.type("Draft")  # type-ahead picks "Draft EHC plan served"
    assert page.get_by_label("Milestone", exact=True).input_value() == "draft_plan"
    page.keyboard.press("Tab")
    page.keyboard.type("05052025")  # 5 May 2025 whichever of day and month comes first
    submit(page)
    assert "Saved." in page.get_by_role("status").inner_text()
    assert "Monday 5 May 2025" in page.locator("#m-draft_plan").inner_text()
    assert page.console_errors == []


def test_a_refused_date_keeps_what_was_typed(page, server, uploaded):
    keyboard_sign_in(page, server)
    page.goto(f"{server}/cases/KB-OPEN-2")
    page.get_by_label("Milestone", exact=True).select_option("decision_to_assess")
    page.get_by_label("Date it happened").fill("2099-01-01")
    page.get_by_role("button", name="Record the date").click()
    page.wait_for_load_state()
    field = page.get_by_label("Date it happened")
    assert field.input_value() == "2099-01-01" and field.get_attribute("aria-invalid") == "true"
    assert "is after today" in page.locator("#event-date-error").inner_text()
    shoot_both(page, "12-refused-date")
    assert axe_problems(page) == []


def test_subscribe_by_keyboard_and_the_family_page(browser, page, server, uploaded):
    keyboard_sign_in(page, server)
    page.goto(f"{server}/cases/KB-OPEN-1")
    tab_to(page, page.get_by_role("button", name="Create a calendar link"))
    submit(page)
    family_url = page.get_by_label("The family's page").input_value()
    assert "/p/feed_" in family_url

    # No session: a new browser context, on a phone.
    family = browser.new_context(viewport=PHONE, locale="en-GB")
    parent = family.new_page()
    parent.goto(family_url)
    text = parent.inner_text("main")
    assert "alex" not in text and "Sam Patel" not in text  # no one's name
    assert "What comes next" in text and "What the law says the council must do" in text
    assert "within 2 months of the date of the decision letter" in text
    assert _fits(parent)
    shoot(parent, "20-family-page-390")
    assert axe_problems(parent) == []
    parent.set_viewport_size(DESKTOP)
    shoot(parent, "20-family-page-1280")
    parent.emulate_media(media="print")  # printed: the text, without the calendar link
    assert not parent.get_by_role("link", name="Add these dates to your calendar").is_visible()
    parent.emulate_media(media="screen")
    parent.set_viewport_size(PHONE)

    # Revoked: the page says so, and the feed stops too.
    tab_to(page, page.get_by_role("button", name="Revoke link"))
    submit(page)
    parent.goto(family_url)
    assert parent.get_by_role("heading", level=1).inner_text() == "This link is no longer active"
    shoot(parent, "21-family-link-revoked-390")
    assert axe_problems(parent) == [] and _fits(parent)
    assert parent.goto(family_url.replace("/p/", "/v1/feeds/") + ".ics").status == 410  # Gone
    family.close()


def shoot_both(page, name: str) -> None:
    """Screenshots at 1280 px and 390 px; at 390 px the page must fit without scrolling
    sideways."""
    width = page.viewport_size
    page.set_viewport_size(DESKTOP)
    shoot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert _fits(page), f"{name} is wider than a 390 px phone"
    shoot(page, f"{name}-390")
    page.set_viewport_size(width)


def _fits(page) -> bool:
    """No sideways scrolling: the page is no wider than the window."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


TEAM_PAGES = {
    "dashboard": "/",
    "my-cases": "/?mine=true",
    "case-list": "/cases",
    "case-search": "/cases?q=KB&status=open",
    "case": "/cases/KB-OPEN-1",
    "closed-case": "/cases/KB-CLOSED-1",
    "upload": "/import",
    "request-calendar": "/request-calendar?calendar=surrey&process=england-ehcna"
    "&start=2025-11-24&end=2025-12-15",
    "request-calendar-printable": "/request-calendar?calendar=surrey&process=england-ehcna"
    "&start=2025-11-24&end=2025-12-15&printable=true",
    "not-found": "/cases/NO-SUCH-CASE",
}


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["1280", "390"])
def test_every_page_is_accessible_and_fits(browser, server, uploaded, width):
    context = browser.new_context(viewport=width, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server}/login")
    assert axe_problems(page) == [], "login"
    assert _fits(page)
    shoot(page, f"30-login-{width['width']}")
    keyboard_sign_in(page, server)
    problems, too_wide = {}, []
    for name, path in TEAM_PAGES.items():
        page.goto(server + path)
        found = axe_problems(page)
        if found:
            problems[name] = found
        if not _fits(page):
            too_wide.append(name)
        shoot(page, f"31-{name}-{width['width']}")
    context.close()
    assert problems == {}
    assert too_wide == []
    assert ARTIFACTS.exists()


def test_dashboard_worklists_by_case_charts_and_process_list(page, server, uploaded):
    keyboard_sign_in(page, server)
    overdue = page.locator("table[aria-labelledby=overdue] tbody tr td:first-child")
    refs = overdue.all_inner_texts()
    assert "KB-OPEN-2" in refs and len(refs) == len(set(refs))  # one row per case
    assert "KB-CLOSED-1" not in refs
    assert "(counts of cases)" in page.get_by_role("heading", name="By officer").inner_text()
    for chart in ("#timeliness-chart svg", "#open-chart svg"):
        assert page.locator(chart).is_visible()
        assert page.locator(chart).bounding_box()["width"] > 200
    first = page.get_by_role("form", name="Open a case").get_by_label("Process", exact=True)
    assert first.input_value() == "england-ehcna"  # the list starts on it
    page.goto(f"{server}/?mine=true")
    mine = page.locator("table[aria-labelledby=overdue]").inner_text()
    assert "KB-OPEN-1" in mine and "KB-OPEN-2" not in mine  # alex's cases only
    shoot_both(page, "13-my-cases")
    assert page.console_errors == []


def test_an_upload_with_bad_rows_lists_them_and_stores_nothing(page, server, uploaded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "case_id,received,officer\nKB-NEW-1,2025-09-15,Sam\nKB-NEW-2,2025-02-30,Sam\n"
        f"KB-OPEN-1,2025-09-15,{'S' * 101}\n",
        encoding="utf-8",
    )
    keyboard_sign_in(page, server)
    page.goto(f"{server}/import")
    page.get_by_label("Caseload CSV file").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import").click()
    alert = page.get_by_role("alert").inner_text()
    assert "2 rows cannot be imported (3 problems), so nothing was stored" in alert
    rows = page.locator("table[aria-labelledby=row-errors] tbody tr").all_inner_texts()
    assert len(rows) == 3 and "February 2025 has 28 days" in rows[0]  # 2 rows, 3 problems
    assert "longer than 100" in "".join(rows) and "already stored" in "".join(rows)
    shoot_both(page, "14-upload-rejected")
    assert axe_problems(page) == []
    page.goto(f"{server}/cases?q=KB-NEW")
    assert page.locator("#found").inner_text() == "0 cases found."

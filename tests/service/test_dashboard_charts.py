"""The dashboard's charts: what they draw is the breach report's figures for the same cases,
and a chart drawn after a write shows the new figures, on the worker that took the write and on
another worker over the same database (each keeps its own figures and charts)."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from freezegun import freeze_time

from send_clock.reports.html import open_cases_chart, timeliness_chart
from send_clock.reports.summary import OPEN_STATUSES
from send_clock.service.app import create_app
from send_clock.service.settings import Settings
from send_clock.store import Store, cases, queries, tokens
from send_clock.store.stored import ensure_current

from .conftest import database_url, store  # noqa: F401 - fixtures
from .test_dashboard_stored import TODAY, _fresh, _mixed_caseload
from .test_team_pages import FRAMEWORK, PASSWORD, _csrf, signed_in

SVG = "{http://www.w3.org/2000/svg}"
#: the timeliness chart's series, bottom to top of each bar
PARTS = ("within 20 weeks", "over 20 weeks, exception applies", "over 20 weeks")


def drawn(svg: str) -> dict:
    """What a chart draws, read back from its SVG: per series, each bar's label and value,
    and the text printed above the bars (the share within 20 weeks)."""
    root = ElementTree.fromstring(svg[svg.index("<svg") : svg.index("</svg>") + len("</svg>")])
    series: dict[int, dict[str, int]] = {}
    printed: dict[str, str] = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "series" not in classes or group.find(f"{SVG}g[@class='bars']") is None:
            continue
        index = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
        for bar in group.iter(f"{SVG}g"):
            if bar.get("class") != "bar":
                continue
            desc = {d.get("class"): d.text for d in bar.findall(f"{SVG}desc")}
            series.setdefault(index, {})[desc["x_label"]] = int(desc["value"])
            if desc.get("label"):
                printed[desc["x_label"]] = desc["label"]
    return {"series": series, "printed": printed}


def on_page(html: str, figure: str) -> str:
    return html.split(f'id="{figure}"', 1)[1]


def test_the_charts_draw_the_breach_reports_figures(api):
    with freeze_time(TODAY), api.store.session() as session:
        _mixed_caseload(session)
    with freeze_time(TODAY, ignore=FRAMEWORK):
        ensure_current(api.store, TODAY)
        with api.store.session() as session:
            report = _fresh(session, queries.CaseFilters())["total"]
        client, _csrf_token = signed_in(api, "reader", "read")
        html = client.get("/").text
    timeliness = drawn(on_page(html, "timeliness-chart"))
    # the same as the breach report's chart, drawn from the report's figures
    assert timeliness == drawn(timeliness_chart(report["by_month"]))
    months = {
        label: month
        for label, month in zip(timeliness["series"][0], report["by_month"], strict=True)
    }
    assert len(months) == len(report["by_month"]) > 12
    for label, month in months.items():
        within, excepted, late = (timeliness["series"][i][label] for i in range(len(PARTS)))
        assert within == month["final_plans_within_20_weeks"]
        assert within + excepted + late == month["final_plans_issued"]
        assert late == (
            month["final_plans_issued_excluding_exceptions"]
            - month["final_plans_within_20_weeks_excluding_exceptions"]
        )
        share = month["final_plans_within_20_weeks_pct"]
        assert timeliness["printed"].get(label) == (None if share is None else f"{share:.0f}%")
    assert any(timeliness["series"][1].values())  # an exception recorded on a late plan
    opened = drawn(on_page(html, "open-chart"))
    assert opened == drawn(open_cases_chart(report["open_cases_by_status"]))
    assert opened["series"][0] == {
        status.replace("_", " "): report["open_cases_by_status"].get(status, 0)
        for status in OPEN_STATUSES
    }
    assert sum(opened["series"][0].values()) == report["open_cases"] > 0


def _worker(store_url: str, stack: ExitStack) -> TestClient:
    """A second worker: its own app, store and kept figures, over the same database, signing
    sessions with the same secret as the first."""
    other = Store(store_url)
    stack.callback(other.dispose)
    app = create_app(Settings(ical_domain="test.invalid", session_secret="s" * 40), other)
    return stack.enter_context(TestClient(app))


def _sign_in(client: TestClient, name: str) -> None:
    client.post(
        "/login",
        data={"csrf": _csrf(client.get("/login").text), "username": name, "password": PASSWORD},
    )


def test_a_chart_after_a_write_shows_the_new_figures_on_every_worker(api):
    received = TODAY - timedelta(days=3)
    with api.store.session() as session:
        tokens.create_user(session, "alex", PASSWORD, "write")
    with ExitStack() as stack, freeze_time(TODAY, ignore=FRAMEWORK):
        first, second = (_worker(api.store.url, stack) for _ in range(2))
        for client in (first, second):
            _sign_in(client, "alex")
        api.case(ref="OPEN-1", received=received.isoformat())
        before = {
            name: drawn(on_page(client.get("/").text, "open-chart"))["series"][0]
            for name, client in (("first", first), ("second", second))
        }
        assert before["first"] == before["second"]
        assert sum(before["first"].values()) == 1
        # A case opened through the first worker's page...
        csrf = _csrf(first.get("/").text)
        opened = first.post(
            "/cases",
            data={
                "csrf": csrf,
                "ref": "OPEN-2",
                "process": "england-ehcna",
                "received": received.isoformat(),
            },
            follow_redirects=False,
        )
        assert opened.status_code == 303, opened.text
        # ...is in both workers' charts at once: neither shows the figures it had kept.
        for client in (first, second):
            after = drawn(on_page(client.get("/").text, "open-chart"))["series"][0]
            assert sum(after.values()) == 2
            changed = {
                k: after[k] - before["first"][k] for k in after if after[k] != before["first"][k]
            }
            assert list(changed.values()) == [1]
        # A final plan issued on time (a case imported elsewhere, say) moves the timeliness
        # chart of the worker that had it kept.
        with api.store.session() as session:
            cases.create_case(
                session,
                "PLAN-1",
                "england-ehcna",
                None,
                received,
                "alex",
                "test",
                [
                    ("outcome", "decision", "agreed"),
                    ("event", "decision_to_assess", (received + timedelta(days=1)).isoformat()),
                    ("event", "final_plan", (received + timedelta(days=2)).isoformat()),
                ],
            )
        month = received.strftime("%b %Y")
        timeliness = drawn(on_page(second.get("/").text, "timeliness-chart"))
        assert timeliness["series"][0][month] == 1
        assert timeliness["printed"][month] == "100%"

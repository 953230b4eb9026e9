"""The team's pages over a stored caseload, against the breach report of the same cases.

Stores CASES cases (through the import, with officers) in a temporary SQLite database, signs a
staff user in, and times each page in turn (in-process, one request at a time, best of REPEAT)
next to GET /v1/reports/breaches, which projects and summarises the same caseload: the ratio is
what a page costs beyond the report.

    python benchmarks/pages.py [--cases 2000] [--repeat 3]

Absolute times depend on the machine and its load: compare ratios.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from send_clock.service.app import create_app
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens

PASSWORD = "benchmark password"


def caseload_csv(cases: int) -> str:
    rows = (
        f"B-{n:06d},2025-{1 + n % 12:02d}-{1 + n % 27:02d},officer {n % 9},"
        + ("agreed,2025-12-20" if n % 3 == 0 else ",")
        for n in range(cases)
    )
    return "case_id,received,officer,decision,decision_to_assess\n" + "\n".join(rows) + "\n"


def best(client: TestClient, path: str, repeat: int, headers: dict | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="send-clock-pages-"))
    store = Store(f"sqlite:///{folder / 'pages.db'}")
    store.upgrade()
    with store.session() as session:
        _row, token = tokens.create_api_token(session, "benchmark", "write")
        tokens.create_user(session, "officer 1", PASSWORD, "write")
    api = {"Authorization": f"Bearer {token}"}
    client = TestClient(create_app(Settings(ical_domain="bench.invalid"), store))
    imported = client.post(
        "/v1/cases/import",
        headers={**api, "Content-Type": "text/csv"},
        content=caseload_csv(options.cases),
    )
    assert imported.status_code == 201, imported.text
    feed = client.post(f"/v1/cases/{imported.json()['case_ids'][0]}/feeds", headers=api).json()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"csrf": csrf, "username": "officer 1", "password": PASSWORD})

    baseline = best(client, "/v1/reports/breaches", options.repeat, api)
    print(f"{options.cases} cases; GET /v1/reports/breaches {baseline * 1000:.0f} ms (baseline)")
    pages = {
        "dashboard /": "/",
        "my cases /?mine=true": "/?mine=true",
        "case list /cases": "/cases",
        "search /cases?q=B-0001&status=open": "/cases?q=B-0001&status=open",
        "case page /cases/B-000042": "/cases/B-000042",
        "family page /p/{token}": f"/p/{feed['token']}",
    }
    for name, path in pages.items():
        took = best(client, path, options.repeat)
        print(f"{name:40} {took * 1000:7.0f} ms  {took / baseline:5.2f} x the report")


if __name__ == "__main__":
    main()

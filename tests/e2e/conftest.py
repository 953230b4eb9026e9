"""A real server process and Debian's headless Chromium driven by Playwright.

Skipped, with the reason, where Chromium or Playwright is missing (.ci/run installs both).
Screenshots go to $SEND_CLOCK_TEST_ARTIFACTS (default: test-artifacts/ in the repository).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path(os.environ.get("SEND_CLOCK_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "correct horse battery staple"
ARTIFACTS = Path(
    os.environ.get(
        "SEND_CLOCK_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"
    )
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`send-clock serve` on a free port with a fresh database and a staff user."""
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "SEND_CLOCK_DATABASE_URL": f"sqlite:///{folder / 'e2e.db'}",
        "SEND_CLOCK_SESSION_SECRET": "e2e-only-secret-" + "x" * 32,
    }
    run = [sys.executable, "-m", "cli.main"]
    subprocess.run([*run, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*run, "users", "create", "--username", "alex", "--password", PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [*run, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the server did not start: {process.stderr.read()}")
    yield base
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture
def page(browser, request):
    """A fresh browser page that records console errors; the test asserts there were none."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

"""A streamed feed's source (a database session) is released exactly once, however the
response ends: the whole body sent, the client gone part-way (as either ASGI version reports
it), a 304, a HEAD. Driven through the response's ASGI call itself, as a server would."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from starlette.requests import ClientDisconnect, Request

from send_clock.service.caching import streamed_calendar_response

ETAG = '"feed-1"'
MODIFIED = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def _scope(method: str = "GET", headers: dict | None = None, spec: str = "2.4") -> dict:
    return {
        "type": "http",
        "method": method,
        "path": "/v1/feeds/x.ics",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "asgi": {"version": "3.0", "spec_version": spec},
    }


def _pieces():
    for number in range(50):
        yield b"BEGIN:VEVENT\r\nUID:%d\r\nEND:VEVENT\r\n" % number


def _closes(scope: dict, gone_after: int | None = None) -> tuple[int, int]:
    """(closes, body chunks sent) once the response has ended and its body been collected;
    the client goes away after ``gone_after`` body chunks (ASGI 2.4: the send fails; before
    it: a disconnect message arrives)."""
    closes, sent = [], []
    gone = asyncio.Event()

    async def receive():
        if scope["asgi"]["spec_version"] < "2.4":
            await gone.wait()
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # never: ASGI 2.4 reports a client gone by a failed send

    async def send(message):
        if message["type"] == "http.response.body":
            if gone_after is not None and len(sent) >= gone_after:
                if scope["asgi"]["spec_version"] >= "2.4":
                    raise OSError("the client went away")
                gone.set()
                await asyncio.sleep(0.05)  # the disconnect is noticed while this waits
            sent.append(message)

    async def respond():
        response = streamed_calendar_response(
            Request(scope), ETAG, MODIFIED, "private", _pieces(), lambda: closes.append(1)
        )
        with contextlib.suppress(ClientDisconnect):  # ASGI 2.4's client gone
            await response(scope, receive, send)

    # On a thread of its own, with a new event loop: a loop an earlier test left set on this
    # thread (the full suite's order) must not change what is measured here.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, respond()).result()
    gc.collect()  # a body left part-way is finalised: its clean-up must not close again
    return len(closes), len(sent)


@pytest.mark.parametrize("gzip", [False, True])
def test_a_whole_body_closes_once(gzip):
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    closes, sent = _closes(_scope(headers=headers))
    assert closes == 1 and sent > 1


@pytest.mark.parametrize("spec", ["2.4", "2.3"])
def test_a_client_gone_mid_body_closes_once(spec):
    closes, sent = _closes(_scope(spec=spec), gone_after=3)
    assert closes == 1 and sent == 3


def test_a_304_and_a_head_close_once():
    assert _closes(_scope(headers={"If-None-Match": ETAG}))[0] == 1
    assert _closes(_scope(method="HEAD"))[0] == 1

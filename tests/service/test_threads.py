"""The worker's threads: the direct routes' short reads have a few threads of their own, so that
long requests holding every other thread (breach reports being computed, exports) do not hold
them up, and the threads of both lines are as many as the database connections."""

from __future__ import annotations

import threading

from anyio import to_thread

from send_clock.service.direct import short_threads
from send_clock.service.settings import Settings


def test_the_short_reads_take_a_few_of_the_connections():
    assert short_threads(30) == 2
    assert short_threads(6) == 2
    assert short_threads(2) == 1
    assert short_threads(1) == 1


def test_a_case_is_read_while_every_other_thread_is_taken(api):
    case_id = api.case().json()["id"]  # (the read token not used yet: looked up in the test)
    settings: Settings = api.client.app.state.settings
    connections = settings.db_pool_size + settings.db_max_overflow
    short = api.client.app.state.short_limiter

    def limiter_totals():
        return short.total_tokens, to_thread.current_default_thread_limiter().total_tokens

    portal = api.client.portal
    assert sum(portal.call(limiter_totals)) == connections
    holders = [object() for _ in range(connections)]

    def take_every_other_thread():
        limiter = to_thread.current_default_thread_limiter()
        for holder in holders[: int(limiter.total_tokens)]:
            limiter.acquire_on_behalf_of_nowait(holder)

    def give_them_back():
        limiter = to_thread.current_default_thread_limiter()
        for holder in holders[: int(limiter.total_tokens)]:
            limiter.release_on_behalf_of(holder)

    portal.call(take_every_other_thread)
    answers = []
    reading = threading.Thread(
        target=lambda: answers.extend(
            [
                api.client.get(f"/v1/cases/{case_id}", headers=api.read).status_code,
                api.client.get("/v1/cases?limit=5", headers=api.read).status_code,
            ]
        ),
        daemon=True,
    )
    try:
        reading.start()
        reading.join(30)
        assert answers == [200, 200]
    finally:
        portal.call(give_them_back)
        reading.join(30)

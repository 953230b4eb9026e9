"""Request ids (:class:`send_clock.service.middleware.Guard`): 16 hex digits, a process's random
half and its count of requests, never the same twice in a process nor across worker processes."""

from __future__ import annotations

import os
import re

from send_clock.service.middleware import _request_id


def test_request_ids_are_16_hex_digits_and_never_repeat():
    ids = [_request_id() for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9a-f]{16}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_worker_has_its_own_random_half():
    parent = _request_id()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the forked worker: its first id, then gone
        os.write(writing, _request_id().encode())
        os._exit(0)
    os.close(writing)
    forked = os.read(reading, 64).decode()
    os.close(reading)
    os.waitpid(child, 0)
    assert re.fullmatch(r"[0-9a-f]{16}", forked)
    assert forked[:8] != parent[:8]

"""Background jobs off the request path: each in a process of its own, one at a time per worker.

A job's process is watched, so a job never stays ``running`` for good:

- the process dies (killed, out of memory): the job is marked failed at once, and nothing is
  stored (its one transaction dies with its connection);
- the worker itself dies (``kill -9``, a machine lost): it stops writing the heartbeat of its
  queued and running jobs, and the next ``GET /v1/jobs/{id}`` on any worker finds the heartbeat
  stale (:data:`send_clock.store.jobs.STALE_AFTER`) and marks the job failed;
- the server is stopped (SIGTERM): jobs still queued are marked failed, the running one is given
  ``grace`` seconds to finish, then its process is ended and the job marked failed; the server
  stops within that bound.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_context

from ..store import Store, jobs

log = logging.getLogger("send_clock.jobs")

#: How often a worker writes the heartbeat of the jobs it holds (seconds).
HEARTBEAT_SECONDS = 10.0
DIED = (
    "the import stopped: its process ended before it finished; nothing was stored. "
    "Send the CSV again"
)
STOPPED = (
    "the import stopped: the server was shut down before it finished; nothing was stored. "
    "Send the CSV again"
)
NOT_STARTED = "the server was shut down before the import began; nothing was stored. Send it again"


@dataclass
class _Job:
    job_id: int
    target: Callable
    args: tuple


def _run_niced(target: Callable, args: tuple) -> None:
    """A job's process: at a lower CPU priority, so that requests come first."""
    os.nice(10)
    target(*args)


class JobRunner:
    """Runs submitted jobs one after another, each in a fresh process (so that its memory is
    given back when it ends), from one thread of the worker."""

    def __init__(self, store: Store, grace: float = 30.0, heartbeat: float = HEARTBEAT_SECONDS):
        self.store, self.grace, self.heartbeat = store, grace, heartbeat
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._waiting: set[int] = set()
        self._running: _Job | None = None
        self._process = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job_id: int, target: Callable, *args) -> None:
        with self._lock:
            if self._stopping.is_set():
                self._fail([job_id], NOT_STARTED)
                return
            self._waiting.add(job_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)
                self._thread.start()
        self._queue.put(_Job(job_id, target, args))

    def _loop(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=self.heartbeat)
            except queue.Empty:
                self._beat()
                continue
            if job is None or self._stopping.is_set():
                return
            with self._lock:
                self._waiting.discard(job.job_id)
                self._running = job
                self._process = get_context("spawn").Process(
                    target=_run_niced, args=(job.target, job.args), name=f"job-{job.job_id}"
                )
                self._process.start()
            while self._process.is_alive():
                self._process.join(self.heartbeat)
                self._beat()
            if self._process.exitcode != 0:
                reason = STOPPED if self._stopping.is_set() else DIED
                log.error(
                    "job %s: its process ended with code %s", job.job_id, self._process.exitcode
                )
                self._fail([job.job_id], reason)
            with self._lock:
                self._running = self._process = None

    def _held(self) -> list[int]:
        with self._lock:
            return [*self._waiting, *([self._running.job_id] if self._running else [])]

    def _beat(self) -> None:
        held = self._held()
        if not held or self.store.url.startswith("sqlite"):  # see jobs._stale
            return
        try:
            with self.store.session() as session:
                jobs.beat(session, held)
        except Exception as error:  # noqa: BLE001 - the database may be away; try again later
            log.warning("job heartbeat not written: %s", type(error).__name__)

    def _fail(self, job_ids: list[int], message: str) -> None:
        try:
            with self.store.session() as session:
                for job_id in job_ids:
                    jobs.fail_unfinished(session, job_id, message)
        except Exception as error:  # noqa: BLE001 - then the stale heartbeat will tell
            log.warning("jobs %s not marked failed: %s", job_ids, type(error).__name__)

    def stop(self) -> None:
        """Stop within ``grace`` seconds: queued jobs fail, the running one finishes or is
        ended and fails."""
        with self._lock:
            self._stopping.set()
            waiting, self._waiting = sorted(self._waiting), set()
            process = self._process
        if waiting:
            self._fail(waiting, NOT_STARTED)
        self._queue.put(None)
        if process is not None:
            process.join(self.grace)
            if process.is_alive():
                log.warning("a job was still running at shutdown: ending it")
                process.terminate()
                process.join(5)
                if process.is_alive():
                    process.kill()
        if self._thread is not None:
            self._thread.join(10)

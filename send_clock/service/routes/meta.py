"""Health: a bare endpoint for load balancers (and the benchmark's baseline)."""

from fastapi import APIRouter, Request

from ... import __version__

router = APIRouter(tags=["meta"])


@router.get("/health")
async def health() -> dict:
    """Always 200 while the process serves requests; touches nothing else. (``async``: it
    answers on the event loop, even while every thread of the pool is busy.)"""
    return {"status": "ok", "version": __version__}


@router.get("/ready", responses={503: {"description": "not ready: the reason is in the body"}})
def ready(request: Request):
    """200 when this worker can serve: the database answers and its schema is the one this
    send-clock needs; 503 otherwise (take the worker out of the pool, do not restart it)."""
    from ..problems import problem

    reason = request.app.state.store.not_ready()  # a plain def route: in the thread pool
    if reason is not None:
        return problem(503, reason)
    return {"status": "ready", "version": __version__}

"""Health: a bare endpoint for load balancers (and the benchmark's baseline)."""

from fastapi import APIRouter

from ... import __version__

router = APIRouter(tags=["meta"])


@router.get("/health")
def health() -> dict:
    """Always 200 while the process serves requests; touches nothing else."""
    return {"status": "ok", "version": __version__}

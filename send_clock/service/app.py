"""The HTTP service: ``create_app()`` builds the FastAPI application over one database.

The process keeps no state apart from the database, so several workers or machines can serve
the same PostgreSQL database side by side.
"""

from __future__ import annotations

import logging
import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..calendars import load_calendar
from ..store import Store
from . import auth, direct, openapi, problems
from .middleware import AccessLog, BearerFirst, Guard, SizeLimit
from .runner import JobRunner
from .settings import Settings

DESCRIPTION = """Statutory SEN deadlines over HTTP: calendars, processes, timelines, stored cases
with append-only records, breach reports and calendar feeds.

Every `/v1` route needs `Authorization: Bearer <token>` (`send-clock tokens create`), except the
feeds at `/v1/feeds/{token}.ics`, whose unguessable token is the credential. Errors are
`application/problem+json` (RFC 9457)."""


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # As many threads for blocking calls (the sync routes, the database) as the worker may hold
    # database connections, not anyio's 40: a thread beyond them would only wait for one, and
    # on a few cores they queue for the GIL ahead of the event loop, which sends the answers.
    # In two lines: a few threads for the direct routes' short reads (a case, a page of the
    # list: see direct.short_threads), first come first served, and the rest for everything
    # else, so that a few long requests (a breach report being computed, an export) never hold
    # up the short ones, nor the short ones' queue the long ones.
    settings = app.state.settings
    connections = settings.db_pool_size + settings.db_max_overflow
    short = direct.short_threads(connections)
    app.state.short_limiter = CapacityLimiter(short)
    to_thread.current_default_thread_limiter().total_tokens = max(1, connections - short)
    if app.state.settings.warm_pages:
        from .web.pages import warm

        await run_in_threadpool(app.state.store.open_connections)
        await run_in_threadpool(warm, app.state.store)
    yield
    # A running import gets the grace period to finish, then is ended and marked failed (its
    # transaction rolls back): the server stops within a bounded time.
    await run_in_threadpool(app.state.jobs.stop)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if settings.default_calendar:  # a bad setting fails at start, not on the first case
        load_calendar(settings.default_calendar)
    # Swagger UI at /docs and ReDoc at /redoc from the package's own files, not a CDN: they work
    # on a council network without internet access.
    app = FastAPIOffline(
        title="send-clock",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        # operationIds are the route functions' names: `create_case`, not
        # `create_case_v1_cases_post`, so generated clients read well.
        generate_unique_id_function=lambda route: route.name,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.store = store or Store(
        settings.database_url,
        settings.db_pool_size,
        settings.db_max_overflow,
        settings.db_pool_timeout,
    )
    app.state.token_cache = auth.TokenCache(settings.token_cache_seconds)
    # Long work (a caseload import) runs in a process of its own, one job at a time and at a
    # lower CPU priority: however large, it takes nothing from the requests answered meanwhile.
    app.state.jobs = JobRunner(app.state.store, grace=settings.job_grace_seconds)
    problems.install(app)
    _routes(app)
    openapi.install(app)
    if settings.cors_origins:  # off unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "If-Match", "Content-Type"],
            expose_headers=["ETag", "Location"],
        )
    # Innermost first: the token check before any body is read, then the guard (headers,
    # request ids, errors) inside the session, so that an error page can be a page.
    app.add_middleware(BearerFirst, authenticate=auth.actor_of, unavailable=problems.unavailable)
    app.add_middleware(Guard, on_error=problems.internal_error, refuse=problems.refuse)
    # The web pages' signed session cookie: it only names a server-side session (the API
    # itself takes bearer tokens only).
    app.add_middleware(
        SessionMiddleware,
        session_cookie="send_clock_session",
        secret_key=settings.session_secret or secrets.token_urlsafe(32),
        max_age=settings.session_hours * 3600,
        same_site="strict",
        https_only=(settings.public_url or "").startswith("https://"),
    )
    app.add_middleware(
        SizeLimit,
        limit=settings.max_body_bytes,
        # The import limit only where a caseload is sent: the API's import and the upload page.
        larger={path: settings.max_import_bytes for path in ("/v1/cases/import", "/import")},
    )
    app.add_middleware(AccessLog)
    logging.getLogger("send_clock").setLevel(logging.INFO)
    return app


def _routes(app: FastAPI) -> None:
    from .routes import cases, feeds, meta, reference, reports
    from .web import family, pages

    # The router tries routes in this order (no two of these groups share a path): /health and
    # the API first, as they take most requests; the pages after them.
    app.include_router(meta.router)
    app.include_router(reference.router, prefix="/v1")
    app.include_router(feeds.router, prefix="/v1")
    app.include_router(reports.router, prefix="/v1")
    app.include_router(cases.router, prefix="/v1")
    app.include_router(feeds.public)
    app.mount(
        "/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static"
    )
    app.include_router(pages.router)
    app.include_router(family.router)
    # The busiest API routes, answered ahead of the routers: see .direct
    direct.install(app, [*reference.direct, *cases.direct])

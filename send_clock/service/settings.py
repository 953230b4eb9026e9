"""Service settings, from arguments or the environment (so several workers share them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    #: The public base URL for feed links (e.g. https://sen.example.gov.uk); by default the
    #: URL the request came in on.
    public_url: str | None = None
    ical_domain: str = "send-clock.invalid"
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = 20 * 1_048_576
    cors_origins: tuple[str, ...] = ()
    #: Signs the web pages' session cookies; generated per process when not set, which signs
    #: everyone out on restart and does not work across several workers: set it in production.
    session_secret: str | None = None
    #: database connections per worker: pool_size kept open, up to max_overflow more at peaks
    db_pool_size: int = 5
    db_max_overflow: int = 10
    #: A web session ends after this long without a request, and at this age whatever happens.
    session_idle_minutes: int = 30
    session_hours: int = 8
    #: Sign-in limit: this many failures per account, and per client address, in the window,
    #: then 429 until the oldest failure leaves the window.
    login_attempts: int = 10
    login_window_minutes: int = 15
    #: A worker trusts an API token it found live for this long before checking it again, so
    #: a revoked token may keep working this long on a worker that had just checked it.
    token_cache_seconds: float = 5.0
    #: At shutdown, a running import gets this long to finish before it is ended (and failed).
    job_grace_seconds: float = 30.0
    #: The calendar (a bundled id or a calendar file) of a case that names none, where its
    #: process's own default has no term dates (england-and-wales): a council sets it to its
    #: own term dates, so the school-closure exception can be checked.
    default_calendar: str | None = None
    #: The team feed holds the open deadlines dated from this many days before today to this
    #: many days after it: what a calendar needs, at a size calendar apps accept (each event
    #: is some 0.8 kB; Google Calendar is reported to refuse subscriptions over about 1 MB).
    team_feed_days_before: int = 14
    team_feed_days_after: int = 60
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        origins = tuple(o for o in env.get("SEND_CLOCK_CORS_ORIGINS", "").split(",") if o)
        return cls(
            database_url=env.get("SEND_CLOCK_DATABASE_URL"),
            public_url=env.get("SEND_CLOCK_PUBLIC_URL"),
            ical_domain=env.get("SEND_CLOCK_ICAL_DOMAIN", "send-clock.invalid"),
            max_body_bytes=int(env.get("SEND_CLOCK_MAX_BODY_BYTES", 1_048_576)),
            max_import_bytes=int(env.get("SEND_CLOCK_MAX_IMPORT_BYTES", 20 * 1_048_576)),
            cors_origins=origins,
            session_secret=env.get("SEND_CLOCK_SESSION_SECRET"),
            db_pool_size=int(env.get("SEND_CLOCK_DB_POOL_SIZE", 5)),
            db_max_overflow=int(env.get("SEND_CLOCK_DB_MAX_OVERFLOW", 10)),
            session_idle_minutes=int(env.get("SEND_CLOCK_SESSION_IDLE_MINUTES", 30)),
            session_hours=int(env.get("SEND_CLOCK_SESSION_HOURS", 8)),
            login_attempts=int(env.get("SEND_CLOCK_LOGIN_ATTEMPTS", 10)),
            login_window_minutes=int(env.get("SEND_CLOCK_LOGIN_WINDOW_MINUTES", 15)),
            token_cache_seconds=float(env.get("SEND_CLOCK_TOKEN_CACHE_SECONDS", 5)),
            job_grace_seconds=float(env.get("SEND_CLOCK_JOB_GRACE_SECONDS", 30)),
            default_calendar=env.get("SEND_CLOCK_DEFAULT_CALENDAR") or None,
            team_feed_days_before=int(env.get("SEND_CLOCK_TEAM_FEED_DAYS_BEFORE", 14)),
            team_feed_days_after=int(env.get("SEND_CLOCK_TEAM_FEED_DAYS_AFTER", 60)),
        )

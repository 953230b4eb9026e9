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
    #: The calendar (a bundled id or a calendar file) of a case that names none, where its
    #: process's own default has no term dates (england-and-wales): a council sets it to its
    #: own term dates, so the school-closure exception can be checked.
    default_calendar: str | None = None
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
            default_calendar=env.get("SEND_CLOCK_DEFAULT_CALENDAR") or None,
        )

"""Service settings, from arguments or the environment (so several workers share them).

Every setting read from the environment is checked here, once, at start-up: a number must be a
plain decimal within the range that makes sense for it, a URL or origin must be one. A value out
of range is refused with :class:`~send_clock.errors.InputError` naming the variable, what it
must be and what it was, rather than being taken as it is: ``SEND_CLOCK_TOKEN_CACHE_SECONDS=1e308``
would otherwise keep a revoked token working for ever, and ``nan`` would never expire one.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from ..errors import InputError

#: A plain decimal number (no exponent, no ``inf``/``nan``, no ``_`` separators): what a person
#: writes in a deployment's environment.
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")
_SHOWN = 40  # characters of a refused value quoted back
#: A session secret shorter than this could be found by trying them all (token_urlsafe(32)
#: makes 43 characters)
SHORTEST_SECRET = 32


@dataclass(frozen=True)
class Bound:
    """A numeric setting's variable, default, range and unit (for the refusal's message)."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    whole: bool = True


#: Each numeric setting's environment variable and the range a deployment may set it to.
BOUNDS: dict[str, Bound] = {
    bound.name: bound
    for bound in (
        Bound("SEND_CLOCK_MAX_BODY_BYTES", 1_048_576, 1_024, 1_073_741_824, "bytes"),
        Bound("SEND_CLOCK_MAX_IMPORT_BYTES", 20 * 1_048_576, 1_024, 1_073_741_824, "bytes"),
        Bound("SEND_CLOCK_DB_POOL_SIZE", 10, 1, 100, "connections"),
        Bound("SEND_CLOCK_DB_MAX_OVERFLOW", 20, 0, 200, "connections"),
        # A request waits this long for a connection when all are in use, then is 503.
        Bound("SEND_CLOCK_DB_POOL_TIMEOUT", 10, 1, 300, "seconds", whole=False),
        Bound("SEND_CLOCK_SESSION_IDLE_MINUTES", 30, 1, 24 * 60, "minutes"),
        Bound("SEND_CLOCK_SESSION_HOURS", 8, 1, 7 * 24, "hours"),
        Bound("SEND_CLOCK_LOGIN_ATTEMPTS", 10, 1, 1_000, "attempts"),
        Bound("SEND_CLOCK_LOGIN_WINDOW_MINUTES", 15, 1, 24 * 60, "minutes"),
        # A revoked token may keep working this long on a worker that had just checked it.
        Bound("SEND_CLOCK_TOKEN_CACHE_SECONDS", 5, 0, 60, "seconds", whole=False),
        # The server's shutdown waits at most this long for a running import.
        Bound("SEND_CLOCK_JOB_GRACE_SECONDS", 30, 0, 3_600, "seconds", whole=False),
        # The team feed's window of dates around today (a calendar's, not an archive's).
        Bound("SEND_CLOCK_TEAM_FEED_DAYS_BEFORE", 14, 0, 3_660, "days"),
        Bound("SEND_CLOCK_TEAM_FEED_DAYS_AFTER", 60, 0, 3_660, "days"),
    )
}


def bounded(env: Mapping[str, str], name: str) -> float:
    """The setting ``name`` from ``env`` (its default when unset or empty), refused with
    :class:`InputError` unless it is a plain number within its bounds."""
    bound = BOUNDS[name]
    raw = env.get(name, "").strip()
    if not raw:
        return bound.default if bound.whole else float(bound.default)
    kind = "a whole number" if bound.whole else "a number"
    wanted = (
        f"{name} must be {kind} of {bound.unit} from {_plain(bound.low)} to {_plain(bound.high)}"
    )
    if not _DECIMAL.fullmatch(raw) or (bound.whole and "." in raw):
        raise InputError(f"{wanted}, not {_quoted(raw)}")
    value = float(raw)
    if not (math.isfinite(value) and bound.low <= value <= bound.high):
        raise InputError(f"{wanted}, not {_quoted(raw)}")
    return int(value) if bound.whole else value


def switch(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A setting that is on (``1``) or off (``0``; the default when unset or empty)."""
    raw = env.get(name, "").strip()
    if raw not in ("", "0", "1"):
        raise InputError(f"{name} must be 1 (on) or 0 (off), not {_quoted(raw)}")
    return default if not raw else raw == "1"


def public_url(value: str | None) -> str | None:
    """``SEND_CLOCK_PUBLIC_URL``: an http(s) URL with a host and no
    query, fragment, credentials or white space, since it is the base of every feed link."""
    if not value:
        return None
    if _web_address(value) is None:
        raise InputError(
            "SEND_CLOCK_PUBLIC_URL must be the service's address, such as "
            f"https://sen.example.gov.uk, not {_quoted(value)}"
        )
    return value


def session_secret(value: str | None) -> str | None:
    """``SEND_CLOCK_SESSION_SECRET``: at least :data:`SHORTEST_SECRET` characters (never quoted
    back: it is a secret), or unset."""
    if value and len(value) < SHORTEST_SECRET:
        raise InputError(
            f"SEND_CLOCK_SESSION_SECRET must be at least {SHORTEST_SECRET} characters, not "
            f"{len(value)}; make one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return value or None


def cors_origins(value: str | None) -> tuple[str, ...]:
    """``SEND_CLOCK_CORS_ORIGINS``: comma-separated origins (``scheme://host[:port]``, no path)."""
    origins = tuple(origin.strip() for origin in (value or "").split(",") if origin.strip())
    for origin in origins:
        parts = _web_address(origin)
        if parts is None or parts.path:
            raise InputError(
                "SEND_CLOCK_CORS_ORIGINS must list origins such as https://app.example.gov.uk "
                f"(comma-separated, no path), not {_quoted(origin)}"
            )
    return origins


def _web_address(url: str) -> SplitResult | None:
    """``url``'s parts if it is an http(s) address with a host, and no credentials, query,
    fragment, white space or control character; else None (so too where urllib cannot read it:
    an unclosed ``[`` of an IPv6 host, a port that is not a number from 0 to 65535)."""
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - read only to check it
    except ValueError:
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        return None
    return parts


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
    #: database connections per worker: pool_size opened at start, up to max_overflow more at
    #: peaks, each kept open once opened (see store._engine); the worker's threads for blocking
    #: calls are as many as both, a few of them for the short reads (see app._lifespan)
    db_pool_size: int = 10
    db_max_overflow: int = 20
    #: how long a request waits for one of them when all are in use before it is answered 503
    #: with Retry-After (PostgreSQL; nothing was changed)
    db_pool_timeout: float = 10.0
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
    #: Before taking requests, a worker compiles its page templates and counts the whole
    #: caseload's dashboard (``send-clock serve`` turns it on): its first requests are then as
    #: quick as the next ones.
    warm_pages: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings from the environment (or ``env``), each checked: :class:`InputError`
        names the first variable that is not usable and what it must be."""
        env = os.environ if env is None else env
        from ..ical import check_domain

        domain = env.get("SEND_CLOCK_ICAL_DOMAIN") or "send-clock.invalid"
        try:
            check_domain(domain)
        except InputError:
            raise InputError(
                f"SEND_CLOCK_ICAL_DOMAIN: {_quoted(domain)} is not a host name for event UIDs, "
                "such as send.example.gov.uk (default send-clock.invalid)"
            ) from None
        return cls(
            database_url=env.get("SEND_CLOCK_DATABASE_URL"),
            public_url=public_url(env.get("SEND_CLOCK_PUBLIC_URL")),
            ical_domain=domain,
            max_body_bytes=bounded(env, "SEND_CLOCK_MAX_BODY_BYTES"),
            max_import_bytes=bounded(env, "SEND_CLOCK_MAX_IMPORT_BYTES"),
            cors_origins=cors_origins(env.get("SEND_CLOCK_CORS_ORIGINS")),
            session_secret=session_secret(env.get("SEND_CLOCK_SESSION_SECRET")),
            db_pool_size=bounded(env, "SEND_CLOCK_DB_POOL_SIZE"),
            db_max_overflow=bounded(env, "SEND_CLOCK_DB_MAX_OVERFLOW"),
            db_pool_timeout=bounded(env, "SEND_CLOCK_DB_POOL_TIMEOUT"),
            session_idle_minutes=bounded(env, "SEND_CLOCK_SESSION_IDLE_MINUTES"),
            session_hours=bounded(env, "SEND_CLOCK_SESSION_HOURS"),
            login_attempts=bounded(env, "SEND_CLOCK_LOGIN_ATTEMPTS"),
            login_window_minutes=bounded(env, "SEND_CLOCK_LOGIN_WINDOW_MINUTES"),
            token_cache_seconds=bounded(env, "SEND_CLOCK_TOKEN_CACHE_SECONDS"),
            job_grace_seconds=bounded(env, "SEND_CLOCK_JOB_GRACE_SECONDS"),
            default_calendar=env.get("SEND_CLOCK_DEFAULT_CALENDAR") or None,
            team_feed_days_before=bounded(env, "SEND_CLOCK_TEAM_FEED_DAYS_BEFORE"),
            team_feed_days_after=bounded(env, "SEND_CLOCK_TEAM_FEED_DAYS_AFTER"),
            warm_pages=switch(env, "SEND_CLOCK_WARM_PAGES"),
        )


def _plain(number: float) -> str:
    """1073741824 as 1,073,741,824; 2.5 as 2.5."""
    return f"{number:,.0f}" if number == int(number) else f"{number:g}"


def _quoted(value: str) -> str:
    """A refused value, shortened and with control characters escaped, safe for one log line."""
    shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
    return repr(shown)

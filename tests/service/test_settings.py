"""The service's settings from the environment: every value checked once, at start-up.

A deployment sets these by hand; a typo, an exponent or a hostile value must stop the server
with one line naming the variable, never be taken as it is (``SEND_CLOCK_TOKEN_CACHE_SECONDS=
1e308`` would keep a revoked token working for ever; ``nan`` never compares, so it would never
expire one either)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from send_clock.errors import InputError
from send_clock.service.settings import BOUNDS, Settings

HOSTILE_NUMBERS = [
    "nan", "NaN", "inf", "-inf", "1e308", "1e3", "-1", "0x10", "1_000", "ten", "5s", "",
    "\x00", "5\r\nX-Injected: 1", "９", "1" * 200, "--5", "+5", ".5", "5.",
]  # fmt: skip


def test_defaults_when_nothing_is_set():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.token_cache_seconds == 5.0 and settings.job_grace_seconds == 30.0
    assert settings.max_body_bytes == 1_048_576


def test_values_in_range_are_taken():
    settings = Settings.from_env(
        {
            "SEND_CLOCK_TOKEN_CACHE_SECONDS": "0",
            "SEND_CLOCK_JOB_GRACE_SECONDS": "2.5",
            "SEND_CLOCK_DB_POOL_SIZE": " 20 ",
            "SEND_CLOCK_DB_POOL_TIMEOUT": "2.5",
            "SEND_CLOCK_MAX_IMPORT_BYTES": "104857600",
            "SEND_CLOCK_PUBLIC_URL": "https://sen.example.gov.uk/send-clock",
            "SEND_CLOCK_CORS_ORIGINS": "https://a.example.gov.uk, http://localhost:3000",
            "SEND_CLOCK_ICAL_DOMAIN": "sen.example.gov.uk",
        }
    )
    assert settings.token_cache_seconds == 0.0  # 0 checks the database on every request
    assert settings.job_grace_seconds == 2.5
    assert settings.db_pool_size == 20
    assert settings.db_pool_timeout == 2.5
    assert settings.max_import_bytes == 104_857_600
    assert settings.cors_origins == ("https://a.example.gov.uk", "http://localhost:3000")


@pytest.mark.parametrize("name", sorted(BOUNDS))
@pytest.mark.parametrize("value", [v for v in HOSTILE_NUMBERS if v.strip()])
def test_every_number_refuses_what_is_not_a_plain_number_in_range(name, value):
    with pytest.raises(InputError) as refused:
        Settings.from_env({name: value})
    message = str(refused.value)
    assert message.startswith(f"{name} must be ")
    assert "\n" not in message and "\r" not in message and "\x00" not in message
    assert len(message) < 200


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_bound_is_inclusive_and_one_step_beyond_is_refused(name):
    bound = BOUNDS[name]
    step = 1 if bound.whole else 0.5
    for inside in (bound.low, bound.high):
        text = str(int(inside)) if bound.whole else f"{inside:g}"
        assert getattr(Settings.from_env({name: text}), _field(name)) == inside
    for outside in (bound.high + step, bound.low - step):
        if outside < 0:
            continue  # a minus sign is already not a plain number
        text = str(int(outside)) if bound.whole else f"{outside:g}"
        with pytest.raises(InputError, match=f"^{name} must be .* to [0-9,.]+, not"):
            Settings.from_env({name: text})


def test_a_revoked_token_cannot_be_trusted_for_more_than_a_minute():
    with pytest.raises(InputError, match="SEND_CLOCK_TOKEN_CACHE_SECONDS .* from 0 to 60"):
        Settings.from_env({"SEND_CLOCK_TOKEN_CACHE_SECONDS": "61"})


@given(st.text(max_size=30))
def test_any_text_is_a_value_in_range_or_one_clear_line(text):
    try:
        value = Settings.from_env({"SEND_CLOCK_JOB_GRACE_SECONDS": text}).job_grace_seconds
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith("SEND_CLOCK_JOB_GRACE_SECONDS")
    else:
        assert 0 <= value <= 3600


@pytest.mark.parametrize(
    "value",
    [
        "ftp://sen.example.gov.uk",
        "javascript:alert(1)",
        "https://",
        "https://sen.example.gov.uk/?next=evil",
        "https://sen.example.gov.uk/#x",
        "https://user:pass@sen.example.gov.uk",
        "https://sen.example.gov.uk/\r\nSet-Cookie: x=1",
        "https://sen.example.gov.uk/ a",
        "sen.example.gov.uk",
    ],
)
def test_the_public_url_must_be_an_address_to_link_to(value):
    with pytest.raises(InputError, match="^SEND_CLOCK_PUBLIC_URL must be") as refused:
        Settings.from_env({"SEND_CLOCK_PUBLIC_URL": value})
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "value", ["*", "https://a.example.gov.uk/path", "null", "https://a.example\r\n.gov.uk"]
)
def test_cors_origins_must_be_origins(value):
    with pytest.raises(InputError, match="^SEND_CLOCK_CORS_ORIGINS must list origins"):
        Settings.from_env({"SEND_CLOCK_CORS_ORIGINS": value})


@pytest.mark.parametrize("value", ["evil\r\nBEGIN:VEVENT", "a b", "-x.example", "x" * 300])
def test_the_uid_domain_must_be_a_host_name(value):
    with pytest.raises(InputError, match="^SEND_CLOCK_ICAL_DOMAIN: ") as refused:
        Settings.from_env({"SEND_CLOCK_ICAL_DOMAIN": value})
    assert "\r" not in str(refused.value).replace("\\r", "")


def _field(name: str) -> str:
    return name.removeprefix("SEND_CLOCK_").lower()


@pytest.mark.parametrize(("value", "on"), [("", False), ("0", False), ("1", True), (" 1 ", True)])
def test_warm_pages_is_on_or_off(value, on):
    assert Settings.from_env({"SEND_CLOCK_WARM_PAGES": value}).warm_pages is on


@pytest.mark.parametrize("value", ["yes", "true", "2", "1\r\nX: 1", "on"])
def test_warm_pages_refuses_anything_else_in_one_line(value):
    with pytest.raises(InputError, match=r"^SEND_CLOCK_WARM_PAGES must be 1 \(on\) or 0 \(off\)"):
        Settings.from_env({"SEND_CLOCK_WARM_PAGES": value})


@pytest.mark.parametrize(
    "value", ["https://[::1", "https://sen.example.gov.uk:99999", "https://sen.example.gov.uk:x"]
)
def test_a_public_url_urllib_cannot_read_is_refused_in_one_line(value):
    # an unclosed IPv6 bracket or a port that is not one raised ValueError: an internal error
    with pytest.raises(InputError, match="^SEND_CLOCK_PUBLIC_URL must be"):
        Settings.from_env({"SEND_CLOCK_PUBLIC_URL": value})


@pytest.mark.parametrize(
    "value", ["https://[::1", "https://a.example.gov.uk:abc", "http://a:70000"]
)
def test_a_cors_origin_urllib_cannot_read_is_refused_in_one_line(value):
    with pytest.raises(InputError, match="^SEND_CLOCK_CORS_ORIGINS must list origins"):
        Settings.from_env({"SEND_CLOCK_CORS_ORIGINS": value})


def test_a_huge_uid_domain_is_quoted_short():
    with pytest.raises(InputError, match="^SEND_CLOCK_ICAL_DOMAIN: ") as refused:
        Settings.from_env({"SEND_CLOCK_ICAL_DOMAIN": "x" * 100_000})
    assert len(str(refused.value)) < 200


def test_a_worker_has_as_many_threads_for_blocking_calls_as_it_may_hold_connections(tmp_path):
    """anyio's default is 40 threads, whatever the connections a worker may hold: the others
    only waited for a connection. (In two lines: a few for the short reads, see
    test_threads.py, and the rest.)"""
    from anyio import to_thread
    from fastapi.testclient import TestClient

    from send_clock.service.app import create_app

    url = f"sqlite:///{tmp_path / 'threads.db'}"
    app = create_app(Settings(database_url=url, db_pool_size=3, db_max_overflow=4))
    with TestClient(app) as client:
        threads = client.portal.call(lambda: to_thread.current_default_thread_limiter())
        assert threads.total_tokens + app.state.short_limiter.total_tokens == 7
        assert client.get("/health").status_code == 200


def test_the_pool_timeout_is_the_stores():
    """How long a request waits for a connection, all in use, before its 503 (PostgreSQL; the
    engine connects only when a request needs it)."""
    from send_clock.service.app import create_app

    url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    app = create_app(
        Settings.from_env({"SEND_CLOCK_DATABASE_URL": url, "SEND_CLOCK_DB_POOL_TIMEOUT": "2.5"})
    )
    assert app.state.store.engine.pool.timeout() == 2.5
    with pytest.raises(InputError, match="^SEND_CLOCK_DB_POOL_TIMEOUT must be "):
        Settings.from_env({"SEND_CLOCK_DB_POOL_TIMEOUT": "0.5"})  # 503s before a query ends


@pytest.mark.parametrize("secret", ["x", "e2e-only-secret", "s" * 31, " " * 31])
def test_a_short_session_secret_is_refused_without_showing_it(secret):
    # a short secret signs cookies that can be forged by trying every one; never echoed back
    with pytest.raises(InputError, match="^SEND_CLOCK_SESSION_SECRET must be at least 32") as no:
        Settings.from_env({"SEND_CLOCK_SESSION_SECRET": secret})
    assert repr(secret) not in str(no.value) and "\n" not in str(no.value)


@pytest.mark.parametrize(("secret", "kept"), [("s" * 32, "s" * 32), ("", None)])
def test_a_long_enough_session_secret_or_none_is_taken(secret, kept):
    assert Settings.from_env({"SEND_CLOCK_SESSION_SECRET": secret}).session_secret == kept

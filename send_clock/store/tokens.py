"""API tokens, feed tokens and staff users: secrets are generated with :mod:`secrets`, shown
once, and stored only as hashes; comparisons are constant-time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, Gone, InputError, NotFound
from .models import ApiTokenRow, FeedRow, UserRow

SCOPES = ("read", "write")
API_PREFIX = "sc_"
FEED_PREFIX = "feed_"


def now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """SHA-256 of a token: tokens carry 256 bits of randomness, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(prefix: str) -> str:
    """256 random bits from :mod:`secrets`, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


# -- API tokens -----------------------------------------------------------------------------------
def create_api_token(session: Session, name: str, scope: str) -> tuple[ApiTokenRow, str]:
    if scope not in SCOPES:
        raise InputError(f"scope {scope!r} must be one of: {', '.join(SCOPES)}")
    if not name.strip():
        raise InputError("give the token a name, e.g. --name sen-team-laptop")
    token = new_token(API_PREFIX)
    row = ApiTokenRow(
        name=name.strip(), scope=scope, token_hash=token_hash(token), created_at=now()
    )
    session.add(row)
    session.flush()
    return row, token


def authenticate(session: Session, token: str) -> ApiTokenRow | None:
    """The live token row for ``token``, or None."""
    digest = token_hash(token)
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest))
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.token_hash, digest) else None


def list_api_tokens(session: Session) -> list[ApiTokenRow]:
    """Every API token, revoked ones too (their secrets are not known: only hashes are kept)."""
    return list(session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id)))


def revoke_api_token(session: Session, token_id: int) -> ApiTokenRow:
    """Revoke a token: it stops working at once, and so do web sessions signed in with it."""
    from . import sessions

    row = session.get(ApiTokenRow, token_id)
    if row is None or row.revoked_at is not None:
        raise NotFound(f"no live API token {token_id}; `send-clock tokens list` shows them")
    row.revoked_at = now()
    sessions.end_all(session, token_id=token_id)
    return row


# -- feeds ----------------------------------------------------------------------------------------
def create_feed(
    session: Session, case_id: int | None, actor: str, officer: str | None = None
) -> tuple[FeedRow, str]:
    """A new feed: one case's (``case_id``), or the team's (of one ``officer``'s cases)."""
    token = new_token(FEED_PREFIX)
    row = FeedRow(
        case_id=case_id,
        token_hash=token_hash(token),
        created_by=actor,
        created_at=now(),
        officer=officer,
    )
    session.add(row)
    session.flush()
    return row, token


def find_feed(session: Session, token: str) -> FeedRow:
    digest = token_hash(token)
    row = session.scalar(select(FeedRow).where(FeedRow.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise NotFound("no such calendar feed")
    if row.revoked_at is not None:
        raise Gone("this calendar feed was revoked; remove the subscription from your calendar")
    return row


def revoke_feed(session: Session, feed_id: int, case_id: int | None) -> None:
    row = session.get(FeedRow, feed_id)
    if row is None or row.case_id != case_id or row.revoked_at is not None:
        raise NotFound(f"no live feed {feed_id} for this case")
    row.revoked_at = now()


# -- staff users (web pages) ----------------------------------------------------------------------
def _password_hash(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def create_user(session: Session, username: str, password: str, scope: str) -> UserRow:
    if scope not in SCOPES:
        raise InputError(f"scope {scope!r} must be one of: {', '.join(SCOPES)}")
    username = username.strip()
    if not username:
        raise InputError("give the user a name, e.g. --username alice")
    row = UserRow(
        username=username,
        scope=scope,
        password_hash=_new_password_hash(password),
        created_at=now(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # its message holds the row, password hash included: never shown
        raise Conflict(f"user {username} already exists") from None
    return row


def _new_password_hash(password: str) -> str:
    if len(password) < 10:
        raise InputError("the password must have at least 10 characters")
    return _password_hash(password, secrets.token_bytes(16))


def verify_user(session: Session, username: str, password: str) -> UserRow | None:
    """The user, if the password is theirs and they are not disabled."""
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        _password_hash(password, b"0" * 16)  # same work either way: no timing oracle
        return None
    _scheme, salt, _digest = row.password_hash.split("$")
    candidate = _password_hash(password, bytes.fromhex(salt))
    matches = hmac.compare_digest(candidate, row.password_hash)
    return row if matches and row.disabled_at is None else None


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def _user(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        raise NotFound(f"no user {username}; `send-clock users list` shows them")
    return row


def set_password(session: Session, username: str, password: str) -> UserRow:
    """A new password; the user's current sessions end (whoever knew the old one is out)."""
    from . import sessions

    row = _user(session, username)
    row.password_hash = _new_password_hash(password)
    sessions.end_all(session, user_id=row.id)
    return row


def disable_user(session: Session, username: str) -> UserRow:
    """No more sign-ins for the user, and their sessions end now."""
    from . import sessions

    row = _user(session, username)
    if row.disabled_at is None:
        row.disabled_at = now()
    sessions.end_all(session, user_id=row.id)
    return row


def list_feeds(session: Session, case_id: int) -> list[FeedRow]:
    """The live subscriptions of a case (their tokens are not known: only hashes are kept)."""
    query = (
        select(FeedRow)
        .where(FeedRow.case_id == case_id, FeedRow.revoked_at.is_(None))
        .order_by(FeedRow.id)
    )
    return list(session.scalars(query))

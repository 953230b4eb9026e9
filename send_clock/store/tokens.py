"""API tokens, feed tokens and staff users: secrets are generated with :mod:`secrets`, shown
once, and stored only as hashes; comparisons are constant-time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Gone, InputError, NotFound
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


# -- feeds ----------------------------------------------------------------------------------------
def create_feed(session: Session, case_id: int | None, actor: str) -> tuple[FeedRow, str]:
    token = new_token(FEED_PREFIX)
    row = FeedRow(case_id=case_id, token_hash=token_hash(token), created_by=actor, created_at=now())
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
    if len(password) < 10:
        raise InputError("the password must have at least 10 characters")
    row = UserRow(
        username=username.strip(),
        scope=scope,
        password_hash=_password_hash(password, secrets.token_bytes(16)),
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def verify_user(session: Session, username: str, password: str) -> UserRow | None:
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        _password_hash(password, b"0" * 16)  # same work either way: no timing oracle
        return None
    _scheme, salt, _digest = row.password_hash.split("$")
    candidate = _password_hash(password, bytes.fromhex(salt))
    return row if hmac.compare_digest(candidate, row.password_hash) else None


def list_feeds(session: Session, case_id: int) -> list[FeedRow]:
    """The live subscriptions of a case (their tokens are not known: only hashes are kept)."""
    query = (
        select(FeedRow)
        .where(FeedRow.case_id == case_id, FeedRow.revoked_at.is_(None))
        .order_by(FeedRow.id)
    )
    return list(session.scalars(query))

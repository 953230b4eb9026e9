"""Web sessions kept on the server, and the sign-in limit.

The browser's cookie carries only a random key; the session itself is a row, so it can really
end: at sign-out, when the API token used to sign in is revoked or the user disabled, after an
idle timeout, and at a fixed age. Each sign-in starts a new row (a new key), so a key planted
before sign-in is worth nothing after it.

Failed sign-ins are rows of the audit trail (:class:`AuthEventRow`); counting them in the
database rather than in a process's memory makes the limit hold across workers and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import ApiTokenRow, AuthEventRow, UserRow, WebSessionRow
from .tokens import new_token, now, token_hash

#: Don't write ``last_seen_at`` on every page view: once a minute is precise enough for an
#: idle timeout counted in minutes.
SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    """How long a session lasts: ``idle`` without a request, ``absolute`` at most."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed sign-ins per account, and per client address, in ``window``."""

    failures: int = 10
    window: timedelta = timedelta(minutes=15)


# -- sessions ---------------------------------------------------------------------------------
def start(
    session: Session, name: str, scope: str, user_id: int | None = None, token_id: int | None = None
) -> str:
    """A new session; returns its key (for the cookie), which is stored only hashed."""
    key = new_token("")
    stamp = now()
    session.add(
        WebSessionRow(
            key_hash=token_hash(key),
            name=name,
            scope=scope,
            user_id=user_id,
            token_id=token_id,
            created_at=stamp,
            last_seen_at=stamp,
        )
    )
    return key


def current(session: Session, key: str, lifetime: Lifetime) -> WebSessionRow | None:
    """The live session for ``key``, marked as seen now; None if it has ended for any reason
    (and then it is ended for good)."""
    row = session.scalar(select(WebSessionRow).where(WebSessionRow.key_hash == token_hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    stamp = now()
    if _expired(row, stamp, lifetime) or not _credential_live(session, row):
        row.revoked_at = stamp
        return None
    if stamp - row.last_seen_at >= SEEN_PRECISION:
        row.last_seen_at = stamp
    return row


def _expired(row: WebSessionRow, stamp: datetime, lifetime: Lifetime) -> bool:
    return stamp - row.last_seen_at > lifetime.idle or stamp - row.created_at > lifetime.absolute


def _credential_live(session: Session, row: WebSessionRow) -> bool:
    """Is the token or user the session was signed in with still valid? (Checked on every
    request, so a revocation made any way, even in SQL, ends the session.)"""
    if row.token_id is not None:
        token = session.get(ApiTokenRow, row.token_id)
        return token is not None and token.revoked_at is None
    if row.user_id is not None:
        user = session.get(UserRow, row.user_id)
        return user is not None and user.disabled_at is None
    return False


def end(session: Session, key: str, lifetime: Lifetime) -> str | None:
    """Sign-out: the key stops working at once. Who signed in (:func:`account`), or None when
    the session had already ended: signed out, idle or too old, or its token or user revoked
    (nothing to sign out of, so a stale page's button does not audit a sign-out that the
    session's end already was)."""
    if current(session, key, lifetime) is None:
        return None
    # only one of two sign-outs at once ends it (and is audited)
    ended = session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.key_hash == token_hash(key), WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=now())
        .returning(WebSessionRow.name, WebSessionRow.token_id)
    ).one_or_none()
    return ended and account(*ended)


def account(name: str, token_id: int | None) -> str:
    """Who a session is in the audit trail: a user by name, an API token by number and name
    (a token may be named like a user, and only its number names it for ``tokens revoke``)."""
    return name if token_id is None else f"token {token_id} ({name})"


def end_all(session: Session, *, user_id: int | None = None, token_id: int | None = None) -> int:
    """End every live session of a user or of an API token; returns how many."""
    owner = (
        WebSessionRow.user_id == user_id
        if user_id is not None
        else WebSessionRow.token_id == token_id
    )
    return session.execute(
        update(WebSessionRow)
        .where(owner, WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=now())
    ).rowcount


# -- the sign-in limit and audit trail --------------------------------------------------------
def audit(session: Session, event: str, account: str, client: str) -> None:
    session.add(AuthEventRow(at=now(), event=event, account=account[:100], client=client[:64]))


def retry_after(session: Session, account: str, client: str, limit: Limit) -> int:
    """Seconds until another sign-in may be tried by ``account`` (if given) from ``client``: 0
    when under the limit, else until the oldest failure counted falls out of the window."""
    since = now() - limit.window
    waits = [
        _wait(session, column, value, since, limit)
        for column, value in ((AuthEventRow.account, account), (AuthEventRow.client, client))
        if value
    ]
    return max(waits, default=0)


def _wait(session: Session, column, value: str, since: datetime, limit: Limit) -> int:
    failures = (
        select(AuthEventRow.at)
        .where(AuthEventRow.event == "login_failed", column == value, AuthEventRow.at > since)
        .order_by(AuthEventRow.at.desc())
        .limit(limit.failures)
        .subquery()
    )
    count, oldest = session.execute(select(func.count(), func.min(failures.c.at))).one()
    if count < limit.failures:
        return 0
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now().tzinfo)
    return max(1, int((oldest + limit.window - now()).total_seconds()) + 1)

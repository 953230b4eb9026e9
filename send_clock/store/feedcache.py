"""The team feed as last built, kept in the database so that every worker serves it.

A team feed over a region's caseload is large (some 200,000 events) and changes only when a
case changes or the day does (a status word such as "overdue" moves with the date). So it is
built once per :func:`feed_key` and stored gzip-compressed; until the key changes, a request
reads the stored bytes (or only their ETag, for a conditional request) instead of building it
again. The key is read from the cases themselves, so a write through any worker changes it.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import CaseRow, FeedCacheRow


class CachedFeed(NamedTuple):
    key: str
    etag: str
    modified: datetime
    size: int  # of the uncompressed body
    gzip_size: int


def feed_key(session: Session, today: date, *parts: str) -> str:
    """What the team feed is made from, hashed: the day, the number of cases, their versions
    and the time the last of them changed, and ``parts`` (the feed's own settings)."""
    count, versions, changed = session.execute(
        select(func.count(), func.sum(CaseRow.version), func.max(CaseRow.updated_at))
    ).one()
    text = "\x1f".join(map(str, (today, count, versions, changed, *parts)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached(session: Session, feed_id: int) -> CachedFeed | None:
    """The stored feed's key, ETag, Last-Modified and sizes (not its body)."""
    row = session.execute(
        select(
            FeedCacheRow.key,
            FeedCacheRow.etag,
            FeedCacheRow.modified,
            FeedCacheRow.size,
            func.length(FeedCacheRow.body),
        ).where(FeedCacheRow.feed_id == feed_id)
    ).one_or_none()
    return None if row is None else CachedFeed(*row)


def cached_body(session: Session, feed_id: int) -> bytes:
    """The stored feed, gzip-compressed."""
    return session.scalar(select(FeedCacheRow.body).where(FeedCacheRow.feed_id == feed_id))


def keep(session: Session, feed_id: int, entry: CachedFeed, body: bytes) -> None:
    """Store the feed built for ``entry.key`` (replacing the one before)."""
    values = {
        "feed_id": feed_id,
        "key": entry.key,
        "etag": entry.etag,
        "modified": entry.modified,
        "size": entry.size,
        "body": body,
    }
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(FeedCacheRow).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[FeedCacheRow.feed_id],
            set_={name: statement.excluded[name] for name in values if name != "feed_id"},
        )
    )

"""The SEQUENCE of each served iCalendar event, kept between feed requests and processes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import IcalSequenceRow
from .tokens import now


def load_sequences(
    session: Session, prefix: str = "", namespace: str = ""
) -> dict[str, tuple[int, str, datetime]]:
    """UID -> (sequence, fingerprint, time it last changed) for the UIDs starting with
    ``prefix``. A ``namespace``
    keeps apart feeds that show the same event differently (the team feed labels each event
    with its case), so that serving one does not raise the other's SEQUENCE."""
    prefix = namespace + prefix
    # plain columns, one query: a team feed has a SEQUENCE per open milestone of every case
    row = IcalSequenceRow
    query = select(row.uid, row.sequence, row.fingerprint, row.updated_at)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(IcalSequenceRow.uid.like(f"{escaped}%", escape="\\"))
    cut = len(namespace)
    return {
        uid[cut:]: (sequence, fingerprint, updated_at)
        for uid, sequence, fingerprint, updated_at in session.execute(query)
        if uid.startswith(namespace)
    }


def save_sequences(
    session: Session,
    served: Mapping[str, tuple],
    known: Mapping[str, tuple],
    namespace: str = "",
) -> None:
    """Store what was served (uid -> (sequence, fingerprint, modified)) where its sequence or
    fingerprint differs from what was known; ``updated_at`` is the time the served event says
    it last changed (its LAST-MODIFIED). An upsert, so two feeds served at the same moment
    cannot collide."""
    changed = [
        {
            "uid": namespace + uid,
            "sequence": sequence,
            "fingerprint": fingerprint,
            "updated_at": modified or now(),
        }
        for uid, (sequence, fingerprint, *rest) in served.items()
        for modified in [rest[0] if rest else None]
        if tuple(known.get(uid, ()))[:2] != (sequence, fingerprint)
    ]
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # one statement, sent as batches of rows (executemany): a first team feed saves them all
    statement = insert(IcalSequenceRow)
    statement = statement.on_conflict_do_update(
        index_elements=[IcalSequenceRow.uid],
        set_={
            "sequence": statement.excluded.sequence,
            "fingerprint": statement.excluded.fingerprint,
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement, changed)

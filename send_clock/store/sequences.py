"""The SEQUENCE of each served iCalendar event, kept between feed requests and processes."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import IcalSequenceRow
from .tokens import now


def load_sequences(
    session: Session, prefix: str = "", namespace: str = ""
) -> dict[str, tuple[int, str]]:
    """UID -> (sequence, fingerprint) for the UIDs starting with ``prefix``. A ``namespace``
    keeps apart feeds that show the same event differently (the team feed labels each event
    with its case), so that serving one does not raise the other's SEQUENCE."""
    prefix = namespace + prefix
    query = select(IcalSequenceRow)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(IcalSequenceRow.uid.like(f"{escaped}%", escape="\\"))
    return {
        row.uid[len(namespace) :]: (row.sequence, row.fingerprint)
        for row in session.scalars(query)
        if row.uid.startswith(namespace)
    }


def save_sequences(
    session: Session,
    served: Mapping[str, tuple[int, str]],
    known: Mapping[str, tuple[int, str]],
    namespace: str = "",
) -> None:
    """Store what was served where it differs from what was known. An upsert, so two feeds
    served at the same moment cannot collide."""
    changed = [
        {
            "uid": namespace + uid,
            "sequence": sequence,
            "fingerprint": fingerprint,
            "updated_at": now(),
        }
        for uid, (sequence, fingerprint) in served.items()
        if known.get(uid) != (sequence, fingerprint)
    ]
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(IcalSequenceRow).values(changed)
    statement = statement.on_conflict_do_update(
        index_elements=[IcalSequenceRow.uid],
        set_={
            "sequence": statement.excluded.sequence,
            "fingerprint": statement.excluded.fingerprint,
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement)

"""The spare file a report is written to beside its output before it takes the output's name.

Its name says what it is: ``.NAME.xxxxxxxx.send-clock-partial`` for the output ``NAME`` (the
``x`` random, as :func:`tempfile.mkstemp` makes them). The run that writes it holds a lock on
it (``flock``, released by the system when the process ends, however it ends), so that a
spare left by a run killed outright (SIGKILL, a power cut) can be told from one being written
now: the next run to the same output removes the former, and nothing else. (A spare last
changed less than a minute before is left as well: a run unlocks its spare an instant before
the spare takes the output's name.)
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # (Windows: no flock; spares are made there, but never cleared)
    fcntl = None

SUFFIX = ".send-clock-partial"
#: How long unchanged a spare must be to be another run's left-over (seconds).
QUIET = 60
#: The random part tempfile.mkstemp puts in a name: 8 of these characters.
_RANDOM = "[a-z0-9_]{8}"


def make(target: Path) -> tuple[int, str]:
    """A new spare for ``target`` beside it, locked for as long as its descriptor is open (by
    this process or one it forks): the descriptor and the spare's path."""
    descriptor, spare = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=SUFFIX, dir=target.parent
    )
    if fcntl is not None:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (new: nobody else holds it)
    return descriptor, spare


def remove_stale(target: Path) -> None:
    """Remove the spares of ``target`` left by runs that died: named as :func:`make` names
    them, regular files of this user, unchanged for :data:`QUIET` seconds and locked by no
    process. Anything else (another name, another owner, a run still writing) is
    left; a spare that cannot be removed is left too, quietly (it is not this run's report)."""
    if fcntl is None:
        return
    ours = re.compile(re.escape(f".{target.name}.") + _RANDOM + re.escape(SUFFIX))
    try:
        names = [name for name in os.listdir(target.parent) if ours.fullmatch(name)]
    except OSError:
        return
    before = time.time() - QUIET
    for name in names:
        _remove_if_stale(target.parent / name, before)


def _remove_if_stale(spare: Path, before: float) -> None:
    try:
        descriptor = os.open(spare, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # gone meanwhile, a symbolic link, not ours to read
    try:
        facts = os.fstat(descriptor)
        if not stat.S_ISREG(facts.st_mode) or facts.st_uid != os.getuid():
            return
        if facts.st_mtime >= before:
            return  # changed just now: perhaps another run's, being written or renamed
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # locked: a run is writing it
        if os.path.samestat(facts, os.lstat(spare)):  # (still the file looked at)
            spare.unlink()
    except OSError:
        return
    finally:
        os.close(descriptor)

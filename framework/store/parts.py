"""Files written under a temporary ``.part`` name, and cleaning up those a killed process left.

A backup or a restore first writes its copy of the database to a ``.part`` file beside
its final place, then gives it its name in one step. While it writes, the process holds
an exclusive lock on the file (``flock``), which the system releases the moment the
process ends, however it ends. :func:`remove_stale` removes a ``.part`` file only when
it can take that lock itself: its writer is gone, so the file is what a killed backup or
restore left behind, never one that another process is still writing. Where locks are
not available, only files an hour old are removed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".part"
SETTLE_S = 10.0
"""A ``.part`` file younger than this is left alone even when unlocked: its writer may be
between creating it and locking it."""
UNLOCKED_STALE_S = 3600.0
"""Where locks are not available, how old a ``.part`` file must be to be taken as stale."""


def part_name(final: Path) -> Path:
    """A new ``.part`` name beside ``final``, unique to this process and call."""
    return final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}")


@contextlib.contextmanager
def writing(part: Path) -> Iterator[Path]:
    """Create ``part`` and hold its lock while the block writes it. If the block fails,
    the file is removed; on success the block must have moved it to its final name."""
    fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield part
        except BaseException:
            with contextlib.suppress(OSError):
                part.unlink()
            raise
    finally:
        os.close(fd)


def remove_stale(folder: Path, pattern: str) -> list[Path]:
    """Remove the ``.part`` files in ``folder`` matching ``pattern`` (a glob such as
    ``.framework-*.part``) whose writer is gone; returns them."""
    removed: list[Path] = []
    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return removed
    for part in candidates:
        if _remove_if_stale(part):
            removed.append(part)
    return removed


def _remove_if_stale(part: Path) -> bool:
    try:
        age = time.time() - part.stat().st_mtime
        if age < (SETTLE_S if fcntl is not None else UNLOCKED_STALE_S):
            return False
        fd = os.open(part, os.O_RDWR)
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # another process is still writing it
        part.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)

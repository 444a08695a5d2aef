"""Writing pseudonymised exports so that a file holding a key term is never left behind.

Inside :func:`staged` every file an export writes (through
:func:`framework.export.common.write_file`) goes to a temporary name beside its real
one. When the export is done, each is checked for the key's terms with the same matcher
that replaced them (:func:`framework.confidentiality.check.scan`, every part of the file
and the name it will have). Only when every file is clean do they take their names; if
any term is found, every temporary file is removed and the export is refused, naming
where each term was found.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from framework.confidentiality.key import Pseudonymiser
from framework.errors import InputError

SHOWN_HITS = 5
"""Hits named in the message of a refused export."""


class LeakFound(InputError):
    """A pseudonymised export still held terms of the key; nothing was written."""

    def __init__(self, message: str, hits: list) -> None:
        super().__init__(message)
        self.hits = hits


class Stage:
    """The files of one pseudonymised export, written under temporary names until checked."""

    def __init__(self, key: Pseudonymiser) -> None:
        self.key = key
        self.pending: list[tuple[Path, Path]] = []

    def temporary(self, path: Path) -> Path:
        return path.parent / f".{path.stem}.{uuid.uuid4().hex[:8]}.part{path.suffix}"

    def write(self, path: Path, write: Callable[[Path], None]) -> Path:
        """Write ``path`` under a temporary name, to be checked and renamed by :meth:`commit`."""
        tmp = self.temporary(path)
        try:
            write(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.pending.append((tmp, path))
        return path

    def taken(self, path: Path) -> bool:
        """Whether this export already writes ``path``."""
        return any(final == path for _, final in self.pending)

    def commit(self) -> None:
        """Check every file; rename them all when clean, else remove them all and refuse."""
        from framework.confidentiality.check import scan

        hits = []
        for tmp, final in self.pending:
            hits += scan(tmp, self.key, name=final.name)
        if hits:
            self.discard()
            files = len({h.file for h in hits})
            shown = "; ".join(h.describe() for h in hits[:SHOWN_HITS])
            more = f" (and {len(hits) - SHOWN_HITS} more)" if len(hits) > SHOWN_HITS else ""
            raise LeakFound(
                f"not written: the pseudonymised export still holds {len(hits)} key term(s) in {files} file(s), "
                f"so nothing was left in the folder: {shown}{more}. Change the name at each place named (or the "
                "key's row, if it names a word the program writes itself) and export again.", hits)
        for tmp, final in self.pending:
            os.replace(tmp, final)
        self.pending = []

    def discard(self) -> None:
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending = []


_CURRENT: ContextVar[Stage | None] = ContextVar("framework_export_stage", default=None)


def current() -> Stage | None:
    """The export being staged, if any."""
    return _CURRENT.get()


@contextmanager
def staged(key: Pseudonymiser | None) -> Iterator[Stage | None]:
    """Stage the files written inside the block (only with a key; without, files are written as usual)."""
    if key is None:
        yield None
        return
    stage = Stage(key)
    token = _CURRENT.set(stage)
    try:
        yield stage
        stage.commit()
    except BaseException:
        stage.discard()
        raise
    finally:
        _CURRENT.reset(token)


def write_checked(path: Path, data: bytes, key: Pseudonymiser) -> None:
    """Write ``data`` to ``path`` only if the file holds none of the key's terms."""
    with staged(key) as stage:
        assert stage is not None
        stage.write(Path(path), lambda tmp: tmp.write_bytes(data))

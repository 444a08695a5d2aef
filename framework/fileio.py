"""Files everything shares: writing one so that it is never seen half written, and
reading JSON that may be hostile (too deep, not Unicode) without a traceback."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from framework.errors import InputError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then put it in
    place in one step (an existing file keeps its permissions). The folder must exist."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def check_writable(path: Path) -> None:
    """Refuse, before any work is done, a file that :func:`write_atomic` could not write at
    ``path``: a folder, a folder that does not exist, or one that cannot be written (read-only,
    or not this user's); the ``InputError`` names the folder and says that nothing was written."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name. Nothing was written.")
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; create it or choose another. Nothing was written.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{folder}: the folder is read-only (or not yours to write in), so {path.name} cannot be "
                         "written there; choose another folder. Nothing was written.")


# -- reading JSON ------------------------------------------------------------------------------------

MAX_JSON_BYTES = 50 * 1024 * 1024
"""Largest JSON file read whole."""

_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonProblem(ValueError):
    """Why a JSON text cannot be used: ``reason`` completes a sentence ("line 3 ...");
    ``line`` is the 1-based line of the problem when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def parse_json(text: str) -> Any:
    """The value of a JSON text, refusing what would fail later: invalid JSON, nesting too
    deep to read, numbers too long to convert, and strings that are not Unicode text (a
    ``\\ud800``-``\\udfff`` escape without its pair, which no file or database can store)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"is not valid JSON ({exc.msg} at column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise JsonProblem("is nested too deeply to read (arrays or objects inside one another "
                          "thousands of levels deep)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise JsonProblem(f"cannot be read ({exc})") from None
    where = _surrogate_at(value)
    if where is not None:
        raise JsonProblem(f"holds text that is not Unicode at {where} (an unpaired surrogate escape such as "
                          "\\ud800); write the character itself, or its full pair of escapes")
    return value


def _surrogate_at(value: Any) -> str | None:
    """Where in ``value`` the first string with a lone surrogate is (``codings[3].memo``)."""
    stack: list[tuple[str, Any]] = [("the top", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return where
        elif isinstance(item, dict):
            prefix = "" if where == "the top" else where + "."
            for key, child in reversed(list(item.items())):
                if _SURROGATE.search(key):
                    return f"{prefix}{key!r} (a key)"
                stack.append((prefix + key, child))
        elif isinstance(item, list):
            prefix = "" if where == "the top" else where
            stack.extend((f"{prefix}[{n}]", child) for n, child in reversed(list(enumerate(item))))
    return None


def load_json_file(path: Path, what: str = "JSON file", *, limit: int = MAX_JSON_BYTES) -> Any:
    """The value of the JSON file at ``path`` (UTF-8), or an :class:`InputError` naming the
    file (and line) for a missing, unreadable, too large or invalid file; ``what`` names
    the kind of file in messages ("coder file")."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found. Check the path and try again.") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file. Give the path of a file.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}). "
                         "Check the path and its permissions.") from None
    if len(data) > limit:
        raise InputError(f"{path}: the file is larger than {limit // (1024 * 1024)} MB, the limit for one file. "
                         "For a coder file, bring the coder's copy in with 'framework merge' instead.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not a valid {what}: it is not UTF-8 text (bad byte at offset "
                         f"{exc.start}). Write the file as UTF-8 and try again.") from None
    del data
    try:
        return parse_json(text)
    except JsonProblem as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise InputError(f"{path}: {at}not a valid {what}: it {exc.reason}.") from None

"""Reading zip archives and XML from other programs without trusting them.

Archives are read in memory, never extracted. A member whose name could escape a
folder (``..``, an absolute path, a drive letter, a backslash) refuses the whole
archive; so do too many members, members that expand too far, and archives that
expand beyond a total limit. The limits are checked against the bytes actually
decompressed, not only against the sizes the archive claims.

XML is parsed with ``defusedxml``: a document type declaration (and with it any
entity, internal or external) is refused, and nothing is fetched from the network.
Every problem becomes an :class:`InputError` that names the file and the problem.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from framework.errors import InputError

MAX_ARCHIVE_BYTES = 500 * 1024 * 1024
"""A compressed archive larger than this is refused unread."""
MAX_MEMBER_BYTES = 100 * 1024 * 1024
"""Largest decompressed size of one member."""
MAX_TOTAL_BYTES = 500 * 1024 * 1024
"""Largest decompressed size of all members read together."""
MAX_MEMBERS = 20_000
MAX_RATIO = 200
"""A member over ``RATIO_FLOOR`` bytes may not expand more than this many times."""
RATIO_FLOOR = 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def _fail(path: Path, kind: str, why: str) -> InputError:
    return InputError(f"{path}: not a usable {kind} file: {why}. Nothing was changed.")


def unsafe_name(name: str) -> str | None:
    """Why a member name could escape the folder it would be extracted to, or ``None``."""
    if "\x00" in name:
        return "contains a NUL character"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or _DRIVE.match(name):
        return "is an absolute path"
    if any(part == ".." for part in name.split("/")):
        return "points outside the archive's folder (..)"
    return None


def read_zip(
    path: Path,
    kind: str,
    want: Callable[[str], bool] = lambda name: True,
    *,
    member_limit: int = MAX_MEMBER_BYTES,
    total_limit: int = MAX_TOTAL_BYTES,
) -> dict[str, bytes]:
    """The members of the archive at ``path`` that ``want`` accepts, by name.

    ``kind`` (e.g. ``".qdpx"``) names the format in messages. Every member name is
    checked, wanted or not.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; check the path.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if not path.is_file():
        raise InputError(f"{path}: is a folder, not a {kind} file.")
    if size > MAX_ARCHIVE_BYTES:
        raise _fail(path, kind, f"the file is {size // 1048576} MB; the limit is {MAX_ARCHIVE_BYTES // 1048576} MB")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _fail(path, kind, f"the archive holds {len(infos)} entries (the limit is {MAX_MEMBERS})")
            for info in infos:
                why = unsafe_name(info.filename)
                if why:
                    raise _fail(path, kind, f"the entry {info.filename!r} {why}; refused as unsafe")
                if info.flag_bits & 0x1:
                    raise _fail(path, kind, f"the entry {info.filename!r} is encrypted")
            out: dict[str, bytes] = {}
            total = 0
            for info in infos:
                if info.is_dir() or not want(info.filename):
                    continue
                claimed = info.file_size
                if claimed > member_limit or (
                    claimed > RATIO_FLOOR and claimed > MAX_RATIO * max(info.compress_size, 1)
                ):
                    raise _fail(path, kind, f"the entry {info.filename!r} expands to {claimed} bytes "
                                            f"from {info.compress_size}; refused as a likely zip bomb")
                data = _read_member(archive, info, min(member_limit, total_limit - total))
                if data is None:
                    raise _fail(path, kind, f"the entry {info.filename!r} expands beyond the size limit; "
                                            "refused as a likely zip bomb")
                total += len(data)
                out[info.filename] = data
            return out
    except InputError:
        raise
    except zipfile.BadZipFile as exc:
        raise _fail(path, kind, f"the zip archive is damaged or this is not a zip file ({exc})") from None
    except (RuntimeError, OSError, ValueError, EOFError, zlib.error, NotImplementedError) as exc:
        raise _fail(path, kind, f"the zip archive cannot be read ({exc})") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or ``None`` when it decompresses to more than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(min(1 << 20, limit - size + 1))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def is_zip(path: Path) -> bool:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def parse_xml(data: bytes, where: str) -> Element:
    """The root element of ``data``; a DTD, entities or malformed XML raise ``InputError``."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"{where}: refused because the XML declares a document type or entities "
            f"({type(exc).__name__}); files from qualitative analysis programs never need them. "
            "Nothing was changed."
        ) from None
    except ParseError as exc:
        raise InputError(f"{where}: the XML is malformed ({exc}). Nothing was changed.") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: the XML cannot be read ({exc}). Nothing was changed.") from None

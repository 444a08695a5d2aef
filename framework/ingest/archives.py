"""Reading zip archives and XML from other programs without trusting them.

Every format that is a zip of XML parts (.docx, .odt, .xlsx, .qdpx, and the exports the
leak check reads) goes through :class:`Archive`. Archives are read, never extracted.
Before anything is read, the whole archive is refused when a member's name could escape
a folder (``..``, an absolute path, a drive letter, a backslash), when it holds too many
members or encrypted ones, or when the sizes its directory claims are those of a zip
bomb. While a member is read, its decompressed bytes are counted as they come, and the
read stops at the member's limit and at the archive's total, whatever the directory
claims.

XML is parsed by ``defusedxml``'s expat parser: a document type declaration is refused
the moment the parser meets it, wherever it sits in the part and whatever the part's
encoding (UTF-8, UTF-16...), so no entity, internal or external, is ever declared, and
nothing is fetched. Large parts are parsed as a stream (:meth:`Archive.feed`): the
caller's target sees start tags, text and end tags and keeps only what it needs, so
memory does not grow with the size of the part. A whole tree (:func:`parse_xml`) is
built only up to :data:`MAX_ELEMENTS` elements.

Every problem becomes an :class:`InputError` that names the file, the part and the
problem.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from framework.errors import InputError

MAX_ARCHIVE_BYTES = 500 * 1024 * 1024
"""A compressed archive larger than this is refused unread."""
MAX_MEMBER_BYTES = 100 * 1024 * 1024
"""Largest decompressed size of one member read whole or parsed into a tree."""
MAX_STREAM_BYTES = 512 * 1024 * 1024
"""Largest decompressed size of one member parsed as a stream (memory stays flat)."""
MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Largest decompressed size of all members kept in memory together (:func:`read_zip`)."""
MAX_CLAIMED_BYTES = 1024 * 1024 * 1024
"""Largest total of the sizes an archive's directory claims for all its members."""
MAX_MEMBERS = 20_000
MAX_RATIO = 200
"""A member over ``RATIO_FLOOR`` bytes may not claim to expand more than this many times."""
RATIO_FLOOR = 1024 * 1024
MAX_ELEMENTS = 1_000_000
"""Most elements one XML part may have when it is parsed into a tree."""
CHUNK = 64 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")
_NOTHING_CHANGED = "Nothing was changed."


def megabytes(size: int) -> str:
    """Size in MB with one decimal, rounded up so that a size over a limit never prints as
    equal to it; whole numbers without decimals ("50 MB")."""
    tenths = -(-size * 10 // (1024 * 1024))
    whole, part = divmod(tenths, 10)
    return f"{whole} MB" if part == 0 and size % (1024 * 1024) == 0 else f"{whole}.{part} MB"


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


def is_zip(path: Path) -> bool:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


# -- XML ---------------------------------------------------------------------------------------------


class XmlRefused(InputError):
    """An XML part declared a document type or entities."""


class XmlMalformed(InputError):
    """An XML part is not well-formed; ``reason`` is the parser's own words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _parser(target: Any) -> DefusedXMLParser:
    return DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def feed_xml(chunks: Iterable[bytes], target: Any, where: str) -> Any:
    """Parse the XML arriving in ``chunks`` into ``target`` (an object with ``start(tag,
    attrib)``, ``end(tag)``, ``data(text)`` and ``close()``, as for ElementTree's
    ``XMLParser``); returns ``target.close()``.

    A document type declaration raises :class:`XmlRefused`, malformed XML an
    :class:`InputError`; both name ``where``. Errors raised by the target pass through.
    """
    parser = _parser(target)
    if hasattr(target, "bind"):
        target.bind(parser.parser)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        return parser.close()
    except DefusedXmlException as exc:
        raise XmlRefused(
            f"{where}: refused because the XML declares a document type or entities "
            f"({type(exc).__name__}); files from qualitative analysis programs never need them. "
            f"{_NOTHING_CHANGED}"
        ) from None
    except ParseError as exc:
        raise XmlMalformed(f"{where}: the XML is malformed ({exc}). {_NOTHING_CHANGED}", str(exc)) from None
    except (ValueError, RecursionError, UnicodeError) as exc:
        raise InputError(f"{where}: the XML cannot be read ({exc}). {_NOTHING_CHANGED}") from None


class _BoundedTree:
    """ElementTree's tree builder, refusing to build more than ``limit`` elements."""

    def __init__(self, where: str, limit: int) -> None:
        self.builder = TreeBuilder()
        self.where, self.left = where, limit
        self.limit = limit

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        self.left -= 1
        if self.left < 0:
            raise InputError(f"{self.where}: the XML has more than {self.limit:,} elements; refused as too "
                             f"large to read safely. {_NOTHING_CHANGED}")
        return self.builder.start(tag, attrib)

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


class _Place:
    """Where an element sits among the paths :class:`ElementStream` hands over: the handler
    of this path, if any, and the places below it."""

    __slots__ = ("handler", "below", "any")

    def __init__(self) -> None:
        self.handler: Callable[[Element, Element], object] | None = None
        self.below: dict[str, _Place] = {}
        self.any: _Place | None = None

    def add(self, path: tuple[str, ...], handler: Callable[[Element, Element], object]) -> None:
        if not path:
            self.handler = handler
        elif path[0] == "*":
            self.any = self.any or _Place()
            self.any.add(path[1:], handler)
        else:
            self.below.setdefault(path[0], _Place()).add(path[1:], handler)


class ElementStream:
    """A streaming target that hands over whole elements as they end, then forgets them.

    Elements are built as ElementTree builds them, their tags without namespace
    (``Project``, not ``{urn:QDA-XML:project:1.0}Project``). When an element ends whose
    path from the root is a key of ``handlers`` (``("Project", "Notes", "Note")``; ``"*"``
    matches any name), the handler gets it and it is removed from its parent, so a part
    of any length is read holding only the element being read and what the handlers keep.
    A handler is called with the element and its parent (whose attributes are there, its
    children so far too). What no handler takes stays in the tree :meth:`close` returns.
    ``first`` gets the root element as soon as it starts (to refuse the wrong kind of file
    before reading on). More than ``max_elements`` elements raise ``InputError``.

    :func:`feed_xml` lets it take expat's events directly (:meth:`bind`), which reads
    about half as fast again as through ElementTree's parser; the refusal of document
    types and entities stays defusedxml's.
    """

    def __init__(self, handlers: dict[tuple[str, ...], Callable[[Element, Element], object]], where: str,
                 max_elements: int, first: Callable[[Element], object] | None = None) -> None:
        self.builder = TreeBuilder()
        self.data = self.builder.data  # text goes straight to the builder
        top = _Place()
        for path, handler in handlers.items():
            top.add(path, handler)
        self.places: list[_Place | None] = [top]
        self.elements: list[Element] = []
        self.where, self.limit, self.left = where, max_elements, max_elements
        self.first = first

    def bind(self, parser: Any) -> None:
        """Take the start, end and text events of ``parser`` (an expat parser made by
        ElementTree's ``XMLParser``: names as ``uri}name``) straight from expat."""
        parser.ordered_attributes = False
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        self.left -= 1
        if self.left < 0:
            raise InputError(f"{self.where}: the XML has more than {self.limit:,} elements; refused as too "
                             f"large to read safely. {_NOTHING_CHANGED}")
        name = tag.rsplit("}", 1)[-1]
        elem = self.builder.start(name, attrib)
        if not self.elements and self.first is not None:
            self.first(elem)
        place = self.places[-1]
        if place is not None:
            place = place.below.get(name) or place.any
        self.places.append(place)
        self.elements.append(elem)
        return elem

    def end(self, tag: str) -> Element:
        elem = self.builder.end(tag)
        self.elements.pop()
        place = self.places.pop()
        if place is not None and place.handler is not None and self.elements:
            place.handler(elem, self.elements[-1])
            del self.elements[-1][-1]
        return elem

    def close(self) -> Element:
        return self.builder.close()


def parse_xml(data: bytes, where: str, *, max_elements: int = MAX_ELEMENTS) -> Element:
    """The root element of ``data``; a DTD, entities, malformed XML or more than
    ``max_elements`` elements raise ``InputError`` naming ``where``."""
    return feed_xml((data[i:i + CHUNK] for i in range(0, len(data), CHUNK)), _BoundedTree(where, max_elements),
                    where)


# -- archives ----------------------------------------------------------------------------------------


class Archive:
    """A zip archive opened for reading, its members checked before any is read.

    ``kind`` (``".docx"``) names the format in messages. ``fix`` is the advice that ends
    them (``"Re-save it from Word and import again."``); without it a message says what
    is wrong with "a usable" file and that nothing was changed. Use as a context manager.
    """

    def __init__(self, path: Path | str, kind: str, fix: str | None = None, *,
                 total_limit: int = MAX_TOTAL_BYTES) -> None:
        self.path = Path(path)
        self.kind = kind
        self.fix = fix
        self.total_limit = total_limit
        self.total = 0
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}

    # -- messages --

    def damaged(self, why: str) -> InputError:
        """The error for an archive or member that cannot be used, saying ``why``."""
        if self.fix is None:
            return InputError(f"{self.path}: not a usable {self.kind} file: {why}. {_NOTHING_CHANGED}")
        return InputError(f"{self.path}: not a valid {self.kind} file ({why}). {self.fix}")

    def refused(self, why: str) -> InputError:
        """The error for an archive refused as hostile, saying ``why``."""
        return InputError(f"{self.path}: refused because {why}. {self.fix or _NOTHING_CHANGED}")

    # -- opening --

    def __enter__(self) -> Archive:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def _open(self) -> None:
        path = self.path
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise InputError(f"{path}: file not found. Check the path and try again.") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc}). "
                             "Check the path and its permissions.") from None
        if not path.is_file():
            raise InputError(f"{path}: is a folder, not a {self.kind} file.")
        if size > MAX_ARCHIVE_BYTES:
            raise self.damaged(f"the file is {megabytes(size)}; the limit is {megabytes(MAX_ARCHIVE_BYTES)}")
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except zipfile.BadZipFile:
            raise self.damaged(self._not_a_zip()) from None
        except (OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise self.damaged(f"the zip archive cannot be read: {exc}") from None
        try:
            self._check(infos)
        except InputError:
            self.__exit__()
            raise
        self._infos = {info.filename: info for info in infos if not info.is_dir()}

    def _not_a_zip(self) -> str:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except OSError:
            head = b""
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "it is an old binary Office file or a password-protected document, not a zip archive"
        return "the zip archive is damaged"

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        kind = self.kind
        if len(infos) > MAX_MEMBERS:
            raise self.damaged(f"the archive holds {len(infos):,} entries; the limit is {MAX_MEMBERS:,}")
        claimed = 0
        for info in infos:
            why = unsafe_name(info.filename)
            if why:
                raise self.refused(f"the archive entry {info.filename!r} {why}, which a real {kind} file never "
                                   "has (refused as unsafe)")
            if info.flag_bits & 0x1:
                raise self.damaged(f"the archive entry {info.filename!r} is encrypted")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise self.refused(f"part {info.filename!r} expands from {info.compress_size} bytes to "
                                   f"{megabytes(info.file_size)}, which is not how a real {kind} file is "
                                   "compressed (a likely zip bomb)")
            claimed += info.file_size
        if claimed > MAX_CLAIMED_BYTES:
            raise self.refused(f"its contents expand to {megabytes(claimed)}; the limit is "
                               f"{megabytes(MAX_CLAIMED_BYTES)} (a likely zip bomb)")

    # -- reading --

    @property
    def names(self) -> list[str]:
        """The names of the archive's files (not folders), in archive order."""
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def chunks(self, name: str, limit: int = MAX_MEMBER_BYTES) -> Iterator[bytes]:
        """The decompressed bytes of member ``name``, a chunk at a time, counted as they come:
        past ``limit`` bytes for this member, or past the archive's total, reading stops
        with an error."""
        if self._zip is None:
            raise RuntimeError("the archive is not open")
        info = self._infos.get(name)
        if info is None:
            raise self.damaged(f"{name} is missing")
        size = 0
        try:
            with self._zip.open(info) as handle:
                while True:
                    chunk = handle.read(CHUNK)
                    if not chunk:
                        return
                    size += len(chunk)
                    self.total += len(chunk)
                    if size > limit:
                        raise self.refused(f"part {name!r} expands beyond {megabytes(limit)} when read (its "
                                           f"header claims {megabytes(info.file_size)}; a likely zip bomb)")
                    if self.total > self.total_limit:
                        raise self.refused(f"its parts expand beyond {megabytes(self.total_limit)} in all when "
                                           "read (a likely zip bomb)")
                    yield chunk
        except zipfile.BadZipFile as exc:
            raise self.damaged(f"the zip archive is damaged: {exc}") from None
        except (OSError, EOFError, zlib.error, RuntimeError, NotImplementedError, ValueError) as exc:
            raise self.damaged(f"the zip archive cannot be read: {exc}") from None

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """All of member ``name``, read within ``limit`` (see :meth:`chunks`)."""
        return b"".join(self.chunks(name, limit))

    def parse(self, name: str, limit: int = MAX_MEMBER_BYTES, *, max_elements: int = MAX_ELEMENTS) -> Element:
        """Member ``name`` parsed into a tree (see :func:`parse_xml`)."""
        return self.feed(name, _BoundedTree(self._where(name), max_elements), limit)

    def feed(self, name: str, target: Any, limit: int = MAX_STREAM_BYTES) -> Any:
        """Parse member ``name`` as a stream into ``target`` (see :func:`feed_xml`)."""
        try:
            return feed_xml(self.chunks(name, limit), target, self._where(name))
        except XmlRefused:
            if self.fix is None:
                raise
            raise self.refused(f"part {name!r} declares a DTD or XML entities, which a real {self.kind} "
                               "file does not") from None
        except XmlMalformed as exc:
            if self.fix is None:
                raise
            raise self.damaged(f"{name} is not well-formed XML: {exc.reason}") from None

    def _where(self, name: str) -> str:
        return f"{self.path}: {name}"


def read_zip(
    path: Path,
    kind: str,
    want: Callable[[str], bool] = lambda name: True,
    *,
    member_limit: int = MAX_MEMBER_BYTES,
    total_limit: int = MAX_TOTAL_BYTES,
) -> dict[str, bytes]:
    """The members of the archive at ``path`` that ``want`` accepts, by name, read whole
    within ``member_limit`` each and ``total_limit`` together (see :class:`Archive`)."""
    with Archive(path, kind, total_limit=total_limit) as archive:
        return {name: archive.read(name, member_limit) for name in archive.names if want(name)}

"""REFI-QDA (QDA-XML 1.0) exchange: codebooks (``.qdc``) and projects (``.qdpx``).

A ``.qdpx`` file is a zip holding ``project.qde`` (the project as XML) and
``sources/<guid>.txt`` (each document's stored text, UTF-8, ``\\n`` line ends).
How this project maps onto the standard:

* themes are nested ``Code``s named ``"<id> <label>"`` (as in the framework charts),
  with ``Description`` holding the description and then, as paragraphs, ``Include: ...``
  and ``Exclude: ...``; the effective colour as ``color``;
* coders are ``Users``; each coding is a ``Coding`` (``creatingUser`` = its coder) inside
  the ``PlainTextSelection`` of its span, with its memo as a linked ``Note``;
* cases are ``Case``s with a ``VariableValue`` per attribute and a ``SourceRef`` per
  document; attributes are ``Variables`` (Integer or Float when every value is a number);
* chart summaries and memos are ``Notes``, linked with ``NoteRef`` from their theme's
  ``Code``, their document's ``TextSource`` or the project, and described in their
  ``Description`` (``framework chart summary; layer: ...``) so that they come back;
* GUIDs are uuid5 values from a namespace kept with the project (``meta``), so two
  exports of an unchanged project are byte for byte the same. The namespace is named in
  the file's ``origin`` so that theme ids can be recognised again on import. A
  pseudonymised export uses another namespace derived from the key, and does not name it.

This module holds what reading and writing share (names, identifiers, XML and zip helpers);
the entry points are in :mod:`framework.exchange.qdpx`, reading in :mod:`framework.exchange.read`
and :mod:`framework.exchange.importer`, writing in :mod:`framework.exchange.write`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from framework import fileio
from framework.errors import InputError
from framework.store import Store

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NAMESPACE_META = "refi_namespace"
ORIGIN = "framework"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CELL_MARK = "framework chart summary"
MEMO_MARK = "framework memo"
SURVEY_MARK = "Survey question: "

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ORIGIN_NS = re.compile(r"namespace ([0-9a-fA-F-]{36})")


# -- identifiers -------------------------------------------------------------------------------


def project_namespace(store: Store) -> uuid.UUID:
    """The project's GUID namespace, created (and kept) on first use."""
    value = store.get_meta(NAMESPACE_META)
    if value:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    ns = uuid.uuid4()
    store.set_meta(NAMESPACE_META, str(ns))
    return ns


def guid(namespace: uuid.UUID, kind: str, *parts: object) -> str:
    """A stable GUID for one entity: ``kind`` and its identifying parts."""
    return str(uuid.uuid5(namespace, "\x1f".join([kind, *map(str, parts)])))


UTF16 = "UTF-16 code units"
"""The counting ``export qdpx --positions nvivo`` writes (NVivo's own)."""
_ORIGIN_UNITS = re.compile(r"positions in (UTF-16 code units)")


def origin_text(namespace: uuid.UUID | None, units: str | None = None) -> str:
    """``framework (namespace ...)``, saying how positions are counted when not as the
    standard says (so that this program reads its own files right)."""
    parts = [f"namespace {namespace}"] if namespace else []
    if units:
        parts.append(f"positions in {units}")
    return f"{ORIGIN} ({'; '.join(parts)})" if parts else ORIGIN


def origin_units(origin: str | None) -> str | None:
    """The unit of positions named in an ``origin`` written by this program, if not code points."""
    if not origin or not origin.startswith(ORIGIN):
        return None
    found = _ORIGIN_UNITS.search(origin)
    return found.group(1) if found else None


def origin_namespace(origin: str | None) -> uuid.UUID | None:
    """The namespace named in an ``origin`` written by this program, if any."""
    if not origin or not origin.startswith(ORIGIN):
        return None
    found = _ORIGIN_NS.search(origin)
    return uuid.UUID(found.group(1)) if found else None


def code_name(theme_id: str, label: str) -> str:
    return f"{theme_id} {label}"


def theme_description(description: str, include: str, exclude: str) -> str:
    parts = [description] if description else []
    if include:
        parts.append(f"Include: {include}")
    if exclude:
        parts.append(f"Exclude: {exclude}")
    return "\n\n".join(parts)


def split_description(text: str) -> tuple[str, str, str]:
    """``(description, include, exclude)`` from a code's description (see the module)."""
    def take(rest: str, label: str) -> tuple[str, str]:
        marker = f"\n\n{label}: "
        if rest.startswith(f"{label}: "):
            return "", rest[len(label) + 2:]
        at = rest.rfind(marker)
        return (rest[:at], rest[at + len(marker):]) if at >= 0 else (rest, "")

    rest, exclude = take(text, "Exclude")
    rest, include = take(rest, "Include")
    return rest, include, exclude


def xml_text(text: str) -> str:
    """Text that XML can hold: no control characters; line ends as ``\\n``."""
    return _ILLEGAL_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def project_name(project: object) -> str:
    from framework.themes.validate import load_themes

    try:
        name = load_themes(project.themes_path).name  # type: ignore[attr-defined]
    except InputError:
        name = None
    return name or project.root.resolve().name  # type: ignore[attr-defined]


# -- results ------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    format: str
    themes: int = 0
    documents: int = 0
    codings: int = 0
    cases: int = 0
    notes: int = 0
    key_sha256: str | None = None
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.format == "qdc":
            return f"wrote {self.path}: {self.themes} codes"
        line = (f"wrote {self.path}: {self.documents} sources, {self.themes} codes, {self.codings} codings, "
                f"{self.cases} cases, {self.notes} notes")
        return line + (" (pseudonymised)" if self.key_sha256 else "")


# -- writing files ---------------------------------------------------------------------------------


def xml_bytes(root: ET.Element, namespace: str) -> bytes:
    """The document as UTF-8 bytes, ``namespace`` as the default namespace, indented."""
    prefix = f"{{{namespace}}}"
    for elem in root.iter():
        if elem.tag.startswith(prefix):
            elem.tag = elem.tag[len(prefix):]
    root.set("xmlns", namespace)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """A zip whose bytes depend only on ``members`` (fixed dates and permissions)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write an export file in one step, refusing a folder, a missing folder or one that
    cannot be written (see :func:`framework.fileio.check_writable`)."""
    fileio.check_writable(path)
    fileio.write_atomic(Path(path), data)


def log_export(store: Store, coder: str, fmt: str, path: Path, key_path: Path | None, key_sha256: str | None) -> None:
    with store.write():
        store.log(coder, "export", {
            "format": fmt, "file": str(path), "pseudonym_key": str(key_path) if key_path else None,
            "key_sha256": key_sha256,
        })


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

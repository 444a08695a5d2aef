"""Checking exported files for terms of a pseudonym key that are still there."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from xml.etree.ElementTree import Element

from framework.confidentiality.key import MAX_TEXT_BYTES, Pseudonymiser
from framework.errors import InputError

_BLOCK = {"p", "tc", "tr", "si", "c", "row", "br", "cr", "tab", "h", "list-item", "table-cell",
          "Description", "PlainTextContent", "Note", "Code", "Case", "TextSource", "title", "subject",
          "creator", "description", "keywords", "lastModifiedBy"}
_NAMED_ATTRIBUTES = {"name", "title", "descr", "alt"}
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "i", "mark", "q", "s", "small",
                "span", "strong", "sub", "sup", "u", "wbr"}
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*>|<!--.*?-->", re.S)


def _xml_text(root: Element) -> str:
    """The text of an XML part: runs joined as they are, block elements on their own lines,
    and name-like attributes (names of codes, sheets, images) on lines after."""
    body: list[str] = []
    extra: list[str] = []
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        elem, closing = stack.pop()
        tag = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else ""
        if closing:
            if tag in _BLOCK:
                body.append("\n")
            if elem.tail:
                body.append(elem.tail)
            continue
        for name, value in elem.attrib.items():
            if name.rsplit("}", 1)[-1] in _NAMED_ATTRIBUTES:
                extra.append(value)
        if elem.text:
            body.append(elem.text)
        stack.append((elem, True))
        stack.extend((child, False) for child in reversed(list(elem)))
    return "".join(body) + "\n" + "\n".join(extra)


def _html_text(text: str) -> str:
    def tag(m: re.Match[str]) -> str:
        return "" if m.group(2) and m.group(2).lower() in _INLINE_TAGS else "\n"

    return html.unescape(_TAG.sub(tag, text))


def export_text(path: Path) -> str:
    """The readable text of an export: plain text, CSV, Markdown, HTML, or any zip of XML
    and text parts (.docx, .xlsx, .odt, .qdpx)."""
    from framework.ingest.archives import is_zip, parse_xml, read_zip

    path = Path(path)
    if is_zip(path):
        parts = read_zip(path, path.suffix or "zip",
                         lambda n: n.lower().endswith((".xml", ".qde", ".txt", ".rels")) or "." not in n)
        texts = []
        for name in sorted(parts):
            data = parts[name]
            if name.lower().endswith(".txt"):
                texts.append(data.decode("utf-8", "replace"))
            elif data.lstrip()[:1] == b"<":
                texts.append(_xml_text(parse_xml(data, f"{path}: {name}")))
        return "\n".join(texts)
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise InputError(f"{path}: too large to check ({MAX_TEXT_BYTES // 1048576} MB limit).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    text = data.decode("utf-8-sig", "replace")
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return _html_text(text)
    if path.suffix.lower() in (".xml", ".qdc", ".qde"):
        return _xml_text(parse_xml(data, str(path)))
    return text


def check_counts(source: Path | str, key: Pseudonymiser | Path | str) -> Counter[str]:
    """How often each key term occurs in ``source``: a file (a ``Path``) or a text (a ``str``)."""
    if not isinstance(key, Pseudonymiser):
        key = Pseudonymiser.load(key)
    text = export_text(source) if isinstance(source, Path) else source
    return key.find(text)


def check(source: Path | str, key: Pseudonymiser | Path | str) -> list[str]:
    """The key terms still present in ``source`` (a ``Path`` to an export, or a text), in key order."""
    counts = check_counts(source, key)
    terms = key.terms if isinstance(key, Pseudonymiser) else Pseudonymiser.load(key).terms
    return [term for term in terms if counts[term]]

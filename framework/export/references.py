"""How pseudonymised exports name cases and documents, and what references to passages show.

A case id or a document name (``director_london_borough``, ``dir_london_01``) can identify
a participant as surely as a name. Pseudonymised exports therefore show every case by its
pseudonym, a *label*:

* the key's replacement when the key has a row for the whole case id (``dir_london`` ->
  ``[Case 1]``);
* otherwise ``[Case N]``, numbered in an order drawn from a random value kept in the
  project (never from the names, so the numbers hint at nothing), skipping numbers the key
  already uses. The numbers stay the same from one export to the next.

A document is shown by the key's replacement for its whole name, else by its case's label
(``[Case 3]``; ``[Case 3 #2]`` for the second document of a case with several).

References to passages (``[dir_london_01 L12-14]``, in cells, quotes and summaries) are
written one of three ways (``--refs``):

* ``pseudonymised``: the document's label and the lines: ``[[Case 3] L12-14]`` (the
  default of pseudonymised exports);
* ``none``: left out;
* ``full``: the document name as stored (with the key applied to it when pseudonymising).

``framework pseudonym labels`` lists the labels, for the team to find a passage again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from framework.confidentiality.key import Pseudonymiser, mark
from framework.errors import InputError
from framework.export.options import REFS
from framework.store import Store

SALT_META = "pseudonym_salt"
"""The project setting holding the random value label numbers are drawn from."""

_REFERENCE = re.compile(r"( ?)\[([^\[\]\n]+?) (L\d+(?:-\d+)?)\]")
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Labels:
    """Case id -> label and document name -> label (both bracketed, as exports show them)."""

    cases: dict[str, str]
    documents: dict[str, str]


def check_refs(refs: str, key: Pseudonymiser | None) -> str:
    """``refs`` if it can be used with ``key``."""
    if refs not in REFS:
        raise InputError(f"refs {refs!r}: choose one of {', '.join(REFS)}.")
    if refs == "pseudonymised" and key is None:
        raise InputError("pseudonymised references need a pseudonym key: add --pseudonymise KEY.csv "
                         "(or choose --refs none or full).")
    return refs


def default_refs(refs: str | None, key: Pseudonymiser | None) -> str:
    """The references to write: as asked, else ``pseudonymised`` with a key and ``full`` without."""
    return check_refs(refs or ("pseudonymised" if key is not None else "full"), key)


def _salt(store: Store) -> bytes:
    value = store.get_meta(SALT_META)
    if not value:
        value = secrets.token_hex(16)
        store.set_meta(SALT_META, value)
    return value.encode("ascii")


def _numbers(kind: str, taken: set[str]) -> Iterator[str]:
    n = 0
    while True:
        n += 1
        label = mark(f"{kind} {n}")
        if label.casefold() not in taken:
            yield label


def labels(store: Store, key: Pseudonymiser) -> Labels:
    """The label of every case and document of the project (see the module)."""
    salt = _salt(store)
    taken = {replacement.casefold() for _, replacement in key.entries}
    cases = store.cases.list()
    out: dict[str, str] = {}
    rest = []
    for case in cases:
        replacement = key.replacement_for(case.name)
        if replacement:
            out[case.name] = replacement
        else:
            rest.append(case.name)
    rest.sort(key=lambda name: hmac.new(salt, name.encode("utf-8"), hashlib.sha256).digest())
    out.update(zip(rest, _numbers("Case", taken)))
    by_case: dict[str, list[str]] = {}
    documents = store.documents.list()
    for d in documents:
        by_case.setdefault(d.case, []).append(d.name)
    docs: dict[str, str] = {}
    for d in documents:
        replacement = key.replacement_for(d.name)
        if replacement:
            docs[d.name] = replacement
            continue
        label = out.get(d.case) or mark("Case")
        mine = by_case[d.case]
        docs[d.name] = label if len(mine) == 1 else mark(f"{label[1:-1]} #{mine.index(d.name) + 1}")
    return Labels(out, docs)


def rewrite_references(text: str, refs: str, documents: dict[str, str]) -> str:
    """``text`` with references to the project's documents (``[dir_london_01 L12-14]``)
    shown as ``refs`` asks: through ``documents`` (every document name -> its label), left
    out, or as they are."""
    if refs == "full" or not documents or "[" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        space, name, lines = m.groups()
        if name not in documents:
            return m.group()
        return "" if refs == "none" else f"{space}[{documents[name]} {lines}]"

    return _REFERENCE.sub(one, text)


def natural(text: str) -> tuple:
    """A sort key that puts ``[Case 2]`` before ``[Case 10]``."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in _NUMBER.split(text))

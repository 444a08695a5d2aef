"""A four-paragraph document coded by two coders, shared by the team tests."""

from __future__ import annotations

from framework.coding import actions as coding
from framework.ingest.documents import import_paths

PARAS = ["Alpha alpha alpha.", "Beta beta beta beta.", "Gamma gamma gamma.", "Delta delta delta."]
TEXT = "\n\n".join(PARAS) + "\n"


def span(word: str) -> tuple[int, int]:
    """Where the paragraph starting with ``word`` is in ``TEXT``."""
    start = TEXT.index(word)
    return start, start + len(next(p for p in PARAS if p.startswith(word)))


def two_coders(project):
    """Import ``four.txt``; alice and bob both code 'Alpha' (2.1), alice 'Beta', bob 'Gamma'.
    Returns the project and the document."""
    store = project.store
    path = project.transcripts_dir / "four.txt"
    path.write_text(TEXT, encoding="utf-8")
    import_paths(store, [path], root=project.root)
    doc = store.documents.get("four")
    for who, words in (("alice", ["Alpha", "Beta"]), ("bob", ["Alpha", "Gamma"])):
        for w in words:
            coding.add_coding(store, who, doc.id, "2.1", *span(w))
    return project, doc

"""Large REFI-QDA projects written part by part, for the tests and ``bench/bench_exchange.py``.

:func:`write_large_qdpx` streams a ``project.qde`` into a ``.qdpx`` without holding it:
transcripts in ``sources/``, a two-level codebook, two coders, and as many codings and
notes as asked. The notes are of the three kinds other programs send: coding memos (a
``NoteRef`` from a ``Coding``, as NVivo writes them), annotations (a note holding its own ``PlainTextSelection``,
linked from its source, as QualCoder writes them) and project notes (journals).
:class:`LargeQdpx` says what an import must give back.
"""

from __future__ import annotations

import random
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

NS = "urn:QDA-XML:project:1.0"
WORDS = ("caseload supervision allocation agency vacancy team manager social worker family child adult "
         "assessment review duty referral training placement recruitment retention pressure budget the a "
         "of and to in we they it is was that have for on with as at by this but not are be").split()
CODERS = ("alice", "bob")


@dataclass
class LargeQdpx:
    """What :func:`write_large_qdpx` wrote, and so what importing it must give."""

    path: Path
    sources: int
    codings: int
    coding_memos: int
    annotations: int
    journals: int
    themes: int
    qde_bytes: int

    @property
    def notes(self) -> int:
        return self.coding_memos + self.annotations + self.journals


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _transcript(rng: random.Random, words: int) -> tuple[str, list[int], list[int]]:
    """A transcript, the offsets where its words start and where they end."""
    turns, count = [], 0
    while count < words:
        size = rng.randint(20, 160)
        speaker = "Interviewer" if len(turns) % 2 == 0 else "Respondent"
        turns.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(size)) + ".")
        count += size
    text = "\n\n".join(turns) + "\n"
    starts, ends, at = [], [], 0
    for piece in text.replace("\n", " ").split(" "):
        if piece.strip(".:"):
            starts.append(at)
            ends.append(at + len(piece.rstrip(".:")))
        at += len(piece) + 1
    return text, starts, ends


def _codebook(rng: random.Random, groups: int, per_group: int) -> tuple[str, list[str]]:
    parts, codable = ["<CodeBook><Codes>"], []
    for g in range(1, groups + 1):
        parts.append(f'<Code guid="{_guid(rng)}" name="Group {g}" isCodable="true">')
        for c in range(1, per_group + 1):
            code = _guid(rng)
            codable.append(code)
            parts.append(f'<Code guid="{code}" name="Topic {g}.{c}" isCodable="true"/>')
        parts.append("</Code>")
    parts.append("</Codes></CodeBook>")
    return "".join(parts), codable


def write_large_qdpx(path: Path, *, sources: int = 50, words: int = 9000, codings: int = 150_000,
                     notes: int = 100_000, seed: int = 3) -> LargeQdpx:
    """A ``.qdpx`` of ``sources`` transcripts holding ``codings`` codings (each on its own
    span, by one of two coders) and ``notes`` notes: half coding memos, a quarter
    annotations, a quarter project journals."""
    rng = random.Random(seed)
    memos, annotations = notes // 2, notes // 4
    journals = notes - memos - annotations
    users = {name: _guid(rng) for name in CODERS}
    codebook, codes = _codebook(rng, 6, 10)
    note_parts: list[str] = []
    project_refs: list[str] = []
    texts = [(_guid(rng), *_transcript(rng, words)) for _ in range(sources)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for sguid, text, _, _ in texts:
            archive.writestr(f"sources/{sguid}.txt", text.encode("utf-8"))
        with archive.open("project.qde", "w", force_zip64=True) as qde:
            def put(text: str) -> None:
                qde.write(text.encode("utf-8"))

            put(f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Large study" '
                'origin="Bench generator 1.0">\n<Users>')
            put("".join(f'<User guid="{g}" name="{name}"/>' for name, g in users.items()) + "</Users>\n")
            put(codebook + "\n<Sources>\n")
            written = 0
            for s, (sguid, text, starts, ends) in enumerate(texts):
                put(f'<TextSource guid="{sguid}" name="interview_{s:03d}" plainTextPath="internal://{sguid}.txt">\n')
                share = codings // sources + (s < codings % sources)
                spans: set[tuple[int, int, int]] = set()
                while len(spans) < share:
                    first = rng.randrange(len(starts) - 40)
                    spans.add((starts[first], ends[first + rng.randint(0, 30)], rng.randrange(len(codes))))
                for start, end, code in sorted(spans):
                    user = users[CODERS[written % 2]]
                    memo = ""
                    if written < memos:
                        note = _guid(rng)
                        memo = f"memo {written}: " + " ".join(rng.choices(WORDS, k=6))
                        note_parts.append(f'<Note guid="{note}" name="Memo {written}" creatingUser="{user}" '
                                          f'creationDateTime="2024-05-01T10:00:00Z"><PlainTextContent>{memo}'
                                          "</PlainTextContent></Note>\n")
                        memo_refs = f'<NoteRef targetGUID="{note}"/>'
                    put(f'<PlainTextSelection guid="{_guid(rng)}" name={quoteattr(text[start:end][:40])} '
                        f'startPosition="{start}" endPosition="{end}" creatingUser="{user}" '
                        'creationDateTime="2024-05-01T10:00:00Z">'
                        + f'<Coding guid="{_guid(rng)}" creatingUser="{user}">'
                        f'<CodeRef targetGUID="{codes[code]}"/>' + (memo_refs if memo else "")
                        + "</Coding></PlainTextSelection>\n")
                    written += 1
                share = annotations // sources + (s < annotations % sources)
                for n in range(share):
                    note = _guid(rng)
                    first = rng.randrange(len(starts) - 10)
                    note_parts.append(
                        f'<Note guid="{note}" name="Annotation {s}.{n}" creatingUser="{users["bob"]}" '
                        f'creationDateTime="2024-05-02T10:00:00Z"><PlainTextContent>annotation {s}.{n}: '
                        + " ".join(rng.choices(WORDS, k=6)) + "</PlainTextContent>"
                        f'<PlainTextSelection guid="{_guid(rng)}" startPosition="{starts[first]}" '
                        f'endPosition="{ends[first + rng.randint(0, 8)]}"/></Note>\n')
                    put(f'<NoteRef targetGUID="{note}"/>\n')
                put("</TextSource>\n")
            put("</Sources>\n<Notes>\n")
            for part in note_parts:
                put(part)
            note_parts.clear()
            for n in range(journals):
                note = _guid(rng)
                project_refs.append(note)
                put(f'<Note guid="{note}" name="Journal {n}" creatingUser="{users["alice"]}" '
                    f'creationDateTime="2024-05-03T10:00:00Z"><PlainTextContent>journal {n}: '
                    + " ".join(rng.choices(WORDS, k=12)) + "</PlainTextContent></Note>\n")
            put("</Notes>\n" + "".join(f'<NoteRef targetGUID="{g}"/>' for g in project_refs) + "\n</Project>\n")
        size = archive.getinfo("project.qde").file_size
    return LargeQdpx(path, sources, codings, memos, annotations, journals, 66, size)

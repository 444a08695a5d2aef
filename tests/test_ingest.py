"""Reading documents: decoding, newlines, paragraphs, speakers and file formats."""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.errors import InputError
from framework.ingest import archives
from framework.ingest.formats import (
    MAX_BYTES,
    SUPPORTED,
    ReadResult,
    content_hash,
    read_document,
)
from framework.ingest.text import (
    LINE_BREAKS,
    Paragraph,
    decode,
    detect_speaker,
    line_of,
    line_span,
    line_starts,
    normalise_newlines,
    paragraphs,
)

DATA = Path(__file__).parent / "data" / "ingest"


def raises(message: str):
    """Expect an InputError with exactly ``message``."""
    return pytest.raises(InputError, match="^" + re.escape(message) + "$")


def spans(text: str) -> list[tuple[str, str | None]]:
    return [(text[p.start : p.end], p.speaker) for p in paragraphs(text)]


# ---------------------------------------------------------------------------
# The layer stays independent of the interface and the database


def test_ingest_does_not_import_interface_or_database() -> None:
    import subprocess

    code = (
        "import sys, framework.ingest, framework.ingest.tables;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite_utils', 'sqlite3')"
        " or m.startswith(('framework.store', 'framework.tui'))];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------
# normalise_newlines


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("page one\x0cpage two", "page one\npage two"),
        ("a\vb\x1cc\x1dd\x1ee\x85f", "a\nb\nc\nd\ne\nf"),
        ("\ufeffHello\r\n", "Hello\n"),
        ("tab\there ünï 😀", "tab\there ünï 😀"),
        ("שלום עולם\r\nمرحبا", "שלום עולם\nمرحبا"),
        ("mid\ufeffdle", "mid\ufeffdle"),
        ("", ""),
    ],
)
def test_normalise_newlines(raw: str, expected: str) -> None:
    assert normalise_newlines(raw) == expected
    assert normalise_newlines(expected) == expected


@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\ufeff" + LINE_BREAKS))))
def test_normalise_newlines_agrees_with_splitlines(raw: str) -> None:
    text = normalise_newlines(raw)
    assert not any(ch in text for ch in LINE_BREAKS)
    unbommed = raw[1:] if raw.startswith("\ufeff") else raw
    assert text.splitlines() == unbommed.splitlines()
    assert "\n".join(text.splitlines()) + ("\n" if text.endswith("\n") else "") == text


def test_normalise_newlines_on_a_long_text() -> None:
    """(Its speed is measured by bench/bench_text.py.)"""
    text = ("Interviewer: a line of text é\r\n" * 400_000) + "\u2028"
    out = normalise_newlines(text)
    assert out.count("\n") == 400_001
    assert "\r" not in out and out.startswith("Interviewer: a line of text é\nInterviewer:")


# ---------------------------------------------------------------------------
# decode


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"plain ascii\n", "plain ascii\n", "utf-8"),
        ("café “quoted”\n".encode(), "café “quoted”\n", "utf-8"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", "café", "utf-8-sig"),
        (b"\xff\xfe" + "café\r\n".encode("utf-16-le"), "café\r\n", "utf-16-le"),
        (b"\xfe\xff" + "café 😀".encode("utf-16-be"), "café 😀", "utf-16-be"),
        (b"\xff\xfe\x00\x00" + "café".encode("utf-32-le"), "café", "utf-32-le"),
        (b"\x00\x00\xfe\xff" + "café".encode("utf-32-be"), "café", "utf-32-be"),
        ("Interviewer: hello there\n".encode("utf-16-le"), "Interviewer: hello there\n", "utf-16-le"),
        ("Interviewer: hello there\n".encode("utf-16-be"), "Interviewer: hello there\n", "utf-16-be"),
        (b"caf\xe9 \x93quoted\x94", "café “quoted”", "cp1252"),
        (b"na\xefve \x80 10\r\n", "naïve € 10\r\n", "cp1252"),
        (b"one stray \x07 bell in a longer line of ordinary text, which is fine", None, "utf-8"),
        (b"\xef\xbb\xbf\xef\xbb\xbfdouble", "double", "utf-8-sig"),
    ],
)
def test_decode(data: bytes, text: str | None, encoding: str) -> None:
    got_text, got_encoding = decode(data, "x.txt")
    assert got_encoding == encoding
    assert got_text == (text if text is not None else data.decode(encoding))
    assert "\ufffd" not in got_text


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\t \n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf \n", " \n".encode("utf-16")],
)
def test_decode_refuses_empty(data: bytes) -> None:
    reason = "0 bytes" if not data else "it contains only whitespace"
    with raises(f"interviews/a.txt is empty ({reason}). Check that you chose the right file."):
        decode(data, "interviews/a.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        b"%PDF-1.4\n\x00binary",
        bytes(range(256)),
        b"text\x01\x02\x03\x04\x05 with many control characters",
        b"\xff\xfe" + "nul\x00inside".encode("utf-16-le"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00",
    ],
)
def test_decode_refuses_binary(data: bytes) -> None:
    with raises(
        "data/photo.txt: looks like a binary file, not text. Choose a plain-text file "
        "(or save the document as .txt or .docx) and import again."
    ):
        decode(data, "data/photo.txt")


def test_decode_refuses_utf8_damaged_in_the_middle() -> None:
    # Valid UTF-8 ("é" as C3 A9) and then a lone Windows-1252 byte on line 3.
    data = "line one é\nline two\n".encode() + b"caf\xe9 three\n"
    with raises(
        "x.txt: mixes UTF-8 with another encoding (invalid UTF-8 byte 0xE9 at byte offset 24, "
        "line 3). Re-save it as UTF-8 text and import again."
    ):
        decode(data, "x.txt")


def test_decode_refuses_truncated_utf8_sequence() -> None:
    data = "ok “quote”\r\n".encode() + b"\xe2\x80"
    with raises(
        "x.txt: mixes UTF-8 with another encoding (invalid UTF-8 byte 0xE2 at byte offset 16, "
        "line 2). Re-save it as UTF-8 text and import again."
    ):
        decode(data, "x.txt")


def test_decode_refuses_bytes_undefined_in_cp1252() -> None:
    with raises(
        "x.txt: is neither UTF-8 nor Windows-1252 text (byte 0x81 at byte offset 7, line 2). "
        "Re-save it as UTF-8 text and import again."
    ):
        decode(b"abc\ndef\x81", "x.txt")


def test_decode_refuses_bad_utf8_after_bom() -> None:
    with raises(
        "x.txt: not valid UTF-8 text (bad bytes at byte offset 5, line 1). Re-save it as UTF-8 text and import again."
    ):
        decode(b"\xef\xbb\xbfab\xe9c", "x.txt")


def test_decode_refuses_bad_utf16() -> None:
    # A lone high surrogate.
    with raises(
        "x.txt: not valid UTF-16-LE text (bad bytes at byte offset 4, line 1). "
        "Re-save it as UTF-8 text and import again."
    ):
        decode(b"\xff\xfea\x00\x00\xd8b\x00", "x.txt")


# ---------------------------------------------------------------------------
# line numbers


def test_line_starts_and_line_of() -> None:
    text = "ab\n\ncd\nef"
    starts = line_starts(text)
    assert starts == [0, 3, 4, 7]
    assert [line_of(i, starts) for i in range(len(text) + 1)] == [1, 1, 1, 2, 3, 3, 3, 4, 4, 4]
    assert line_span(4, 9, starts) == (3, 4)
    assert line_span(4, 6, starts) == (3, 3)
    assert line_span(4, 7, starts) == (3, 3)  # the span ends with the newline of line 3
    assert line_span(5, 5, starts) == (3, 3)
    assert line_starts("") == [0]
    assert line_starts("x\n") == [0, 2]


@given(st.text(alphabet="ab\n"), st.data())
def test_line_of_matches_counting(text: str, data: st.DataObject) -> None:
    starts = line_starts(text)
    assert len(starts) == text.count("\n") + 1
    offset = data.draw(st.integers(0, len(text)))
    assert line_of(offset, starts) == text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------------------
# speakers


@pytest.mark.parametrize(
    ("line", "speaker", "label"),
    [
        ("Interviewer: How are you?", "Interviewer", "Interviewer:"),
        ("INTERVIEWER: How are you?", "INTERVIEWER", "INTERVIEWER:"),
        ("interviewer: lower-case role", "interviewer", "interviewer:"),
        ("Respondent:", "Respondent", "Respondent:"),
        ("P01: I think so.", "P01", "P01:"),
        ("Dr Smith: Good morning.", "Dr Smith", "Dr Smith:"),
        ("Dr. Anne Smith-Jones: Yes.", "Dr. Anne Smith-Jones", "Dr. Anne Smith-Jones:"),
        ("Mary O'Brien: hi", "Mary O'Brien", "Mary O'Brien:"),
        ("Ludwig van Beethoven: da", "Ludwig van Beethoven", "Ludwig van Beethoven:"),
        ("Participant 3: Well.", "Participant 3", "Participant 3:"),
        ("Speaker 2 : spaced colon", "Speaker 2", "Speaker 2 :"),
        ("Q: What happened?", "Q", "Q:"),
        ("A: Nothing.", "A", "A:"),
        ("I: Tell me more.", "I", "I:"),
        ("Émile Zola: Oui.", "Émile Zola", "Émile Zola:"),
        ("محمد: نعم", "محمد", "محمد:"),
        ("李明：是的", "李明", "李明："),
        ("[Interviewer] So tell me.", "Interviewer", "[Interviewer]"),
        ("[Interviewer]: So tell me.", "Interviewer", "[Interviewer]:"),
        ("[jane doe]: lower case in brackets with colon", "jane doe", "[jane doe]:"),
        ("[P2]", "P2", "[P2]"),
        ("<v Roger Bingham>We are in New York", "Roger Bingham", "<v Roger Bingham>"),
        ("<v.loud Mary>Shout", "Mary", "<v.loud Mary>"),
        ("[00:01:23] Interviewer: Welcome.", "Interviewer", "[00:01:23] Interviewer:"),
        ("00:01:23 Respondent: Thanks.", "Respondent", "00:01:23 Respondent:"),
        ("(12:03) [Sam]: ok", "Sam", "(12:03) [Sam]:"),
        ("John Smith  0:03", "John Smith", "John Smith  0:03"),
        ("Speaker 1 12:45", "Speaker 1", "Speaker 1 12:45"),
    ],
)
def test_speaker_labels(line: str, speaker: str, label: str) -> None:
    assert detect_speaker(line) == (speaker, len(label))
    text = "Header\n\n" + line
    para = paragraphs(text)[1]
    assert para.speaker == speaker
    assert text[para.start : para.label_end] == label


@pytest.mark.parametrize(
    "line",
    [
        "The problem was this: nobody listened.",
        "So I said: no way.",
        "Well I said: no",
        "We had three options: stay, go or wait.",
        "Note: the recording started late.",
        "NOTE: see above",
        "Date: 3 May 2023",
        "Location: Leeds",
        "Interview date: today",
        "Transcribed by: Sam",
        "So: what now?",
        "Yes: definitely",
        "10:30 was when we met",
        "http://example.org: a link",
        "Time:10:30",
        "[inaudible] and then we left",
        "[Laughs] yes",
        "[LAUGHTER]",
        "[inaudible]: x",
        "[00:01:23] and then",
        "[pause] Interviewer: hello",
        "<b>bold</b>",
        "One Two Three Four Five: too many words",
        "- Interviewer: dashed",
        "",
        "   ",
        "Interviewer",
        "Interviewer:no space after the colon",
    ],
)
def test_not_speaker_labels(line: str) -> None:
    assert detect_speaker(line) is None


def test_paragraphs_speakers_inherit_and_header_is_none() -> None:
    text = (
        "Interview 12\n"
        "Date: 3 May 2023\n"
        "\n"
        "Location: Leeds\n"
        "\n"
        "Interviewer: How did you start?\n"
        "\n"
        "Respondent: It began in 2019.\n"
        "   \n"
        "We moved house: a big change.\n"
        "\t\n"
        "INTERVIEWER: And then?\n"
        "second line of the same turn\n"
        "\n"
        "[P01] Then nothing.\n"
        "\n\n\n"
        "Q: Why?\n"
        "\n"
        "A: Because."
    )
    assert spans(text) == [
        ("Interview 12\nDate: 3 May 2023", None),
        ("Location: Leeds", None),
        ("Interviewer: How did you start?", "Interviewer"),
        ("Respondent: It began in 2019.", "Respondent"),
        ("We moved house: a big change.", "Respondent"),
        ("INTERVIEWER: And then?\nsecond line of the same turn", "INTERVIEWER"),
        ("[P01] Then nothing.", "P01"),
        ("Q: Why?", "Q"),
        ("A: Because.", "A"),
    ]
    paras = paragraphs(text)
    assert [p.label_end is not None for p in paras] == [False, False, True, True, False, True, True, True, True]
    assert paras[0] == Paragraph(0, 29, None, None)
    assert paras[2] == Paragraph(48, 79, "Interviewer", 60)


def test_paragraphs_trim_surrounding_whitespace() -> None:
    text = "  \n\t  first line  \n second\t\n \n\n  third  "
    assert paragraphs(text) == [
        Paragraph(6, 26, None, None),
        Paragraph(33, 38, None, None),
    ]
    assert text[6:26] == "first line  \n second"
    assert text[33:38] == "third"


def test_paragraphs_of_empty_and_blank_text() -> None:
    assert paragraphs("") == []
    assert paragraphs(" \n\t\n\u3000\n") == []
    assert paragraphs("x") == [Paragraph(0, 1, None, None)]


def test_paragraph_consisting_only_of_a_label() -> None:
    text = "INTERVIEWER:\n\nSo, tell me.\n\nRESPONDENT:\nWell."
    assert spans(text) == [
        ("INTERVIEWER:", "INTERVIEWER"),
        ("So, tell me.", "INTERVIEWER"),
        ("RESPONDENT:\nWell.", "RESPONDENT"),
    ]
    assert paragraphs(text)[0].label_end == 12


_TEXT_ALPHABET = st.sampled_from(
    ["a", "B", "é", "ש", " ", "\t", "\n", "\n", "\n", ":", "[", "]", "<", ">", "v", "\xa0", "\u3000", "Q", "1"]
    + list(LINE_BREAKS)
)


@settings(max_examples=300)
@given(st.lists(_TEXT_ALPHABET, max_size=80).map("".join))
def test_paragraph_invariants(raw: str) -> None:
    text = normalise_newlines(raw)
    paras = paragraphs(text)
    previous_end = -1
    covered = set()
    for p in paras:
        assert previous_end < p.start < p.end <= len(text)
        if previous_end >= 0:
            # paragraphs are separated by at least one blank line
            between = text[previous_end : p.start]
            assert any(not line.strip() for line in between.split("\n")[1:-1])
        body = text[p.start : p.end]
        assert not body[0].isspace() and not body[-1].isspace()
        assert all(line.strip() for line in body.split("\n"))
        if p.label_end is not None:
            assert p.start < p.label_end <= p.end
            assert detect_speaker(text, p.start) == (p.speaker, p.label_end)
        previous_end = p.end
        covered.update(range(p.start, p.end))
    # every non-whitespace character belongs to a paragraph
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_paragraphs_of_long_lines() -> None:
    """(Their speed is measured by bench/bench_text.py.)"""
    text = (
        " " * 300_000 + "\n" + "word " * 100_000 + "\n\n" + "Interviewer: " + "x" * 300_000 + ("\n \n" * 50_000) + "end"
    )
    paras = paragraphs(text)
    assert len(paras) == 3
    assert paras[1].speaker == paras[2].speaker == "Interviewer"


def test_paragraphs_of_many_short_turns() -> None:
    """(Their speed is measured by bench/bench_text.py.)"""
    text = "Interviewer: How?\n\nRespondent: Like this, you see.\n\n" * 100_000
    paras = paragraphs(text)
    assert len(paras) == 200_000
    assert paras[-1].speaker == "Respondent"


# ---------------------------------------------------------------------------
# read_document: plain text


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_read_txt_crlf_with_speakers(tmp_path: Path) -> None:
    path = write(tmp_path, "int01.txt", b"Interview 1\r\n\r\nInterviewer: Hi.\r\nRespondent: Hello.\r\n")
    result = read_document(path)
    assert result == ReadResult(
        text="Interview 1\n\nInterviewer: Hi.\nRespondent: Hello.\n",
        encoding="utf-8",
        format="txt",
        paragraphs=[Paragraph(0, 11, None, None), Paragraph(13, 48, "Interviewer", 25)],
        warnings=[],
    )


def test_read_md_kept_as_is(tmp_path: Path) -> None:
    source = "# Interview\n\n**Interviewer:** *Hello*\n\n- item\n"
    result = read_document(write(tmp_path, "notes.MD", source))
    assert result.text == source
    assert result.format == "md"
    assert [result.text[p.start : p.end] for p in result.paragraphs] == [
        "# Interview",
        "**Interviewer:** *Hello*",
        "- item",
    ]


def test_read_txt_cp1252_warns(tmp_path: Path) -> None:
    path = write(tmp_path, "old.txt", b"Respondent: caf\xe9 \x93quoted\x94\r\n")
    result = read_document(path)
    assert result.text == "Respondent: café “quoted”\n"
    assert result.encoding == "cp1252"
    assert result.warnings == [
        f"{path}: is not UTF-8; it was read as Windows-1252 (cp1252). "
        "Check that accented letters and quotes look right."
    ]
    assert result.paragraphs == [Paragraph(0, 25, "Respondent", 11)]


def test_read_txt_utf16_with_bom_and_unicode_newlines(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.txt", "\ufeffA: one\u2028two\r\n\r\nB: three\x0c".encode("utf-16-le"))
    result = read_document(path)
    assert result.text == "A: one\ntwo\n\nB: three\n"
    assert result.encoding == "utf-16-le"
    assert result.paragraphs == [Paragraph(0, 10, "A", 2), Paragraph(12, 20, "B", 14)]


def test_read_txt_refuses_empty_and_binary(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", b"")
    with raises(f"{empty} is empty (0 bytes). Check that you chose the right file."):
        read_document(empty)
    blank = write(tmp_path, "blank.txt", b" \r\n\t\n")
    with raises(f"{blank} is empty (it contains only whitespace). Check that you chose the right file."):
        read_document(blank)
    binary = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with raises(
        f"{binary}: looks like a binary file, not text. Choose a plain-text file "
        "(or save the document as .txt or .docx) and import again."
    ):
        read_document(binary)


def test_read_document_refuses_large_files_without_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: takes no disk space
    with raises(
        f"{path}: the file is 60 MB; the limit is 50 MB. Split it into smaller files and import them separately."
    ):
        read_document(path)
    with path.open("r+b") as fh:
        fh.truncate(MAX_BYTES + 1)
    with raises(
        f"{path}: the file is 50.1 MB; the limit is 50 MB. Split it into smaller files and import them separately."
    ):
        read_document(path)
    docx_path = tmp_path / "huge.docx"
    with docx_path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with raises(
        f"{docx_path}: the file is 50.1 MB; the limit is 50 MB. Split it into smaller files and import them separately."
    ):
        read_document(docx_path)


def test_read_document_unknown_suffix_missing_file_and_folder(tmp_path: Path) -> None:
    assert SUPPORTED == {".txt", ".md", ".docx", ".rtf", ".odt", ".vtt", ".srt"}
    pdf = write(tmp_path, "report.pdf", b"%PDF")
    with raises(
        f"{pdf}: cannot import .pdf. Supported: .docx, .md, .odt, .rtf, .srt, .txt, .vtt. "
        "Save the document in one of these formats."
    ):
        read_document(pdf)
    bare = write(tmp_path, "README", b"x")
    with raises(
        f"{bare}: cannot import files without a suffix. Supported: .docx, .md, .odt, .rtf, .srt, "
        ".txt, .vtt. Save the document in one of these formats."
    ):
        read_document(bare)
    missing = tmp_path / "missing.txt"
    with raises(f"{missing}: file not found. Check the path and try again."):
        read_document(missing)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with raises(f"{folder}: is a folder, not a file. Give the path of a file."):
        read_document(folder)


def test_content_hash() -> None:
    assert content_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert content_hash("a\r\nb") == content_hash("a\nb") == hashlib.sha256(b"a\nb").hexdigest()
    assert content_hash("\ufeffcafé") == hashlib.sha256("café".encode()).hexdigest()


# ---------------------------------------------------------------------------
# .docx


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Interview 4 – Leeds")
    document.add_paragraph("")
    document.add_paragraph("   ")
    document.add_paragraph("Interviewer: How did it start?")
    para = document.add_paragraph("Respondent: ")
    para.add_run("Slowly").bold = True
    para.add_run(", at first.")
    para.add_run().add_break()
    para.add_run("Then\tquickly.  ")
    para.add_run().add_break()
    para.add_run().add_break()
    para.add_run("After two breaks.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Site"
    table.cell(0, 1).text = "Leeds"
    table.cell(1, 0).text = ""
    table.cell(1, 1).text = "Interviewer: in a cell"
    document.add_paragraph("It was hard: really hard.")
    document.add_paragraph("ﺳﻼﻡ — שלום — 😀")
    document.save(path)
    return path


def test_read_docx(tmp_path: Path) -> None:
    result = read_document(make_docx(tmp_path / "int04.docx"))
    assert result.text == (
        "Interview 4 – Leeds\n\n"
        "Interviewer: How did it start?\n\n"
        "Respondent: Slowly, at first.\nThen\tquickly.\nAfter two breaks.\n\n"
        "Site\n\n"
        "Leeds\n\n"
        "Interviewer: in a cell\n\n"
        "It was hard: really hard.\n\n"
        "ﺳﻼﻡ — שלום — 😀"
    )
    assert result.encoding == "utf-8"
    assert result.format == "docx"
    assert result.warnings == []
    assert [(result.text[p.start : p.end], p.speaker) for p in result.paragraphs] == [
        ("Interview 4 – Leeds", None),
        ("Interviewer: How did it start?", "Interviewer"),
        ("Respondent: Slowly, at first.\nThen\tquickly.\nAfter two breaks.", "Respondent"),
        ("Site", "Respondent"),
        ("Leeds", "Respondent"),
        ("Interviewer: in a cell", "Interviewer"),
        ("It was hard: really hard.", "Interviewer"),
        ("ﺳﻼﻡ — שלום — 😀", "Interviewer"),
    ]
    assert result.paragraphs == paragraphs(result.text)


def test_read_docx_tracked_changes_accepted(tmp_path: Path) -> None:
    document = docx.Document()
    para = document.add_paragraph("Respondent: it was ")
    w = nsdecls("w")
    para._p.append(
        parse_xml(f'<w:ins {w} w:id="1" w:author="A"><w:r><w:t xml:space="preserve">very </w:t></w:r></w:ins>')
    )
    para._p.append(parse_xml(f'<w:del {w} w:id="2" w:author="A"><w:r><w:delText>not </w:delText></w:r></w:del>'))
    para._p.append(parse_xml(f"<w:r {w}><w:t>good</w:t><w:noBreakHyphen/><w:t>ish</w:t></w:r>"))
    path = tmp_path / "changes.docx"
    document.save(path)
    result = read_document(path)
    assert result.text == "Respondent: it was very good-ish"
    assert result.warnings == [
        f"{path}: contains tracked changes; the text was imported as if all changes were accepted."
    ]


def test_read_docx_text_box_once_after_its_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    para = document.add_paragraph("Anchor paragraph.")
    box = (
        '<w:r {w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        "<w:p><w:r><w:t>Box text</w:t></w:r></w:p>"
        "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    ).format(w=nsdecls("w"))
    para._p.append(parse_xml(box))
    document.add_paragraph("Next.")
    path = tmp_path / "box.docx"
    document.save(path)
    result = read_document(path)
    assert result.text == "Anchor paragraph.\n\nBox text\n\nNext."
    assert result.warnings == [f"{path}: text in text boxes was imported after the paragraph it is anchored to."]


def test_read_docx_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    document = docx.Document()
    document.add_paragraph("")
    document.save(path)
    with raises(f"{path}: contains no text. Check that you chose the right file."):
        read_document(path)


def test_read_docx_damaged(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    truncated = write(tmp_path, "x.docx", good[: len(good) // 2])
    with raises(
        f"{truncated}: not a valid .docx file (the zip archive is damaged). Re-save it from Word and import again."
    ):
        read_document(truncated)
    old = write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with raises(
        f"{old}: not a valid .docx file (it is an old binary Office file or a password-protected "
        "document, not a zip archive). "
        "Re-save it from Word and import again."
    ):
        read_document(old)
    not_word = tmp_path / "notword.docx"
    with zipfile.ZipFile(not_word, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"^.*notword\.docx: not a valid \.docx file \(.*\)\. Re-save it from Word"):
        read_document(not_word)


def test_read_docx_refuses_zip_bomb(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/zeros.bin", b"\x00" * (5 * 1024 * 1024))
    with zipfile.ZipFile(path) as zf:
        compressed = zf.getinfo("word/media/zeros.bin").compress_size
    with raises(
        f"{path}: refused because part 'word/media/zeros.bin' expands from {compressed} bytes to 5 MB, "
        "which is not how a real .docx file is compressed (a likely zip bomb). Re-save it from Word and import again."
    ):
        read_document(path)


def test_read_docx_refuses_xml_entities(tmp_path: Path) -> None:
    base = make_docx(tmp_path / "base.docx")
    with zipfile.ZipFile(base) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    declaration, rest = parts["word/document.xml"].decode().split("?>", 1)
    entities = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rest = rest.replace("Interview 4", "&b;&b;&b;&b;", 1)
    parts["word/document.xml"] = (declaration + "?>" + entities + rest).encode()
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with raises(
        f"{path}: refused because part 'word/document.xml' declares a DTD or XML entities, which a "
        "real .docx file does not. Re-save it from Word and import again."
    ):
        read_document(path)


def test_read_docx_refuses_too_much_uncompressed_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_docx(tmp_path / "big.docx")
    monkeypatch.setattr(archives, "MAX_CLAIMED_BYTES", 10 * 1024)
    with zipfile.ZipFile(path) as zf:
        total = sum(i.file_size for i in zf.infolist())
    size = archives.megabytes(total)
    with raises(
        f"{path}: refused because its contents expand to {size}; the limit is 0.1 MB (a likely zip bomb). "
        "Re-save it from Word and import again."
    ):
        read_document(path)


# ---------------------------------------------------------------------------
# .odt

ODT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2">'
)


def make_odt(path: Path, body: str, *, head: str = ODT_HEAD, mimetype: str | None = None) -> Path:
    content = head + "<office:body><office:text>" + body + "</office:text></office:body></office:document-content>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "mimetype",
            mimetype or "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content)
    return path


def test_read_odt(tmp_path: Path) -> None:
    body = (
        '<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Figure"/>'
        "</text:sequence-decls>"
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>'
        "<text:p>deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        '<text:h text:outline-level="1">Interview 9</text:h>'
        "<text:p/>"
        "<text:p>   </text:p>"
        "<text:p>Interviewer: <text:span>How   was</text:span>\n  it?"
        "<text:note><text:note-citation>1</text:note-citation>"
        "<text:note-body><text:p>A footnote</text:p></text:note-body></text:note></text:p>"
        '<text:p>Respondent:<text:s/>Good<text:s text:c="3"/>really.'
        "<text:line-break/>Second<text:tab/>line"
        "<office:annotation><dc:creator>Me</dc:creator><text:p>a comment</text:p></office:annotation></text:p>"
        "<text:list><text:list-item><text:p>Item <text:a>one</text:a></text:p></text:list-item></text:list>"
        "<table:table><table:table-row>"
        "<table:table-cell><text:p>Cell 1</text:p></table:table-cell>"
        "<table:table-cell><text:p>Interviewer: Cell 2</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        "<text:section><text:p>caf\u00e9 \u05e9\u05dc\u05d5\u05dd</text:p></text:section>"
    )
    result = read_document(make_odt(tmp_path / "int09.odt", body))
    assert result.text == (
        "Interview 9\n\n"
        "Interviewer: How was it?\n\n"
        "Respondent: Good   really.\nSecond\tline\n\n"
        "Item one\n\n"
        "Cell 1\n\n"
        "Interviewer: Cell 2\n\n"
        "café שלום"
    )
    assert result.format == "odt"
    assert [(result.text[p.start : p.end], p.speaker) for p in result.paragraphs] == [
        ("Interview 9", None),
        ("Interviewer: How was it?", "Interviewer"),
        ("Respondent: Good   really.\nSecond\tline", "Respondent"),
        ("Item one", "Respondent"),
        ("Cell 1", "Respondent"),
        ("Interviewer: Cell 2", "Interviewer"),
        ("café שלום", "Interviewer"),
    ]


def test_read_odt_space_count_is_capped(tmp_path: Path) -> None:
    path = make_odt(tmp_path / "spaces.odt", '<text:p>a<text:s text:c="999999999"/>b</text:p>')
    assert read_document(path).text == "a" + " " * 1000 + "b"


def test_read_odt_refuses_entity_expansion(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n' + ODT_HEAD.split("\n", 1)[1]
    )
    path = make_odt(tmp_path / "lol.odt", "<text:p>&lol3;</text:p>", head=laughs)
    with raises(
        f"{path}: refused because part 'content.xml' declares a DTD or XML entities, which a real "
        ".odt file does not. Re-save it from LibreOffice or Word and import again."
    ):
        read_document(path)
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + ODT_HEAD.split("\n", 1)[1]
    )
    path = make_odt(tmp_path / "xxe.odt", "<text:p>&xxe;</text:p>", head=external)
    with raises(
        f"{path}: refused because part 'content.xml' declares a DTD or XML entities, which a real "
        ".odt file does not. Re-save it from LibreOffice or Word and import again."
    ):
        read_document(path)


def test_read_odt_damaged_or_wrong_kind(tmp_path: Path) -> None:
    sheet = make_odt(
        tmp_path / "sheet.odt", "<text:p>x</text:p>", mimetype="application/vnd.oasis.opendocument.spreadsheet"
    )
    with raises(
        f"{sheet}: not a valid .odt file (it is a 'application/vnd.oasis.opendocument.spreadsheet' file, "
        "not a text document). Re-save it from LibreOffice or Word and import again."
    ):
        read_document(sheet)
    missing = tmp_path / "nocontent.odt"
    with zipfile.ZipFile(missing, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with raises(
        f"{missing}: not a valid .odt file (content.xml is missing). "
        "Re-save it from LibreOffice or Word and import again."
    ):
        read_document(missing)
    broken = tmp_path / "broken.odt"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("content.xml", "<office:document-content><unclosed>")
    with pytest.raises(
        InputError, match=r"broken\.odt: not a valid \.odt file \(content\.xml is not well-formed XML: "
    ):
        read_document(broken)
    garbage = write(tmp_path, "garbage.odt", b"PK\x03\x04 not really a zip")
    with raises(
        f"{garbage}: not a valid .odt file (the zip archive is damaged). "
        "Re-save it from LibreOffice or Word and import again."
    ):
        read_document(garbage)


def test_read_odt_refuses_zip_bomb(tmp_path: Path) -> None:
    path = make_odt(tmp_path / "bomb.odt", "<text:p>x</text:p>")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Pictures/zeros.bin", b"\x00" * (3 * 1024 * 1024))
    with zipfile.ZipFile(path) as zf:
        compressed = zf.getinfo("Pictures/zeros.bin").compress_size
    with raises(
        f"{path}: refused because part 'Pictures/zeros.bin' expands from {compressed} bytes to 3 MB, "
        "which is not how a real .odt file is compressed (a likely zip bomb). "
        "Re-save it from LibreOffice or Word and import again."
    ):
        read_document(path)


# ---------------------------------------------------------------------------
# .rtf

RTF = b"\r\n".join(
    [
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}",
        rb"{\info{\title Secret title}{\author Someone}}",
        rb"\viewkind4\uc1\pard\f0\fs22 Interview 2\par",
        rb"\par",
        rb"Interviewer: Did you like the caf\'e9?\par",
        rb"Respondent: \ldblquote Yes\rdblquote , it was \u8220?fine\u8221?.\line Second line.\par",
        rb"\par",
        rb"Emoji \u-10179?\u-8704? and tab\tab end\par",
        rb"}",
    ]
)


def test_read_rtf(tmp_path: Path) -> None:
    result = read_document(write(tmp_path, "int02.rtf", RTF))
    assert result.text == (
        "Interview 2\n\n"
        "Interviewer: Did you like the café?\n\n"
        "Respondent: “Yes”, it was “fine”.\nSecond line.\n\n"
        "Emoji 😀 and tab\tend"
    )
    assert result.encoding == "cp1252"
    assert result.format == "rtf"
    assert [(result.text[p.start : p.end], p.speaker) for p in result.paragraphs] == [
        ("Interview 2", None),
        ("Interviewer: Did you like the café?", "Interviewer"),
        ("Respondent: “Yes”, it was “fine”.\nSecond line.", "Respondent"),
        ("Emoji 😀 and tab\tend", "Respondent"),
    ]


def test_read_rtf_fixture_and_code_page(tmp_path: Path) -> None:
    result = read_document(DATA / "wordpad.rtf")
    assert result.text == "Interviewer: Как дела?\n\nRespondent: Хорошо, спасибо.\nИ вам.\n\nliteral \\line text"
    assert result.encoding == "cp1251"


def test_read_rtf_refuses_non_rtf(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.rtf", b"just text")
    with raises(
        f"{path}: not a valid .rtf file (it does not start with {{\\rtf). "
        "Re-save it as .rtf or .docx from your word processor and import again."
    ):
        read_document(path)
    empty = write(tmp_path, "empty.rtf", b"")
    with raises(f"{empty} is empty (0 bytes). Check that you chose the right file."):
        read_document(empty)
    no_text = write(tmp_path, "notext.rtf", rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par\par}")
    with raises(f"{no_text}: contains no text. Check that you chose the right file."):
        read_document(no_text)


# ---------------------------------------------------------------------------
# .vtt / .srt

VTT = """WEBVTT
Kind: captions
Language: en

NOTE
This note spans
two lines.

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:03.500
<v Jane Doe>Hello <b>and</b> welcome.</v>

2
00:00:03.500 --> 00:00:05.000 align:start position:10%
<v Jane Doe>How are you &amp; your team?

intro-cue
00:00:05.000 --> 00:00:07.000
<v.loud bob>Fine,
thanks.</v>

00:00:07.000 --> 00:00:08.000
<c.yellow>Still</c> <00:00:07.500>bob here.

00:00:08.000 --> 00:00:09.000
Interviewer: Next question?

00:00:09.000 --> 00:00:10.000
<v Jane Doe>Me again.</v><v Sam>Overlap.</v>
"""


def test_read_vtt(tmp_path: Path) -> None:
    result = read_document(write(tmp_path, "call.vtt", VTT))
    assert result.text == (
        "Jane Doe: Hello and welcome. How are you & your team?\n\n"
        "[bob]: Fine, thanks. Still bob here.\n\n"
        "Interviewer: Next question?\n\n"
        "Jane Doe: Me again.\n\n"
        "Sam: Overlap."
    )
    assert result.format == "vtt"
    assert [(p.speaker, result.text[p.start : p.label_end]) for p in result.paragraphs] == [
        ("Jane Doe", "Jane Doe:"),
        ("bob", "[bob]:"),
        ("Interviewer", "Interviewer:"),
        ("Jane Doe", "Jane Doe:"),
        ("Sam", "Sam:"),
    ]


def test_read_vtt_fixture_teams_export() -> None:
    result = read_document(DATA / "teams.vtt")
    assert result.text == (
        "[Smith, Anna]: Thanks for joining. Shall we start?\n\n[participant_02]: Yes, sure.\n\n[Smith, Anna]: Great."
    )
    assert [p.speaker for p in result.paragraphs] == ["Smith, Anna", "participant_02", "Smith, Anna"]


def test_read_vtt_without_speakers_keeps_cues_apart(tmp_path: Path) -> None:
    source = (
        "WEBVTT\n\n00:00.000 --> 00:01.000\nFirst cue\n\n"
        "00:01.000 --> 00:02.000\n[Music]\n\n00:02.000 --> 00:03.000\nSecond cue\n"
    )
    result = read_document(write(tmp_path, "plain.vtt", source))
    assert result.text == "First cue\n\n[Music]\n\nSecond cue"
    assert [p.speaker for p in result.paragraphs] == [None, None, None]


def test_read_vtt_without_cues(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.vtt", "WEBVTT\n\nNOTE nothing here\n")
    with raises(f"{path}: contains no subtitle cues (no lines with '-->' timings). Check that it is a .vtt file."):
        read_document(path)


SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>Hello</i> there.\r\n\r\n"
    '2\r\n00:00:02,000 --> 00:00:03,000\r\nJOHN: Hi, <font color="red">hello</font>.\r\n\r\n'
    "3\r\n00:00:03,000 --> 00:00:04,000\r\n{\\an8}how are you\r\n\r\n"
    "a line after a stray blank line\r\n\r\n"
    "4\r\n00:00:04,000 --> 00:00:05,000\r\nMARY: Fine.\r\nJOHN: Good.\r\n\r\n"
    "5\r\n00:00:05,000 --> 00:00:06,000\r\nDr Who:\r\nA label on its own line. &amp; stays\r\n"
)


def test_read_srt(tmp_path: Path) -> None:
    result = read_document(write(tmp_path, "film.srt", SRT))
    assert result.text == (
        "Hello there.\n\n"
        "JOHN: Hi, hello. how are you a line after a stray blank line\n\n"
        "MARY: Fine.\n\n"
        "JOHN: Good.\n\n"
        "Dr Who: A label on its own line. &amp; stays"
    )
    assert result.format == "srt"
    assert [p.speaker for p in result.paragraphs] == [None, "JOHN", "MARY", "JOHN", "Dr Who"]


def test_read_subtitles_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path, "old.srt", b"1\r\n00:00:01,000 --> 00:00:02,000\r\nAna: caf\xe9\r\n")
    result = read_document(path)
    assert result.text == "Ana: café"
    assert result.encoding == "cp1252"
    assert len(result.warnings) == 1


# ---------------------------------------------------------------------------
# fixtures agree with paragraphs()


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir()))
def test_fixture_paragraphs_match_stored_text(name: str) -> None:
    result = read_document(DATA / name)
    assert result.paragraphs == paragraphs(result.text)
    assert normalise_newlines(result.text) == result.text
    assert result.text == result.text.strip()

"""Reading files: documents into stored text, tables and JSON Lines into rows.

This layer only reads files and converts them; it does not touch the project
database or the user interface.
"""

from framework.ingest.formats import (
    MAX_BYTES,
    SUPPORTED,
    ReadResult,
    content_hash,
    read_document,
)
from framework.ingest.tables import JsonRecord, Table, read_jsonl, read_table
from framework.ingest.text import (
    Paragraph,
    decode,
    detect_speaker,
    line_of,
    line_span,
    line_starts,
    normalise_newlines,
    paragraphs,
)

__all__ = [
    "MAX_BYTES",
    "SUPPORTED",
    "JsonRecord",
    "Paragraph",
    "ReadResult",
    "Table",
    "content_hash",
    "decode",
    "detect_speaker",
    "line_of",
    "line_span",
    "line_starts",
    "normalise_newlines",
    "paragraphs",
    "read_document",
    "read_jsonl",
    "read_table",
]

"""Indexing: coding actions with undo and redo, placing quotes in text, and coders' own files."""

"""The choices an export offers (light: the command line builds its options from them)."""

FORMATS = ("xlsx", "docx", "html", "md", "csv")
"""Formats of chart exports."""
TABLE_FORMATS = ("md", "csv")
"""Formats that also give the long and the presence tables."""
CELL_MODES = ("summaries", "extracts", "both")
"""What chart cells hold: the analysts' summaries, the coded passages, or both."""
QUOTE_FORMATS = ("docx", "md", "csv")
"""Formats of quotation exports."""
DEFAULT_PATTERN = "[{case}]"
"""How a quotation is attributed unless a pattern is given."""
REFS = ("none", "pseudonymised", "full")
"""How references to passages are written: left out, through the pseudonym key, or as stored."""

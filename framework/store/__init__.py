"""The project store: one SQLite database per project, owned by this package."""

from .db import Store, now
from .model import (
    CONSENSUS,
    Action,
    Attribute,
    Case,
    ChartCell,
    Coding,
    Document,
    Memo,
    Theme,
    Unit,
)
from .repo import NewDocument

__all__ = [
    "CONSENSUS", "Action", "Attribute", "Case", "ChartCell", "Coding", "Document", "Memo",
    "NewDocument", "Store", "Theme", "Unit", "now",
]

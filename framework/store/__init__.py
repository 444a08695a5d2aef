"""The project store: one SQLite database per project, owned by this package."""

from framework.store.db import Store
from framework.store.model import (
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
    now,
)
from framework.store.repo import NewDocument

__all__ = [
    "CONSENSUS", "Action", "Attribute", "Case", "ChartCell", "Coding", "Document", "Memo",
    "NewDocument", "Store", "Theme", "Unit", "now",
]

"""The project store: one SQLite database per project, owned by this package.

``Store`` (the connection, in :mod:`framework.store.db`), the row dataclasses
(:mod:`framework.store.model`) and ``NewDocument`` (:mod:`framework.store.repo`) are
found in their modules when first used, so that importing a light module of the
package (the row types, say) does not load SQLite's helpers.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Store": "db",
    "NewDocument": "repo",
    **dict.fromkeys(("CONSENSUS", "Action", "Attribute", "Case", "ChartCell", "Coding", "Document", "Memo",
                     "Theme", "Unit", "now", "SYSTEM_CODERS", "people"), "model"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'framework.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"framework.store.{module}"), name)

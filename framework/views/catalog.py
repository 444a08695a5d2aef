"""The thematic framework as the interface needs it: paths, colours, search, recent themes.

Plain Python (no Textual): built from the store's :class:`~framework.store.Theme` rows
by a worker and handed to the screens, which never query the store themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from framework.store import Theme

RECENT_SIZE = 9
"""How many recently used themes the number keys reach."""
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class Match:
    """A theme found by :meth:`ThemeCatalog.search`, with its score (higher is better)."""

    theme: Theme
    score: float


@dataclass
class ThemeCatalog:
    """The project's themes, in framework order, with lookups by id."""

    themes: list[Theme] = field(default_factory=list)
    usage: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per theme id: codings in the whole project (all coders) and cases they are in."""

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.themes}
        self._paths: dict[str, tuple[str, ...]] = {}
        self._depths: dict[str, int] = {}
        self.children: dict[str | None, list[Theme]] = {}
        for theme in self.themes:
            parent = theme.parent_id if theme.parent_id in self.by_id else None
            self.children.setdefault(parent, []).append(theme)

    def __len__(self) -> int:
        return len(self.themes)

    def get(self, theme_id: str) -> Theme | None:
        return self.by_id.get(theme_id)

    def active(self) -> list[Theme]:
        """Themes that can be applied (not archived), in framework order."""
        return [t for t in self.themes if not t.archived]

    def path(self, theme_id: str) -> tuple[str, ...]:
        """Labels from the top-level theme down to this one."""
        if theme_id not in self._paths:
            labels: list[str] = []
            seen: set[str] = set()
            current = self.by_id.get(theme_id)
            while current is not None and current.id not in seen:
                seen.add(current.id)
                labels.append(current.label)
                current = self.by_id.get(current.parent_id) if current.parent_id else None
            self._paths[theme_id] = tuple(reversed(labels))
        return self._paths[theme_id]

    def path_text(self, theme_id: str) -> str:
        return PATH_SEPARATOR.join(self.path(theme_id)) or theme_id

    def depth(self, theme_id: str) -> int:
        return max(0, len(self.path(theme_id)) - 1)

    def colour(self, theme_id: str) -> str:
        theme = self.by_id.get(theme_id)
        return theme.colour if theme and theme.colour else "#808080"

    def descendants(self, theme_id: str) -> list[str]:
        """The theme's id and the ids of every theme below it."""
        out: list[str] = []
        stack = [theme_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed([c.id for c in self.children.get(current, [])]))
        return out

    def title(self, theme_id: str) -> str:
        theme = self.by_id.get(theme_id)
        return f"{theme_id} {theme.label}" if theme else theme_id

    # -- searching ---------------------------------------------------------------------

    def search(self, query: str, *, limit: int | None = None, cutoff: float = 62.0) -> list[Match]:
        """Active themes matching ``query``: id prefix first, then fuzzy label, path, description."""
        themes = self.active()
        raw = query.strip().lower()
        needle = utils.default_process(query)
        if not raw:
            return [Match(t, 0.0) for t in themes][:limit]
        found: list[Match] = []
        for theme in themes:
            score = _score(raw, needle, theme, self.path_text(theme.id))
            if score >= cutoff:
                found.append(Match(theme, score))
        if found:
            floor = 0.75 * max(m.score for m in found)
            found = [m for m in found if m.score >= floor]
        found.sort(key=lambda m: (-m.score, m.theme.position))
        return found[:limit] if limit else found

    # -- recent themes ---------------------------------------------------------------------

    def recent_valid(self, recent: Sequence[str]) -> list[str]:
        """``recent`` without ids that are unknown or archived, at most nine."""
        usable = [tid for tid in recent if tid in self.by_id and not self.by_id[tid].archived]
        return list(dict.fromkeys(usable))[:RECENT_SIZE]


def _word_start(needle: str, text: str) -> bool:
    return text.startswith(needle) or f" {needle}" in text


def _score(raw: str, needle: str, theme: Theme, path: str) -> float:
    """How well ``raw`` (as typed) / ``needle`` (normalised) fits a theme; 0 for no match."""
    theme_id = theme.id.lower()
    if theme_id == raw:
        return 200.0
    if theme_id.startswith(raw) and not raw.isalpha():
        return 150.0 - len(theme_id)
    if not needle:
        return 0.0
    label = utils.default_process(theme.label)
    where = utils.default_process(path)
    about = utils.default_process(f"{theme.description} {theme.include}")
    if len(needle) < 4:  # too short for typo tolerance: words that start with it
        if _word_start(needle, label):
            return 120.0
        if _word_start(needle, where):
            return 90.0
        return 70.0 if _word_start(needle, about) else 0.0
    if label.startswith(needle):
        return 120.0
    if needle in label:
        return 110.0
    best = max(fuzz.WRatio(needle, label), fuzz.partial_ratio(needle, label))
    best = max(best, 0.9 * fuzz.partial_ratio(needle, where))
    if about:
        best = max(best, 0.85 * fuzz.partial_ratio(needle, about))
    return best


def push_recent(recent: Iterable[str], theme_id: str) -> list[str]:
    """``recent`` with ``theme_id`` moved to the front, at most nine."""
    return [theme_id, *[t for t in recent if t != theme_id]][:RECENT_SIZE]


def suggest_id(catalog: ThemeCatalog, parent_id: str | None) -> str:
    """A free id for a new theme: the next number under ``parent_id`` (``"5.9"`` after ``"5.8"``)."""
    siblings = [t.id for t in catalog.children.get(parent_id, [])]
    prefix = f"{parent_id}." if parent_id else ""
    numbers = []
    for sid in siblings:
        tail = sid[len(prefix):] if sid.startswith(prefix) else ""
        if tail.isdigit():
            numbers.append(int(tail))
    candidate = max(numbers, default=0) + 1
    while f"{prefix}{candidate}" in catalog.by_id:
        candidate += 1
    return f"{prefix}{candidate}"

"""The side panel: the thematic framework as a tree with counts for this document and the project."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from framework.views.catalog import ThemeCatalog
from framework.views.workbench import rolled_up


class ThemeTree(Tree[str]):
    """Themes and subthemes with a colour swatch, this document's count and the project's count.

    ``doc`` counts are the codings shown in the reader (own, plus others' when shown);
    ``all`` counts the project's codings (the catalog's usage). A theme's counts include
    the themes below it.
    """

    DEFAULT_CSS = """
    ThemeTree {
        background: $panel;
        padding: 0 1 0 0;
        & > .tree--guides { color: $foreground 30%; }
    }
    """

    @dataclass
    class Chosen(Message):
        """A theme was chosen (Enter or click) in the tree."""

        theme_id: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("Themes", id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 2
        self.catalog = ThemeCatalog()
        self.doc_counts: dict[str, int] = {}
        self._here: dict[str, int] = {}
        self._all: dict[str, int] = {}
        self._theme_nodes: dict[str, TreeNode[str]] = {}

    def set_catalog(self, catalog: ThemeCatalog) -> None:
        expanded = {tid for tid, node in self._theme_nodes.items() if node.is_expanded}
        first = not self._theme_nodes
        self.catalog = catalog
        self._recount()
        self.clear()
        self._theme_nodes = {}

        def add(parent: TreeNode[str], theme_id: str | None) -> None:
            for theme in catalog.children.get(theme_id, []):
                kids = catalog.children.get(theme.id, [])
                node = parent.add(self._label(theme.id), data=theme.id, allow_expand=bool(kids),
                                  expand=first or theme.id in expanded)
                self._theme_nodes[theme.id] = node
                add(node, theme.id)

        add(self.root, None)

    def set_counts(self, doc_counts: dict[str, int]) -> None:
        self.doc_counts = doc_counts
        self._recount()
        for theme_id, node in self._theme_nodes.items():
            label = self._label(theme_id)
            if label != node.label:
                node.set_label(label)

    def _recount(self) -> None:
        """The counts shown: this document's and the project's, rolled up the tree."""
        self._here = rolled_up(self.catalog, self.doc_counts)
        self._all = rolled_up(self.catalog, {tid: n for tid, (n, _cases) in self.catalog.usage.items()})

    def counts(self, theme_id: str) -> tuple[int, int]:
        """What the panel shows for a theme: (here, all), each with the themes below it."""
        return self._here.get(theme_id, 0), self._all.get(theme_id, 0)

    def _label(self, theme_id: str) -> Text:
        theme = self.catalog.get(theme_id)
        label = theme.label if theme else theme_id
        here, total = self.counts(theme_id)
        counts = f" {here}/{total}"
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("■ ", style=self.catalog.colour(theme_id))
        text.append(f"{theme_id} ", style="bold")
        text.append(label, style="dim" if theme and theme.archived else "")
        room = self.size.width - 4 - self.guide_depth * self.catalog.depth(theme_id) - len(counts)
        if room > 8:
            text.truncate(room, overflow="ellipsis", pad=True)
        text.append(counts, style="bold" if here else "dim")
        return text

    def on_resize(self) -> None:
        self.set_counts(self.doc_counts)

    def select_theme(self, theme_id: str) -> None:
        node = self._theme_nodes.get(theme_id)
        if node is not None:
            self.move_cursor(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.Chosen(event.node.data))

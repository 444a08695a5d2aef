"""The command palette offers every action bound to a key on the current screen."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

HIDDEN_ACTIONS = {"command_palette"}


class ActionsProvider(Provider):
    """Every binding active where the palette was opened, by its description, with its key."""

    def _actions(self) -> Iterator[tuple[str, str, DOMNode, Binding]]:
        seen: set[tuple[str, int]] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or binding.action in HIDDEN_ACTIONS or not binding.description:
                continue
            mark = (binding.action, id(active.node))
            if mark in seen:
                continue
            seen.add(mark)
            title = binding.tooltip or binding.description
            yield title, self.app.get_key_display(binding), active.node, binding

    async def discover(self) -> Hits:
        for title, key, node, binding in sorted(self._actions(), key=lambda a: a[0].lower()):
            yield DiscoveryHit(title, partial(self.app.run_action, binding.action, node), help=f"key: {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, key, node, binding in self._actions():
            score = matcher.match(f"{title} {binding.description}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, binding.action, node),
                          help=f"key: {key}")

"""Helpers for the Pilot tests: run a scenario, wait for workers, find the screens."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

SIZE = (100, 30)


def scenario(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body with asyncio (no plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


async def settle(pilot: Pilot) -> None:
    """Wait until every worker (loads, writes, and what their results start) has finished."""
    app = pilot.app
    for _ in range(30):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers) and app.gate.idle:
            return
    raise AssertionError("workers did not settle")


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])
    await settle(pilot)


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (timers and workers included), at most ``timeout`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the app never reached the expected state")
        await pilot.pause(0.05)
    await settle(pilot)


async def still(pilot: Pilot) -> None:
    """Settle, stop cursors blinking and wait for the footer to show the screen's keys, for a snapshot.

    The footer rebuilds itself after a refresh once the screen's keys change; on a busy
    machine a snapshot could otherwise be taken before that, with the keys of a moment earlier.
    """
    await settle(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    for _ in range(100):
        await pilot.pause()
        if _footer_caught_up(pilot.app.screen):
            return
    raise AssertionError("the footer did not catch up with the screen's keys")


def _footer_caught_up(screen) -> bool:
    """Whether every footer on ``screen`` shows exactly the keys the screen has now."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    palette = screen.app.COMMAND_PALETTE_BINDING
    wanted = list(dict.fromkeys(
        (binding.action, not enabled) for key, (_, binding, enabled, _) in screen.active_bindings.items()
        if binding.show and key != palette))
    for footer in screen.query(Footer):
        shown = [(k.action, k.disabled) for k in footer.query(FooterKey) if "-command-palette" not in k.classes]
        if list(dict.fromkeys(shown)) != wanted:
            return False
    return True

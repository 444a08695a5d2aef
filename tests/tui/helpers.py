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
    """Settle, then stop cursors blinking, for a snapshot."""
    await settle(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()

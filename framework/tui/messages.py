"""Messages the app sends to every open screen."""

from __future__ import annotations

from textual.message import Message


class ProjectChanged(Message):
    """Another process (or another coder in the same project folder) committed changes.

    The app posts it to every screen on the stack; a screen that shows project data
    reloads what it shows. It does not bubble: a screen that does not handle it ignores it.
    """

    bubble = False

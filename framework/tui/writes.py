"""Running the user's actions one at a time, in the order they were asked for."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class WriteGate:
    """Tickets handed out on the UI thread; each writing thread waits for its turn.

    Every user action is its own committed transaction (the core sees to that); the gate
    keeps quick successive actions (code, then undo) in the order the keys were pressed,
    although each runs in its own thread worker.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._issued = 0
        self._serving = 0

    def ticket(self) -> int:
        with self._condition:
            ticket = self._issued
            self._issued += 1
            return ticket

    @contextlib.contextmanager
    def turn(self, ticket: int) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: self._serving >= ticket)
        try:
            yield
        finally:
            with self._condition:
                self._serving = max(self._serving, ticket + 1)
                self._condition.notify_all()

    @property
    def idle(self) -> bool:
        with self._condition:
            return self._serving >= self._issued

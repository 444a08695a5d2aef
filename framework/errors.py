"""Errors a user can act on.

Every problem caused by input (a file, a row, a line, an option) is raised as a
``FrameworkError`` whose message names the place and says what to do. The command
line prints the message and exits with status 1; the TUI shows it as a notification.
"""

from __future__ import annotations


class FrameworkError(Exception):
    """A user-facing error: the message names the file/row/line and what to do."""


class InputError(FrameworkError):
    """A file or value given by the user cannot be used as it is."""


class StoreError(FrameworkError):
    """The project database cannot be opened or written (locked, newer version...)."""

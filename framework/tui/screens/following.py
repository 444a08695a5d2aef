"""Screens that read again what they show when another process changes the project.

The app looks every second whether anything else committed to the project database
(SQLite's ``data_version``) and posts :class:`~framework.tui.messages.ProjectChanged` to
every screen. A screen built on :class:`FollowsProject` says how it reads its data again
(:meth:`FollowsProject.project_changed`); the mixin decides when: at once while the screen
is shown (also behind a dialog), else once, when the screen comes back, so that a chart
covered by the cell editor is not rebuilt at every change a colleague makes.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events, on
from textual.screen import ModalScreen, Screen

from framework.tui.messages import ProjectChanged

ResultType = TypeVar("ResultType")


class FollowsProject(Screen[ResultType]):
    """A screen of project data that keeps up with changes made by other processes."""

    changed_while_covered = False
    """A change came while another screen covered this one: read again when it comes back."""

    def project_changed(self) -> None:
        """Read again what the screen shows, keeping the user's place (each screen says how)."""
        raise NotImplementedError

    @property
    def is_shown(self) -> bool:
        """On top, or under dialogs only (Textual's ``is_current`` also counts the screen under the top one)."""
        for screen in reversed(self.app.screen_stack):
            if screen is self:
                return True
            if not isinstance(screen, ModalScreen):
                return False
        return False

    @on(ProjectChanged)
    def _follow_project(self) -> None:
        if self.is_shown:
            self.project_changed()
        else:
            self.changed_while_covered = True

    @on(events.ScreenResume)
    def _catch_up(self) -> None:
        if self.changed_while_covered:
            self.changed_while_covered = False
            self.project_changed()

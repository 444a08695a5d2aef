"""SVG snapshots of the analysis screens (pytest-textual-snapshot); refresh with --snapshot-update."""

from __future__ import annotations

import pytest

from framework.tui.screens.agreement import AgreementScreen
from framework.tui.screens.mapping import MappingScreen
from framework.tui.screens.matrix import MatrixScreen
from framework.tui.screens.review import ReviewScreen

from .helpers import settle, still
from .test_analysis_screens import case_id, study  # noqa: F401  (the fixture)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SIZE = (100, 30)
SMALL = (80, 24)



def showing(screen, *keys: str, theme: str | None = None):
    """A ``run_before`` that pushes ``screen`` once the app has started, then presses ``keys``."""

    async def before(pilot) -> None:
        if theme:
            pilot.app.theme = theme
        await settle(pilot)
        pilot.app.push_screen(screen)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await still(pilot)

    return before


def test_matrix_screen(snap_compare, make, study) -> None:  # noqa: F811
    study.save_setting("matrix_group_by", ["service", "authority"])
    assert snap_compare(make(), terminal_size=SIZE, run_before=showing(MatrixScreen(chart="2"), "down", "down"))


def test_matrix_all_themes_small_light(snap_compare, make, study) -> None:  # noqa: F811
    screen = MatrixScreen()
    assert snap_compare(make(), terminal_size=SMALL,
                        run_before=showing(screen, "c", "4", "down", theme="textual-light"))


def test_cell_editor(snap_compare, make, study) -> None:  # noqa: F811
    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(MatrixScreen(chart="2"))
        await settle(pilot)
        table = pilot.app.screen.table
        table.move_cursor(row=table.get_row_index(f"case:{case_id(study, 'int_07')}"),
                          column=table.get_column_index("2.1"), animate=False)
        await settle(pilot)
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(make(), terminal_size=SIZE, run_before=before)


def test_mapping_screen(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=SIZE, run_before=showing(MappingScreen(by="service"), "down", "right"))


def test_mapping_light_theme(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=SIZE,
                        run_before=showing(MappingScreen(by="authority"), "right", theme="textual-light"))


def test_agreement_screen(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=SIZE, run_before=showing(AgreementScreen()))


def test_review_screen(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=SIZE,
                        run_before=showing(ReviewScreen(["alice", "bob"], document="int_07"), "n"))


def test_review_interleaved_small(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=SMALL,
                        run_before=showing(ReviewScreen(["alice", "bob"], document="int_07"), "i"))


def test_export_dialog_at_80_columns(snap_compare, make, study) -> None:  # noqa: F811
    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(MatrixScreen(chart="2"))
        await settle(pilot)
        table = pilot.app.screen.table
        table.move_cursor(row=table.get_row_index(f"case:{case_id(study, 'int_07')}"),
                          column=table.get_column_index("2.1"), animate=False)
        await settle(pilot)
        await pilot.press("E")
        await still(pilot)

    assert snap_compare(make(), terminal_size=(80, 24), run_before=before)


def test_review_boundaries_dialog(snap_compare, make, study) -> None:  # noqa: F811
    assert snap_compare(make(), terminal_size=(160, 45),
                        run_before=showing(ReviewScreen(["alice", "bob"], document="int_08"), "e"))

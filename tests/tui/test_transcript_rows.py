"""The transcript counts its wrapped rows once per wrap, and the count stays right."""

from __future__ import annotations

from framework.tui.screens.reader import ReaderScreen

from .helpers import scenario, settle


def rows_by_hand(view) -> int:  # noqa: ANN001
    wrapped = view.wrapped_document
    return sum(len(wrapped.get_offsets(row)) + 1 for row in range(view.document.line_count))


@scenario
async def test_wrapped_rows_follow_the_width(make) -> None:
    app = make(document="int_07")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.view
        wide = view.wrapped_document.height
        assert wide == rows_by_hand(view)
        await pilot.resize_terminal(40, 30)
        await settle(pilot)
        narrow = view.wrapped_document.height
        assert narrow == rows_by_hand(view) and narrow > wide  # long lines wrap onto more rows
        assert view.virtual_size.height == narrow

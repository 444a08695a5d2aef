"""Pilot tests of the documents, retrieval and help screens, the coder and new themes."""

from __future__ import annotations

from textual.widgets import OptionList

from framework.coding.actions import add_coding
from framework.themes.validate import load_themes
from framework.tui.app import help_sections as sections
from framework.tui.dialogs.common import ChoiceDialog, ConfirmDialog, TextPrompt
from framework.tui.dialogs.new_theme import NewThemeDialog
from framework.tui.dialogs.theme_picker import ThemePicker
from framework.tui.screens.documents import DocumentsScreen
from framework.tui.screens.help import HelpScreen
from framework.tui.screens.reader import ReaderScreen
from framework.tui.screens.retrieval import RetrievalScreen
from framework.tui.widgets.paged_table import PagedTable
from framework.views.paging import Heading

from .conftest import INTERVIEW, SECOND
from .helpers import SIZE, press, scenario, settle, type_text


def row_keys(app) -> list[str]:
    table = app.screen.query_one(PagedTable)
    return [f"group:{e.value}" if isinstance(e, Heading) else str(e) for e in table.entries]


def doc_ids(project) -> dict[str, int]:
    return {d.name: d.id for d in project.store.documents.list()}


@scenario
async def test_documents_list_filter_open(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    add_coding(tui_project.store, "alice", ids["int_07"], "1", 0, 5)
    add_coding(tui_project.store, "bob", ids["int_07"], "1", 0, 9)
    add_coding(tui_project.store, "bob", ids["int_08"], "3", 0, 9)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert row_keys(app) == [str(ids["arabic_03"]), str(ids["int_07"]), str(ids["int_08"])]
        rows = {r.document: (r.mine, r.others) for r in app.screen.table.rows.values()}
        assert rows == {"arabic_03": (0, 0), "int_07": (1, 1), "int_08": (0, 1)}
        await press(pilot, "slash")
        await type_text(pilot, "adult")  # the attribute value "Adult services"
        assert app.screen.query_one("#filter").value == "adult"
        assert row_keys(app) == [str(ids["int_08"])]
        await press(pilot, "escape", "escape")  # back to the list, then clear the filter
        assert len(row_keys(app)) == 3
        await press(pilot, "slash")
        await type_text(pilot, "int director")  # every word must match
        assert row_keys(app) == [str(ids["int_07"])]
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.data.document.name == "int_07"
        assert app.screen.view.text == INTERVIEW


@scenario
async def test_documents_sort_and_group(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, ChoiceDialog)
        labels = [choice[1] for choice in app.screen.choices]
        assert labels == ["case", "document", "mine", "others", "role", "service"]
        await press(pilot, "5")  # role
        assert row_keys(app) == [str(ids["int_07"]), str(ids["int_08"]), str(ids["arabic_03"])]
        await press(pilot, "s", "5")  # again: reversed
        assert row_keys(app) == [str(ids["arabic_03"]), str(ids["int_08"]), str(ids["int_07"])]
        await press(pilot, "g")
        await press(pilot, "4")  # group by service
        assert row_keys(app) == [
            "group:Adult services", str(ids["int_08"]),
            "group:Children's services", str(ids["int_07"]),
            "group:Joint", str(ids["arabic_03"]),
        ]
        table = app.screen.query_one(PagedTable)
        assert table.cursor == 5  # still on the document it was on
        await press(pilot, "up", "up", "enter")
        assert app.screen.data.document.name == "int_07"


@scenario
async def test_switch_coder(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    add_coding(tui_project.store, "alice", ids["int_07"], "2.2", 10, 20)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.sub_title == "coder: alice"
        view = app.screen.view
        assert len([c for c in view.layout_map.codings.values() if view.is_shown(c)]) == 1
        await press(pilot, "C")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "bob")
        await press(pilot, "enter")
        assert app.coder == "bob"
        assert app.sub_title == "coder: bob"
        assert tui_project.coder == "bob"
        assert [c for c in view.layout_map.codings.values() if view.is_shown(c)] == []
        start = INTERVIEW.index("guideline")
        view.goto_offset(start)
        await press(pilot, *["shift+right"] * len("guideline"), "c")
        await type_text(pilot, "caseloads")
        await press(pilot, "enter")
    codings = {(c.coder, c.theme_id, c.quote) for c in tui_project.store.codings.list()}
    assert codings == {("alice", "2.2", INTERVIEW[10:20]), ("bob", "2.1", "guideline")}


@scenario
async def test_first_run_asks_for_the_coder_and_remembers(make, tui_project) -> None:
    app = make(coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "a,b")
        await press(pilot, "enter")
        assert isinstance(app.screen, TextPrompt)  # refused: no commas in a coder name
        await press(pilot, "ctrl+u")
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "carol")
        await press(pilot, "enter")
        assert isinstance(app.screen, DocumentsScreen)
        assert app.coder == "carol"
    assert tui_project.coder == "carol"


@scenario
async def test_picker_filtering(make, tui_project) -> None:
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(0)
        await press(pilot, "shift+right", "c")
        picker = app.screen
        assert isinstance(picker, ThemePicker)
        options = picker.query_one(OptionList)

        def shown() -> list[str]:
            return [options.get_option_at_index(i).id for i in range(options.option_count)]

        assert shown() == ["1", "1.1", "1.2", "2", "2.1", "2.2", "3"]
        await type_text(pilot, "vacncies")  # a typo still finds the label
        assert shown()[0] == "1.1"
        await pilot.press(*["backspace"] * 8)
        await type_text(pilot, "temporary")  # words of the description
        assert shown()[0] == "1.2"
        await pilot.press(*["backspace"] * 9)
        await type_text(pilot, "2.")  # id prefix
        assert shown()[:3] == ["2.1", "2.2", "2"] or shown()[:2] == ["2.1", "2.2"]
        assert shown()[-1].endswith("create")
        await press(pilot, "down", "enter")
    [coding] = tui_project.store.codings.list()
    assert coding.theme_id == "2.2"


@scenario
async def test_create_theme_from_the_picker_keeps_themes_yaml(make, tui_project) -> None:
    before = tui_project.themes_path.read_text(encoding="utf-8")
    start = SECOND.index("protected time")
    app = make(document="int_08")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(start)
        await press(pilot, *["shift+right"] * len("protected time"), "c")
        await type_text(pilot, "Protected time")
        await press(pilot, "ctrl+n")
        dialog = app.screen
        assert isinstance(dialog, NewThemeDialog)
        dialog.query_one("#parent").value = "3"
        await settle(pilot)
        assert dialog.query_one("#theme-id").value == "3.1"
        assert dialog.query_one("#label").value == "Protected time"
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        assert isinstance(app.screen, ReaderScreen)
    after = tui_project.themes_path.read_text(encoding="utf-8")
    assert after.startswith(before.split("  - id: \"3\"")[0])  # comments and earlier themes untouched
    assert "# Comments like this one must survive" in after
    assert "Vacancies   # unfilled posts" in after
    spec = load_themes(tui_project.themes_path).find("3.1")
    assert spec is not None and spec.label == "Protected time"
    theme = tui_project.store.themes.get("3.1")
    assert (theme.parent_id, theme.label) == ("3", "Protected time")
    [coding] = tui_project.store.codings.list()
    assert (coding.theme_id, coding.start, coding.quote) == ("3.1", start, "protected time")


@scenario
async def test_create_theme_declined_changes_nothing(make, tui_project) -> None:
    before = tui_project.themes_path.read_text(encoding="utf-8")
    app = make(document="int_08")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "shift+right", "c")
        await type_text(pilot, "Peer support")
        await press(pilot, "down", "enter")  # the "+ New theme" line
        assert isinstance(app.screen, NewThemeDialog)
        await press(pilot, "enter")
        await press(pilot, "n")
        assert isinstance(app.screen, ThemePicker)
    assert tui_project.themes_path.read_text(encoding="utf-8") == before
    assert tui_project.store.codings.list() == []


@scenario
async def test_retrieval_lists_passages_and_jumps(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    store = tui_project.store
    w = INTERVIEW.index("weighting system")
    s = SECOND.index("Supervision is monthly")
    add_coding(store, "alice", ids["int_07"], "2.2", w, w + 16, "a memo")
    add_coding(store, "alice", ids["int_08"], "2", s, s + 22)
    add_coding(store, "bob", ids["int_08"], "2.1", s, s + 11)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        screen.choose_theme("2")
        await settle(pilot)
        got = [(p.coding.document, p.line_ref, p.case.name, p.coding.quote) for p in screen.passages]
        assert got == [("int_07", "5", "int_07", "weighting system"), ("int_08", "3", "int_08", "Supervision is monthly")]
        assert screen.passages[0].case.attributes == {"role": "Director", "service": "Children's services"}
        await press(pilot, "i")  # without subthemes
        assert [p.coding.theme_id for p in screen.passages] == ["2"]
        await press(pilot, "i", "o")  # subthemes again, all coders
        assert sorted(p.coding.coder for p in screen.passages) == ["alice", "alice", "bob"]
        await press(pilot, "o")
        screen.query_one("#passages").focus()
        await press(pilot, "down", "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.data.document.name == "int_08"
        assert reader.view.selected_span() == (s, s + 22)
        assert [type(x).__name__ for x in app.screen_stack[1:]] == ["DocumentsScreen", "ReaderScreen"]


@scenario
async def test_reader_r_opens_retrieval_for_the_theme_here(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    w = INTERVIEW.index("weighting system")
    add_coding(tui_project.store, "alice", ids["int_07"], "2.2", w, w + 16)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(w + 1)
        await press(pilot, "r")
        assert isinstance(app.screen, RetrievalScreen)
        assert app.screen.theme_id == "2.2"
        assert [p.coding.quote for p in app.screen.passages] == ["weighting system"]


@scenario
async def test_help_lists_every_key(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {b.action for _title, bindings in sections() for b in bindings}
        for cls in (DocumentsScreen, ReaderScreen, RetrievalScreen, ThemePicker):
            for binding in cls.BINDINGS:
                assert binding.action in listed, binding
        await press(pilot, "escape")
        assert isinstance(app.screen, DocumentsScreen)


@scenario
async def test_command_palette_runs_actions(make, tui_project) -> None:
    ids = doc_ids(tui_project)
    w = INTERVIEW.index("weighting system")
    add_coding(tui_project.store, "alice", ids["int_07"], "2.2", w, w + 16)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(w + 1)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "remove a coding")
        await press(pilot, "enter")
        await settle(pilot)
    assert tui_project.store.codings.list() == []


@scenario
async def test_names_with_brackets_are_shown_as_written(make, tui_project) -> None:
    from framework.themes.edit import add_theme_to_file
    from framework.themes.model import ThemeSpec
    from framework.themes.sync import sync_themes

    store = tui_project.store
    with store.write():
        store.cases.set_attributes(store.cases.get("int_07").id, {"role": "[redacted]"})
    add_theme_to_file(tui_project.themes_path, ThemeSpec(id="4", label="Peers [informal]"))
    sync_themes(store, tui_project.themes_path)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(PagedTable)
        key = doc_ids(tui_project)["int_07"]
        assert "[redacted]" in [cell.plain for cell in table.cells(table.rows[key])]
        await press(pilot, "enter")  # opens the first row: arabic_03
        await press(pilot, "shift+right", "c")
        await type_text(pilot, "peers")
        options = app.screen.query_one(OptionList)
        assert "Peers [informal]" in options.get_option_at_index(0).prompt.plain
        await press(pilot, "enter")
    [coding] = store.codings.list()
    assert coding.theme_id == "4"


@scenario
async def test_a_running_session_keeps_an_hourly_backup(make, tui_project) -> None:
    """The backup check runs in a worker and writes a backup when none exists yet."""
    from framework.store.backups import list_backups

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = len(list_backups(tui_project))
        app.hourly_backup()
        await settle(pilot)
        after = list_backups(tui_project)
    assert len(after) == before + 1
    assert after[0].path.name.endswith("-hourly.db")

"""Plain tests of the interface's Textual-free parts: offsets, codings per line, theme search."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framework.store import Coding, Theme, Unit
from framework.tui.writes import WriteGate
from framework.views.catalog import ThemeCatalog, push_recent, suggest_id
from framework.views.layout import CodingLayout, LineIndex, turns


def coding(cid: int, start: int, end: int, theme: str = "1", coder: str = "alice") -> Coding:
    return Coding(cid, coder, 1, "d", theme, start, end, "", "", "", "", "", "")


def theme(tid: str, parent: str | None, label: str, description: str = "", position: int = 0) -> Theme:
    return Theme(tid, parent, label, description, "", "", "#4e79a7", position, False)


@given(st.text(alphabet=st.sampled_from("ab \nשלוםمرحبا😀\t"), max_size=60), st.data())
def test_offsets_and_locations_round_trip(text: str, data) -> None:
    index = LineIndex(text)
    offset = data.draw(st.integers(0, len(text)))
    row, column = index.location(offset)
    assert index.offset((row, column)) == offset
    lines = text.split("\n")
    assert len(lines) == index.line_count
    assert column <= len(lines[row])


def test_line_ref() -> None:
    index = LineIndex("one\ntwo\nthree\n")
    assert index.line_ref(0, 3) == "1"
    assert index.line_ref(2, 9) == "1-3"
    assert index.line_ref(4, 8) == "2"  # ends on the newline of line 2


def test_segments_split_overlaps_per_line() -> None:
    index = LineIndex("abcdefghij\nklmnop")
    layout = CodingLayout(index)
    layout.set([coding(1, 2, 6, "a"), coding(2, 4, 14, "b")])
    everyone = lambda c: True  # noqa: E731
    first = [(s, e, sorted(c.id for c in cs)) for s, e, cs in layout.segments(0, everyone)]
    assert first == [(2, 4, [1]), (4, 6, [1, 2]), (6, 10, [2])]
    second = [(s, e, [c.id for c in cs]) for s, e, cs in layout.segments(1, everyone)]
    assert second == [(0, 3, [2])]
    assert [c.id for c in layout.at(5, everyone)] == [1, 2]
    assert [c.id for c in layout.at(6, everyone)] == [2]
    assert layout.next_after(2, everyone).id == 2
    assert layout.previous_before(4, everyone).id == 1
    layout.remove(1)
    assert [c.id for c in layout.at(5, everyone)] == [2]
    assert layout.counts(everyone) == {"b": 1}


def test_turns_continue_over_paragraphs_without_labels() -> None:
    text = "Interviewer: Hello?\n\nRespondent: One.\n\nTwo.\n\nInterviewer: Bye."
    units = [Unit(1, 0, 0, 19, "Interviewer"), Unit(1, 1, 21, 37, "Respondent"),
             Unit(1, 2, 39, 43, "Respondent"), Unit(1, 3, 45, 62, "Interviewer")]
    found = turns(text, units)
    assert [(t.speaker, text[t.body:t.end]) for t in found] == [
        ("Interviewer", "Hello?"), ("Respondent", "One.\n\nTwo."), ("Interviewer", "Bye.")]
    assert text[found[1].start:found[1].label_end] == "Respondent:"


def test_catalog_paths_search_and_ids() -> None:
    catalog = ThemeCatalog([
        theme("1", None, "Staffing", position=0),
        theme("1.1", "1", "Vacancies", "Posts left unfilled", 1),
        theme("1.2", "1", "Agency and locum staff", "Temporary workers", 2),
        theme("2", None, "Workload", position=3),
    ])
    assert catalog.path_text("1.2") == "Staffing › Agency and locum staff"
    assert catalog.descendants("1") == ["1", "1.1", "1.2"]
    assert [m.theme.id for m in catalog.search("vacncies")][:1] == ["1.1"]
    assert [m.theme.id for m in catalog.search("1.2")] == ["1.2"]
    assert [m.theme.id for m in catalog.search("temporary")][:1] == ["1.2"]
    assert [m.theme.id for m in catalog.search("wor")] == ["2"]
    assert suggest_id(catalog, "1") == "1.3"
    assert suggest_id(catalog, None) == "3"
    assert push_recent(["a", "b", "c"], "b") == ["b", "a", "c"]
    assert len(push_recent([str(n) for n in range(9)], "x")) == 9


def test_write_gate_keeps_order() -> None:
    import threading

    gate = WriteGate()
    order: list[int] = []
    tickets = [gate.ticket() for _ in range(5)]

    def run(ticket: int) -> None:
        with gate.turn(ticket):
            order.append(ticket)

    threads = [threading.Thread(target=run, args=(t,)) for t in reversed(tickets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == tickets
    assert gate.idle


def test_plain_modules_do_not_import_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, framework.views.catalog, framework.views.layout, framework.views.workbench, "
            "framework.tui.writes; sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

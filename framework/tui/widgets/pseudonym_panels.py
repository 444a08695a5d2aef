"""The panels of the pseudonym key screen: the key's entries, the suggested names, and a
sample sentence before and after the key."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from framework.confidentiality.key import mark
from framework.views.pseudonyms import Candidate, Entry, Sample, clip


class KeyTable(DataTable):
    """The key's entries: term, pseudonym (as exports show it) and how often the term is found."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        self.add_column("Term", key="term")
        self.add_column("Pseudonym", key="replacement")
        self.add_column("Found", key="found")

    def show(self, entries: list[Entry], counts: dict[str, int] | None, keep: str | None) -> None:
        """Draw the entries (counts "…" while still counting), the cursor on ``keep`` if listed."""
        self.clear()
        for index, (term, replacement) in enumerate(entries):
            found = "…" if counts is None else str(counts.get(term.casefold(), 0))
            self.add_row(Text(term), Text(mark(replacement)),
                         Text(found, justify="right", style="" if found != "0" else "dim"), key=str(index))
        folds = [term.casefold() for term, _ in entries]
        if keep and keep.casefold() in folds:
            self.move_cursor(row=folds.index(keep.casefold()), animate=False)


class SuggestionList(OptionList):
    """Names found in the texts, most frequent first, with their guessed kind."""

    def show(self, suggestions: list[Candidate], highlighted: Candidate | None) -> int:
        """Draw the suggestions, keeping the highlighted one; returns how many there are."""
        items = []
        for candidate in suggestions:
            text = Text.assemble((f"{candidate.count:>4} ", "bold"), candidate.term)
            docs = f"{candidate.documents} doc{'' if candidate.documents == 1 else 's'}"
            text.append(f"  {candidate.kind.lower()} · {docs}", style="dim")
            items.append(Option(text, id=candidate.term))
        self.set_options(items)
        terms = [c.term for c in suggestions]
        if items:
            self.highlighted = terms.index(highlighted.term) if highlighted and highlighted.term in terms else 0
        return len(items)


LABEL_WIDTH = 9
"""The width of "Before   " and "After    " in the preview."""


class SamplePreview(Static):
    """Three lines: where the sample comes from, the sentence before and after the key."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"preview--label", "preview--term", "preview--replacement",
                                             "preview--other"}
    DEFAULT_CSS = """
    SamplePreview {
        height: 3;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        & > .preview--label { color: $text-muted; }
        & > .preview--term { text-style: bold; color: $text-warning; }
        & > .preview--replacement { text-style: bold; color: $text-success; }
        & > .preview--other { color: $text-success; }
    }
    """

    shown: tuple[str | None, Sample | None, str | None] = (None, None, None)

    def on_resize(self) -> None:
        term, found, proposed = self.shown
        self.show_sample(term, found, proposed=proposed)

    def _clip(self, text: str, span: tuple[int, int], longest: int) -> tuple[str, tuple[int, int]]:
        """Cut the start of a sentence too long for the line, keeping a third of the line before the term."""
        room = self.content_size.width - LABEL_WIDTH
        if room <= 0 or longest <= room:
            return text, span
        return clip(text, span, max(room // 3, 12))

    def show_sample(self, term: str | None, found: Sample | None, *, proposed: str | None = None) -> None:
        self.shown = (term, found, proposed)
        label = self.get_component_rich_style("preview--label")
        if term is None:
            self.update(Text("Highlight an entry or a suggestion to see it in a sentence.", style=label))
            return
        heading = Text.assemble(("Preview  ", label), (term, "bold"))
        if proposed:
            heading.append(f"  (if added as {mark(proposed)})", style=label)
        if found is None:
            heading.append("  not found in the texts", style=label)
            self.update(heading)
            return
        heading.append(f"  in {found.document}", style=label)
        longest = max(len(found.before), len(found.after))
        before, span = self._clip(found.before, found.span, longest)
        after, replaced = self._clip(found.after, found.replaced, longest)
        shift = len(after) - len(found.after)
        before_line = Text.assemble(("Before   ", label), before)
        before_line.stylize(self.get_component_rich_style("preview--term"), LABEL_WIDTH + span[0],
                            LABEL_WIDTH + span[1])
        after_line = Text.assemble(("After    ", label), after)
        for start, end in found.others:
            if start + shift >= (1 if shift else 0):  # not cut off by the clipping
                after_line.stylize(self.get_component_rich_style("preview--other"), LABEL_WIDTH + start + shift,
                                   LABEL_WIDTH + end + shift)
        after_line.stylize(self.get_component_rich_style("preview--replacement"), LABEL_WIDTH + replaced[0],
                           LABEL_WIDTH + replaced[1])
        self.update(Text("\n").join([heading, before_line, after_line]))

"""Side-by-side comparison of one document: where coders coded alike, alone or differently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from framework.analysis.agreement.model import Segment, Span


def compare_document(spans_by_coder: Mapping[str, Sequence[Span]]) -> list[Segment]:
    """Maximal segments of one document where at least one coder coded something.

    The keys of ``spans_by_coder`` are the coders compared (a coder with no spans
    still counts: they coded nothing). Stretches nobody coded are left out;
    neighbouring stretches with identical coding are merged. See ``Segment`` for
    the statuses.
    """
    coders = list(spans_by_coder)
    events: list[tuple[int, int, str, str]] = []
    for coder, spans in spans_by_coder.items():
        for sp in spans:
            if sp.end > sp.start:
                events.append((sp.start, 1, coder, sp.theme))
                events.append((sp.end, -1, coder, sp.theme))
    if not events:
        return []
    events.sort(key=lambda ev: ev[0])
    active: dict[str, Counter[str]] = {c: Counter() for c in coders}
    segments: list[Segment] = []
    i = 0
    n_ev = len(events)
    while i < n_ev:
        pos = events[i][0]
        while i < n_ev and events[i][0] == pos:
            _, delta, coder, theme = events[i]
            cnt = active[coder]
            cnt[theme] += delta
            if not cnt[theme]:
                del cnt[theme]
            i += 1
        if i == n_ev:
            break
        nxt = events[i][0]
        state = {c: frozenset(active[c]) for c in coders}
        if not any(state.values()):
            continue
        if segments and segments[-1].end == pos and segments[-1].themes_by_coder == state:
            last = segments[-1]
            segments[-1] = Segment(last.start, nxt, last.themes_by_coder, last.status)
        else:
            segments.append(Segment(pos, nxt, state, _segment_status(state)))
    return segments


def _segment_status(state: Mapping[str, frozenset[str]]) -> str:
    coded = [c for c, themes in state.items() if themes]
    if len(coded) == 1 and len(state) > 1:
        return f"only:{coded[0]}"
    sets = set(state.values())
    if len(sets) == 1 and coded:
        return "both"
    return "different"

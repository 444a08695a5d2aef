"""The thematic framework as data: themes, their ids, colours and the problems found in a file.


``themes.yaml`` is the file analysts edit by hand while the framework settles::

    name: Social work workload study          # optional
    themes:
      - id: "5"
        label: Practice issues
        colour: "#4e79a7"                      # optional
        children:
          - id: "5.4"
            label: Workload management and case allocation
            description: How work is weighed, allocated and monitored

Reading never builds anything but text, numbers, lists and mappings (the YAML is composed
with ``SafeLoader`` into nodes and walked; tags that would build objects are reported, and
aliases are reported rather than expanded). Every problem is reported with its line, all at
once. Adding a theme edits the text in place, so comments and layout survive.

This module holds no user-interface code and does no database work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024
"""A themes file or codebook larger than this is refused unread."""
MAX_DEPTH = 64
"""Themes may nest this many levels deep."""
THEME_KEYS = ("id", "label", "description", "include", "exclude", "colour", "children")
TOP_KEYS = ("name", "themes")
TEXT_KEYS = ("description", "include", "exclude")
CODEBOOK_COLUMNS = ("id", "parent", "path", "label", "description", "include", "exclude", "colour")
ID_PUNCTUATION = "._-: "

PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")
"""Okabe-Ito colours (without black), distinguishable with the common colour-vision deficiencies.
Top-level themes without a colour take them in order, skipping any a top-level theme already uses."""

_NAMED = """aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff
beige:f5f5dc bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2
brown:a52a2a burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50
cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b
darkgoldenrod:b8860b darkgray:a9a9a9 darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b
darkmagenta:8b008b darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000
darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f
darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493 deepskyblue:00bfff
dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 floralwhite:fffaf0
forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700
goldenrod:daa520 gray:808080 green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0
hotpink:ff69b4 indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa
lavenderblush:fff0f5 lawngreen:7cfc00 lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080
lightcyan:e0ffff lightgoldenrodyellow:fafad2 lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3
lightpink:ffb6c1 lightsalmon:ffa07a lightseagreen:20b2aa lightskyblue:87cefa
lightslategray:778899 lightslategrey:778899 lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00
limegreen:32cd32 linen:faf0e6 magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa
mediumblue:0000cd mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371
mediumslateblue:7b68ee mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585
midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead
navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500
orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee palevioletred:db7093
papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb plum:dda0dd powderblue:b0e0e6
purple:800080 rebeccapurple:663399 red:ff0000 rosybrown:bc8f8f royalblue:4169e1
saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460 seagreen:2e8b57 seashell:fff5ee sienna:a0522d
silver:c0c0c0 skyblue:87ceeb slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa
springgreen:00ff7f steelblue:4682b4 tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347
turquoise:40e0d0 violet:ee82ee wheat:f5deb3 white:ffffff whitesmoke:f5f5f5 yellow:ffff00
yellowgreen:9acd32"""
NAMED_COLOURS: dict[str, str] = {
    name: "#" + hexa for name, hexa in (item.split(":") for item in _NAMED.split())
}
"""The CSS colour names (which Textual also accepts), each with its ``#rrggbb`` value."""

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
KEY_SYNONYMS = {
    "color": "colour", "colors": "colour", "colours": "colour", "name": "label",
    "title": "label name", "code": "id", "key": "id", "subthemes": "children",
    "themes": "children", "codes": "children themes", "desc": "description",
    "definition": "description", "includes": "include", "inclusion": "include",
    "excludes": "exclude", "exclusion": "exclude", "theme": "themes", "framework": "themes",
    "label": "name",
}


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ThemeSpec:
    """One theme as written in ``themes.yaml``, with its subthemes."""

    id: str
    """Short stable code such as ``"5.4"``; unique in the file."""
    label: str
    """Name shown to analysts."""
    description: str = ""
    include: str = ""
    """What belongs here (coding guidance)."""
    exclude: str = ""
    """What does not belong here (coding guidance)."""
    colour: str | None = None
    """As written (``"#4e79a7"``, ``"#abc"`` or a colour name); ``None`` inherits."""
    children: tuple[ThemeSpec, ...] = ()
    line: int = 0
    """1-based line of the theme's ``id`` in the file; 0 when it did not come from one."""


@dataclass(frozen=True)
class FlatTheme:
    """One theme as a row: what the store and the exports keep."""

    id: str
    parent_id: str | None
    label: str
    description: str
    include: str
    exclude: str
    colour: str
    """Effective colour as ``#rrggbb``: the theme's own, its parent's, or one from ``PALETTE``."""
    position: int
    """0-based place in depth-first order over the whole framework (sorts siblings too)."""
    depth: int
    """0 for a top-level theme."""
    path: tuple[str, ...]
    """Labels from the top-level theme down to this one."""


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, at a line when there is one."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ThemeFile:
    """A checked ``themes.yaml``."""

    path: Path
    name: str | None
    themes: tuple[ThemeSpec, ...]

    def flat(self) -> list[FlatTheme]:
        """Every theme as a row, depth-first, with parents, depths, label paths and colours."""
        return _flatten(self.themes)

    def find(self, theme_id: str) -> ThemeSpec | None:
        """The theme with this id, at any depth, or ``None``."""
        return next((spec for spec in iter_themes(self.themes) if spec.id == theme_id), None)


def iter_themes(themes: Iterable[ThemeSpec]) -> Iterator[ThemeSpec]:
    """Every theme in ``themes`` and below, depth-first."""
    stack = list(reversed(tuple(themes)))
    while stack:
        spec = stack.pop()
        yield spec
        stack.extend(reversed(spec.children))


def colour_hex(colour: str | None) -> str | None:
    """``#rrggbb`` (lower case) for ``"#rgb"``, ``"#rrggbb"`` or a colour name; else ``None``."""
    if not isinstance(colour, str):
        return None
    text = colour.strip().lower()
    if _HEX.fullmatch(text):
        return text if len(text) == 7 else "#" + "".join(ch * 2 for ch in text[1:])
    return NAMED_COLOURS.get(text)


def _flatten(themes: Sequence[ThemeSpec]) -> list[FlatTheme]:
    taken = {colour_hex(spec.colour) for spec in themes}
    free = [colour for colour in PALETTE if colour not in taken] or list(PALETTE)
    rows: list[FlatTheme] = []

    def visit(spec: ThemeSpec, parent: FlatTheme | None, fallback: str) -> None:
        path = (parent.path if parent else ()) + (spec.label,)
        row = FlatTheme(
            id=spec.id, parent_id=parent.id if parent else None, label=spec.label,
            description=spec.description, include=spec.include, exclude=spec.exclude,
            colour=colour_hex(spec.colour) or fallback, position=len(rows),
            depth=len(path) - 1, path=path,
        )
        rows.append(row)
        for child in spec.children:
            visit(child, row, row.colour)

    automatic = 0
    for spec in themes:
        fallback = free[automatic % len(free)]
        if colour_hex(spec.colour) is None:
            automatic += 1
        visit(spec, None, fallback)
    return rows


def printable(ch: str) -> bool:
    """Whether YAML lets ``ch`` stand as itself inside a quoted or literal scalar."""
    code = ord(ch)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and ch not in "\u2028\u2029\ufeff"


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (every string reads back exactly)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)



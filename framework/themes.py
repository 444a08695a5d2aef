"""The thematic framework: ``themes.yaml`` read, checked and edited (codebooks: :mod:`framework.codebook`).

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

import difflib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from framework.errors import InputError

__all__ = [
    "CODEBOOK_COLUMNS",
    "MAX_FILE_BYTES",
    "PALETTE",
    "THEME_KEYS",
    "FlatTheme",
    "Problem",
    "ThemeFile",
    "ThemeSpec",
    "add_theme_to_file",
    "check_themes",
    "colour_hex",
    "iter_themes",
    "load_themes",
    "parse_themes_text",
    "theme_file_text",
]

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
_KEY_SYNONYMS = {
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


# ---------------------------------------------------------------------------------------------
# Reading and checking


def check_themes(path: Path) -> tuple[ThemeFile | None, list[Problem]]:
    """Read and check a themes file; the file is returned only when there is no problem."""
    path = Path(path)
    text, _bom, problem = _read_text(path)
    if problem is not None:
        return None, [problem]
    return parse_themes_text(text, path)


def load_themes(path: Path) -> ThemeFile:
    """Read a themes file, raising ``InputError`` that lists every problem."""
    path = Path(path)
    themes, problems = check_themes(path)
    if problems or themes is None:
        raise InputError(_problems_message(path, problems, "Fix them and try again."))
    return themes


def parse_themes_text(text: str, path: Path) -> tuple[ThemeFile | None, list[Problem]]:
    """Check the text of a themes file; ``path`` is used in the problems."""
    parsed, problems = _parse(text, Path(path))
    return (parsed.file if parsed else None), problems


def _problems_message(path: Path, problems: list[Problem], advice: str) -> str:
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    lines = "\n".join(f"  {problem}" for problem in problems)
    return f"{path} has {count}. {advice}\n{lines}"


def _read_text(path: Path) -> tuple[str, bool, Problem | None]:
    """The file's text, whether it began with a byte-order mark, or the reason it cannot be read."""
    def fail(message: str, line: int | None = None) -> tuple[str, bool, Problem]:
        return "", False, Problem(path, line, message)

    try:
        size = path.stat().st_size
        if path.is_dir():
            return fail("this is a folder, not a file; give the path of the file itself")
        if size > MAX_FILE_BYTES:
            return fail(f"file too large ({size / 1048576:.1f} MB; the limit is "
                        f"{MAX_FILE_BYTES // 1048576} MB); check that this is the right file")
        data = path.read_bytes()
    except FileNotFoundError:
        return fail("file not found; check the path, or create the file")
    except OSError as exc:
        return fail(f"cannot be read ({exc.strerror or exc}); check its permissions")
    try:
        return data.decode("utf-8-sig"), data.startswith(b"\xef\xbb\xbf"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return fail(f"byte 0x{data[exc.start]:02x} is not UTF-8 text; save the file as UTF-8", line)


class _AliasNode(ScalarNode):
    """Stands in for an alias (``*name``), which is reported instead of followed."""


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` composing nodes only, recording aliases instead of sharing nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases: list[_AliasNode] = []

    def compose_node(self, parent: Node | None, index: object) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            node = _AliasNode("tag:yaml.org,2002:null", event.anchor, event.start_mark, event.end_mark)
            self.aliases.append(node)
            return node
        return super().compose_node(parent, index)


_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD + name for name in (
    "str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "value")}


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the text {_quote(node.value)}"


def _suggest(key: str, allowed: Sequence[str]) -> str:
    synonyms = _KEY_SYNONYMS.get(key.lower(), "").split()
    guess = next((name for name in synonyms if name in allowed), None)
    if guess is None:
        close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return f'did you mean "{guess}"? ' if guess else ""


@dataclass
class _Parsed:
    file: ThemeFile
    root: MappingNode
    nodes: dict[str, MappingNode]


def _parse(text: str, path: Path) -> tuple[_Parsed | None, list[Problem]]:
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        return None, [Problem(path, None, f"file too large (the limit is "
                              f"{MAX_FILE_BYTES // 1048576} MB); check that this is the right file")]
    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, exc)]
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        char = getattr(exc, "character", None)
        what = f"character U+{char:04X}" if isinstance(char, int) else "a character"
        return None, [Problem(path, line, f"{what} is not allowed in a YAML file; remove it")]
    except RecursionError:
        return None, [Problem(path, None, "lists or mappings are nested too deeply to read; "
                              "flatten the file")]
    finally:
        if loader is not None:
            loader.dispose()
    walker = _Walker(path, text)
    for alias in loader.aliases:
        walker.add(alias, f"alias *{alias.value} is not supported in a themes file; "
                          f"write the value out in full")
    themes = walker.document(root)
    problems = sorted(walker.problems, key=lambda p: p.line or 0)
    if problems or themes is None or root is None:
        return None, problems
    return _Parsed(themes, root, walker.nodes), []


def _syntax_problem(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark and exc.context_mark.line + 1 != line:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    if "'\\t'" in str(exc.problem):
        hint = "indent with spaces, not tabs"
    elif "another document" in str(exc.problem):
        message = "a second YAML document starts here"
        hint = "keep one document in the file (remove the extra `---`)"
    else:
        hint = ("check the indentation here and on the line above, and put in quotes any value "
                "that contains \": \" or starts with a quote, \"#\", \"[\", \"{\", \"*\" or \"&\"")
    return Problem(path, line, f"{message}; {hint}")


class _Walker:
    """Walks the composed nodes of a themes file, collecting problems and building specs."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.first_line: dict[str, int] = {}
        self.nodes: dict[str, MappingNode] = {}
        self.skip: set[int] = set()

    def add(self, where: Node | int | None, message: str) -> None:
        line = _line(where) if isinstance(where, Node) else where
        self.problems.append(Problem(self.path, line, message))

    def check_tags(self, root: Node) -> None:
        """Report nodes with tags other than YAML's plain ones; they are not read further."""
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, _AliasNode):
                self.skip.add(id(node))
                continue
            if node.tag not in _PLAIN_TAGS:
                shown = "!!" + node.tag[len(_STD):] if node.tag.startswith(_STD) else node.tag
                self.add(node, f"unsupported YAML tag {shown}: a themes file holds plain text, "
                               f"numbers and lists only; remove the tag")
                self.skip.add(id(node))
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))

    def usable(self, node: Node | None) -> bool:
        return node is not None and id(node) not in self.skip

    def document(self, root: Node | None) -> ThemeFile | None:
        if root is None:
            self.add(None, "the file is empty; start it with `themes:` followed by the themes, "
                           "each starting with `- id:`")
            return None
        self.check_tags(root)
        if not self.usable(root):
            return None
        if not isinstance(root, MappingNode):
            self.add(root, f"the top level must be a mapping with a `themes:` key, but it is "
                           f"{_kind(root)}; put `themes:` on the first line and indent the "
                           f"themes under it")
            return None
        pairs = self.pairs(root, TOP_KEYS, "at the top level")
        name = self.text_value(pairs.get("name"), "name of the framework")
        if "themes" not in pairs:
            self.add(root, "no `themes:` key; add `themes:` followed by the themes, each "
                           "starting with `- id:`")
            return None
        themes = self.theme_list(pairs["themes"][1], "`themes`", 1)
        return ThemeFile(self.path, name or None, themes)

    def pairs(self, mapping: MappingNode, allowed: Sequence[str], where: str
              ) -> dict[str, tuple[ScalarNode, Node]]:
        found: dict[str, tuple[ScalarNode, Node]] = {}
        for key, value in mapping.value:
            if not self.usable(key):
                continue
            if not isinstance(key, ScalarNode):
                self.add(key, f"a key {where} is {_kind(key)}; keys are single words such as "
                              f"`label:`")
                continue
            name = key.value
            if name in found:
                self.add(key, f'key "{name}" appears twice {where} (lines '
                              f'{_line(found[name][0])} and {_line(key)}); keep one of them')
            elif name not in allowed:
                self.add(key, f"unknown key {_quote(name)} {where}; {_suggest(name, allowed)}"
                              f"allowed keys are {', '.join(allowed)}")
            else:
                found[name] = (key, value)
        return found

    def text_value(self, pair: tuple[ScalarNode, Node] | None, what: str) -> str | None:
        """The text of a value as written (numbers and dates as in the file); "" when empty."""
        if pair is None or not self.usable(pair[1]):
            return None
        node = pair[1]
        if isinstance(node, ScalarNode):
            return "" if node.tag == _STD + "null" else node.value
        self.add(node, f"the {what} must be text, not {_kind(node)}; put it in quotes, or write "
                       f"`|` and indent the lines under it for text over several lines")
        return None

    def theme_list(self, node: Node, what: str, depth: int) -> tuple[ThemeSpec, ...]:
        if not self.usable(node):
            return ()
        if isinstance(node, ScalarNode) and node.tag == _STD + "null":
            return ()
        if not isinstance(node, SequenceNode):
            self.add(node, f"{what} must be a list of themes, each starting with `- id:`, not "
                           f"{_kind(node)}")
            return ()
        if depth > MAX_DEPTH:
            self.add(node, f"themes are nested more than {MAX_DEPTH} levels deep; "
                           f"move some of them up")
            return ()
        specs = (self.theme(item, depth) for item in node.value)
        return tuple(spec for spec in specs if spec is not None)

    def theme(self, node: Node, depth: int) -> ThemeSpec | None:
        if not self.usable(node):
            return None
        if not isinstance(node, MappingNode):
            self.add(node, f"each theme must be a mapping of keys (`id:`, `label:`...), not "
                           f"{_kind(node)}; start the theme with `- id:` and put `label:` "
                           f"under it")
            return None
        written_id = next((v.value for k, v in node.value if isinstance(k, ScalarNode)
                           and k.value == "id" and isinstance(v, ScalarNode)), "")
        where = f"in theme {_quote(written_id)}" if written_id else "in this theme"
        pairs = self.pairs(node, THEME_KEYS, where)
        theme_id = self.theme_id(pairs.get("id"), node)
        line = _line(pairs["id"][0]) if "id" in pairs else _line(node)
        if theme_id is not None and theme_id in self.first_line:
            self.add(line, f"duplicate id {_quote(theme_id)}: line {self.first_line[theme_id]} "
                           f"uses it too; give each theme its own id")
            theme_id = None
        elif theme_id is not None:
            self.first_line[theme_id] = line
            self.nodes[theme_id] = node
        label = self.text_value(pairs.get("label"), f"label {where}")
        if "label" not in pairs:
            named = f"theme {_quote(written_id)}" if written_id else "this theme"
            self.add(line, f"{named} has no label; add `label:` with a short name")
        elif label is not None and not label.strip():
            self.add(pairs["label"][1], f"the label {where} is empty; write a short name")
        texts = {key: self.text_value(pairs.get(key), f"{key} {where}") for key in TEXT_KEYS}
        colour = self.colour(pairs.get("colour"), where)
        children: tuple[ThemeSpec, ...] = ()
        if "children" in pairs:
            children = self.theme_list(pairs["children"][1], f"`children` {where}", depth + 1)
        if theme_id is None or not label or not label.strip():
            return None
        return ThemeSpec(id=theme_id, label=label, colour=colour, children=children, line=line,
                         **{key: value or "" for key, value in texts.items()})

    def theme_id(self, pair: tuple[ScalarNode, Node] | None, mapping: MappingNode) -> str | None:
        if pair is None:
            self.add(mapping, 'this theme has no id; add `id:` with a short code such as "5.4"')
            return None
        node = pair[1]
        if not self.usable(node):
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f'the id must be a single value such as "5.4", not {_kind(node)}')
            return None
        tag = node.tag[len(_STD):] if node.tag.startswith(_STD) else node.tag
        if tag == "null":
            self.add(node, 'the id is empty; give the theme a short code such as "5.4"')
            return None
        if tag in ("bool", "timestamp"):
            kind = "true/false" if tag == "bool" else "a date"
            self.add(node, f'the id {node.value} is read as {kind}; put it in quotes: '
                           f'id: "{node.value}"')
            return None
        problem = _id_problem(node.value)
        if problem:
            self.add(node, problem)
            return None
        return node.value

    def colour(self, pair: tuple[ScalarNode, Node] | None, where: str) -> str | None:
        text = self.text_value(pair, f"colour {where}")
        if pair is None or text is None:
            return None
        node = pair[1]
        if not text.strip():
            at = node.start_mark.index
            after = self.text[at:at + 80].lstrip(" \t")
            if after.startswith("#"):
                self.add(node, f'the colour {where} is empty: a value starting with "#" must be '
                               f'in quotes, e.g. colour: "#4e79a7"')
            else:
                self.add(node, f'the colour {where} is empty; write one such as "#4e79a7" or '
                               f'"teal", or remove the line')
            return None
        problem = _colour_problem(text)
        if problem:
            self.add(node, f"{problem} ({where})")
            return None
        return text


def _id_problem(text: str) -> str | None:
    if not text.strip():
        return 'the id is empty; give the theme a short code such as "5.4"'
    if text != text.strip():
        return f"the id {_quote(text)} has spaces at the start or end; remove them"
    bad = sorted({ch for ch in text if not (ch.isalnum() or ch in ID_PUNCTUATION)})
    if bad:
        listed = " ".join(_quote(ch) for ch in bad)
        return (f"the id {_quote(text)} contains {listed}; ids may hold letters, digits, "
                f'".", "_", "-", ":" and spaces between words')
    return None


def _colour_problem(text: str) -> str | None:
    if colour_hex(text):
        return None
    close = difflib.get_close_matches(text.strip().lower(), NAMED_COLOURS, n=1, cutoff=0.75)
    guess = f'; did you mean "{close[0]}"?' if close else ""
    return (f'colour {_quote(text)} is not a colour: use "#rgb" or "#rrggbb" in quotes '
            f'(e.g. "#4e79a7") or a colour name such as "teal"{guess}')


# ---------------------------------------------------------------------------------------------
# Writing themes.yaml

_HEADER = (
    "# Thematic framework. Each theme has an id and a label, and may have a description,\n"
    "# include and exclude notes, a colour (\"#rrggbb\" or a name such as \"teal\") and\n"
    "# children (its subthemes, nested the same way).\n"
)


def _printable(ch: str) -> bool:
    """Whether YAML lets ``ch`` stand as itself inside a quoted or literal scalar."""
    code = ord(ch)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000) and ch not in "\u2028\u2029\ufeff"


def _quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (every string reads back exactly)."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _block_text(text: str, indent: int) -> list[str] | None:
    """Lines of a literal block scalar (``|-`` or ``|``) for text over several lines, or None
    when the text needs quotes to read back exactly."""
    if "\n" not in text or "\r" in text:
        return None
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if (not lines[0].strip() or lines[0][0] in " \t" or body.endswith("\n")
            or not all(_printable(ch) or ch == "\t" for ch in body.replace("\n", ""))
            or any(line != line.rstrip() for line in lines)):
        return None
    pad = " " * indent
    return ["|" if text.endswith("\n") else "|-"] + [pad + line if line else "" for line in lines]


def _theme_lines(spec: ThemeSpec, dash_col: int, key_col: int) -> list[str]:
    """A theme as block YAML: ``- id:`` at ``dash_col``, its keys at ``key_col``."""
    pad = " " * key_col
    gap = " " * max(1, key_col - dash_col - 1)
    lines = [f"{' ' * dash_col}-{gap}id: {_quote(spec.id)}", f"{pad}label: {_quote(spec.label)}"]
    for key in TEXT_KEYS:
        value = getattr(spec, key)
        if not value:
            continue
        block = _block_text(value, key_col + 2)
        if block:
            lines.append(f"{pad}{key}: {block[0]}")
            lines.extend(block[1:])
        else:
            lines.append(f"{pad}{key}: {_quote(value)}")
    if spec.colour:
        lines.append(f"{pad}colour: {_quote(spec.colour)}")
    if spec.children:
        lines.append(f"{pad}children:")
        for child in spec.children:
            lines.extend(_theme_lines(child, key_col + 2, key_col + 4))
    return lines


def _flow_theme(spec: ThemeSpec) -> str:
    """A theme as one flow mapping, for lists written in ``[...]`` style."""
    parts = [f"id: {_quote(spec.id)}", f"label: {_quote(spec.label)}"]
    parts += [f"{key}: {_quote(getattr(spec, key))}" for key in TEXT_KEYS if getattr(spec, key)]
    if spec.colour:
        parts.append(f"colour: {_quote(spec.colour)}")
    if spec.children:
        parts.append("children: [" + ", ".join(_flow_theme(c) for c in spec.children) + "]")
    return "{" + ", ".join(parts) + "}"


def theme_file_text(name: str | None, themes: Sequence[ThemeSpec]) -> str:
    """A whole ``themes.yaml``: a short explanatory comment, ``name`` when given, the themes."""
    lines = [_HEADER.rstrip("\n")]
    if name:
        lines.append(f"name: {_quote(name)}")
    if not themes:
        lines.append("themes: []")
    else:
        lines.append("themes:")
        for spec in themes:
            lines.extend(_theme_lines(spec, 2, 4))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Adding a theme in place


def add_theme_to_file(path: Path, spec: ThemeSpec, parent_id: str | None = None) -> None:
    """Add ``spec`` (with any children) as the last child of ``parent_id``, or as the last
    top-level theme, editing the text so that everything else in the file stays as it was."""
    path = Path(path)
    text, bom, problem = _read_text(path)
    if problem is not None:
        raise InputError(str(problem))
    parsed, problems = _parse(text, path)
    if parsed is None:
        raise InputError(_problems_message(path, problems, "Fix them before adding a theme."))
    spec = _tidy(spec)
    messages = _spec_problems(spec)
    for new in iter_themes([spec]):
        old = parsed.file.find(new.id)
        if old is not None:
            messages.append(f"the id {_quote(new.id)} is already used at line {old.line}; "
                            f"choose another id")
    if parent_id is not None and parent_id not in parsed.nodes:
        messages.append(f"there is no theme with id {_quote(parent_id)} to put it under; "
                        f"check the parent's id")
    if messages:
        raise InputError(f"{path}: cannot add theme {_quote(str(spec.id))}: " + "; ".join(messages))

    newline = "\r\n" if "\r\n" in text else "\n"
    if parent_id is None:
        new_text = _insert(text, parsed.root, "themes", spec, newline)
    else:
        new_text = _insert(text, parsed.nodes[parent_id], "children", spec, newline)

    after, _ = _parse(new_text, path)
    expected = _strip_lines(_with_child(parsed.file.themes, parent_id, spec))
    if after is None or after.file.name != parsed.file.name or \
            _strip_lines(after.file.themes) != expected:
        snippet = "\n".join(_theme_lines(spec, 2, 4))
        raise InputError(f"{path}: the theme could not be added automatically because of the "
                         f"way the file is laid out; add it by hand:\n{snippet}")
    _write_atomic(path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))


def _tidy(spec: ThemeSpec) -> ThemeSpec:
    return replace(spec, colour=spec.colour or None, line=0,
                   children=tuple(_tidy(child) for child in spec.children))


def _spec_problems(spec: ThemeSpec) -> list[str]:
    messages: list[str] = []
    seen: set[str] = set()
    for item in iter_themes([spec]):
        texts = (item.id, item.label, item.description, item.include, item.exclude)
        if not all(isinstance(value, str) for value in texts) or \
                not isinstance(item.colour, (str, type(None))):
            messages.append(f"theme {item.id!r}: id, label, description, include, exclude and "
                            f"colour must be text")
            continue
        problem = _id_problem(item.id)
        if problem:
            messages.append(problem)
        if item.id in seen:
            messages.append(f"the id {_quote(item.id)} is given twice; give each theme its own id")
        seen.add(item.id)
        if not item.label.strip():
            messages.append(f"the label of {_quote(item.id)} is empty; write a short name")
        if item.colour:
            problem = _colour_problem(item.colour)
            if problem:
                messages.append(problem)
    return messages


def _strip_lines(themes: Sequence[ThemeSpec]) -> tuple[ThemeSpec, ...]:
    return tuple(replace(spec, line=0, children=_strip_lines(spec.children)) for spec in themes)


def _with_child(themes: Sequence[ThemeSpec], parent_id: str | None, spec: ThemeSpec
                ) -> tuple[ThemeSpec, ...]:
    if parent_id is None:
        return tuple(themes) + (spec,)
    return tuple(
        replace(item, children=item.children + (spec,)) if item.id == parent_id
        else replace(item, children=_with_child(item.children, parent_id, spec))
        for item in themes
    )


def _pair(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    return next(((k, v) for k, v in mapping.value
                 if isinstance(k, ScalarNode) and k.value == key), None)


def _insert(text: str, owner: MappingNode, key: str, spec: ThemeSpec, newline: str) -> str:
    """``text`` with ``spec`` appended to the list under ``key`` in ``owner`` (created if absent)."""
    pair = _pair(owner, key)
    if pair is None:  # a theme without children
        if owner.flow_style:
            at = owner.value[-1][1].end_mark.index
            return f"{text[:at]}, {key}: [{_flow_theme(spec)}]{text[at:]}"
        key_col = owner.start_mark.column
        lines = [" " * key_col + f"{key}:"] + _theme_lines(spec, key_col + 2, key_col + 4)
        return _insert_lines(text, _after(text, owner), lines, newline)

    key_node, value = pair
    if isinstance(value, SequenceNode) and value.value:
        last = value.value[-1]
        if value.flow_style:
            at = last.end_mark.index
            return f"{text[:at]}, {_flow_theme(spec)}{text[at:]}"
        dash_col = value.start_mark.column
        first = value.value[0]
        key_col = first.start_mark.column
        if first.start_mark.line != value.start_mark.line or key_col <= dash_col:
            key_col = dash_col + 2
        return _insert_lines(text, _after(text, last), _theme_lines(spec, dash_col, key_col),
                             newline)

    # an empty list: `[]`, `~`, `null` or nothing after the key
    start, end = value.start_mark.index, value.end_mark.index
    if owner.flow_style:
        if isinstance(value, SequenceNode):
            return f"{text[:end - 1]}{_flow_theme(spec)}{text[end - 1:]}"
        return f"{text[:start]} [{_flow_theme(spec)}]{text[end:]}"
    rest = text[end:].split("\n", 1)[0]
    if not rest.strip():  # nothing else on the line: drop the spaces left before the value
        while start > 0 and text[start - 1] == " ":
            start -= 1
    text = text[:start] + text[end:]
    key_col = key_node.start_mark.column
    return _insert_lines(text, _end_of_line(text, start), _theme_lines(spec, key_col + 2,
                                                                       key_col + 4), newline)


def _after(text: str, node: Node) -> int:
    """Where a line can go just after ``node``'s last line of content."""
    while not isinstance(node, ScalarNode) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    at = node.end_mark.index
    line_start = text.rfind("\n", 0, at) + 1
    if not text[line_start:at].strip(" \t"):  # a block scalar ends at the next line's indent
        return line_start
    return _end_of_line(text, at)


def _end_of_line(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end == -1 else end + 1


def _insert_lines(text: str, at: int, lines: list[str], newline: str) -> str:
    prefix = newline if at == len(text) and text and not text.endswith("\n") else ""
    return text[:at] + prefix + newline.join(lines) + newline + text[at:]


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then put it in place in one step."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise

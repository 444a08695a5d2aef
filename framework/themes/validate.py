"""Reading and checking ``themes.yaml``: every problem with its line, all at once."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from framework.errors import InputError
from framework.themes.model import (
    ID_PUNCTUATION,
    KEY_SYNONYMS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    NAMED_COLOURS,
    TEXT_KEYS,
    THEME_KEYS,
    TOP_KEYS,
    Problem,
    ThemeFile,
    ThemeSpec,
    colour_hex,
    quote,
)


def check_themes(path: Path) -> tuple[ThemeFile | None, list[Problem]]:
    """Read and check a themes file; the file is returned only when there is no problem."""
    path = Path(path)
    text, _bom, problem = read_text(path)
    if problem is not None:
        return None, [problem]
    return parse_themes_text(text, path)


def load_themes(path: Path) -> ThemeFile:
    """Read a themes file, raising ``InputError`` that lists every problem."""
    path = Path(path)
    themes, problems = check_themes(path)
    if problems or themes is None:
        raise InputError(problems_message(path, problems, "Fix them and try again."))
    return themes


def parse_themes_text(text: str, path: Path) -> tuple[ThemeFile | None, list[Problem]]:
    """Check the text of a themes file; ``path`` is used in the problems."""
    parsed, problems = parse(text, Path(path))
    return (parsed.file if parsed else None), problems


def problems_message(path: Path, problems: list[Problem], advice: str) -> str:
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    lines = "\n".join(f"  {problem}" for problem in problems)
    return f"{path} has {count}. {advice}\n{lines}"


def read_text(path: Path) -> tuple[str, bool, Problem | None]:
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
    return f"the text {quote(node.value)}"


def suggest_key(key: str, allowed: Sequence[str]) -> str:
    synonyms = KEY_SYNONYMS.get(key.lower(), "").split()
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


def parse(text: str, path: Path) -> tuple[_Parsed | None, list[Problem]]:
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
                self.add(key, f"unknown key {quote(name)} {where}; {suggest_key(name, allowed)}"
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
        where = f"in theme {quote(written_id)}" if written_id else "in this theme"
        pairs = self.pairs(node, THEME_KEYS, where)
        theme_id = self.theme_id(pairs.get("id"), node)
        line = _line(pairs["id"][0]) if "id" in pairs else _line(node)
        if theme_id is not None and theme_id in self.first_line:
            self.add(line, f"duplicate id {quote(theme_id)}: line {self.first_line[theme_id]} "
                           f"uses it too; give each theme its own id")
            theme_id = None
        elif theme_id is not None:
            self.first_line[theme_id] = line
            self.nodes[theme_id] = node
        label = self.text_value(pairs.get("label"), f"label {where}")
        if "label" not in pairs:
            named = f"theme {quote(written_id)}" if written_id else "this theme"
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
        problem = id_problem(node.value)
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
        problem = colour_problem(text)
        if problem:
            self.add(node, f"{problem} ({where})")
            return None
        return text


def id_problem(text: str) -> str | None:
    if not text.strip():
        return 'the id is empty; give the theme a short code such as "5.4"'
    if text != text.strip():
        return f"the id {quote(text)} has spaces at the start or end; remove them"
    bad = sorted({ch for ch in text if not (ch.isalnum() or ch in ID_PUNCTUATION)})
    if bad:
        listed = " ".join(quote(ch) for ch in bad)
        return (f"the id {quote(text)} contains {listed}; ids may hold letters, digits, "
                f'".", "_", "-", ":" and spaces between words')
    return None


def colour_problem(text: str) -> str | None:
    if colour_hex(text):
        return None
    close = difflib.get_close_matches(text.strip().lower(), NAMED_COLOURS, n=1, cutoff=0.75)
    guess = f'; did you mean "{close[0]}"?' if close else ""
    return (f'colour {quote(text)} is not a colour: use "#rgb" or "#rrggbb" in quotes '
            f'(e.g. "#4e79a7") or a colour name such as "teal"{guess}')



"""Writing ``themes.yaml``: whole files, and a theme added in place (comments and layout kept)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from framework.errors import InputError
from framework.fileio import write_atomic
from framework.themes.model import TEXT_KEYS, ThemeSpec, iter_themes, printable, quote
from framework.themes.validate import colour_problem, id_problem, parse, problems_message, read_text

_HEADER = (
    "# Thematic framework. Each theme has an id and a label, and may have a description,\n"
    "# include and exclude notes, a colour (\"#rrggbb\" or a name such as \"teal\") and\n"
    "# children (its subthemes, nested the same way).\n"
)


def _block_text(text: str, indent: int) -> list[str] | None:
    """Lines of a literal block scalar (``|-`` or ``|``) for text over several lines, or None
    when the text needs quotes to read back exactly."""
    if "\n" not in text or "\r" in text:
        return None
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if (not lines[0].strip() or lines[0][0] in " \t" or body.endswith("\n")
            or not all(printable(ch) or ch == "\t" for ch in body.replace("\n", ""))
            or any(line != line.rstrip() for line in lines)):
        return None
    pad = " " * indent
    return ["|" if text.endswith("\n") else "|-"] + [pad + line if line else "" for line in lines]


def _theme_lines(spec: ThemeSpec, dash_col: int, key_col: int) -> list[str]:
    """A theme as block YAML: ``- id:`` at ``dash_col``, its keys at ``key_col``."""
    pad = " " * key_col
    gap = " " * max(1, key_col - dash_col - 1)
    lines = [f"{' ' * dash_col}-{gap}id: {quote(spec.id)}", f"{pad}label: {quote(spec.label)}"]
    for key in TEXT_KEYS:
        value = getattr(spec, key)
        if not value:
            continue
        block = _block_text(value, key_col + 2)
        if block:
            lines.append(f"{pad}{key}: {block[0]}")
            lines.extend(block[1:])
        else:
            lines.append(f"{pad}{key}: {quote(value)}")
    if spec.colour:
        lines.append(f"{pad}colour: {quote(spec.colour)}")
    if spec.children:
        lines.append(f"{pad}children:")
        for child in spec.children:
            lines.extend(_theme_lines(child, key_col + 2, key_col + 4))
    return lines


def _flow_theme(spec: ThemeSpec) -> str:
    """A theme as one flow mapping, for lists written in ``[...]`` style."""
    parts = [f"id: {quote(spec.id)}", f"label: {quote(spec.label)}"]
    parts += [f"{key}: {quote(getattr(spec, key))}" for key in TEXT_KEYS if getattr(spec, key)]
    if spec.colour:
        parts.append(f"colour: {quote(spec.colour)}")
    if spec.children:
        parts.append("children: [" + ", ".join(_flow_theme(c) for c in spec.children) + "]")
    return "{" + ", ".join(parts) + "}"


def theme_file_text(name: str | None, themes: Sequence[ThemeSpec]) -> str:
    """A whole ``themes.yaml``: a short explanatory comment, ``name`` when given, the themes."""
    lines = [_HEADER.rstrip("\n")]
    if name:
        lines.append(f"name: {quote(name)}")
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
    text, bom, problem = read_text(path)
    if problem is not None:
        raise InputError(str(problem))
    parsed, problems = parse(text, path)
    if parsed is None:
        raise InputError(problems_message(path, problems, "Fix them before adding a theme."))
    spec = _tidy(spec)
    messages = _spec_problems(spec)
    for new in iter_themes([spec]):
        old = parsed.file.find(new.id)
        if old is not None:
            messages.append(f"the id {quote(new.id)} is already used at line {old.line}; "
                            f"choose another id")
    if parent_id is not None and parent_id not in parsed.nodes:
        messages.append(f"there is no theme with id {quote(parent_id)} to put it under; "
                        f"check the parent's id")
    if messages:
        raise InputError(f"{path}: cannot add theme {quote(str(spec.id))}: " + "; ".join(messages))

    newline = "\r\n" if "\r\n" in text else "\n"
    if parent_id is None:
        new_text = _insert(text, parsed.root, "themes", spec, newline)
    else:
        new_text = _insert(text, parsed.nodes[parent_id], "children", spec, newline)

    after, _ = parse(new_text, path)
    expected = _strip_lines(_with_child(parsed.file.themes, parent_id, spec))
    if after is None or after.file.name != parsed.file.name or \
            _strip_lines(after.file.themes) != expected:
        snippet = "\n".join(_theme_lines(spec, 2, 4))
        raise InputError(f"{path}: the theme could not be added automatically because of the "
                         f"way the file is laid out; add it by hand:\n{snippet}")
    write_atomic(path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))


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
        problem = id_problem(item.id)
        if problem:
            messages.append(problem)
        if item.id in seen:
            messages.append(f"the id {quote(item.id)} is given twice; give each theme its own id")
        seen.add(item.id)
        if not item.label.strip():
            messages.append(f"the label of {quote(item.id)} is empty; write a short name")
        if item.colour:
            problem = colour_problem(item.colour)
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


STARTER_THEMES = """\
# The thematic framework of this project: themes and subthemes, nested to any depth.
# Each theme: id (stable, e.g. "5.4"), label, and optional description, include,
# exclude, colour ("#4e79a7") and children. Check it with: framework themes check
name: New framework project
themes:
  - id: "1"
    label: First theme
    description: What belongs under this theme
    children:
      - id: "1.1"
        label: A subtheme
"""

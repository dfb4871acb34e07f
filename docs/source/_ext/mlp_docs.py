"""The manual's generated reference: directives that read the code, so pages cannot drift.

- ``{mlp-commands}``: every ``mlp-lecture`` subcommand and option, from the argparse
  parser (``mlp_lecture.cli.build_parser``), as argparse itself would print them;
- ``{mlp-trace-paths}``: every trace path with its kind, its meaning and its shape in
  a regression and a classification lesson (``mlpmath.schema`` and two real traces);
- ``{mlp-lesson-limits}``: the lesson file's limits, from ``mlpmath.lesson_checks``;
- ``{mlp-gallery} DIR``: every still a ``gallery.json`` lists (``mlp-lecture stills``),
  in its order, captioned with its scene, optionally ``:only:`` some scenes.

Each directive writes Markdown and hands it to MyST, so the generated pages
look like the written ones. The same functions (``commands_markdown`` ...)
serve the tests.
"""

from __future__ import annotations

import argparse
import inspect
import io
import re
import tokenize
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

__all__ = [
    "commands_markdown",
    "gallery_markdown",
    "lesson_limits_markdown",
    "setup",
    "trace_paths_markdown",
]


_OPTION = re.compile(r"(?<![\w`])(--[a-z][\w-]*)")


def _cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell (one line, no bare ``|``), an option
    named in it as code (else ``--out`` would be typeset with a dash)."""
    return _OPTION.sub(r"`\1`", " ".join(str(text).split()).replace("|", "\\|"))


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, Any]]:
    """(name, help, parser) of each subcommand, in the order ``--help`` lists them."""
    for action in parser._actions:  # argparse keeps no public list of them
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def _default(action: argparse.Action) -> str:
    if action.default in (None, False, argparse.SUPPRESS) or action.required:
        return ""
    if isinstance(action, argparse._StoreTrueAction):
        return ""
    return _code(str(action.default))


def _narrow(prog: str) -> argparse.HelpFormatter:
    """argparse's own formatter, wrapping at 76 columns whatever the terminal is."""
    return argparse.HelpFormatter(prog, width=76)


def commands_markdown() -> str:
    """Every subcommand of ``mlp-lecture``: its usage, what it does, each argument."""
    from mlp_lecture.cli import build_parser

    parser = build_parser()
    lines = [f"{parser.description}", ""]
    for name, summary, sub in _subcommands(parser):
        lines += [f"## mlp-lecture {name}", ""]
        text = sub.description or summary
        if text:
            lines += [text[0].upper() + text[1:] + ("" if text.endswith(".") else "."), ""]
        sub.formatter_class = _narrow
        usage = sub.format_usage().rstrip()
        lines += ["```text", usage, "```", ""]
        lines += ["| argument | what it does | default |", "|---|---|---|"]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if action.option_strings:
                metavar = (
                    ""
                    if action.nargs == 0
                    else " " + sub._get_formatter()._format_args(action, action.dest.upper())
                )
                names = ", ".join(f"{option}{metavar}" for option in action.option_strings)
            else:
                names = action.metavar or action.dest.upper()
                if action.nargs == "?":
                    names = f"[{names}]"
            what = action.help or ""
            if action.choices and not what:  # the choices are in the name too
                what = f"one of {', '.join(map(str, action.choices))}"
            if action.required and action.option_strings:
                what += " (required)"
            lines.append(f"| {_code(names)} | {_cell(what)} | {_default(action)} |")
        lines.append("")
    return "\n".join(lines)


def _shape(value: Any) -> str:
    """A value's size in words: ``3 x 2``, ``9``, ``one number``, ``empty``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, list):
        if not value:
            return "empty"
        if isinstance(value[0], dict):
            return f"{len(value)} record{'s' if len(value) > 1 else ''}"
        dims = [len(value)]
        inner = value[0]
        while isinstance(inner, list) and inner:
            dims.append(len(inner))
            inner = inner[0]
        return " × ".join(map(str, dims))
    if isinstance(value, dict):
        return "record"
    if isinstance(value, str):
        return _code(value) if len(value) <= 24 else "text"
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    return f"{value:.6g}" if isinstance(value, float) else "one value"


def _first(data: Any, path: str) -> Any:
    """The value at ``path`` with every ``[i]``-style index read as 0 (``None`` if absent)."""
    from mlpmath import PathError, resolve

    concrete = path
    for letter in "ijklm":
        concrete = concrete.replace(f"[{letter}]", "[0]")
    try:
        return resolve(data, concrete)
    except PathError:
        return None


_LOSS_WORDS = {None: "both", "mse": "MSE", "cross_entropy": "cross-entropy"}


def trace_paths_markdown(
    regression: str = "lessons/default.toml", classification: str = "lessons/classify.toml"
) -> str:
    """Every trace path, a section per record (its path, its docstring), a row per field
    with its kind, its meaning, which loss fills it, and its size in a regression and a
    classification lesson."""
    from mlpmath import cached_trace, load_lesson
    from mlpmath import trace as records
    from mlpmath.schema import trace_paths

    root = Path(__file__).resolve().parents[3]
    lessons = (regression, classification)
    traces = [cached_trace(load_lesson(root / name)).to_dict() for name in lessons]
    sections: dict[str, list[Any]] = {}
    for item in trace_paths():
        parent = item.path[: -len(item.field)].rstrip(".")
        sections.setdefault(parent, []).append(item)
    lines: list[str] = []
    for parent, items in sections.items():
        record = getattr(records, items[0].record)
        doc = inspect.getdoc(record) or ""
        title = f"`{parent}`" if parent else "The trace"
        lines += [f"## {title}: {record.__name__}", "", doc.split("\n\n")[0], ""]
        lines += [
            f"| field | kind | meaning | filled by | `{Path(regression).name}` "
            f"| `{Path(classification).name}` |",
            "|---|---|---|---|---|---|",
        ]
        for item in items:
            shapes = [_shape(_first(data, item.path)) for data in traces]
            lines.append(
                f"| {_code(item.field)} | {item.kind} | {_cell(item.meaning)} "
                f"| {_LOSS_WORDS[item.loss]} | {shapes[0]} | {shapes[1]} |"
            )
        lines.append("")
    return "\n".join(lines)


def lesson_limits_markdown() -> str:
    """The ``MAX_*`` limits of ``mlpmath.lesson_checks``, with the comment each carries."""
    from mlpmath import lesson_checks

    source = inspect.getsource(lesson_checks)
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    lines = ["| limit | at most | what it bounds |", "|---|---|---|"]
    for number, line in enumerate(source.splitlines(), start=1):
        name = line.split("=")[0].strip()
        if line.startswith("MAX_") and name in lesson_checks.__all__:
            value = getattr(lesson_checks, name)
            shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
            lines.append(f"| `{name}` | {shown} | {_cell(comments.get(number, ''))} |")
    return "\n".join(lines) + "\n"


def gallery_markdown(folder: str, source: Path, only: list[str] | None = None) -> str:
    """A grid of the stills ``source / folder / gallery.json`` lists, each captioned."""
    import json

    listed = json.loads((source / folder / "gallery.json").read_text(encoding="utf-8"))["files"]
    lines = [":::{container} mlp-gallery", ""]
    for name in sorted(listed):
        scene = Path(name).stem.split("-", 1)[-1]
        if only and scene not in only:
            continue
        lines += [
            f"```{{figure}} {folder}/{name}",
            f":alt: {scene}, the last frame",
            "",
            f"`{scene}`",
            "```",
            "",
        ]
    return "\n".join([*lines, ":::", ""])


class Gallery(SphinxDirective):
    """``{mlp-gallery} ../../gallery``: the stills of a gallery folder, relative to the page."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"only": lambda text: text.replace(",", " ").split()}

    def run(self) -> list[nodes.Node]:
        page = Path(self.env.doc2path(self.env.docname)).parent
        text = gallery_markdown(self.arguments[0], page, self.options.get("only"))
        return self.parse_text_to_nodes(text)


class _Generated(SphinxDirective):
    """A directive whose content is Markdown made by a function of the code."""

    has_content = False
    make: Any = None

    def run(self) -> list[nodes.Node]:
        text = type(self).make()
        return self.parse_text_to_nodes(text, allow_section_headings=True)


class Commands(_Generated):
    make = staticmethod(commands_markdown)


class TracePaths(_Generated):
    make = staticmethod(trace_paths_markdown)


class LessonLimits(_Generated):
    make = staticmethod(lesson_limits_markdown)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("mlp-commands", Commands)
    app.add_directive("mlp-trace-paths", TracePaths)
    app.add_directive("mlp-lesson-limits", LessonLimits)
    app.add_directive("mlp-gallery", Gallery)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

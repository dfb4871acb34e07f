"""The trace's schema, read from its records: every path, its kind, its meaning, its loss.

The records in :mod:`mlpmath.trace` are the one place a traced value is
declared. Its meaning is the comment on its field's line (or the line just
above it), its kind comes from the field's type, and a field that only one
loss fills says so in its metadata (``trace.LOSS_FIELD``). Everything that
lists the trace's fields reads them from here instead of keeping a list: the
manual's trace reference, the explorable page's empty fields for the other
loss, and the tests that hold each of them to it. Adding a field to a record
(with its comment) is then enough for all of them.

No torch and no manim: this reads the records' definitions, not a trace.
"""

from __future__ import annotations

import ast
import inspect
import io
import textwrap
import tokenize
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from mlpmath import trace as records

__all__ = ["TracePath", "empty_fields", "field_meanings", "trace_paths"]

_KINDS = {float: "number", int: "whole number", bool: "true/false", str: "text"}
_PLURALS = {"true/false": "true/false values"}
_INDICES = "ijklm"  # the index letter of each level of lists of records in a path


@dataclass(frozen=True)
class TracePath:
    """One field of the trace, under the path scenes, ledgers and ``trace --json`` use.

    ``path`` writes a tuple of records' index as ``[i]`` (``network.layers[i].product``);
    ``kind`` is what the value is (``matrix``, ``vector``, ``number``, a record, ...);
    ``loss`` is ``"mse"`` or ``"cross_entropy"`` for a field only that loss fills
    (inherited from the field that holds its record), else ``None``.
    """

    path: str
    kind: str
    meaning: str
    loss: str | None
    record: str  # the dataclass declaring the field, e.g. "LayerTrace"
    field: str  # its name there


@cache
def field_meanings(record: type) -> dict[str, str]:
    """Each field's comment in ``record``'s source: on its line, else the comment lines
    just above it (``""`` when it has none)."""
    source = textwrap.dedent(inspect.getsource(record))
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    lines = source.splitlines()
    meanings: dict[str, str] = {}
    for node in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        text = comments.get(node.end_lineno or node.lineno, "")
        if not text:  # the comment block right above the field
            above: list[str] = []
            line = node.lineno - 1
            while line in comments and lines[line - 1].lstrip().startswith("#"):
                above.insert(0, comments[line])
                line -= 1
            text = " ".join(above)
        meanings[node.target.id] = text
    return meanings


def _kind(hint: Any) -> tuple[str, type | None]:
    """A field type in words, and the record it holds (a record or a tuple of records)."""
    if isinstance(hint, type) and is_dataclass(hint):
        return f"{hint.__name__} record", hint
    if get_origin(hint) in (Union, UnionType):
        options = [option for option in get_args(hint) if option is not type(None)]
        kind, inner = _kind(options[0])
        return f"{kind} or null", inner
    if get_origin(hint) is tuple:
        item = get_args(hint)[0]
        if isinstance(item, type) and is_dataclass(item):
            return f"list of {item.__name__} records", item
        depth, element = 1, item
        while get_origin(element) is tuple:
            depth, element = depth + 1, get_args(element)[0]
        word = _KINDS.get(element, str(element))
        words = _PLURALS.get(word, f"{word}s")
        if depth == 1:
            return ("vector" if element is float else f"list of {words}"), None
        if depth == 2:
            return ("matrix" if element is float else f"table of {words}"), None
        return f"{depth}-deep list of {words}", None
    return _KINDS.get(hint, str(hint)), None


def _walk(record: type, prefix: str, loss: str | None, depth: int = 0) -> list[TracePath]:
    paths: list[TracePath] = []
    hints = get_type_hints(record)
    meanings = field_meanings(record)
    for item in fields(record):
        path = f"{prefix}.{item.name}" if prefix else item.name
        owner = item.metadata.get(records.LOSS_FIELD, loss)
        kind, inner = _kind(hints[item.name])
        meaning = meanings.get(item.name, "")
        paths.append(TracePath(path, kind, meaning, owner, record.__name__, item.name))
        if inner is not None:
            listed = kind.startswith("list of")
            below = f"{path}[{_INDICES[depth]}]" if listed else path
            paths.extend(_walk(inner, below, owner, depth + listed))
    return paths


@cache
def trace_paths() -> tuple[TracePath, ...]:
    """Every field of :class:`mlpmath.trace.Trace`, depth first in declaration order."""
    return tuple(_walk(records.Trace, "", None))


def empty_fields(record: type, loss: str) -> dict[str, Any]:
    """The fields of ``record`` that a lesson of ``loss`` leaves empty, with their empty
    JSON value (``[]`` for a list, ``None`` for a value or a record): what a trace of
    that loss holds there, as ``trace --json`` writes it."""
    hints = get_type_hints(record)
    empty: dict[str, Any] = {}
    for item in fields(record):
        owner = item.metadata.get(records.LOSS_FIELD)
        if owner is not None and owner != loss:
            empty[item.name] = [] if get_origin(hints[item.name]) is tuple else None
    return empty

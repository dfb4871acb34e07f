"""Pieces that can only show numbers taken from the trace.

A scene never writes a number: it names a value by its trace path
(``network.layers[0].product[2][1]``) and one of these pieces typesets it
with Typst, records it in the scene's ledger, and keeps it selectable for
highlighting. Worked sums and products also record the shown operands, so
the "=" they print is checked by hand-arithmetic on exactly what is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from manim import VGroup
from manim.mobject.text.typst_mobject import MathTypst

from mlpmath import PathError, Trace, dot_relation, format_number, resolve
from scenes import style
from scenes.ledger import Ledger

__all__ = ["TracedMath", "TracedMatrix", "TracedValues", "Value"]


@dataclass(frozen=True)
class Value:
    """A traced value inside a math expression; ``paren`` wraps a negative in ( )."""

    path: str
    color: Any = None
    paren: bool = False


Part = str | Value


class TracedMath(MathTypst):
    """Typst math whose every number comes from the trace.

    ``part(i)`` selects the i-th traced value, for highlighting or moving.
    """

    def __init__(self, source: str, labels: list[str], **kwargs: Any):
        super().__init__(source, **kwargs)
        self.value_labels = labels

    def part(self, index: int) -> VGroup:
        return self.select(self.value_labels[index])


class TracedMatrix(MathTypst):
    """A matrix or vector of traced values, elided with dots when too large.

    ``entry(r, c)``, ``row(r)`` and ``column(c)`` select shown entries; an
    elided matrix keeps only its first rows/columns and its last.
    """

    def __init__(self, source: str, rows: list[int], columns: list[int], **kwargs: Any):
        super().__init__(source, **kwargs)
        self.shown_rows = rows
        self.shown_columns = columns

    def entry(self, row: int, column: int = 0) -> VGroup:
        return self.select(_entry_label(row, column))

    def row(self, row: int) -> VGroup:
        return VGroup(*(self.entry(row, c) for c in self.shown_columns))

    def column(self, column: int) -> VGroup:
        return VGroup(*(self.entry(r, column) for r in self.shown_rows))

    @property
    def is_elided(self) -> bool:
        return bool(getattr(self, "_elided", False))


def _entry_label(row: int, column: int) -> str:
    return f"r{row}c{column}"


def _shown_indices(count: int, limit: int) -> list[int | None]:
    """Which indices to show; ``None`` stands for the dots of an elision."""
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 1]


class TracedValues:
    """The factory a scene uses for every number it shows (``self.traced``)."""

    def __init__(self, trace: Trace, ledger: Ledger):
        self.trace = trace
        self.ledger = ledger

    # -- reading ------------------------------------------------------------

    def value(self, path: str) -> float:
        """The full-precision value at ``path``: for layout, never for display."""
        value = resolve(self.trace, path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PathError(f"{path!r}: not a single number in the trace")
        return value

    def text(self, path: str) -> str:
        """The value at ``path`` as it is shown on screen."""
        return format_number(self.value(path), self.trace.decimals)

    def shape(self, path: str) -> tuple[int, int]:
        """(rows, columns) of the matrix or vector at ``path`` (a vector is a column)."""
        value = resolve(self.trace, path)
        if value and isinstance(value[0], list | tuple):
            return len(value), len(value[0])
        return len(value), 1

    # -- pieces -------------------------------------------------------------

    def math(self, *parts: Part, color: Any = None, font_size: float | None = None) -> TracedMath:
        """Math made of notation (plain strings, no numbers) and traced values."""
        source, labels, recorded = [], [], []
        for part in parts:
            if isinstance(part, str):
                source.append(part)
                continue
            label = f"v{len(labels)}"
            text = self.text(part.path)
            literal = f"({text})" if part.paren and text.startswith("-") else text
            source.append(f"{{{{ {literal} : {label} }}}}")
            labels.append(label)
            recorded.append((part, text))
        mobject = TracedMath(
            " ".join(source),
            labels,
            color=color or style.TEXT,
            font_size=font_size or style.MATH_SIZE,
        )
        for label, (part, text) in zip(labels, recorded):
            self.ledger.record(mobject, part.path, self.value(part.path), text)
            if part.color is not None:
                mobject.select(label).set_color(part.color)
        return mobject

    def number(self, path: str, color: Any = None, font_size: float | None = None) -> TracedMath:
        return self.math(Value(path, color), font_size=font_size)

    def worked_dot(
        self,
        pairs: Sequence[tuple[str, str | None]],
        total: str,
        prefix: Sequence[Part] = (),
        colors: tuple[Any, Any] = (None, None),
        total_color: Any = None,
        font_size: float | None = None,
    ) -> TracedMath:
        """``a·b + c·d + ... = total`` (or ``≈`` where the shown digits disagree).

        A pair whose right path is ``None`` is a plain term; so a worked sum
        is ``worked_dot([(a, None), (b, None)], total)``.
        """
        parts: list[Part] = list(prefix)
        for index, (left, right) in enumerate(pairs):
            if index:
                parts.append("+")
            parts.append(Value(left, colors[0], paren=index > 0 or right is not None))
            if right is not None:
                parts += ["dot", Value(right, colors[1], paren=True)]
        lefts = [self.text(left) for left, _ in pairs]
        rights = [None if right is None else self.text(right) for _, right in pairs]
        relation = dot_relation(lefts, rights, self.text(total))
        parts += [relation, Value(total, total_color)]
        mobject = self.math(*parts, font_size=font_size)
        self.ledger.record_relation(mobject, lefts, rights, self.text(total), relation)
        return mobject

    def worked_sum(self, terms: Sequence[str], total: str, **kwargs: Any) -> TracedMath:
        return self.worked_dot([(term, None) for term in terms], total, **kwargs)

    def size(self, path: str, font_size: float | None = None) -> TracedMath:
        """The true size ``rows × columns`` of the matrix at ``path``."""
        parts: list[Part] = [Value(f"len({path})")]
        if _is_matrix(self.trace, path):
            parts += ["times", Value(f"len({path}[0])")]
        return self.math(*parts, color=style.MUTED, font_size=font_size or style.SMALL_SIZE)

    def matrix(
        self,
        path: str,
        color: Any = None,
        as_row: bool = False,
        max_rows: int | None = None,
        max_columns: int | None = None,
        font_size: float | None = None,
    ) -> TracedMatrix:
        """The matrix (or vector, as a column unless ``as_row``) at ``path``."""
        is_matrix = _is_matrix(self.trace, path)
        rows, columns = self.shape(path)
        if as_row and not is_matrix:
            rows, columns = 1, rows

        def entry_path(r: int, c: int) -> str:
            if is_matrix:
                return f"{path}[{r}][{c}]"
            return f"{path}[{c if as_row else r}]"

        row_picks = _shown_indices(rows, max_rows or style.MAX_MATRIX_ROWS)
        column_picks = _shown_indices(columns, max_columns or style.MAX_MATRIX_COLUMNS)
        source_rows, recorded = [], []
        for r in row_picks:
            cells = []
            for c in column_picks:
                if r is None or c is None:
                    cells.append(_dots(r, c))
                    continue
                text = self.text(entry_path(r, c))
                cells.append(f"{{{{ {text} : {_entry_label(r, c)} }}}}")
                recorded.append((entry_path(r, c), text))
            source_rows.append(", ".join(cells))
        source = f'mat(delim: "[", align: #right, {"; ".join(source_rows)})'
        mobject = TracedMatrix(
            source,
            [r for r in row_picks if r is not None],
            [c for c in column_picks if c is not None],
            color=color or style.TEXT,
            font_size=font_size or style.MATRIX_SIZE,
        )
        mobject._elided = None in row_picks or None in column_picks
        for entry, text in recorded:
            self.ledger.record(mobject, entry, self.value(entry), text)
        return mobject


def _is_matrix(trace: Trace, path: str) -> bool:
    value = resolve(trace, path)
    return bool(value) and isinstance(value[0], list | tuple)


def _dots(row: int | None, column: int | None) -> str:
    if row is None and column is None:
        return "dots.down"
    return "dots.v" if row is None else "dots.h"

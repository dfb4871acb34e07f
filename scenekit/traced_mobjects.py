"""The pieces a scene holds that show traced numbers: selectable by value or entry.

:class:`~scenekit.traced.TracedValues` makes them (it typesets and records
every number); these classes are what it returns: a formula whose traced
values a scene selects by order, and a matrix whose entries it selects by
row and column. :func:`shown_indices` is the one rule of elision every piece
that leaves entries out follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from manim import VGroup

from scenekit import style
from scenekit.formulas import MathTypst

__all__ = [
    "TracedMath",
    "TracedMatrix",
    "entry_label",
    "shown_indices",
    "typst_number",
]


class TracedMath(MathTypst):
    """Typst math whose every number comes from the trace.

    ``part(i)`` selects the i-th traced value, for highlighting or moving;
    ``result`` the last one, which in a worked formula is its total.
    """

    def __init__(self, source: str, labels: list[str], **kwargs: Any):
        super().__init__(source, **kwargs)
        self.value_labels = labels

    def part(self, index: int) -> VGroup:
        """The glyphs of the ``index``-th traced value, in the order they were given."""
        return self.select(self.value_labels[index])

    @property
    def result(self) -> VGroup:
        """The last traced value: the total a worked sum or product arrives at, which
        a scene moves on (into a matrix entry, a table cell) or points at.

        Examples
        --------
        >>> self.play(TransformFromCopy(worked.result, matrix.entry(0, 0)))  # doctest: +SKIP
        """
        return self.part(len(self.value_labels) - 1)


class TracedMatrix(MathTypst):
    """A matrix or vector of traced values, elided with dots when too large.

    ``entry(r, c)``, ``row(r)`` and ``column(c)`` select shown entries
    (``entry(-1, c)`` is a header cell); an elided matrix keeps only its first
    rows/columns and its last. ``shown_rows`` and ``shown_columns`` are the
    indices it shows; ``elided`` says whether it left any out.
    """

    def __init__(
        self, source: str, rows: list[int], columns: list[int], elided: bool = False, **kwargs: Any
    ):
        super().__init__(source, **kwargs)
        self.shown_rows = rows
        self.shown_columns = columns
        self.elided = elided

    def entry(self, row: int, column: int = 0) -> VGroup:
        return self.select(entry_label(row, column))

    def row(self, row: int) -> VGroup:
        return VGroup(*(self.entry(row, c) for c in self.shown_columns))

    def column(self, column: int) -> VGroup:
        return VGroup(*(self.entry(r, column) for r in self.shown_rows))

    def header(self) -> VGroup:
        """The shown cells of the header row (a grid built with ``header=``)."""
        return VGroup(*(self.entry(-1, c) for c in self.shown_columns))

    def mute_header(self) -> TracedMatrix:
        """Grey the header row, so the eye goes to the numbers under it; returns ``self``.

        Examples
        --------
        >>> self.traced.grid(2, 2, cell, header=["y", "hat(y)"]).mute_header()  # doctest: +SKIP
        """
        self.header().set_color(style.MUTED)
        return self

    def frame(self, columns: Sequence[int] | None = None) -> VGroup:
        """What the matrix shows besides the entries of ``columns`` (default: every
        shown column): brackets, header, the dots of an elision. A scene fades it in
        first, then brings the entries in, so the shape is there before the numbers.
        """
        picked = self.shown_columns if columns is None else columns
        entries = {
            id(member)
            for row in self.shown_rows
            for column in picked
            if column in self.shown_columns
            for member in self.entry(row, column).get_family()
        }
        return VGroup(*(m for m in self.submobjects if id(m) not in entries))


def entry_label(row: int, column: int) -> str:
    """The Typst label of entry (``row``, ``column``); ``row`` -1 is the header."""
    return f"r{row}c{column}" if row >= 0 else f"h{column}"


def shown_indices(count: int, limit: int) -> list[int | None]:
    """Which of ``count`` indices a piece at most ``limit`` wide shows: all, or the
    first ``limit - 2``, ``None`` for the dots of an elision, and the last. Every
    matrix, diagram and formula that elides uses it, so all leave out the same.

    Examples
    --------
    >>> shown_indices(3, 5)
    [0, 1, 2]
    >>> shown_indices(9, 5)
    [0, 1, 2, None, 8]
    """
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 1]


def typst_number(text: str) -> str:
    """A shown number as Typst math: digits as they are, overflow as ∞ or NaN."""
    return {"inf": "infinity", "-inf": "-infinity", "nan": '"NaN"'}.get(text, text)

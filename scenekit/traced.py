"""Pieces that can only show numbers taken from the trace.

A scene never writes a number: it names a value by its trace path
(``network.layers[0].product[2][1]``) and one of these pieces typesets it
with Typst, records it in the scene's ledger, and keeps it selectable for
highlighting. Worked sums and products also record the shown operands, so
the "=" they print is checked by hand-arithmetic on exactly what is shown.

:class:`TracedValues` makes every piece; the pieces themselves
(:class:`TracedMath`, :class:`TracedMatrix`) and the elision rule
:func:`shown_indices` live in :mod:`scenekit.traced_mobjects` and are
importable from here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from manim import Dot, ManimColor

from mlpmath import PathError, Trace, resolve
from mlpmath.display import EQUALS, relation, shown_text
from scenekit import style
from scenekit.formulas import Typst
from scenekit.ledger import Ledger
from scenekit.terms import (
    NEW_LINE,
    PLUS,
    TIMES,
    Checked,
    Op,
    Term,
    Value,
)
from scenekit.traced_mobjects import (
    TracedMath,
    TracedMatrix,
    entry_label,
    shown_indices,
    typst_number,
)

__all__ = [
    "TracedMath",
    "TracedMatrix",
    "TracedValues",
    "shown_indices",
]


Part = str | Value


class TracedValues:
    """The factory a scene uses for every number it shows (``self.traced``).

    Every call takes trace paths (as ``mlp-lecture trace --json`` prints them),
    never numbers; the ledger records each shown path, value and text, so the
    audit and ``mlp-lecture verify`` can check every number on screen.
    """

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
        return shown_text(path, self.value(path), self.trace.decimals)

    def shape(self, path: str) -> tuple[int, int]:
        """(rows, columns) of the matrix or vector at ``path`` (a vector is a column)."""
        value = resolve(self.trace, path)
        if value and isinstance(value[0], list | tuple):
            return len(value), len(value[0])
        return len(value), 1

    # -- pieces -------------------------------------------------------------

    def math(self, *parts: Part, color: Any = None, font_size: float | None = None) -> TracedMath:
        """Math made of notation (plain Typst strings, no numbers) and traced values:
        the one way a number gets into a formula. A digit in a string fails the
        audit; each :class:`Value` is typeset from the trace and recorded.

        Examples
        --------
        >>> self.traced.math("b =", Value("neurons[0].bias", style.BIAS))  # doctest: +SKIP
        """
        source, labels, recorded = [], [], []
        for part in parts:
            if isinstance(part, str):
                source.append(part)
                continue
            label = f"v{len(labels)}"
            text = self.text(part.path)
            literal = typst_number(text)
            if part.paren and text.startswith("-"):
                literal = f"({literal})"
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

    def words(self, *parts: Part, color: Any = None, font_size: float | None = None) -> Typst:
        """A sentence (Typst markup) with traced numbers in it, as a caption counts
        ("the first 9 of 16"): each :class:`Value` is written as shown and recorded.
        ``spelled(*parts)`` is its text.

        Examples
        --------
        >>> self.traced.words("all", Value("len(network.prediction)"), "samples")  # doctest: +SKIP
        """
        mobject = Typst(
            self.spelled(*parts),
            color=color or style.TEXT,
            font_size=font_size or style.CAPTION_SIZE,
        )
        for part in parts:
            if isinstance(part, Value):
                self.ledger.record(mobject, part.path, self.value(part.path), self.text(part.path))
        return mobject

    def spelled(self, *parts: Part) -> str:
        """The text of ``words(*parts)``: the words, and each value as it is shown."""
        return " ".join(part if isinstance(part, str) else self.text(part.path) for part in parts)

    def number(self, path: str, color: Any = None, font_size: float | None = None) -> TracedMath:
        """One traced value on its own (an axis label, a value beside a mark).

        Examples
        --------
        >>> self.traced.number("network.loss", color=style.RESULT)  # doctest: +SKIP
        """
        return self.math(Value(path, color), font_size=font_size)

    def worked(
        self,
        terms: Sequence[Term],
        total: str,
        prefix: Sequence[Part] = (),
        total_color: Any = None,
        font_size: float | None = None,
    ) -> TracedMath:
        """Shown arithmetic and its result: ``terms = total``, or ``≈`` where the
        shown digits, computed exactly by hand, do not give the shown total.

        The sign is earned, not typed: a viewer re-doing the sum by hand with
        the digits on screen gets the shown total, or the scene says ``≈``. The
        ledger keeps the arithmetic as shown, so ``verify`` re-checks it.
        ``result`` of the returned piece selects the total.

        Examples
        --------
        >>> from scenekit.terms import OVER, Value
        >>> terms = [Value("network.squared_error_sum"), OVER, Value("network.loss_count")]
        >>> self.traced.worked(terms, "network.loss", prefix=["L = S / K ="])  # doctest: +SKIP
        """
        expression, sign = self._check(terms, total)
        total_text = self.text(total)
        parts: list[Part] = [*prefix]
        parts += [term.typst if isinstance(term, Op) else term for term in terms]
        parts += [sign, Value(total, total_color)]
        mobject = self.math(*parts, font_size=font_size)
        self.ledger.record_relation(mobject, expression, total_text, sign)
        return mobject

    def _check(self, terms: Sequence[Term], total: str) -> tuple[str, str]:
        """The shown arithmetic of ``terms``, and the sign it earns against ``total``."""
        expression = " ".join(
            term.arithmetic if isinstance(term, Op) else f"({self.text(term.path)})"
            for term in terms
        )
        return expression, relation(expression, self.text(total))

    def worked_dot(
        self,
        pairs: Sequence[tuple[str, str | None]],
        total: str,
        prefix: Sequence[Part] = (),
        colors: tuple[Any, Any] = (None, None),
        total_color: Any = None,
        font_size: float | None = None,
        per_line: int | None = None,
    ) -> TracedMath:
        """``a·b + c·d + ... = total`` (or ``≈`` where the shown digits disagree).

        A pair whose right path is ``None`` is a plain term; so a worked sum
        is ``worked_dot([(a, None), (b, None)], total)`` (:meth:`worked_sum`).
        Negative operands after the first get parentheses, as by hand.
        ``per_line`` wraps a long one: that many terms a line, each line after
        the first going on under the ``&`` that ``prefix`` then holds (``"z &="``).

        Examples
        --------
        >>> pairs = [(f"neurons[0].weight[{i}]", f"neurons[0].inputs[0][{i}]") for i in range(3)]
        >>> self.traced.worked_dot(pairs, "neurons[0].weighted_sum[0]")  # doctest: +SKIP
        """
        terms: list[Term] = []
        for index, (left, right) in enumerate(pairs):
            if index and per_line and index % per_line == 0:
                terms.append(NEW_LINE)
            if index:
                terms.append(PLUS)
            terms.append(Value(left, colors[0], paren=index > 0 or right is not None))
            if right is not None:
                terms += [TIMES, Value(right, colors[1], paren=True)]
        return self.worked(
            terms, total, prefix=prefix, total_color=total_color, font_size=font_size
        )

    def elided_dot(
        self,
        pairs: Sequence[tuple[str, str | None]],
        limit: int,
        total: str,
        prefix: str = "",
        colors: tuple[Any, Any] = (None, None),
        total_color: Any = None,
    ) -> TracedMath:
        """``a·b + c·d + ... + y·z = total``: a dot product too long to read whole,
        at most ``limit`` of its terms shown (:func:`shown_indices`: the first ones,
        dots, the last). ``pairs`` as :meth:`worked_dot`'s, every one of them.

        Not worked: the shown terms cannot redo the total by hand, so no relation
        is recorded; each shown value, the total too, is a ledger entry.

        Examples
        --------
        >>> pairs = [(f"neurons[0].weight[{i}]", f"neurons[0].inputs[0][{i}]") for i in range(64)]
        >>> self.traced.elided_dot(pairs, 4, "neurons[0].weighted_sum[0]")  # doctest: +SKIP
        """
        parts: list[Part] = [prefix]
        for index in shown_indices(len(pairs), limit):
            if len(parts) > 1:
                parts.append(PLUS.typst)
            if index is None:
                parts.append("dots")
                continue
            left, right = pairs[index]
            parts.append(Value(left, colors[0], paren=True))
            if right is not None:
                parts += [TIMES.typst, Value(right, colors[1], paren=True)]
        return self.math(*parts, "=", Value(total, total_color))

    def worked_sum(self, terms: Sequence[str], total: str, **kwargs: Any) -> TracedMath:
        """``a + b + ... = total``: :meth:`worked_dot` with plain terms."""
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
        transpose: bool = False,
        max_rows: int | None = None,
        max_columns: int | None = None,
        font_size: float | None = None,
    ) -> TracedMatrix:
        """The matrix at ``path`` (``transpose``: shown as its transpose), or the
        vector there, as a column unless ``as_row``.

        Larger than ``max_rows`` x ``max_columns`` (the style's limits by default),
        it is elided with dots, so its numbers stay legible whatever the lesson.

        Examples
        --------
        >>> self.traced.matrix("network.layers[0].weight", color=style.WEIGHT)  # doctest: +SKIP
        """
        rows, columns = self.shape(path)
        if not _is_matrix(self.trace, path):
            stored = (lambda r, c: f"{path}[{r}]") if not as_row else (lambda r, c: f"{path}[{c}]")
            if as_row:
                rows, columns = 1, rows
        else:
            stored = lambda r, c: f"{path}[{r}][{c}]"  # noqa: E731
        if transpose:
            rows, columns = columns, rows

        def cell(r: int, c: int) -> Value:
            return Value(stored(c, r) if transpose else stored(r, c))

        limits = {"max_rows": max_rows, "max_columns": max_columns}
        return self.grid(rows, columns, cell, color=color, font_size=font_size, **limits)

    def grid(
        self,
        rows: int,
        columns: int,
        cell: Callable[[int, int], Part | Sequence[Part]],
        color: Any = None,
        header: Sequence[str] | None = None,
        brackets: bool = True,
        max_rows: int | None = None,
        max_columns: int | None = None,
        font_size: float | None = None,
    ) -> TracedMatrix:
        """A grid of cells (notation or traced values), elided with dots when large.

        ``cell(r, c)`` gives the content of entry (r, c): notation, a
        :class:`Value`, a sequence of both, or a :class:`Checked` total that
        earns ``≈`` where its shown terms do not give it (a table's implied
        "="). A value's own colour (``Value(path, color)``, ``Checked(..., color)``)
        is kept; the rest of the grid is ``color``. Entry (r, c) is selectable
        as ``entry(r, c)``; a ``header`` row of notation, if given, sits above
        and is selectable as ``entry(-1, c)``.
        Use it for tables and for matrices whose entries are not stored as one
        trace matrix (a transpose with a header, a checked column).

        Examples
        --------
        >>> cell = lambda r, c: Value(f"network.{('target', 'prediction')[c]}[{r}][0]")
        >>> self.traced.grid(3, 2, cell, header=["y_i", "hat(y)_i"])  # doctest: +SKIP
        """
        row_picks = shown_indices(rows, max_rows or style.MAX_MATRIX_ROWS)
        column_picks = shown_indices(columns, max_columns or style.MAX_MATRIX_COLUMNS)
        source_rows, recorded, checks, colored = [], [], [], []
        shown_color = ManimColor(color or style.TEXT)
        if header is not None:
            source_rows.append(
                ", ".join(
                    "" if c is None else f"{{{{ {header[c]} : {entry_label(-1, c)} }}}}"
                    for c in column_picks
                )
            )
        for r in row_picks:
            cells = []
            for c in column_picks:
                if r is None or c is None:
                    cells.append(_dots(r, c))
                    continue
                content = cell(r, c)
                if isinstance(content, Checked):
                    expression, sign = self._check(content.terms, content.total)
                    checks.append((expression, self.text(content.total), sign))
                    content = [Value(content.total, content.color)]
                    if sign != EQUALS:
                        content.insert(0, sign)
                parts = [content] if isinstance(content, str | Value) else list(content)
                pieces = []
                for part in parts:
                    if isinstance(part, str):
                        pieces.append(part)
                        continue
                    text = self.text(part.path)
                    literal = typst_number(text)
                    if part.color is not None and ManimColor(part.color) != shown_color:
                        # a value of its own colour: the cell's group when the value is
                        # all of it, else a group of its own (each costs a Typst probe)
                        label = entry_label(r, c)
                        if len(parts) > 1:
                            label = f"{label}v{len(colored)}"
                            literal = f"{{{{ {literal} : {label} }}}}"
                        colored.append((label, part.color))
                    pieces.append(literal)
                    recorded.append((part.path, text))
                cells.append(f"{{{{ {' '.join(pieces)} : {entry_label(r, c)} }}}}")
            source_rows.append(", ".join(cells))
        delimiter = '"["' if brackets else "#none"
        source = f"mat(delim: {delimiter}, align: #right, {'; '.join(source_rows)})"
        mobject = TracedMatrix(
            source,
            [r for r in row_picks if r is not None],
            [c for c in column_picks if c is not None],
            elided=None in row_picks or None in column_picks,
            color=shown_color,
            font_size=font_size or style.MATRIX_SIZE,
        )
        for label, value_color in colored:
            mobject.select(label).set_color(value_color)
        for entry, text in recorded:
            self.ledger.record(mobject, entry, self.value(entry), text)
        for expression, total, sign in checks:
            self.ledger.record_relation(mobject, expression, total, sign)
        return mobject

    def symbols(
        self, rows: int, columns: int, symbol: Callable[[int, int], str], **kwargs: Any
    ) -> TracedMatrix:
        """A matrix of symbols (``k_(3)^(1)``...), the same shape as a traced one."""
        return self.grid(rows, columns, symbol, **kwargs)

    def point(self, axes: Any, x: float, path: str, color: Any = None) -> Dot:
        """A dot plotted at (``x``, the value at ``path``) on ``axes``.

        A plotted value is shown too, so it goes to the ledger like a typeset
        one; ``x`` is only a position (a step's index, say).

        Examples
        --------
        >>> self.traced.point(axes, 0, "network.training.losses[0]")  # doctest: +SKIP
        """
        value = self.value(path)
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value} cannot be plotted")
        dot = Dot(axes.c2p(x, value), radius=style.POINT_RADIUS, color=color or style.RESULT)
        self.ledger.record(dot, path, value, self.text(path))
        return dot


def _is_matrix(trace: Trace, path: str) -> bool:
    value = resolve(trace, path)
    return bool(value) and isinstance(value[0], list | tuple)


def _dots(row: int | None, column: int | None) -> str:
    if row is None and column is None:
        return "dots.down"
    return "dots.v" if row is None else "dots.h"

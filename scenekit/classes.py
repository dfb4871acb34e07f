"""Pieces of a classification lecture: a colour per class, probabilities as bars,
shown sums that must come to 1, the accuracy over training.

Like every piece, they take trace paths and never numbers; what they read
from the trace itself (a bar's height, which class is largest) is layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Line, Mobject, Rectangle, VGroup

from mlpmath.display import relation, shown_precision
from mlpmath.notation import class_label
from scenekit import style
from scenekit.formulas import MathTypst, Typst
from scenekit.lecture_scene import LectureScene
from scenekit.plots import ValueCurve
from scenekit.terms import PLUS, Op, Value
from scenekit.traced import TracedMath, TracedMatrix, TracedValues, shown_indices

__all__ = [
    "CLOSE_PAREN",
    "DIVIDED_BY",
    "OPEN_PAREN",
    "AccuracyCurve",
    "ProbabilityBars",
    "accuracy_worked",
    "class_color",
    "class_heads",
    "class_name",
    "head_lines",
    "one_hot_matrix",
    "predicted_class",
    "typst_literal",
    "worked_sum_to_one",
]

# A division written on one line, "a / b": Typst's "/" would stack the term before it
# over the divisor (a closing bracket over N).
DIVIDED_BY = Op("slash", "/")
# Parentheses as plain symbols: they may hold a line break, as Typst's matched ( ) may not.
OPEN_PAREN = Op("paren.l", "(")
CLOSE_PAREN = Op("paren.r", ")")
# Typst's em in Manim units per unit of font size (a 32-point matrix's em is a third
# of a unit): how much room a thin space (a sixth of an em) makes
EM_PER_FONT_SIZE = 1 / 96
ONE = "1"  # the total every row of probabilities must reach: a formula constant
SAMPLES = "len(network.layers[0].input)"  # N, as a traced count


def class_color(index: int) -> Any:
    """The colour of class ``index`` (the palette is cycled past its last colour)."""
    return style.CLASS_COLORS[index % len(style.CLASS_COLORS)]


def predicted_class(scores: Sequence[float]) -> int:
    """The index of the largest score, the lowest on a tie (as ``torch.argmax``):
    which class a mark is drawn for, never a value shown."""
    return max(range(len(scores)), key=lambda c: (scores[c], -c))


def class_name(names: Sequence[str], index: int) -> str | None:
    """The lesson's name for class ``index``, or ``None`` when it only numbers its
    classes (no names, or a name that is just the number)."""
    if index < len(names) and names[index] != str(index):
        return names[index]
    return None


def typst_literal(text: str) -> str:
    """Free text as a Typst markup string literal (``#"..."``): shown as written,
    whatever marks it holds (``*``, ``_``, ``#``, ``$``, ``<``...)."""
    return '#"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def head_lines(matrix: TracedMatrix, names: Sequence[str]) -> int:
    """On how many lines :func:`class_heads` lays ``matrix``'s class names: 1, 2
    (staggered, when neighbours would touch), or 0 (none: the lesson only numbers
    its classes, or a name is wider than two columns' room)."""
    shown = [c for c in matrix.shown_columns if c is not None]
    if not shown or any(class_name(names, c) is None for c in shown):
        return 0
    widest = max(_head(c, names).width for c in shown)
    xs = [matrix.column(c).get_x() for c in shown]
    pitch = min((b - a for a, b in pairwise(xs)), default=float("inf"))
    if widest <= pitch - style.LABEL_GAP:
        return 1
    if widest <= 2 * pitch - style.LABEL_GAP:
        return 2
    return 0


def _head(c: int, names: Sequence[str]) -> Typst:
    """Class ``c``'s name as its column head: typeset as written, in its colour."""
    return Typst(
        typst_literal(class_label(c, names)), font_size=style.LABEL_SIZE, color=class_color(c)
    )


def class_heads(matrix: TracedMatrix, names: Sequence[str]) -> VGroup:
    """The lesson's class names as column heads over ``matrix`` (a row per sample,
    a column per class), each in its class's colour over its column, typeset as
    written (:func:`typst_literal`). Empty when the lesson only numbers its classes
    (the default lesson's frames stay as they were); staggered on two lines when
    neighbours would touch; empty when even then a name is wider than its room
    (the colours and the column order say it): :func:`head_lines`."""
    lines = head_lines(matrix, names)
    if not lines:
        return VGroup()
    shown = [c for c in matrix.shown_columns if c is not None]
    heads = [_head(c, names) for c in shown]
    xs = [matrix.column(c).get_x() for c in shown]
    tallest = max(head.height for head in heads)
    top = matrix.get_top()[1] + style.LABEL_GAP
    for k, (head, x) in enumerate(zip(heads, xs, strict=True)):
        level = (lines - 1 - k % lines) if lines > 1 else 0
        y = top + tallest / 2 + level * (tallest + style.LABEL_GAP)
        head.move_to([x, y, 0.0])
    return VGroup(*heads)


def one_hot_matrix(
    traced: TracedValues,
    path: str,
    names: Sequence[str],
    beside: TracedMatrix,
    color: Any = None,
    max_rows: int | None = None,
    max_columns: int | None = None,
    font_size: float | None = None,
) -> TracedMatrix:
    """The one-hot ``Y`` at ``path``, its narrow 0/1 columns widened (blank room each
    side of every digit) so that its class-name heads stand on the lines they take
    over ``beside`` (``P``, the same classes in columns of digits, built with the same
    limits): a class table is headed by its names wherever the table beside it is.
    Unwidened when the lesson only numbers its classes, when ``beside`` has no heads,
    or when the heads fit already."""
    rows, columns = traced.shape(path)
    limits = {"max_rows": max_rows, "max_columns": max_columns, "font_size": font_size}

    def build(pad: int) -> TracedMatrix:
        """``Y`` with ``pad`` thin spaces each side of every digit."""
        room = ["thin"] * pad
        return traced.grid(
            rows,
            columns,
            lambda r, c: [*room, Value(f"{path}[{r}][{c}]"), *room],
            color=color,
            **limits,
        )

    plain = build(0)
    lines = head_lines(beside, names)
    shown = [c for c in plain.shown_columns if c is not None]
    if not lines or len(shown) < 2 or head_lines(plain, names) in range(1, lines + 1):
        return plain
    widest = max(_head(c, names).width for c in shown)
    xs = [plain.column(c).get_x() for c in shown]
    pitch = min(b - a for a, b in pairwise(xs))
    needed = (widest + style.LABEL_GAP) / lines
    thin = (font_size or style.MATRIX_SIZE) * EM_PER_FONT_SIZE / 6  # Typst's thin space
    return build(math.ceil((needed - pitch) / (2 * thin)) + 1)


def accuracy_worked(
    traced: TracedValues,
    step: int,
    color: Any = None,
    prefix: Sequence[str | Value] = (),
    font_size: float | None = None,
) -> TracedMath:
    """``6 / 8 = 0.75``: the samples right after ``step`` training steps, out of N, and
    the share they make: a count stays a count (the share written as
    ``mlpmath.display.format_share`` writes it, ``=`` or ``≈`` earned by hand
    arithmetic). ``color`` is the value's role (before, after), never a judgement:
    no colour praises an accuracy."""
    training = "network.training"
    return traced.worked(
        [Value(f"{training}.correct_counts[{step}]", color), DIVIDED_BY, Value(SAMPLES)],
        f"{training}.accuracies[{step}]",
        prefix=prefix,
        total_color=color,
        font_size=font_size,
    )


def worked_sum_to_one(
    traced: TracedValues,
    paths: Sequence[str],
    prefix: Sequence[str | Value] = (),
    font_size: float | None = None,
) -> TracedMath:
    """``a + b + ... = 1``, or ``≈ 1`` where the shown digits add up to something
    else (rounded probabilities summing to 0.9999): the sign is earned by hand
    arithmetic on the shown digits, and the ledger keeps it for ``verify`` (its
    total is one written to the terms' precision, ``1.0000``: exactly one)."""
    texts = [traced.text(path) for path in paths]
    expression = " + ".join(f"({text})" for text in texts)
    # "= 1" claims exactly one: checked at the terms' own precision (0.9999 is not 1)
    places = max(shown_precision(text) for text in texts)
    exactly = ONE if places == 0 else f"{ONE}.{'0' * places}"
    sign = relation(expression, exactly)
    parts: list[str | Value] = [*prefix]
    for index, path in enumerate(paths):
        if index:
            parts.append(PLUS.typst)
        parts.append(Value(path, paren=index > 0))
    mobject = traced.math(*parts, sign, ONE, font_size=font_size)
    traced.ledger.record_relation(mobject, expression, exactly, sign)
    return mobject


class ProbabilityBars(VGroup):
    """One sample's probabilities as bars on a baseline, each bar in its class's
    colour with its traced value above it and ``p_k`` under it. The largest is
    ``height`` tall: with many classes every probability is small, and bars of a
    fixed scale would lie flat; the written values say how much each is.

    More classes than ``limit`` elide as a matrix does (the first ones, dots, the
    last: :func:`scenekit.traced.shown_indices`), so the values stay legible;
    ``shown`` lists the classes drawn.
    """

    def __init__(
        self,
        traced: TracedValues,
        row: str,
        classes: int,
        limit: int | None = None,
        height: float | None = None,
        names: Sequence[str] = (),
    ):
        super().__init__()
        self.bars, self.values, self.names = VGroup(), VGroup(), VGroup()
        picks = shown_indices(classes, limit or classes)
        self.shown = [c for c in picks if c is not None]
        shares = {c: max(traced.value(f"{row}[{c}]"), 0.0) for c in self.shown}
        unit = (height or style.BAR_HEIGHT) / (max(shares.values()) or 1.0)
        slots = VGroup()
        for c in picks:
            share = 0.0 if c is None else shares[c]
            bar = Rectangle(
                width=style.BAR_WIDTH,
                height=max(share * unit, style.TICK_LENGTH / 4),
                color=style.MUTED if c is None else class_color(c),
                fill_opacity=0.8,
                stroke_width=0,
            )
            slots.add(bar)
        slots.arrange(RIGHT, buff=style.BAR_WIDTH * 0.9, aligned_edge=DOWN)
        self.baseline = Line(
            slots.get_corner(DOWN + LEFT) + LEFT * style.LINE_BUFF,
            slots.get_corner(DOWN + RIGHT) + RIGHT * style.LINE_BUFF,
            color=style.MUTED,
        )
        self.dots = VGroup()
        for c, slot in zip(picks, slots, strict=True):
            if c is None:  # the elided classes: dots where their bars would stand
                dots = MathTypst("dots.c", font_size=style.LABEL_SIZE, color=style.MUTED)
                self.dots.add(dots.next_to(slot, UP, buff=style.LINE_BUFF))
                continue
            self.bars.add(slot)
            value = traced.number(f"{row}[{c}]", font_size=style.LABEL_SIZE)
            self.values.add(value.next_to(slot, UP, buff=style.LABEL_GAP))
            name = MathTypst(f"p_({c})", font_size=style.LABEL_SIZE, color=class_color(c))
            self.names.add(name.next_to(self.baseline, DOWN, buff=style.LABEL_GAP))
            name.set_x(slot.get_x())
        self.class_names = self._class_names(names)
        self.add(self.bars, self.baseline, self.values, self.names, self.dots, self.class_names)

    def _class_names(self, names: Sequence[str]) -> VGroup:
        """The lesson's names of the shown classes under their ``p_k`` when every name
        fits its bar's room; else a legend beside the bars, ``p_k`` and the name of
        each in its colour. Empty when the lesson numbers its classes."""
        labels = VGroup()
        pitch = style.BAR_WIDTH * 1.9  # a bar and the gap to the next
        for c in self.shown:
            named = class_name(names, c)
            if named is None:
                return VGroup()
            labels.add(
                Typst(typst_literal(named), font_size=style.LABEL_SIZE, color=class_color(c))
            )
        if all(label.width <= pitch - style.LABEL_GAP for label in labels):
            for label, p in zip(labels, self.names, strict=True):
                label.next_to(p, DOWN, buff=style.LABEL_GAP)
            return labels
        legend = VGroup()
        for c, label in zip(self.shown, labels, strict=True):
            key = MathTypst(f"p_({c})", font_size=style.LABEL_SIZE, color=class_color(c))
            legend.add(VGroup(key, label).arrange(RIGHT, buff=style.LINE_BUFF))
        legend.arrange(DOWN, buff=style.LINE_BUFF, aligned_edge=LEFT)
        return legend.next_to(VGroup(self.bars, self.baseline), RIGHT, buff=style.BLOCK_BUFF)


class AccuracyCurve(ValueCurve):
    """The accuracy before training and after every step, on axes from 0 to 1: every
    point a traced point, the ticks traced values (the first, best, worst and last
    accuracy, and the number of steps), the last accuracy marked with its value
    (:class:`scenekit.plots.ValueCurve`, as the loss curve). The axis's top is
    ticked ``1`` (a formula constant: all right) unless a traced tick is there."""

    def __init__(self, scene: LectureScene, path: str, steps_path: str):
        super().__init__(
            scene.traced, path, steps_path, name='"accuracy"', color=style.RESULT, y_range=(0, 1)
        )
        point = self.axes.c2p(0, 1)
        label = MathTypst(ONE, font_size=style.TICK_SIZE).next_to(point, LEFT, buff=style.LINE_BUFF)
        ticks = self.labels[1]
        if not any(_near(label, tick[1]) for tick in ticks):
            mark = Line(point, point + LEFT * style.TICK_LENGTH, color=style.MUTED)
            ticks.add(VGroup(mark, label))


def _near(a: Mobject, b: Mobject) -> bool:
    """Whether two tick labels share some height, gap included (one would sit on the other)."""
    gap = style.LABEL_GAP
    return a.get_bottom()[1] - gap < b.get_top()[1] and b.get_bottom()[1] - gap < a.get_top()[1]

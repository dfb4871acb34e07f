"""Pieces of a classification lecture: a colour per class, probabilities as bars,
shown sums that must come to 1, and the accuracy over training.

Like every piece, they take trace paths and never numbers; what they read
from the trace itself (a bar's height, which class is largest) is layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Line, Rectangle, VGroup

from mlpmath.display import relation, shown_precision
from scenekit import style
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.plots import ValueCurve
from scenekit.terms import PLUS, Op, Value
from scenekit.traced import TracedMath, TracedValues

__all__ = [
    "CLOSE_PAREN",
    "DIVIDED_BY",
    "OPEN_PAREN",
    "AccuracyCurve",
    "ProbabilityBars",
    "class_color",
    "predicted_class",
    "worked_sum_to_one",
]

# A division written on one line, "a / b": Typst's "/" would stack the term before it
# over the divisor (a closing bracket over N).
DIVIDED_BY = Op("slash", "/")
# Parentheses as plain symbols: they may hold a line break, as Typst's matched ( ) may not.
OPEN_PAREN = Op("paren.l", "(")
CLOSE_PAREN = Op("paren.r", ")")
ONE = "1"  # the total every row of probabilities must reach: a formula constant


def class_color(index: int) -> Any:
    """The colour of class ``index`` (the palette is cycled past its last colour)."""
    return style.CLASS_COLORS[index % len(style.CLASS_COLORS)]


def predicted_class(scores: Sequence[float]) -> int:
    """The index of the largest score, the lowest on a tie (as ``torch.argmax``):
    which class a mark is drawn for, never a value shown."""
    return max(range(len(scores)), key=lambda c: (scores[c], -c))


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
    colour with its traced value above it and ``p_c`` under it."""

    def __init__(self, traced: TracedValues, row: str, classes: int):
        super().__init__()
        self.bars, self.values, self.names = VGroup(), VGroup(), VGroup()
        for c in range(classes):
            height = max(traced.value(f"{row}[{c}]"), 0.0) * style.BAR_HEIGHT
            bar = Rectangle(
                width=style.BAR_WIDTH,
                height=max(height, style.TICK_LENGTH / 4),
                color=class_color(c),
                fill_opacity=0.8,
                stroke_width=0,
            )
            self.bars.add(bar)
        self.bars.arrange(RIGHT, buff=style.BAR_WIDTH * 0.9, aligned_edge=DOWN)
        self.baseline = Line(
            self.bars.get_corner(DOWN + LEFT) + LEFT * style.LINE_BUFF,
            self.bars.get_corner(DOWN + RIGHT) + RIGHT * style.LINE_BUFF,
            color=style.MUTED,
        )
        for c, bar in enumerate(self.bars):
            value = traced.number(f"{row}[{c}]", font_size=style.SMALL_SIZE)
            self.values.add(value.next_to(bar, UP, buff=style.LABEL_GAP))
            name = MathTypst(f"p_({c})", font_size=style.LABEL_SIZE, color=class_color(c))
            self.names.add(name.next_to(self.baseline, DOWN, buff=style.LABEL_GAP))
            name.set_x(bar.get_x())
        self.add(self.bars, self.baseline, self.values, self.names)


class AccuracyCurve(ValueCurve):
    """The accuracy before training and after every step, on axes from 0 to 1: every
    point a traced point, the ticks traced values (the first, best, worst and last
    accuracy, and the number of steps), the last accuracy marked with its value
    (:class:`scenekit.plots.ValueCurve`, as the loss curve)."""

    def __init__(self, scene: LectureScene, path: str, steps_path: str):
        super().__init__(
            scene.traced, path, steps_path, name='"accuracy"', color=style.CORRECT, y_range=(0, 1)
        )


def _stacked(a: Any, b: Any) -> bool:
    """Whether two labels share some height (one would sit on the other)."""
    return a.get_bottom()[1] < b.get_top()[1] and b.get_bottom()[1] < a.get_top()[1]

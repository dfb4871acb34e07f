"""Plots of training: values over the steps on labelled axes, every tick a traced value.

A plot says what it shows: its axes are named, its ticks carry values from
the trace (the first and last value, the largest and smallest, the number of
steps), and its current point - the value after the last step - is marked
and labelled with that traced value. ``ValueCurve`` draws one such series;
``LossCurve`` is the loss's (a log axis when the losses span orders of
magnitude, and a mark above the axes for a loss that is not finite).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Axes, Circle, Line, Triangle, VGroup, VMobject
from manim.mobject.graphing.scale import LinearBase, LogBase

from scenekit import style
from scenekit.formulas import MathTypst, Typst
from scenekit.terms import Value
from scenekit.traced import TracedValues

__all__ = ["LossCurve", "ValueCurve"]


class ValueCurve(VGroup):
    """A traced series over the steps: axes with names and tick values, the curve,
    a dot per finite value, and the last finite value marked and labelled.

    ``path`` names the series (``network.training.losses``, one value before the
    first step, then one after each); ``steps_path`` the steps (their number is
    the last tick of the step axis). Parts: ``axes``, ``labels`` (names, ticks),
    ``curve``, ``dots``, ``current`` (the marked point and its value),
    ``markers`` (values that are not finite) and ``note``.

    Examples
    --------
    >>> plot = ValueCurve(self.traced, "network.training.accuracies",  # doctest: +SKIP
    ...                   "network.training.steps", name='"accuracy"', y_range=(0, 1))
    >>> self.play(Create(plot.axes), FadeIn(plot.labels))  # doctest: +SKIP
    """

    def __init__(
        self,
        traced: TracedValues,
        path: str,
        steps_path: str,
        name: str,
        color: Any = None,
        y_range: tuple[float, float] | None = None,
    ):
        super().__init__()
        self.traced, self.path = traced, path
        count = traced.shape(path)[0]
        values = [traced.value(f"{path}[{j}]") for j in range(count)]
        self.values = values
        self.finite = [j for j, value in enumerate(values) if math.isfinite(value)]
        finite = [values[j] for j in self.finite]
        low, high = min(finite), max(finite)
        self.log = y_range is None and low > 0 and high > low * style.LOG_SCALE_RATIO
        if self.log:
            bottom, top = math.floor(math.log10(low)), math.ceil(math.log10(high))
            axis_range = [bottom, max(top, bottom + 1), 1]
            scaling = LogBase(custom_labels=False)
        else:
            if y_range is None:
                top = high * (1 + style.GRAPH_MARGIN) if high > 0 else 1
                y_range = (min(0.0, low), top)
            axis_range = [y_range[0], y_range[1], y_range[1] - y_range[0]]
            scaling = LinearBase()
        self.axes = Axes(
            x_range=[0, max(count - 1, 1), 1],
            y_range=axis_range,
            x_length=style.CURVE_WIDTH,
            y_length=style.GRAPH_HEIGHT,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
            y_axis_config={"scaling": scaling},
        )
        color = color or style.RESULT
        axes = self.axes
        self.dots = VGroup(*(traced.point(axes, j, f"{path}[{j}]", color) for j in self.finite))
        self.curve = VGroup()
        for run in _runs(self.finite):
            if len(run) > 1:
                line = VMobject(color=color, stroke_width=style.CURVE_STROKE)
                self.curve.add(line.set_points_as_corners([axes.c2p(j, values[j]) for j in run]))
        self.markers = self._markers()
        self.current = self._current(color)
        self.labels = VGroup(self._names(name, steps_path, count), self._ticks())
        self.note = Typst(
            "marks above the axes: steps whose value is no longer a finite number",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )
        self.add(self.axes, self.labels, self.curve, self.dots, self.markers, self.current)
        if len(self.markers):
            self.note.next_to(self.axes, DOWN, buff=style.BLOCK_BUFF * 2)
            self.add(self.note)

    def _names(self, name: str, steps_path: str, count: int) -> VGroup:
        """The axes' names, and the step axis's ticks: none taken, and all of them."""
        axes, traced = self.axes, self.traced
        names = VGroup(
            MathTypst(name, font_size=style.LABEL_SIZE, color=style.MUTED).next_to(axes.y_axis, UP),
            # under the middle of the step axis, between its first and last tick
            Typst("step", font_size=style.LABEL_SIZE, color=style.MUTED).next_to(
                axes.x_axis, DOWN, buff=style.LINE_BUFF
            ),
        )
        if self.log:
            scale = Typst("log scale", font_size=style.LABEL_SIZE, color=style.MUTED)
            names.add(scale.next_to(names[0], RIGHT))
        first = MathTypst("0", font_size=style.TICK_SIZE)  # a formula constant: no step yet
        last = traced.math(Value(f"len({steps_path})"), font_size=style.TICK_SIZE)
        for label, step in ((first, 0), (last, count - 1)):
            point = axes.x_axis.n2p(step)
            mark = Line(point, point + DOWN * style.TICK_LENGTH, color=style.MUTED)
            names.add(VGroup(mark, label.next_to(mark, DOWN, buff=style.LABEL_GAP)))
        return names

    def _ticks(self) -> VGroup:
        """Values at their heights on the value axis: the first, the largest, the
        smallest and the last that can be written out, none on another."""
        traced, axes, values = self.traced, self.axes, self.values
        writable = [
            j for j in self.finite if len(traced.text(f"{self.path}[{j}]")) <= style.MAX_TICK_CHARS
        ]
        by_value = sorted(writable, key=lambda j: values[j])
        ticks = VGroup()
        for j in dict.fromkeys([*writable[:1], *by_value[-1:], *by_value[:1], *writable[-1:]]):
            point = axes.c2p(0, values[j])
            label = traced.number(f"{self.path}[{j}]", font_size=style.TICK_SIZE)
            label.next_to(point, LEFT, buff=style.LINE_BUFF)
            if any(_stacked(label, tick[1], style.LABEL_GAP) for tick in ticks):
                continue
            mark = Line(point, point + LEFT * style.TICK_LENGTH, color=style.MUTED)
            ticks.add(VGroup(mark, label))
        return ticks

    def _current(self, color: Any) -> VGroup:
        """The last finite value: a ring about its dot, its traced value beside it."""
        if not self.finite:
            return VGroup()
        j = self.finite[-1]
        point = self.axes.c2p(j, self.values[j])
        ring = Circle(radius=style.POINT_RADIUS * 3, color=color).move_to(point)
        label = self.traced.number(f"{self.path}[{j}]", color=color, font_size=style.TICK_SIZE)
        label.next_to(ring, RIGHT, buff=style.LABEL_GAP)
        return VGroup(ring, label)

    def _markers(self) -> VGroup:
        """A mark above the axes for each value that is not finite; the first mark of
        each kind carries its traced value (∞ or NaN)."""
        traced, axes = self.traced, self.axes
        top = axes.y_axis.get_top()[1]
        marks, named = VGroup(), set()
        for j in range(len(self.values)):
            if j in self.finite:
                continue
            mark = Triangle(color=style.CLAMPED, fill_opacity=1).scale(style.POINT_RADIUS * 2)
            mark.move_to([axes.x_axis.n2p(j)[0], top, 0]).shift(UP * style.LINE_BUFF)
            marks.add(mark)
            path = f"{self.path}[{j}]"
            if traced.text(path) not in named:
                named.add(traced.text(path))
                value = traced.number(path, color=style.CLAMPED, font_size=style.TICK_SIZE)
                marks.add(value.next_to(mark, UP, buff=style.LABEL_GAP))
        return marks


class LossCurve(ValueCurve):
    """The loss before training and after every step (``network.training.losses``)."""

    def __init__(self, traced: TracedValues, training: str = "network.training"):
        super().__init__(traced, f"{training}.losses", f"{training}.steps", name='"loss" L')


def _runs(indices: Sequence[int]) -> list[list[int]]:
    """Consecutive stretches of ``indices``: the pieces of a curve with gaps."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _stacked(a: Any, b: Any, gap: float = 0.0) -> bool:
    """Whether two labels share some height, or come within ``gap`` of it."""
    return a.get_bottom()[1] < b.get_top()[1] + gap and b.get_bottom()[1] < a.get_top()[1] + gap

"""The activation on its graph, with the lesson's real pre-activations placed on it.

Every sentence about the activation (what it does, its range, its slope) is
the lesson's own activation's, from ``scenekit.activation_words``; the values
listed are counted in the caption, "the first 9 of 16", from the trace.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, Axes, Create, Dot, FadeIn, VGroup, VMobject, Write

from mlpmath.activations import curve
from scenekit import style
from scenekit.activation_words import activation_facts
from scenekit.diagrams import down_columns
from scenekit.formulas import MathTypst, Typst
from scenekit.lecture_scene import LectureScene
from scenekit.notation import activation_call, activation_definition, activation_derivative
from scenekit.terms import Value

__all__ = ["Activation"]

DEMO = "activation_demo"
VALUES = f"{DEMO}.preactivation"
NARROW = 0.75 * style.GRAPH_WIDTH  # the graph narrowed to give the listed values room
LAYER = 0  # the layer whose pre-activations the demo shows (its ``source``)


class Activation(LectureScene):
    """What the lesson's activation does, seen on the first layer's real values.

    A first layer without an activation is shown ReLU's effect instead (the
    trace's choice), and the scene says that the network lacks it.
    """

    def construct(self) -> None:
        self.name = self.trace.activation_demo.activation
        self.facts = activation_facts(self.name)
        layer = self.trace.network.layers[LAYER].activation
        self.lacking = activation_facts(layer) if layer != self.name else None
        lead = "The activation the first layer lacks" if self.lacking else "The activation"
        title = self.show_title(f"{lead}: {self.facts.spoken}")
        self._build()
        self._place(below=title)
        self._show_graph()
        self._show_values()
        if self.lacking is None:  # its slope is what this lesson's backpropagation uses
            self._show_slope()

    # -- building and placing ------------------------------------------------------
    def _build(self) -> None:
        self._list(style.MAX_LISTED_VALUES)
        self._draw(style.GRAPH_WIDTH)
        self.definition = MathTypst(activation_definition(self.name), font_size=style.MATH_SIZE)
        self.derivative = MathTypst(activation_derivative(self.name), font_size=style.MATH_SIZE)
        self.header = Typst(
            "The first layer's pre-activations $n$", font_size=style.LABEL_SIZE, color=style.MUTED
        )

    def _draw(self, width: float) -> None:
        """The axes ``width`` wide, the graph on them and their labels."""
        x_range = _span([z for z, _ in self.points])
        graph_points = curve(self.name, x_range[0], x_range[1])
        self.axes = Axes(
            x_range=x_range,
            y_range=_span([y for _, y in graph_points]),
            x_length=width,
            y_length=style.GRAPH_HEIGHT,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        )
        self.graph = VMobject(color=style.TEXT).set_points_as_corners(
            [self.axes.c2p(z, y) for z, y in graph_points]
        )
        self.axis_labels = self.axes.get_axis_labels(
            MathTypst("n", font_size=style.LABEL_SIZE),  # the table's pre-activation
            MathTypst(f"{activation_call(self.name)}(n)", font_size=style.LABEL_SIZE),
        )

    def _list(self, most: int) -> None:
        """The first ``most`` values (or all, if fewer) and their rows ``n -> f(n)``."""
        self.shown_count = Value(f"len({VALUES}[:{most}])")
        self.indices = list(range(int(self.traced.value(self.shown_count.path))))
        zs = [self.traced.value(f"{VALUES}[{i}]") for i in self.indices]
        outs = [self.traced.value(f"{DEMO}.output[{i}]") for i in self.indices]
        self.points = list(zip(zs, outs))
        self.rows = VGroup(
            *(
                self.traced.math(
                    Value(f"{VALUES}[{i}]", color=style.RESULT),
                    "arrow.r.long",
                    Value(f"{DEMO}.output[{i}]", color=_colour(z, out)),
                    font_size=style.LABEL_SIZE,
                )
                for i, z, out in zip(self.indices, zs, outs)
            )
        ).arrange(DOWN, aligned_edge=RIGHT, buff=style.LINE_BUFF)

    def _place(self, below) -> None:
        formulas = VGroup(self.definition)
        if self.lacking is None:
            formulas.add(self.derivative)
        formulas.arrange(DOWN, buff=style.LINE_BUFF)

        def plot() -> VGroup:
            whole = VGroup(self.axes, self.axis_labels, self.graph)
            whole.next_to(below, DOWN, buff=style.BLOCK_BUFF).to_edge(LEFT, buff=style.BLOCK_BUFF)
            return self.keep_in_frame(whole)

        def table() -> VGroup:
            return VGroup(formulas, self.header, self.rows).arrange(DOWN, buff=style.BLOCK_BUFF)

        def fits(width: float, columns: int) -> bool:
            """Whether the table fits unshrunk beside a graph ``width`` wide, the rows
            in ``columns`` columns."""
            self._draw(width)
            down_columns(self.rows, columns, RIGHT)
            whole = table()
            return whole.height <= self.room_below(below) and whole.width <= self.room_beside(
                plot()
            )

        # the rows are at the least legible size: in two columns beside a narrower
        # graph, or fewer of them, rather than smaller (the graph's dots are the listed ones)
        layouts = [(width, columns) for width in (style.GRAPH_WIDTH, NARROW) for columns in (1, 2)]
        while not any(fits(*layout) for layout in layouts) and len(self.rows) > 1:
            self._list(len(self.rows) - 1)
        graph = plot()
        beside = self.fit_beside(table(), graph, below)
        self.centre_on_stage(VGroup(graph, beside))

    # -- the function ------------------------------------------------------------------
    def _show_graph(self) -> None:
        self.step(self.facts.effect)
        self.play(Create(self.axes), FadeIn(self.axis_labels))
        self.play(Create(self.graph), Write(self.definition))
        self.pause()

    # -- the lesson's values, one by one ---------------------------------------------
    def _show_values(self) -> None:
        total = Value(f"len({VALUES})")
        what = f"The first layer's pre-activations through {self.facts.spoken}:"
        if self.lacking is not None:
            what = (
                f"The first layer applies {self.lacking.spoken};"
                f" here is {self.facts.spoken} on its pre-activations:"
            )
        if self.traced.value(self.shown_count.path) < self.traced.value(total.path):
            self.step(f"{what} the first", self.shown_count, "of", total)
        else:
            self.step(f"{what} all", total)
        self.play(FadeIn(self.header))
        for row, (z, out) in zip(self.rows, self.points):
            dot = Dot(self.axes.c2p(z, 0), color=style.RESULT)
            self.play(FadeIn(row, shift=LEFT * 0.2), FadeIn(dot, scale=0.5), run_time=0.5)
            self.play(
                dot.animate.move_to(self.axes.c2p(z, out)).set_color(_colour(z, out)),
                run_time=0.6,
            )
        self.pause()

    # -- its slope, as backpropagation multiplies by it ----------------------------------
    def _show_slope(self) -> None:
        self.step(self.facts.slope)
        self.play(Write(self.derivative))
        self.pause()


def _colour(z: float, out: float):
    """Green where the value passes unchanged, red where the activation changed it."""
    return style.ACTIVE if out == z else style.CLAMPED


def _span(values: list[float]) -> list[float]:
    """Axis range around ``values``, with a margin, always including zero."""
    low, high = min([*values, 0.0]), max([*values, 0.0])
    margin = max(high - low, 1.0) * style.GRAPH_MARGIN
    return [low - margin, high + margin, (high - low + 2 * margin) / 4]

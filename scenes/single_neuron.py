"""One neuron, one sample: products, their total, plus the bias, the activation."""

from __future__ import annotations

import math

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    FadeIn,
    FadeOut,
    Mobject,
    VGroup,
    Write,
    config,
)

from scenekit import style
from scenekit.diagrams import NeuronDiagram, down_columns
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.notation import activation_call, indexed, neuron_output
from scenekit.terms import Value
from scenekit.traced import TracedMath, shown_indices

__all__ = ["SingleNeuron"]

NEURON = 0  # the lesson's first one-neuron example
SAMPLE = 0  # its first sample
BASE = f"neurons[{NEURON}]"
WITHIN = 0.1  # of the stage: how far the growing column may sit off its middle, unmoved
LEAST = style.LABEL_SIZE / style.MATH_SIZE  # the column shrunk no further: legible digits


class SingleNeuron(LectureScene):
    """``x . w^T + b`` for one sample, each product worked out by hand."""

    @classmethod
    def applies(cls, trace) -> bool:
        return bool(trace.neurons)

    def construct(self) -> None:
        title = self.show_title("One neuron, one sample")
        self._build(below=title)
        self._place(below=title)
        self._show_diagram()
        self._show_products()
        self._show_total()
        self._show_bias()
        self._show_activation()

    # -- everything, built first so the layout can be settled at once -------------
    def _build(self, below: Mobject) -> None:
        count = self.traced.shape(f"{BASE}.weight")[0]
        name = self.trace.neurons[NEURON].activation
        # its output by the table: a regression's hat(y); a hidden neuron's g (on a
        # classifier, where hat(y) is the predicted class), or a class's logit z_k
        self.output_name = neuron_output(self.trace, NEURON)
        self.diagram = NeuronDiagram(
            self.traced,
            NEURON,
            SAMPLE,
            height=self.room_below(below),
            output=self.output_name,
        )
        self.count = count
        # too many products to read (dozens of inputs): elided from the start
        self.elided = count > style.MAX_WORKED_PRODUCTS
        if self.elided:
            self._elide_formula()
            self._elided_products(style.MAX_MATRIX_COLUMNS)
        else:
            xs = ", ".join(indexed("x", i + 1) for i in range(count))
            ws = ", ".join(indexed("w", i + 1) for i in range(count))
            self.formula = self.traced.math(f"x dot w^T + b = ({xs}) ({ws})^T + b")
            self.products = VGroup(*(self._product(i) for i in range(count))).arrange(
                DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF
            )
            self.total = self.traced.worked_sum(
                [f"{BASE}.products[{SAMPLE}][{i}]" for i in range(count)],
                f"{BASE}.weighted_sum[{SAMPLE}]",
                prefix=["k = scripts(sum)_j w_j x_j ="],
                total_color=style.RESULT,
            )
        self.preactivation = self.traced.worked_sum(
            [f"{BASE}.weighted_sum[{SAMPLE}]", f"{BASE}.bias"],
            f"{BASE}.preactivation[{SAMPLE}]",
            prefix=["n = scripts(sum)_j w_j x_j + b ="],  # the table's k and n
            total_color=style.RESULT,
        )
        self.preactivation.part(1).set_color(style.BIAS)
        self.output = self.traced.math(
            f"{self.output_name} = {activation_call(name)}(n) = {activation_call(name)}(",
            Value(f"{BASE}.preactivation[{SAMPLE}]"),
            ") =",
            Value(f"{BASE}.output[{SAMPLE}]", color=style.ACTIVE),
        )

    def _place(self, below: Mobject) -> None:
        # the worked column beside the diagram, unless it would shrink out of legibility
        # there: then the diagram has the first step to itself, the column the width
        self.alone = self.diagram.stacked
        if not self.alone:
            self.diagram.to_edge(LEFT, buff=style.EDGE_BUFF)
            self.keep_in_frame(self.diagram)
            self.alone = self._scale(self._column(), below) < LEAST
        if self.alone:  # closed up to the room under the title, in the middle:
            # it has the first step to itself, then the worked column takes the whole width
            if self.diagram.height > self.room_below(below):
                self.diagram.scale_to_fit_height(self.room_below(below))
            self.diagram.next_to(below, DOWN, buff=style.BLOCK_BUFF).set_x(0)
            self.keep_in_frame(self.diagram)
        column = self._column()
        if self._scale(column, below) < LEAST:
            if not self.elided:
                column = self._refit(below)
            if self._scale(column, below) < LEAST:
                column = self._elide(below)
            column.scale(self._scale(column, below))
        if self.alone:
            column.scale(self._scale(column, below))
            column.next_to(below, DOWN, buff=style.BLOCK_BUFF).set_x(0)
            self.keep_in_frame(column)
            # each in the middle of the stage: the diagram, then the column in its place
            self.centre_on_stage(self.diagram)
            self.whole = self.centre_on_stage(column)
        else:
            self.fit_beside(column, self.diagram, below)
            self.whole = self.centre_on_stage(VGroup(self.diagram, column))

    def _product(self, i: int) -> TracedMath:
        """``w_j x_j = w · x = p``, worked."""
        return self.traced.worked_dot(
            [(f"{BASE}.weight[{i}]", f"{BASE}.inputs[{SAMPLE}][{i}]")],
            f"{BASE}.products[{SAMPLE}][{i}]",
            prefix=[f"{indexed('w', i + 1)} {indexed('x', i + 1)} ="],
            colors=(style.WEIGHT, style.INPUT),
            total_color=style.RESULT,
        )

    def _column(self) -> VGroup:
        column = VGroup(self.formula, self.products, self.total, self.preactivation, self.output)
        return column.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)

    def _scale(self, column: Mobject, below: Mobject) -> float:
        """How far ``column`` must shrink to fit beside the diagram, under ``below``."""
        room = (
            config.frame_width - 2 * style.EDGE_BUFF
            if self.alone
            else self.room_beside(self.diagram)
        )
        wide = room / column.width
        return min(1, wide, self.room_below(below) / column.height)

    # -- many inputs: a column that would shrink out of legibility, laid out anew ----
    def _refit(self, below: Mobject) -> VGroup:
        """The vectors of the formula elided, the products in as many columns and
        their sum over as many lines as shrink the column least; returns it, arranged."""
        count = self.count
        if self.formula.width > max(self.products.width, self.preactivation.width):
            self._elide_formula()
        sums: dict[int, TracedMath] = {}

        def total(lines: int) -> TracedMath:
            if lines not in sums:
                sums[lines] = self._wrapped_total(math.ceil(count / lines))
            return sums[lines]

        whole = self.total.width
        best = None
        for columns in range(1, min(count, style.MAX_PRODUCT_COLUMNS) + 1):
            self._arrange_products(columns)
            # the sum takes the fewest lines no wider than the rest of the column
            width = max(self.formula.width, self.products.width, self.preactivation.width)
            lines = max(1, math.ceil(whole / width) - 1)
            while lines < count and total(lines).width > width:
                lines += 1
            self.total = total(lines)
            scale = self._scale(self._column(), below)
            if best is None or scale > best[0]:
                best = (scale, columns, lines)
        _, columns, lines = best
        self._arrange_products(columns)
        self.total = sums[lines]
        return self._column()

    def _elide_formula(self) -> None:
        picks = shown_indices(self.count, style.MAX_MATRIX_COLUMNS)
        xs, ws = (
            ", ".join("dots" if i is None else indexed(symbol, i + 1) for i in picks)
            for symbol in ("x", "w")
        )
        self.formula = self.traced.math(f"x dot w^T + b = ({xs}) ({ws})^T + b")

    def _elide(self, below: Mobject) -> VGroup:
        """Too many products to show legibly even in columns: the first few, dots,
        the last (as the lecture elides), and their sum likewise; returns the column."""
        self._elide_formula()
        for limit in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1):
            self._elided_products(limit)
            if self._scale(self._column(), below) >= LEAST:
                break
        return self._column()

    def _elided_products(self, limit: int) -> None:
        """At most ``limit`` products (the first, dots, the last) and their sum likewise."""
        picks = shown_indices(self.count, limit)
        self.products = VGroup(
            *(
                self._product(i)
                if i is not None
                else MathTypst("dots.v", font_size=style.MATH_SIZE)
                for i in picks
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)
        self.total = self.traced.elided_dot(
            [(f"{BASE}.products[{SAMPLE}][{i}]", None) for i in range(self.count)],
            limit,
            f"{BASE}.weighted_sum[{SAMPLE}]",
            prefix="k = scripts(sum)_j w_j x_j =",
            total_color=style.RESULT,
        )

    def _arrange_products(self, columns: int) -> None:
        """The products down ``columns`` columns, in order, each column top to bottom."""
        down_columns(self.products, columns, LEFT)

    def _wrapped_total(self, per_line: int) -> TracedMath:
        """The products' sum, ``per_line`` terms a line, each line aligned at the ``=``."""
        return self.traced.worked_sum(
            [f"{BASE}.products[{SAMPLE}][{i}]" for i in range(self.count)],
            f"{BASE}.weighted_sum[{SAMPLE}]",
            prefix=["k = scripts(sum)_j w_j x_j &="],
            total_color=style.RESULT,
            per_line=per_line,
        )

    # -- the neuron and its formula ------------------------------------------------
    def _show_diagram(self) -> None:
        self.step("A neuron weighs each input, adds a bias, applies an activation")
        self.play(FadeIn(self.diagram))
        if not self.alone:
            self.play(Write(self.formula))
        self.pause()

    # -- w_j * x_j, one at a time -------------------------------------------------
    def _show_products(self) -> None:
        self.step("Multiply each input by its weight")
        if self.alone:  # the worked column takes the slide
            self.play(FadeOut(self.diagram))
            self.recentre(self.whole, self.formula, self.products, within=WITHIN)
            self.play(Write(self.formula))
            self.play(*(FadeIn(line) for line in self.products))
            self.pause()
            return
        for i, line in enumerate(self.products):
            self.play(
                Emphasize(self.diagram.inputs[i], color=style.HIGHLIGHT),
                Emphasize(self.diagram.weights[i], color=style.HIGHLIGHT),
                run_time=0.6,
            )
            self.play(FadeIn(line, shift=RIGHT * 0.2), run_time=0.6)

    # -- their total ---------------------------------------------------------------
    def _show_total(self) -> None:
        self.step("Add the products")
        self.recentre(self.whole, self.total, within=WITHIN)
        # the products light up, then their sum writes out under them (no glyph flies over another)
        results = [line.result for line in self.products if isinstance(line, TracedMath)]
        self.play(*(Emphasize(result, color=style.HIGHLIGHT) for result in results))
        self.play(FadeIn(self.total, shift=DOWN * style.NUDGE))
        self.pause()

    # -- plus the bias ---------------------------------------------------------------
    def _show_bias(self) -> None:
        self.step("Add the bias")
        self.recentre(self.whole, self.preactivation, within=WITHIN)
        if not self.alone:
            self.play(Emphasize(self.diagram.bias, color=style.HIGHLIGHT))
        self.play(FadeIn(self.preactivation, shift=DOWN * 0.2))
        self.pause()

    # -- the activation --------------------------------------------------------------
    def _show_activation(self) -> None:
        self.step("Apply the activation: the neuron's output")
        self.recentre(self.whole, self.output, within=WITHIN)
        self.play(Write(self.output))
        if not self.alone:
            self.play(Emphasize(self.diagram.output_label, color=style.ACTIVE))
        self.pause()

"""One neuron over every sample at once: ``X . w^T``, the bias broadcast, the activation."""

from __future__ import annotations

import math

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    Write,
    config,
)

from scenekit import style
from scenekit.composition import stage
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import SUM_TERMS, LectureScene
from scenekit.notation import activation_call, indexed, neuron_output
from scenekit.terms import Value
from scenekit.traced import TracedMath

__all__ = ["WHOLE_ROWS", "NeuronBatch"]

WHOLE_ROWS = 10  # the most samples shown whole; past them the columns elide as the style's


def batch_neuron(trace) -> int:
    """The first one-neuron example with several samples (else the last example)."""
    for index, neuron in enumerate(trace.neurons):
        if len(neuron.inputs) > 1:
            return index
    return len(trace.neurons) - 1


class NeuronBatch(LectureScene):
    """The same neuron applied to every row of ``X``: one matrix product, no loop."""

    @classmethod
    def applies(cls, trace) -> bool:
        return bool(trace.neurons)

    def construct(self) -> None:
        self.base = f"neurons[{batch_neuron(self.trace)}]"
        title = self.show_title("One neuron, many samples")
        # every sample's row where the stage holds them (whole tables), else fewer
        samples = self.traced.shape(f"{self.base}.inputs")[0]
        least = min(samples, style.MAX_MATRIX_ROWS)
        for rows in range(min(samples, WHOLE_ROWS), least - 1, -1):
            self._build(rows)
            if self._place(below=title) or rows == least:
                break
        self._show_inputs()
        self._show_rows()
        self._show_bias()
        self._show_activation()

    # -- building and placing ------------------------------------------------------
    def _build(self, rows: int) -> None:
        """Every piece, the sample columns showing at most ``rows`` rows."""
        base = self.base
        traced = self.traced
        self.rows = rows
        self.weights = traced.matrix(f"{base}.weight", color=style.WEIGHT)
        self.sums = traced.matrix(f"{base}.weighted_sum", color=style.RESULT, max_rows=rows)
        self.biases = traced.matrix(f"{base}.bias_broadcast", color=style.BIAS, max_rows=rows)
        self.preactivations = traced.matrix(
            f"{base}.preactivation", color=style.RESULT, max_rows=rows
        )
        self.outputs = traced.matrix(f"{base}.output", color=style.ACTIVE, max_rows=rows)
        self.bias = traced.math("b =", Value(f"{base}.bias", color=style.BIAS))
        self.operators = [MathTypst(op, font_size=style.MATH_SIZE) for op in ("dot", "=", "+", "=")]
        # many inputs: X elides columns until the equation fits one line unshrunk
        self.equation = self.elide_to_fit(self._equation, least=1)
        name = self.trace.neurons[batch_neuron(self.trace)].activation
        self.activation_call = MathTypst(f"{activation_call(name)}(n) =", font_size=style.MATH_SIZE)
        names = {
            self.inputs: "X",
            self.weights: "w^T",
            self.sums: "X w^T",
            self.biases: "B",
            self.preactivations: "n",  # the table's n: the weighted sum plus bias
            self.outputs: neuron_output(self.trace, batch_neuron(self.trace)),  # hat(y), g
        }
        self.names = VGroup()
        for matrix, symbol in names.items():
            label = MathTypst(symbol, font_size=style.LABEL_SIZE, color=style.MUTED)
            self.names.add(label)
            matrix.name_label = label
        self.input_size = traced.size(f"{base}.inputs", font_size=style.LABEL_SIZE)

    def _equation(self, input_limit: int) -> VGroup:
        """``X · w^T = X w^T + B = n``, ``X`` showing at most ``input_limit`` columns."""
        self.inputs = self.traced.matrix(
            f"{self.base}.inputs", color=style.INPUT, max_columns=input_limit, max_rows=self.rows
        )
        dot, equals, plus, equals_again = self.operators
        return VGroup(
            self.inputs,
            dot,
            self.weights,
            equals,
            self.sums,
            plus,
            self.biases,
            equals_again,
            self.preactivations,
        ).arrange(RIGHT, buff=style.LINE_BUFF)

    def _place(self, below) -> bool:
        """Lay the pieces out under ``below``; whether they fit the stage unshrunk.

        The activation's column stands beside ``n``, on its line: where the line is
        too wide for it, ``X . w^T =`` gives way to it in the last step (``leaving``);
        only where even that is too wide does it go under the equation (rows elide
        sooner). Each worked row stands beside ``X w^T``, at its row, while ``+ B = n``
        is not shown yet; under the equation where that is too narrow."""
        # too wide (long numbers): "+ B = n" goes on a second line
        stacked = not self.fits_legibly(self.equation, least=1)
        if stacked:
            VGroup(*self.equation[:5]).arrange(RIGHT, buff=style.LINE_BUFF)
            VGroup(*self.equation[5:]).arrange(RIGHT, buff=style.LINE_BUFF)
        for matrix in (self.inputs, self.weights, self.sums, self.biases, self.preactivations):
            matrix.name_label.next_to(matrix, UP, buff=style.LINE_BUFF)
        self.input_size.next_to(self.inputs, DOWN, buff=style.LINE_BUFF)
        self.bias.next_to(self.biases.name_label, UP, buff=style.LINE_BUFF)
        # the worked rows stand by the sums, before "+ B = n" shows
        self.sums_line = self.equation
        names = VGroup(*self.names[:5])
        if stacked:
            self.sums_line = VGroup(*self.equation[:5], self.input_size)
            first = VGroup(*self.equation[:5], *self.names[:3], self.input_size)
            second = VGroup(*self.equation[5:], *self.names[3:5], self.bias)
            second.next_to(first, DOWN, buff=style.BLOCK_BUFF, aligned_edge=LEFT)
        self.top = VGroup(self.equation, names, self.input_size, self.bias)
        self.top.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(self.top)
        result = self._place_result(stacked)
        # the whole picture in the middle of the stage; each step re-balances what it shows
        self.whole = VGroup(self.top, result)
        if self.leaving:  # wider than the frame until X . w^T = gives way: the top centred
            before = self.top.get_center()
            self.centre_on_stage(self.top)
            result.shift(self.top.get_center() - before)
        else:
            self.centre_on_stage(self.whole)
        self.works = self._place_works()
        _, bottom, _, top = stage(self)
        room = top - bottom + 1e-6
        if not self.works_beside:  # the sums' line, its names, the work 2 buffs under it
            named = VGroup(self.sums_line, *self.names[:3])
            tallest = max(work.height for work in self.works.values())
            needed = named.get_top()[1] - self.sums_line.get_bottom()[1]
            if needed + style.BLOCK_BUFF * 2 + tallest > room:
                return False
        return self.whole.height <= room

    def _place_result(self, stacked: bool) -> VGroup:
        """``f(n) = g``, named above as the other columns, beside ``n`` (``leaving``
        says what gives way for it), else under the equation."""
        result = VGroup(self.activation_call, self.outputs).arrange(RIGHT, buff=style.LINE_BUFF)
        self.outputs.name_label.next_to(self.outputs, UP, buff=style.LINE_BUFF)
        result.add(self.outputs.name_label)
        self.activation_call.match_y(self.outputs)
        result.next_to(self.preactivations, RIGHT, buff=style.BLOCK_BUFF, coor_mask=RIGHT)
        result.shift(UP * (self.preactivations.get_center()[1] - self.outputs.get_center()[1]))
        line = VGroup(*self.equation[5:]) if stacked else self.equation
        self.leaving: list = []
        if self.fits_legibly(VGroup(line, result), least=1):
            return result
        rest = VGroup(*self.equation[4:], result)
        if not stacked and self.fits_legibly(rest, least=1):
            self.leaving = [*self.equation[:4], *self.names[:2], self.input_size]
            return result
        result.next_to(self.top, DOWN, buff=style.BLOCK_BUFF * 2)
        result.align_to(self.preactivations, RIGHT)
        self.keep_in_frame(result)
        return result

    def _place_works(self) -> dict[int, TracedMath]:
        """Each shown sample's worked row, beside ``X w^T`` at the sample's row where
        every one fits there unshrunk (``works_beside``), else under the equation."""
        count = self.traced.shape(f"{self.base}.weight")[0]
        # the step shows X . w^T = X w^T and the work, re-centred: the frame's width less theirs
        shown = self.sums.get_right()[0] - self.inputs.get_left()[0]
        width = config.frame_width - 2 * style.EDGE_BUFF - shown - style.BLOCK_BUFF
        works = {sample: self._beside_row(sample, count, width) for sample in self.sums.shown_rows}
        self.works_beside = all(work is not None for work in works.values())
        if not self.works_beside:
            works = {sample: self._worked_row(sample, count) for sample in self.sums.shown_rows}
        self._put_works(works)
        return works

    def _put_works(self, works: dict[int, TracedMath]) -> None:
        """The worked rows where the equation is now: beside ``X w^T``, each at its
        row (``works_beside``), else under the sums' line."""
        for sample, work in works.items():
            if self.works_beside:
                # its total level with the entry it fills (a straight move), no higher
                # than the column's name
                work.next_to(self.sums, RIGHT, buff=style.BLOCK_BUFF, coor_mask=RIGHT)
                work.shift(UP * (self.sums.entry(sample).get_y() - work.result.get_y()))
                work.shift(DOWN * max(0.0, work.get_top()[1] - self.sums.name_label.get_top()[1]))
                continue
            work.next_to(self.sums_line, DOWN, buff=style.BLOCK_BUFF * 2)
            self.keep_in_frame(work.align_to(self.inputs, LEFT))
            work.next_to(self.sums_line, DOWN, buff=style.BLOCK_BUFF * 2, coor_mask=UP)

    # -- the data and the neuron -----------------------------------------------------
    def _show_inputs(self) -> None:
        self.step("One row per sample: the same weights for every row")
        self.recentre(
            self.whole,
            self.inputs,
            self.inputs.name_label,
            self.input_size,
            self.operators[0],
            self.weights,
            self.weights.name_label,
        )
        self.play(FadeIn(self.inputs), FadeIn(self.inputs.name_label), FadeIn(self.input_size))
        self.play(FadeIn(self.operators[0]), FadeIn(self.weights), FadeIn(self.weights.name_label))
        self.pause()

    # -- X . w^T, built row by row -----------------------------------------------------
    def _show_rows(self) -> None:
        self.step("Each row times the weights, summed: one entry of the column")
        works = self.works
        self._put_works(works)  # where the equation stands now
        coming = (self.operators[1], self.sums, self.sums.name_label, *works.values())
        self.recentre(VGroup(self.whole, *works.values()), *coming)
        self.play(FadeIn(self.operators[1]), FadeIn(self.sums.name_label))
        for sample, work in works.items():
            row_box = SurroundingRectangle(self.inputs.row(sample), color=style.HIGHLIGHT)
            column_box = SurroundingRectangle(self.weights, color=style.HIGHLIGHT)
            self.play(FadeIn(row_box), FadeIn(column_box), FadeIn(work), run_time=0.7)
            self.play(
                TransformFromCopy(work.result, self.sums.entry(sample)),
                run_time=0.7,
            )
            self.play(FadeOut(row_box), FadeOut(column_box), FadeOut(work), run_time=0.4)
        self.play(FadeIn(self.sums.frame()))
        self.recentre(self.whole)  # the worked rows gone: the equation settles
        self.pause()

    def _worked_row(self, sample: int, count: int) -> TracedMath:
        """Row ``sample`` of ``X`` against the weights, by hand; a row too long for the
        frame goes on over as many lines as shrink it least under the equation, and one
        that would shrink out of legibility so shows its first products, dots, the last."""

        if count > style.MAX_WORKED_PRODUCTS:
            return self._elided_row(sample, count)
        work = self._worked_dot(sample, count)
        if self.fits_legibly(work):
            return work
        width = config.frame_width - 2 * style.EDGE_BUFF
        # it stands 2 buffs below the equation, which may rise to the stage's top
        _, bottom, _, top = stage(self)
        height = top - bottom - self.top.height - style.BLOCK_BUFF * 2
        # wrapping keeps the area the products take: if even that does not fit
        # legibly, no wrapping will (and trying costs a formula a try)
        if width * height < work.width * work.height * style.LEAST_SCALE**2:
            return self._elided_row(sample, count)
        best: tuple[float, TracedMath] | None = None
        fewest = max(2, math.ceil(work.width / width) - 1)  # about the fewest that fit its width
        for lines in range(fewest, count + 1):
            work = self._worked_dot(sample, count, math.ceil(count / lines), " &")
            scale = min(1, width / work.width, height / work.height)
            if best is None or scale > best[0]:
                best = (scale, work)
            if work.width <= width:  # more lines would only be taller
                break
        scale, work = best
        if scale < style.LEAST_SCALE:
            return self._elided_row(sample, count)
        return work.scale(scale) if scale < 1 else work

    def _worked_dot(
        self, sample: int, count: int, per_line: int | None = None, align: str = ""
    ) -> TracedMath:
        """Row ``sample`` of ``X`` against the weights, worked in traced numbers, over
        lines of ``per_line`` products (``align``: the lines' alignment mark)."""
        return self.traced.worked_dot(
            [
                (f"{self.base}.inputs[{sample}][{i}]", f"{self.base}.weight[{i}]")
                for i in range(count)
            ],
            f"{self.base}.weighted_sum[{sample}]",
            prefix=[f"{self._row_name(sample)} :{align}"],
            colors=(style.INPUT, style.WEIGHT),
            total_color=style.RESULT,
            per_line=per_line,
        )

    def _beside_row(self, sample: int, count: int, width: float) -> TracedMath | None:
        """Row ``sample``'s worked dot product on the fewest lines (at most two) that
        fit ``width`` unshrunk, or ``None`` (it then goes under the equation)."""
        if count > style.MAX_WORKED_PRODUCTS:
            return None
        for lines in range(1, min(2, count) + 1):
            if lines > 1:
                work = self._worked_dot(sample, count, math.ceil(count / lines), " &")
            else:
                work = self._worked_dot(sample, count)
            if work.width <= width:
                return work
        return None

    def _row_name(self, sample: int) -> str:
        return f"{indexed('x', 'j')}^(({sample + 1})) w_j"

    def _elided_row(self, sample: int, count: int) -> TracedMath:
        """Too many products to read: the first, dots, the last, and the traced sum
        (which the shown products cannot redo by hand, so it is not worked)."""
        pairs = [
            (f"{self.base}.inputs[{sample}][{i}]", f"{self.base}.weight[{i}]") for i in range(count)
        ]
        return self.elide_to_fit(
            lambda limit: self.traced.elided_dot(
                pairs,
                limit,
                f"{self.base}.weighted_sum[{sample}]",
                prefix=f"{self._row_name(sample)} :",
                colors=(style.INPUT, style.WEIGHT),
                total_color=style.RESULT,
            ),
            least=1,
            columns=SUM_TERMS,
        )

    # -- the bias, copied to every row ------------------------------------------------
    def _show_bias(self) -> None:
        self.step("The bias is broadcast: copied down to every row, then added")
        self.recentre(
            self.whole,
            self.operators[2],
            self.bias,
            self.biases,
            self.biases.name_label,
            self.operators[3],
            self.preactivations,
            self.preactivations.name_label,
        )
        self.play(FadeIn(self.operators[2]), Write(self.bias))
        # copied down row by row, each copy from the row above: no copy passes over
        # another (B's name, where the first one passes, comes after)
        above = self.bias.part(0)
        for sample in self.biases.shown_rows:
            self.play(TransformFromCopy(above, self.biases.entry(sample)), run_time=0.5)
            above = self.biases.entry(sample)
        self.play(FadeIn(self.biases.frame()), FadeIn(self.biases.name_label))
        self.play(FadeIn(self.operators[3]), FadeIn(self.preactivations.name_label))
        for sample in self.preactivations.shown_rows:  # the summands light up, their sum shows
            self.play(
                Emphasize(VGroup(self.sums.entry(sample), self.biases.entry(sample))),
                FadeIn(self.preactivations.entry(sample), shift=RIGHT * style.NUDGE),
                run_time=0.5,
            )
        self.play(FadeIn(self.preactivations.frame()))
        self.pause()

    # -- the activation, entry by entry ----------------------------------------------
    def _show_activation(self) -> None:
        self.step("The activation applies to each entry on its own")
        if self.leaving:  # X . w^T = gives way: n's line, with f(n) = g beside it
            self.play(*(FadeOut(part) for part in self.leaving))
        self.recentre(self.whole, self.activation_call, self.outputs, self.outputs.name_label)
        self.play(FadeIn(self.activation_call), FadeIn(self.outputs.name_label))
        for sample in self.outputs.shown_rows:  # each entry on its own: n's lights up, g's shows
            self.play(
                Emphasize(self.preactivations.entry(sample), color=style.ACTIVE),
                FadeIn(self.outputs.entry(sample), shift=RIGHT * style.NUDGE),
                run_time=style.QUICK,
            )
        self.play(FadeIn(self.outputs.frame()))
        self.pause()

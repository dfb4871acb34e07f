"""The output layer's gradient by the chain rule: in symbols, then with the lesson's
numbers, then beside autograd's own ``.grad``.

The derivation is the lecture's, in the table's letters (``mlpmath.notation``): sample
i's loss ``L^((i)) = (e^((i)))^2``, its inside ``e^((i)) = y^((i)) - hat(y)^((i))`` the
error, ``dL^((i))/dw = dL^((i))/de^((i)) . de^((i))/dw``, so ``dL/dw_k = -2/N sum_i
(y^((i)) - hat(y)^((i))) g_k^((i))`` (N the samples; with several outputs the mean runs
over N times the outputs' terms). Not ``Z`` and ``f``, the deck's letters: they are the
logits and the activation function.
The numbers it substitutes and the results it reaches are the trace's hand
chain rule (``network.chain_rule``); autograd's are ``network.gradients``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import DL, DOWN, LEFT, UP, UR, FadeIn, FadeOut, VGroup, Write

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import (
    CLOSE_BRACKET,
    MINUS_TWO,
    OPEN_BRACKET,
    LearningScene,
    gradient_table,
    play_gradients,
    worked_over_samples,
)
from scenekit.notation import activation_call, derivative, indexed, slash_derivative
from scenekit.terms import OVER, TIMES, Checked, Op, Value
from scenekit.traced import TracedMath, TracedMatrix, shown_indices

__all__ = ["ChainRule"]

OUTPUT = 0  # the output neuron whose weights the derivation follows
# the worked gradients shrink no further than this: their digits (MATRIX_SIZE) stay
# legible at 480p (LABEL_SIZE's, 1/40 of the frame); more room is made instead
LEAST = style.LABEL_SIZE / style.MATRIX_SIZE


def _words() -> dict:
    """How the side notes of a derivation are set (read from the style when called)."""
    return {"font_size": style.MATRIX_SIZE, "color": style.MUTED}


class ChainRule(LearningScene):
    """How the loss changes with each output weight, derived by hand and checked by torch."""

    for_loss = "mse"

    def construct(self) -> None:
        network = self.trace.network
        self.layer = self.output_layer
        self.base = f"network.chain_rule[{self.layer}]"
        self.feeding = network.sizes[-2]  # activations feeding the output: the g terms
        self.samples = network.samples
        self.activation = network.output_activation
        title = self.show_title("The gradient by the chain rule")
        self._build()
        self._place(below=title)
        self._show_loss()
        self._show_squared_term()
        self._show_chain()
        self._show_formulas()
        self._show_numbers()
        self._show_gradients()

    # -- notation -------------------------------------------------------------------
    def _g(self, k: int | None, sample: str | None = "i") -> str:
        if k is None:
            return "dots"
        return f"g_({k + 1})" if sample is None else f"g_({k + 1})^(({sample}))"

    def _feeder(self, k: int) -> str:
        """The network's name of what ``g_k`` stands for: an input ``x_j``, or a hidden
        neuron's activation ``g_j`` (the table's ``g_j = f(n_j)``, not its ``n_j``)."""
        n = self.notation
        if self.layer == 0:
            return n.neuron(0, k)
        return indexed("g", n.numbers[self.layer][k])

    def _w(self, k: int | None) -> str:
        return "dots" if k is None else f"w_({k + 1})"

    def _slope(self) -> str:
        """The activation's derivative at sample i's output, when there is one."""
        if self.activation == "none":
            return ""
        return f" {activation_call(self.activation)}'(n^((i)))"

    def _parameter(self, k: int | None) -> str:
        return "b" if k is None else self._w(k)

    # -- everything, built first so the layout can be settled at once -------------
    def _build(self) -> None:
        traced, n = self.traced, self.notation
        picks = shown_indices(self.feeding, style.MAX_MATRIX_COLUMNS)
        weighted = " + ".join("dots" if k is None else f"{self._g(k)} {self._w(k)}" for k in picks)
        inside = f"{weighted} + b"
        model = (
            f"({inside})"
            if self.activation == "none"
            else (f"{activation_call(self.activation)}({inside})")
        )
        square = f"[y^((i)) - {model}]^2"
        several = self.trace.network.sizes[-1] > 1
        mean = n.over_count()
        self.loss = MathTypst(
            f"L = {mean} sum_i ({square} + dots)" if several else f"L = {mean} sum_i {square}",
            font_size=style.MATH_SIZE,
        )
        gs = ", ".join(self._g(k, None) for k in picks)
        feeders = ", ".join("dots" if k is None else self._feeder(k) for k in picks)
        ws = ", ".join(self._parameter(k) for k in picks) + ", b"
        names = ", ".join(
            "dots" if k is None else n.weight(self.layer + 1, OUTPUT, k) for k in picks
        )
        output = n.neuron(n.last, OUTPUT)
        lines = [
            Typst(f"${gs}$: the activations ${feeders}$ that feed ${output}$", **_words()),
            Typst(
                f"${ws}$: its weights ${names}$ and bias ${n.bias(self.layer + 1, OUTPUT)}$",
                **_words(),
            ),
            traced.math(  # N samples (the table's N); several outputs: N times theirs
                f"{n.mean_count()} =",
                Value("network.loss_count"),
                '"squared errors averaged"' if several else '"samples"',
                **_words(),
            ),
        ]
        if several:
            lines.append(
                Typst(
                    f"$y^((i)), hat(y)^((i))$: output ${output}$'s; "
                    "the others' terms hold none of its weights",
                    **_words(),
                )
            )
        self.names = VGroup(*lines).arrange(DOWN, buff=style.LINE_BUFF)

        prediction = "hat(y)^((i))"
        if self.activation != "none":  # the activation's input gets a name: n^((i))
            model = f"{activation_call(self.activation)}(n^((i)))"
        # sample i's loss and its error, the table's L^((i)) and e^((i)) (with several
        # outputs, the other outputs' squares follow: they hold none of these weights)
        rest = " + dots" if several else ""
        self.squared = VGroup(
            MathTypst(
                f"L^((i)) = [y^((i)) - {model}]^2{rest} = (e^((i)))^2{rest}",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"e^((i)) = y^((i)) - {model} = y^((i)) - {prediction}", font_size=style.MATH_SIZE
            ),
        )
        if self.activation != "none":
            self.squared.add(MathTypst(f"n^((i)) = {inside}", font_size=style.MATH_SIZE))
        self.squared.arrange(DOWN, buff=style.LINE_BUFF)

        w1, g1 = self._w(0), self._g(0)
        loss, error = "L^((i))", "e^((i))"
        self.chain = VGroup(
            MathTypst(
                f"{derivative(loss, w1)} = {derivative(loss, error)} dot {derivative(error, w1)}",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"{derivative(loss, error)} = 2 {error}, quad "
                f"{derivative(error, w1)} = -{self._slope()} {g1}",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"{derivative(loss, w1)} = -2 (y^((i)) - {prediction}){self._slope()} {g1}",
                font_size=style.MATH_SIZE,
                color=style.RESULT,
            ),
        ).arrange(DOWN, buff=style.LINE_BUFF)

        self.formulas = VGroup(
            *(
                MathTypst(
                    f"{derivative('L', self._parameter(k))} = {self._formula(k)}",
                    font_size=style.MATH_SIZE,
                    color=style.RESULT if k == 0 else style.TEXT,
                )
                for k in (*(k for k in picks if k is not None), None)
            )
        )
        if len(self.formulas) > style.MAX_FORMULA_ROWS:
            self.formulas.arrange_in_grid(
                cols=2, buff=(style.BLOCK_BUFF, style.LINE_BUFF), cell_alignment=LEFT
            )
        else:
            self.formulas.arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)

        self.comparison = gradient_table(
            traced,
            [
                (
                    slash_derivative("L", self._parameter(k)),
                    *self.gradient_paths(self.layer, self._gradient(k)),
                )
                for k in [*range(self.feeding), None]
            ],
        )
        self.parameters = [*range(self.feeding), None]
        # the table of numbers and the worked gradients are built as _place lays them out

    def _formula(self, k: int | None, wrap: int = 0) -> str:
        """The gradient's general formula, on ``wrap + 1`` lines at most (under the
        worked gradient's ``&``): ``wrap`` 1 puts the factors after the error on a
        line of their own, 2 the mean's factor too (with several outputs the widest)."""
        factor = "" if k is None else f" {self._g(k)}"
        mean = self.notation.over_count("-2")
        error = "(y^((i)) - hat(y)^((i)))"
        rest = f"{self._slope()}{factor}"
        line = '\\\n & quad "" dot'
        head = f"{mean}{line} sum_i" if wrap > 1 else f"{mean} sum_i"
        if wrap and rest:
            return f"{head} {error}{line}{rest}"
        return f"{head} {error}{rest}"

    def _gradient(self, k: int | None) -> str:
        """Which gradient of the output layer: weight ``k`` of the output, or its bias."""
        return f"bias[{OUTPUT}]" if k is None else f"weight[{OUTPUT}][{k}]"

    def _hand(self, k: int | None) -> str:
        return self.gradient_paths(self.layer, self._gradient(k))[0]

    def _worked(self, k: int | None, wrap: int = 0) -> TracedMath:
        """``dL/dp = -2/N sum ... = (-2)/N [e^(1) g^(1) + ...] = result`` for one parameter
        (``wrap``: its formula on more lines, :meth:`_formula`)."""
        layer = f"network.layers[{self.layer}]"

        def factors(sample: int) -> list[Value]:
            shown = [Value(f"network.errors[{sample}][{OUTPUT}]", style.CLAMPED, paren=True)]
            if self.activation != "none":
                shown.append(
                    Value(f"{self.base}.activation_derivative[{sample}][{OUTPUT}]", paren=True)
                )
            if k is not None:
                shown.append(Value(f"{layer}.input[{sample}][{k}]", style.ACTIVE, paren=True))
            return shown

        return worked_over_samples(
            self.traced,
            derivative("L", self._parameter(k)),
            self._formula(k, wrap),
            factors,
            self.samples,
            self._hand(k),
            around=(
                [MINUS_TWO, OVER, Value("network.loss_count"), TIMES, OPEN_BRACKET],
                [CLOSE_BRACKET],
            ),
            font_size=style.MATRIX_SIZE,
        )

    def _numbers_table(
        self, g_columns: int = style.MAX_MATRIX_COLUMNS, targets: bool = True
    ) -> TracedMatrix:
        """Per sample: target, prediction, their difference (checked), and the g's (at
        most ``g_columns`` of them shown: the first ones, dots, the last). Without
        ``targets``, the difference alone (MSELoss showed it worked), for room."""
        target = lambda i: Value(f"network.target[{i}][{OUTPUT}]")  # noqa: E731
        prediction = lambda i: Value(f"network.prediction[{i}][{OUTPUT}]")  # noqa: E731
        error = lambda i: Value(f"network.errors[{i}][{OUTPUT}]")  # noqa: E731
        columns: list[tuple[str, Callable[[int], Value | Checked], object]] = []
        if targets:
            columns += [
                ("y^((i))", target, style.TARGET),
                ("hat(y)^((i))", prediction, style.PREDICTION),
            ]
            error = lambda i: Checked(  # noqa: E731
                (target(i), Op("-", "-"), prediction(i)), f"network.errors[{i}][{OUTPUT}]"
            )
        self.error_column = len(columns)
        columns.append(("y^((i)) - hat(y)^((i))", error, style.CLAMPED))
        if self.activation != "none":
            columns.append(
                (
                    f"{activation_call(self.activation)}'(n^((i)))",
                    lambda i: Value(f"{self.base}.activation_derivative[{i}][{OUTPUT}]"),
                    style.TEXT,
                )
            )
        self.g_column = len(columns)
        layer = f"network.layers[{self.layer}]"
        for k in range(self.feeding):
            columns.append(
                (self._g(k), lambda i, k=k: Value(f"{layer}.input[{i}][{k}]"), style.ACTIVE)
            )
        table = self.traced.grid(
            self.samples,
            len(columns),
            lambda row, column: columns[column][1](row),
            header=[symbol for symbol, _, _ in columns],
            brackets=False,
            max_columns=self.g_column + g_columns,
            font_size=style.MATRIX_SIZE,
        )
        for column in table.shown_columns:
            table.column(column).set_color(columns[column][2])
        return table

    def _place(self, below) -> None:
        """Each slide's picture in the middle of the stage: the loss above what it
        explains (its names, then its general formulas), the squared term above the
        chain rule, the numbers beside the worked gradients."""
        for group in (self.names, self.squared, self.formulas):
            group.next_to(self.loss, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(VGroup(self.loss, self.formulas))
        # the loss with its names; then with the squared term (the loss moves to make room)
        self.loss_up = self.loss.copy()
        self.centre_on_stage(VGroup(self.loss_up, self.squared))
        self.centre_on_stage(VGroup(self.loss, self.names))
        # for the chain rule, the loss makes way and the squared term moves up
        self.squared_up = self.squared.copy()
        self.chain.next_to(self.squared_up, DOWN, buff=style.BLOCK_BUFF)
        self.centre_on_stage(VGroup(self.squared_up, self.chain))
        # the loss again, over its gradient's formulas
        self.formulas_loss = self.loss.copy().next_to(self.formulas, UP, buff=style.BLOCK_BUFF)
        self.centre_on_stage(VGroup(self.formulas_loss, self.formulas))

        best = None
        for layout in self._layouts():
            left = self._place_numbers(below, *layout)
            if self.worked_scale >= LEAST:
                break
            if best is None or self.worked_scale > best[1]:
                best = layout, self.worked_scale
        else:  # none legible: the one whose worked gradients shrank least
            left = self._place_numbers(below, *best[0])
        self.everything = VGroup(left, *self.worked.values())
        self.centre_on_stage(self.everything)

    def _layouts(self) -> list[tuple[int, int, bool]]:
        """The layouts of the numbers tried in turn, most shown first: ``(g columns of
        the table shown, the worked formula's wrap (:meth:`_formula`), the targets and
        predictions in the table)``. Wrapping hides nothing, so it comes first; then
        the table elides g columns, then leaves out y and hat(y) (their difference
        stays), each widening the room beside it (and wrapping again from none)."""
        most = style.MAX_MATRIX_COLUMNS
        fewer = range(most - 1, style.MIN_MATRIX_COLUMNS - 1, -1)
        elided = [columns for columns in fewer if columns < self.feeding]
        least = elided[-1] if elided else most
        tables = [(most, True), *((columns, True) for columns in elided), (least, False)]
        # each wrap line costs height: the least that fits the width, for each table
        return [(columns, wrap, targets) for columns, targets in tables for wrap in (0, 1, 2)]

    def _place_numbers(self, below, g_columns: int, wrap: int, targets: bool) -> VGroup:
        """Build the table of numbers and the worked gradients in one layout and lay
        them out: the table over the gradients' table at the left, each worked gradient
        beside them, shrunk to the room left. ``self.worked_scale``: the least scale a
        worked gradient got (under ``LEAST`` its digits are too small to read)."""
        self.table = self._numbers_table(g_columns, targets)
        self.worked = {
            row: self._worked(self.parameters[row], wrap) for row in self.comparison.shown_rows
        }
        left = VGroup(self.table, self.comparison).arrange(
            DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF
        )
        left.next_to(below, DOWN, buff=style.BLOCK_BUFF).to_edge(LEFT, buff=style.EDGE_BUFF)
        self.keep_in_frame(left)
        self.worked_scale = 1.0
        for worked in self.worked.values():
            natural = worked.width
            self.fit_beside(worked, left, below)
            self.worked_scale = min(self.worked_scale, worked.width / natural)
        return left

    # -- the loss, written through the output layer's parameters --------------------
    def _show_loss(self) -> None:
        self.step("The loss, written through the output layer's weights and bias")
        self.play(Write(self.loss))
        self.play(FadeIn(self.names, shift=UP * style.NUDGE))
        self.pause()

    # -- one squared term and its inside ----------------------------------------------
    def _show_squared_term(self) -> None:
        self.step("Sample $i$'s loss $L^((i))$: call the inside of its square $e^((i))$, the error")
        self.play(FadeOut(self.names))
        self.play(
            self.loss.animate.move_to(self.loss_up), FadeIn(self.squared, shift=DOWN * style.NUDGE)
        )
        self.pause()

    # -- the chain rule ------------------------------------------------------------------
    def _show_chain(self) -> None:
        self.step(
            "Chain rule: how $L^((i))$ changes with $e^((i))$,"
            " times how $e^((i))$ changes with the weight"
        )
        self.play(FadeOut(self.loss), self.squared.animate.move_to(self.squared_up))
        for line in self.chain:
            self.play(Write(line))
        self.pause()

    # -- averaged over the samples: the gradient of L ---------------------------------
    def _show_formulas(self) -> None:
        self.step("Average over the samples: the same for every weight and the bias")
        self.play(FadeOut(self.squared), FadeOut(self.chain))
        self.loss.move_to(self.formulas_loss)
        self.play(FadeIn(self.loss), FadeIn(self.formulas, shift=DOWN * style.NUDGE))
        self.pause()

    # -- the lesson's numbers ------------------------------------------------------------
    def _show_numbers(self) -> None:
        self.step("The lesson's numbers, sample by sample")
        self.play(FadeOut(self.loss), FadeOut(self.formulas))
        # the table alone in the middle; the worked gradients beside it re-centre it
        self.recentre(self.everything, self.table, within=style.SETTLED)
        self.play(FadeIn(self.table))
        self.pause()

    # -- each gradient worked out, then set beside autograd's --------------------------
    def _indicate_columns(self, k: int | None) -> None:
        """Point at the table columns a parameter's gradient multiplies."""
        columns = [self.error_column]
        if k is not None and self.g_column + k in self.table.shown_columns:
            columns.append(self.g_column + k)
        self.play(
            *(Emphasize(self.table.column(c), color=style.HIGHLIGHT) for c in columns),
            run_time=style.QUICK,
        )

    def _flight_clear(self) -> bool:
        """Whether each worked result's way to its row of the gradients' table (a
        straight line) stays clear of the table of numbers: with many weights the
        rows lie under it, and a copy flying there would cross its numbers."""
        low = self.table.get_corner(DL)[:2]
        high = self.table.get_corner(UR)[:2]
        for row, worked in self.worked.items():
            start = worked.result.get_center()[:2]
            end = self.comparison.entry(row, 1).get_center()[:2]
            for t in np.linspace(0.0, 1.0, 41):
                point = start + t * (end - start)
                if (low <= point).all() and (point <= high).all():
                    return False
        return True

    def _show_gradients(self) -> None:
        self.step("Substitute them: the first weight's gradient, beside autograd's .grad")
        # the whole picture balanced before the gradients' table shows: with many
        # samples and weights the two tables stand taller than the stage, and centring
        # the numbers alone left the lower one in the caption band
        self.recentre(self.everything, self.comparison, *self.worked.values(), within=style.SETTLED)
        play_gradients(
            self,
            self.worked,
            self.comparison,
            ["", "The same for every other weight and the bias"],
            point=lambda row: self._indicate_columns(self.parameters[row]),
            fly=self._flight_clear(),
        )

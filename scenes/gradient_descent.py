"""Gradient descent: every parameter steps against its gradient, the loss is computed
again, and repeated, the loss curve - drawn truthfully even when the loss grows.

All numbers are the trace's training record (``network.training``): the first
step's parameters, gradients and updated parameters, the prediction and loss
before and after it, and the loss after every step.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    Mobject,
    VGroup,
    Write,
    config,
)

from scenekit import style
from scenekit.fitting import WHOLE_ROWS, fits_stage
from scenekit.formulas import MathTypst
from scenekit.learning import LearningScene
from scenekit.notation import derivative
from scenekit.outcome_words import curve_verdict, step_verdict
from scenekit.plots import LossCurve
from scenekit.terms import MINUS, TIMES, Checked, Value

__all__ = ["LOSSES", "GradientDescent", "LossCurve"]

TRAINING = "network.training"
LOSSES = f"{TRAINING}.losses"
RATE = f"{TRAINING}.learning_rate"
STEP = f"{TRAINING}.steps[0]"  # the step worked out in full: the first


class GradientDescent(LearningScene):
    """One step downhill for every weight and bias, then the loss over all the steps."""

    for_loss = "mse"

    @classmethod
    def applies(cls, trace) -> bool:
        return super().applies(trace) and bool(trace.network.training.steps)

    def construct(self) -> None:
        self.show_title("Gradient descent: step against the gradient")
        self._show_rule()
        self._show_one_weight()
        self._show_layers()
        self._show_new_loss()
        self._show_curve()

    # -- the rule, and one weight worked with it ------------------------------------------
    def _show_rule(self) -> None:
        self.step("Each parameter steps against its gradient, scaled by the learning rate")
        rule = MathTypst(
            f'w_"new" = w_"old" - alpha dot {derivative("L", "w")}', font_size=style.MATH_SIZE
        )
        rate = self.traced.math("alpha =", Value(RATE, style.RESULT), 'quad "the learning rate"')
        w = self.notation.weight(1, 0, 0)
        self.worked = self.traced.worked(
            [
                Value(f"{STEP}.parameters[0].weight[0][0]", style.WEIGHT),
                MINUS,
                Value(RATE, style.RESULT),
                TIMES,
                Value(f"{STEP}.gradients[0].weight[0][0]", style.GRADIENT, paren=True),
            ],
            f"{STEP}.updated[0].weight[0][0]",
            prefix=[f'{w}^"new" = {w} - alpha dot {derivative("L", w)} ='],
            total_color=style.UPDATED,
        )
        # the rule and its worked weight laid out together, so neither moves
        self.centre_on_stage(
            VGroup(VGroup(rule, rate).arrange(DOWN, buff=style.BLOCK_BUFF), self.worked).arrange(
                DOWN, buff=style.BLOCK_BUFF * 2
            )
        )
        self.play(Write(rule))
        self.play(FadeIn(rate, shift=UP * style.NUDGE))
        self.pause()

    def _show_one_weight(self) -> None:
        self.step("One weight of the first step, with its numbers")
        self.play(Write(self.worked))
        self.pause()

    # -- every parameter of every layer ----------------------------------------------------
    def _show_layers(self) -> None:
        count = len(self.trace.network.layers)
        for layer in range(count):
            if layer == 0:
                caption = "Every weight and bias of the first layer, the same way"
            elif layer == count - 1:
                caption = "And of the output layer"
            else:
                caption = "And of the next layer"
            self.new_slide(caption)
            block = self._layer_update(layer, style.MAX_MATRIX_COLUMNS)
            if block.width > config.frame_width - 2 * style.EDGE_BUFF:
                block = self._layer_update(layer, style.MAX_UPDATE_COLUMNS)
            if block.width > config.frame_width - 2 * style.EDGE_BUFF:
                block = self._layer_update(layer, style.MAX_UPDATE_COLUMNS, wrap=True)
            self.centre_on_stage(self.stack(block))
            self.play(FadeIn(block))
            self.pause()

    def _layer_update(self, layer: int, max_columns: int, wrap: bool = False) -> VGroup:
        """``W_new = W - alpha · dL/dW`` (and the same for b), each new entry checked;
        ``wrap``: the new weights on a line of their own, under the old ones (long numbers)."""
        cells = []
        for part, symbol in (("weight", "W"), ("bias", "b")):
            old = f"{STEP}.parameters[{layer}].{part}"
            rows, columns = self.traced.shape(old)

            def entry(r: int, c: int, part=part) -> str:
                return f"[{r}]" if part == "bias" else f"[{r}][{c}]"

            def new(r: int, c: int, part=part, entry=entry) -> Checked:
                return Checked(
                    (
                        Value(f"{STEP}.parameters[{layer}].{part}{entry(r, c)}"),
                        MINUS,
                        Value(RATE),
                        TIMES,
                        Value(f"{STEP}.gradients[{layer}].{part}{entry(r, c)}"),
                    ),
                    f"{STEP}.updated[{layer}].{part}{entry(r, c)}",
                )

            limits = {"max_columns": max_columns}
            name = f"{symbol}^([{layer + 1}])"
            cells += [
                # "new" written beside the name, not under it: a subscript word is too small
                MathTypst(f'"new" {name} =', font_size=style.MATH_SIZE),
                self.traced.matrix(old, color=style.WEIGHT, **limits),
                MathTypst("- alpha dot", font_size=style.MATH_SIZE),
                self.traced.matrix(
                    f"{STEP}.gradients[{layer}].{part}", color=style.GRADIENT, **limits
                ),
                MathTypst("=", font_size=style.MATH_SIZE),
                self.traced.grid(rows, columns, new, color=style.UPDATED, **limits),
            ]
        if not wrap:
            return VGroup(*cells).arrange_in_grid(
                rows=2, cols=6, buff=(style.LINE_BUFF / 2, style.BLOCK_BUFF)
            )
        # new W = W - alpha dot dL/dW       (the "=" before the new weights under
        #       = new                        the name's, in a right-aligned first column)
        # new b = b - alpha dot dL/db = new
        weight, bias = cells[:6], cells[6:]
        gap = [VGroup() for _ in range(6)]  # empty cells: the grid's holes
        rows = [*weight[:4], *gap[:2], *weight[4:], *gap[2:]]
        return VGroup(*rows, *bias).arrange_in_grid(
            rows=3, cols=6, buff=(style.LINE_BUFF / 2, style.BLOCK_BUFF), col_alignments="rccccc"
        )

    # -- the network again, with the new parameters ------------------------------------------
    def _show_new_loss(self) -> None:
        verdict = step_verdict(self.trace.network.training.first_outcome)
        self.new_slide(f"The network runs again with the new parameters: {verdict}")
        formula = MathTypst(  # the mean over the table's N samples (and outputs)
            f"L = {self.notation.over_count()} sum_i (y^((i)) - hat(y)^((i)))^2",
            font_size=style.MATH_SIZE,
        )
        before = ('L "before" =', Value(f"{LOSSES}[0]", style.RESULT))
        after = ('L "after" =', Value(f"{LOSSES}[1]", style.UPDATED))
        losses = self.traced.math(*before, "quad arrow.r quad", *after)
        # one under the other, for beside the matrices when one line is too wide there
        stacked = VGroup(self.traced.math(*before), self.traced.math(*after))
        stacked.arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)
        row, losses = self._place_new_loss(formula, losses, stacked)
        self.play(FadeIn(row))
        self.play(Write(formula))
        self.play(Write(losses))
        self.pause()

    def _predictions(self, rows: int) -> VGroup:
        """y, ŷ before and ŷ after side by side, at most ``rows`` rows each: closer, then
        fewer columns, rather than smaller (the labels are at the least legible size)."""
        spacing = [
            (columns, buff)
            for columns in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1)
            for buff in (style.BLOCK_BUFF * 2, style.BLOCK_BUFF)
        ]
        for columns, buff in spacing:
            limits = {"max_rows": rows, "max_columns": columns}
            row = VGroup(
                self.labelled(self.traced.matrix("network.target", **limits), "y"),
                self.labelled(
                    self.traced.matrix(f"{TRAINING}.predictions[0]", color=style.RESULT, **limits),
                    'hat(y) "before"',
                ),
                self.labelled(
                    self.traced.matrix(f"{TRAINING}.predictions[1]", color=style.UPDATED, **limits),
                    'hat(y) "after"',
                ),
            ).arrange(RIGHT, buff=buff, aligned_edge=DOWN)
            if row.width <= config.frame_width - 2 * style.EDGE_BUFF:
                break
        return row

    def _place_new_loss(
        self, formula: Mobject, losses: Mobject, stacked: Mobject
    ) -> tuple[VGroup, Mobject]:
        """The matrices with every sample's row where the stage holds them (at most
        ``WHOLE_ROWS``), the mean and the losses under them, else beside them (the
        losses on one line, else ``stacked``); fewer rows only when no way holds them
        all (then the matrices elide). Placed on the stage; the matrices and the losses
        placed with them."""
        samples = self.traced.shape("network.target")[0]
        least = min(samples, style.MAX_MATRIX_ROWS)
        for rows in range(min(samples, max(WHOLE_ROWS, least)), least - 1, -1):
            row = self._predictions(rows)
            under = VGroup(row, formula, losses).arrange(DOWN, buff=style.BLOCK_BUFF)
            if fits_stage(self, under):
                self.centre_on_stage(under)
                return row, losses
            for shown in (losses, stacked):
                words = VGroup(formula, shown).arrange(
                    DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF
                )
                beside = VGroup(row, words).arrange(RIGHT, buff=style.BLOCK_BUFF * 2)
                if fits_stage(self, beside):
                    self.centre_on_stage(beside)
                    return row, shown
        self.centre_on_stage(self.stack(row, formula, losses))  # none holds them: elided
        return row, losses

    # -- the loss curve ----------------------------------------------------------------------
    def _show_curve(self) -> None:
        verdict = curve_verdict(self.trace.network.training.outcome)
        self.new_slide(f"Repeated, step after step: {verdict}")
        self.draw_curve(LossCurve(self.traced))

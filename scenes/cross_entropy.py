"""Cross-entropy and accuracy: how much probability the network gives each sample's
true class, as a loss (what ``nn.CrossEntropyLoss`` prints), and how many samples
its largest score gets right.

Every number is the trace's: the one-hot ``network.one_hot``, the picked
``network.true_class_probability``, the per-sample ``network.cross_entropy``, the
mean ``network.loss``, ``network.predicted_classes`` and ``network.accuracy``.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, FadeIn, SurroundingRectangle, VGroup, Write

from scenekit import style
from scenekit.classes import (
    CLOSE_PAREN,
    DIVIDED_BY,
    OPEN_PAREN,
    class_color,
    one_hot_matrix,
)
from scenekit.emphasis import Emphasize
from scenekit.fitting import fits_stage, with_rows_that_fit
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene
from scenekit.terms import NEW_LINE, OVER, PLUS, Term, Value

__all__ = ["CrossEntropyLoss"]

NETWORK = "network"
SAMPLES = "len(network.classes)"
PER_LINE = 5  # per-sample losses a line of the worked mean holds
SIDE_PER_LINE = 3  # ... when the mean stands beside the table
CLASS, PICKED, LOSS = range(3)  # the loss table's columns
TRUE, PREDICTED, MARK = range(3)  # the accuracy table's columns


class CrossEntropyLoss(LearningScene):
    """``L = -1/N sum_i log p_y^(i)``, ``y = y^(i)``: the true class one-hot, its
    probability picked out, ``-log``, the mean; then the argmax and the share right."""

    for_loss = "cross_entropy"

    def construct(self) -> None:
        self.samples, self.classes = self.traced.shape(f"{NETWORK}.one_hot")
        self.show_title("The loss: cross-entropy")
        self._show_one_hot()
        self._show_log()
        self._show_mean()
        self._show_accuracy()

    # -- the truth as a one-hot matrix, beside P ------------------------------------------
    def _show_one_hot(self) -> None:
        self.new_slide("The true classes as a one-hot matrix Y: each row has a one at its class")

        names = self.trace.network.class_names

        def truth(rows: int) -> VGroup:
            """``y``, ``Y`` and ``P`` side by side, at most ``rows`` rows each."""
            limits = {"max_rows": rows}
            p = self.traced.matrix(f"{NETWORK}.softmax.probabilities", color=style.RESULT, **limits)
            # Y's 0/1 columns as wide as its class names need to stand over them as over P
            y = one_hot_matrix(
                self.traced, f"{NETWORK}.one_hot", names, p, color=style.INPUT, **limits
            )
            return VGroup(
                self.labelled(
                    self.traced.matrix(f"{NETWORK}.classes", color=style.INPUT, **limits), "y"
                ),
                self.labelled(y, "Y", classes=True),
                self.labelled(p, "P", classes=True),
            ).arrange(RIGHT, buff=style.BLOCK_BUFF * 2, aligned_edge=DOWN)

        row = with_rows_that_fit(self, truth, self.samples)
        p = row[2][1]
        self.centre_on_stage(row)
        self.recentre(row, *row[:2], within=style.SETTLED)
        self.play(FadeIn(row[0]), FadeIn(row[1]))
        self.pause()
        self.step("Each sample's probability of its true class, where Y has its one")
        self.recentre(row, *row[2:], within=style.SETTLED)
        self.frames = VGroup()
        for s in p.shown_rows:
            true = self.trace.network.classes[s]
            if true in p.shown_columns:
                self.frames.add(
                    SurroundingRectangle(p.entry(s, true), color=class_color(true), buff=0.06)
                )
        self.play(FadeIn(row[2]))
        self.play(FadeIn(self.frames))
        self.pause()

    # -- -log of it, per sample -----------------------------------------------------------
    def _show_log(self) -> None:
        self.new_slide("Minus its log: near zero for a sure right answer, large for a miss")
        # p_y^(i): sample i's probability of its true class y = y^(i), the p_y of the
        # gradient scene (one letter for one quantity: mlpmath.notation)
        formula = MathTypst(
            'L^((i)) = -log p_y^((i)), quad y = y^((i)) "its true class"',
            font_size=style.MATH_SIZE,
        )

        def cell(r: int, c: int):
            name = ("classes", "true_class_probability", "cross_entropy")[c]
            color = (style.INPUT, style.RESULT, style.CLAMPED)[c]
            return Value(f"{NETWORK}.{name}[{r}]", color)

        note = Typst(
            "softmax's exp is never zero, so the log is finite; "
            "it is taken of the unrounded $p_y^((i))$",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )

        def table(rows: int):
            return self.traced.grid(
                self.samples,
                3,
                cell,
                header=["y^((i))", "p_y^((i))", "L^((i)) = -log p_y^((i))"],
                brackets=False,
                max_rows=rows,
            ).mute_header()

        # the formula beside the table, so the table has the stage's height for its rows
        self.loss_table = table
        self.table = with_rows_that_fit(
            self, table, self.samples, spare=note.height + style.BLOCK_BUFF
        )
        board = VGroup(self.table, formula).arrange(RIGHT, buff=style.BLOCK_BUFF * 2)
        self.centre_on_stage(VGroup(board, note).arrange(DOWN, buff=style.BLOCK_BUFF))
        self.play(Write(formula))
        picked = [self.table.entry(-1, CLASS), self.table.entry(-1, PICKED)]
        self.play(FadeIn(VGroup(*picked, self.table.column(CLASS), self.table.column(PICKED))))
        self.play(
            FadeIn(VGroup(self.table.frame(), self.table.entry(-1, LOSS))),
            FadeIn(self.table.column(LOSS), shift=LEFT * style.NUDGE),
            FadeIn(note),
        )
        self.pause()

    # -- the mean -------------------------------------------------------------------------
    def _show_mean(self) -> None:
        self.step("The mean over the samples is the loss, what nn.CrossEntropyLoss prints")
        head = "L = 1/N sum_i L^((i)) &="
        loss = f"{NETWORK}.loss"

        def mean(per_line: int):
            """The worked mean, ``per_line`` terms a line; only its value when long."""
            if self.samples > 2 * PER_LINE:  # too many to add up on screen
                return self.traced.math(
                    head, Value(loss, style.RESULT), ", quad N =", Value(SAMPLES)
                )
            terms: list[Term] = [OPEN_PAREN]
            for s in range(self.samples):
                if s and s % per_line == 0:
                    terms.append(NEW_LINE)
                if s:
                    terms.append(PLUS)
                terms.append(Value(f"{NETWORK}.cross_entropy[{s}]"))
            terms += [CLOSE_PAREN, DIVIDED_BY, Value(SAMPLES)]
            return self.traced.worked(
                terms, loss, prefix=[head], total_color=style.RESULT, font_size=style.MATRIX_SIZE
            )

        self.clear_slide()
        # the mean under the table; beside it (in shorter lines) when under it would hide
        # rows of the table: every term the mean adds is then in the table too
        self.table = self.loss_table(self.samples)
        worked = mean(PER_LINE)
        whole = VGroup(self.table, worked).arrange(DOWN, buff=style.BLOCK_BUFF)
        if not fits_stage(self, whole):
            worked = mean(SIDE_PER_LINE)
            whole = VGroup(self.table, worked).arrange(RIGHT, buff=style.BLOCK_BUFF)
        if not fits_stage(self, whole):
            worked = mean(PER_LINE)
            self.table = with_rows_that_fit(
                self, self.loss_table, self.samples, spare=worked.height + style.BLOCK_BUFF
            )
            whole = VGroup(self.table, worked).arrange(DOWN, buff=style.BLOCK_BUFF)
        mean = worked
        self.centre_on_stage(whole)
        self.play(FadeIn(self.table))
        self.play(Emphasize(self.table.column(LOSS), color=style.HIGHLIGHT))
        self.play(Write(mean))
        self.play(Emphasize(mean.result, color=style.RESULT))
        self.pause()

    # -- the predicted class and the accuracy -----------------------------------------------
    def _show_accuracy(self) -> None:
        self.new_slide("The predicted class is the largest score; accuracy: the share right")
        formula = MathTypst(
            "hat(y)^((i)) = arg max_k z_k^((i)) = arg max_k p_k^((i))", font_size=style.MATH_SIZE
        )
        network = self.trace.network

        def cell(r: int, c: int):
            if c == TRUE:
                return Value(f"{NETWORK}.classes[{r}]", style.INPUT)
            if c == PREDICTED:
                color = style.CORRECT if network.correct[r] else style.WRONG
                return Value(f"{NETWORK}.predicted_classes[{r}]", color)
            return "checkmark" if network.correct[r] else "times"

        accuracy = self.traced.worked(
            [Value(f"{NETWORK}.correct_count", style.RESULT), OVER, Value(SAMPLES)],
            f"{NETWORK}.accuracy",
            prefix=['"accuracy" = "right" / N ='],
            total_color=style.RESULT,  # a share, good or bad: no colour praises it
        )

        def grid(rows: int):
            return self.traced.grid(
                self.samples,
                3,
                cell,
                header=["y^((i))", "hat(y)^((i))", '""'],
                brackets=False,
                max_rows=rows,
            ).mute_header()

        # the formula and the share beside the table: the stage's height for its rows
        table = with_rows_that_fit(self, grid, self.samples)
        for r in table.shown_rows:
            correct = network.correct[r]
            table.entry(r, MARK).set_color(style.CORRECT if correct else style.WRONG)
        words = VGroup(formula, accuracy).arrange(DOWN, buff=style.BLOCK_BUFF * 2)
        self.centre_on_stage(VGroup(table, words).arrange(RIGHT, buff=style.BLOCK_BUFF * 2))
        self.play(Write(formula))
        self.play(FadeIn(table))
        self.play(Write(accuracy))
        self.pause()

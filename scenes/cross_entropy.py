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
from scenekit.classes import CLOSE_PAREN, DIVIDED_BY, OPEN_PAREN, class_color
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene
from scenekit.terms import NEW_LINE, OVER, PLUS, Term, Value

__all__ = ["CrossEntropyLoss"]

NETWORK = "network"
SAMPLES = "len(network.classes)"
PER_LINE = 5  # per-sample losses a line of the worked mean holds
CLASS, PICKED, LOSS = range(3)  # the loss table's columns
TRUE, PREDICTED, MARK = range(3)  # the accuracy table's columns


class CrossEntropyLoss(LearningScene):
    """``L = -1/N sum_i log q_i``, ``q_i = P[i, y_i]``: the true class one-hot, its
    probability picked out, ``-log``, the mean; then the argmax and the share right."""

    for_loss = "classification"

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
        classes = self.traced.matrix(f"{NETWORK}.classes", color=style.INPUT)
        one_hot = self.traced.matrix(f"{NETWORK}.one_hot", color=style.INPUT)
        p = self.traced.matrix(f"{NETWORK}.softmax.probabilities", color=style.RESULT)
        row = VGroup(
            self.labelled(classes, "y_i"),
            self.labelled(one_hot, "Y"),
            self.labelled(p, "P"),
        ).arrange(RIGHT, buff=style.BLOCK_BUFF * 2, aligned_edge=DOWN)
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
        # q_i names P's entry at the true class: P_(i y_i) would need a second-level subscript
        formula = MathTypst(
            'L_i = -log q_i, quad q_i = P_(i y) "at the true class" y = y_i',
            font_size=style.MATH_SIZE,
        )

        def cell(r: int, c: int):
            name = ("classes", "true_class_probability", "cross_entropy")[c]
            color = (style.INPUT, style.RESULT, style.CLAMPED)[c]
            return Value(f"{NETWORK}.{name}[{r}]", color)

        self.table = self.traced.grid(
            self.samples,
            3,
            cell,
            header=["y_i", "q_i", "-log q_i"],
            brackets=False,
        ).mute_header()
        note = Typst(
            "softmax's exp is never zero, so the log is finite; it is taken of the unrounded $q_i$",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )
        self.centre_on_stage(VGroup(formula, self.table, note).arrange(DOWN, buff=style.BLOCK_BUFF))
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
        head = "L = 1/N sum_i L_i &="
        loss = f"{NETWORK}.loss"
        if self.samples <= 2 * PER_LINE:
            terms: list[Term] = [OPEN_PAREN]
            for s in range(self.samples):
                if s and s % PER_LINE == 0:
                    terms.append(NEW_LINE)
                if s:
                    terms.append(PLUS)
                terms.append(Value(f"{NETWORK}.cross_entropy[{s}]"))
            terms += [CLOSE_PAREN, DIVIDED_BY, Value(SAMPLES)]
            mean = self.traced.worked(
                terms, loss, prefix=[head], total_color=style.RESULT, font_size=style.MATRIX_SIZE
            )
        else:
            mean = self.traced.math(head, Value(loss, style.RESULT))
        count = self.traced.math("N =", Value(SAMPLES), font_size=style.LABEL_SIZE)
        block = VGroup(mean, count).arrange(RIGHT, buff=style.BLOCK_BUFF)
        self.clear_slide()
        self.centre_on_stage(VGroup(self.table, block).arrange(DOWN, buff=style.BLOCK_BUFF))
        self.play(FadeIn(self.table))
        self.play(Emphasize(self.table.column(LOSS), color=style.HIGHLIGHT))
        self.play(Write(mean), FadeIn(count))
        self.play(Emphasize(mean.result, color=style.RESULT))
        self.pause()

    # -- the predicted class and the accuracy -----------------------------------------------
    def _show_accuracy(self) -> None:
        self.new_slide("The predicted class is the largest score; accuracy: the share right")
        formula = MathTypst(
            "hat(y)_i = arg max_k Z_(i k) = arg max_k P_(i k)", font_size=style.MATH_SIZE
        )
        network = self.trace.network

        def cell(r: int, c: int):
            if c == TRUE:
                return Value(f"{NETWORK}.classes[{r}]", style.INPUT)
            if c == PREDICTED:
                color = style.CORRECT if network.correct[r] else style.WRONG
                return Value(f"{NETWORK}.predicted_classes[{r}]", color)
            return "checkmark" if network.correct[r] else "times"

        table = self.traced.grid(
            self.samples, 3, cell, header=["y_i", "hat(y)_i", '""'], brackets=False
        ).mute_header()
        for r in table.shown_rows:
            correct = network.correct[r]
            table.entry(r, MARK).set_color(style.CORRECT if correct else style.WRONG)
        accuracy = self.traced.worked(
            [Value(f"{NETWORK}.correct_count", style.CORRECT), OVER, Value(SAMPLES)],
            f"{NETWORK}.accuracy",
            prefix=['"accuracy" = "right" / N ='],
            total_color=style.CORRECT,
        )
        self.centre_on_stage(VGroup(formula, table, accuracy).arrange(DOWN, buff=style.BLOCK_BUFF))
        self.play(Write(formula))
        self.play(FadeIn(table))
        self.play(Write(accuracy))
        self.pause()

"""Softmax: one sample's scores (logits) made into probabilities, step by step, then
the whole batch at once.

The order is a careful board's: subtract the row's largest score (the result is
unchanged, and e^ can no longer overflow), e^, the sum, divide. Every number is
the trace's ``network.softmax`` record; the differences and quotients are shown
arithmetic (``=``, or ``≈`` where the shown digits disagree), and the shown
probabilities are added up against 1 the same way.
"""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, FadeIn, SurroundingRectangle, VGroup, Write

from mlpmath.display import EQUALS
from scenekit import style
from scenekit.classes import ProbabilityBars, worked_sum_to_one
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene
from scenekit.terms import MINUS, OVER, Checked, Value

__all__ = ["Softmax"]

SOFTMAX = "network.softmax"
SAMPLE = 0  # the sample worked out step by step
LOGIT, SHIFTED, EXP, PROBABILITY = range(4)  # the table's rows
ROW_NAMES = ["z_c", "z_c - m", "e^(z_c - m)", "p_c"]


class Softmax(LearningScene):
    """``p_c = e^(z_c - m) / sum_k e^(z_k - m)``, ``m = max_k z_k``: worked on one
    sample, shown as bars that sum to 1, then applied to every row of ``Z``."""

    for_loss = "classification"

    def construct(self) -> None:
        self.classes = self.trace.network.sizes[-1]
        self.show_title("Softmax: scores into probabilities")
        self._build()
        self._show_scores()
        self._show_shift()
        self._show_exp()
        self._show_sum()
        self._show_divide()
        self._show_bars()
        self._show_batch()

    # -- the table of one sample, built at once ------------------------------------------
    def _path(self, name: str, c: int | None = None) -> str:
        index = "" if c is None else f"[{c}]"
        return f"{SOFTMAX}.{name}[{SAMPLE}]{index}"

    def _cell(self, row: int, column: int):
        if column == 0:
            return ROW_NAMES[row]
        c = column - 1
        if row == LOGIT:
            return Value(self._path("logits", c), style.RESULT)
        if row == SHIFTED:
            return Checked(
                (Value(self._path("logits", c)), MINUS, Value(self._path("row_max"), paren=True)),
                self._path("shifted", c),
            )
        if row == EXP:
            return Value(self._path("exp", c))
        return Checked(
            (Value(self._path("exp", c)), OVER, Value(self._path("exp_sum"))),
            self._path("probabilities", c),
            style.RESULT,
        )

    def _build(self) -> None:
        traced = self.traced
        sample = SAMPLE + 1
        self.formula = MathTypst(
            "p_c = e^(z_c - m) / (sum_k e^(z_k - m)), quad m = max_k z_k",
            font_size=style.MATH_SIZE,
        )
        self.table = traced.grid(
            len(ROW_NAMES),
            self.classes + 1,
            self._cell,
            brackets=False,
            max_columns=max(style.MAX_MATRIX_COLUMNS, self.classes + 1),
            font_size=style.MATH_SIZE,
        )
        names = VGroup(*(self.table.entry(r, 0) for r in range(len(ROW_NAMES))))
        names.set_color(style.MUTED)
        self.maximum = traced.math(
            f"m = max_k z_k^({sample}) =", Value(self._path("row_max"), style.RESULT)
        )
        self.note = Typst(
            "the largest score becomes zero, so $e^(z_c - m) <= 1$: no overflow, the same $p_c$",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )
        self.exp_note = Typst(
            "$e^x$ of the unrounded difference, shown rounded",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )
        self.sum = traced.worked_sum(
            [self._path("exp", c) for c in range(self.classes)],
            self._path("exp_sum"),
            prefix=["S = sum_k e^(z_k - m) ="],
            total_color=style.RESULT,
        )
        self.stack(self.formula, self.maximum, self.table, self.sum)
        for note in (self.note, self.exp_note):
            note.next_to(self.sum, DOWN, buff=style.LINE_BUFF)
            self.keep_in_frame(note)
        self.row_pieces = [self._row(r) for r in range(len(ROW_NAMES))]

    def _row(self, row: int) -> VGroup:
        return VGroup(*(self.table.entry(row, c) for c in range(self.classes + 1)))

    # -- the steps ---------------------------------------------------------------------
    def _show_scores(self) -> None:
        self.step("One sample's scores, one per class, and their largest")
        self.play(Write(self.formula))
        self.play(FadeIn(self.row_pieces[LOGIT]))
        self.play(FadeIn(self.maximum, shift=DOWN * style.NUDGE))
        self.pause()

    def _show_shift(self) -> None:
        self.step("Subtract the largest score from each: the probabilities stay the same")
        self.play(FadeIn(self.row_pieces[SHIFTED], shift=DOWN * style.NUDGE), FadeIn(self.note))
        self.pause()

    def _show_exp(self) -> None:
        self.step("Raise e to each: every value positive, the largest exactly one")
        self.play(
            FadeIn(self.row_pieces[EXP], shift=DOWN * style.NUDGE),
            self.note.animate.set_opacity(0),
            FadeIn(self.exp_note),
        )
        self.remove(self.note)
        self.pause()

    def _show_sum(self) -> None:
        self.step("Add them up")
        self.remove(self.exp_note)
        self.play(Emphasize(self.row_pieces[EXP], color=style.HIGHLIGHT))
        self.play(Write(self.sum))
        self.pause()

    def _show_divide(self) -> None:
        self.step("Divide each by the sum: the probabilities")
        self.play(FadeIn(self.row_pieces[PROBABILITY], shift=DOWN * style.NUDGE))
        self.play(Emphasize(self.row_pieces[PROBABILITY], color=style.HIGHLIGHT))
        self.pause()

    def _show_bars(self) -> None:
        self.new_slide("The probabilities as bars: together they make one")
        row = f"{SOFTMAX}.probabilities[{SAMPLE}]"
        bars = ProbabilityBars(self.traced, row, self.classes)
        total = worked_sum_to_one(
            self.traced,
            [f"{row}[{c}]" for c in range(self.classes)],
            prefix=["sum_c p_c ="],
        )
        parts = [bars, total]
        if self._relation_sign(total) != EQUALS:
            parts.append(
                Typst(
                    "the shown digits are rounded: they add up to nearly one",
                    font_size=style.LABEL_SIZE,
                    color=style.MUTED,
                )
            )
        self.stack(*parts)
        self.play(
            *(FadeIn(bar, shift=UP * style.NUDGE) for bar in bars.bars), FadeIn(bars.baseline)
        )
        self.play(FadeIn(bars.values), FadeIn(bars.names))
        self.play(Write(VGroup(*parts[1:])))
        self.pause()

    def _relation_sign(self, mobject) -> str:
        """The sign the ledger recorded for ``mobject``'s worked sum."""
        return next(r.relation for r in self.ledger.relations if r.mobject is mobject)

    def _show_batch(self) -> None:
        self.new_slide("Every sample at once: softmax row by row, each row of P sums to one")
        z = self.traced.matrix(f"{SOFTMAX}.logits", color=style.RESULT)
        p = self.traced.matrix(f"{SOFTMAX}.probabilities", color=style.RESULT)
        arrow = MathTypst('arrow.r^"softmax, each row"', font_size=style.MATH_SIZE)
        row = VGroup(self.labelled(z, "Z"), arrow, self.labelled(p, "P")).arrange(
            RIGHT, buff=style.BLOCK_BUFF
        )
        self.stack(row)
        self.play(FadeIn(row[0]))
        self.play(FadeIn(arrow), FadeIn(row[2]))
        if SAMPLE in p.shown_rows:
            self.play(
                *(Emphasize(m.row(SAMPLE), color=style.HIGHLIGHT) for m in (z, p)),
                FadeIn(SurroundingRectangle(p.row(SAMPLE), color=style.HIGHLIGHT, buff=0.08)),
            )
        self.pause()

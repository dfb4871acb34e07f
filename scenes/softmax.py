"""Softmax: one sample's scores (logits) made into probabilities, step by step, then
the whole batch at once.

The order is a careful board's: subtract the row's largest score (the result is
unchanged, and e^ can no longer overflow), e^, the sum, divide. Every number is
the trace's ``network.softmax`` record; the differences and quotients are shown
arithmetic (``=``, or ``≈`` where the shown digits disagree), and the shown
probabilities are added up against 1 the same way.
"""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, FadeIn, SurroundingRectangle, VGroup, Write, config

from mlpmath.display import EQUALS
from scenekit import style
from scenekit.classes import ProbabilityBars, worked_sum_to_one
from scenekit.composition import stage
from scenekit.emphasis import Emphasize
from scenekit.fitting import with_rows_that_fit
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene
from scenekit.terms import MINUS, OVER, Checked, Value

__all__ = ["Softmax"]

SOFTMAX = "network.softmax"
SAMPLE = 0  # the sample worked out step by step
LOGIT, SHIFTED, EXP, PROBABILITY = range(4)  # the table's rows
ROW_NAMES = ["z_k", "z_k - m", "exp(z_k - m)", "p_k"]
FEWEST_SHOWN = 4  # classes an elided table still shows: the first two, dots, the last
SUM_LINES = 3  # lines the worked sum S may take; longer, only its traced total is shown
BOARD_BUFF = (style.BLOCK_BUFF + style.LINE_BUFF) / 2  # the board and its note fill the stage
BAR_HEIGHT = 3.0  # the largest probability's bar: the bars' slide has the stage to itself


class Softmax(LearningScene):
    """``p_k = e^(z_k - m) / sum_k' e^(z_k' - m)``, ``m = max_k z_k``: worked on one
    sample, shown as bars that sum to 1, then applied to every row of ``Z``."""

    for_loss = "cross_entropy"

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

    def _table(self, classes: int):
        """The table with at most ``classes`` class columns (elided past them)."""
        return self.traced.grid(
            len(ROW_NAMES),
            self.classes + 1,
            self._cell,
            brackets=False,
            max_columns=classes + 1,
            font_size=style.MATH_SIZE,
        )

    def _widest_table(self):
        """Every class when the table fits the frame; else as many as fit."""
        fewer = range(min(self.classes, style.MAX_MATRIX_COLUMNS + 1), FEWEST_SHOWN - 1, -1)
        return self.elide_to_fit(self._table, least=1, columns=[self.classes, *fewer])

    def _exp_sum(self):
        """``S = e^.. + e^.. + ... = S``, wrapped to fit; only ``S`` when too long."""
        terms = [self._path("exp", c) for c in range(self.classes)]
        prefix = ["S = sum_k exp(z_k - m) &="]
        for lines in range(1, SUM_LINES + 1):
            per_line = -(-self.classes // lines)
            worked = self.traced.worked_sum(
                terms,
                self._path("exp_sum"),
                prefix=prefix,
                total_color=style.RESULT,
                per_line=per_line if lines > 1 else None,
            )
            if worked.width <= config.frame_width - 2 * style.EDGE_BUFF:
                return worked
        return self.traced.math(prefix[0], Value(self._path("exp_sum"), style.RESULT))

    def _build(self) -> None:
        traced = self.traced
        self.formula = MathTypst(
            "p_k = exp(z_k - m) / (sum_(k') exp(z_(k') - m)), quad m = max_k z_k",
            font_size=style.MATH_SIZE,
        )
        self.table = self._widest_table()
        names = VGroup(*(self.table.entry(r, 0) for r in range(len(ROW_NAMES))))
        names.set_color(style.MUTED)
        self.maximum = traced.math("m = max_k z_k =", Value(self._path("row_max"), style.RESULT))
        self.note = Typst(
            "the largest score becomes zero, so every $exp(z_k - m) <= 1$: "
            "no overflow, the same $p_k$",
            font_size=style.NOTE_SIZE,
            color=style.MUTED,
        )
        self.exp_note = Typst(
            "exp of the unrounded difference, shown rounded",
            font_size=style.LABEL_SIZE,
            color=style.MUTED,
        )
        self.sum = self._exp_sum()
        for note in (self.note, self.exp_note):
            note.next_to(self.sum, DOWN, buff=style.LINE_BUFF)
        board = VGroup(self.formula, self.maximum, self.table, self.sum)
        board.arrange(DOWN, buff=BOARD_BUFF)
        for note in (self.note, self.exp_note):
            note.next_to(self.sum, DOWN, buff=style.LINE_BUFF)
        self.board = self.centre_on_stage(VGroup(board, self.note, self.exp_note))
        self.row_pieces = [self._row(r) for r in range(len(ROW_NAMES))]

    def _row(self, row: int) -> VGroup:
        """A table row's shown entries, and its dots where classes are elided."""
        piece = VGroup(*(self.table.entry(row, c) for c in self.table.shown_columns))
        heights = [self.table.entry(r, 0).get_y() for r in range(len(ROW_NAMES))]
        for dots in self.table.frame():  # the elision's dots: to the row they sit on
            nearest = min(range(len(heights)), key=lambda r: abs(heights[r] - dots.get_y()))
            if nearest == row:
                piece.add(dots)
        return piece

    # -- the steps ---------------------------------------------------------------------
    def _show_scores(self) -> None:
        self.step("The first sample's scores $z_k$, one per class, and their largest")
        rows = self.row_pieces
        self.recentre(self.board, self.formula, rows[LOGIT], self.maximum, within=style.SETTLED)
        self.play(Write(self.formula))
        self.play(FadeIn(rows[LOGIT]))
        self.play(FadeIn(self.maximum, shift=DOWN * style.NUDGE))
        self.pause()

    def _show_shift(self) -> None:
        self.step("Subtract the largest score from each: the probabilities stay the same")
        rows = self.row_pieces
        self.recentre(self.board, rows[SHIFTED], self.note, within=style.SETTLED)
        self.play(FadeIn(rows[SHIFTED], shift=DOWN * style.NUDGE), FadeIn(self.note))
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

        def drawn(height: float) -> ProbabilityBars:
            return ProbabilityBars(
                self.traced,
                row,
                self.classes,
                limit=len(self.table.shown_columns),
                height=height,
                names=self.trace.network.class_names,
            )

        bars = drawn(BAR_HEIGHT)
        if bars.shown == list(range(self.classes)):
            total = worked_sum_to_one(
                self.traced,
                [f"{row}[{c}]" for c in range(self.classes)],
                prefix=["sum_k p_k ="],
            )
        else:  # too many to add up on screen: the rule, over the traced count of classes
            total = self.traced.math(
                "sum_k p_k = 1 quad", '"over all"', Value(f"len({row})"), '"classes"'
            )
        parts = [bars, total]
        if bars.shown == list(range(self.classes)) and self._relation_sign(total) != EQUALS:
            parts.append(
                Typst(
                    "the shown digits are rounded: they add up to nearly one",
                    font_size=style.NOTE_SIZE,  # words: their x-height legible
                    color=style.MUTED,
                )
            )
        # shorter bars, not smaller writing, when the names and the note take the height
        _, bottom, _, top = stage(self)
        excess = VGroup(*parts).arrange(DOWN, buff=style.BLOCK_BUFF).height - (top - bottom)
        if excess > 0:
            parts[0] = bars = drawn(BAR_HEIGHT - excess)
        self.centre_on_stage(VGroup(*parts).arrange(DOWN, buff=style.BLOCK_BUFF))
        self.play(
            *(FadeIn(bar, shift=UP * style.NUDGE) for bar in bars.bars), FadeIn(bars.baseline)
        )
        self.play(
            FadeIn(bars.values), FadeIn(bars.names), FadeIn(bars.dots), FadeIn(bars.class_names)
        )
        self.play(Write(VGroup(*parts[1:])))
        self.pause()

    def _relation_sign(self, mobject) -> str:
        """The sign the ledger recorded for ``mobject``'s worked sum."""
        return next(r.relation for r in self.ledger.relations if r.mobject is mobject)

    def _show_batch(self) -> None:
        self.new_slide("Every sample at once: softmax row by row, each row of P sums to one")

        def pair(limit: int, rows: int) -> VGroup:
            """``Z -> P`` with at most ``limit`` columns and ``rows`` rows a matrix."""
            limits = {"max_columns": limit, "max_rows": rows}
            z = self.traced.matrix(f"{SOFTMAX}.logits", color=style.RESULT, **limits)
            p = self.traced.matrix(f"{SOFTMAX}.probabilities", color=style.RESULT, **limits)
            arrow = VGroup(
                Typst("softmax, each row", font_size=style.LABEL_SIZE, color=style.MUTED),
                MathTypst("arrow.r", font_size=style.MATH_SIZE),
            ).arrange(DOWN, buff=style.LABEL_GAP)
            return VGroup(
                self.labelled(z, "Z", classes=True), arrow, self.labelled(p, "P", classes=True)
            ).arrange(RIGHT, buff=style.BLOCK_BUFF)

        samples, _ = self.traced.shape(f"{SOFTMAX}.logits")
        row = with_rows_that_fit(
            self,
            lambda rows: self.elide_to_fit(lambda limit: pair(limit, rows), least=1),
            samples,
        )
        z, arrow, p = row[0][1], row[1], row[2][1]
        self.centre_on_stage(row)
        self.play(FadeIn(row[0]))
        self.play(FadeIn(arrow), FadeIn(row[2]))
        if SAMPLE in p.shown_rows:
            self.play(
                *(Emphasize(m.row(SAMPLE), color=style.HIGHLIGHT) for m in (z, p)),
                FadeIn(SurroundingRectangle(p.row(SAMPLE), color=style.HIGHLIGHT, buff=0.08)),
            )
        self.pause()

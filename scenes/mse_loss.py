"""The loss: how far the prediction is from the truth, as the teacher's table shows it."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Create,
    FadeIn,
    Line,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.terms import CLOSE, MINUS, OPEN, OVER, SQUARED, TIMES, Checked, Value

__all__ = ["MSELoss"]

NETWORK = "network"
TARGET, PREDICTION, ERROR, SQUARE = range(4)  # the table's columns


class MSELoss(LectureScene):
    """Target beside prediction, ``y - hat(y)``, its square, their sum and their mean:
    ``L = 1/N sum_i (y^(i) - hat(y)^(i))^2``, N the samples (the table's N; with several
    outputs the mean runs over N times the outputs' entries)."""

    for_loss = "mse"

    def construct(self) -> None:
        title = self.show_title("The loss: mean squared error")
        self._build()
        self._place(below=title)
        self._show_table()
        self._show_errors()
        self._show_squares()
        self._show_sum()
        self._show_mean()

    # -- building and placing ------------------------------------------------------
    def _entry(self, row: int) -> tuple[int, int]:
        """(sample, output) of the table's row ``row``: one row per prediction entry."""
        return divmod(row, self.outputs)

    def _path(self, name: str, row: int) -> str:
        sample, output = self._entry(row)
        return f"{NETWORK}.{name}[{sample}][{output}]"

    def _build(self) -> None:
        traced = self.traced
        samples, self.outputs = traced.shape(f"{NETWORK}.prediction")
        rows = samples * self.outputs
        n = self.notation
        y, y_hat = n.output_entry("y", "i", "j"), n.output_entry("hat(y)", "i", "j")
        header = [y, y_hat, f"{y} - {y_hat}", f"({y} - {y_hat})^2"]
        self.table = traced.grid(
            rows, len(header), self._cell, header=header, brackets=False, font_size=style.MATH_SIZE
        )
        colours = {TARGET: style.TARGET, PREDICTION: style.PREDICTION, ERROR: style.LOSS}
        for column in self.table.shown_columns:
            self.table.column(column).set_color(colours.get(column, style.LOSS))
        header = self.table.mute_header().header()
        self.rule = Line(self.table.get_left(), self.table.get_right(), color=style.MUTED)
        self.rule.set_y((header.get_bottom()[1] + self.table.row(0).get_top()[1]) / 2)
        self.formula = MathTypst(
            f"L = {n.over_count()} {n.over_outputs()} ({y} - {y_hat})^2",
            font_size=style.MATH_SIZE,
        )
        first = self.table.shown_rows[0]
        self.first = first
        sample, output = self._entry(first)
        difference = (
            f"{n.output_entry('y', sample, output)} - {n.output_entry('hat(y)', sample, output)}"
        )
        self.error = traced.worked(
            [
                Value(self._path("target", first), style.INPUT),
                MINUS,
                Value(self._path("prediction", first), style.RESULT, paren=True),
            ],
            self._path("errors", first),
            prefix=[f"{difference} ="],
            total_color=style.CLAMPED,
        )
        self.square = traced.worked(
            [OPEN, Value(self._path("errors", first), style.CLAMPED), CLOSE, SQUARED],
            self._path("squared_errors", first),
            prefix=[f"({difference})^2 ="],
            total_color=style.CLAMPED,
        )
        total = f"{NETWORK}.squared_error_sum"
        sum_symbol = f"S = {n.over_outputs()} ({y} - {y_hat})^2 ="
        if rows <= style.MAX_WORKED_TERMS:
            self.sum = traced.worked_sum(
                [self._path("squared_errors", row) for row in range(rows)],
                total,
                prefix=[sum_symbol],
                total_color=style.RESULT,
            )
        else:  # too many to write out: the table's column is the sum's terms
            self.sum = traced.math(sum_symbol, Value(total, style.RESULT))
        # the count by the table's N, the samples; several outputs: N times theirs
        if self.outputs == 1:
            self.count = traced.math("N =", Value(f"len({NETWORK}.prediction)"), '"samples"')
        else:
            self.count = traced.worked(
                [
                    Value(f"len({NETWORK}.prediction)"),
                    TIMES,
                    Value(f"len({NETWORK}.prediction[0])"),
                ],
                f"{NETWORK}.loss_count",
                prefix=[f"{n.mean_count()} ="],
            )
        self.mean = traced.worked(
            [Value(total, style.RESULT), OVER, Value(f"{NETWORK}.loss_count")],
            f"{NETWORK}.loss",
            prefix=[f"L = {n.over_count('S')} ="],
            total_color=style.RESULT,
        )

    def _cell(self, row: int, column: int):
        target = Value(self._path("target", row))
        prediction = Value(self._path("prediction", row))
        error = self._path("errors", row)
        if column == TARGET:
            return target
        if column == PREDICTION:
            return prediction
        if column == ERROR:
            return Checked((target, MINUS, prediction), error)
        return Checked((OPEN, Value(error), CLOSE, SQUARED), self._path("squared_errors", row))

    def _place(self, below) -> None:
        """The whole (table and worked lines, the sum and mean under them) centred on
        the stage; until the sum comes, the upper part alone sits in the middle."""
        side = VGroup(self.formula, self.error, self.square, self.count)
        side.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
        self.upper = VGroup(VGroup(self.table, self.rule), side).arrange(
            RIGHT, buff=style.BLOCK_BUFF * 2
        )
        self.upper.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        lower = VGroup(self.sum, self.mean).arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)
        lower.next_to(self.upper, DOWN, buff=style.BLOCK_BUFF)
        self.centre_on_stage(VGroup(self.upper, lower))
        self.keep_in_frame(lower)
        final = self.upper.get_center()
        self.centre_on_stage(self.upper)
        self.rise = final - self.upper.get_center()  # how far the upper part moves for the sum

    def _reveal(self, column: int) -> VGroup:
        """Column ``column`` of the table: its header and its shown entries."""
        return VGroup(self.table.entry(-1, column), self.table.column(column))

    def _dots(self, column: int) -> VGroup:
        """The dots standing for elided rows, in column ``column``."""
        cells = self._reveal(column)
        left, right = cells.get_left()[0], cells.get_right()[0]
        headers = {id(m) for c in self.table.shown_columns for m in self._reveal(c).get_family()}
        return VGroup(
            *(m for m in self.table.frame() if id(m) not in headers and left <= m.get_x() <= right)
        )

    # -- prediction beside the truth ------------------------------------------------------
    def _show_table(self) -> None:
        self.step("The prediction beside the truth: one row per prediction entry")
        self.play(Write(self.formula))
        self.play(
            *(FadeIn(VGroup(self._reveal(c), self._dots(c))) for c in (TARGET, PREDICTION)),
            Create(self.rule),
        )
        self.pause()

    # -- how far off, each ---------------------------------------------------------------------
    def _show_errors(self) -> None:
        self.step("Each error: the truth minus the prediction")
        self.play(FadeIn(self.error, shift=RIGHT * style.NUDGE))
        self._fill(self.error, ERROR)

    # -- squared --------------------------------------------------------------------------------
    def _show_squares(self) -> None:
        self.step("Square each error: no sign, and a big miss counts much more")
        self.play(FadeIn(self.square, shift=RIGHT * style.NUDGE))
        self._fill(self.square, SQUARE)

    def _fill(self, worked, column: int) -> None:
        """The worked result moves into its cell; the column's other rows follow."""
        self.play(
            FadeIn(self.table.entry(-1, column)),
            TransformFromCopy(worked.result, self.table.entry(self.first, column)),
        )
        rest = [self.table.entry(r, column) for r in self.table.shown_rows if r != self.first]
        rest.append(self._dots(column))
        self.play(*(FadeIn(m, shift=LEFT * style.NUDGE) for m in rest))
        self.pause()

    # -- their sum -----------------------------------------------------------------------------
    def _show_sum(self) -> None:
        self.step("Add the squared errors")
        self.count.shift(self.rise)  # not shown yet: it moves with the rest
        shown = VGroup(self.formula, self.error, self.square, self.rule, self.table)
        self.play(shown.animate.shift(self.rise))
        self.play(Emphasize(self.table.column(SQUARE), color=style.HIGHLIGHT))
        self.play(TransformFromCopy(self.table.column(SQUARE), self.sum))
        self.pause()

    # -- their mean --------------------------------------------------------------------------------
    def _show_mean(self) -> None:
        self.step(
            "Divide by $N$, the number of samples: the mean"
            if self.outputs == 1
            else "Divide by $N$ times the outputs, the number of squared errors: the mean"
        )
        self.play(FadeIn(self.count, shift=RIGHT * style.NUDGE))
        self.play(FadeIn(self.mean, shift=DOWN * style.NUDGE))
        self.play(Emphasize(self.mean.result, color=style.RESULT))
        self.pause()

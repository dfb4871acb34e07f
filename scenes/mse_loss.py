"""The loss: how far the prediction is from the truth, as the teacher's table shows it."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Line,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.fitting import WHOLE_ROWS, fits_stage
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.terms import CLOSE, MINUS, OPEN, OVER, SQUARED, TIMES, Checked, Value

__all__ = ["MSELoss"]

NETWORK = "network"
TARGET, PREDICTION, ERROR, SQUARE = range(4)  # the table's columns
# where the sum and the mean stand, tried in turn for the most rows: under the table and
# its worked lines; in the column beside the table, under the worked lines; in the worked
# lines' place, beside the table (the worked lines go when the sum comes)
UNDER, BESIDE, IN_TURN = range(3)
GAPS = (style.BLOCK_BUFF * 2, style.BLOCK_BUFF)  # between the table and the worked lines


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
        self.rows = rows = samples * self.outputs
        n = self.notation
        y, y_hat = n.output_entry("y", "i", "j"), n.output_entry("hat(y)", "i", "j")
        self.header = [y, y_hat, f"{y} - {y_hat}", f"({y} - {y_hat})^2"]
        self.formula = MathTypst(
            f"L = {n.over_count()} {n.over_outputs()} ({y} - {y_hat})^2",
            font_size=style.MATH_SIZE,
        )
        first = 0  # the worked row: the first, shown however the table elides
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

    def _table(self, shown: int) -> None:
        """The table (``self.table``, its rule ``self.rule``) with at most ``shown`` rows."""
        self.table = self.traced.grid(
            self.rows,
            len(self.header),
            self._cell,
            header=self.header,
            brackets=False,
            max_rows=shown,
            font_size=style.MATH_SIZE,
        )
        colours = {TARGET: style.TARGET, PREDICTION: style.PREDICTION, ERROR: style.LOSS}
        for column in self.table.shown_columns:
            self.table.column(column).set_color(colours.get(column, style.LOSS))
        header = self.table.mute_header().header()
        self.rule = Line(self.table.get_left(), self.table.get_right(), color=style.MUTED)
        self.rule.set_y((header.get_bottom()[1] + self.table.row(0).get_top()[1]) / 2)

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

    def _arrange(self, way: int, gap: float) -> VGroup:
        """Lay the table and the worked lines out the ``way`` asked (``UNDER``,
        ``BESIDE``, ``IN_TURN``), ``gap`` between the table and the worked lines; the
        whole picture, its parts placed as they end."""
        table = VGroup(self.table, self.rule)
        worked = [self.formula, self.error, self.square]
        if way == UNDER:
            side = VGroup(*worked, self.count)
            side.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
            upper = VGroup(table, side).arrange(RIGHT, buff=gap)
            lower = VGroup(self.sum, self.mean)
            lower.arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)
            lower.next_to(upper, DOWN, buff=style.BLOCK_BUFF)
            return VGroup(upper, lower)
        # beside the table, from its top: the table keeps the stage's height for its rows
        if way == BESIDE:
            side = VGroup(*worked, self.sum, self.count, self.mean)
            side.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
            return VGroup(table, side).arrange(RIGHT, buff=gap, aligned_edge=UP)
        side = VGroup(*worked).arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
        whole = VGroup(table, side).arrange(RIGHT, buff=gap, aligned_edge=UP)
        later = VGroup(self.sum, self.count, self.mean)
        later.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
        later.next_to(self.formula, DOWN, buff=style.BLOCK_BUFF, aligned_edge=LEFT)
        return VGroup(whole, later)

    def _place(self, below) -> None:
        """Every row of the table where the stage holds them (at most ``WHOLE_ROWS``),
        with the sum and the mean under the table, else beside it, else in the worked
        lines' place, each with the worked lines closer when they are too wide; fewer
        rows only when no way holds them all (then the table elides). The whole is
        centred on the stage; until the sum comes, what shows before it sits in the
        middle."""
        least = min(self.rows, style.MAX_MATRIX_ROWS)
        tried = range(min(self.rows, max(WHOLE_ROWS, least)), least - 1, -1)
        ways = [(way, gap) for way in (UNDER, BESIDE, IN_TURN) for gap in GAPS]
        chosen = None
        for shown in tried:
            self._table(shown)
            chosen = next((w for w in ways if fits_stage(self, self._arrange(*w))), None)
            if chosen is not None:
                break
        # none fits: the fewest rows (elided, as the style's), under
        self.way, gap = ways[0] if chosen is None else chosen
        whole = self._arrange(self.way, gap)
        whole.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        self.centre_on_stage(whole)
        self.keep_in_frame(whole)
        # what shows before the sum, centred while alone (the count, not shown yet,
        # moves with it under the table, where it stands among the worked lines)
        early = VGroup(self.table, self.rule, self.formula, self.error, self.square)
        self.early_hidden = [self.count] if self.way == UNDER else []
        early = VGroup(early, *self.early_hidden)
        final = early.get_center()
        self.centre_on_stage(early)
        self.rise = final - early.get_center()  # how far it moves for the sum

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
        """The worked result moves into its cell: under its worked line, across to its
        column, then along it (no worked line crossed); the column's other rows follow."""
        drop = worked.result.get_top()[1] - worked.get_bottom()[1] + style.LINE_BUFF / 2
        self.play(
            FadeIn(self.table.entry(-1, column)),
            TransformFromCopy(
                worked.result,
                self.table.entry(self.first, column),
                path_func=_by_legs("dxy", drop),
            ),
        )
        rest = [self.table.entry(r, column) for r in self.table.shown_rows if r != self.first]
        rest.append(self._dots(column))
        self.play(*(FadeIn(m, shift=LEFT * style.NUDGE) for m in rest))
        self.pause()

    # -- their sum -----------------------------------------------------------------------------
    def _show_sum(self) -> None:
        self.step("Add the squared errors")
        for hidden in self.early_hidden:  # not shown yet: it moves with the rest
            hidden.shift(self.rise)
        shown = VGroup(self.formula, self.error, self.square, self.rule, self.table)
        if np.linalg.norm(self.rise) > 1e-6:
            self.play(shown.animate.shift(self.rise))
        if self.way == IN_TURN:  # row one's worked lines make room: the table keeps its result
            self.play(FadeOut(self.error), FadeOut(self.square))
        self.play(Emphasize(self.table.column(SQUARE), color=style.HIGHLIGHT))
        # down the column to the sum's line, then across: over no other column
        self.play(TransformFromCopy(self.table.column(SQUARE), self.sum, path_func=_by_legs("yx")))
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


def _by_legs(order: str, drop: float = 0.0):
    """A path for ``TransformFromCopy`` in straight legs, one axis at a time, so a
    moving value crosses no text a straight path would: ``order`` reads ``d`` (down by
    ``drop``), ``x`` (across to the target's column), ``y`` (up or down to the target's
    row), at one speed. ``TransformFromCopy`` runs the target's points to the source's
    backwards, so the path is given as ``(target, source, alpha)``, ``alpha`` 1 at the
    source."""

    def path(target: np.ndarray, source: np.ndarray, alpha: float) -> np.ndarray:
        corners = [source]
        for leg in order:
            corner = corners[-1].copy()
            if leg == "d":
                corner[:, 1] -= drop
            else:
                axis = "xy".index(leg)
                corner[:, axis] = target[:, axis]
            corners.append(corner)
        lengths = [float(np.abs(b - a)[:, :2].sum(axis=1).mean()) for a, b in pairwise(corners)]
        left = (1 - alpha) * sum(lengths)  # of the way from the source to the target
        points = corners[0]
        for (start, end), length in zip(pairwise(corners), lengths, strict=True):
            share = 1.0 if length <= 0 else min(1.0, left / length)
            points = start + (end - start) * share
            left -= length
            if left <= 0:
                break
        points = points.copy()
        points[:, 2] = source[:, 2] + (target[:, 2] - source[:, 2]) * (1 - alpha)
        return points

    return path

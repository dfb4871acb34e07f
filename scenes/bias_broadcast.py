"""Bias broadcasting: the bias row is copied down to every sample, then ``K + B = N``."""

from __future__ import annotations

from manim import (
    DOWN,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenekit import style
from scenekit.diagrams import label_equation, lay_over, make_fill
from scenekit.emphasis import Emphasize
from scenekit.fitting import fits_stage
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.terms import Value

__all__ = ["BiasBroadcast"]

LAYER = 0  # the trace's first layer: the lecture's layer 1, as in LayerProduct
BASE = f"network.layers[{LAYER}]"
WHOLE_ROWS = 10  # the most samples shown whole; past them the matrices elide as the style's
# (compact, heads), the first that fits the stage with the rows: the bias row over B's name
# with its heads b_j, the worked entry under the sizes; compact, short of height for every
# row (7 to 10 samples), the bias row in B's name's place and the worked entry in the
# sizes' line; then without the heads (the worked entry's b_j names the one it adds)
LAYOUTS = ((False, True), (True, True), (True, False))


class BiasBroadcast(LectureScene):
    """One bias per neuron, but one row per sample: the bias row is repeated down
    the samples (broadcast) so ``K + B`` adds entry by entry into ``N``."""

    def construct(self) -> None:
        title = self.show_title("Bias broadcasting")
        # elide columns until K + B = N fits the frame unshrunk: the sizes under it are
        # at the least legible size already
        # every sample's row where the stage holds them (whole tables: rows before the
        # room the layout keeps), laid out as the first of LAYOUTS that fits
        samples = self.traced.shape(f"{BASE}.product")[0]
        least = min(samples, style.MAX_MATRIX_ROWS)
        for rows in range(min(samples, WHOLE_ROWS), least - 1, -1):
            self.rows = rows
            self.elide_to_fit(self._build_equation, least=1)
            self._build_labels()
            # the others only to make the table whole (an elided one needs its sizes to
            # tell its true size), and a stacked equation, too wide for one line, keeps
            # the first: its rows are few
            whole = rows == samples and self.fits_legibly(self.equation, least=1)
            layouts = LAYOUTS if whole else LAYOUTS[:1]
            fitting = [layout for layout in layouts if self._fits_whole(*layout)]
            if fitting or rows == least:
                self.compact, heads = fitting[0] if fitting else LAYOUTS[0]
                if not heads:
                    self.bias = self._bias_row(heads=False)
                break
        self._place(below=title)
        self._show_bias()
        self._show_copies()
        self._show_entry()
        self._show_sum()

    # -- building and placing ------------------------------------------------------
    def _build_equation(self, limit: int) -> VGroup:
        traced, notation = self.traced, self.notation
        samples, neurons = traced.shape(f"{BASE}.product")
        self.limit = limit
        self.bias = self._bias_row(heads=True)
        self.product, self.broadcast, self.preactivation = (
            traced.matrix(f"{BASE}.{name}", color=color, max_columns=limit, max_rows=self.rows)
            for name, color in (
                ("product", style.RESULT),
                ("bias_broadcast", style.BIAS),
                ("preactivation", style.RESULT),
            )
        )
        self.symbols = traced.symbols(
            samples,
            neurons,
            lambda r, c: notation.entry("n", LAYER + 1, c, r),
            color=style.RESULT,
            max_columns=limit,
            max_rows=self.rows,
        )
        self.operators = [MathTypst(op, font_size=style.MATH_SIZE) for op in ("+", "=")]
        self.equation = VGroup(
            self.product,
            self.operators[0],
            self.broadcast,
            self.operators[1],
            self.preactivation,
        ).arrange(RIGHT, buff=style.LINE_BUFF)
        return self.equation

    def _bias_row(self, heads: bool) -> VGroup:
        """The bias row, its columns as the equation's (``self.limit``), with the
        neurons' biases ``b_j`` over them when ``heads``."""
        neurons = self.traced.shape(f"{BASE}.product")[1]
        row = self.traced.grid(
            1,
            neurons,
            lambda r, c: Value(f"{BASE}.bias[{c}]"),
            color=style.BIAS,
            header=[self.notation.bias(LAYER + 1, j) for j in range(neurons)] if heads else None,
            max_columns=self.limit,
        )
        return row.mute_header() if heads else row

    def _build_labels(self) -> None:
        traced, notation = self.traced, self.notation
        self.bias_name = MathTypst("b", font_size=style.MATH_SIZE, color=style.MUTED)
        self.names = VGroup(
            *(
                MathTypst(name, font_size=style.MATH_SIZE, color=style.MUTED)
                for name in ("K", "B", "N")
            )
        )
        self.sizes = VGroup(
            *(
                traced.size(f"{BASE}.{name}", font_size=style.LABEL_SIZE)
                for name in ("product", "bias_broadcast", "preactivation")
            )
        )
        row, neuron = self.product.shown_rows[0], self.product.shown_columns[0]
        self.entry = (row, neuron)
        self.worked = traced.worked_sum(
            [f"{BASE}.product[{row}][{neuron}]", f"{BASE}.bias_broadcast[{row}][{neuron}]"],
            f"{BASE}.preactivation[{row}][{neuron}]",
            prefix=[
                f"{notation.entry('n', LAYER + 1, neuron, row)} = "
                f"{notation.entry('k', LAYER + 1, neuron, row)} + "
                f"{notation.bias(LAYER + 1, neuron)} ="
            ],
            total_color=style.RESULT,
        )
        self.worked.part(1).set_color(style.BIAS)

    def _fits_whole(self, compact: bool, heads: bool) -> bool:
        """Whether the bias row (with its heads or without), the equation with its
        names and sizes, and the worked entry fit the stage's height unshrunk, as
        :meth:`_place` lays them: each on a line of its own, or ``compact`` (the bias
        row in the names' line, the worked entry in the sizes')."""
        bias = self.bias.height if heads else self._bias_row(heads=False).height
        if compact:
            above = max(bias, self.names.height)
            below = max(self.sizes.height, self.worked.height)
        else:
            above = bias + style.BLOCK_BUFF + self.names.height
            below = self.sizes.height + style.BLOCK_BUFF + self.worked.height
        height = above + self.equation.height + below + 2 * style.LINE_BUFF
        return fits_stage(self, Rectangle(width=self.equation.width, height=height))

    def _place(self, below) -> None:
        matrices = (self.product, self.broadcast, self.preactivation)
        # too wide even elided (long numbers): "= N" goes on a line of its own, under K
        stacked = not self.fits_legibly(self.equation, least=1)
        label_equation(self.equation, matrices, self.names, self.sizes, stacked)
        self.symbol_entries = lay_over(self.symbols, self.preactivation)
        # the bias row stands right above the matrix it is copied down into: over its
        # name, or (compact) in its name's place, the name coming when the copies are
        equation = VGroup(self.equation, self.symbol_entries)
        if self.compact:
            self.bias.next_to(equation, UP, buff=style.LINE_BUFF, coor_mask=UP)
        else:
            self.bias.next_to(self.names, UP, buff=style.BLOCK_BUFF)
        self.bias.match_x(self.broadcast)
        self.bias_name.next_to(self.bias, RIGHT, buff=style.LINE_BUFF)
        top = VGroup(
            self.bias, self.bias_name, self.equation, self.names, self.sizes, self.symbol_entries
        )
        top.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(top)
        # the worked entry under the sizes, or (compact) in their line, as they fade
        if self.compact:
            self.worked.next_to(equation, DOWN, buff=style.LINE_BUFF)
        else:
            self.worked.next_to(top, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(self.worked)
        # the whole picture in the middle of the stage; each step re-balances what it shows
        self.whole = VGroup(top, self.worked)
        self.centre_on_stage(self.whole)

    def _labels(self, index: int) -> tuple:
        """The name and the size of the ``index``-th matrix, faded in."""
        return FadeIn(self.names[index]), FadeIn(self.sizes[index])

    # -- K, and the bias row -------------------------------------------------------------
    def _show_bias(self) -> None:
        self.step("$K$ has a row per sample; the bias $b$ has one entry per neuron")
        coming = (self.product, self.names[0], self.sizes[0], self.bias, self.bias_name)
        self.recentre(self.whole, *coming)
        self.play(FadeIn(self.product), FadeIn(self.names[0]), FadeIn(self.sizes[0]))
        self.play(FadeIn(self.bias), FadeIn(self.bias_name))
        self.pause()

    # -- copied down, once per sample ------------------------------------------------------
    def _show_copies(self) -> None:
        self.step("Broadcasting: the bias row is copied down, once per sample")
        self.recentre(self.whole, self.operators[0], self.broadcast, self.names[1], self.sizes[1])
        self.play(FadeIn(self.operators[0]), FadeIn(self.broadcast.frame()))
        # each row copied from the one above (the first from b): no copy passes over
        # another, and B's name, where the first ones pass, comes after
        above = [self.bias.entry(0, c) for c in self.broadcast.shown_columns]
        for row in self.broadcast.shown_rows:
            copies = [self.broadcast.entry(row, c) for c in self.broadcast.shown_columns]
            self.play(
                LaggedStart(
                    *(TransformFromCopy(a, b) for a, b in zip(above, copies, strict=True)),
                    lag_ratio=style.NUDGE,
                ),
                run_time=style.QUICK * 2,
            )
            above = copies
        if self.compact:  # copied: B, in the row's place, holds it now
            self.play(FadeOut(self.bias), FadeOut(self.bias_name))
        self.play(*self._labels(1))
        self.pause()

    # -- one entry of the sum -----------------------------------------------------------------
    def _show_entry(self) -> None:
        self.step("Now the sum is entry by entry: $n_j^((i)) = k_j^((i)) + b_j$")
        coming = (self.operators[1], self.preactivation, self.names[2], self.worked)
        # compact: the sizes leave as N comes, making room for the worked entry
        labels = [FadeIn(self.names[2]), FadeOut(VGroup(*self.sizes[:2]))]
        if not self.compact:
            coming, labels = (*coming, self.sizes[2]), list(self._labels(2))
        self.recentre(self.whole, *coming)
        self.play(
            FadeIn(self.operators[1]),
            *labels,
            FadeIn(self.preactivation.frame()),
            Write(self.symbol_entries),
        )
        row, column = self.entry
        self.play(
            Emphasize(self.product.entry(row, column), color=style.HIGHLIGHT),
            Emphasize(self.broadcast.entry(row, column), color=style.HIGHLIGHT),
        )
        self.play(FadeIn(self.worked, shift=DOWN * style.NUDGE))
        self.play(*make_fill(self.worked.result, self.symbols, self.preactivation, row, column))
        self.pause()

    # -- every entry: the layer's pre-activations ------------------------------------------
    def _show_sum(self) -> None:
        self.step("Every entry the same way: $N = K + B$, the layer's pre-activations")
        for row in self.preactivation.shown_rows:
            columns = [c for c in self.preactivation.shown_columns if (row, c) != self.entry]
            if not columns:
                continue
            # the two summands light up; each symbol turns into its sum in place
            self.play(
                *(
                    Emphasize(VGroup(self.product.entry(row, c), self.broadcast.entry(row, c)))
                    for c in columns
                ),
                *(
                    ReplacementTransform(
                        self.symbols.entry(row, c), self.preactivation.entry(row, c)
                    )
                    for c in columns
                ),
                run_time=style.QUICK * 2,
            )
        self.play(Emphasize(self.preactivation, color=style.HIGHLIGHT))
        self.pause()

"""A layer is a matrix product: every sample through every neuron at once, ``K = X W^T``."""

from __future__ import annotations

import math

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    FadeIn,
    FadeOut,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    VGroup,
    Write,
)

from scenekit import style
from scenekit.diagrams import label_equation, lay_over, make_fill
from scenekit.emphasis import Emphasize
from scenekit.fitting import fits_stage
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import SUM_TERMS, LectureScene
from scenekit.terms import NEW_LINE, PLUS, TIMES, Term, Value
from scenekit.traced import shown_indices

__all__ = ["LayerProduct"]

LAYER = 0  # the trace's first layer: the lecture's layer 1 (neurons n3, n4, ...)
BASE = f"network.layers[{LAYER}]"
WHOLE_ROWS = 10  # the most samples shown whole; past them X elides to the style's rows


class LayerProduct(LectureScene):
    """``X . W^T = K``: a row of ``X`` against a column of ``W^T`` makes one entry
    ``k_j^((i))`` (neuron j, sample i), and one product makes them all."""

    def construct(self) -> None:
        title = self.show_title("A layer is a matrix product")
        # elide neurons, then inputs too, until X . W^T = K fits unshrunk: the sizes
        # under it are at the least legible size already; every sample's row where
        # the stage holds them with the worked entry under the sizes or, short of
        # height, in their place (whole tables: rows before sizes)
        samples = self.traced.shape(f"{BASE}.input")[0]
        least = min(samples, style.MAX_MATRIX_ROWS)
        for rows in range(min(samples, WHOLE_ROWS), least - 1, -1):
            self.rows = rows
            self.elide_to_fit(self._build_equation, limits=2, least=1)
            self._build_labels()
            # the sizes give way only to make the table whole (an elided one needs them
            # to tell its true size), and a stacked equation, too wide for one line,
            # keeps them: its rows are few
            whole = rows == samples and self.fits_legibly(self.equation, least=1)
            layouts = (False, True) if whole else (False,)
            fitting = [instead for instead in layouts if self._fits_whole(instead)]
            if not fitting and True in layouts and self._may_unwrap():
                # the worked entry's second line costs rows: on one line, where it fits
                self._build_labels(one_line=True)
                if self._fits_whole(True):
                    fitting = [True]
                elif rows == least:
                    self._build_labels()
            if fitting or rows == least:
                self.instead_of_sizes = bool(fitting) and fitting[0]
                break
        self._place(below=title)
        self._show_factors()
        self._show_names()
        self._show_entry()
        self._show_fill()

    # -- building and placing ------------------------------------------------------
    def _build_equation(self, input_limit: int, neuron_limit: int) -> VGroup:
        traced, notation = self.traced, self.notation
        samples, inputs = traced.shape(f"{BASE}.input")
        neurons = traced.shape(f"{BASE}.weight")[0]
        rows = self.rows  # set by construct: every sample, or fewer to fit
        self.inputs = traced.matrix(
            f"{BASE}.input", color=style.INPUT, max_columns=input_limit, max_rows=rows
        )
        self.weights = traced.grid(  # W^T: its rows elided as X's columns are
            inputs,
            neurons,
            lambda r, c: Value(f"{BASE}.weight[{c}][{r}]"),
            color=style.WEIGHT,
            header=[notation.neuron(LAYER + 1, j) for j in range(neurons)],
            max_rows=input_limit,
            max_columns=neuron_limit,
        ).mute_header()
        self.product = traced.matrix(
            f"{BASE}.product", color=style.RESULT, max_columns=neuron_limit, max_rows=rows
        )
        self.symbols = traced.symbols(
            samples,
            neurons,
            lambda r, c: notation.entry("k", LAYER + 1, c, r),
            color=style.RESULT,
            max_columns=neuron_limit,
            max_rows=rows,
        )
        self.operators = [MathTypst(op, font_size=style.MATH_SIZE) for op in ("dot", "=")]
        self.equation = VGroup(
            self.inputs, self.operators[0], self.weights, self.operators[1], self.product
        ).arrange(RIGHT, buff=style.LINE_BUFF)
        return self.equation

    def _may_unwrap(self) -> bool:
        """Whether the worked entry wraps onto more lines, and written on one it fits
        the frame's width unshrunk (tried once: the width is the same for any rows)."""
        if not hasattr(self, "unwraps"):
            inputs = self.traced.shape(f"{BASE}.input")[1]
            self.unwraps = style.MAX_PRODUCTS_PER_LINE < inputs <= style.MAX_WORKED_PRODUCTS
            if self.unwraps:
                self._worked_entry(inputs, one_line=True)
                self.unwraps = self.fits_legibly(VGroup(self.formula, self.worked), least=1)
                self._worked_entry(inputs)  # as built: wrapped
        return self.unwraps

    def _build_labels(self, one_line: bool = False) -> None:
        """The matrices' names and sizes, and the first entry worked (on one line
        when ``one_line``)."""
        traced = self.traced
        inputs = traced.shape(f"{BASE}.input")[1]
        self.names = VGroup(
            *(
                MathTypst(name, font_size=style.MATH_SIZE, color=style.MUTED)
                for name in ("X", "W^T", "K")
            )
        )
        weight = f"{BASE}.weight"
        self.sizes = VGroup(
            traced.size(f"{BASE}.input", font_size=style.LABEL_SIZE),
            traced.math(
                Value(f"len({weight}[0])"),
                "times",
                Value(f"len({weight})"),
                color=style.MUTED,
                font_size=style.LABEL_SIZE,
            ),
            traced.size(f"{BASE}.product", font_size=style.LABEL_SIZE),
        )
        # the first entry, worked out: row 1 of X against column 1 of W^T
        first, neuron = self.product.shown_rows[0], self.product.shown_columns[0]
        self.entry = (first, neuron)
        if inputs > style.MAX_WORKED_PRODUCTS:  # too long to read: elided from the start
            self._elide_entry()
        else:
            self._worked_entry(inputs, one_line)

    def _symbols(self, term: int) -> str:
        """``x_1^((1)) w_(13)``: the first entry's ``term``-th product (input ``term`` of
        the first sample, times its weight into the first neuron), in symbols."""
        first, neuron = self.entry
        return (
            f"{self.notation.entry('x', 0, term, first)} "
            f"{self.notation.weight(LAYER + 1, neuron, term)}"
        )

    def _worked_entry(self, inputs: int, one_line: bool = False) -> None:
        """The first entry's sum in symbols, and worked in traced numbers (its sign
        earned), wrapped ``style.MAX_PRODUCTS_PER_LINE`` terms a line at most, or
        ``one_line`` (where its second line would cost the table rows)."""
        first, neuron = self.entry
        symbol = self.notation.entry("k", LAYER + 1, neuron, first)
        per_line = math.ceil(inputs / math.ceil(inputs / style.MAX_PRODUCTS_PER_LINE))
        if one_line:
            per_line = inputs
        self.formula = MathTypst(
            f"{symbol} &= "
            + " ".join(
                ("" if i == 0 else (NEW_LINE.typst + " + " if i % per_line == 0 else "+ "))
                + self._symbols(i)
                for i in range(inputs)
            ),
            font_size=style.MATH_SIZE,
        )
        terms: list[Term] = []
        for i in range(inputs):
            if i:
                terms += [NEW_LINE, PLUS] if i % per_line == 0 else [PLUS]
            terms += [
                Value(f"{BASE}.input[{first}][{i}]", style.INPUT, paren=True),
                TIMES,
                Value(f"{BASE}.weight[{neuron}][{i}]", style.WEIGHT, paren=True),
            ]
        self.worked = self.traced.worked(
            terms,
            f"{BASE}.product[{first}][{neuron}]",
            prefix=[f"{symbol} &="],
            total_color=style.RESULT,
        )

    def _elided_entry(self, limit: int) -> VGroup:
        """The first entry's sum over at most ``limit`` of its terms (the first ones,
        dots, the last), in symbols and in traced numbers; returns the two."""
        first, neuron = self.entry
        symbol = self.notation.entry("k", LAYER + 1, neuron, first)
        inputs = self.traced.shape(f"{BASE}.input")[1]
        shown = " + ".join(
            "dots" if i is None else self._symbols(i) for i in shown_indices(inputs, limit)
        )
        self.formula = MathTypst(f"{symbol} &= {shown}", font_size=style.MATH_SIZE)
        self.worked = self.traced.elided_dot(
            [
                (f"{BASE}.input[{first}][{i}]", f"{BASE}.weight[{neuron}][{i}]")
                for i in range(inputs)
            ],
            limit,
            f"{BASE}.product[{first}][{neuron}]",
            prefix=f"{symbol} =",
            colors=(style.INPUT, style.WEIGHT),
            total_color=style.RESULT,
        )
        return VGroup(self.formula, self.worked)

    def _fits_whole(self, instead_of_sizes: bool) -> bool:
        """Whether the equation, its names and sizes, and the worked entry fit the
        stage's height unshrunk (the worked entry at least in turn with its symbols,
        as :meth:`_place` lays it when the room is short): under the sizes, or
        ``instead_of_sizes`` in their line, the sizes gone when it comes."""
        work = max(self.formula.height, self.worked.height)
        below = (
            max(work, self.sizes.height)
            if instead_of_sizes
            else self.sizes.height + style.BLOCK_BUFF + work
        )
        height = self.names.height + self.equation.height + 2 * style.LINE_BUFF + below
        return fits_stage(self, Rectangle(width=self.equation.width, height=height))

    def _place(self, below) -> None:
        matrices = self._factors()
        # too wide even elided (long numbers): "= K" goes on a line of its own, under X
        stacked = not self.fits_legibly(self.equation, least=1)
        label_equation(self.equation, matrices, self.names, self.sizes, stacked)
        self.symbol_entries = lay_over(self.symbols, self.product)
        top = VGroup(self.equation, self.names, self.sizes, self.symbol_entries)
        top.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(top)
        work = VGroup(self.formula, self.worked).arrange(DOWN, buff=style.LINE_BUFF)
        # short of height for every row (7 to 10 samples): the worked entry takes the
        # sizes' line, where they stood from under the equation (they fade as it comes)
        above, buff = top, style.BLOCK_BUFF
        if self.instead_of_sizes:
            above, buff = VGroup(self.equation, self.names, self.symbol_entries), style.LINE_BUFF
        room = self.room_below(above) + style.BLOCK_BUFF - buff
        # too tall for the room under the equation (many inputs): the worked numbers take
        # the symbols' place, in turn, rather than both shrinking out of legibility
        self.in_turn = work.height > room
        if self.in_turn and self.worked.height * style.LEAST_SCALE > room:
            # even so too tall (dozens of inputs): the first terms, dots, the last
            self._elide_entry()
            work = VGroup(self.formula, self.worked).arrange(DOWN, buff=style.LINE_BUFF)
            self.in_turn = work.height > room
        if self.in_turn:
            self.worked.move_to(self.formula, aligned_edge=DOWN + LEFT)
        if self.instead_of_sizes:
            work.next_to(above, DOWN, buff=buff)
            self.keep_in_frame(work)
        else:
            self.place_below(work, top)
        # the whole picture in the middle of the stage; each step re-balances what it shows
        self.whole = VGroup(top, work)
        self.centre_on_stage(self.whole)

    def _elide_entry(self) -> None:
        """The worked entry over the most terms that fit the frame's width legibly."""
        self.elide_to_fit(self._elided_entry, least=1, columns=SUM_TERMS)

    def _factors(self) -> tuple:
        return self.inputs, self.weights, self.product

    def _labels(self, index: int) -> tuple:
        """The name and the size of the ``index``-th matrix, faded in."""
        return FadeIn(self.names[index]), FadeIn(self.sizes[index])

    # -- the two factors -----------------------------------------------------------
    def _show_factors(self) -> None:
        self.step("Each sample is a row of $X$, each neuron a column of $W^T$")
        self.recentre(
            self.whole,
            self.inputs,
            self.operators[0],
            self.weights,
            *self.names[:2],
            *self.sizes[:2],
        )
        self.play(FadeIn(self.inputs), FadeIn(self.names[0]), FadeIn(self.sizes[0]))
        self.play(
            FadeIn(self.operators[0]),
            FadeIn(self.weights),
            FadeIn(self.names[1]),
            FadeIn(self.sizes[1]),
        )
        self.pause()

    # -- what K holds ------------------------------------------------------------------
    def _show_names(self) -> None:
        self.step("$K = X W^T$: entry $k_j^((i))$ is neuron $j$ on sample $i$")
        self.recentre(self.whole, self.operators[1], self.product, self.names[2], self.sizes[2])
        self.play(
            FadeIn(self.operators[1]),
            *self._labels(2),
            FadeIn(self.product.frame()),
            Write(self.symbol_entries),
        )
        self.pause()

    # -- one entry by hand -------------------------------------------------------------
    def _show_entry(self) -> None:
        self.step("One entry: a row of $X$ against a column of $W^T$, summed")
        self.recentre(self.whole, self.formula, self.worked)
        row, column = self.entry
        self.row_box = SurroundingRectangle(self.inputs.row(row), color=style.HIGHLIGHT)
        self.column_box = SurroundingRectangle(self.weights.column(column), color=style.HIGHLIGHT)
        # the sizes make room for the worked entry where it takes their line
        leaving = [FadeOut(self.sizes)] if self.instead_of_sizes else []
        self.play(FadeIn(self.row_box), FadeIn(self.column_box), *leaving)
        self.play(Write(self.formula))
        if self.in_turn:
            self.play(FadeOut(self.formula))
        self.play(FadeIn(self.worked, shift=DOWN * style.NUDGE))
        self.play(*make_fill(self.worked.result, self.symbols, self.product, row, column))
        self.pause()

    # -- every other entry, the same way -----------------------------------------------
    def _show_fill(self) -> None:
        self.step("Every row against every column fills $K$")
        for row in self.product.shown_rows:
            for column in self.product.shown_columns:
                if (row, column) == self.entry:
                    continue
                self.play(
                    Transform(
                        self.row_box,
                        SurroundingRectangle(self.inputs.row(row), color=style.HIGHLIGHT),
                    ),
                    Transform(
                        self.column_box,
                        SurroundingRectangle(self.weights.column(column), color=style.HIGHLIGHT),
                    ),
                    ReplacementTransform(
                        self.symbols.entry(row, column), self.product.entry(row, column)
                    ),
                    run_time=style.QUICK,
                )
        self.play(FadeOut(self.row_box), FadeOut(self.column_box))
        self.play(Emphasize(self.product, color=style.HIGHLIGHT))
        self.pause()

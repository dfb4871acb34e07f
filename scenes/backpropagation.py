"""Backpropagation: the output's error signal carried back into a hidden layer's gradients.

The same chain rule as the output layer's, one layer further in: the error
signal ``delta`` goes back through the output weights, then through the
activation's derivative, and meets the layer's inputs. Every number is the
trace's hand chain rule (``network.chain_rule``), set beside autograd's
``network.gradients``; the pattern is stated once for the layers below.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Rectangle, VGroup, Write, config

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.error_signal import chain_path, checked_grid, show_error_signal
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene, play_gradients
from scenekit.notation import activation_call, activation_derivative, derivative, slash_derivative
from scenekit.room import first_that_fits, place_on_stage, rows_that_fit, stage_scale
from scenekit.terms import PLUS, TIMES, Checked, Term, Value
from scenekit.traced import TracedMatrix

__all__ = ["Backpropagation"]

NEURON = 0  # the hidden neuron whose gradients are worked out
INPUT = 0  # the input of that neuron whose weight is worked out
# the least a row of matrices shrinks to the frame: their digits at the least legible
# size (the matrices' names keep theirs: _names_kept)
LEGIBLE = style.SMALL_SIZE / style.MATRIX_SIZE


class Backpropagation(LearningScene):
    """One hidden layer's gradients by hand, from the output's error signal, beside torch's."""

    @classmethod
    def applies(cls, trace) -> bool:
        return True  # from MSE's errors or cross-entropy's (P - Y) / N alike

    def construct(self) -> None:
        self.output = self.output_layer
        self.hidden = self.output - 1  # the last hidden layer; -1 when there is none
        self.outputs = self.trace.network.sizes[-1]
        self.show_title("Backpropagation: the gradient, layer by layer")
        show_error_signal(self)
        if self.hidden >= 0:
            self._show_through_weights()
            self._show_through_activation()
            self._show_hidden_gradients()
            self._show_pattern()
        else:
            self._show_no_hidden_layer()
        self._show_every_gradient()

    # -- helpers ----------------------------------------------------------------------
    def _equation(self, *pieces) -> VGroup:
        """Matrices and operators in a row, e.g. ``A · B = C``."""
        return VGroup(
            *(
                MathTypst(piece, font_size=style.MATH_SIZE) if isinstance(piece, str) else piece
                for piece in pieces
            )
        ).arrange(RIGHT, buff=style.LINE_BUFF)

    # -- back through the output weights ---------------------------------------------------
    def _show_through_weights(self) -> None:
        self.new_slide("Back through the output weights: how the loss changes with each activation")
        n, out, hidden = self.notation, self.output, self.hidden
        layer = hidden + 1  # the notation's number of the hidden neurons' layer
        g = n.entry("g", layer, NEURON, "i")
        weights = [n.weight(out + 1, o, NEURON) for o in range(self.outputs)]
        if self.outputs == 1:
            rule = f"{n.entry('delta', n.last, 0, 'i')} {weights[0]}"
        else:
            rule = f"sum_k delta_k^((i)) w_({n.numbers[layer][NEURON]},k)"
        formula = MathTypst(f"{derivative('L', g)} = {rule}", font_size=style.MATH_SIZE)
        weight_path = f"network.layers[{out}].weight"
        upstream = f"{chain_path(hidden)}.upstream"

        def terms(r: int, c: int) -> tuple[Term, ...]:
            shown: list[Term] = []
            for o in range(self.outputs):
                if o:
                    shown.append(PLUS)
                shown += [
                    Value(f"{chain_path(out)}.delta[{r}][{o}]"),
                    TIMES,
                    Value(f"{weight_path}[{o}][{c}]"),
                ]
            return tuple(shown)

        def equation(classes: int, neurons: int, rows: int) -> VGroup:
            """The row ``delta · W = dL/dG``: ``classes`` columns of delta (one per
            output), ``neurons`` of W and dL/dG (one per hidden neuron)."""
            limits = {"max_columns": neurons, "max_rows": rows}
            self.upstream = checked_grid(self.traced, upstream, terms, style.GRADIENT, **limits)
            return self._equation(
                self.labelled(
                    self.traced.matrix(
                        f"{chain_path(out)}.delta", max_columns=classes, max_rows=rows
                    ),
                    n.layer_matrix("delta", out + 1),
                ),
                "dot",
                self.labelled(
                    self.traced.matrix(weight_path, color=style.WEIGHT, **limits),
                    n.layer_matrix("W", out + 1),
                ),
                "=",
                self.labelled(self.upstream, slash_derivative("L", n.layer_matrix("G", layer))),
            )

        def shown(classes: int, neurons: int, rows: int) -> VGroup:
            return self._names_kept(equation(classes, neurons, rows))

        # every output's column first: the hidden neurons' columns elide before a class's
        limits = [
            (classes, neurons)
            for classes in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1)
            for neurons in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1)
        ]

        example = self._example_upstream(layer, upstream, weight_path)
        slot = Rectangle(  # the formula, then the worked entry in its place
            width=max(formula.width, example.width), height=max(formula.height, example.height)
        ).set_opacity(0)

        def layout(rows: int) -> VGroup | None:
            """The formula, the tables, sample 1's worked entry, one under the other;
            else the formula and the worked entry in turn in one place over the tables;
            else the formula over the tables, then the worked entry in the tables'
            place; fewer columns (neurons, then outputs) where more would shrink a
            glyph under legible."""
            for classes, neurons in limits:
                built = shown(classes, neurons, rows)
                if not self.fits_legibly(built, LEGIBLE):
                    continue
                whole = first_that_fits(
                    self,
                    [
                        (lambda built=built: under(built), LEGIBLE),
                        (lambda built=built: in_turn(built), LEGIBLE),
                        (lambda built=built: apart(built), LEGIBLE),
                    ],
                )
                if whole is not None:
                    return whole
            return None

        def in_turn(built: VGroup) -> VGroup:
            return VGroup(slot, built).arrange(DOWN, buff=style.LINE_BUFF)

        def under(built: VGroup) -> VGroup:
            return VGroup(formula, built, example).arrange(DOWN, buff=style.BLOCK_BUFF)

        def apart(built: VGroup) -> VGroup:
            return VGroup(formula, built).arrange(DOWN, buff=style.LINE_BUFF)

        def fewest(rows: int) -> VGroup:
            return under(
                self.elide_to_fit(lambda columns: shown(columns, columns, rows), least=LEGIBLE)
            )

        whole = rows_that_fit(self, layout, self.trace.network.samples, fewest)
        scale = stage_scale(self, whole)
        place_on_stage(self, whole)
        tables, turns = whole[1], whole[0] is not formula
        if turns:  # in turn: the two lines shrink as the tables do, in the slot's place
            for line in (formula, example):
                line.scale(scale).move_to(whole[0])
        self.play(Write(formula))
        self.play(FadeIn(tables))
        if turns:  # the worked entry takes the formula's place
            self.play(FadeOut(formula))
        elif example not in whole:  # apart: the worked entry takes the tables' place
            self.pause()
            # the formula and the worked entry under it, together on the stage's centre
            example.scale(scale).next_to(formula, DOWN, buff=style.BLOCK_BUFF * scale)
            before = formula.get_center()
            self.centre_on_stage(VGroup(formula, example))
            moved = formula.get_center() - before
            formula.shift(-moved)
            self.play(FadeOut(tables), formula.animate.shift(moved))
        self.play(Write(example))
        self.pause()

    def _names_kept(self, equation: VGroup) -> VGroup:
        """``equation`` (of :meth:`_equation`) with its matrices' names enlarged by as
        much as the row will shrink to the frame's width (``stage_scale``): the numbers
        shrink to no less than their legible size, the names, at theirs, not at all."""
        scale = stage_scale(self, equation)
        if scale < 1:
            for piece in equation:
                if len(piece) == 2 and isinstance(piece[1], TracedMatrix):
                    name, matrix = piece
                    name.scale(1 / scale).next_to(matrix, UP, buff=style.LINE_BUFF / scale)
            equation.arrange(RIGHT, buff=style.LINE_BUFF)
        return equation

    def _example_upstream(self, layer: int, upstream: str, weight_path: str) -> VGroup:
        """The first sample's ``dL/dg`` for NEURON, worked over the outputs: wrapped
        onto more lines when long; with more outputs than a slide holds, the sum is
        not written out and only its traced result follows the formula."""
        n, delta = self.notation, f"{chain_path(self.output)}.delta"
        name = derivative("L", n.entry("g", layer, NEURON, 0))
        total = f"{upstream}[0][{NEURON}]"
        if self.outputs > style.MAX_WORKED_TERMS:
            return self.traced.math(
                f"{name} = sum_k delta_k^((1)) w_({n.numbers[layer][NEURON]},k) =",
                Value(total, style.GRADIENT),
            )
        pairs = [(f"{delta}[0][{o}]", f"{weight_path}[{o}][{NEURON}]") for o in range(self.outputs)]
        for per_line in range(self.outputs, 0, -1):
            worked = self.traced.worked_dot(
                pairs,
                total,
                prefix=[f"{name} {'&' if per_line < self.outputs else ''}="],
                total_color=style.GRADIENT,
                per_line=per_line if per_line < self.outputs else None,
            )
            if worked.width <= config.frame_width - 2 * style.EDGE_BUFF:
                break
        return worked

    # -- through the activation's derivative -----------------------------------------------
    def _show_through_activation(self) -> None:
        self.new_slide("Through the activation's derivative: the hidden layer's error signal")
        n, hidden = self.notation, self.hidden
        name = self.trace.network.layers[hidden].activation
        layer = hidden + 1
        chain = chain_path(hidden)
        parts = (
            n.entry("delta", layer, NEURON, "i"),
            derivative("L", n.entry("g", layer, NEURON, "i")),
            f"{activation_call(name)}'({n.entry('n', layer, NEURON, 'i')})",
        )
        formula = MathTypst(f"{parts[0]} = {parts[1]} dot {parts[2]}", font_size=style.MATH_SIZE)
        definition = MathTypst(activation_derivative(name), font_size=style.MATH_SIZE)
        rule = VGroup(formula, definition).arrange(RIGHT, buff=style.BLOCK_BUFF)
        note = Typst(
            "$dot.o$ multiplies entry by entry", font_size=style.NOTE_SIZE, color=style.MUTED
        )
        # the same in lines, to stand beside the tables
        lines = VGroup(
            MathTypst(f"{parts[0]} &= {parts[1]} \\\n & dot {parts[2]}", font_size=style.MATH_SIZE),
            MathTypst(activation_derivative(name), font_size=style.MATH_SIZE),
            Typst(
                "$dot.o$ multiplies\\\nentry by entry",
                font_size=style.NOTE_SIZE,
                color=style.MUTED,
            ),
        ).arrange(DOWN, buff=style.BLOCK_BUFF, aligned_edge=LEFT)

        def equation(limit: int, rows: int) -> VGroup:
            limits = {"max_columns": limit, "max_rows": rows}
            self.delta_hidden = checked_grid(
                self.traced,
                f"{chain}.delta",
                lambda r, c: (
                    Value(f"{chain}.upstream[{r}][{c}]"),
                    TIMES,
                    Value(f"{chain}.activation_derivative[{r}][{c}]"),
                ),
                style.GRADIENT,
                **limits,
            )
            return self._equation(
                self.labelled(
                    self.traced.matrix(f"{chain}.upstream", **limits),
                    slash_derivative("L", n.layer_matrix("G", layer)),
                ),
                "dot.o",
                self.labelled(
                    self.traced.matrix(f"{chain}.activation_derivative", **limits),
                    f"{activation_call(name)}'({n.layer_matrix('N', layer)})",
                ),
                "=",
                self.labelled(self.delta_hidden, n.layer_matrix("delta", layer)),
            )

        def layout(rows: int) -> VGroup | None:
            """The rule over the tables, the note under them; else the rule in lines
            beside the tables; else the rule in turn with the tables and the note."""
            # a wide layer elides columns rather than shrink the names to under legible
            built = self.elide_to_fit(lambda limit: equation(limit, rows), least=1)
            return first_that_fits(
                self,
                [
                    (lambda: VGroup(rule, built, note).arrange(DOWN, buff=style.BLOCK_BUFF), 1),
                    (lambda: VGroup(built, lines).arrange(RIGHT, buff=style.BLOCK_BUFF), 1),
                    (lambda: VGroup(built, note).arrange(DOWN, buff=style.BLOCK_BUFF), 1),
                ],
            )

        def fewest(rows: int) -> VGroup:
            built = self.elide_to_fit(lambda limit: equation(limit, rows), least=1)
            return VGroup(rule, built, note).arrange(DOWN, buff=style.BLOCK_BUFF)

        whole = place_on_stage(
            self, rows_that_fit(self, layout, self.trace.network.samples, fewest)
        )
        if whole[0] is rule:
            self.play(Write(formula), FadeIn(definition))
            self.play(FadeIn(whole[1]), FadeIn(note))
        elif whole[1] is lines:
            self.play(Write(lines[0]), FadeIn(lines[1]))
            self.play(FadeIn(whole[0]), FadeIn(lines[2]))
        else:  # in turn: the rule alone, then the tables in its place
            self.centre_on_stage(rule)
            self.play(Write(formula), FadeIn(definition))
            self.pause()
            self.play(FadeOut(rule))
            self.play(FadeIn(whole))
        self.pause()

    # -- into the hidden layer's weights, beside autograd -----------------------------------
    def _show_hidden_gradients(self) -> None:
        self.new_slide("Into the hidden layer's weights: the error signal times the layer's input")
        n, hidden = self.notation, self.hidden
        chain = chain_path(hidden)
        inputs = f"network.layers[{hidden}].input"
        weight_block, bias_block, table = self.weight_and_bias_gradients(
            hidden, NEURON, INPUT, n.entry("delta", hidden + 1, NEURON, "i")
        )
        slot = Rectangle(  # the weight's sum, then the bias's in its place
            width=max(weight_block.width, bias_block.width),
            height=max(weight_block.height, bias_block.height),
        ).set_opacity(0)
        shown: dict[str, TracedMatrix] = {}

        def matrices(columns: int, rows: int) -> VGroup:
            shown["signal"] = self.traced.matrix(
                f"{chain}.delta", color=style.GRADIENT, max_columns=columns, max_rows=rows
            )
            shown["input"] = self.traced.matrix(
                inputs, color=style.ACTIVE, max_columns=columns, max_rows=rows
            )
            return VGroup(
                self.labelled(shown["signal"], n.layer_matrix("delta", hidden + 1)),
                self.labelled(shown["input"], "X" if hidden == 0 else n.layer_matrix("G", hidden)),
            ).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)

        def laid(rows: int, beside: bool) -> VGroup:
            """``[left, right]``: the matrices over the table, the worked sums beside;
            or (``beside``) the matrices, the sums over the table beside them. The
            worked sums keep their size; the matrices elide columns to fit."""
            right = VGroup(slot, table).arrange(DOWN, buff=style.BLOCK_BUFF) if beside else slot
            room = config.frame_width - 2 * style.EDGE_BUFF - style.BLOCK_BUFF - right.width
            for columns in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1):
                left = matrices(columns, rows)
                if max(left.width, 0 if beside else table.width) <= room:
                    break
            if not beside:
                left = VGroup(left, table).arrange(DOWN, buff=style.BLOCK_BUFF)
                if left.width > room:
                    left.scale_to_fit_width(room)
            return VGroup(left, right).arrange(RIGHT, buff=style.BLOCK_BUFF)

        def layout(rows: int) -> VGroup | None:
            """The table under the matrices; else under the worked sums, beside them."""
            return first_that_fits(
                self, [(lambda: laid(rows, False), 1), (lambda: laid(rows, True), 1)]
            )

        def point(row: int) -> None:
            columns = [shown["signal"].column(NEURON)]
            if row == 0:
                columns.append(shown["input"].column(INPUT))
            self.play(*(Emphasize(c, color=style.HIGHLIGHT) for c in columns), run_time=style.QUICK)

        samples = self.trace.network.samples
        whole = rows_that_fit(self, layout, samples, lambda rows: laid(rows, False))
        self.centre_on_stage(whole)
        # the bias's sum takes the weight's place: written from the same corner
        for block in (weight_block, bias_block):
            block.align_to(slot, LEFT).align_to(slot, UP)
        beside = whole[1] is not slot  # the table under the sums: the matrices alone left
        self.play(FadeIn(whole[0] if beside else whole[0][0]))
        play_gradients(
            self,
            {0: weight_block, 1: bias_block},
            table,
            ["", "And its bias: the error signal summed over the samples"],
            point=point,
            fade=True,
        )

    # -- the pattern, for every layer ---------------------------------------------------------
    def _show_pattern(self) -> None:
        self.new_slide("The same pattern repeats, layer after layer, down to the inputs")
        lines = VGroup(
            MathTypst(
                "delta^([l]) = (delta^([l+1]) W^([l+1])) dot.o f'(N^([l]))",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"{derivative('L', 'W^([l])')} = (delta^([l]))^T G^([l-1]), quad "
                f"{derivative('L', 'b^([l])')} = sum_i delta^([l](i))",
                font_size=style.MATH_SIZE,
            ),
            Typst(
                "$delta^([l])$: one row per sample, one column per neuron of layer $l$;"
                " $G^([l-1])$: what feeds layer $l$ ($G^([0]) = X$)",
                font_size=style.NOTE_SIZE,
                color=style.MUTED,
            ),
        ).arrange(DOWN, buff=style.BLOCK_BUFF)
        self.centre_on_stage(self.stack(lines))
        for line in lines:
            self.play(FadeIn(line, shift=DOWN * style.NUDGE))
        self.pause()

    def _show_no_hidden_layer(self) -> None:
        self.step("No hidden layer here: the output layer's gradients are all there is")
        self.pause()

    # -- every gradient of every layer ------------------------------------------------------
    def _show_every_gradient(self) -> None:
        for index, layer in enumerate(reversed(range(self.output + 1))):
            self.new_slide(
                "Every layer's gradients, by hand beside autograd's .grad"
                if index == 0
                else "The next layer down"
            )
            # every column (by hand over autograd's when beside it is too wide), then
            # fewer columns rather than smaller numbers
            room = config.frame_width - 2 * style.EDGE_BUFF
            block = self._layer_gradients(layer, style.MAX_MATRIX_COLUMNS)
            if block.width > room:
                block = self._layer_gradients(layer, style.MAX_MATRIX_COLUMNS, stacked=True)
            for columns in range(style.MAX_MATRIX_COLUMNS - 1, style.MIN_MATRIX_COLUMNS - 1, -1):
                if block.width <= room:
                    break
                block = self._layer_gradients(layer, columns)
            self.centre_on_stage(self.stack(block))
            self.play(FadeIn(block))
            self.pause()

    def _layer_gradients(self, layer: int, max_columns: int, stacked: bool = False) -> VGroup:
        """``dL/dW`` and ``dL/db`` of one layer: by hand, and autograd's (checked),
        each matrix showing at most ``max_columns`` columns; ``stacked``: autograd's
        under the hand ones (W's pair, then b's, side by side) rather than beside."""
        cells = []
        for part, symbol in (("weight", "W"), ("bias", "b")):
            hand, _ = self.gradient_paths(layer, part)
            rows, columns = self.traced.shape(hand)

            def checked(r: int, c: int, part=part) -> Checked:
                entry = f"{part}[{r}]" if part == "bias" else f"{part}[{r}][{c}]"
                shown, torch = self.gradient_paths(layer, entry)
                return Checked((Value(shown),), torch)

            cells += [
                MathTypst(
                    f"{derivative('L', f'{symbol}^([{layer + 1}])')} =",
                    font_size=style.MATH_SIZE,
                ),
                self.traced.matrix(hand, color=style.GRADIENT, max_columns=max_columns),
                self.traced.grid(
                    rows, columns, checked, color=style.GRADIENT, max_columns=max_columns
                ),
            ]
        header = [
            VGroup(),
            Typst("by hand", font_size=style.LABEL_SIZE, color=style.MUTED),
            Typst("torch .grad", font_size=style.LABEL_SIZE, color=style.MUTED),
        ]
        if stacked:  # by hand  dL/dW = [..]  dL/db = [..]
            #          torch     [..]           [..]
            weight, bias = cells[:3], cells[3:]
            grid = [header[1], weight[0], weight[1], bias[0], bias[1]]
            grid += [header[2], VGroup(), weight[2], VGroup(), bias[2]]
            return VGroup(*grid).arrange_in_grid(  # closer across: all of W on one line
                rows=2, cols=5, buff=(style.LINE_BUFF, style.LINE_BUFF)
            )
        return VGroup(*header, *cells).arrange_in_grid(
            rows=3, cols=3, buff=(style.BLOCK_BUFF, style.LINE_BUFF)
        )

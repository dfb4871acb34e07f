"""Backpropagation: the output's error signal carried back into a hidden layer's gradients.

The same chain rule as the output layer's, one layer further in: the error
signal ``delta`` goes back through the output weights, then through the
activation's derivative, and meets the layer's inputs. Every number is the
trace's hand chain rule (``network.chain_rule``), set beside autograd's
``network.gradients``; the pattern is stated once for the layers below.
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, VGroup, Write, config

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import (
    CLOSE_BRACKET,
    MINUS_TWO,
    OPEN_BRACKET,
    LearningScene,
    play_gradients,
)
from scenekit.notation import activation_call, activation_derivative, derivative
from scenekit.terms import MINUS, OVER, PLUS, TIMES, Checked, Term, Value
from scenekit.traced import TracedMatrix

__all__ = ["Backpropagation"]

NEURON = 0  # the hidden neuron whose gradients are worked out
INPUT = 0  # the input of that neuron whose weight is worked out


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
        self._show_error_signal()
        if self.hidden >= 0:
            self._show_through_weights()
            self._show_through_activation()
            self._show_hidden_gradients()
            self._show_pattern()
        else:
            self._show_no_hidden_layer()
        self._show_every_gradient()

    # -- helpers ----------------------------------------------------------------------
    def _chain(self, layer: int) -> str:
        return f"network.chain_rule[{layer}]"

    def _checked_grid(self, path: str, terms, color, **limits) -> TracedMatrix:
        """The matrix at ``path`` whose every entry is checked against ``terms(r, c)``."""
        rows, columns = self.traced.shape(path)
        return self.traced.grid(
            rows,
            columns,
            lambda r, c: Checked(terms(r, c), f"{path}[{r}][{c}]"),
            color=color,
            **limits,
        )

    def _equation(self, *pieces) -> VGroup:
        """Matrices and operators in a row, e.g. ``A · B = C``."""
        return VGroup(
            *(
                MathTypst(piece, font_size=style.MATH_SIZE) if isinstance(piece, str) else piece
                for piece in pieces
            )
        ).arrange(RIGHT, buff=style.LINE_BUFF)

    # -- the error signal at the output ---------------------------------------------------
    def _show_error_signal(self) -> None:
        """The output layer's delta, by the lesson's loss."""
        show = self.loss_view.pick(
            mse=self._show_mse_signal, cross_entropy=self._show_cross_entropy_signal
        )
        show()

    def _show_mse_signal(self) -> None:
        """MSE's error signal: ``-2/N (y - hat(y))``, through the output's activation (N
        the samples; with several outputs, N times the outputs)."""
        self.step("The error signal: how the loss changes with the output's pre-activation")
        out, n = self.output, self.notation
        name = self.trace.network.output_activation
        slope = "" if name == "none" else f" {activation_call(name)}'(n^((i)))"
        # the count's value with its formula, not floating beside the matrices
        formula = self.traced.math(
            f"delta^((i)) = {derivative('L', 'n^((i))')} = "
            f"{n.over_count('-2')} (y^((i)) - hat(y)^((i))){slope}",
            f", quad {n.mean_count()} =",
            Value("network.loss_count"),
        )
        note = Typst(
            f"one entry per output; ${n.neuron(n.last, 0)} = n$ when the output has no activation"
            if name == "none"
            else "one entry per output",
            font_size=style.NOTE_SIZE,
            color=style.MUTED,
        )
        chain = self._chain(out)

        def terms(r: int, c: int) -> tuple[Term, ...]:
            shown: tuple[Term, ...] = (
                MINUS_TWO,
                OVER,
                Value("network.loss_count"),
                TIMES,
                Value(f"network.errors[{r}][{c}]"),
            )
            if name != "none":
                shown += (TIMES, Value(f"{chain}.activation_derivative[{r}][{c}]"))
            return shown

        errors = self.labelled(
            self.traced.matrix("network.errors", color=style.CLAMPED), "y - hat(y)"
        )
        pieces: list = [errors]
        if name != "none":
            pieces.append(
                self.labelled(
                    self.traced.matrix(f"{chain}.activation_derivative"),
                    f"{activation_call(name)}'({n.layer_matrix('N', out + 1)})",
                )
            )
        self.delta_out = self._checked_grid(f"{chain}.delta", terms, style.GRADIENT)
        pieces.append(self.labelled(self.delta_out, n.layer_matrix("delta", out + 1)))
        row = VGroup(*pieces).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)
        self.centre_on_stage(self.stack(formula, note, row))
        self.play(Write(formula), FadeIn(note))
        self.play(FadeIn(row))
        self.pause()

    def _show_cross_entropy_signal(self) -> None:
        """Cross-entropy's error signal: the logits' gradient ``(P - Y) / N``."""
        self.step("The error signal: how the loss changes with each logit, (P - Y) / N")
        # N's value with its formula, not floating alone beside the matrices
        formula = self.traced.math(
            f"delta_k^((i)) = {derivative('L', 'z_k^((i))')} = (p_k^((i)) - Y_k^((i))) / N",
            ", quad N =",
            Value("len(network.classes)"),
        )
        note = Typst(
            "one entry per class, the gradient of the softmax scene",
            font_size=style.NOTE_SIZE,
            color=style.MUTED,
        )
        chain = self._chain(self.output)
        self.delta_out = self._checked_grid(
            f"{chain}.delta",
            lambda r, c: (
                OPEN_BRACKET,
                Value(f"network.softmax.probabilities[{r}][{c}]"),
                MINUS,
                Value(f"network.one_hot[{r}][{c}]"),
                CLOSE_BRACKET,
                OVER,
                Value("len(network.classes)"),
            ),
            style.GRADIENT,
        )
        row = VGroup(
            self.labelled(self.traced.matrix("network.softmax.probabilities"), "P"),
            self.labelled(self.traced.matrix("network.one_hot"), "Y"),
            self.labelled(self.delta_out, self.notation.layer_matrix("delta", self.output + 1)),
        ).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)
        self.centre_on_stage(self.stack(formula, note, row))
        self.play(Write(formula), FadeIn(note))
        self.play(FadeIn(row))
        self.pause()

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
        upstream = f"{self._chain(hidden)}.upstream"

        def terms(r: int, c: int) -> tuple[Term, ...]:
            shown: list[Term] = []
            for o in range(self.outputs):
                if o:
                    shown.append(PLUS)
                shown += [
                    Value(f"{self._chain(out)}.delta[{r}][{o}]"),
                    TIMES,
                    Value(f"{weight_path}[{o}][{c}]"),
                ]
            return tuple(shown)

        def equation(columns: int, rows: int) -> VGroup:
            limits = {"max_columns": columns, "max_rows": rows}
            self.upstream = self._checked_grid(upstream, terms, style.GRADIENT, **limits)
            return self._equation(
                self.labelled(
                    self.traced.matrix(f"{self._chain(out)}.delta", **limits),
                    n.layer_matrix("delta", out + 1),
                ),
                "dot",
                self.labelled(
                    self.traced.matrix(weight_path, color=style.WEIGHT, **limits),
                    n.layer_matrix("W", out + 1),
                ),
                "=",
                self.labelled(self.upstream, derivative("L", n.layer_matrix("G", layer))),
            )

        example = self._example_upstream(layer, upstream, weight_path)
        # fewer columns, then fewer rows (many samples), rather than a shrunk slide
        for rows in range(style.MAX_MATRIX_ROWS, style.MIN_MATRIX_COLUMNS - 1, -1):
            built = self.elide_to_fit(lambda columns, rows=rows: equation(columns, rows))
            height = formula.height + built.height + example.height + 2 * style.BLOCK_BUFF
            if height <= self.room_below(self.title):
                break
        self.centre_on_stage(self.stack(formula, built, example))
        self.play(Write(formula))
        self.play(FadeIn(built))
        self.play(Write(example))
        self.pause()

    def _example_upstream(self, layer: int, upstream: str, weight_path: str) -> VGroup:
        """The first sample's ``dL/dg`` for NEURON, worked over the outputs: wrapped
        onto more lines when long; with more outputs than a slide holds, the sum is
        not written out and only its traced result follows the formula."""
        n, delta = self.notation, f"{self._chain(self.output)}.delta"
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
        chain = self._chain(hidden)
        formula = MathTypst(
            f"{n.entry('delta', layer, NEURON, 'i')} = "
            f"{derivative('L', n.entry('g', layer, NEURON, 'i'))} dot "
            f"{activation_call(name)}'({n.entry('n', layer, NEURON, 'i')})",
            font_size=style.MATH_SIZE,
        )
        definition = MathTypst(activation_derivative(name), font_size=style.MATH_SIZE)

        def equation(limit: int) -> VGroup:
            self.delta_hidden = self._checked_grid(
                f"{chain}.delta",
                lambda r, c: (
                    Value(f"{chain}.upstream[{r}][{c}]"),
                    TIMES,
                    Value(f"{chain}.activation_derivative[{r}][{c}]"),
                ),
                style.GRADIENT,
                max_columns=limit,
            )
            return self._equation(
                self.labelled(
                    self.traced.matrix(f"{chain}.upstream", max_columns=limit),
                    derivative("L", n.layer_matrix("G", layer)),
                ),
                "dot.o",
                self.labelled(
                    self.traced.matrix(f"{chain}.activation_derivative", max_columns=limit),
                    f"{activation_call(name)}'({n.layer_matrix('N', layer)})",
                ),
                "=",
                self.labelled(self.delta_hidden, n.layer_matrix("delta", layer)),
            )

        # a wide layer elides columns rather than shrink the names to under legible
        equation = self.elide_to_fit(equation, least=1)
        note = Typst(
            "$dot.o$ multiplies entry by entry", font_size=style.NOTE_SIZE, color=style.MUTED
        )
        self.centre_on_stage(
            self.stack(
                VGroup(formula, definition).arrange(RIGHT, buff=style.BLOCK_BUFF), equation, note
            )
        )
        self.play(Write(formula), FadeIn(definition))
        self.play(FadeIn(equation), FadeIn(note))
        self.pause()

    # -- into the hidden layer's weights, beside autograd -----------------------------------
    def _show_hidden_gradients(self) -> None:
        self.new_slide("Into the hidden layer's weights: the error signal times the layer's input")
        n, hidden = self.notation, self.hidden
        chain = self._chain(hidden)
        inputs = f"network.layers[{hidden}].input"
        weight_block, bias_block, table = self.weight_and_bias_gradients(
            hidden, NEURON, INPUT, n.entry("delta", hidden + 1, NEURON, "i")
        )
        # the worked sums keep their size; the matrices beside them elide columns to fit
        room = config.frame_width - 2 * style.EDGE_BUFF - style.BLOCK_BUFF
        room -= max(weight_block.width, bias_block.width)
        for columns in range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1):
            signal_matrix = self.traced.matrix(
                f"{chain}.delta", color=style.GRADIENT, max_columns=columns
            )
            input_matrix = self.traced.matrix(inputs, color=style.ACTIVE, max_columns=columns)
            matrices = VGroup(
                self.labelled(signal_matrix, n.layer_matrix("delta", hidden + 1)),
                self.labelled(input_matrix, "X" if hidden == 0 else n.layer_matrix("G", hidden)),
            ).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)
            if max(matrices.width, table.width) <= room:
                break

        def point(row: int) -> None:
            columns = [signal_matrix.column(NEURON)]
            if row == 0:
                columns.append(input_matrix.column(INPUT))
            self.play(*(Emphasize(c, color=style.HIGHLIGHT) for c in columns), run_time=style.QUICK)

        left = VGroup(matrices, table).arrange(DOWN, buff=style.BLOCK_BUFF)
        if left.width > room:
            left.scale_to_fit_width(room)
        self.centre_on_stage(VGroup(left, weight_block).arrange(RIGHT, buff=style.BLOCK_BUFF))
        # the bias's sum takes the weight's place: written from the same corner
        bias_block.align_to(weight_block, LEFT).align_to(weight_block, UP)
        self.play(FadeIn(left[0]))
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

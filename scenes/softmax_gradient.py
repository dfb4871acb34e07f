"""The gradient of cross-entropy with respect to the logits: ``dL/dZ = (P - Y) / N``,
derived in symbols (softmax's derivative and the log's cancel), then in numbers
beside autograd's ``Z.grad``, then carried into the output layer's weights beside
autograd's ``.grad``.

The numbers are the trace's: ``network.prediction_gradient`` is the hand
``(P - Y) / N``, each entry shown as checked arithmetic on ``P`` and ``Y``;
``network.prediction_gradient_autograd`` is autograd's ``.grad`` of the logits,
each entry checked against the hand one (``≈`` where the shown digits differ);
the output layer's gradients are the hand chain rule (``network.chain_rule``)
beside autograd's (``network.gradients``).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    FadeIn,
    FadeOut,
    SurroundingRectangle,
    VGroup,
    Write,
    config,
)

from mlpmath.display import APPROX, EQUALS
from scenekit import style
from scenekit.classes import (
    CLOSE_PAREN,
    DIVIDED_BY,
    OPEN_PAREN,
    class_name,
    one_hot_matrix,
    typst_literal,
)
from scenekit.composition import stage
from scenekit.emphasis import Emphasize
from scenekit.fitting import fits_stage, with_rows_that_fit
from scenekit.formulas import MathTypst, Typst
from scenekit.learning import LearningScene, play_gradients
from scenekit.notation import derivative, slash_derivative
from scenekit.terms import MINUS, Checked, Value

__all__ = ["SoftmaxGradient"]

NETWORK = "network"
SAMPLES = "len(network.classes)"
P = "network.softmax.probabilities"
Y = "network.one_hot"
GRADIENT = "network.prediction_gradient"
AUTOGRAD = "network.prediction_gradient_autograd"  # Z.grad after F.cross_entropy's backward
NEURON = 0  # the output neuron (class) whose weight and bias are worked out
NOTES_BESIDE = 0.8  # of the frame's width the lines and notes beside them may take
INPUT = 0  # the activation feeding it whose weight is worked out
# what fills Z.grad: a note under autograd's matrix, or beside it in these lines
NOTE = ("torch differentiates", "its own cross-entropy:", "loss.backward()", "fills Z.grad")


class SoftmaxGradient(LearningScene):
    """``dL/dz_k^(i) = (p_k^(i) - Y_k^(i)) / N``: by symbols, by numbers, into the weights."""

    for_loss = "cross_entropy"

    def construct(self) -> None:
        self.show_title("The gradient of cross-entropy: P minus Y")
        self._show_derivation()
        self._show_numbers()
        self._show_output_weights()

    # -- in symbols ---------------------------------------------------------------------
    def _show_derivation(self) -> None:
        self.step(
            "One sample $i$, its index dropped: softmax's derivative, "
            "each $p_k$ moves with every score"
        )
        lines = [
            MathTypst(
                "L^((i)) = -log p_y, quad p_y = exp(z_y) / (sum_(k') exp(z_(k'))), "
                "quad y = y^((i))",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"{derivative('p_y', 'z_k')} = p_y (Y_k - p_k), quad "
                'Y_k = cases(1 "if" k = y, 0 "else")',
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"{derivative('L^((i))', 'z_k')} = -1/p_y dot p_y (Y_k - p_k) = p_k - Y_k",
                font_size=style.MATH_SIZE,
            ),
            MathTypst(
                f"L = 1/N sum_i L^((i)) quad arrow.double quad "
                f"{derivative('L', 'z_k^((i))')} = (p_k^((i)) - Y_k^((i))) / N",
                font_size=style.MATH_SIZE,
            ),
        ]
        notes = [
            Typst(
                "the log's derivative, $-1 slash p_y$, cancels softmax's $p_y$",
                font_size=style.LABEL_SIZE,
                color=style.MUTED,
            ),
            Typst(
                "the mean over the $N$ samples keeps its $1/N$",
                font_size=style.LABEL_SIZE,
                color=style.MUTED,
            ),
        ]
        # each note beside its line, so the four lines fit the stage at full size; under
        # it, in the lines' column, when beside it would reach to the frame's edge
        under = [
            line.width + style.BLOCK_BUFF + note.width > NOTES_BESIDE * config.frame_width
            for line, note in zip(lines[2:], notes, strict=True)
        ]
        # a note under its line takes height: the lines closer then
        gap = style.LINE_BUFF if any(under) else style.BLOCK_BUFF
        VGroup(*lines).arrange(DOWN, buff=gap, aligned_edge=LEFT)
        for index, (line, note, below) in enumerate(zip(lines[2:], notes, under, strict=True)):
            if not below:
                note.next_to(line, RIGHT, buff=style.BLOCK_BUFF)
                continue
            # under its own line, closer to it than the next line is: what follows moves down
            note.next_to(line, DOWN, buff=style.LABEL_GAP, aligned_edge=LEFT)
            following = VGroup(*lines[index + 3 :], *notes[index + 1 :])
            if len(following):
                following.shift(DOWN * (note.height + style.LABEL_GAP))
        self.centre_on_stage(VGroup(*lines, *notes))
        whole = VGroup(*lines, *notes)
        self.recentre(whole, *lines[:2], within=style.SETTLED)
        self.play(Write(lines[0]))
        self.play(FadeIn(lines[1], shift=DOWN * style.NUDGE))
        self.pause()
        self.step("The log's derivative cancels it: probability minus truth")
        self.recentre(whole, lines[2], notes[0], within=style.SETTLED)
        self.play(FadeIn(lines[2], shift=DOWN * style.NUDGE), FadeIn(notes[0]))
        self.pause()
        self.step("The loss is a mean, so each sample's gradient is divided by N")
        self.recentre(whole, lines[3], notes[1], within=style.SETTLED)
        self.play(FadeIn(lines[3], shift=DOWN * style.NUDGE), FadeIn(notes[1]))
        self.pause()

    # -- in numbers ---------------------------------------------------------------------
    def _terms(self, r: int, c: int) -> tuple:
        """``(p - Y) / N`` of sample ``r``, class ``c``: the hand arithmetic of an entry."""
        return (
            OPEN_PAREN,
            Value(f"{P}[{r}][{c}]"),
            MINUS,
            Value(f"{Y}[{r}][{c}]"),
            CLOSE_PAREN,
            DIVIDED_BY,
            Value(SAMPLES),
        )

    def _show_numbers(self) -> None:
        self.new_slide("In numbers: P minus Y, divided by N, for every sample and class")
        rows, columns = self.traced.shape(GRADIENT)
        names = self.trace.network.class_names

        def equation(limit: int, shown_rows: int) -> VGroup:
            """``(P - Y) / N = dL/dZ`` with at most ``limit`` columns and ``shown_rows``
            rows a matrix."""
            self.columns, self.rows = limit, shown_rows
            limits = {"max_columns": limit, "max_rows": shown_rows}
            gradient = self.traced.grid(
                rows,
                columns,
                lambda r, c: Checked(self._terms(r, c), f"{GRADIENT}[{r}][{c}]"),
                color=style.GRADIENT,
                **limits,
            )
            p = self.traced.matrix(P, color=style.RESULT, **limits)
            parens = [MathTypst(side, font_size=style.MATH_SIZE) for side in ("paren.l", "paren.r")]
            for paren in parens:
                paren.stretch_to_fit_height(p.height)
            row = VGroup(
                parens[0],
                self.labelled(p, "P", classes=True),
                MathTypst("-", font_size=style.MATH_SIZE),
                self.labelled(
                    one_hot_matrix(self.traced, Y, names, p, color=style.INPUT, **limits),
                    "Y",
                    classes=True,
                ),
                parens[1],
                MathTypst("slash N =", font_size=style.MATH_SIZE),
                # on one line: the table's rows take the stage's height
                self.labelled(gradient, slash_derivative("L", "Z"), classes=True),
            ).arrange(RIGHT, buff=style.LINE_BUFF)
            for paren in parens:
                paren.set_y(p.get_y())
            return row

        # every sample's row where the stage holds them: the worked entry comes beside
        # dL/dZ in the next step, so it takes none of their height
        row = with_rows_that_fit(
            self,
            lambda shown: self.elide_to_fit(lambda limit: equation(limit, shown), least=1),
            rows,
        )
        self.centre_on_stage(row)
        self.play(FadeIn(VGroup(*row[:6])))
        self.play(FadeIn(row[6]))
        self.pause()
        self._show_worked(row)
        self._show_autograd(row)

    def _show_worked(self, row: VGroup) -> None:
        """The first sample's entry at its true class worked out beside ``dL/dZ``
        (P and Y leave): ``y = y^(1) = 0 (cat)``, then ``(p - 1) / N``; N's value is
        the divisor, no ``N = ...`` floating apart."""
        self.step("One entry by hand: the first sample, at its true class")
        hand = row[6]  # dL/dZ, labelled
        gradient = hand[1]
        true = self.trace.network.classes[0]
        _, _, right, _ = stage(self)
        worked = self.traced.worked(
            list(self._terms(0, true)),
            f"{GRADIENT}[0][{true}]",
            prefix=[f"{derivative('L', 'z_y^((1))')} ="],
            total_color=style.GRADIENT,
        )
        place = hand.copy()  # where the hand matrix moves: only for the layout
        for named in (self._named(true), []):  # the class's name, unless too wide
            which = self.traced.math("y = y^((1)) =", Value(f"{NETWORK}.classes[0]"), *named)
            example = VGroup(which, worked).arrange(DOWN, buff=style.LINE_BUFF, aligned_edge=LEFT)
            layout = VGroup(place, example).arrange(RIGHT, buff=style.BLOCK_BUFF)
            if layout.width <= 2 * right:
                break
        self.centre_on_stage(layout)
        self.play(FadeOut(VGroup(*row[:6])), hand.animate.move_to(place))
        shown = VGroup(example)
        if true in gradient.shown_columns:  # the entry worked out, framed in the matrix
            shown.add(SurroundingRectangle(gradient.entry(0, true), color=style.HIGHLIGHT))
        self.play(FadeIn(VGroup(*shown[1:])), Write(example))
        self.pause()
        self.worked_entry = shown

    def _named(self, index: int) -> list[str]:
        """`` ("setosa")``: class ``index``'s name after its number, as a Typst string
        literal, when the lesson names its classes; nothing when it only numbers them."""
        named = class_name(self.trace.network.class_names, index)
        return [] if named is None else [f"med ({typst_literal(named)})"]

    def _show_autograd(self, row: VGroup) -> None:
        """Autograd's ``Z.grad`` beside the hand ``(P - Y) / N``: each entry checked
        against the hand one, and ``=`` between them unless a shown digit differs."""
        self.step("Autograd's own gradient of the logits, Z.grad: the same matrix")
        hand = row[6]  # dL/dZ, labelled
        rows, columns = self.traced.shape(AUTOGRAD)
        torch = self.traced.grid(
            rows,
            columns,
            lambda r, c: Checked((Value(f"{GRADIENT}[{r}][{c}]"),), f"{AUTOGRAD}[{r}][{c}]"),
            color=style.GRADIENT,
            max_columns=self.columns,  # the columns and rows the hand matrix shows
            max_rows=self.rows,
        )
        signs = {r.relation for r in self.ledger.relations if r.mobject is torch}
        sign = MathTypst(EQUALS if signs <= {EQUALS} else APPROX, font_size=style.MATH_SIZE)
        place = hand.copy()  # where the hand matrix moves: only for the layout
        pair = VGroup(place, sign, self.labelled(torch, 'Z".grad (autograd)"')).arrange(
            RIGHT, buff=style.BLOCK_BUFF
        )
        sign.set_y(torch.get_y())
        note = self._autograd_note(pair)
        self.centre_on_stage(VGroup(pair, note))
        self.play(FadeOut(self.worked_entry))
        self.play(hand.animate.move_to(place))
        self.play(FadeIn(sign), FadeIn(pair[2], shift=LEFT * style.NUDGE), FadeIn(note))
        self.play(
            Emphasize(hand[1], color=style.HIGHLIGHT), Emphasize(torch, color=style.HIGHLIGHT)
        )
        self.pause()

    def _autograd_note(self, pair: VGroup) -> VGroup:
        """What fills ``Z.grad``, placed by ``pair`` (the two matrices, laid out): under
        it when the stage holds both, else beside it in short lines; left out when
        neither fits (every sample's row comes first, and the caption names Z.grad)."""
        under = Typst(" ".join(NOTE), font_size=style.NOTE_SIZE, color=style.MUTED)
        under.next_to(pair, DOWN, buff=style.BLOCK_BUFF)
        if fits_stage(self, VGroup(pair, under)):
            return under
        beside = VGroup(
            *(Typst(line, font_size=style.NOTE_SIZE, color=style.MUTED) for line in NOTE)
        ).arrange(DOWN, buff=style.LABEL_GAP, aligned_edge=LEFT)
        beside.next_to(pair, RIGHT, buff=style.BLOCK_BUFF)
        return beside if fits_stage(self, VGroup(pair, beside)) else VGroup()

    # -- into the output layer's weights, beside autograd ---------------------------------
    def _show_output_weights(self) -> None:
        self.new_slide("Into the output layer: the same chain rule as for any loss")
        n, out = self.notation, self.output_layer
        delta = derivative("L", n.entry("z", n.last, NEURON, "i"))
        weight_block, bias_block, table = self.weight_and_bias_gradients(out, NEURON, INPUT, delta)
        tallest = max(weight_block, bias_block, key=lambda block: block.height)
        self.centre_on_stage(VGroup(table, tallest.copy()).arrange(DOWN, buff=style.BLOCK_BUFF))
        for block in (weight_block, bias_block):
            block.next_to(table, DOWN, buff=style.BLOCK_BUFF)
            self.keep_in_frame(block)
        play_gradients(
            self,
            {0: weight_block, 1: bias_block},
            table,
            ["", "And its bias: the gradient summed over the samples"],
        )

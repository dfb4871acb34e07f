"""Pieces the learning scenes share: worked sums over the samples, gradients set
beside autograd's, and a scene of the network's learning that clears and stacks
its slides.

``ChainRule``, ``Backpropagation`` and ``GradientDescent`` build on these, so the
same arithmetic is written, checked and laid out the same way in all three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from manim import (
    DOWN,
    LEFT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Mobject,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenekit import style
from scenekit.classes import class_heads
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.notation import derivative, slash_derivative
from scenekit.plots import ValueCurve
from scenekit.terms import NEW_LINE, TIMES, Checked, Op, Term, Value
from scenekit.traced import TracedMath, TracedMatrix, TracedValues

__all__ = [
    "CLOSE_BRACKET",
    "MINUS_TWO",
    "NEW_LINE",
    "OPEN_BRACKET",
    "LearningScene",
    "gradient_table",
    "play_gradients",
    "worked_over_samples",
]

MINUS_TWO = Op("(-2)", "(-2)")  # dZ/df = 2f times df/dw = -g: the formula's constant
OPEN_BRACKET = Op("bracket.l", "(")
CLOSE_BRACKET = Op("bracket.r", ")")
_NEXT_TERM = Op('\\\n & quad "" +', "+")  # the next sample's term, on a line of its own


def worked_over_samples(
    traced: TracedValues,
    symbol: str,
    formula: str,
    factors: Callable[[int], Sequence[Value]],
    samples: int,
    total: str,
    around: tuple[Sequence[Term], Sequence[Term]] = ((), ()),
    font_size: float | None = None,
) -> TracedMath:
    """``symbol = formula``, then the formula's sum over samples with numbers, one
    sample a line, then its result: ``=``, or ``≈`` where the shown digits differ.

    ``factors(i)`` are sample i's factors; ``around`` wraps the sum (a constant in
    front, a closing bracket). With more samples than a slide holds, the sum is
    not written out and only its traced result follows the formula.
    """
    head = f"{symbol} &= {formula} \\\n &="
    if samples > style.MAX_WORKED_TERMS:
        return traced.math(head, Value(total, style.GRADIENT), font_size=font_size)
    terms: list[Term] = [*around[0]]
    for sample in range(samples):
        if sample:
            terms.append(_NEXT_TERM)
        for index, factor in enumerate(factors(sample)):
            if index:
                terms.append(TIMES)
            terms.append(factor)
    terms += [*around[1], NEW_LINE]
    return traced.worked(
        terms, total, prefix=[head], total_color=style.GRADIENT, font_size=font_size
    )


def gradient_table(traced: TracedValues, rows: Sequence[tuple[str, str, str]]) -> TracedMatrix:
    """Gradients by hand beside autograd's ``.grad``, one ``(symbol, hand, autograd)``
    a row; an autograd value that differs from the hand one as shown gets ``≈``."""

    def cell(row: int, column: int):
        symbol, hand, torch = rows[row]
        if column == 0:
            return symbol
        if column == 1:
            return Value(hand, style.GRADIENT)
        return Checked((Value(hand),), torch, style.GRADIENT)

    return traced.grid(
        len(rows),
        3,
        cell,
        header=['"gradient"', '"by hand"', '"torch .grad"'],
        brackets=False,
        font_size=style.MATRIX_SIZE,
    )


def play_gradients(
    scene: LectureScene,
    worked: dict[int, TracedMath],
    table: TracedMatrix,
    captions: Sequence[str],
    point: Callable[[int], None] | None = None,
    fade: bool = False,
    layout: Mobject | None = None,
    fly: bool = True,
) -> None:
    """Each worked gradient in turn; its result moves into row ``row`` of a
    :func:`gradient_table`, and autograd's value appears beside it.

    ``captions[i]``, when given and not empty, starts a step before the i-th
    gradient; ``point(row)`` may highlight where its numbers come from. Each
    worked gradient morphs into the next, or with ``fade`` fades out before the
    next is written (sums of different shapes, whose morph would be a jumble).
    ``layout``: the whole picture, laid out, re-centred so that what is shown and
    the first worked gradient sit in the stage's middle as it is written.
    ``fly``: a copy of the result flies to its row; else (its way would cross
    another text) the row's entry shows in place as the result lights up.
    """
    hand, torch = 1, 2
    scene.play(FadeIn(table.frame([hand, torch])))
    shown = None
    for index, (row, block) in enumerate(worked.items()):
        if index < len(captions) and captions[index]:
            scene.step(captions[index])
        if shown is not None and fade:
            scene.play(FadeOut(shown))
        elif shown is not None:
            scene.play(ReplacementTransform(shown, block))
        if shown is None and layout is not None:
            scene.recentre(layout, *worked.values(), within=style.SETTLED)
        if shown is None or fade:
            scene.play(Write(block))
        shown = block
        if point is not None:
            point(row)
        if fly:
            scene.play(TransformFromCopy(block.result, table.entry(row, hand)))
        else:
            scene.play(Emphasize(block.result), FadeIn(table.entry(row, hand)))
        scene.play(FadeIn(table.entry(row, torch), shift=LEFT * style.NUDGE))
        if index == 0:
            scene.play(
                Emphasize(table.entry(row, hand), color=style.HIGHLIGHT),
                Emphasize(table.entry(row, torch), color=style.HIGHLIGHT),
            )
        scene.pause()


class LearningScene(LectureScene):
    """A scene of how the network learns: slides under one title, each slide
    clearing the last one.

    Before ``construct`` it knows the network: ``self.output_layer`` is the
    trace's index of the output layer, and :meth:`gradient_paths` names a
    gradient by hand (the trace's chain rule) and by autograd.

    Examples
    --------
    >>> class Gradients(LearningScene):  # doctest: +SKIP
    ...     def construct(self):
    ...         self.show_title("The gradient")
    ...         self.new_slide("By hand, beside autograd")
    ...         hand, torch = self.gradient_paths(self.output_layer, "bias[0]")
    ...         self.play(Write(self.stack(gradient_table(self.traced, [("b", hand, torch)]))))
    """

    def setup(self) -> None:
        super().setup()
        self.output_layer = len(self.trace.network.layers) - 1

    @staticmethod
    def gradient_paths(layer: int, entry: str) -> tuple[str, str]:
        """The trace paths of one gradient of ``layer`` (``entry``: ``"weight[0][1]"``,
        ``"bias[0]"``): the hand chain rule's, and autograd's ``.grad``."""
        return f"network.chain_rule[{layer}].{entry}", f"network.gradients[{layer}].{entry}"

    def weight_and_bias_gradients(
        self, layer: int, neuron: int, input: int, delta: str
    ) -> tuple[TracedMath, TracedMath, TracedMatrix]:
        """Layer ``layer``'s gradient of one weight (of ``neuron``, from ``input``) and
        of that neuron's bias, each worked over the samples from the error signal
        ``delta`` (sample i's, times the layer's input for the weight), and the
        :func:`gradient_table` of both beside autograd's ``.grad``."""
        n = self.notation
        chain = f"network.chain_rule[{layer}]"
        inputs = f"network.layers[{layer}].input"
        letter = "x" if layer == 0 else "g"
        weight = n.weight(layer + 1, neuron, input)
        bias = n.bias(layer + 1, neuron)
        weight_entry, bias_entry = f"weight[{neuron}][{input}]", f"bias[{neuron}]"
        samples = self.trace.network.samples
        weight_block = worked_over_samples(
            self.traced,
            derivative("L", weight),
            f"sum_i {delta} {n.entry(letter, layer, input, 'i')}",
            lambda i: [
                Value(f"{chain}.delta[{i}][{neuron}]", style.GRADIENT, paren=True),
                Value(f"{inputs}[{i}][{input}]", style.ACTIVE, paren=True),
            ],
            samples,
            f"{chain}.{weight_entry}",
            font_size=style.MATRIX_SIZE,
        )
        bias_block = worked_over_samples(
            self.traced,
            derivative("L", bias),
            f"sum_i {delta}",
            lambda i: [Value(f"{chain}.delta[{i}][{neuron}]", style.GRADIENT, paren=True)],
            samples,
            f"{chain}.{bias_entry}",
            font_size=style.MATRIX_SIZE,
        )
        table = gradient_table(
            self.traced,
            [
                (slash_derivative("L", weight), *self.gradient_paths(layer, weight_entry)),
                (slash_derivative("L", bias), *self.gradient_paths(layer, bias_entry)),
            ],
        )
        return weight_block, bias_block, table

    def show_title(self, text: str) -> Mobject:
        self.title = super().show_title(text)
        return self.title

    def clear_slide(self) -> None:
        """Fade out everything but the title and the caption."""
        keep = {id(self.title), id(self.caption)}
        leaving = [m for m in self.mobjects if id(m) not in keep]
        if leaving:
            self.play(*(FadeOut(m) for m in leaving))

    def new_slide(self, *caption: str | Value) -> None:
        """A step (see :meth:`LectureScene.step`) that starts on a cleared slide."""
        self.step(*caption)
        self.clear_slide()

    def stack(self, *groups: Mobject) -> VGroup:
        """``groups`` one under the other below the title, kept in the frame."""
        stack = VGroup(*groups).arrange(DOWN, buff=style.BLOCK_BUFF)
        stack.next_to(self.title, DOWN, buff=style.BLOCK_BUFF)
        return self.keep_in_frame(stack)

    def draw_curve(self, plot: ValueCurve) -> None:
        """``plot`` below the title: its axes, its curve dot by dot, the marks of
        values that are not finite (with their note), then the current value."""
        plot.next_to(self.title, DOWN, buff=style.BLOCK_BUFF)
        self.keep_in_frame(plot)
        self.play(Create(plot.axes), FadeIn(plot.labels))
        self.play(
            Create(plot.curve),
            LaggedStart(*(FadeIn(dot) for dot in plot.dots)),
            run_time=style.CURVE_TIME,
        )
        if len(plot.markers):
            self.play(FadeIn(plot.markers), FadeIn(plot.note))
        self.play(FadeIn(plot.current))
        self.pause()

    def labelled(self, matrix: TracedMatrix, symbol: str, classes: bool = False) -> VGroup:
        """A matrix with its name (notation) above it; with ``classes`` (a column
        per class), the lesson's class names as column heads between the two
        (:func:`scenekit.classes.class_heads`, empty when the lesson only numbers
        its classes): ``[name, matrix, heads]``, the matrix still at index 1."""
        name = MathTypst(symbol, font_size=style.LABEL_SIZE, color=style.MUTED)
        if not classes:
            return VGroup(name.next_to(matrix, UP, buff=style.LINE_BUFF), matrix)
        heads = class_heads(matrix, self.trace.network.class_names)
        above = VGroup(matrix, heads) if len(heads) else matrix
        return VGroup(name.next_to(above, UP, buff=style.LINE_BUFF), matrix, heads)

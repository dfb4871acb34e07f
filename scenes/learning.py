"""Pieces the learning scenes share: worked sums over the samples, gradients set
beside autograd's, and a scene that clears and stacks its slides.

``ChainRule``, ``Backpropagation`` and ``GradientDescent`` build on these, so the
same arithmetic is written, checked and laid out the same way in all three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from manim import (
    DOWN,
    LEFT,
    UP,
    FadeIn,
    FadeOut,
    Indicate,
    Mobject,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    Write,
)
from manim.mobject.text.typst_mobject import MathTypst

from scenes import style
from scenes.lecture_scene import LectureScene
from scenes.traced import TIMES, Checked, Op, Term, TracedMath, TracedMatrix, TracedValues, Value

__all__ = [
    "CLOSE_BRACKET",
    "MINUS_TWO",
    "NEW_LINE",
    "OPEN_BRACKET",
    "LearningScene",
    "gradient_table",
    "play_gradients",
    "skeleton",
    "worked_over_samples",
]

MINUS_TWO = Op("(-2)", "(-2)")  # dZ/df = 2f times df/dw = -g: the formula's constant
OPEN_BRACKET = Op("bracket.l", "(")
CLOSE_BRACKET = Op("bracket.r", ")")
NEW_LINE = Op("\\\n &", "")  # shown arithmetic goes on below, aligned at its "="
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


def skeleton(matrix: TracedMatrix, columns: Sequence[int]) -> VGroup:
    """What a grid shows besides the entries of ``columns``: header, symbols, dots."""
    entries = {
        id(member)
        for row in matrix.shown_rows
        for column in columns
        if column in matrix.shown_columns
        for member in matrix.entry(row, column).get_family()
    }
    return VGroup(*(m for m in matrix.submobjects if id(m) not in entries))


def play_gradients(
    scene: LectureScene,
    worked: dict[int, TracedMath],
    table: TracedMatrix,
    captions: Sequence[str],
    point: Callable[[int], None] | None = None,
) -> None:
    """Each worked gradient in turn; its result moves into row ``row`` of a
    :func:`gradient_table`, and autograd's value appears beside it.

    ``captions[i]``, when given and not empty, starts a step before the i-th
    gradient; ``point(row)`` may highlight where its numbers come from.
    """
    hand, torch = 1, 2
    scene.play(FadeIn(skeleton(table, [hand, torch])))
    shown = None
    for index, (row, block) in enumerate(worked.items()):
        if index < len(captions) and captions[index]:
            scene.step(captions[index])
        scene.play(Write(block) if shown is None else ReplacementTransform(shown, block))
        shown = block
        if point is not None:
            point(row)
        result = block.part(len(block.value_labels) - 1)
        scene.play(TransformFromCopy(result, table.entry(row, hand)))
        scene.play(FadeIn(table.entry(row, torch), shift=LEFT * style.NUDGE))
        if index == 0:
            scene.play(
                Indicate(table.entry(row, hand), color=style.HIGHLIGHT),
                Indicate(table.entry(row, torch), color=style.HIGHLIGHT),
            )
        scene.pause()


class LearningScene(LectureScene):
    """A lecture scene of slides under one title: each slide clears the last one."""

    def show_title(self, text: str) -> Mobject:
        self.title = super().show_title(text)
        return self.title

    def clear_slide(self) -> None:
        """Fade out everything but the title and the caption."""
        keep = {id(self.title), id(self._caption)}
        leaving = [m for m in self.mobjects if id(m) not in keep]
        if leaving:
            self.play(*(FadeOut(m) for m in leaving))

    def stack(self, *groups: Mobject) -> VGroup:
        """``groups`` one under the other below the title, kept in the frame."""
        stack = VGroup(*groups).arrange(DOWN, buff=style.BLOCK_BUFF)
        stack.next_to(self.title, DOWN, buff=style.BLOCK_BUFF)
        return self.keep_in_frame(stack)

    def labelled(self, matrix: TracedMatrix, symbol: str) -> VGroup:
        """A matrix with its name (notation) above it."""
        name = MathTypst(symbol, font_size=style.LABEL_SIZE, color=style.MUTED)
        return VGroup(name.next_to(matrix, UP, buff=style.LINE_BUFF), matrix)

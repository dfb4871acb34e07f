"""Shared visual pieces: neuron and network diagrams, matrix helpers; placed by relation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UR,
    Animation,
    Arrow,
    Circle,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    VGroup,
    config,
    rotate_vector,
)

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.legibility import TEXT_FRACTION
from scenekit.network_diagram import NetworkDiagram
from scenekit.notation import indexed
from scenekit.terms import Value
from scenekit.traced import TracedMatrix, TracedValues, shown_indices

__all__ = ["NetworkDiagram", "NeuronDiagram", "label_row", "lay_over", "make_fill"]


class NeuronDiagram(VGroup):
    """Inputs on the left, weights on the edges, one neuron with its bias, an output.

    Parts are kept by role (``inputs``, ``edges``, ``weights``, ``neuron``,
    ``bias``, ``output``) so a scene can highlight the path of one product.
    Every number on it (inputs, weights, bias) is traced from
    ``neurons[neuron]`` of the trace, for sample ``sample``.

    With more inputs than their weights have room for along the edges (labels
    that would overlap), the diagram is ``stacked``: the weights stand in a
    column before the neuron, each edge running into its weight (as
    :class:`NetworkDiagram` writes them), and the inputs close up to fit
    ``height`` when it is given (the room the scene has for the diagram).

    Examples
    --------
    >>> diagram = NeuronDiagram(self.traced, neuron=0, sample=0)  # doctest: +SKIP
    >>> self.play(Emphasize(diagram.weights[0]), Emphasize(diagram.inputs[0]))  # doctest: +SKIP
    """

    def __init__(
        self,
        traced: TracedValues,
        neuron: int,
        sample: int = 0,
        height: float | None = None,
        output: str = "hat(y)",  # its output's name (scenekit.notation.neuron_output)
    ):
        super().__init__()
        base = f"neurons[{neuron}]"
        count = traced.shape(f"{base}.weight")[0]

        def named(symbol: str, i: int, path: str, color: Any, font_size: float) -> VGroup:
            """``x_1 = 1``: the i-th input's or weight's name and its traced value."""
            return traced.math(
                indexed(symbol, i + 1), "=", Value(path), color=color, font_size=font_size
            )

        def dots() -> MathTypst:
            return MathTypst("dots.v", font_size=style.MATH_SIZE)

        def input_label(i: int) -> VGroup:
            return named("x", i, f"{base}.inputs[{sample}][{i}]", style.INPUT, style.MATH_SIZE)

        picks: list[int | None] = list(range(count))
        if height is not None and count > 1:  # no more inputs than fit legibly, the rest elided
            tall = input_label(0).height + style.LINE_BUFF
            picks = shown_indices(
                count, max(style.MIN_MATRIX_COLUMNS, int((height + style.LINE_BUFF) // tall))
            )
        self.inputs = VGroup(*(dots() if i is None else input_label(i) for i in picks)).arrange(
            DOWN, buff=style.INPUT_SPACING, aligned_edge=RIGHT
        )
        self.neuron = Circle(radius=style.NEURON_RADIUS * 1.4, color=style.TEXT)
        self.neuron.next_to(self.inputs, RIGHT, buff=style.LAYER_GAP)
        self.sigma = MathTypst("sum", font_size=style.MATH_SIZE).move_to(self.neuron)
        self.edges = VGroup(
            *(Line(label, self.neuron, buff=0.1, color=style.MUTED) for label in self.inputs)
        )
        self.weights = VGroup(
            *(
                _label_along(
                    dots()
                    if i is None
                    else named("w", i, f"{base}.weight[{i}]", style.WEIGHT, style.EDGE_LABEL_SIZE),
                    edge,
                )
                for i, edge in zip(picks, self.edges)
            )
        )
        self.stacked = None in picks or _crowded(self.weights, self.inputs)
        if self.stacked:
            self._stack_weights(height, [i is None for i in picks])
        self.bias = traced.math(
            "b =", Value(f"{base}.bias"), color=style.BIAS, font_size=style.LABEL_SIZE
        ).next_to(self.neuron, UP, buff=style.LINE_BUFF)
        self.output = Arrow(
            self.neuron.get_right(), self.neuron.get_right() + RIGHT * style.OUTPUT_ARROW, buff=0.05
        )
        self.output_label = MathTypst(output, font_size=style.MATH_SIZE).next_to(
            self.output, RIGHT, buff=style.LINE_BUFF
        )
        self.add(
            self.inputs,
            self.edges,
            self.weights,
            self.neuron,
            self.sigma,
            self.bias,
            self.output,
            self.output_label,
        )
        if self.stacked:
            # right of the neuron's middle, where no edge converging on it comes
            self.bias.align_to(self.neuron.get_center() + RIGHT * style.LABEL_GAP, LEFT)

    def _stack_weights(self, height: float | None, elided: list[bool]) -> None:
        """Weights in a column before the neuron, each edge broken by its weight
        (none from the dots standing for the ``elided`` inputs)."""
        for label, edge in zip(self.weights, self.edges):
            label.rotate(-edge.get_angle())
        if height is not None and len(self.inputs) > 1:
            free = height - sum(label.height for label in self.inputs)
            spacing = min(style.INPUT_SPACING, free / (len(self.inputs) - 1))
            self.inputs.arrange(DOWN, buff=max(style.WEIGHT_BUFF, spacing), aligned_edge=RIGHT)
        # the weights span half way from the inputs' height to the neuron's, so the
        # edges close in on them as steeply as they go on into the neuron
        span = (self.inputs.height + self.neuron.height) / 2
        free = span - sum(label.height for label in self.weights)
        spacing = free / max(len(self.weights) - 1, 1)
        self.weights.arrange(
            DOWN, buff=min(max(spacing, style.WEIGHT_BUFF), style.INPUT_SPACING), aligned_edge=LEFT
        )
        # each half of the fan about as wide as it closes in, within bounds
        fan = (self.inputs.height - self.weights.height) / 2
        self.weights.next_to(
            self.inputs, RIGHT, buff=min(max(fan, style.EDGE_STUB), style.LAYER_GAP / 2)
        )
        stub = (self.weights.height - self.neuron.height) / 2
        self.neuron.next_to(
            self.weights, RIGHT, buff=min(max(stub, style.EDGE_STUB), style.LAYER_GAP / 2)
        )
        self.sigma.move_to(self.neuron)
        left = self.weights.get_left()[0] - style.LABEL_GAP
        right = self.weights.get_right()[0] + style.LABEL_GAP
        self.edges = VGroup(
            *(
                VGroup()
                if dots
                else VGroup(
                    Line(source, [left, weight.get_y(), 0], buff=style.LABEL_GAP),
                    Line([right, weight.get_y(), 0], self.neuron, buff=style.LABEL_GAP),
                ).set_color(style.MUTED)
                for source, weight, dots in zip(self.inputs, self.weights, elided)
            )
        )


def _crowded(labels: VGroup, others: VGroup) -> bool:
    """Whether any of ``labels`` overlaps another of them or one of ``others``."""
    boxes = [(label.get_corner(DL), label.get_corner(UR)) for label in labels]
    placed = [(other.get_corner(DL), other.get_corner(UR)) for other in others]
    return any(
        _boxes_meet(box, other)
        for i, box in enumerate(boxes)
        for other in (*boxes[i + 1 :], *placed)
    )


def _boxes_meet(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
    (a_low, a_high), (b_low, b_high) = a, b
    return bool((a_low[:2] < b_high[:2]).all() and (b_low[:2] < a_high[:2]).all())


def _label_along(label: VGroup, edge: Line) -> VGroup:
    """Turn ``label`` to run along ``edge`` and sit just above it, nearer its input
    (``style.NEURON_LABEL_AT`` of the way): the edges close in on the neuron."""
    lift = label.height / 2 + style.LABEL_GAP
    label.rotate(edge.get_angle())
    start, end = edge.get_start(), edge.get_end()
    at = start + style.NEURON_LABEL_AT * (end - start)
    return label.move_to(at + rotate_vector(UP, edge.get_angle()) * lift)


def down_columns(group: VGroup, columns: int, alignment: Any) -> VGroup:
    """``group``'s pieces down ``columns`` columns, in order, each column top to
    bottom, each piece aligned to ``alignment`` (``LEFT``, ``RIGHT``) in its cell."""
    return group.arrange_in_grid(
        rows=math.ceil(len(group) / columns),
        cols=columns,
        flow_order="dr",
        buff=(style.BLOCK_BUFF, style.LINE_BUFF),
        cell_alignment=alignment,
    )


def lay_over(symbols: TracedMatrix, values: TracedMatrix) -> VGroup:
    """Centre ``symbols`` on ``values`` (same shape), and each entry on its entry.

    The symbols then stand where their numbers will, inside the numbers'
    brackets, and each can turn into its number in place without crowding
    its neighbours. Returns the moved entries.

    Examples
    --------
    >>> entries = lay_over(symbols, product)  # doctest: +SKIP
    >>> self.play(FadeIn(product.frame()), Write(entries))  # doctest: +SKIP
    """
    symbols.move_to(values)
    entries = VGroup()
    for row in values.shown_rows:
        for column in values.shown_columns:
            entry = symbols.entry(row, column)
            entries.add(entry.move_to(values.entry(row, column)))
    _fit_rows(entries, values)
    return entries


def _fit_rows(entries: VGroup, values: TracedMatrix) -> None:
    """Symbols with a subscript and a superscript (``k_3^((1))``) are taller than a row
    of numbers: one row's subscript would touch the next row's superscript. Each
    shrinks about its centre to the rows' pitch (less ``style.LABEL_GAP``), but no
    glyph below the legible size (``scenekit.legibility.TEXT_FRACTION``)."""
    rows, column = list(values.shown_rows), values.shown_columns[0]
    if len(rows) < 2 or not len(entries):
        return
    heights = [values.entry(row, column).get_center()[1] for row in rows]
    pitch = min(abs(upper - lower) for upper, lower in pairwise(heights))
    tallest = max(entry.height for entry in entries)
    smallest = min(glyph.height for glyph in entries.family_members_with_points())
    least = 1.02 * TEXT_FRACTION * config.frame_height / smallest  # a margin over the floor
    scale = max((pitch - style.LABEL_GAP) / tallest, least)
    if scale < 1:
        for entry in entries:
            entry.scale(scale)


def label_row(
    row: Mobject, matrices: Sequence[Mobject], names: Sequence[Mobject], sizes: Sequence[Mobject]
) -> None:
    """Each matrix's name above ``row`` and its size below it, centred on the matrix.

    Names stay on one line and sizes on another however tall each matrix is,
    so a row of matrices reads like an equation.

    Examples
    --------
    >>> equation = VGroup(k, plus, b, equals, n).arrange(RIGHT)  # doctest: +SKIP
    >>> label_row(equation, (k, b, n), names, sizes)  # doctest: +SKIP
    """
    for name, size, matrix in zip(names, sizes, matrices):
        name.next_to(row, UP, buff=style.LINE_BUFF, coor_mask=UP).match_x(matrix)
        size.next_to(row, DOWN, buff=style.LINE_BUFF, coor_mask=UP).match_x(matrix)


def label_equation(
    equation: VGroup,
    matrices: Sequence[Mobject],
    names: Sequence[Mobject],
    sizes: Sequence[Mobject],
    stacked: bool,
) -> None:
    """``A op B = C`` (``equation``'s five pieces) with each matrix's name and size,
    as :func:`label_row`; ``stacked`` (too wide for one line even elided: long
    numbers) puts ``= C`` on a line of its own under ``A``, its name and size
    beside it rather than above and below, so the two lines stay low."""
    if not stacked:
        label_row(equation, matrices, names, sizes)
        return
    factors = VGroup(*equation[:3]).arrange(RIGHT, buff=style.LINE_BUFF)
    result = VGroup(*equation[3:]).arrange(RIGHT, buff=style.LINE_BUFF)
    label_row(factors, matrices[:2], names[:2], sizes[:2])
    VGroup(names[2], sizes[2]).arrange(DOWN, buff=style.LINE_BUFF).next_to(
        result, RIGHT, buff=style.LINE_BUFF
    )
    VGroup(result, names[2], sizes[2]).next_to(
        VGroup(factors, *sizes[:2]), DOWN, buff=style.BLOCK_BUFF, aligned_edge=LEFT
    )


def make_fill(
    result: Mobject, symbols: TracedMatrix, values: TracedMatrix, row: int, column: int
) -> tuple[Animation, Animation, Animation]:
    """Entry (``row``, ``column``) of ``values`` shows in its place as ``result`` (a
    worked formula's total) lights up, while the symbol laid over it fades out.

    No copy flies from the total to the entry: on its way up from under the
    equation it would pass over the symbols below the entry (and the sizes).

    Examples
    --------
    >>> self.play(*make_fill(worked.result, symbols, product, 0, 0))  # doctest: +SKIP
    """
    return (
        FadeOut(symbols.entry(row, column)),
        Emphasize(result),
        FadeIn(values.entry(row, column)),
    )

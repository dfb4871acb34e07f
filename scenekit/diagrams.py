"""Shared visual pieces: neuron and network diagrams, matrix helpers; placed by relation."""

from __future__ import annotations

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
    BackgroundRectangle,
    Circle,
    FadeOut,
    Line,
    Mobject,
    TransformFromCopy,
    VGroup,
    rotate_vector,
)

from scenekit import style
from scenekit.formulas import MathTypst
from scenekit.notation import NetworkNotation, indexed
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
    >>> self.play(Indicate(diagram.weights[0]), Indicate(diagram.inputs[0]))  # doctest: +SKIP
    """

    def __init__(
        self, traced: TracedValues, neuron: int, sample: int = 0, height: float | None = None
    ):
        super().__init__()
        base = f"neurons[{neuron}]"
        count = traced.shape(f"{base}.weight")[0]

        def named(symbol: str, i: int, path: str, color: Any, font_size: float) -> VGroup:
            """``x_1 = 1``: the i-th input's or weight's name and its traced value."""
            return traced.math(
                indexed(symbol, i + 1), "=", Value(path), color=color, font_size=font_size
            )

        self.inputs = VGroup(
            *(
                named("x", i, f"{base}.inputs[{sample}][{i}]", style.INPUT, style.MATH_SIZE)
                for i in range(count)
            )
        ).arrange(DOWN, buff=style.INPUT_SPACING, aligned_edge=RIGHT)
        self.neuron = Circle(radius=style.NEURON_RADIUS * 1.4, color=style.TEXT)
        self.neuron.next_to(self.inputs, RIGHT, buff=style.LAYER_GAP)
        self.sigma = MathTypst("sum", font_size=style.MATH_SIZE).move_to(self.neuron)
        self.edges = VGroup(
            *(Line(label, self.neuron, buff=0.1, color=style.MUTED) for label in self.inputs)
        )
        self.weights = VGroup(
            *(
                _label_along(
                    named("w", i, f"{base}.weight[{i}]", style.WEIGHT, style.SMALL_SIZE), edge
                )
                for i, edge in enumerate(self.edges)
            )
        )
        self.stacked = _crowded(self.weights, self.inputs)
        if self.stacked:
            self._stack_weights(height)
        self.bias = traced.math(
            "b =", Value(f"{base}.bias"), color=style.BIAS, font_size=style.LABEL_SIZE
        ).next_to(self.neuron, UP, buff=style.LINE_BUFF)
        self.output = Arrow(
            self.neuron.get_right(), self.neuron.get_right() + RIGHT * style.OUTPUT_ARROW, buff=0.05
        )
        self.output_label = MathTypst("hat(y)", font_size=style.MATH_SIZE).next_to(
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
            # the edges converging on the neuron pass behind the bias, never through it
            self.add_to_back(BackgroundRectangle(self.bias, fill_opacity=1, buff=style.LABEL_GAP))
            self.add_to_back(self.edges)

    def _stack_weights(self, height: float | None) -> None:
        """Weights in a column before the neuron, each edge broken by its weight."""
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
                VGroup(
                    Line(source, [left, weight.get_y(), 0], buff=style.LABEL_GAP),
                    Line([right, weight.get_y(), 0], self.neuron, buff=style.LABEL_GAP),
                ).set_color(style.MUTED)
                for source, weight in zip(self.inputs, self.weights)
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
    """Turn ``label`` to run along ``edge`` and sit just above its middle."""
    lift = label.height / 2 + style.LABEL_GAP
    label.rotate(edge.get_angle())
    return label.move_to(edge.get_center() + rotate_vector(UP, edge.get_angle()) * lift)


class NetworkDiagram(VGroup):
    """The network as the lecture draws it: a column of neurons per layer, every edge.

    Neurons carry the lecture's names (``x_1``, ``n_3``, ``hat(y)``). A small
    network carries its numbers too: each neuron's incoming weights stacked at
    its left (one row of that layer's ``W``), each edge running into its weight,
    and the bias under the neuron. A column with more neurons than a slide holds
    is drawn elided - the first ones, dots, the last - and under every column
    stands its true size. Parts by role: ``circles[l][i]``, ``edges[l]`` (into
    layer ``l``), ``weights[l]``, ``biases[l]``, ``columns[l]``, ``sizes[l]``.

    Examples
    --------
    >>> notation = NetworkNotation(self.trace.network.sizes)  # doctest: +SKIP
    >>> diagram = NetworkDiagram(self.traced, notation)  # doctest: +SKIP
    >>> self.play(FadeIn(diagram.columns), Create(diagram.edges[1]))  # doctest: +SKIP
    """

    def __init__(self, traced: TracedValues, notation: NetworkNotation):
        super().__init__()
        sizes = notation.sizes
        self.shown = [
            [i for i in shown_indices(size, style.MAX_DIAGRAM_NEURONS) if i is not None]
            for size in sizes
        ]
        self.labelled = (
            max(sizes) <= style.MAX_LABELLED_NEURONS
            and sum(a * b for a, b in pairwise(sizes)) <= style.MAX_EDGE_LABELS
        )
        self.circles: list[dict[int, Circle]] = []
        self.weights: list[VGroup] = []
        self.biases: list[VGroup] = []
        self._stacks: dict[tuple[int, int], list[tuple[int, VGroup]]] = {}
        self.columns = VGroup(
            *(self._column(traced, notation, layer) for layer in range(len(sizes)))
        ).arrange(RIGHT, buff=style.DIAGRAM_GAP)
        self.edges = [VGroup(), *(self._edges(layer) for layer in range(1, len(sizes)))]
        self.sizes = VGroup(*(self._size(traced, layer, len(sizes)) for layer in range(len(sizes))))
        for label, column in zip(self.sizes, self.columns):
            label.next_to(self.columns, DOWN, buff=style.LINE_BUFF, coor_mask=UP).match_x(column)
        self.add(*self.edges, self.columns, self.sizes)

    # -- building -------------------------------------------------------------------
    def _column(self, traced: TracedValues, notation: NetworkNotation, layer: int) -> VGroup:
        """One layer's neurons, top to bottom, with room for their numbers."""
        circles, weights, biases = {}, VGroup(), VGroup()
        slots = []
        picks = shown_indices(notation.sizes[layer], style.MAX_DIAGRAM_NEURONS)
        for index in picks:
            if index is None:
                slots.append((None, MathTypst("dots.v", font_size=style.LABEL_SIZE)))
                continue
            circle = Circle(radius=style.NEURON_RADIUS, color=style.TEXT)
            name = MathTypst(notation.neuron(layer, index), font_size=style.LABEL_SIZE)
            if name.width > circle.width * style.NAME_FILL:
                name.scale_to_fit_width(circle.width * style.NAME_FILL)
            slot = VGroup(circle, name.move_to(circle))
            if self.labelled and layer > 0:
                stack = self._weight_stack(traced, layer, index)
                stack.next_to(circle, LEFT, buff=style.EDGE_STUB)
                bias = traced.math(
                    "b =",
                    Value(f"network.layers[{layer - 1}].bias[{index}]"),
                    color=style.BIAS,
                    font_size=style.EDGE_LABEL_SIZE,
                ).next_to(circle, DOWN, buff=style.LABEL_GAP)
                weights.add(stack)
                biases.add(bias)
                # edges pass behind the bias, never through it
                backdrop = BackgroundRectangle(bias, fill_opacity=1, buff=style.LABEL_GAP)
                slot.add(stack, backdrop, bias)
            circles[index] = circle
            slots.append((circle, slot))
        column = VGroup()
        for anchor, slot in slots:
            if len(column):
                slot.next_to(column, DOWN, buff=style.NEURON_BUFF, coor_mask=UP)
                here = anchor if anchor is not None else slot
                slot.shift(RIGHT * (column[0][0].get_x() - here.get_x()))
            column.add(slot)
        self.circles.append(circles)
        self.weights.append(weights)
        self.biases.append(biases)
        return column

    def _weight_stack(self, traced: TracedValues, layer: int, index: int) -> VGroup:
        """The weights into neuron ``index`` of ``layer``, one per shown input, top down."""
        labels = [
            (
                source,
                traced.math(
                    Value(f"network.layers[{layer - 1}].weight[{index}][{source}]"),
                    color=style.WEIGHT,
                    font_size=style.EDGE_LABEL_SIZE,
                ),
            )
            for source in self.shown[layer - 1]
        ]
        self._stacks[(layer, index)] = labels
        return VGroup(*(label for _, label in labels)).arrange(
            DOWN, buff=style.WEIGHT_BUFF, aligned_edge=RIGHT
        )

    def _edges(self, layer: int) -> VGroup:
        """Every edge into ``layer`` between shown neurons (through its weight, if written)."""
        edges = VGroup()
        for target, circle in self.circles[layer].items():
            for source in self.shown[layer - 1]:
                start = self.circles[layer - 1][source]
                if not self.labelled:
                    edges.add(Line(start, circle, color=style.MUTED))
                    continue
                label = dict(self._stacks[(layer, target)])[source]
                edges.add(
                    VGroup(
                        Line(start, label.get_left() + LEFT * style.LABEL_GAP, color=style.MUTED),
                        Line(
                            label.get_right() + RIGHT * style.LABEL_GAP, circle, color=style.MUTED
                        ),
                    )
                )
        return edges

    def _size(self, traced: TracedValues, layer: int, count: int) -> VGroup:
        """The true number of neurons in ``layer``, however many are drawn."""
        if layer == 0:
            path, word = "len(network.layers[0].weight[0])", "input"
        else:
            path = f"len(network.layers[{layer - 1}].bias)"
            word = "output" if layer == count - 1 else "neuron"
        plural = "" if traced.value(path) == 1 else "s"
        return traced.math(
            Value(path), f'"{word}{plural}"', color=style.MUTED, font_size=style.LABEL_SIZE
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
    return entries


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


def make_fill(
    result: Mobject, symbols: TracedMatrix, values: TracedMatrix, row: int, column: int
) -> tuple[Animation, Animation]:
    """Entry (``row``, ``column``) of ``values`` arrives as a copy of ``result`` (a
    worked formula's total) while the symbol laid over it fades out.

    Examples
    --------
    >>> self.play(*make_fill(worked.result, symbols, product, 0, 0))  # doctest: +SKIP
    """
    return FadeOut(symbols.entry(row, column)), TransformFromCopy(result, values.entry(row, column))

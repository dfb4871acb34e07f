"""Shared visual pieces: neuron and network diagrams, matrix helpers; placed by relation."""

from __future__ import annotations

from itertools import pairwise

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    BackgroundRectangle,
    Circle,
    Line,
    VGroup,
    rotate_vector,
)
from manim.mobject.text.typst_mobject import MathTypst

from scenes import style
from scenes.notation import NetworkNotation, indexed
from scenes.traced import TracedMatrix, TracedValues, Value, _shown_indices

__all__ = ["NetworkDiagram", "NeuronDiagram", "lay_over", "matrix_frame"]


class NeuronDiagram(VGroup):
    """Inputs on the left, weights on the edges, one neuron with its bias, an output.

    Parts are kept by role (``inputs``, ``edges``, ``weights``, ``neuron``,
    ``bias``, ``output``) so a scene can highlight the path of one product.
    """

    def __init__(self, traced: TracedValues, neuron: int, sample: int = 0):
        super().__init__()
        base = f"neurons[{neuron}]"
        count = traced.shape(f"{base}.weight")[0]
        self.inputs = VGroup(
            *(
                traced.math(
                    indexed("x", i + 1),
                    "=",
                    Value(f"{base}.inputs[{sample}][{i}]"),
                    color=style.INPUT,
                    font_size=style.MATH_SIZE,
                )
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
                    traced.math(
                        indexed("w", i + 1),
                        "=",
                        Value(f"{base}.weight[{i}]"),
                        color=style.WEIGHT,
                        font_size=style.SMALL_SIZE,
                    ),
                    edge,
                )
                for i, edge in enumerate(self.edges)
            )
        )
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


def _label_along(label: VGroup, edge: Line) -> VGroup:
    """Turn ``label`` to run along ``edge`` and sit just above its middle."""
    lift = label.height / 2 + style.LABEL_GAP
    label.rotate(edge.get_angle())
    return label.move_to(edge.get_center() + rotate_vector(UP, edge.get_angle()) * lift)


def matrix_frame(matrix: TracedMatrix) -> VGroup:
    """What a matrix shows besides its entries: brackets, header, dots where elided."""
    entries = {id(m) for row in matrix.shown_rows for m in matrix.row(row).get_family()}
    return VGroup(*(m for m in matrix.submobjects if id(m) not in entries))


class NetworkDiagram(VGroup):
    """The network as the lecture draws it: a column of neurons per layer, every edge.

    Neurons carry the lecture's names (``x_1``, ``n_3``, ``hat(y)``). A small
    network carries its numbers too: each neuron's incoming weights stacked at
    its left (one row of that layer's ``W``), each edge running into its weight,
    and the bias under the neuron. A column with more neurons than a slide holds
    is drawn elided - the first ones, dots, the last - and under every column
    stands its true size. Parts by role: ``circles[l][i]``, ``edges[l]`` (into
    layer ``l``), ``weights[l]``, ``biases[l]``, ``columns[l]``, ``sizes[l]``.
    """

    def __init__(self, traced: TracedValues, notation: NetworkNotation):
        super().__init__()
        sizes = notation.sizes
        self.shown = [
            [i for i in _shown_indices(size, style.MAX_DIAGRAM_NEURONS) if i is not None]
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
        picks = _shown_indices(notation.sizes[layer], style.MAX_DIAGRAM_NEURONS)
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
    """Centre each entry of ``symbols`` on the same entry of ``values`` (same shape).

    The symbols then stand where their numbers will, inside the numbers'
    brackets, and each can turn into its number in place without crowding
    its neighbours. Returns the moved entries.
    """
    entries = VGroup()
    for row in values.shown_rows:
        for column in values.shown_columns:
            entry = symbols.entry(row, column)
            entries.add(entry.move_to(values.entry(row, column)))
    return entries

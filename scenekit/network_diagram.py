"""The network as a textbook figure: columns of neurons, every edge, each weight on its own edge.

Split from :mod:`scenekit.diagrams` (which re-exports it) to keep each module short.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from manim import DL, DOWN, LEFT, RIGHT, UP, UR, BackgroundRectangle, Circle, Line, Mobject, VGroup

from scenekit import style
from scenekit.crossings import crossings
from scenekit.formulas import MathTypst, Typst
from scenekit.notation import NetworkNotation
from scenekit.terms import Value
from scenekit.traced import TracedValues, shown_indices

__all__ = ["NetworkDiagram"]

RADIUS = style.NEURON_RADIUS  # a neuron's (a labelled deck network fits the slide only so)
NAME_SIZE = 36  # a neuron's name inside its circle: even its subscript well above 1/60 of the frame
BARE_GAPS = (style.DIAGRAM_GAP, 1.2, 0.9)  # edge lengths a diagram without numbers may close up to


class NetworkDiagram(VGroup):
    """The network as a textbook draws it: a column of neurons per layer, every edge.

    Neurons carry the lecture's names (``x_1``, ``n_3``, ``hat(y)``); every edge
    is coloured by its weight's sign (``style.POSITIVE_WEIGHT``,
    ``style.NEGATIVE_WEIGHT``) and as wide as its size (one monotone map for
    the whole network), told by a one-line ``legend``. Under each column stands
    its layer's role and true size (``input (2)``, ``hidden (3)``, ``output (1)``).
    A column with more neurons than a slide holds (``max_neurons``, fewer when
    ``height`` asks) is drawn elided - the first ones, dots, the last; a network
    with more layers than ``width`` holds, likewise - the first layers, a column
    of dots (short stubs where the edges would run), the output layer.

    A small network carries its numbers too (``labelled``): each weight on its
    own edge, at one fraction along it for all the edges into a layer, in an
    opaque box the edge runs behind; the bias under each neuron; and, above
    each neuron, its value for sample ``sample`` (``values``, shown by the
    forward pass). The columns spread apart until no weight touches another, a
    node or another edge; a network whose numbers do not fit ``width`` x
    ``height`` at legible size is drawn without them (``labelled`` is False).
    Parts by role: ``circles[l][i]``, ``edges[l]`` (into layer ``l``),
    ``weights[l]``, ``biases[l]``, ``values[l]`` (all empty for a layer elided),
    ``columns`` and ``sizes`` (one per drawn column, in order; ``layers`` says
    which layer each is, ``None`` for the dots), ``legend``; ``edge_of[(l, i, j)]``
    and ``weight_of[(l, i, j)]``: the edge into neuron ``i`` of layer ``l`` from
    neuron ``j`` before it, and its label.

    Examples
    --------
    >>> notation = NetworkNotation(self.trace.network.sizes)  # doctest: +SKIP
    >>> room = self.room_below(title)  # doctest: +SKIP
    >>> diagram = NetworkDiagram(self.traced, notation, height=room)  # doctest: +SKIP
    >>> self.play(FadeIn(diagram.columns), Create(diagram.edges[1]))  # doctest: +SKIP
    """

    def __init__(
        self,
        traced: TracedValues,
        notation: NetworkNotation,
        sample: int = 0,
        labelled: bool = True,
        width: float | None = None,
        height: float | None = None,
        legend: bool = True,
        max_neurons: int | None = None,
    ):
        super().__init__()
        sizes = notation.sizes
        self._limit = max_neurons or style.MAX_DIAGRAM_NEURONS
        self._with_legend = legend
        self.shown = [
            [i for i in shown_indices(size, self._limit) if i is not None] for size in sizes
        ]
        self.labelled = (
            labelled
            and max(sizes) <= style.MAX_LABELLED_NEURONS
            and sum(a * b for a, b in pairwise(sizes)) <= style.MAX_EDGE_LABELS
        )
        self._traced, self._notation, self._sample = traced, notation, sample
        self._made: dict[tuple[int, int], list[VGroup]] = {}  # values and biases, made once
        largest = max(
            (abs(w) for layer in traced.trace.network.layers for row in layer.weight for w in row),
            default=0.0,
        )
        self._largest = largest if largest > 0 else 1.0
        self.layers: list[int | None] = list(range(len(sizes)))
        self._gap = style.DIAGRAM_GAP
        if self.labelled and not self._build(width, height):
            self.labelled = False
        if not self.labelled:
            self._fit_bare(width, height)

    def _fit_bare(self, width: float | None, height: float | None) -> None:
        """Without numbers: as many neurons a column as ``height`` holds, then all
        layers with edges as long as ``width`` allows, else fewer layers (elided)."""
        sizes = self._notation.sizes
        limits = range(self._limit, style.MIN_MATRIX_COLUMNS - 1, -1)
        for limit in limits:
            self._elide(limit, len(sizes), BARE_GAPS[0])
            if self._build(None, height) or limit == limits[-1]:
                break
        for count in range(len(sizes), min(len(sizes), 3) - 1, -1):
            for gap in BARE_GAPS:
                self._elide(limit, count, gap)
                if self._build(width, None):
                    return

    def _elide(self, limit: int, count: int, gap: float) -> None:
        """Show ``limit`` neurons a column at most, ``count`` layers at most, ``gap`` apart."""
        self._limit, self._gap = limit, gap
        self.layers = shown_indices(len(self._notation.sizes), count)
        drawn = {layer for layer in self.layers if layer is not None}
        self.shown = [
            [i for i in shown_indices(size, limit) if i is not None] if layer in drawn else []
            for layer, size in enumerate(self._notation.sizes)
        ]

    # -- building -------------------------------------------------------------------
    def _build(self, width: float | None, height: float | None) -> bool:
        """Lay everything out; False when the numbers do not fit (then build again bare)."""
        self.submobjects = []
        sizes = self._notation.sizes
        self.circles: list[dict[int, Circle]] = [{} for _ in sizes]
        self.columns = VGroup()
        self.weights: list[VGroup] = [VGroup() for _ in sizes]
        self.biases: list[VGroup] = [VGroup() for _ in sizes]
        self.values: list[VGroup] = [VGroup() for _ in sizes]
        self.edges: list[VGroup] = [VGroup() for _ in sizes]
        self.edge_of: dict[tuple[int, int, int], Line] = {}
        self.weight_of: dict[tuple[int, int, int], VGroup] = {}
        self._notes: list[dict[int, list[VGroup]]] = [{} for _ in sizes]
        x = 0.0
        for slot, layer in enumerate(self.layers):
            if not slot:
                self._column(layer, x)
            elif layer is None or self.layers[slot - 1] is None:
                x += 2 * RADIUS + self._gap
                if layer is None:
                    self._dots(self.layers[slot - 1], x)
                else:
                    self._column(layer, x)
                    self._stubs(layer, -1)
            else:
                x = self._next_column(layer, x)
                if x is None:
                    return False
        self.sizes = VGroup(
            *(self._size(layer, len(sizes)) for layer in self.layers if layer is not None)
        )
        bottom = VGroup(self.columns, *self.biases)
        drawn = [c for c, layer in zip(self.columns, self.layers) if layer is not None]
        for label, column in zip(self.sizes, drawn):
            label.next_to(bottom, DOWN, buff=style.LABEL_GAP * 2, coor_mask=UP).match_x(column)
        self.legend = VGroup()
        if self._with_legend:
            self.legend = self._legend().next_to(self.sizes, DOWN, buff=style.LABEL_GAP * 2)
            self.legend.match_x(self.columns)
        self.add(*self.edges, self.columns, *self.biases, *self.weights, *self.values)
        self.add(self.sizes, self.legend)
        apart = all(  # each layer's name clear of the next one's
            a.get_right()[0] + 2 * style.LABEL_GAP < b.get_left()[0]
            for a, b in pairwise(self.sizes)
        )
        fits = apart and (width is None or self.width <= width)
        return fits and (height is None or self.height <= height)

    def _column(self, layer: int, x: float) -> None:
        """One layer's neurons at ``x``, top to bottom, with their value and bias when labelled."""
        traced, sample = self._traced, self._sample
        picks = shown_indices(self._notation.sizes[layer], self._limit)
        notes: dict[int, list[VGroup]] = {}
        for index in picks:
            if index is None or not self.labelled:
                continue
            if (layer, index) in self._made:
                notes[index] = self._made[(layer, index)]
                continue
            path = (
                f"network.layers[0].input[{sample}][{index}]"
                if layer == 0
                else f"network.layers[{layer - 1}].output[{sample}][{index}]"
            )
            color = (
                style.INPUT
                if layer == 0
                else style.PREDICTION
                if layer == len(self._notation.sizes) - 1
                else style.ACTIVATION
            )
            value = _boxed(traced.number(path, color=color, font_size=style.EDGE_LABEL_SIZE))
            notes[index] = [value]
            if layer:
                bias = traced.math(
                    "b =",
                    Value(f"network.layers[{layer - 1}].bias[{index}]"),
                    color=style.BIAS,
                    font_size=style.EDGE_LABEL_SIZE,
                )
                notes[index].append(_boxed(bias))
            self._made[(layer, index)] = notes[index]
        above = max((n[0].height for n in notes.values()), default=0.0)
        below = max((n[1].height for n in notes.values() if len(n) > 1), default=0.0)
        pitch = 2 * RADIUS + style.NEURON_BUFF
        if notes:  # a value above each neuron, a bias below: their boxes keep them apart
            pitch += above + below + 2 * style.LABEL_GAP - style.NEURON_BUFF / 2
        circles, column = {}, VGroup()
        top = (len(picks) - 1) / 2 * pitch
        for slot, index in enumerate(picks):
            point = [x, top - slot * pitch, 0]
            if index is None:
                column.add(MathTypst("dots.v", font_size=NAME_SIZE).move_to(point))
                continue
            circle = Circle(radius=RADIUS, color=style.TEXT).move_to(point)
            name = MathTypst(self._notation.neuron(layer, index), font_size=NAME_SIZE)
            if name.width > circle.width * style.NAME_FILL:
                name.scale_to_fit_width(circle.width * style.NAME_FILL)
            column.add(VGroup(circle, name.move_to(circle)))
            circles[index] = circle
            if index in notes:
                value, *bias = notes[index]
                value.next_to(circle, UP, buff=style.LABEL_GAP)
                self.values[layer].add(value)
                for label in bias:
                    self.biases[layer].add(label.next_to(circle, DOWN, buff=style.LABEL_GAP))
        self.circles[layer] = circles
        self.columns.add(column)
        self._notes[layer] = notes

    def _dots(self, before: int, x: float) -> None:
        """The layers left out: a column of dots at ``x``, stubs out of the layer ``before``."""
        self.columns.add(VGroup(MathTypst("dots.h", font_size=NAME_SIZE).move_to([x, 0, 0])))
        self._stubs(before, 1)

    def _stubs(self, layer: int, side: int) -> None:
        """Short muted edges out of ``layer``'s neurons toward the dots (``side`` 1: to
        the right; -1: into them from the left): the network goes on there."""
        stubs = VGroup()
        for circle in self.circles[layer].values():
            start = circle.get_center() + RIGHT * side * RADIUS
            end = start + RIGHT * side * self._gap / 3
            stubs.add(Line(start, end, color=style.MUTED, stroke_width=style.EDGE_WIDTHS[0]))
        self.columns[-1].add(stubs)

    def _next_column(self, layer: int, x: float) -> float | None:
        """Place ``layer`` right of the last column and its edges (and weights): the
        columns spread until some fraction along the edges holds every weight clear."""
        gap = 2 * RADIUS + self._gap
        drawn = len(self.columns)
        while True:
            self.columns.remove(*self.columns[drawn:])
            self.circles[layer], self._notes[layer] = {}, {}
            self.values[layer], self.biases[layer] = VGroup(), VGroup()
            self._column(layer, x + gap)
            self._edges(layer)
            if not self.labelled:
                return x + gap
            for fraction in style.EDGE_FRACTIONS:
                if self._weights_clear(layer, fraction):
                    return x + gap
            gap += style.NUDGE
            if gap > style.MAX_DIAGRAM_GAP:
                return None

    def _edges(self, layer: int) -> None:
        """Every edge into ``layer`` between shown neurons: colour by sign, width by size."""
        edges = VGroup()
        for target, circle in self.circles[layer].items():
            for source in self.shown[layer - 1]:
                weight = self._traced.value(
                    f"network.layers[{layer - 1}].weight[{target}][{source}]"
                )
                low, high = style.EDGE_WIDTHS
                edge = Line(
                    self.circles[layer - 1][source],
                    circle,
                    color=style.POSITIVE_WEIGHT if weight >= 0 else style.NEGATIVE_WEIGHT,
                    stroke_width=low + (high - low) * min(abs(weight) / self._largest, 1.0),
                )
                self.edge_of[(layer, target, source)] = edge
                edges.add(edge)
        self.edges[layer] = edges

    def _weights_clear(self, layer: int, fraction: float) -> bool:
        """Put each weight into ``layer`` at ``fraction`` along its edge; whether none
        meets another, a neuron, a neuron's value or bias, or another edge."""
        labels = VGroup()
        for (into, target, source), edge in self.edge_of.items():
            if into != layer:
                continue
            if (layer, target, source) not in self.weight_of:
                path = f"network.layers[{layer - 1}].weight[{target}][{source}]"
                number = self._traced.number(
                    path, color=style.WEIGHT, font_size=style.EDGE_LABEL_SIZE
                )
                self.weight_of[(layer, target, source)] = _boxed(number)
            label = self.weight_of[(layer, target, source)]
            start, end = edge.get_start(), edge.get_end()
            labels.add(label.move_to(start + fraction * (end - start)))
        self.weights[layer] = labels
        boxes = np.array([_box(label) for label in labels])
        others = [
            _box(note)
            for notes in self._notes[layer - 1 : layer + 1]
            for group in notes.values()
            for note in group
        ]
        circles = [*self.circles[layer - 1].values(), *self.circles[layer].values()]
        if any(_boxes_meet_flat(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
            return False
        if any(_boxes_meet_flat(a, b) for a in boxes for b in others):
            return False
        for box in boxes:
            for circle in circles:
                nearest = np.clip(circle.get_center()[:2], box[:2], box[2:])
                if np.hypot(*(nearest - circle.get_center()[:2])) < circle.width / 2:
                    return False
        edges = list(self.edges[layer])
        starts = np.array([edge.get_start()[:2] for edge in edges])
        ends = np.array([edge.get_end()[:2] for edge in edges])
        met = crossings(starts, ends, boxes)
        np.fill_diagonal(met, False)  # each weight lies on its own edge
        return not met.any()

    def _size(self, layer: int, count: int) -> VGroup:
        """The layer's role and true size, however many neurons are drawn: ``hidden (3)``."""
        if layer == 0:
            path, word = "len(network.layers[0].weight[0])", "input"
        else:
            path = f"len(network.layers[{layer - 1}].bias)"
            word = "output" if layer == count - 1 else "hidden"
        return self._traced.math(
            f'"{word}" (', Value(path), ")", color=style.MUTED, font_size=style.EDGE_LABEL_SIZE
        )

    def _legend(self) -> VGroup:
        """One line: what an edge's colour and width say."""
        low, high = style.EDGE_WIDTHS

        def swatch(color: Any, width: float) -> Line:
            return Line(
                LEFT * style.LEGEND_SWATCH / 2,
                RIGHT * style.LEGEND_SWATCH / 2,
                color=color,
                stroke_width=width,
            )

        def words(text: str) -> Typst:
            return Typst(text, font_size=style.EDGE_LABEL_SIZE, color=style.MUTED)

        middle = (low + high) / 2
        pieces = [
            swatch(style.POSITIVE_WEIGHT, middle),
            words("positive weight"),
            swatch(style.NEGATIVE_WEIGHT, middle),
            words("negative weight"),
            VGroup(swatch(style.MUTED, low), swatch(style.MUTED, high)).arrange(
                RIGHT, buff=style.LABEL_GAP
            ),
            words("the wider, the larger"),
        ]
        legend = VGroup(*pieces).arrange(RIGHT, buff=style.LINE_BUFF)
        for swatch_, text in zip(pieces[::2], pieces[1::2]):
            text.next_to(swatch_, RIGHT, buff=style.LABEL_GAP * 2)
        return legend


def _boxed(text: Mobject) -> VGroup:
    """``text`` on an opaque box of the background's colour: what runs under it is hidden."""
    return VGroup(BackgroundRectangle(text, fill_opacity=1, buff=style.LABEL_GAP / 2), text)


def _box(mobject: Mobject) -> np.ndarray:
    """Left, bottom, right, top of ``mobject``."""
    (left, bottom, _), (right, top, _) = mobject.get_corner(DL), mobject.get_corner(UR)
    return np.array([left, bottom, right, top])


def _boxes_meet_flat(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])

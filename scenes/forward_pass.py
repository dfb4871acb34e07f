"""The forward pass: layer after layer, the samples' matrix flows through the network
to the prediction, and torch's own ``net(X)`` gives the same numbers."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    MoveToTarget,
    ReplacementTransform,
    VGroup,
    Write,
    config,
)

from scenekit import style
from scenekit.composition import stage
from scenekit.diagrams import NetworkDiagram
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.notation import activation_call
from scenekit.terms import Checked, Value
from scenekit.traced import TracedMatrix

__all__ = ["ForwardPass"]

SAMPLE = 0  # the sample whose values the diagram's neurons show
WHOLE_ROWS = 10  # the most rows a matrix here tries before eliding


class Block(VGroup):
    """A named matrix of one layer: ``N^([1]) = [...]``, its true size underneath."""

    def __init__(self, name: str, matrix: TracedMatrix, size):
        super().__init__()
        self.symbol = name
        self.label = MathTypst(f"{name} =", font_size=style.MATH_SIZE, color=style.MUTED)
        self.matrix = matrix
        self.shape = size
        self.label.next_to(matrix, LEFT, buff=style.LINE_BUFF)
        size.next_to(matrix, DOWN, buff=style.LINE_BUFF)
        self.add(self.label, matrix, size)


class ForwardPass(LectureScene):
    """The network diagram and, layer by layer, ``N^[l] = G^[l-1] W^[l]T + B^[l]`` (then the
    activation, where the lesson has one) until the prediction ``hat(y)``."""

    def construct(self) -> None:
        self.count = len(self.trace.network.layers)
        title = self.show_title("The forward pass")
        self._build(below=title)
        self._place(below=title)
        self._show_network()
        if self.figure.labelled:
            self._show_sample()
        self._show_input()
        for layer in range(self.count):
            self._show_layer(layer)
            if self.activated[layer] is not None:
                self._show_activation(layer)
        self._show_prediction()

    # -- building ---------------------------------------------------------------------
    def _build(self, below) -> None:
        traced = self.traced
        # the network with its numbers, as large as the slide allows; then, beside the
        # matrices, the same network without them
        self.figure = NetworkDiagram(
            traced,
            self.notation,
            sample=SAMPLE,
            width=config.frame_width - 2 * style.EDGE_BUFF,
            height=self.room_below(below),
        )
        self.arrows = [
            self._arrow(f"dot {self._layer('W', layer + 1, 'T')} + {self._layer('B', layer + 1)}")
            for layer in range(self.count)
        ]
        self.net_arrow = self._arrow('"torch"')

    def _layer(self, letter: str, layer: int, transposed: str = "") -> str:
        """``W^([1] T)``: a layer's matrix, its layer a superscript in square brackets
        (``transposed``: ``"T"`` beside it)."""
        name = self.notation.layer_matrix(letter, layer)
        return f"{name[:-1]} {transposed})" if transposed else name

    def _matrices(self, rows: int, columns: int) -> None:
        """Every matrix block, at most ``rows`` x ``columns`` shown (elided beyond)."""
        traced = self.traced

        def matrix(path: str, color):
            return traced.matrix(path, color=color, max_rows=rows, max_columns=columns)

        self.input = Block(
            "X",
            matrix("network.layers[0].input", style.INPUT),
            self._size("network.layers[0].input"),
        )
        self.summed: list[Block] = []  # N^[l] = G^[l-1] W^[l]T + B^[l]
        self.activated: list[Block | None] = []  # G^[l] = f(N^[l]), where there is an f
        output = self.loss_view.output  # the last layer's: the prediction, or the logits Z
        for layer, record in enumerate(self.trace.network.layers):
            base = f"network.layers[{layer}]"
            last = layer == self.count - 1
            has_activation = record.activation != "none"
            name = output if last and not has_activation else self._layer("N", layer + 1)
            self.summed.append(
                Block(
                    name,
                    matrix(f"{base}.preactivation", style.RESULT),
                    self._size(f"{base}.preactivation"),
                )
            )
            self.activated.append(
                Block(
                    output if last else self._layer("G", layer + 1),
                    matrix(f"{base}.output", style.ACTIVE),
                    self._size(f"{base}.output"),
                )
                if has_activation
                else None
            )
        shape = traced.shape("network.net_prediction")
        self.net = Block(
            '"net"(X)',
            traced.grid(
                *shape,
                lambda r, c: Checked(
                    (Value(f"network.layers[{self.count - 1}].output[{r}][{c}]"),),
                    f"network.net_prediction[{r}][{c}]",
                    style.ACTIVE,
                ),
                color=style.ACTIVE,
                max_rows=rows,
                max_columns=columns,
            ),
            self._size("network.net_prediction"),
        )

    def _compact(self, width: float, height: float) -> NetworkDiagram:
        """The network beside the matrices: no numbers, no legend, fit to ``width`` x ``height``."""
        return NetworkDiagram(
            self.traced, self.notation, labelled=False, legend=False, width=width, height=height
        )

    def _size(self, path: str):
        return self.traced.size(path, font_size=style.LABEL_SIZE)

    def _arrow(self, label: str) -> VGroup:
        arrow = Arrow(ORIGIN, RIGHT * style.OUTPUT_ARROW, buff=0, color=style.MUTED)
        text = MathTypst(label, font_size=style.LABEL_SIZE, color=style.MUTED)
        return VGroup(arrow, text)

    def _output(self, layer: int) -> Block:
        """The block layer ``layer`` hands on: its activation's, or its sum's."""
        return self.activated[layer] or self.summed[layer]

    def _blocks(self) -> list[Block]:
        return [self.input, *self.summed, *(b for b in self.activated if b), self.net]

    # -- placing: the diagram beside the matrices, or above them, whichever shows more
    def _place(self, below) -> None:
        """Matrices never shrink (their digits stay legible): they elide rows and
        columns to fit, and the bare diagram elides neurons and layers to fit the
        room left; the arrangement showing more wins, centred on the stage."""
        left, bottom, right, top = stage(self)
        width, height = right - left, top - bottom
        best = None
        for beside in (False, True):
            panel = self._fit_panel(width, height, beside)
            room = (
                (width - panel[0] - 2 * style.BLOCK_BUFF, height)
                if beside
                else (width, height - panel[1] - style.BLOCK_BUFF)
            )
            diagram = self._compact(*room)
            fits = diagram.width <= room[0] and diagram.height <= room[1]
            shown = sum(map(len, diagram.shown))
            score = (fits, shown + panel[2], not beside)
            if best is None or score > best[0]:
                best = (score, beside, panel, diagram)
        _, self.beside, (panel_width, panel_height, _, rows, columns), self.diagram = best
        self.rows, self.columns = rows, columns
        self._matrices(rows, columns)
        self.direction = DOWN if self.beside else RIGHT
        for arrow in [*self.arrows, self.net_arrow]:
            self._turn(arrow)
        diagram = self.diagram
        if diagram.width > width or diagram.height > height:  # nothing fits: the least shrink
            diagram.scale(min(width / diagram.width, height / diagram.height))
        middle = np.array([(left + right) / 2, (bottom + top) / 2, 0.0])
        if self.beside:  # diagram left, matrices right, the pair centred
            whole = diagram.width + 2 * style.BLOCK_BUFF + panel_width
            diagram.move_to(middle + RIGHT * (diagram.width - whole) / 2)
            self.panel_center = middle + RIGHT * (whole - panel_width) / 2
        else:  # diagram above the matrices, the pair centred
            whole = diagram.height + style.BLOCK_BUFF + panel_height
            diagram.move_to(middle + UP * (whole - diagram.height) / 2)
            self.panel_center = middle + DOWN * (whole - panel_height) / 2
        self.keep_in_frame(diagram)
        self._arrange(self.input, self.arrows[0], self.summed[0])

    def _fit_panel(self, width: float, height: float, beside: bool) -> tuple:
        """(panel width, height, cells shown, rows, columns): the most rows and columns
        whose panel takes at most half the stage across the diagram."""
        # every sample's row when the panel holds them (whole tables), else elided
        samples = len(self.trace.network.layers[0].input)
        rows = min(max(style.MAX_MATRIX_ROWS, samples), WHOLE_ROWS)
        columns, least = style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS
        while True:
            self._matrices(rows, columns)
            panel_width, panel_height = self._panel(beside)
            wide = panel_width > (width / 2 if beside else width)
            tall = panel_height > (height if beside else height / 2)
            if not (wide or tall) or (rows == least and columns == least):
                return panel_width, panel_height, rows * columns, rows, columns
            # along the flow the matrices add up: elide there first
            if (wide and columns > least) or rows == least:
                columns -= 1
            else:
                rows -= 1

    def _panel(self, beside: bool) -> tuple[float, float]:
        """(width, height) the matrices take, at their size, in one arrangement."""
        direction = DOWN if beside else RIGHT
        panel_width = panel_height = 0
        for layer in range(self.count + 1):
            if layer == self.count:  # the prediction beside torch's own
                pieces = [self._output(layer - 1), self.net_arrow, self.net]
            else:
                source = self.input if layer == 0 else self._output(layer - 1)
                pieces = [source, self.arrows[layer], self.summed[layer]]
            source, arrow, result = pieces
            shaft, label = arrow
            if beside:  # the arrow will point down, its label on its right
                arrow_along, arrow_across = shaft.width, shaft.height + label.width
            else:
                arrow_along, arrow_across = max(shaft.width, label.width), arrow.height
            blocks = (source, result)
            along = sum(_extent(b, direction) for b in blocks) + arrow_along
            along += 2 * style.LINE_BUFF
            across = max(arrow_across, *(_extent(b, _across(direction)) for b in blocks))
            if beside:
                panel_width, panel_height = max(panel_width, across), max(panel_height, along)
            else:
                panel_width, panel_height = max(panel_width, along), max(panel_height, across)
        return panel_width, panel_height

    def _turn(self, arrow: VGroup) -> None:
        """Point ``arrow`` along the flow of the matrices, its label beside it."""
        shaft, label = arrow
        if self.beside:
            start = shaft.get_start()
            shaft.put_start_and_end_on(start, start + DOWN * shaft.get_length())
            label.next_to(shaft, RIGHT, buff=style.LINE_BUFF)
        else:
            label.next_to(shaft, UP, buff=style.LINE_BUFF)

    def _arrange(self, *pieces) -> None:
        """Put ``pieces`` (source, arrow, result) in a row or column at the panel's place."""
        group = VGroup(*pieces).arrange(self.direction, buff=style.LINE_BUFF)
        group.move_to(self.panel_center)
        self.keep_in_frame(group)

    # -- the network ---------------------------------------------------------------------
    def _show_network(self) -> None:
        self.step("The network: a column of neurons per layer, a weight on every edge")
        figure = self.figure
        self.centre_on_stage(figure)
        self.play(FadeIn(figure.columns), FadeIn(figure.sizes))
        # drawn first, behind the labels' boxes, as the diagram lays them (Create
        # would add them on top)
        self.bring_to_back(*figure.edges[1:])
        self.play(*(Create(edges) for edges in figure.edges[1:] if len(edges)))
        if figure.labelled:
            self._reveal([*figure.weights, *figure.biases])
        self.play(FadeIn(figure.legend))
        self.pause()

    def _show_sample(self) -> None:
        """The first sample's value at every neuron, layer after layer."""
        self.step("The first sample through the network: each neuron's value above it")
        for values in self.figure.values:
            self._reveal([values])
        self.pause()

    def _reveal(self, groups) -> None:
        """Boxed labels: each box at once (what runs under it is hidden from the
        first frame), then its number fading in."""
        labels = [label for group in groups for label in group]
        self.add(*(box for box, _ in labels))
        self.play(*(FadeIn(text) for _, text in labels))

    # -- the samples go in -----------------------------------------------------------------
    def _show_input(self) -> None:
        self.step("The samples go in as the rows of $X$, one column per input")
        figure, diagram = self.figure, self.diagram
        labels = [
            label for group in (*figure.weights, *figure.biases, *figure.values) for label in group
        ]
        self.play(FadeOut(figure.legend), *(FadeOut(text) for _, text in labels))
        self.remove(*(box for box, _ in labels))
        same = figure.shown == diagram.shown and figure.layers == diagram.layers
        if same:  # the same neurons: each moves to its new place
            self.play(
                ReplacementTransform(figure.columns, diagram.columns),
                *(ReplacementTransform(a, b) for a, b in zip(figure.edges[1:], diagram.edges[1:])),
                ReplacementTransform(figure.sizes, diagram.sizes),
            )
        else:  # fewer neurons beside the matrices: one picture gives way to the other
            self.play(
                FadeOut(figure.columns),
                FadeOut(figure.sizes),
                *(FadeOut(e) for e in figure.edges if len(e)),
            )
            self.bring_to_back(*diagram.edges[1:])
            self.play(
                FadeIn(diagram.columns),
                FadeIn(diagram.sizes),
                *(FadeIn(e) for e in diagram.edges if len(e)),
            )
        self.play(FadeIn(self.input))
        self.play(*(Emphasize(c, color=style.INPUT) for c in self.diagram.circles[0].values()))
        self.pause()

    # -- one layer ---------------------------------------------------------------------------
    def _show_layer(self, layer: int) -> None:
        source = "X" if layer == 0 else self._output(layer - 1).symbol
        result = self.summed[layer]
        number = layer + 1
        self.step(
            f"{'The first' if layer == 0 else 'The next'} layer: "
            f"${result.symbol} = {source} {self._layer('W', number, 'T')} "
            f"+ {self._layer('B', number)}$"
        )
        arrow = self.arrows[layer]
        if layer > 0:
            previous = self._output(layer - 1)
            gone = [self.input if layer == 1 else self._output(layer - 2), self.arrows[layer - 1]]
            previous.generate_target()
            self._arrange(previous.target, arrow, result)
            self.play(*(FadeOut(p) for p in gone))
            self.play(MoveToTarget(previous))
        else:
            self._arrange(self.input, arrow, result)
        edges = self.diagram.edges[layer + 1]
        circles = VGroup(*self.diagram.circles[layer + 1].values())
        colors = [edge.get_color() for edge in edges]
        self.play(
            FadeIn(arrow),
            edges.animate.set_color(style.HIGHLIGHT),
            circles.animate.set_stroke(color=style.RESULT),
        )
        # the result fades in where it stands: a copy flying over the arrow would cross it
        self.play(
            FadeIn(result.matrix),
            FadeIn(result.label),
            FadeIn(result.shape),
        )
        if len(edges):  # a layer the diagram elides has none
            self.play(*(edge.animate.set_color(color) for edge, color in zip(edges, colors)))
        self.pause()

    # -- its activation, entry by entry ------------------------------------------------------
    def _show_activation(self, layer: int) -> None:
        summed, activated = self.summed[layer], self.activated[layer]
        name = activation_call(self.trace.network.layers[layer].activation)
        self.step(f"Then ${name}$ on every entry: ${activated.symbol} = {name}({summed.symbol})$")
        activated.move_to(summed, aligned_edge=LEFT)
        self.keep_in_frame(activated)
        circles = VGroup(*self.diagram.circles[layer + 1].values())
        self.play(
            ReplacementTransform(summed, activated),
            circles.animate.set_stroke(color=style.ACTIVE),
        )
        self.pause()

    # -- the prediction, and torch's own --------------------------------------------------------
    def _show_prediction(self) -> None:
        self.step(
            self.loss_view.pick(
                mse='The prediction $hat(y)$: torch\'s own $"net"(X)$ gives the same numbers',
                cross_entropy='The logits $Z$, a score per class: torch\'s own $"net"(X)$ '
                "gives the same",
            )
        )
        output = self._output(self.count - 1)
        gone = [self.input if self.count == 1 else self._output(self.count - 2)]
        if self._show_whole_prediction(output, gone):
            return
        output.generate_target()
        self._arrange(output.target, self.net_arrow, self.net)
        self.play(*(FadeOut(p) for p in [*gone, self.arrows[-1]]))
        self.play(MoveToTarget(output))
        self.play(FadeIn(self.net_arrow), Write(self.net))
        self.play(
            Emphasize(output.matrix, color=style.HIGHLIGHT),
            Emphasize(self.net.matrix, color=style.HIGHLIGHT),
            *(Emphasize(c, color=style.ACTIVE) for c in self.diagram.circles[-1].values()),
        )
        self.pause()

    def _show_whole_prediction(self, output: Block, gone: list) -> bool:
        """The last output and ``net(X)`` with every sample's row, side by side,
        when the panel elided rows and the pair fits the stage at its size: beside
        the diagram where it fits unshrunk, else in the diagram's place (every
        sample's numbers matter more than the drawing seen in every step before);
        ``False`` (nothing shown) otherwise."""
        samples = len(self.trace.network.layers[0].input)
        if self.rows >= samples or samples > WHOLE_ROWS:
            return False
        kept = (self.input, self.summed, self.activated, self.net)
        self._matrices(samples, self.columns)  # every block again, every row
        whole, whole_net = self._output(self.count - 1), self.net
        self.input, self.summed, self.activated, self.net = kept
        arrow = self._arrow('"torch"')
        arrow[1].next_to(arrow[0], UP, buff=style.LINE_BUFF)
        pair = VGroup(whole, arrow, whole_net).arrange(RIGHT, buff=style.LINE_BUFF)
        left, bottom, right, top = stage(self)
        if pair.height > top - bottom or pair.width > right - left:
            return False
        diagram = self.diagram
        room = right - left - pair.width - 2 * style.BLOCK_BUFF
        # the diagram's labels are at the least legible size already: it moves, never shrinks
        beside = diagram.width <= room and diagram.height <= top - bottom
        middle = np.array([(left + right) / 2, (bottom + top) / 2, 0.0])
        leaving = [*gone, self.arrows[-1], output]
        if beside:
            width = diagram.width + 2 * style.BLOCK_BUFF + pair.width
            pair.move_to(middle + RIGHT * (width - pair.width) / 2)
            place = middle + LEFT * (width - diagram.width) / 2
            self.play(*(FadeOut(p) for p in leaving))
            self.play(diagram.animate.move_to(place), FadeIn(whole))
            circles = [Emphasize(c, color=style.ACTIVE) for c in diagram.circles[-1].values()]
        else:  # the diagram leaves with the old blocks, before the pair lands where it stood
            pair.move_to(middle)
            self.play(*(FadeOut(p) for p in [*leaving, diagram]))
            self.play(FadeIn(whole))
            circles = []
        self.play(FadeIn(arrow), Write(whole_net))
        self.play(
            Emphasize(whole.matrix, color=style.HIGHLIGHT),
            Emphasize(whole_net.matrix, color=style.HIGHLIGHT),
            *circles,
        )
        self.pause()
        return True


def _across(direction):
    return RIGHT if direction is DOWN else DOWN


def _extent(mobject, direction) -> float:
    return mobject.height if direction is DOWN else mobject.width

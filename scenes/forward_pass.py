"""The forward pass: layer after layer, the samples' matrix flows through the network
to the prediction, and torch's own ``net(X)`` gives the same numbers."""

from __future__ import annotations

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
from scenekit.diagrams import NetworkDiagram
from scenekit.emphasis import Emphasize
from scenekit.formulas import MathTypst
from scenekit.lecture_scene import LectureScene
from scenekit.notation import activation_call
from scenekit.terms import Checked, Value
from scenekit.traced import TracedMatrix

__all__ = ["ForwardPass"]

SAMPLE = 0  # the sample whose values the diagram's neurons show


class Block(VGroup):
    """A named matrix of one layer: ``N_(1) = [...]``, its true size underneath."""

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
    """The network diagram and, layer by layer, ``N_l = A_(l-1) W_l^T + B_l`` (then the
    activation, where the lesson has one) until the prediction ``hat(y)``."""

    def construct(self) -> None:
        self.count = len(self.trace.network.layers)
        title = self.show_title("The forward pass")
        self._build(below=title)
        self._place(below=title)
        self._show_network(below=title)
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
        self.diagram = self._compact(style.MAX_DIAGRAM_NEURONS)
        self.input = Block(
            "X",
            traced.matrix("network.layers[0].input", color=style.INPUT),
            self._size("network.layers[0].input"),
        )
        self.summed: list[Block] = []  # N_l = A_(l-1) W_l^T + B_l
        self.activated: list[Block | None] = []  # A_l = f(N_l), where there is an f
        self.arrows: list[VGroup] = []
        for layer, record in enumerate(self.trace.network.layers):
            base = f"network.layers[{layer}]"
            last = layer == self.count - 1
            has_activation = record.activation != "none"
            name = self._output_name() if last and not has_activation else f"N_({layer + 1})"
            self.summed.append(
                Block(
                    name,
                    traced.matrix(f"{base}.preactivation", color=style.RESULT),
                    self._size(f"{base}.preactivation"),
                )
            )
            self.activated.append(
                Block(
                    self._output_name() if last else f"A_({layer + 1})",
                    traced.matrix(f"{base}.output", color=style.ACTIVE),
                    self._size(f"{base}.output"),
                )
                if has_activation
                else None
            )
            self.arrows.append(self._arrow(f"dot W_({layer + 1})^T + B_({layer + 1})"))
        rows, columns = traced.shape("network.net_prediction")
        self.net = Block(
            '"net"(X)',
            traced.grid(
                rows,
                columns,
                lambda r, c: Checked(
                    (Value(f"network.layers[{self.count - 1}].output[{r}][{c}]"),),
                    f"network.net_prediction[{r}][{c}]",
                    style.ACTIVE,
                ),
                color=style.ACTIVE,
            ),
            self._size("network.net_prediction"),
        )
        self.net_arrow = self._arrow('"torch"')

    def _compact(self, limit: int) -> NetworkDiagram:
        """The network beside the matrices: no numbers, no legend, ``limit`` neurons a column."""
        return NetworkDiagram(
            self.traced, self.notation, labelled=False, legend=False, max_neurons=limit
        )

    def _output_name(self) -> str:
        """The last layer's output: the prediction, or a classifier's logits ``Z``."""
        return "Z" if self.trace.network.is_classification else "hat(y)"

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

    # -- placing: the diagram beside the matrices, or above them, whichever is larger
    def _place(self, below) -> None:
        top = below.get_bottom()[1] - style.BLOCK_BUFF
        bottom = -config.frame_height / 2 + style.EDGE_BUFF + style.CAPTION_BAND
        width = config.frame_width - 2 * style.EDGE_BUFF
        height = top - bottom
        # columns elide more neurons rather than shrink the diagram's names
        for limit in range(style.MAX_DIAGRAM_NEURONS, style.MIN_MATRIX_COLUMNS - 1, -1):
            if limit < style.MAX_DIAGRAM_NEURONS:
                self.diagram = self._compact(limit)
            side = self._fit(width, height, beside=True)
            stacked = self._fit(width, height, beside=False)
            self.beside = min(side) > min(stacked)
            diagram_scale, panel_scale = side if self.beside else stacked
            if diagram_scale >= 1:
                break
        self.diagram.scale(diagram_scale)
        for block in self._blocks():
            block.scale(panel_scale)
        for arrow in [*self.arrows, self.net_arrow]:
            arrow.scale(panel_scale)
        self.direction = DOWN if self.beside else RIGHT
        for arrow in [*self.arrows, self.net_arrow]:
            self._turn(arrow)
        self.diagram.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        if self.beside:  # left of the matrices, in the middle of the room under the title
            self.diagram.to_edge(LEFT, buff=style.EDGE_BUFF).set_y((top + bottom) / 2)
        self.keep_in_frame(self.diagram)
        if self.beside:
            room = config.frame_width / 2 - style.EDGE_BUFF - self.diagram.get_right()[0]
            self.panel_center = (
                RIGHT * (config.frame_width / 2 - style.EDGE_BUFF - room / 2)
                + UP * (top + bottom) / 2
            )
        else:
            self.panel_center = UP * (self.diagram.get_bottom()[1] - style.BLOCK_BUFF + bottom) / 2
        self._arrange(self.input, self.arrows[0], self.summed[0])

    def _fit(self, width: float, height: float, beside: bool) -> tuple[float, float]:
        """(diagram scale, matrices scale) for one arrangement, neither above 1."""
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
        diagram = self.diagram
        if beside:
            panel = min(1, height / panel_height, width / 2 / panel_width)
            room = width - panel * panel_width - style.BLOCK_BUFF
            return min(1, room / diagram.width, height / diagram.height), panel
        panel = min(1, width / panel_width, height / 2 / panel_height)
        room = height - panel * panel_height - style.BLOCK_BUFF
        return min(1, width / diagram.width, room / diagram.height), panel

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
    def _show_network(self, below) -> None:
        self.step("The network: a column of neurons per layer, a weight on every edge")
        figure = self.figure
        figure.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        room = self.room_below(below)
        figure.shift(DOWN * max(0, (room - figure.height) / 2))
        figure.set_x(0)
        self.keep_in_frame(figure)
        self.play(FadeIn(figure.columns), FadeIn(figure.sizes))
        # drawn first, behind the labels' boxes, as the diagram lays them (Create
        # would add them on top)
        self.bring_to_back(*figure.edges[1:])
        self.play(*(Create(edges) for edges in figure.edges[1:]))
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
        if figure.shown == diagram.shown:  # the same neurons: each moves to its new place
            self.play(
                ReplacementTransform(figure.columns, diagram.columns),
                *(ReplacementTransform(a, b) for a, b in zip(figure.edges[1:], diagram.edges[1:])),
                ReplacementTransform(figure.sizes, diagram.sizes),
            )
        else:  # fewer neurons beside the matrices: one picture gives way to the other
            self.play(FadeOut(figure.columns), FadeOut(figure.sizes), *map(FadeOut, figure.edges))
            self.bring_to_back(*diagram.edges[1:])
            self.play(FadeIn(diagram.columns), FadeIn(diagram.sizes), *map(FadeIn, diagram.edges))
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
            f"${result.symbol} = {source} W_({number})^T + B_({number})$"
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
        if self.trace.network.is_classification:
            self.step('The logits $Z$, a score per class: torch\'s own $"net"(X)$ gives the same')
        else:
            self.step('The prediction $hat(y)$: torch\'s own $"net"(X)$ gives the same numbers')
        output = self._output(self.count - 1)
        gone = [self.input if self.count == 1 else self._output(self.count - 2)]
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


def _across(direction):
    return RIGHT if direction is DOWN else DOWN


def _extent(mobject, direction) -> float:
    return mobject.height if direction is DOWN else mobject.width

"""One neuron, one sample: products, their total, plus the bias, the activation."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, FadeIn, Indicate, TransformFromCopy, VGroup, Write

from scenekit import style
from scenekit.diagrams import NeuronDiagram
from scenekit.lecture_scene import LectureScene
from scenekit.notation import activation_call, indexed
from scenekit.traced import Value

__all__ = ["SingleNeuron"]

NEURON = 0  # the lesson's first one-neuron example
SAMPLE = 0  # its first sample
BASE = f"neurons[{NEURON}]"


class SingleNeuron(LectureScene):
    """``x . w^T + b`` for one sample, each product worked out by hand."""

    @classmethod
    def applies(cls, trace) -> bool:
        return bool(trace.neurons)

    def construct(self) -> None:
        title = self.show_title("One neuron, one sample")
        self._build()
        self._place(below=title)
        self._show_diagram()
        self._show_products()
        self._show_total()
        self._show_bias()
        self._show_activation()

    # -- everything, built first so the layout can be settled at once -------------
    def _build(self) -> None:
        count = self.traced.shape(f"{BASE}.weight")[0]
        name = self.trace.neurons[NEURON].activation
        xs = ", ".join(indexed("x", i + 1) for i in range(count))
        ws = ", ".join(indexed("w", i + 1) for i in range(count))
        self.diagram = NeuronDiagram(self.traced, NEURON, SAMPLE)
        self.formula = self.traced.math(f"x dot w^T + b = ({xs}) ({ws})^T + b")
        self.products = VGroup(
            *(
                self.traced.worked_dot(
                    [(f"{BASE}.weight[{i}]", f"{BASE}.inputs[{SAMPLE}][{i}]")],
                    f"{BASE}.products[{SAMPLE}][{i}]",
                    prefix=[f"{indexed('w', i + 1)} {indexed('x', i + 1)} ="],
                    colors=(style.WEIGHT, style.INPUT),
                    total_color=style.RESULT,
                )
                for i in range(count)
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=style.LINE_BUFF)
        self.total = self.traced.worked_sum(
            [f"{BASE}.products[{SAMPLE}][{i}]" for i in range(count)],
            f"{BASE}.weighted_sum[{SAMPLE}]",
            prefix=["scripts(sum)_i w_i x_i ="],
            total_color=style.RESULT,
        )
        self.preactivation = self.traced.worked_sum(
            [f"{BASE}.weighted_sum[{SAMPLE}]", f"{BASE}.bias"],
            f"{BASE}.preactivation[{SAMPLE}]",
            prefix=["z = scripts(sum)_i w_i x_i + b ="],
            total_color=style.RESULT,
        )
        self.preactivation.part(1).set_color(style.BIAS)
        self.output = self.traced.math(
            f"hat(y) = {activation_call(name)}(z) = {activation_call(name)}(",
            Value(f"{BASE}.preactivation[{SAMPLE}]"),
            ") =",
            Value(f"{BASE}.output[{SAMPLE}]", color=style.ACTIVE),
        )

    def _place(self, below) -> None:
        self.diagram.to_edge(LEFT, buff=style.EDGE_BUFF)
        self.keep_in_frame(self.diagram)
        column = VGroup(self.formula, self.products, self.total, self.preactivation, self.output)
        column.arrange(DOWN, aligned_edge=LEFT, buff=style.BLOCK_BUFF)
        self.fit_beside(column, self.diagram, below)

    # -- the neuron and its formula ------------------------------------------------
    def _show_diagram(self) -> None:
        self.step("A neuron weighs each input, adds a bias, applies an activation")
        self.play(FadeIn(self.diagram))
        self.play(Write(self.formula))
        self.pause()

    # -- w_i * x_i, one at a time -------------------------------------------------
    def _show_products(self) -> None:
        self.step("Multiply each input by its weight")
        for i, line in enumerate(self.products):
            self.play(
                Indicate(self.diagram.inputs[i], color=style.HIGHLIGHT),
                Indicate(self.diagram.weights[i], color=style.HIGHLIGHT),
                run_time=0.6,
            )
            self.play(FadeIn(line, shift=RIGHT * 0.2), run_time=0.6)

    # -- their total ---------------------------------------------------------------
    def _show_total(self) -> None:
        self.step("Add the products")
        self.play(TransformFromCopy(self.products, self.total))
        self.pause()

    # -- plus the bias ---------------------------------------------------------------
    def _show_bias(self) -> None:
        self.step("Add the bias")
        self.play(Indicate(self.diagram.bias, color=style.HIGHLIGHT))
        self.play(FadeIn(self.preactivation, shift=DOWN * 0.2))
        self.pause()

    # -- the activation --------------------------------------------------------------
    def _show_activation(self) -> None:
        self.step("Apply the activation: the neuron's output")
        self.play(Write(self.output))
        self.play(Indicate(self.diagram.output_label, color=style.ACTIVE))
        self.pause()

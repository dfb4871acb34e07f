"""Shared visual pieces: the neuron diagram, arranged by relation, never by coordinates."""

from __future__ import annotations

from manim import DOWN, RIGHT, UP, Arrow, Circle, Line, VGroup, rotate_vector
from manim.mobject.text.typst_mobject import MathTypst

from scenes import style
from scenes.notation import indexed
from scenes.traced import TracedValues, Value

__all__ = ["NeuronDiagram"]


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

"""The input plane coloured by the class the network predicts, with the samples on it.

The regions are one image per pictured training step, made from the trace's
grid of predicted classes (``network.training.regions.predicted``) by a colour
lookup: one pixel a grid cell, drawn without smoothing, so a 48 x 48 grid costs
one mobject instead of thousands. The axes' ends are the trace's bounds
(traced tick labels on tick marks); each sample is a dot in its true class's
colour, and a sample the network gets wrong at that step is ringed. A legend
names each class by a sample of it (a traced class), with its colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UP,
    Axes,
    Circle,
    Dot,
    ImageMobject,
    Line,
    VGroup,
    config,
)
from manim.utils.color import color_to_rgb

from scenekit import style
from scenekit.classes import (
    accuracy_worked,
    class_color,
    class_name,
    predicted_class,
    typst_literal,
)
from scenekit.formulas import MathTypst, Typst
from scenekit.lecture_scene import LectureScene
from scenekit.terms import Value

__all__ = ["REGIONS", "RegionPlane", "class_legend", "region_pixels"]

REGIONS = "network.training.regions"
INPUTS = "network.layers[0].input"
MAX_LEGEND = 8  # classes a legend lists; with more, the colours alone tell them apart


def region_pixels(classes: Any, background: Any = None) -> np.ndarray:
    """An RGBA image (uint8, rows top to bottom) of a grid of classes whose row 0 is
    the bottom: each cell its class's colour mixed over the background."""
    grid = np.asarray(classes, dtype=int)
    back = color_to_rgb(background or config.background_color)
    palette = np.array(
        [
            style.REGION_OPACITY * color_to_rgb(c) + (1 - style.REGION_OPACITY) * back
            for c in style.CLASS_COLORS
        ]
    )
    pixels = np.round(palette[grid[::-1] % len(style.CLASS_COLORS)] * 255).astype(np.uint8)
    opaque = np.full((*grid.shape, 1), 255, dtype=np.uint8)
    return np.concatenate([pixels, opaque], axis=2)  # RGBA: what ImageMobject takes


class RegionPlane(VGroup):
    """Axes over the trace's bounds with the samples as dots; :meth:`image` makes the
    regions of one pictured step, :meth:`wrong_marks` the rings of its misses."""

    def __init__(self, scene: LectureScene, size: float | None = None):
        super().__init__()
        self.scene = scene
        traced = scene.traced
        side = size or style.PLANE_SIZE
        bounds = [traced.value(f"{REGIONS}.bounds[{i}]") for i in range(4)]
        self.axes = Axes(
            x_range=[bounds[0], bounds[1], bounds[1] - bounds[0]],
            y_range=[bounds[2], bounds[3], bounds[3] - bounds[2]],
            x_length=side,
            y_length=side,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        )
        axes = self.axes
        ticks = VGroup()
        places = [  # where each bound sits: the ends of the first axis, then the second's
            (axes.c2p(bounds[0], bounds[2]), DOWN),
            (axes.c2p(bounds[1], bounds[2]), DOWN),
            (axes.c2p(bounds[0], bounds[2]), LEFT),
            (axes.c2p(bounds[0], bounds[3]), LEFT),
        ]
        for index, (point, outward) in enumerate(places):
            mark = Line(point, point + outward * style.TICK_LENGTH, color=style.MUTED)
            label = traced.number(f"{REGIONS}.bounds[{index}]", font_size=style.TICK_SIZE)
            ticks.add(VGroup(mark, label.next_to(mark, outward, buff=style.LABEL_GAP)))
        names = VGroup(
            MathTypst(scene.notation.neuron(0, 0), font_size=style.LABEL_SIZE).next_to(
                axes.x_axis, RIGHT, buff=style.LABEL_GAP
            ),
            MathTypst(scene.notation.neuron(0, 1), font_size=style.LABEL_SIZE).next_to(
                axes.y_axis, UP, buff=style.LABEL_GAP
            ),
        )
        self.labels = VGroup(ticks, names)
        self.dots = VGroup()
        network = scene.trace.network
        for sample, true in enumerate(network.classes):
            dot = Dot(
                axes.c2p(*network.layers[0].input[sample][:2]),
                radius=style.SAMPLE_RADIUS,
                color=class_color(true),
            ).set_stroke(style.TEXT, width=1.5)
            for i in range(2):  # the dot's place is shown: both coordinates go to the ledger
                path = f"{INPUTS}[{sample}][{i}]"
                traced.ledger.record(dot, path, traced.value(path), traced.text(path))
            self.dots.add(dot)
        self.add(self.axes, self.labels, self.dots)

    def image(self, picture: int) -> ImageMobject:
        """The regions after the ``picture``-th pictured step, filling the axes."""
        classes = self.scene.trace.network.training.regions.predicted[picture]
        image = ImageMobject(region_pixels(classes))
        image.set_resampling_algorithm(
            RESAMPLING_ALGORITHMS["nearest"]
        )  #: one crisp square a grid cell
        image.stretch_to_fit_width(self.axes.x_axis.get_length())
        image.stretch_to_fit_height(self.axes.y_axis.get_length())
        corner = self.axes.c2p(self.axes.x_range[0], self.axes.y_range[0])
        return image.move_to(corner, aligned_edge=DOWN + LEFT)

    def wrong_marks(self, picture: int) -> VGroup:
        """A ring about each sample predicted wrong after the ``picture``-th pictured step."""
        network = self.scene.trace.network
        step = network.training.regions.steps[picture]
        scores = network.training.predictions[step]
        rings = VGroup()
        for sample, true in enumerate(network.classes):
            if predicted_class(scores[sample]) != true:
                ring = Circle(radius=style.SAMPLE_RADIUS * 2.2, color=style.WRONG, stroke_width=3)
                rings.add(ring.move_to(self.dots[sample]))
        return rings

    def step_label(self, picture: int) -> Any:
        """``after k steps: 6 / 9 = 0.6667 right``, all traced (a count stays a count,
        in no colour that would praise it)."""
        step = f"{REGIONS}.steps[{picture}]"
        index = self.scene.trace.network.training.regions.steps[picture]
        return accuracy_worked(
            self.scene.traced,
            index,
            style.RESULT,
            prefix=['"after"', Value(step), '"steps, right:" quad'],
            font_size=style.LABEL_SIZE,
        )


def class_legend(scene: LectureScene) -> VGroup:
    """Each class with samples as a dot of its colour and ``class k``, ``k`` the
    traced class of its first sample, or the class's name when the lesson names its
    classes; empty when there are more than ``MAX_LEGEND``."""
    classes = scene.trace.network.classes
    first = {}
    for sample, true in enumerate(classes):
        first.setdefault(true, sample)
    legend = VGroup()
    if len(first) > MAX_LEGEND:
        return legend
    names = scene.trace.network.class_names
    for true, sample in sorted(first.items()):
        dot = Dot(radius=style.SAMPLE_RADIUS * 1.4, color=class_color(true))
        named = class_name(names, true)
        if named is not None:  # the lesson's own name for the class, as it wrote it
            name = Typst(typst_literal(named), font_size=style.LABEL_SIZE, color=style.TEXT)
        else:
            name = scene.traced.math(
                '"class"', Value(f"network.classes[{sample}]"), font_size=style.LABEL_SIZE
            )
        legend.add(VGroup(dot, name).arrange(RIGHT, buff=style.LINE_BUFF))
    return legend.arrange(DOWN, buff=style.LINE_BUFF, aligned_edge=LEFT)

"""A scene wrapper for the pipeline tests: the scene ends by pushing a label out of the frame."""

from __future__ import annotations

from manim import RIGHT, FadeIn
from manim.mobject.text.typst_mobject import MathTypst


def pushing_off_frame(cls: type) -> type:
    """``cls``, plus a last step whose label stands past the frame's right edge."""

    class PushingOffFrame(cls):  # type: ignore[misc, valid-type]
        def construct(self) -> None:
            super().construct()
            self.play(FadeIn(MathTypst("hat(y)").to_edge(RIGHT).shift(RIGHT * 2)))

    return PushingOffFrame

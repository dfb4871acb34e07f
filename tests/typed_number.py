"""A scene wrapper for the pipeline tests: the scene ends by typing a number in."""

from __future__ import annotations

from manim import FadeIn
from manim.mobject.text.typst_mobject import MathTypst


def typing_a_number(cls: type) -> type:
    """``cls``, plus a last step that shows 42.4242 (a number the trace never made)."""

    class TypingANumber(cls):  # type: ignore[misc, valid-type]
        def construct(self) -> None:
            super().construct()
            self.play(FadeIn(MathTypst("42.4242").to_corner()))

    return TypingANumber

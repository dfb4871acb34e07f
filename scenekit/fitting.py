"""Whole tables: every sample's row shown when the table fits the stage.

A table elided with room to spare hides numbers a student needs ("0/10" cannot be
counted from five visible rows), so a scene builds its table with every row first
and elides rows only when the stage is too short for them at the legible sizes.
"""

from __future__ import annotations

from collections.abc import Callable

from manim import Mobject

from scenekit import style
from scenekit.composition import stage

__all__ = ["WHOLE_ROWS", "fits_stage", "with_rows_that_fit"]

# the most rows a table tries before eliding: at the legible sizes about 12 rows of
# numbers fill the stage, and 10 samples must show whole
WHOLE_ROWS = 12


def fits_stage(scene, mobject: Mobject, spare: float = 0.0) -> bool:
    """Whether ``mobject`` fits the stage (between the title and the caption band)
    with ``spare`` height left over, and the frame's width unshrunk."""
    left, bottom, right, top = stage(scene)
    return mobject.height + spare <= top - bottom and mobject.width <= right - left


def with_rows_that_fit(
    scene, build: Callable[[int], Mobject], count: int, spare: float = 0.0
) -> Mobject:
    """Build with all ``count`` rows (at most ``WHOLE_ROWS``: more never fit the
    stage), then fewer (down to ``style.MAX_MATRIX_ROWS``), until the build fits the
    stage with ``spare`` height left (:func:`fits_stage`); the last build when none
    does (it elides as the style's limits do)."""
    least = min(count, style.MAX_MATRIX_ROWS)
    for rows in range(min(count, max(WHOLE_ROWS, least)), least - 1, -1):
        built = build(rows)
        if fits_stage(scene, built, spare):
            return built
    return built

"""Whole tables in the stage's room: the first layout that holds every row.

A step with a formula over its tables can lose rows to the formula's height; the
same step laid out another way (the formula in lines beside the tables, or in turn
with a worked entry in one place) often holds them all. A scene offers its
layouts for a number of rows, and the first that fits the stage is shown; rows
elide only when no layout holds them (``scenekit.fitting`` does the same for one
layout that never shrinks). A layout wider than the frame shrinks to it, as
``keep_in_frame`` shrinks it, no further than the layout allows (at most
``style.LEAST_SCALE``) and never so far that a glyph of it goes under the
legible heights (``scenekit.legibility``, measured on the layout); it never
shrinks to gain height.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from manim import FadeIn, FadeOut, Mobject

from scenekit import style
from scenekit.composition import stage
from scenekit.fitting import WHOLE_ROWS
from scenekit.legibility import DIGIT_FRACTION, TEXT_FRACTION, glyph_heights
from scenekit.recording import TEXT_CLASSES, source_of

__all__ = [
    "first_that_fits",
    "fits",
    "legible_at",
    "place_on_stage",
    "play_in_turn",
    "rows_that_fit",
    "stage_scale",
]


def stage_scale(scene, mobject: Mobject) -> float:
    """How far ``mobject`` shrinks to the stage's width (the frame's less its
    margins), as ``keep_in_frame`` shrinks it: 1 when it is narrower."""
    left, _, right, _ = stage(scene)
    return min(1.0, (right - left) / mobject.width)


def legible_at(mobject: Mobject, scale: float) -> bool:
    """Whether every text of ``mobject``, shrunk by ``scale``, keeps its digits and
    its other glyphs at the legible heights (``scenekit.legibility``'s measure)."""
    texts = [(m, source_of(m)) for m in mobject.get_family() if isinstance(m, TEXT_CLASSES)]
    return all(
        measured.text * scale >= TEXT_FRACTION
        and (measured.digits is None or measured.digits * scale >= DIGIT_FRACTION)
        for measured in glyph_heights(texts)
    )


def fits(scene, mobject: Mobject, least: float) -> bool:
    """Whether ``mobject``, shrunk to the stage's width (:func:`stage_scale`) no
    further than ``least`` nor than its glyphs stay legible (:func:`legible_at`), is
    no taller than the stage (between the title and the caption band)."""
    _, bottom, _, top = stage(scene)
    scale = stage_scale(scene, mobject)
    if scale < least or mobject.height * scale > top - bottom:
        return False
    return scale == 1 or legible_at(mobject, scale)


def first_that_fits(
    scene, layouts: Sequence[tuple[Callable[[], Mobject], float]]
) -> Mobject | None:
    """The first of ``layouts`` (each a build and the least scale it may shrink to:
    1 where its text is at the least legible size already) that fits the stage;
    ``None`` when none does."""
    for build, least in layouts:
        built = build()
        if fits(scene, built, least):
            return built
    return None


def rows_that_fit(
    scene, layout: Callable[[int], Mobject | None], count: int, fallback: Callable[[int], Mobject]
) -> Mobject:
    """``layout(rows)`` (``None`` when no layout of it fits) with all ``count`` rows (at
    most ``WHOLE_ROWS``), then fewer, down to ``style.MAX_MATRIX_ROWS``; when none
    fits, ``fallback`` with the fewest rows (it elides as the style's limits do)."""
    least = min(count, style.MAX_MATRIX_ROWS)
    for rows in range(min(count, max(WHOLE_ROWS, least)), least - 1, -1):
        built = layout(rows)
        if built is not None:
            return built
    return fallback(least)


def place_on_stage(scene, mobject: Mobject) -> Mobject:
    """Shrink ``mobject`` to the stage's width where it is wider (:func:`stage_scale`)
    and centre it on the stage."""
    mobject.scale(stage_scale(scene, mobject))
    return scene.centre_on_stage(mobject)


def play_in_turn(scene, first: Mobject, second: Mobject) -> None:
    """Two tables laid in one place (a layout in turn): ``first``, a pause to read it,
    then ``second`` in its place."""
    scene.play(FadeIn(first))
    scene.wait(style.STEP_PAUSE)
    scene.play(FadeOut(first))
    scene.play(FadeIn(second))

"""``≈`` explained where it first appears in a scene.

A worked result or a checked cell says ``≈`` when the shown (rounded) digits do
not redo it by hand. A student meeting the sign needs to be told why, once per
scene: where a step ends with an ``≈`` on screen for the first time, a short
muted note is faded in at a top corner of the frame beside the title, where no
content is (at the next step's end when both corners are taken).
It is framing, like the title (``scenekit.composition`` leaves it out of the
content's balance), and leaves with that step's caption.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from manim import DOWN, LEFT, UR, FadeIn, FadeOut, Mobject, VGroup, config

from mlpmath.display import APPROX
from scenekit import style
from scenekit.formulas import MathTypst, Typst
from scenekit.moments import MOMENT_OPACITY, opacity
from scenekit.recording import TEXT_CLASSES, source_of

__all__ = [
    "APPROX_LINES",
    "approx_note",
    "explain_approx",
    "notice_approx",
    "retire_notes",
    "shows_approx",
]

# the note, in lines short enough for the room beside a long title
# (two lines fit beside the title, above the stage, whatever the content below)
APPROX_LINES = (
    "$approx$ : the digits shown",
    "are rounded",
)


def _visible_texts(mobjects: list[Mobject]) -> list[Mobject]:
    found: list[Mobject] = []
    for mobject in mobjects:
        if isinstance(mobject, TEXT_CLASSES):
            if opacity(mobject) > MOMENT_OPACITY:
                found.append(mobject)
        else:
            found.extend(_visible_texts(mobject.submobjects))
    return found


def _outline(points: np.ndarray) -> np.ndarray:
    """A glyph's outline scaled into the unit square: its shape, whatever its size."""
    low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    return (points[:, :2] - low) / np.maximum(high - low, 1e-9)


@cache
def _approx_outline() -> np.ndarray:
    glyphs = MathTypst("approx").family_members_with_points()
    return _outline(glyphs[0].points)


def shows_approx(scene: Any) -> bool:
    """Whether an ``≈`` is readable on screen now: a whole text that writes it, or a
    glyph of its shape in a piece shown on its own (a revealed row of a table)."""
    if any(APPROX in source_of(text) for text in _visible_texts(scene.mobjects)):
        return True
    reference = _approx_outline()
    for mobject in scene.mobjects:
        for member in mobject.family_members_with_points():
            if len(member.points) != len(reference) or opacity(member) <= MOMENT_OPACITY:
                continue
            if np.allclose(_outline(member.points), reference, atol=0.02):
                return True
    return False


def approx_note() -> VGroup:
    """The note's lines, muted, at the size of a label."""
    lines = [Typst(line, font_size=style.NOTE_SIZE, color=style.MUTED) for line in APPROX_LINES]
    return VGroup(*lines).arrange(DOWN, buff=style.LABEL_GAP, aligned_edge=LEFT)


def _box(mobject: Mobject) -> np.ndarray:
    return np.array([*mobject.get_corner(DOWN + LEFT)[:2], *mobject.get_corner(UR)[:2]])


def _free(scene: Any, note: Mobject) -> bool:
    """Whether ``note`` meets nothing drawn (content, title, caption), with a gap."""
    gap = 2 * style.LABEL_GAP
    left, bottom, right, top = _box(note) + np.array([-gap, -gap, gap, gap])
    for mobject in scene.mobjects:
        for member in mobject.family_members_with_points():
            if opacity(member) <= MOMENT_OPACITY:
                continue
            points = member.points
            if (
                points[:, 0].min() < right
                and points[:, 0].max() > left
                and points[:, 1].min() < top
                and points[:, 1].max() > bottom
            ):
                return False
    return True


def _places(scene: Any, note: Mobject) -> list[np.ndarray]:
    """Where the note may stand: the top corners beside the title, above the stage
    (content laid out later in the step cannot reach it there)."""
    half_width = config.frame_width / 2 - style.EDGE_BUFF - note.width / 2
    half_height = config.frame_height / 2 - style.EDGE_BUFF - note.height / 2
    return [np.array([x, half_height, 0.0]) for x in (-half_width, half_width)]


def explain_approx(scene: Any) -> None:
    """Fade the note in at a free place (:func:`_places`) the first time a step ends
    with ``≈`` on screen (once a scene); when none is free, at the next step's end."""
    if getattr(scene, "approx_explained", False):
        return
    if not (getattr(scene, "approx_seen", False) or shows_approx(scene)):
        return
    note = approx_note()
    for place in _places(scene, note):
        note.move_to(place)
        if _free(scene, note):
            scene.approx_explained = True
            scene.margin_notes = [*getattr(scene, "margin_notes", []), note]
            scene.play(FadeIn(note))
            return


def notice_approx(scene: Any) -> None:
    """After an animation: remember an ``≈`` on screen, so the step that showed one
    (even for a moment: a worked row that then flies into its matrix) explains it
    where it ends."""
    if not getattr(scene, "approx_explained", False) and not getattr(scene, "approx_seen", False):
        scene.approx_seen = shows_approx(scene)


def retire_notes(scene: Any) -> list[Any]:
    """FadeOuts of the margin notes on screen: a note belongs to the step it ends."""
    on_screen = {id(m) for m in scene.mobjects}
    return [
        FadeOut(note, run_time=style.CAPTION_FADE)
        for note in getattr(scene, "margin_notes", [])
        if id(note) in on_screen
    ]

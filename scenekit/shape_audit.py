"""The shape audit: every drawn mobject that is not a text (axes, curves, dots,
arrows, a diagram's edges and nodes) stays inside the frame, above the caption
band and off every text's glyphs."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import BackgroundRectangle, Mobject, SurroundingRectangle, VMobject, config
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

from scenekit.audit_words import at_step, placed, text_named
from scenekit.crossings import (
    FRAME_TOLERANCE,
    crossings,
    glyph_boxes,
    outline_segments,
    text_boxes,
)
from scenekit.recording import TEXT_CLASSES, glyph_owners, source_of

__all__ = ["caption_band_top", "shape_problems"]


def caption_band_top(scene: Any) -> float | None:
    """The caption band's top (content stays above it), for a scene with captions."""
    if not hasattr(scene, "band_top") or not getattr(scene, "captions", None):
        return None
    return scene.band_top() - FRAME_TOLERANCE


# -- drawn shapes ---------------------------------------------------------------
# Axes, curves, dots, arrows, a diagram's edges and nodes: every drawn mobject
# that is not a text. Each is followed along its outline (a bent Bézier curve
# by eight straight segments) and fails when a segment passes over a glyph of
# a text, or a point leaves the frame.


def shape_problems(scene: Any, moved: set[int] | None = None) -> list[str]:
    """Shapes now on screen that leave the frame or cross a text's glyphs.

    A shape may pass around a text (a frame, a circle about its name, a rule
    between a table's rows): only segments over a glyph's own box count, and
    never those drawn before an opaque ``BackgroundRectangle`` that lies under
    the text (an edge running behind its label's backdrop). A box drawn around
    part of a text (``SurroundingRectangle``) may cut through the rest of it.
    Texts shown piece by piece (a table's entries, faded in one at a time) are
    checked by their pieces.
    """
    at = at_step(scene)
    texts, shapes, backdrops = _drawn_in_order(scene.mobjects)
    if not shapes:
        return []
    starts, ends, owner = outline_segments([shape for _, shape in shapes])
    half = np.array([config.frame_width, config.frame_height]) / 2 + FRAME_TOLERANCE
    outside = (np.abs(starts) > half).any(axis=1) | (np.abs(ends) > half).any(axis=1)
    # in the middle of an animation: only what moves (the rest was checked after the last)
    shape_moves = np.array([moved is None or id(shape) in moved for _, shape in shapes])
    outside &= shape_moves[owner]
    problems = [
        f"{at}: {_a(shapes[index][1])} leaves the frame, {placed(shapes[index][1])}"
        for index in dict.fromkeys(owner[outside])
    ]
    band = caption_band_top(scene)
    if band is not None:
        below = ((starts[:, 1] < band) | (ends[:, 1] < band)) & shape_moves[owner]
        problems.extend(
            f"{at}: {_a(shapes[index][1])} reaches into the caption band, "
            f"{placed(shapes[index][1])}"
            for index in dict.fromkeys(owner[below])
        )
    if not texts:
        return problems
    # every segment of every outline against every text's box at once ...
    boxes = text_boxes([members for _, _, members, _ in texts])
    drawn_at = np.array([order for order, _ in shapes])[owner]
    candidates = crossings(starts, ends, boxes)
    if moved is not None:
        text_moves = np.array([any(id(m) in moved for m in members) for _, _, members, _ in texts])
        candidates &= shape_moves[owner][:, None] | text_moves[None, :]
    for column in np.flatnonzero(candidates.any(axis=0)):
        order, source, members, text = texts[column]
        behind = [i for i, backdrop in backdrops if i < order and _covers(backdrop, boxes[column])]
        near = candidates[:, column] & (drawn_at > max(behind, default=-1))
        if not near.any():
            continue
        # ... then the few near one against its glyphs
        glyphs = glyph_boxes(members)
        over = crossings(starts[near], ends[near], glyphs).any(axis=1)
        for index in dict.fromkeys(owner[near][over]):
            shape = shapes[index][1]
            if not _highlights(shape, glyphs):
                named = text_named(scene, text, source) if text is not None else "a glyph"
                problems.append(f"{at}: {_a(shape)} crosses {named}, {placed(shape)}")
    return problems


def _drawn_in_order(
    mobjects: list[Mobject],
) -> tuple[
    list[tuple[int, str, list[Mobject], Mobject | None]],
    list[tuple[int, Mobject]],
    list[tuple[int, Mobject]],
]:
    """Texts (source and drawn glyphs), shapes and opaque backdrops on screen, each
    with its place in the drawing order (Manim draws a mobject, then its
    submobjects, in list order). Glyphs on screen apart from their text (a
    table's entries) are gathered by the text they belong to."""
    texts: dict[int, tuple[int, str, list[Mobject], Mobject | None]] = {}
    shapes: list[tuple[int, Mobject]] = []
    backdrops: list[tuple[int, Mobject]] = []
    owners = glyph_owners()
    order = 0

    def drawn(member: Mobject) -> bool:
        return member.get_fill_opacity() > 0 or member.get_stroke_opacity() > 0

    def visit(mobject: Mobject) -> None:
        nonlocal order
        order += 1
        if isinstance(mobject, TEXT_CLASSES):
            members = [m for m in mobject.family_members_with_points() if drawn(m)]
            if members:
                texts[id(mobject)] = (order, source_of(mobject), members, mobject)
        elif isinstance(mobject, VMobjectFromSVGPath):  # a glyph shown apart from its text
            if len(mobject.points) and drawn(mobject):
                text = owners.get(id(mobject))
                key = id(text) if text is not None else id(mobject)
                source = source_of(text) if text is not None else "a glyph"
                texts.setdefault(key, (order, source, [], text))[2].append(mobject)
        elif isinstance(mobject, BackgroundRectangle):
            if mobject.get_fill_opacity() >= 1:
                backdrops.append((order, mobject))
        else:
            if isinstance(mobject, VMobject) and len(mobject.points) and drawn(mobject):
                shapes.append((order, mobject))
            for member in mobject.submobjects:
                visit(member)

    for mobject in mobjects:
        visit(mobject)
    return list(texts.values()), shapes, backdrops


def _a(shape: Mobject) -> str:
    kind = type(shape).__name__
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def _highlights(shape: Mobject, glyphs: np.ndarray) -> bool:
    """Whether ``shape`` is a box drawn around part of this text, on purpose
    (a row of a matrix framed, crossing its brackets)."""
    if not isinstance(shape, SurroundingRectangle):
        return False
    (left, bottom), (right, top) = shape.points[:, :2].min(axis=0), shape.points[:, :2].max(axis=0)
    x, y = (glyphs[:, 0] + glyphs[:, 2]) / 2, (glyphs[:, 1] + glyphs[:, 3]) / 2
    return bool(((left < x) & (x < right) & (bottom < y) & (y < top)).any())


def _covers(backdrop: Mobject, box: np.ndarray) -> bool:
    left, bottom = backdrop.points[:, :2].min(axis=0)
    right, top = backdrop.points[:, :2].max(axis=0)
    return bool(left <= box[0] and bottom <= box[1] and box[2] <= right and box[3] <= top)

"""The geometry of the shape audit: outlines as straight segments, glyphs as boxes.

A drawn shape (a line, a curve, a dot, a circle) is followed along its
outline: a straight cubic Bézier curve is one segment, a bent one eight. A
text is the boxes of its glyphs. ``crossings`` tests every segment against
every box at once (NumPy), so the audit can run after each animation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import Mobject

__all__ = [
    "FRAME_TOLERANCE",
    "GLYPH_MARGIN",
    "OVERLAP_TOLERANCE",
    "STRAIGHT",
    "boxes_meet",
    "crossings",
    "drawn_box",
    "glyph_boxes",
    "glyphs_meet",
    "outline_segments",
    "text_boxes",
]

STRAIGHT = 1e-4  # Manim units a straight curve's handles may lie off its chord
OVERLAP_TOLERANCE = 0.03  # Manim units two texts' boxes may share (glyph padding)
FRAME_TOLERANCE = 0.02  # Manim units a text or shape may pass the frame's edge by
GLYPH_MARGIN = 0.01  # Manim units of a glyph's box a shape may graze (anti-aliasing)


_BERNSTEIN = np.array(
    [[(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3] for t in np.linspace(0, 1, 9)]
)


def outline_segments(shapes: list[Mobject]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts and ends ``(n, 2)`` of straight segments along the shapes' outlines
    (one per straight cubic curve, ``len(_BERNSTEIN) - 1`` along a bent one),
    and the index of the shape each belongs to."""
    counts = [len(shape.points) // 4 for shape in shapes]
    controls = np.concatenate(
        [shape.points[: 4 * count, :2] for shape, count in zip(shapes, counts)]
    ).reshape(-1, 4, 2)
    samples = np.einsum("sk,ckd->csd", _BERNSTEIN, controls)  # (curves, samples, 2)
    chord = controls[:, 3] - controls[:, 0]
    length = np.hypot(chord[:, 0], chord[:, 1])
    handles = controls[:, 1:3] - controls[:, None, 0]
    off = np.abs(chord[:, None, 0] * handles[..., 1] - chord[:, None, 1] * handles[..., 0])
    straight = (length > 0) & (off.max(axis=1) <= STRAIGHT * length)
    starts, ends = samples[:, :-1], samples[:, 1:].copy()
    ends[straight, 0] = controls[straight, 3]
    keep = np.ones(starts.shape[:2], dtype=bool)
    keep[straight, 1:] = False
    owner = np.repeat(np.arange(len(shapes)), counts)
    return starts[keep], ends[keep], np.broadcast_to(owner[:, None], keep.shape)[keep]


def text_boxes(texts: list[list[Mobject]]) -> np.ndarray:
    """``(texts, 4)``: left, bottom, right, top of each text's glyphs together."""
    points = [member.points[:, :2] for members in texts for member in members]
    firsts = np.cumsum([0, *(sum(len(m.points) for m in members) for members in texts)])[:-1]
    together = np.concatenate(points)
    low = np.minimum.reduceat(together, firsts)
    high = np.maximum.reduceat(together, firsts)
    return np.concatenate([low, high], axis=1)


def glyph_boxes(members: list[Mobject]) -> np.ndarray:
    """``(glyphs, 4)``: left, bottom, right, top of each drawn glyph, shrunk by
    ``GLYPH_MARGIN`` (a thin one, as a minus sign, to its middle line)."""
    low = np.array([m.points[:, :2].min(axis=0) for m in members])
    high = np.array([m.points[:, :2].max(axis=0) for m in members])
    margin = np.minimum(GLYPH_MARGIN, (high - low) / 2)
    return np.concatenate([low + margin, high - margin], axis=1)


def crossings(starts: np.ndarray, ends: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """``(segments, boxes)``: whether each segment meets each box (the slab method)."""
    direction = ends - starts
    direction = np.where(np.abs(direction) < 1e-12, 1e-12, direction)
    low = (boxes[None, :, :2] - starts[:, None]) / direction[:, None]
    high = (boxes[None, :, 2:] - starts[:, None]) / direction[:, None]
    enter = np.minimum(low, high).max(axis=2)
    leave = np.maximum(low, high).min(axis=2)
    return (enter <= leave) & (leave >= 0) & (enter <= 1)


def drawn_box(mobject: Mobject, threshold: float = 0.0) -> tuple[float, float, float, float] | None:
    """``(left, bottom, right, top)`` of the glyphs' control points (cheap, and
    never smaller than the drawing), or ``None`` for a text nothing of which
    is drawn: no width, or every glyph faded out (to ``threshold`` or less)."""
    members = mobject.family_members_with_points()
    if not members or not any(
        m.get_fill_opacity() > threshold or m.get_stroke_opacity() > threshold for m in members
    ):
        return None
    points = np.concatenate([m.points for m in members])
    (left, bottom, _), (right, top, _) = points.min(axis=0), points.max(axis=0)
    if not right - left > 0:
        return None
    return left, bottom, right, top


def boxes_meet(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two ``(left, bottom, right, top)`` boxes share some area."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0 and min(a[3], b[3]) - max(a[1], b[1]) > 0


def glyphs_meet(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a glyph of ``a`` covers a glyph of ``b`` (by more than the tolerance)."""
    if not len(a) or not len(b):
        return False
    width = np.minimum.outer(a[:, 2], b[:, 2]) - np.maximum.outer(a[:, 0], b[:, 0])
    height = np.minimum.outer(a[:, 3], b[:, 3]) - np.maximum.outer(a[:, 1], b[:, 1])
    return bool(((width > OVERLAP_TOLERANCE) & (height > OVERLAP_TOLERANCE)).any())

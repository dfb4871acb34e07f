"""Glyph outlines parsed once, and placed with a few array operations.

A Typst SVG draws every glyph as a ``<use>`` of a ``<symbol>`` outline. For
each use, svgelements parses the outline's ``d`` text again and moves every
point of it through the placement matrix, and Manim then turns the moved
segments into Bézier points, one small NumPy array at a time: the largest
cost of building a formula, all of it in pure Python.

Inside :func:`outlines_parsed_once` an outline's ``d`` text is parsed once per
process, a path's ``reify`` records its placement instead of moving its
segments, and :meth:`Outline.points_at` gives the points Manim's
``VMobjectFromSVGPath.handle_commands`` gives for the placed path, bit for bit:
the same floating-point operations in the same order (``x*a + y*c + e``, then
``(start + cp + cp) / 3`` and the rest), on whole arrays.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import svgelements as se

__all__ = ["Outline", "outlines_parsed_once", "placement_of"]

# The only segment kinds a placed outline may hold (no arcs: Manim rewrites those).
_DRAWN = (se.Line, se.QuadraticBezier, se.CubicBezier)
_CLOSE_TOLERANCE = 0.0001  # Manim's: a close farther than this from its move draws a line


class Outline:
    """One ``d`` text, parsed: its segments (shared, never moved) and the recipe
    of Manim's points for any placement of it."""

    def __init__(self, segments: list[Any]):
        self.segments = segments
        self.placeable = _placeable(segments)
        if self.placeable:
            self._recipe()

    def _recipe(self) -> None:
        """Which of the outline's points make each row of Manim's points.

        Every curve gives four rows: its start (the pen), two control points and
        its end. A line's and a quadratic's control points are thirds of sums,
        ``(p + q + r) / 3``; a cubic's are its own. A close draws a line back to
        its move only when the placed points are apart (decided per placement).
        """
        xs: list[float] = []
        ys: list[float] = []

        def point(p: Any) -> int:
            xs.append(p.x)
            ys.append(p.y)
            return len(xs) - 1

        rows: list[tuple[int, int, int, int, int, int, int, int]] = []  # start, (c1), (c2), end
        closes: list[tuple[int, int, int]] = []  # row of its line, pen, move
        pen = move = -1
        for segment in self.segments:
            kind = type(segment)
            if kind is se.Move:
                pen = move = point(segment.end)
            elif kind is se.Line:
                end = point(segment.end)
                rows.append((pen, pen, pen, end, pen, end, end, end))
                pen = end
            elif kind is se.QuadraticBezier:
                control, end = point(segment.control), point(segment.end)
                rows.append((pen, pen, control, control, control, control, end, end))
                pen = end
            elif kind is se.CubicBezier:
                one, two = point(segment.control1), point(segment.control2)
                end = point(segment.end)
                rows.append((pen, one, one, one, two, two, two, end))
                pen = end
            else:  # Close: a line back to the move, if needed; the pen moves there
                closes.append((len(rows), pen, move))
                rows.append((pen, pen, pen, move, pen, move, move, move))
                pen = -1  # _placeable: only a move (or nothing) follows a close
        self.xs, self.ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
        table = np.array(rows, dtype=np.intp).reshape(-1, 8)
        self.starts, self.ends = table[:, 0], table[:, 7]
        self.first_thirds, self.second_thirds = table[:, 1:4], table[:, 4:7]
        self.is_cubic = self.first_thirds[:, 0] != self.starts  # its own control, not the pen
        self.closes = closes

    def points_at(self, matrix: tuple[float, ...]) -> np.ndarray:
        """Manim's points (``n x 3``, four per curve) for this outline placed by
        the SVG matrix ``(a, b, c, d, e, f)``."""
        a, b, c, d, e, f = matrix
        placed = np.zeros((len(self.xs), 3))
        placed[:, 0] = self.xs * a + self.ys * c + e
        placed[:, 1] = self.xs * b + self.ys * d + f
        count = len(self.starts)
        points = np.empty((count, 4, 3))
        points[:, 0] = placed[self.starts]
        points[:, 3] = placed[self.ends]
        for row, thirds in ((1, self.first_thirds), (2, self.second_thirds)):
            p, q, r = placed[thirds[:, 0]], placed[thirds[:, 1]], placed[thirds[:, 2]]
            points[:, row] = (p + q + r) / 3
            points[self.is_cubic, row] = q[self.is_cubic]  # a cubic's own control point
        keep = np.ones(count, dtype=bool)
        for row, pen, move in self.closes:
            keep[row] = abs(np.linalg.norm(placed[pen] - placed[move])) > _CLOSE_TOLERANCE
        return points[keep].reshape(-1, 3)


def _placeable(segments: list[Any]) -> bool:
    """Whether the recipe covers this outline: a move first, then lines and
    curves, each close followed by a move or the end (as glyph outlines are)."""
    if not segments or type(segments[0]) is not se.Move:
        return False
    for segment, following in zip(segments, [*segments[1:], None]):
        kind = type(segment)
        if kind is se.Close:
            if following is not None and type(following) is not se.Move:
                return False
        elif kind is not se.Move and kind not in _DRAWN:
            return False
    return True


def placement_of(path: Any) -> tuple[Outline, tuple[float, ...]] | None:
    """The outline and matrix a path was placed with inside
    :func:`outlines_parsed_once`, or ``None`` for a path reified as usual."""
    return path.__dict__.get("lecture_placement")


@contextmanager
def outlines_parsed_once() -> Iterator[None]:
    """While inside, svgelements parses each distinct path ``d`` text once per
    process, and reifying a path of a placeable outline records its placement
    (its segments stay the outline's, unmoved; read them through
    :func:`placement_of`). Other paths are parsed and reified as usual, from
    copies of the remembered segments."""
    parse, reify = se.Path.parse, se.Path.reify

    def parse_once(path: se.Path, pathdef: str) -> None:
        if len(path) or not isinstance(pathdef, str):
            parse(path, pathdef)  # only a fresh path's parse is remembered
            return
        outline = _OUTLINES.get(pathdef)
        if outline is None:
            parse(path, pathdef)  # the path keeps these segments; the outline, copies
            outline = _OUTLINES[pathdef] = Outline([copy.copy(segment) for segment in path])
        elif not outline.placeable:
            path._segments = [copy.copy(segment) for segment in outline.segments]
            path._length = None
        if outline.placeable:
            path._segments = list(outline.segments)  # shared; reify_placed never moves them
            path._length = None
            path.lecture_outline = outline

    def reify_placed(path: se.Path) -> se.Path:
        outline = path.__dict__.get("lecture_outline")
        if outline is None or not isinstance(path.transform, se.Matrix):
            return reify(path)
        se.GraphicObject.reify(path)  # the stroke width, as Path.reify scales it
        se.Transformable.reify(path)
        m = path.transform
        path.lecture_placement = (outline, (m.a, m.b, m.c, m.d, m.e, m.f))
        m.reset()
        return path

    se.Path.parse, se.Path.reify = parse_once, reify_placed
    try:
        yield
    finally:
        se.Path.parse, se.Path.reify = parse, reify


# path ``d`` text -> its outline (segments never handed out to be moved)
_OUTLINES: dict[str, Outline] = {}

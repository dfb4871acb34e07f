"""Manim's camera, drawing each shape with the same cairo calls at less cost.

A lecture frame is a few hundred small shapes (glyphs), each redrawn on every
frame it moves or fades. Manim's ``set_cairo_context_path`` spends most of its
time not in cairo but in a dozen NumPy calls per shape, each with a fixed
overhead larger than the work on a glyph's few dozen points. This camera reads
the points once as Python floats and makes the very same calls, in the same
order, with the same coordinates: the frames are identical, bit for bit.

Most shapes drawn in a frame have the points they had in the frame before (a
fading glyph, one drawn after something that moves). The path cairo built from
them the first time is kept, with those points' bytes, and handed back to cairo
whole (``append_path``): the same path, as cairo keeps it, on its 1/256-pixel
grid (a path read back and appended under the same matrix lands on the very
grid points it was read from).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import cairo
import numpy as np
from manim.camera.camera import CAP_STYLE_MAP, LINE_JOIN_MAP, Camera
from manim.mobject.types.vectorized_mobject import VMobject
from PIL import Image

__all__ = ["LectureCamera"]

# a mobject's class -> the class Camera.type_or_raise draws it as
_DRAWN_AS: dict[type, type] = {}

# np.isclose's default, as Manim's VMobject.get_subpath_split_indices_from_points uses it
RELATIVE_TOLERANCE = 1.0e-5


class LectureCamera(Camera):
    """:class:`manim.camera.camera.Camera`, with a cheaper path-setting step."""

    def type_or_raise(self, mobject: Any) -> type:
        """Manim's (the first drawable class ``mobject`` is an instance of), once a class."""
        kind = _DRAWN_AS.get(type(mobject))
        if kind is None or "display_funcs" not in self.__dict__:
            kind = _DRAWN_AS[type(mobject)] = super().type_or_raise(mobject)
        return kind

    def display_vectorized(self, vmobject: Any, ctx: Any) -> LectureCamera:
        """Manim's: the path, its background stroke, its fill, its stroke; the same
        cairo calls, without the half dozen method calls around each."""
        colours = [getattr(vmobject, name, None) for name in _COLOURS]
        if not _plain(type(vmobject)) or any(rgbas is None for rgbas in colours):
            return super().display_vectorized(vmobject, ctx)  # Manim's fallbacks
        rgbas, stroke_rgbas, background_rgbas = colours
        self.set_cairo_context_path(ctx, vmobject)
        width = max(0.0, vmobject.background_stroke_width)
        if width != 0:
            self._stroke(ctx, vmobject, background_rgbas, width)
        if len(rgbas) == 1:
            red, green, blue, alpha = rgbas[0].tolist()
            ctx.set_source_rgba(blue, green, red, alpha)  # cairo's order: see Manim's
        else:
            self.set_cairo_context_color(ctx, rgbas, vmobject)
        ctx.fill_preserve()
        width = vmobject.stroke_width
        if isinstance(width, str):
            width = int(width)
        width = max(0.0, width)
        if width != 0:
            self._stroke(ctx, vmobject, stroke_rgbas, width)
        return self

    def _stroke(self, ctx: Any, vmobject: Any, rgbas: np.ndarray, width: float) -> None:
        """Manim's ``apply_stroke`` once its width is known not to be 0."""
        self.set_cairo_context_color(ctx, rgbas, vmobject)
        ctx.set_line_width(
            width * self.cairo_line_width_multiple * (self.frame_width / self.frame_width)
        )
        ctx.set_line_join(LINE_JOIN_MAP[vmobject.joint_type])
        ctx.set_line_cap(CAP_STYLE_MAP[vmobject.cap_style])
        ctx.stroke_preserve()

    def transform_points_pre_display(self, mobject: Any, points: np.ndarray) -> np.ndarray:
        """Manim's: a shape with a non-finite point is drawn as a single point."""
        if not np.isfinite(points).all():
            return np.zeros((1, 3))
        return points

    def display_image_mobject(self, image_mobject: Any, pixel_array: np.ndarray) -> None:
        """An upright image (the plane of predicted classes) scaled into its box and laid
        over the frame. Manim's own pastes into ``Image.fromarray(np.zeros(...),
        mode="RGBA")``, which Pillow 13 refuses; a rotated image still goes there."""
        ul, ur, dl = self.points_to_pixel_coords(image_mobject, image_mobject.points)[:3]
        if ul[1] != ur[1] or ul[0] != dl[0]:
            super().display_image_mobject(image_mobject, pixel_array)
            return
        width, height = int(ur[0] - ul[0]), int(dl[1] - ul[1])
        if width <= 0 or height <= 0:
            return
        image = Image.fromarray(np.ascontiguousarray(image_mobject.get_pixel_array()))
        image = image.convert("RGBA").resize(
            (width, height), resample=image_mobject.resampling_algorithm
        )
        frame = Image.new("RGBA", (self.pixel_width, self.pixel_height), (0, 0, 0, 0))
        frame.paste(image, box=(int(ul[0]), int(ul[1])))
        self.overlay_PIL_image(pixel_array, frame)

    def set_cairo_context_path(self, ctx: Any, vmobject: Any) -> LectureCamera:
        """Manim's subpaths and curves (see its ``set_cairo_context_path``): a new
        subpath wherever a curve does not start where the last one ended (within
        ``np.isclose`` of x and y), a cubic per four points, closed when a
        subpath ends where it began. A shape drawn before with the same points
        into the same context gets the path built then."""
        raw = vmobject.points
        if len(raw) == 0:  # Manim's: the context keeps the path it has
            return self
        shape = (raw.tobytes(), raw.shape, raw.dtype, vmobject.n_points_per_cubic_curve)
        shape += (vmobject.tolerance_for_point_equality, type(vmobject))
        paths = self.__dict__.setdefault("_kept_paths", {})
        kept = paths.get((id(ctx), id(vmobject)))
        if kept is not None and kept[0] == shape and kept[1] is ctx:
            ctx.new_path()
            ctx.append_path(kept[2])
            return self
        self._build_cairo_path(ctx, vmobject)
        paths[id(ctx), id(vmobject)] = (shape, ctx, ctx.copy_path())
        return self

    def _build_cairo_path(self, ctx: cairo.Context, vmobject: Any) -> None:
        points = self.transform_points_pre_display(vmobject, vmobject.points)
        count = len(points)
        per_curve = vmobject.n_points_per_cubic_curve
        ctx.new_path()
        if count < per_curve:
            return
        # Finite here: transform_points_pre_display replaces non-finite points.
        xy = points[:, :2].tolist()
        tolerance = vmobject.tolerance_for_point_equality
        breaks = [0]
        for start in range(per_curve, count, per_curve):
            end_x, end_y = xy[start - 1]
            start_x, start_y = xy[start]
            if not (
                abs(end_x - start_x) <= tolerance + RELATIVE_TOLERANCE * abs(start_x)
                and abs(end_y - start_y) <= tolerance + RELATIVE_TOLERANCE * abs(start_y)
            ):
                breaks.append(start)
        breaks.append(count)
        curve_to = ctx.curve_to
        for first, stop in pairwise(breaks):
            if stop - first < per_curve:
                continue
            ctx.new_sub_path()
            ctx.move_to(*xy[first])
            for i in range(first, stop - per_curve + 1, per_curve):
                (x1, y1), (x2, y2), (x3, y3) = xy[i + 1], xy[i + 2], xy[i + 3]
                curve_to(x1, y1, x2, y2, x3, y3)
            if vmobject.consider_points_equals_2d(xy[first], xy[stop - 1]):
                ctx.close_path()


# What display_vectorized reads directly, each as VMobject and Camera define it.
_COLOURS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")
_VMOBJECT_GETTERS = ("get_fill_rgbas", "get_stroke_rgbas", "get_stroke_width")


def _plain(kind: type) -> bool:
    """Whether ``kind`` draws with VMobject's getters (its colours and widths as they are)."""
    plain = _PLAIN.get(kind)
    if plain is None:
        plain = _PLAIN[kind] = issubclass(kind, VMobject) and all(
            getattr(kind, name) is getattr(VMobject, name) for name in _VMOBJECT_GETTERS
        )
    return plain


_PLAIN: dict[type, bool] = {}

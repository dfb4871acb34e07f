"""The lecture's camera draws exactly what Manim's camera draws.

``LectureCamera`` replaces only how a shape's path is handed to cairo; every
frame must come out bit for bit the same as Manim's ``Camera`` makes it, for
the shapes a lecture uses and for the awkward ones (open and dashed paths,
several subpaths, an empty shape, a non-finite point, a stray point).
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arc,
    Arrow,
    Circle,
    DashedLine,
    Line,
    Polygon,
    Square,
    VGroup,
    VMobject,
    tempconfig,
)
from manim.camera.camera import Camera

from scenekit.camera import LectureCamera
from scenekit.formulas import MathTypst


def _frame(camera_class: type, mobjects: list) -> np.ndarray:
    camera = camera_class()
    camera.capture_mobjects(mobjects)
    return camera.pixel_array.copy()


def _awkward_shapes() -> list:
    gap = VMobject().set_points_as_corners([LEFT, UP, RIGHT])
    gap.add_line_to(RIGHT + DOWN)  # one subpath, then a curve whose start jumps:
    gap.append_points(np.array([[2.0, 2.0, 0], [2.5, 2.5, 0], [3.0, 2.0, 0], [3.5, 2.5, 0]]))
    stray = VMobject().set_points_as_corners([LEFT * 3, LEFT * 2 + UP])
    stray.points = np.vstack([stray.points, [[0.1, 0.2, 0.0]]])  # not a multiple of 4
    broken = VMobject().set_points_as_corners([DOWN, DOWN + RIGHT, UP])
    broken.points[1, 0] = np.nan  # Manim draws nothing for it
    gradient = Circle(radius=0.8).shift(UP * 2 + RIGHT * 2).set_fill(["#FF0000", "#0000FF"], 0.7)
    haloed = (
        Square(side_length=0.7)
        .shift(DOWN + LEFT * 4)
        .set_background_stroke(color="#FF00FF", width=9)
    )
    return [
        gradient,
        haloed.set_stroke(["#00FF00", "#FFFF00"], width=3),
        Circle(radius=1.3).set_fill(opacity=0.4),
        Square(side_length=1).shift(LEFT * 2).set_stroke(width=7),
        Polygon(LEFT, UP, RIGHT, DOWN * 2).set_fill(opacity=0.8),
        Arc(angle=4).shift(RIGHT * 3),
        Line(LEFT * 4, RIGHT * 4 + UP),
        DashedLine(LEFT * 4 + DOWN * 2, RIGHT * 4 + DOWN * 2),
        Arrow(DOWN * 3, UP * 3 + RIGHT),
        VMobject(),
        gap,
        stray,
        broken,
    ]


@pytest.mark.parametrize("quality", ["low_quality", "high_quality"])
def test_frames_are_identical_to_manims_camera(quality, tmp_path):
    with tempconfig({"quality": quality, "media_dir": str(tmp_path)}):
        formulas = (
            VGroup(
                MathTypst("(partial L)/(partial w_(1 2)) = sum_i delta_i x_i"),
                MathTypst('mat(delim: "[", 1.5, -2; 0.25, 3) dot vec(1, -1) + sqrt(b)'),
            )
            .arrange(DOWN)
            .to_edge(UP)
        )
        for mobjects in ([formulas], _awkward_shapes(), [formulas, *_awkward_shapes()]):
            ours = _frame(LectureCamera, mobjects)
            manims = _frame(Camera, mobjects)
            assert ours.any() and np.array_equal(ours, manims)


def test_a_kept_path_draws_what_a_built_one_draws(tmp_path, monkeypatch):
    """Drawn again with the same points, a shape's path is the one cairo built the
    first time; points changed in place (same array) build a new one."""
    built = []
    build = LectureCamera._build_cairo_path
    monkeypatch.setattr(
        LectureCamera, "_build_cairo_path", lambda self, *a: built.append(1) or build(self, *a)
    )
    with tempconfig({"quality": "low_quality", "media_dir": str(tmp_path)}):
        formula = MathTypst("(partial L)/(partial w_(1 2)) = sum_i delta_i x_i").to_edge(UP)
        mobjects = [formula, *_awkward_shapes()]
        camera = LectureCamera()
        camera.capture_mobjects(mobjects)
        first_builds = len(built)
        camera.reset()
        camera.capture_mobjects(mobjects)
        assert first_builds > 10 and len(built) == first_builds  # every path kept
        assert np.array_equal(camera.pixel_array, _frame(Camera, mobjects))
        for glyph in formula.family_members_with_points():
            glyph.points += np.array([0.013, -0.021, 0.0])  # in place: the same array object
        camera.reset()
        camera.capture_mobjects(mobjects)
        assert len(built) == first_builds + len(formula.family_members_with_points())
        assert np.array_equal(camera.pixel_array, _frame(Camera, mobjects))

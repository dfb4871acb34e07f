"""The toolkit's Typst classes draw exactly what Manim's draw.

``scenekit.formulas`` makes formulas cheap to build and copy (outlines parsed
once per process, label probes once per source, groups only for labels, glyphs
without their parsed SVG path). Each shortcut must leave the picture alone:
every glyph's points and colours equal Manim's own ``Typst``/``MathTypst``
built from the same source, bit for bit, and labels select the same glyphs.
"""

from __future__ import annotations

import copy
import itertools
import re

import numpy as np
import pytest
import svgelements as se
import typst
from manim import UR, ManimColor, VGroup, VMobject, tempconfig
from manim.mobject.svg import svg_mobject
from manim.mobject.text import typst_mobject as manim_typst

from scenekit import formulas, outlines

MATH_SOURCES = [
    "x_1 w_1 + x_2 w_2 + b",
    "{{ 0.25 : a }} dot {{ -1.5 : b }} = {{ -0.375 : c }}",
    'mat(delim: "[", {{ 1.5 : r0c0 }}, {{ 2 : r0c1 }}; {{ -3 : r1c0 }}, {{ 0.125 : r1c1 }})',
    "(partial L) / (partial w_(1 2)) = 2 / 3 sum_(i=1)^3 (hat(y)_i - y_i)",
]
TEXT_SOURCES = ["One neuron, one sample", "Gradient descent: $w <- w - eta nabla L$"]


def _picture(mobject) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    return [
        (m.points, m.fill_rgbas, m.stroke_rgbas, float(m.stroke_width))
        for m in mobject.family_members_with_points()
    ]


def _assert_same_picture(ours, manims) -> None:
    a, b = _picture(ours), _picture(manims)
    assert len(a) == len(b) > 0
    for (points, fill, stroke, width), (points2, fill2, stroke2, width2) in zip(a, b):
        assert np.array_equal(points, points2)
        assert np.array_equal(fill, fill2) and np.array_equal(stroke, stroke2)
        assert width == width2


def _labels(source: str) -> list[str]:
    return re.findall(r":\s*(\w+)\s*}}", source)


@pytest.fixture
def cold_caches(tmp_path):
    """Each test starts with the process-wide caches empty (a fresh worker), and
    Manim's SVG cache too: our classes share Manim's class names, so its cache
    would hand one a copy of the other."""
    outlines._OUTLINES.clear()
    formulas._LEAF_LABELS.clear()
    formulas._GLYPH_TEMPLATES.clear()
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    with tempconfig({"media_dir": str(tmp_path)}):
        yield
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()


@pytest.mark.parametrize("source", MATH_SOURCES)
def test_math_draws_what_manim_draws_cold_and_warm(source, cold_caches):
    manims = manim_typst.MathTypst(source, use_svg_cache=False)
    cold = formulas.MathTypst(source)
    assert outlines._OUTLINES, "the outlines were remembered"
    warm = formulas.MathTypst(source)  # every outline and probe from the caches
    _assert_same_picture(cold, manims)
    _assert_same_picture(warm, manims)
    for label in _labels(source):
        ours = [m.points for m in warm.select(label).family_members_with_points()]
        theirs = [m.points for m in manims.select(label).family_members_with_points()]
        assert len(ours) == len(theirs) > 0
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("source", TEXT_SOURCES)
def test_text_draws_what_manim_draws(source, cold_caches):
    manims = manim_typst.Typst(source, use_svg_cache=False)
    formulas.Typst(source)
    _assert_same_picture(formulas.Typst(source), manims)


def test_a_glyph_copy_equals_manims_deepcopy_and_shares_no_array(cold_caches):
    ours = formulas.MathTypst(MATH_SOURCES[2])
    manims = manim_typst.MathTypst(MATH_SOURCES[2], use_svg_cache=False)
    copied = ours.copy()
    _assert_same_picture(copied, manims)
    glyphs = ours.family_members_with_points()
    for original, twin in zip(glyphs, copied.family_members_with_points()):
        assert type(twin) is type(original)
        assert twin.points is not original.points
        twin.points[0, 0] += 1.0  # moving the copy leaves the original alone
    _assert_same_picture(ours, manims)
    assert all(g.path_obj is None for g in copy.deepcopy(ours).family_members_with_points())
    for original, twin in zip(glyphs, ours.copy().family_members_with_points()):
        for name, value in vars(original).items():
            if isinstance(value, ManimColor | list | np.ndarray):
                assert type(vars(twin)[name]) is type(value)
                assert vars(twin)[name] is not value  # a copy, as copy.deepcopy makes
            if isinstance(value, ManimColor):
                inside = vars(vars(twin)[name])
                assert all(inside[key] is not item for key, item in vars(value).items())
        assert twin.background_stroke_color == original.background_stroke_color


class _ReversedAnchors(VMobject):
    """A member whose class answers ``get_anchors`` its own way."""

    def get_anchors(self):
        return list(reversed(super().get_anchors()))


def test_boundary_points_are_manims(cold_caches):
    """Positioning (``next_to``, ``width``) reads a formula's boundary points; ours
    are Manim's array, value for value, for formulas, glyphs and odd members."""
    formula = formulas.MathTypst(MATH_SOURCES[1])
    dot = VMobject()
    dot.points = np.array([[1.0, 2.0, 0.0]])  # a single point is its own anchor
    odd = formulas.MathTypst(MATH_SOURCES[0])
    own = _ReversedAnchors().set_points_as_corners([[0, 0, 0], [1, 1, 0], [2, 0, 0]])
    odd.add(dot, VMobject(), own)
    for mobject in [formula, formula.submobjects[0], odd]:
        ours = mobject.get_points_defining_boundary()
        manims = VMobject.get_points_defining_boundary(mobject)
        assert ours.dtype == manims.dtype and np.array_equal(ours, manims)
        assert len(ours) > 0
    assert np.array_equal(formula.get_critical_point(UR), VGroup(formula).get_critical_point(UR))
    empty = formulas.MathTypst(MATH_SOURCES[0])
    empty.remove(*empty.submobjects)
    manims = VMobject.get_points_defining_boundary(empty)
    assert empty.get_points_defining_boundary().shape == manims.shape


def test_glyph_extents_are_manims(cold_caches):
    """Widths, heights and edges come from each glyph's coordinate extremes: the
    same numbers as Python's ``max`` and ``min`` over every point, as Manim takes them."""
    formula = formulas.MathTypst(MATH_SOURCES[3]).center()  # glyphs either side of 0
    for mobject in [*formula.family_members_with_points(), formula]:
        points = np.concatenate([m.points for m in mobject.family_members_with_points()])
        for dim in range(3):
            for reduce in (max, min):
                assert mobject.reduce_across_dimension(reduce, dim) == reduce(points[:, dim])
        assert mobject.width == max(points[:, 0]) - min(points[:, 0]) > 0
    assert formula.get_left()[0] < 0 < formula.get_right()[0]


def test_glyph_subpaths_are_manims(cold_caches):
    """A glyph splits its points into subpaths where Manim's ``np.allclose`` test
    does: on formulas' glyphs, and on curves whose joins sit either side of
    the tolerance."""
    glyphs = formulas.MathTypst(MATH_SOURCES[3]).family_members_with_points()
    tolerance = glyphs[0].tolerance_for_point_equality + 1e-5 * 3  # np.isclose: atol + rtol * |b|
    joined = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]] * 4, dtype=float)
    joined[4] = joined[3] + [0.5 * tolerance, 0, 0]  # within: the same subpath
    joined[8] = joined[7] + [2 * tolerance, 0, 0]  # beyond: a new one
    joined[12] = joined[11] + [0, 0, 1e9]  # far
    for points in [g.points for g in glyphs] + [joined, joined[:6], joined[:0]]:
        ours = glyphs[0].get_subpaths_from_points(points)
        manims = VMobject.get_subpaths_from_points(glyphs[0], points)
        assert len(ours) == len(manims)
        assert all(np.array_equal(a, b) for a, b in zip(ours, manims))
    assert len(glyphs[0].get_subpaths_from_points(joined)) == 3


OUTLINES = [
    "M 0 0 L 10 0 Q 12 4 10 8 C 6 10 2 10 0 8 Z",  # the close draws no line
    "M 1 1 L 9 1 L 9 7 Z M 3 3 l 2 0 q 1 1 0 2 z",  # lines back to each move
    "M 0.3 0.7 C 1 2 3 4 5 5 S 9 1 7 0.25 T 2 2 Z",  # a cubic first; smooth curves
    "M 0 0 h 4 v 4 H 0",  # open
]
MATRICES = ["translate(5.125, -3)", "matrix(0.37 0.11 -0.23 -0.41 230.276606387 79.094141732)"]


@pytest.mark.parametrize("d", OUTLINES)
@pytest.mark.parametrize("matrix", MATRICES)
def test_a_placed_outline_gives_manims_points(d, matrix, cold_caches):
    """Reified as usual, a path's segments move and Manim turns them into points;
    inside ``outlines_parsed_once`` the placement is kept and the points are
    worked out from it: the same numbers, bit for bit, on first parse and after."""
    usual = se.Path(d)
    usual *= matrix
    usual.reify()
    manims = svg_mobject.VMobjectFromSVGPath(usual).points
    parse, reify = se.Path.parse, se.Path.reify
    with outlines.outlines_parsed_once():
        for _ in range(2):
            path = se.Path(d)
            path *= matrix
            path.reify()
            outline, placed = outlines.placement_of(path)
            assert outline.placeable and path.d() == se.Path(d).d()  # segments unmoved
            assert np.array_equal(formulas.Glyph(path).points, manims)
            assert np.array_equal(outline.points_at(placed), manims)
    assert (se.Path.parse, se.Path.reify) == (parse, reify)
    assert outlines.placement_of(se.Path(d)) is None


def test_a_glyph_from_the_template_is_the_glyph_built(cold_caches):
    """``Glyph.placed`` copies a template instead of building: every attribute
    of the result equals a glyph built from the same path, as Manim builds it."""
    with outlines.outlines_parsed_once():
        paths = []
        for d, matrix in zip(OUTLINES, MATRICES * 2):
            path = se.Path(d)
            path *= matrix
            path.reify()
            paths.append(path)
        settings = {"should_subdivide_sharp_curves": True, "should_remove_null_curves": True}
        placed = [formulas.Glyph.placed(path, settings) for path in paths]
        built = [formulas.Glyph(path, **settings) for path in paths]
    assert len(formulas._GLYPH_TEMPLATES) == 1
    for ours, theirs in zip(placed, built):
        assert vars(ours).keys() == vars(theirs).keys()
        for name, value in vars(theirs).items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(vars(ours)[name], value), name
            else:
                assert vars(ours)[name] == value, name
    assert all(a.points is not b.points for a, b in itertools.pairwise(placed))


def test_an_outline_with_an_arc_is_moved_as_usual(cold_caches):
    d = "M 0 0 A 5 5 0 0 1 10 0 L 10 5 Z"
    usual = se.Path(d)
    usual *= MATRICES[1]
    usual.reify()
    with outlines.outlines_parsed_once():
        first, second = se.Path(d), se.Path(d)
        second *= MATRICES[1]
        second.reify()  # moves second's own copies of the segments
    assert outlines.placement_of(second) is None and second.d() == usual.d()
    assert first.d() == se.Path(d).d() and all(a is not b for a, b in zip(first, second))


def test_the_kept_typst_compiler_gives_manims_svg_byte_for_byte(tmp_path):
    sources = [s for s in MATH_SOURCES if "{{" not in s] + ["sum_(i=1)^3 x_i^2"]
    files = []
    for index, source in enumerate(sources):
        path = tmp_path / f"f{index}.typ"
        path.write_text(f"#set page(width: auto, height: auto, margin: 0pt)\n$ {source} $")
        files.append(str(path))
    compile = typst.compile
    manims = [typst.compile(f, format="svg", font_paths=[]) for f in files]
    with formulas.one_typst_compiler(), formulas.one_typst_compiler():  # re-entrant
        assert typst.compile is not compile
        ours = [typst.compile(f, format="svg", font_paths=[]) for f in files]
        ours_again = [typst.compile(f, format="svg", font_paths=[]) for f in reversed(files)]
    assert typst.compile is compile
    assert ours == manims and ours_again == manims[::-1]
    assert len(set(manims)) == len(manims)

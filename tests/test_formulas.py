"""The toolkit's Typst classes draw exactly what Manim's draw.

``scenekit.formulas`` makes formulas cheap to build and copy (outlines parsed
once per process, label probes once per source, groups only for labels, glyphs
without their parsed SVG path). Each shortcut must leave the picture alone:
every glyph's points and colours equal Manim's own ``Typst``/``MathTypst``
built from the same source, bit for bit, and labels select the same glyphs.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import svgelements as se
import typst
from manim import tempconfig
from manim.mobject.svg import svg_mobject
from manim.mobject.text import typst_mobject as manim_typst

from scenekit import formulas

MATH_SOURCES = [
    "x_1 w_1 + x_2 w_2 + b",
    "{{ 0.25 : a }} dot {{ -1.5 : b }} = {{ -0.375 : c }}",
    "mat(delim: \"[\", {{ 1.5 : r0c0 }}, {{ 2 : r0c1 }}; {{ -3 : r1c0 }}, {{ 0.125 : r1c1 }})",
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
    formulas._OUTLINES.clear()
    formulas._LEAF_LABELS.clear()
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    with tempconfig({"media_dir": str(tmp_path)}):
        yield
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()


@pytest.mark.parametrize("source", MATH_SOURCES)
def test_math_draws_what_manim_draws_cold_and_warm(source, cold_caches):
    manims = manim_typst.MathTypst(source, use_svg_cache=False)
    cold = formulas.MathTypst(source)
    assert formulas._OUTLINES, "the outlines were remembered"
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


def test_outline_cache_copies_segments_and_restores_svgelements(cold_caches):
    d = "M 0 0 L 10 0 Q 12 4 10 8 C 6 10 2 10 0 8 Z"
    parse = se.Path.parse
    with formulas.outlines_parsed_once():
        first = se.Path(d)
        second = se.Path(d)
        second *= "translate(5, 5)"
        second.reify()  # moves second's segments in place
        third = se.Path(d)
    assert se.Path.parse is parse
    assert first.d() == third.d() == se.Path(d).d()
    assert second.d() != first.d()
    assert all(a is not b for a, b in zip(first, third))


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

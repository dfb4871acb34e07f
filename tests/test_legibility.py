"""Legible at 480p: glyph heights measured on the mobjects each scene showed.

A shown value's digits are at least 1/40 of the frame's height (12 px at
480p), every other glyph, subscripts included, at least 1/60 (8 px)
(``scenekit.legibility``). Scenes are built without video, as the audit does.
"""

from __future__ import annotations

import pytest
from manim import UP, config, tempconfig
from manim.mobject.text.typst_mobject import MathTypst

from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.audit import audit_scene
from scenekit.classes import typst_literal
from scenekit.context import LESSON_ENV
from scenekit.formulas import Typst
from scenekit.legibility import DIGIT_FRACTION, TEXT_FRACTION, glyph_heights, too_small
from scenes import LECTURE_ORDER, scene_class
from scenes.mse_loss import MSELoss


@pytest.fixture(scope="module")
def default_trace():
    return compute_trace(load_lesson(None))


def _measured(scene, trace, monkeypatch, tmp_path):
    monkeypatch.setenv(LESSON_ENV, "")
    audit, problems = audit_scene(scene, trace, str(tmp_path / "media"))
    assert problems == []
    return audit.glyph_heights()


@pytest.mark.parametrize("name", [name for name, _ in LECTURE_ORDER])
def test_every_glyph_of_the_default_lecture_is_legible_at_480p(
    name, default_trace, monkeypatch, tmp_path
):
    if not scene_class(name).applies(default_trace):
        pytest.skip(f"{name} shows nothing of the default lesson")
    measured = _measured(scene_class(name), default_trace, monkeypatch, tmp_path)
    assert any(m.digits is not None for m in measured), "no traced value measured"
    assert too_small(measured) == []


class TinyLoss(MSELoss):
    """The loss written once more, at a font size too small to read at 480p."""

    def construct(self) -> None:
        super().construct()
        self.add(self.traced.number("network.loss", font_size=16).to_edge(UP).shift(UP * 0.15))


def test_a_value_written_too_small_fails(default_trace, monkeypatch, tmp_path):
    monkeypatch.setenv(LESSON_ENV, "")
    audit, _ = audit_scene(TinyLoss, default_trace, str(tmp_path / "media"))
    problems = too_small(audit.glyph_heights())
    # from the scene's side: the scene, the step it was written in (the last), the
    # value by its trace path, and where; never the formula's Typst source
    last = len(audit.scene.steps)
    found = [p for p in problems if " digits " in p and "the text of network.loss" in p]
    assert found, problems
    assert found[0].startswith(f"TinyLoss, step {last} (") and ", at the top " in found[0]
    assert all("manimgrp" not in p and len(p) < 200 for p in problems), problems
    # measured without a scene, a problem still quotes only the text's first characters
    bare = too_small(glyph_heights(audit.shown_texts()))
    assert [p for p in bare if p.startswith("digits") and len(p) < 100]


def test_digit_heights_scale_with_the_font_size(tmp_path):
    """Measured heights against an independent measure: twice the font, twice the
    digits; a value's digit height is the height of a lone digit "0" at that size
    (frame height 8 units)."""
    with tempconfig({"media_dir": str(tmp_path)}):
        small, large = (MathTypst("{{ 0.5398 : v0 }} + x_1", font_size=size) for size in (24, 48))
        zero = MathTypst("0", font_size=48).height
        (a,), (b,) = (glyph_heights([(m, m.typst_code)]) for m in (small, large))
    assert b.digits == pytest.approx(2 * a.digits, rel=0.02)
    assert b.digits * 8 == pytest.approx(zero, rel=0.02)
    assert a.digits < DIGIT_FRACTION < b.digits
    assert TEXT_FRACTION < b.text


def test_a_subscript_beside_brackets_is_measured(tmp_path):
    """A matrix's tall brackets are no letters: the subscripts inside it measure as
    the same subscripts without brackets do (not dropped as marks beside them)."""
    with tempconfig({"media_dir": str(tmp_path)}):
        bare = MathTypst("a_1 + b_2", font_size=48)
        bracketed = MathTypst('mat(delim: "[", a_1; b_2; c_3)', font_size=48)
        subscript = MathTypst("1", font_size=48 * 0.7).height  # Typst's script size, 70%
        (plain,), (matrix,) = (glyph_heights([(m, m.typst_code)]) for m in (bare, bracketed))
    assert matrix.text == pytest.approx(plain.text, rel=0.05)
    assert matrix.text * 8 == pytest.approx(subscript, rel=0.1)


def test_a_prime_is_a_mark_and_a_subscript_beside_parentheses_is_not(tmp_path):
    """f'(x_1): the prime (small, high) says nothing of legibility; the subscript,
    beside parentheses taller than every letter, is measured as in x_1 alone."""
    with tempconfig({"media_dir": str(tmp_path)}):
        prime = MathTypst("f'(x_1)", font_size=48)
        alone = MathTypst("x_1", font_size=48)
        (with_prime,), (bare,) = (glyph_heights([(m, m.typst_code)]) for m in (prime, alone))
    assert with_prime.text == pytest.approx(bare.text, rel=0.05)


def test_a_prime_raised_by_a_superscript_is_a_mark_and_a_tiny_label_fails(tmp_path):
    """sigma'(N^([l])), Backpropagation's label: the superscript raises the text's
    middle over the prime's bottom; the prime is still a mark, so the label measures
    as sigma does alone (independently: MathTypst("sigma")'s height). The same label
    at a third of the size fails: its letters are small, not only its prime."""
    with tempconfig({"media_dir": str(tmp_path)}):
        label = MathTypst("sigma'(N^([l]))", font_size=style.LABEL_SIZE)
        sigma = MathTypst("sigma", font_size=style.LABEL_SIZE).height
        tiny = MathTypst("sigma'(N^([l]))", font_size=style.LABEL_SIZE / 3)
        (measured,), (small,) = (glyph_heights([(m, m.typst_code)]) for m in (label, tiny))
    assert measured.text * config.frame_height == pytest.approx(sigma, rel=0.02)
    assert too_small([measured]) == []
    assert any("glyphs" in p for p in too_small([small]))


def test_a_class_name_with_angle_brackets_passes_at_the_label_size(tmp_path):
    """A legend's free-text name "c <d>": < and > are operators the font draws squat
    and raised, smaller than a lowercase letter; the letters say the text's size (as
    "c d" alone measures). At a tiny size the name fails, by its letters."""
    with tempconfig({"media_dir": str(tmp_path)}):
        name = Typst(typst_literal("c <d>"), font_size=style.LABEL_SIZE)
        plain = Typst(typst_literal("c d"), font_size=style.LABEL_SIZE)
        tiny = Typst(typst_literal("c <d>"), font_size=12)
        (angled,), (letters,), (small,) = (
            glyph_heights([(m, m.typst_code)]) for m in (name, plain, tiny)
        )
    assert angled.text == pytest.approx(letters.text, rel=0.02)
    assert too_small([angled]) == []
    assert any("glyphs" in p for p in too_small([small]))

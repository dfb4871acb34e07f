"""The audit: every number a scene shows is in its ledger and agrees with the trace.

Scenes are built with animations skipped (no video), for the default lesson
and for random lessons, and every text they ever put on screen is read back.
Scenes that type a number in, or lay text over text, must fail it.
"""

from __future__ import annotations

import pytest
from manim import DOWN, RIGHT, UP, VGroup
from manim.mobject.text.typst_mobject import MathTypst
from random_lessons import random_lesson_text

from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.audit import OVERLAP_TOLERANCE, audit_scene, layout_problems, numbers_in
from scenekit.context import LESSON_ENV
from scenes import LECTURE_ORDER, scene_class
from scenes.activation import Activation
from scenes.single_neuron import SingleNeuron

SCENES = [name for name, _ in LECTURE_ORDER]


@pytest.fixture
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


def _use_lesson(monkeypatch, path) -> object:
    monkeypatch.setenv(LESSON_ENV, str(path) if path else "")
    return compute_trace(load_lesson(path))


def _random_lesson(seed: int, path) -> None:
    path.write_text(random_lesson_text(seed))


@pytest.mark.parametrize("name", SCENES)
def test_default_lesson_scenes_show_only_traced_numbers(name, monkeypatch, media):
    trace = _use_lesson(monkeypatch, None)
    audit, problems = audit_scene(scene_class(name), trace, media)
    assert problems == []
    assert audit.scene.ledger.entries, f"{name} showed no traced value at all"
    assert audit.shown_texts()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_lessons_show_only_traced_numbers(seed, monkeypatch, media, tmp_path):
    lesson = tmp_path / f"random{seed}.toml"
    _random_lesson(seed, lesson)
    trace = _use_lesson(monkeypatch, lesson)
    for name in SCENES:
        _, problems = audit_scene(scene_class(name), trace, media)
        assert problems == [], f"lesson {lesson.read_text()}"


def test_wide_lesson_fits_the_frame(monkeypatch, media):
    trace = _use_lesson(monkeypatch, "lessons/wide.toml")
    for name in SCENES:
        _, problems = audit_scene(scene_class(name), trace, media)
        assert problems == []


@pytest.mark.parametrize(
    ("lesson", "stacked"),
    [
        (None, False),  # the deck's three inputs: weights along the edges
        ("bench/lessons/wide2.toml", True),  # six inputs: weights in a column
        ("bench/lessons/wide4.toml", True),  # twelve
    ],
)
def test_many_inputs_to_one_neuron_fit(lesson, stacked, monkeypatch, media):
    """Weights along the edges would overlap: they stack before the neuron instead."""
    trace = _use_lesson(monkeypatch, lesson)
    audit, problems = audit_scene(SingleNeuron, trace, media)
    assert problems == []
    assert audit.scene.diagram.stacked == stacked


class TypedNumber(Activation):
    """A scene that types a number in: exactly what the audit exists to catch."""

    def construct(self) -> None:
        super().construct()
        self.add(MathTypst("L = 0.2655").to_edge(UP))


class UnledgeredTracedValue(Activation):
    """A true trace value, but typeset by hand: bypasses the ledger, so it fails too."""

    def construct(self) -> None:
        super().construct()
        self.add(MathTypst(self.traced.text("activation_demo.output[2]")).to_edge(UP))


def test_a_traced_value_typeset_by_hand_fails_the_audit(monkeypatch, media):
    trace = _use_lesson(monkeypatch, None)
    shown = compute_trace(load_lesson(None)).activation_demo.output[2]
    _, problems = audit_scene(UnledgeredTracedValue, trace, media)
    assert any(f"{shown:.4f}" in problem for problem in problems)


class OverlappingText(SingleNeuron):
    def construct(self) -> None:
        super().construct()
        clash = self.traced.number("neurons[0].bias").move_to(self.output)
        self.add(clash)
        self.play(clash.animate.set_color(style.CLAMPED))


class OffFrameText(SingleNeuron):
    def construct(self) -> None:
        super().construct()
        self.play(self.output.animate.shift(DOWN * 4))


@pytest.mark.parametrize(
    ("scene", "problem"),
    [
        (TypedNumber, "0.2655"),  # a typed number fails the audit
        (OverlappingText, "overlaps"),  # so does text over text
        (OffFrameText, "leaves the frame"),  # and text off the frame
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_a_broken_scene_fails_the_audit(scene, problem, monkeypatch, media):
    trace = _use_lesson(monkeypatch, None)
    _, problems = audit_scene(scene, trace, media)
    assert any(problem in line for line in problems)


def test_notation_indices_are_not_numbers_but_values_are():
    assert numbers_in("k_3^1 + w_(13) + x_1^2") == []
    assert numbers_in("{{ 0.5398 : v0 }} dot {{ (-1.0754) : v1 }} = max(0, z)") == [
        "0.5398",
        "1.0754",
        "0",
    ]


def test_layout_problems_name_each_pair_once_in_order_and_skip_what_is_not_drawn():
    """Every overlapping pair of drawn texts, once, first text first; texts that
    leave the frame; nothing for a faded-out text or one with no width."""

    class Screen:  # what layout_problems reads of a scene
        def __init__(self, *mobjects):
            self.mobjects = list(mobjects)

    a, b, c = (MathTypst(f"x_{i}") for i in (1, 2, 3))
    faded = MathTypst("x_4").set_opacity(0)
    far = MathTypst("x_5").shift(UP * 10)
    flat = MathTypst("x_6").stretch(0, 0).shift(UP * 10)  # no width: nothing drawn
    for text in (b, c, faded):
        text.move_to(a)  # four texts in one place; one of them invisible
    problems = layout_problems(Screen(a, VGroup(b, faded), c, far, flat))
    assert problems == [
        "Screen: '$ x_5 $' leaves the frame",
        "Screen: '$ x_1 $' overlaps '$ x_2 $'",
        "Screen: '$ x_1 $' overlaps '$ x_3 $'",
        "Screen: '$ x_2 $' overlaps '$ x_3 $'",
    ]
    b.shift(RIGHT * (b.width - OVERLAP_TOLERANCE / 2))  # a sliver less than the tolerance
    assert layout_problems(Screen(a, b)) == []
    assert layout_problems(Screen()) == []

"""The audit: every number a scene shows is in its ledger and agrees with the trace.

Scenes are built with animations skipped (no video), for the default lesson
and for random lessons, and every text they ever put on screen is read back.
Scenes that type a number in, or lay text over text, must fail it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from extreme_lessons import EXTREME_LESSONS
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    BackgroundRectangle,
    Circle,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    tempconfig,
    there_and_back,
)
from manim.mobject.text.typst_mobject import MathTypst
from random_lessons import random_lesson_text
from teacher_lesson import regression_lesson, teacher_lesson

from mlpmath import Trace, compute_trace, load_lesson, resolve
from scenekit import style
from scenekit.audit import (
    OVERLAP_TOLERANCE,
    audit_scene,
    layout_problems,
    numbers_in,
    shape_problems,
)
from scenekit.context import LESSON_ENV
from scenekit.lecture_scene import LectureScene
from scenekit.legibility import glyph_heights, too_small
from scenekit.notation_check import screen_problems
from scenes import LECTURE_ORDER, scene_class
from scenes.activation import Activation
from scenes.mse_loss import MSELoss
from scenes.single_neuron import SingleNeuron

SCENES = [name for name, _ in LECTURE_ORDER]


@pytest.fixture
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


@pytest.fixture
def own_media(media) -> Iterator[None]:
    """Formulas built outside a scene compile into the test's media folder, not ./media."""
    with tempconfig({"media_dir": media}):
        yield


def _use_lesson(monkeypatch, path) -> object:
    monkeypatch.setenv(LESSON_ENV, str(path) if path else "")
    return compute_trace(load_lesson(path))


def _random_lesson(seed: int, path) -> None:
    path.write_text(random_lesson_text(seed))


@pytest.mark.parametrize("name", SCENES)
def test_default_lesson_scenes_show_only_traced_numbers(name, monkeypatch, media):
    trace = _use_lesson(monkeypatch, None)
    if not scene_class(name).applies(trace):
        pytest.skip(f"{name} shows nothing of the default lesson")
    audit, problems = audit_scene(scene_class(name), trace, media)
    assert problems == []
    assert screen_problems(audit) == []  # the notation (mlpmath.notation), ≈ explained
    assert audit.scene.ledger.entries, f"{name} showed no traced value at all"
    assert audit.shown_texts()


# Every lesson the suite audits each scene for, beside the default one: one test
# per (lesson, scene), so `pytest -k MyScene` runs all of a scene's audits (a
# scene skips a lesson without its subject: the classifier's scenes, regression).
# The extreme ones (tests/extreme_lessons.py): inputs near +-100 and +-1e4, the
# widest and deepest networks the lesson limits allow, the widest classifier, and a
# regression of two outputs with long worked sums; and ten samples (the most a table
# shows whole), a teacher's named tanh classifier and a regression (tests/teacher_lesson.py).
TEN_SAMPLES = {"ten_named": teacher_lesson, "ten_regression": regression_lesson}
LESSONS = [
    "random1", "random2", "random3", "wide", "classify", *EXTREME_LESSONS, *TEN_SAMPLES,
]  # fmt: skip


@pytest.fixture(scope="session")
def audited_lessons(tmp_path_factory) -> dict[str, tuple[Path, Trace]]:
    """Each audited lesson's file and trace, made once: three random lessons
    (seeds 1 to 3), the wide one and the classifier."""
    folder = tmp_path_factory.mktemp("audited-lessons")
    files = {name: ROOT / "lessons" / f"{name}.toml" for name in ("wide", "classify")}
    for seed in (1, 2, 3):
        files[f"random{seed}"] = folder / f"random{seed}.toml"
        _random_lesson(seed, files[f"random{seed}"])
    for name, text in {**EXTREME_LESSONS, **TEN_SAMPLES}.items():
        files[name] = folder / f"{name}.toml"
        files[name].write_text(text())
    return {name: (path, compute_trace(load_lesson(path))) for name, path in files.items()}


# Known failures (lesson, scene): reason. Each is expected to fail (strict: a fixed
# one fails this test, so it moves back to the checked ones). None today.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


# Lessons audited for some scenes only (lean): the several-output regression for the
# scenes of its mean and gradients, which its count N . outputs and long worked sums
# once pushed under the legible size (the rest show it as any regression).
ONLY_SCENES: dict[str, set[str]] = {
    "two_outputs": {"MSELoss", "ChainRule", "GradientDescent", "Backpropagation"},
    # the scenes tests/test_whole_rows.py and test_class_heads.py do not audit on them
    "ten_named": {"Activation", "ForwardPass", "CrossEntropyLoss"},
    "ten_regression": {"Activation", "ForwardPass", "ChainRule", "Backpropagation"},
}


def _lesson_cases() -> list:
    cases = []
    for lesson in LESSONS:
        for name in SCENES:
            if name not in ONLY_SCENES.get(lesson, SCENES):
                continue
            mark = ()
            if (lesson, name) in KNOWN_FAILURES:
                mark = pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[lesson, name])
            cases.append(pytest.param(lesson, name, marks=mark, id=f"{lesson}-{name}"))
    return cases


@pytest.mark.parametrize(("lesson", "name"), _lesson_cases())
def test_lessons_show_only_traced_numbers(lesson, name, audited_lessons, monkeypatch, media):
    """Random shapes and values, wide networks, large inputs: numbers traced, layout
    clean and balanced, every glyph legible."""
    path, trace = audited_lessons[lesson]
    monkeypatch.setenv(LESSON_ENV, str(path))
    if not scene_class(name).applies(trace):
        pytest.skip(f"{name} shows nothing of {lesson}")
    audit, problems = audit_scene(scene_class(name), trace, media)
    assert problems == [], f"lesson {path.read_text()}"
    assert screen_problems(audit) == []  # the notation (mlpmath.notation), ≈ explained
    # legible at 480p on every lesson (tests/test_legibility.py: the default one)
    assert too_small(audit.glyph_heights()) == []


@pytest.mark.parametrize(
    ("lesson", "stacked"),
    [
        (None, False),  # the deck's three inputs: weights along the edges
        ("bench/lessons/wide2.toml", True),  # six inputs: weights in a column
        ("bench/lessons/wide4.toml", True),  # twelve
    ],
    ids=["SingleNeuron-deck", "SingleNeuron-wide2", "SingleNeuron-wide4"],  # -k SingleNeuron
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


class DotOnTable(MSELoss):
    """A dot drawn clear of everything, then moved onto the table: a plot's mark
    left where it was first drawn, over a table placed later."""

    def construct(self) -> None:
        super().construct()
        dot = Dot(color=style.HIGHLIGHT).next_to(self.table, LEFT, buff=style.BLOCK_BUFF)
        self.play(FadeIn(dot))
        self.play(dot.animate.move_to(self.table.entry(self.first, 1)))


class ArrowOffFrame(SingleNeuron):
    def construct(self) -> None:
        super().construct()
        self.play(self.diagram.output.animate.shift(RIGHT * 9))


class LabelPassesOverAnother(SingleNeuron):
    """A label moved onto another and back: clean before and after, over it in between."""

    def construct(self) -> None:
        super().construct()
        self.play(self.output.animate(rate_func=there_and_back).move_to(self.total))


class CrossFadedCaptions(SingleNeuron):
    """Two captions faded through each other, as step() once did."""

    def construct(self) -> None:
        super().construct()
        other = self.caption.copy()
        self.captions.append(other)
        self.play(FadeOut(self.caption), FadeIn(other))


class IntoTheBand(SingleNeuron):
    """Content moved down under the caption."""

    def construct(self) -> None:
        super().construct()
        self.play(self.output.animate.next_to(self.caption, UP, buff=0).shift(DOWN * 0.2))


class GrowingPulse(MSELoss):
    """Manim's Indicate grows a packed table's column over its neighbour for a moment."""

    def construct(self) -> None:
        super().construct()
        self.play(Indicate(self.table.column(1)))


class UnderTheTitle(LectureScene):
    """A step's one formula squeezed under the title: the stage's lower part empty."""

    def place(self, formula, title) -> None:
        formula.next_to(title, DOWN, buff=style.BLOCK_BUFF)

    def construct(self) -> None:
        title = self.show_title("Under the title")
        self.step("One formula")
        formula = MathTypst("hat(y) = w dot x + b", font_size=48)
        self.place(formula, title)
        self.play(FadeIn(formula))


class PushedLeft(UnderTheTitle):
    def place(self, formula, title) -> None:
        self.centre_on_stage(formula)
        formula.to_edge(LEFT, buff=style.EDGE_BUFF)


class OnStage(UnderTheTitle):
    def place(self, formula, title) -> None:
        self.centre_on_stage(formula)


class MorphedAway(LectureScene):
    """A legible formula a transform turns into a small symbol (a lone glyph, which the
    size rule leaves to its formula's font) and takes off the screen."""

    def construct(self) -> None:
        self.show_title("Morphed away")
        self.step("A long formula becomes one small symbol")
        long = MathTypst("a + b + c + d + e + f", font_size=48)
        short = MathTypst("s", font_size=16)
        self.centre_on_stage(long)
        self.centre_on_stage(short)
        self.play(FadeIn(long))
        self.play(ReplacementTransform(long, short))


def test_a_text_morphed_away_is_measured_as_it_was_shown(monkeypatch, media):
    """Its glyphs end in the symbol's shape and size: measured so, it would fail the
    size rule; as it was shown before the transform, it passes."""
    audit, problems = audit_scene(MorphedAway, _use_lesson(monkeypatch, None), media)
    assert problems == []
    assert too_small(glyph_heights(audit.shown_texts())) != []  # its final, morphed state
    assert too_small(audit.glyph_heights()) == []
    long = next(m for m, source in audit.shown_texts() if "a + b" in source)
    assert id(long) in audit.scene.before_morph


def test_a_step_centred_on_the_stage_is_balanced(monkeypatch, media):
    """The other side of UnderTheTitle and PushedLeft: the same formula, centred."""
    _, problems = audit_scene(OnStage, _use_lesson(monkeypatch, None), media)
    assert problems == []


@pytest.mark.parametrize(
    ("scene", "problem"),
    [
        (TypedNumber, "0.2655"),  # a typed number fails the audit
        (LabelPassesOverAnother, "during an animation"),  # caught mid-animation only
        (CrossFadedCaptions, "are readable at once"),  # one caption at a time
        (IntoTheBand, "reaches into the caption band"),  # content stays above the band
        (GrowingPulse, "crosses"),  # emphasis by colour, not by growing
        (OverlappingText, "overlaps"),  # so does text over text
        (OffFrameText, "leaves the frame"),  # and text off the frame
        (DotOnTable, "a Dot crosses the text of network."),  # a shape over a text
        (ArrowOffFrame, "an Arrow leaves the frame"),  # a shape off the frame
        (UnderTheTitle, "content sits high"),  # a step's content balanced on the stage
        (PushedLeft, "content sits left"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_a_broken_scene_fails_the_audit(scene, problem, monkeypatch, media):
    trace = _use_lesson(monkeypatch, None)
    _, problems = audit_scene(scene, trace, media)
    assert any(problem in line for line in problems)


def test_a_problem_names_the_scene_step_values_and_place_not_typst_source(monkeypatch, media):
    """The dot moved onto MSELoss's table: the line names the scene, the step the dot
    moved in (its number and caption), the table by the trace paths it shows (not its
    Typst source, hundreds of characters), and where on the frame; it stays short."""
    trace = _use_lesson(monkeypatch, None)
    audit, problems = audit_scene(DotOnTable, trace, media)
    (line,) = [line for line in problems if "a Dot crosses" in line]  # once, not per moment
    steps = audit.scene.steps
    assert line.startswith(f"DotOnTable, step {len(steps)} ('{steps[-1][:20]}")
    paths = re.findall(r"network\.[a-z_]+\[\d+\]\[\d+\]", line)
    assert paths and all(resolve(trace, path) is not None for path in paths)
    assert "mat(" not in line and "{{" not in line
    assert line.endswith(", at the middle left")  # beside the table, at its first row
    assert len(line) < 220, line


def test_notation_indices_are_not_numbers_but_values_are():
    assert numbers_in("k_3^1 + w_(13) + x_1^2") == []
    assert numbers_in("{{ 0.5398 : v0 }} dot {{ (-1.0754) : v1 }} = max(0, z)") == [
        "0.5398",
        "1.0754",
        "0",
    ]


def test_layout_problems_name_each_pair_once_in_order_and_skip_what_is_not_drawn(own_media):
    """Every overlapping pair of drawn texts, once, first text first; texts that
    leave the frame; nothing for a faded-out text or one with no width."""

    a, b, c = (MathTypst(f"x_{i}") for i in (1, 2, 3))
    faded = MathTypst("x_4").set_opacity(0)
    far = MathTypst("x_5").shift(UP * 10)
    flat = MathTypst("x_6").stretch(0, 0).shift(UP * 10)  # no width: nothing drawn
    for text in (b, c, faded):
        text.move_to(a)  # four texts in one place; one of them invisible
    problems = layout_problems(Screen(a, VGroup(b, faded), c, far, flat))
    on_screen = "Screen, before the first step: the text"
    middle = "at the middle"
    assert problems == [
        f"{on_screen} '$ x_5 $' leaves the frame, at the top middle",
        f"{on_screen} '$ x_1 $' overlaps the text '$ x_2 $', {middle}",
        f"{on_screen} '$ x_1 $' overlaps the text '$ x_3 $', {middle}",
        f"{on_screen} '$ x_2 $' overlaps the text '$ x_3 $', {middle}",
    ]
    b.shift(RIGHT * (b.width - OVERLAP_TOLERANCE / 2))  # a sliver less than the tolerance
    assert layout_problems(Screen(a, b)) == []
    assert layout_problems(Screen()) == []


class Screen:
    """What ``layout_problems`` and ``shape_problems`` read of a scene: what is on it."""

    def __init__(self, *mobjects):
        self.mobjects = list(mobjects)


def test_shapes_fail_over_a_glyph_or_off_the_frame_not_around_or_behind_a_text(own_media):
    """A line through a text's glyphs and a dot off the frame fail; a box around the
    text, a circle about a name, a rule under a text, a line through the gap
    between glyphs, a faded line and one behind the text's backdrop do not."""
    text = MathTypst("x quad quad quad y")
    through = Line(text.get_left() + LEFT, text.get_right() + RIGHT)
    problems = shape_problems(Screen(text, through, Dot().shift(UP * 5)))
    on_screen = "Screen, before the first step"
    crossed = f"{on_screen}: a Line crosses the text '$ x quad quad quad y $'"
    assert problems == [
        f"{on_screen}: a Dot leaves the frame, at the top middle",
        f"{crossed}, at the middle",
    ]
    name = MathTypst("n_3").shift(DOWN * 2)
    around = [
        SurroundingRectangle(text),
        Circle(radius=name.width).move_to(name),
        Line(text.get_corner(DOWN + LEFT), text.get_corner(DOWN + RIGHT)).shift(DOWN * 0.05),
        Line(text.get_top() + UP, text.get_bottom() + DOWN),  # the gap between x and y
        through.copy().set_opacity(0),
    ]
    assert shape_problems(Screen(text, name, *around)) == []
    backdrop = BackgroundRectangle(text, fill_opacity=1)
    assert shape_problems(Screen(through, backdrop, text)) == []
    assert shape_problems(Screen(backdrop, through, text)) == [f"{crossed}, at the middle"]
    # a box around a matrix's row may cut through its brackets, never through another text
    matrix = MathTypst('mat(delim: "[", {{ a : first }}, {{ b : second }}; c, d)')
    row = SurroundingRectangle(VGroup(matrix.select("first"), matrix.select("second")))
    assert shape_problems(Screen(matrix, row)) == []
    beside = MathTypst("z").move_to(row.get_right())
    (problem,) = shape_problems(Screen(matrix, beside, row))
    assert problem.startswith(f"{on_screen}: a SurroundingRectangle crosses the text '$ z $', at")

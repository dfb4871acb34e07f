"""The notation table: one source (``mlpmath.notation``), the docs' page generated from it,
and the texts the classification scenes put on screen held to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import FadeIn, Write
from teacher_lesson import teacher_lesson

from mlpmath import compute_trace, load_lesson
from mlpmath.display import format_accuracy, format_share, shown_text
from mlpmath.notation import INDICES, NOTATION, notation_markdown
from scenekit import style
from scenekit.audit import audit_scene
from scenekit.classes import typst_literal
from scenekit.context import LESSON_ENV
from scenekit.learning import LearningScene
from scenekit.notation_check import notation_problems, screen_problems
from scenekit.terms import Value
from scenes import scene_class

ROOT = Path(__file__).resolve().parents[1]


def test_docs_page_is_generated_from_the_table():
    page = ROOT / "docs" / "source" / "reference" / "notation.md"
    assert page.read_text(encoding="utf-8") == notation_markdown(), (
        "regenerate: .venv/bin/python -c 'from mlpmath.notation import notation_markdown; "
        'print(notation_markdown(), end="")\' > docs/source/reference/notation.md'
    )


def test_one_index_per_kind():
    kinds = [index.kind for index in INDICES]
    letters = [index.letter for index in INDICES]
    assert sorted(kinds) == sorted(set(kinds)) == ["class", "layer", "neuron", "sample"]
    assert len(set(letters)) == len(letters)
    symbols = [row.symbol for row in NOTATION]
    assert len(set(symbols)) == len(symbols)


# -- what the scenes put on screen -----------------------------------------------------


@pytest.fixture
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


def _use(monkeypatch, path):
    monkeypatch.setenv(LESSON_ENV, str(path))
    return compute_trace(load_lesson(path))


@pytest.mark.parametrize(
    "formula",
    ["L_i = -log q_i", "P_(i k)", "delta^i", "k_(3)^(1)", "W_(1)^T", "z_(y 1)", "w_(3,y1)"],
)
def test_the_old_notation_is_caught(formula):
    """Each way the issue found the notation drifting (sample index moving, layer names
    changing, an output neuron named by y, q for p_y) breaks a rule."""
    assert notation_problems([formula], classification=True)


@pytest.mark.parametrize(
    "formula",
    ["L = 1/N sum_i L^((i))", "p_y^((i))", "W^([1] T)", "z_(0)^((i))", "delta^([l](i))"],
)
def test_the_table_s_notation_passes(formula):
    assert notation_problems([formula], classification=True) == []


@pytest.mark.parametrize("classification", [False, True])
def test_no_output_neuron_is_named_by_the_deck_s_y(classification):
    """The deck's ``w_6y``, ``b_y``, ``delta_y`` name an output neuron by the target's
    letter: wrong for a regression as for a classifier."""
    deck = ["w_(6y)", "b_(y)", "w_(6,y)", "delta_(y)^((i))"]
    assert len(notation_problems(deck, classification=classification)) == len(deck)


def test_a_regression_s_one_output_is_y_hat_in_every_subscript():
    """The diagram's ``hat(y)`` names its weights, bias and delta too, on screen and in
    the plain-text names the workbook, page and notebook use; several outputs are
    numbered on, as the table says."""
    from mlpmath.numbering import bias_name, neuron_tag, weight_name
    from scenekit.notation import NetworkNotation

    one = NetworkNotation((2, 3, 2, 1))
    shown = [one.weight(3, 0, 0), one.bias(3, 0), one.entry("delta", 3, 0, "i")]
    assert shown == ["w_(6 hat(y))", "b_(hat(y))", "delta_(hat(y))^((i))"]
    assert notation_problems(shown, classification=False) == []
    assert (weight_name([2, 3, 2, 1], 2, 0, 1), bias_name([2, 3, 2, 1], 2, 0)) == ("w7ŷ", "bŷ")
    assert neuron_tag([2, 3, 2, 1], 3, 0) == "ŷ"
    # two outputs: neurons 8 and 9 (2 inputs + 3 + 2 before them)
    assert weight_name([2, 3, 2, 2], 2, 1, 0) == "w69"
    assert NetworkNotation((2, 3, 2, 2)).weight(3, 1, 0) == "w_(69)"
    assert "y" not in bias_name([2, 3, 2, 2], 2, 1)


def test_a_share_is_written_with_the_digits_it_needs():
    """One accuracy format: the share after format_accuracy's count, on screen too."""
    for correct, total in [(6, 8), (0, 10), (10, 10), (7, 9), (1, 3)]:
        share = format_accuracy(correct, total).split()[-1]
        assert format_share(correct / total, 4) == share
        assert shown_text("network.training.accuracies[3]", correct / total, 4) == share
    # the region plane's ticks: the fewest digits (3.7, not 3.7000)
    assert shown_text("network.training.regions.bounds[1]", 3.7, 4) == "3.7"
    assert shown_text("network.training.regions.bounds[0]", -0.5, 4) == "-0.5"
    assert shown_text("network.loss", 0.75, 4) == "0.7500"  # other numbers keep the decimals


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("Softmax", "network.softmax.probabilities[{s}][{c}]"),
        ("CrossEntropyLoss", "network.softmax.probabilities[{s}][{c}]"),
    ],
)
def test_ten_samples_three_classes_show_whole_tables(name, rows, monkeypatch, media, tmp_path):
    """N = 10, C = 3 fits at the legible sizes: every sample's row and every class's
    column is on screen (a ledger entry), and every term the mean adds is in the table;
    the texts hold to the notation, ≈ explained where shown."""
    path = tmp_path / "teacher.toml"
    path.write_text(teacher_lesson())
    trace = _use(monkeypatch, path)
    audit, problems = audit_scene(scene_class(name), trace, media)
    assert problems == []
    assert screen_problems(audit) == []
    shown = {entry.path for entry in audit.scene.ledger.entries}
    for s in range(10):
        for c in range(3):
            assert rows.format(s=s, c=c) in shown
    if name == "CrossEntropyLoss":
        for s in range(10):
            tables = [
                e for e in audit.scene.ledger.entries if e.path == f"network.cross_entropy[{s}]"
            ]
            # the log step's table, the mean step's table beside the mean, the mean's term
            assert len({id(e.mobject) for e in tables}) >= 3, s


TINY = """
title = "Tiny"
[display]
decimals = 3
[network]
sizes = [2, 2, 2]
activation = "tanh"
loss = "cross_entropy"
[[network.layer]]
weight = [[0.5, -0.4], [0.3, 0.8]]
bias = [0.1, -0.2]
[[network.layer]]
weight = [[0.6, -0.7], [-0.2, 0.4]]
bias = [0.0, 0.1]
[data]
inputs = [[1, 0], [0, 1], [1, 1], [-1, 0]]
classes = {classes}
class_names = ["no", "yes *"]
[training]
learning_rate = {rate}
steps = {steps}
"""


def _final_right(trace) -> int:
    """How many samples the trained network gets right, by NumPy from its final
    parameters (not from the trace's counts)."""
    x = np.array(trace.network.layers[0].input)
    layers = trace.network.training.layers
    for index, layer in enumerate(layers):
        x = x @ np.array(layer.weight).T + np.array(layer.bias)
        if index < len(layers) - 1:
            x = np.tanh(x)
    return int((x.argmax(axis=1) == np.array(trace.network.classes)).sum())


@pytest.mark.parametrize(
    ("classes", "rate", "steps", "outcome"),
    [
        ([0, 1, 1, 0], 1.0, 3, "learned"),
        ([0, 1, 0, 1], 0.1, 2, "partly"),
        ([0, 1, 1, 0], 30, 3, "rising"),
    ],
)
def test_classifier_training_says_what_happened(
    classes, rate, steps, outcome, monkeypatch, media, tmp_path
):
    """The closing words follow the run: every sample in its class only when training
    got there, else how many are (the count checked by NumPy); a rising loss is said;
    the legend calls the classes by the lesson's names."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(classes=classes, rate=rate, steps=steps))
    trace = _use(monkeypatch, path)
    assert trace.network.training.outcome == outcome
    audit, problems = audit_scene(scene_class("ClassifierTraining"), trace, media)
    assert problems == []
    assert screen_problems(audit) == []
    captions = audit.scene.steps
    closing = captions[-1]
    right = _final_right(trace)
    if outcome == "learned":
        assert right == 4
        assert "every sample lies in its class's region" in closing
    else:
        assert "every sample" not in " ".join(captions)
        assert f"at the end {right} of 4 samples lie in their class's region" in closing
    losses = trace.network.training.losses
    said = next(c for c in captions if c.startswith("Repeated, step after step"))
    if losses[-1] > losses[0]:
        assert "higher than it began" in said
    else:
        assert "lower than it began" in said
    accuracy = next(c for c in captions if c.startswith("And the accuracy"))
    assert accuracy.endswith(f"to {right} of 4 samples right")
    sources = [source for _, source in audit.shown_texts()]  # the legend names the classes
    assert typst_literal("no") in sources and typst_literal("yes *") in sources


class CopiedPiece(LearningScene):
    """A worked result, then a copy of its total drawn on top of it: one value twice."""

    copy = True

    def construct(self) -> None:
        self.show_title("Twice")
        self.step("A value")
        loss = self.traced.math("L =", Value("network.loss", style.RESULT))
        self.centre_on_stage(loss)
        self.play(Write(loss))
        if self.copy:
            self.play(FadeIn(loss[-1].copy()))  # the value's glyphs, a second time
        self.pause()


class OnePiece(CopiedPiece):
    copy = False


def test_the_audit_sees_a_glyph_lying_on_a_copy_of_itself(monkeypatch, media):
    trace = _use(monkeypatch, ROOT / "lessons" / "default.toml")
    _, problems = audit_scene(CopiedPiece, trace, media)
    assert any("drawn twice on itself" in problem for problem in problems), problems
    _, problems = audit_scene(OnePiece, trace, media)
    assert problems == []

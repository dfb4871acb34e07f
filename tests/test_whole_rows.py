"""Issue 33's whole tables: on a teacher's 10-sample lesson LayerProduct (``X W^T =
K``), BiasBroadcast (``K + B = N``), ClassifierTraining (``Z`` before and after a
step) and Backpropagation (``P``, ``Y``, ``delta^([2])``, then the hidden layer's
``dL/dG``, ``f'(N)``, ``delta^([1])`` and ``X``) show every sample's row, at the
legible sizes (no shrinking below the 8 px floor), and the first layer's scenes
write the sample as the notation's table does (``k_j^((i))``, not ``k_j^s``). The
same ten points as a regression: MSELoss's table and GradientDescent's y, ŷ before
and ŷ after show every row (also with two outputs, one row per entry).

Each check reads the scene's audit (what was on screen) against the lesson file's
own shape, never against numbers the scene printed.
"""

from __future__ import annotations

import pytest
from teacher_lesson import (
    NAMES,
    SAMPLES,
    five_class_lesson,
    regression_lesson,
    shown_counts,
    shown_paths,
    teacher_lesson,
)

from mlpmath import compute_trace, load_lesson
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenekit.legibility import too_small
from scenekit.notation_check import notation_problems, screen_problems
from scenes import scene_class

LAYER = "network.layers[0]"


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


CLASSES = len(NAMES)  # the lesson's classes: a class table shows each one's column
HIDDEN, OUTPUT = "network.chain_rule[0]", "network.chain_rule[1]"


@pytest.mark.parametrize(
    ("name", "matrices", "class_tables"),
    [
        ("LayerProduct", (f"{LAYER}.input", f"{LAYER}.product"), ()),
        (
            "BiasBroadcast",
            (f"{LAYER}.product", f"{LAYER}.bias_broadcast", f"{LAYER}.preactivation"),
            (),
        ),
        (
            "ClassifierTraining",
            ("network.training.predictions[0]", "network.training.predictions[1]"),
            ("network.training.predictions[0]", "network.training.predictions[1]"),
        ),
        (
            "Backpropagation",
            (
                "network.softmax.probabilities",
                "network.one_hot",
                f"{OUTPUT}.delta",
                f"{HIDDEN}.upstream",
                f"{HIDDEN}.activation_derivative",
                f"{HIDDEN}.delta",
                f"{LAYER}.input",
            ),
            ("network.softmax.probabilities", "network.one_hot", f"{OUTPUT}.delta"),
        ),
    ],
)
def test_ten_samples_show_every_row(name, matrices, class_tables, monkeypatch, media, tmp_path):
    """N = 10 (the lesson file's rows): each matrix with a row per sample shows a row
    for every sample, each in the same columns as the first (a table of the hidden
    neurons may elide columns), a class table every class's column; every glyph
    legible at 480p, nothing overlapping or leaving the frame, and the notation kept."""
    path = tmp_path / "teacher.toml"
    path.write_text(teacher_lesson())
    monkeypatch.setenv(LESSON_ENV, str(path))
    audit, problems = audit_scene(scene_class(name), compute_trace(load_lesson(path)), media)
    assert problems == []
    assert screen_problems(audit) == []
    assert too_small(audit.glyph_heights()) == []
    shown = shown_paths(audit)
    for matrix in matrices:
        prefix = f"{matrix}[0]["
        columns = {p[len(prefix) :] for p in shown if p.startswith(prefix)}
        assert columns, matrix
        if matrix in class_tables:
            assert columns == {f"{c}]" for c in range(CLASSES)}, matrix
        for s in range(SAMPLES):
            for column in columns:
                assert f"{matrix}[{s}][{column}" in shown, (matrix, s, column)


@pytest.mark.parametrize("formula", ["k_j^s", "n_j^s = k_j^s + b_j", "x^s_j", "delta^i_k"])
def test_a_bare_sample_letter_is_caught(formula):
    """The sample letter as a bare superscript (the scenes' old ``k_j^s``) breaks the
    table's ``^((i))``, as a bare ``^i`` does."""
    assert notation_problems([formula], classification=True)


@pytest.mark.parametrize(
    "formula", ["k_j^((i))", "W^T", "sigma^2", "e^(z_k)", "x^sigma", "sum_s", "delta^([l](i))"]
)
def test_superscripts_that_are_no_sample_pass(formula):
    assert notation_problems([formula], classification=True) == []


# the teacher's data as a one-neuron example too (their first hidden neuron's weights)
NEURON = """
[[neuron]]
inputs = [[0.2, 1.1], [1.5, 0.3], [-0.8, 0.4], [0.9, -1.2], [-1.1, -0.7],
          [0.1, 0.2], [1.2, 1.4], [-0.3, -1.5], [0.6, 0.8], [-1.4, 1.0]]
weight = [-0.03737978637218475, 0.16065290570259094]
bias = 0.7042150497436523
activation = "tanh"
"""


def test_neuron_batch_shows_every_sample_and_its_activation_beside_n(monkeypatch, media, tmp_path):
    """NeuronBatch on 10 samples (the neuron's own input rows): X, X w^T, B, n and the
    activation's column each show a row for every sample, legible at 480p, nothing
    overlapping (its tanh column once lay on n's last entry), and the column is named
    as the table names a classifier's neuron: g."""
    path = tmp_path / "teacher.toml"
    path.write_text(teacher_lesson() + NEURON)
    monkeypatch.setenv(LESSON_ENV, str(path))
    lesson = load_lesson(path)
    trace = compute_trace(lesson)
    samples = len(lesson.neurons[0].inputs)  # the lesson file's rows
    assert samples == SAMPLES
    audit, problems = audit_scene(scene_class("NeuronBatch"), trace, media)
    assert problems == []
    assert screen_problems(audit) == []
    assert too_small(audit.glyph_heights()) == []
    shown = shown_paths(audit)
    for s in range(samples):
        for j in range(2):
            assert f"neurons[0].inputs[{s}][{j}]" in shown, (s, j)
        for column in ("weighted_sum", "bias_broadcast", "preactivation", "output"):
            assert f"neurons[0].{column}[{s}]" in shown, (column, s)
    names = {source.strip("$ ") for _, source in audit.shown_texts()}
    assert "g" in names and "hat(y)" not in names


@pytest.fixture(scope="module")
def regression_audits(tmp_path_factory, media):
    """The regression scenes audited once per lesson: ``{(lesson, scene): audit}``,
    the lesson one output over the ten samples, or two over five (ten entries)."""
    audits = {}
    shapes = {"ten": (SAMPLES, 1), "two_outputs": (5, 2)}
    for lesson, (samples, outputs) in shapes.items():
        path = tmp_path_factory.mktemp(lesson) / "regression.toml"
        path.write_text(regression_lesson(samples, outputs))
        trace = compute_trace(load_lesson(path))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(LESSON_ENV, str(path))
            for name in ("MSELoss", "GradientDescent"):
                audits[lesson, name] = (
                    *audit_scene(scene_class(name), trace, media),
                    shapes[lesson],
                )
    return audits


def _legible(audit, problems) -> None:
    assert problems == []
    assert screen_problems(audit) == []
    assert too_small(audit.glyph_heights()) == []


def _at_end(audit, path: str) -> bool:
    """Whether the value at ``path`` is on screen when the scene ends."""
    final = {id(m) for top in audit.scene.mobjects for m in top.get_family()}
    return any(
        e.path == path and any(id(m) in final for m in e.mobject.get_family())
        for e in audit.scene.ledger.entries
    )


@pytest.mark.parametrize("lesson", ["ten", "two_outputs"])
def test_mse_table_whole_with_its_sum(regression_audits, lesson):
    """Every entry's row of MSELoss's table (y, ŷ, y - ŷ, (y - ŷ)^2), one per
    sample and output of the lesson file, legible and clean; every squared error the
    sum adds is still on screen beside the sum and the mean at the end."""
    audit, problems, (samples, outputs) = regression_audits[lesson, "MSELoss"]
    _legible(audit, problems)
    shown = shown_paths(audit)
    for s in range(samples):
        for j in range(outputs):
            for name in ("target", "prediction", "errors", "squared_errors"):
                assert f"network.{name}[{s}][{j}]" in shown, (name, s, j)
            assert _at_end(audit, f"network.squared_errors[{s}][{j}]"), (s, j)
    assert _at_end(audit, "network.squared_error_sum")
    assert _at_end(audit, "network.loss")


@pytest.mark.parametrize("lesson", ["ten", "two_outputs"])
def test_gradient_descent_predictions_whole(regression_audits, lesson):
    """GradientDescent's y, ŷ before and ŷ after show a row for every sample."""
    audit, problems, (samples, outputs) = regression_audits[lesson, "GradientDescent"]
    _legible(audit, problems)
    shown = shown_paths(audit)
    for s in range(samples):
        for j in range(outputs):
            for matrix in ("target", "training.predictions[0]", "training.predictions[1]"):
                assert f"network.{matrix}[{s}][{j}]" in shown, (matrix, s, j)


@pytest.fixture(scope="module")
def five_class_audit(media, tmp_path_factory):
    """``five_class_audit(scene)``: the scene audited on the five-class lesson (made
    once per scene), its audit and legibility clean; returns how many values of each
    path it showed (``teacher_lesson.shown_counts``)."""
    made = {}

    def audit(name: str) -> set[str]:
        if name not in made:
            path = tmp_path_factory.mktemp("five") / "five.toml"
            path.write_text(five_class_lesson())
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(LESSON_ENV, str(path))
                trace = compute_trace(load_lesson(path))
                audited, problems = audit_scene(scene_class(name), trace, media)
            assert problems == []
            assert too_small(audited.glyph_heights()) == []
            made[name] = shown_counts(audited)
        return made[name]

    return audit


def test_five_classes_scores_before_and_after_whole(five_class_audit):
    """C = 5, N = 10: ClassifierTraining's Z before and after (too wide side by side)
    show every sample's row and every class's column, legible, in turn in one place."""
    shown = five_class_audit("ClassifierTraining")
    for step in (0, 1):
        for s in range(10):
            for c in range(5):
                assert f"network.training.predictions[{step}][{s}][{c}]" in shown, (step, s, c)


def test_five_classes_error_signal_whole(five_class_audit):
    """C = 5, N = 10: Backpropagation's first step shows P, Y (then delta^[2] in their
    place) with every sample's row and every class's column, legible."""
    shown = five_class_audit("Backpropagation")
    for matrix in (
        "network.softmax.probabilities",
        "network.one_hot",
        "network.chain_rule[1].delta",
    ):
        for s in range(10):
            for c in range(5):
                assert f"{matrix}[{s}][{c}]" in shown, (matrix, s, c)


def test_five_classes_back_through_the_weights_whole(five_class_audit):
    """C = 5, N = 10: Backpropagation's second step, ``delta^[2] · W^[2] = dL/dG^[1]``,
    shows delta^[2] again (so each of its entries twice in the scene, once per step)
    with every sample's row and every class's column, W^[2] a row per class and
    dL/dG^[1] a row per sample; only the hidden neurons' columns may elide."""
    shown = five_class_audit("Backpropagation")
    for s in range(10):
        for c in range(5):
            assert shown[f"{OUTPUT}.delta[{s}][{c}]"] >= 2, (s, c)
        assert f"{HIDDEN}.upstream[{s}][0]" in shown, s
    for c in range(5):
        assert f"network.layers[1].weight[{c}][0]" in shown, c

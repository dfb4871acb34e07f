"""The classification lecture (issue 22): its scenes show only traced numbers with a
clean layout on the shipped classifier and on random ones (2 to 5 classes), a render
of them verifies, and a ledger changed by one value fails ``verify``.

``tests/test_audit.py`` audits every scene on ``lessons/classify.toml`` too; here the
scenes meet random classifiers, whose shapes the shipped lesson does not have.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import LESSONS, run_cli
from manim import ManimColor

from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.audit import audit_scene
from scenekit.classes import predicted_class
from scenekit.context import LESSON_ENV
from scenekit.notation_check import screen_problems
from scenekit.regions import region_pixels
from scenes import LECTURE_ORDER, scene_class

CLASSIFY = LESSONS / "classify.toml"
SCENES = ["Softmax", "CrossEntropyLoss", "SoftmaxGradient", "Backpropagation", "ClassifierTraining"]
RENDERED = ["Softmax", "ClassifierTraining"]  # the cheapest, and the one with the plane
# (seed, inputs, classes): two inputs picture the plane; five classes, the widest rows
RANDOM = [(1, 2, 2), (2, 3, 5), (3, 2, 4)]


def random_classifier_text(seed: int, inputs: int, classes: int) -> str:
    """A cross-entropy lesson: one hidden layer of 1 to 4, 2 to 7 samples, 3 steps."""
    rng = random.Random(seed)
    hidden = rng.randint(1, 4)
    samples = rng.randint(2, 7)
    decimals = rng.choice([2, 3, 4])

    def rows(count: int, width: int) -> str:
        return str([[round(rng.uniform(-2, 2), 3) for _ in range(width)] for _ in range(count)])

    return f"""
title = "Random classifier {seed}"
[display]
decimals = {decimals}
[network]
sizes = [{inputs}, {hidden}, {classes}]
activation = "{rng.choice(["relu", "tanh", "sigmoid"])}"
loss = "cross_entropy"
[[network.layer]]
weight = {rows(hidden, inputs)}
bias = {rows(1, hidden)[1:-1]}
[[network.layer]]
weight = {rows(classes, hidden)}
bias = {rows(1, classes)[1:-1]}
[data]
inputs = {rows(samples, inputs)}
classes = {[rng.randrange(classes) for _ in range(samples)]}
[training]
learning_rate = 0.5
steps = 3
"""


@pytest.fixture(scope="module")
def lessons(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("classifiers")
    files = {}
    for seed, inputs, classes in RANDOM:
        files[f"random{seed}"] = folder / f"random{seed}.toml"
        files[f"random{seed}"].write_text(random_classifier_text(seed, inputs, classes))
    return files


def test_the_classification_scenes_join_the_lecture_after_the_opening():
    order = [name for name, _ in LECTURE_ORDER]
    for name in SCENES:
        assert order.index(name) > order.index("ForwardPass")
    regression, classifier = (compute_trace(load_lesson(p)) for p in (None, CLASSIFY))
    for name in SCENES:
        assert scene_class(name).applies(classifier), name
    for name in set(SCENES) - {"Backpropagation"}:  # backprop is the lectures' shared part
        assert not scene_class(name).applies(regression), name
    for name in ("MSELoss", "ChainRule", "GradientDescent"):
        assert not scene_class(name).applies(classifier), name


@pytest.mark.parametrize("lesson", [seed for seed, _, _ in RANDOM], ids=lambda s: f"random{s}")
@pytest.mark.parametrize("name", SCENES)
def test_random_classifiers_show_only_traced_numbers(name, lesson, lessons, monkeypatch, tmp_path):
    path = lessons[f"random{lesson}"]
    trace = compute_trace(load_lesson(path))
    monkeypatch.setenv(LESSON_ENV, str(path))
    audit, problems = audit_scene(scene_class(name), trace, str(tmp_path / "media"))
    assert problems == [], path.read_text()
    assert screen_problems(audit) == []  # the notation (mlpmath.notation), ≈ explained
    assert audit.scene.ledger.entries


EQUAL_LOGITS = """
[display]
decimals = 4
[network]
sizes = [2, 1, {classes}]
activation = "relu"
loss = "cross_entropy"
[[network.layer]]
weight = [[0.5, -0.25]]
bias = [0.1]
[[network.layer]]
weight = {zeros}
bias = {bias}
[data]
inputs = [[1, 2], [3, 1]]
classes = [0, 1]
[training]
learning_rate = 0.5
steps = 1
"""


@pytest.mark.parametrize(("classes", "shown", "sign"), [(3, "0.3333", "≈"), (2, "0.5000", "=")])
def test_shown_probabilities_are_added_up_against_one(classes, shown, sign, monkeypatch, tmp_path):
    """An output layer of zeros gives equal logits, so p = 1/C: a third shows as 0.3333
    at four decimals, and three of those add to 0.9999, written ≈ 1; halves add to 1."""
    path = tmp_path / "equal.toml"
    zeros = str([[0]] * classes)
    path.write_text(EQUAL_LOGITS.format(classes=classes, zeros=zeros, bias=[0] * classes))
    trace = compute_trace(load_lesson(path))
    monkeypatch.setenv(LESSON_ENV, str(path))
    audit, problems = audit_scene(scene_class("Softmax"), trace, str(tmp_path / "media"))
    assert problems == []
    sums = [(r.expression, r.relation) for r in audit.scene.ledger.relations if r.total == "1.0000"]
    assert sums == [(" + ".join([f"({shown})"] * classes), sign)]


def test_region_pixels_colour_each_cell_by_its_class_bottom_row_last():
    classes = [[0, 1], [2, 0]]  # row 0 is the bottom of the plane
    pixels = region_pixels(classes, background="#000000")
    assert pixels.shape == (2, 2, 4) and pixels.dtype == np.uint8
    assert (pixels[..., 3] == 255).all()

    def expected(c: int) -> np.ndarray:
        hex_text = ManimColor(style.CLASS_COLORS[c]).to_hex()
        rgb = np.array([int(hex_text[i : i + 2], 16) for i in (1, 3, 5)])
        return np.round(rgb * style.REGION_OPACITY)

    assert np.abs(pixels[1, 0, :3] - expected(0)).max() <= 1  # bottom-left cell: class 0
    assert np.abs(pixels[1, 1, :3] - expected(1)).max() <= 1
    assert np.abs(pixels[0, 0, :3] - expected(2)).max() <= 1  # top-left: class 2


@pytest.mark.parametrize(
    ("scores", "expected"), [([0.1, 0.7, 0.2], 1), ([0.5, 0.5, 0.1], 0), ([-2.0, -1.0], 1)]
)
def test_predicted_class_is_the_largest_score_the_lowest_on_a_tie(scores, expected):
    assert predicted_class(scores) == expected


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("classify") / "out"
    result = run_cli(
        "render", str(CLASSIFY), "--scenes", ",".join(RENDERED), "--jobs", "1", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_classifier_renders_and_verifies_frames_too(rendered):
    for name in RENDERED:
        assert (rendered / f"{name}.mp4").stat().st_size > 0
    result = run_cli("verify", str(rendered), "--frames")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_ledger_value_changed_fails_verify(rendered, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(rendered, damaged)
    ledger = damaged / "Softmax.values.json"
    data = json.loads(ledger.read_text())
    entry = next(v for v in data["values"] if v["path"].endswith("probabilities[0][0]"))
    entry["value"] += 1e-3  # one probability, off in its third decimal
    ledger.write_text(json.dumps(data))
    result = run_cli("verify", str(damaged))
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "Softmax.values.json" in said and "probabilities[0][0]" in said

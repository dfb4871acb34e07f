"""One name per loss: scenes ask ``self.loss_view`` and never test which loss they have."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlpmath import cached_trace, load_lesson
from mlpmath.losses import LOSSES
from scenekit.lecture_scene import LectureScene
from scenekit.loss_view import CROSS_ENTROPY, LOSS_VIEWS, MSE, loss_view
from scenes import LECTURE_ORDER, scene_class

ROOT = Path(__file__).resolve().parent.parent
# the lecture's classification-only scenes, as LECTURE.md lists them
CLASSIFICATION_ONLY = {"Softmax", "CrossEntropyLoss", "SoftmaxGradient", "ClassifierTraining"}


def test_a_view_for_each_loss_of_mlpmath_by_its_name():
    assert list(LOSS_VIEWS) == list(LOSSES) == ["mse", "cross_entropy"]
    for name, view in LOSS_VIEWS.items():
        assert view.name == name
        assert view.classifies == LOSSES[name].classifies
    assert (MSE.output, CROSS_ENTROPY.output) == ("hat(y)", "Z")


def test_pick_takes_one_piece_per_loss_and_no_default():
    assert MSE.pick(mse=1, cross_entropy=2) == 1
    assert CROSS_ENTROPY.pick(cross_entropy=2, mse=1) == 2
    with pytest.raises(TypeError, match="one keyword per loss"):
        MSE.pick(mse=1)
    with pytest.raises(TypeError, match="one keyword per loss"):
        CROSS_ENTROPY.pick(mse=1, cross_entropy=2, hinge=3)


def test_a_scene_for_a_loss_by_another_name_is_refused_when_defined():
    with pytest.raises(TypeError, match=r"for_loss = 'classification': not a loss"):
        type("Stale", (LectureScene,), {"for_loss": "classification"})


def test_each_scene_applies_to_its_losses_lessons_and_says_why_not():
    regression = cached_trace(load_lesson(None))
    classifier = cached_trace(load_lesson(ROOT / "lessons" / "classify.toml"))
    assert loss_view(regression) is MSE and loss_view(classifier) is CROSS_ENTROPY
    for name, _ in LECTURE_ORDER:
        cls = scene_class(name)
        if cls.for_loss == "cross_entropy":
            assert name in CLASSIFICATION_ONLY
            assert not cls.applies(regression)
            why = "a classification scene: this lesson's loss is MSE"
            assert cls.skip_reason(regression) == why
        elif cls.for_loss == "mse":
            assert not cls.applies(classifier)
            why = "a regression scene: this lesson's loss is cross-entropy"
            assert cls.skip_reason(classifier) == why
        else:
            assert cls.for_loss is None
    assert {n for n, _ in LECTURE_ORDER if scene_class(n).for_loss == "cross_entropy"} == (
        CLASSIFICATION_ONLY
    )


def test_no_scene_asks_which_loss_it_has():
    """What differs per loss is ``self.loss_view``'s; a scene reading the trace's loss
    (``is_classification``, ``loss_function``) would branch on it again."""
    asked = []
    for path in sorted((ROOT / "scenes").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {
                "is_classification",
                "loss_function",
            }:
                asked.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert asked == []

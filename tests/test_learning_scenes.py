"""The learning scenes: hand-derived gradients on screen equal autograd's, and the loss
curve plots exactly the trace's losses, even for a lesson whose loss blows up.

Scenes are built without video (the audit), for random lessons drawn from fixed
seeds; what they showed is read back from their ledgers.
"""

from __future__ import annotations

import math
import random
import re

import pytest
from manim import Dot, tempconfig

from mlpmath import compute_trace, default_lesson_text, format_number, load_lesson, resolve
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenekit.ledger import Ledger
from scenekit.plots import LossCurve
from scenekit.traced import TracedValues
from scenes.backpropagation import Backpropagation
from scenes.chain_rule import ChainRule
from scenes.gradient_descent import GradientDescent

ACTIVATIONS = ["relu", "sigmoid", "tanh", "none"]
HAND = re.compile(r"^network\.chain_rule\[(\d+)\]\.(weight|bias)((?:\[\d+\])+)$")
SINGLE_VALUE = re.compile(r"^\([^()]*\)$")  # a check of one shown value against another


@pytest.fixture
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


def _use(monkeypatch, path) -> object:
    monkeypatch.setenv(LESSON_ENV, str(path))
    return compute_trace(load_lesson(path))


def _random_network_lesson(seed: int, path) -> None:
    """A network of random shape, activations (output's too), data and precision."""
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4)] + [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    samples = rng.randint(1, 7)  # past the worked sums' limit, sometimes

    def rows(count: int, width: int) -> str:
        return ", ".join(
            "[" + ", ".join(f"{rng.uniform(-3, 3):.2f}" for _ in range(width)) + "]"
            for _ in range(count)
        )

    path.write_text(
        f"""
title = "Random network {seed}"
[display]
decimals = {rng.choice([2, 3, 4])}
[network]
sizes = {sizes}
activation = "{rng.choice(ACTIVATIONS)}"
output_activation = "{rng.choice(ACTIVATIONS)}"
seed = {seed}
[data]
inputs = [{rows(samples, sizes[0])}]
targets = [{rows(samples, sizes[-1])}]
[training]
learning_rate = {rng.choice([0.01, 0.05, 0.2])}
steps = {rng.randint(1, 6)}
"""
    )


def _shown_hand_gradients(audit) -> dict[str, str]:
    """Hand-derived gradient path -> the text shown for it, from what was on screen."""
    ledger = audit.scene.ledger.to_file("", "", set(audit.scene.ever_shown))
    return {value.path: value.text for value in ledger.values if HAND.match(value.path)}


def _autograd_path(hand_path: str) -> str:
    layer, part, index = HAND.match(hand_path).groups()
    return f"network.gradients[{layer}].{part}{index}"


def _assert_equal_to_autograd(trace, shown: dict[str, str]) -> None:
    for path, text in shown.items():
        autograd = resolve(trace, _autograd_path(path))
        assert text == format_number(autograd, trace.decimals), (path, text, autograd)
        assert math.isclose(resolve(trace, path), autograd, rel_tol=1e-9, abs_tol=1e-12)


def _every_gradient_path(trace, layers) -> set[str]:
    paths = set()
    for layer in layers:
        hand = trace.network.chain_rule[layer]
        for r, row in enumerate(hand.weight):
            paths |= {f"network.chain_rule[{layer}].weight[{r}][{c}]" for c in range(len(row))}
        paths |= {f"network.chain_rule[{layer}].bias[{r}]" for r in range(len(hand.bias))}
    return paths


@pytest.mark.parametrize("seed", [5, 11, 13, 14])
def test_shown_hand_gradients_equal_autograd(seed, monkeypatch, media, tmp_path):
    lesson = tmp_path / f"network{seed}.toml"
    _random_network_lesson(seed, lesson)
    trace = _use(monkeypatch, lesson)
    output = len(trace.network.layers) - 1

    audit, problems = audit_scene(ChainRule, trace, media)
    assert problems == [], lesson.read_text()
    shown = _shown_hand_gradients(audit)
    # every weight and the bias of the (first) output neuron, worked out by hand
    first_output = {
        path for path in _every_gradient_path(trace, [output]) if "weight[0]" in path
    } | {f"network.chain_rule[{output}].bias[0]"}
    assert first_output <= set(shown), lesson.read_text()
    _assert_equal_to_autograd(trace, shown)

    audit, problems = audit_scene(Backpropagation, trace, media)
    assert problems == [], lesson.read_text()
    shown = _shown_hand_gradients(audit)
    # sizes stay below the elision limits, so every gradient of every layer is listed
    assert _every_gradient_path(trace, range(output + 1)) <= set(shown)
    _assert_equal_to_autograd(trace, shown)
    ledger = audit.scene.ledger.to_file("", "", set(audit.scene.ever_shown))
    comparisons = [r for r in ledger.relations if SINGLE_VALUE.match(r.expression)]
    assert comparisons, "no gradient set beside autograd's"
    assert all(r.relation == "=" for r in comparisons)


def _plotted(audit) -> list[tuple[str, float]]:
    shown = set(audit.scene.ever_shown)
    return [
        (entry.path, entry.value)
        for entry in audit.scene.ledger.entries
        if isinstance(entry.mobject, Dot) and id(entry.mobject) in shown
    ]


def _losses_as_plotted(trace) -> list[tuple[str, float]]:
    return [
        (f"network.training.losses[{j}]", loss)
        for j, loss in enumerate(trace.network.training.losses)
        if math.isfinite(loss)
    ]


@pytest.mark.parametrize("seed", [12, 22])
def test_loss_curve_points_are_the_trace_losses(seed, monkeypatch, media, tmp_path):
    lesson = tmp_path / f"network{seed}.toml"
    _random_network_lesson(seed, lesson)
    trace = _use(monkeypatch, lesson)
    audit, problems = audit_scene(GradientDescent, trace, media)
    assert problems == [], lesson.read_text()
    assert _plotted(audit) == _losses_as_plotted(trace)
    assert len(_plotted(audit)) == len(trace.network.training.losses)


def test_a_loss_that_blows_up_is_drawn_truthfully(monkeypatch, media, tmp_path):
    """learning_rate = 0.003 makes the default lesson's loss overflow, then turn to nan."""
    lesson = tmp_path / "diverging.toml"
    text = default_lesson_text()
    assert "learning_rate = 0.001\n" in text
    lesson.write_text(text.replace("learning_rate = 0.001\n", "learning_rate = 0.003\n"))
    trace = _use(monkeypatch, lesson)
    losses = trace.network.training.losses
    assert not all(math.isfinite(loss) for loss in losses)
    for scene in (ChainRule, Backpropagation, GradientDescent):
        audit, problems = audit_scene(scene, trace, media)
        assert problems == []
    plotted = _plotted(audit)
    assert plotted == _losses_as_plotted(trace)
    assert max(value for _, value in plotted) == max(x for x in losses if math.isfinite(x))
    # and the words say so (the trace's training.outcome, not the scene's own arithmetic)
    assert trace.network.training.outcome == "diverged"
    assert "Repeated, step after step: the loss grows until it is no longer a number" in (
        audit.scene.steps
    )


def test_a_network_without_hidden_layer_builds(monkeypatch, media, tmp_path):
    lesson = tmp_path / "flat.toml"
    lesson.write_text(
        """
[network]
sizes = [2, 1]
[data]
inputs = [[1, 2], [3, 1]]
targets = [[1], [2]]
[training]
learning_rate = 0.1
steps = 2
"""
    )
    trace = _use(monkeypatch, lesson)
    for scene in (ChainRule, Backpropagation, GradientDescent):
        audit, problems = audit_scene(scene, trace, media)
        assert problems == []
        assert audit.scene.ledger.entries


def test_the_loss_curve_names_its_axes_with_traced_ticks_and_marks_the_last_loss(tmp_path):
    """Every tick value is a ledger entry of a loss (or the number of steps) standing
    at that loss's height; the last point is ringed and labelled with its own loss."""
    trace = compute_trace(load_lesson(None))
    ledger = Ledger()
    with tempconfig({"media_dir": str(tmp_path / "media")}):
        plot = LossCurve(TracedValues(trace, ledger))
    losses = trace.network.training.losses
    ticks = plot.labels[1]
    assert len(ticks) >= 2
    paths = []
    for mark, label in ticks:
        [entry] = ledger.entries_of(label)
        index = int(re.fullmatch(r"network\.training\.losses\[(\d+)\]", entry.path)[1])
        assert entry.value == losses[index]
        assert mark.get_y() == pytest.approx(plot.axes.c2p(0, losses[index])[1])
        paths.append(entry.path)
    assert "network.training.losses[0]" in paths  # the first loss is always a tick
    steps = [e for e in ledger.entries if e.path == "len(network.training.steps)"]
    assert [e.value for e in steps] == [len(trace.network.training.steps)]
    ring, value = plot.current
    last = len(losses) - 1
    [entry] = ledger.entries_of(value)
    assert (entry.path, entry.value) == (f"network.training.losses[{last}]", losses[last])
    assert ring.get_center()[:2] == pytest.approx(plot.axes.c2p(last, losses[last])[:2])

"""Classification (issue 22): the cross-entropy trace against torch, and its lesson checks.

Every expected value comes from outside mlpmath: ``nn.Linear`` modules built
here from the lesson's numbers, ``F.cross_entropy`` and autograd, numpy's
softmax, ``torch.optim.SGD``. Nothing is copied from the program's output.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import random
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from mlpmath import LessonError, Trace, compute_trace, default_lesson, load_lesson, parse_lesson
from mlpmath.lesson import Lesson
from mlpmath.lesson_checks import REGION_CELLS, recorded_values
from mlpmath.losses import LOSSES, loss_for
from mlpmath.schema import trace_paths
from mlpmath.trace import resolve

ROOT = Path(__file__).resolve().parent.parent
CLASSIFY = ROOT / "lessons" / "classify.toml"
EXACT = {"rtol": 1e-12, "atol": 1e-12}  # float64, only the order of operations differs
TRAINING = {"rtol": 1e-9, "atol": 1e-12}
FLOAT32 = {"rtol": 2e-5, "atol": 2e-5}
MODULES = {"none": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def t64(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def network_of(layers, activations) -> nn.Sequential:
    """``nn.Sequential(nn.Linear, activation, ...)`` (float64) holding ``layers``' numbers."""
    modules: list[nn.Module] = []
    for layer, name in zip(layers, activations, strict=True):
        weight = t64(layer.weight)
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(weight)
            linear.bias.copy_(t64(layer.bias))
        modules += [linear, MODULES[name]()]
    return nn.Sequential(*modules)


def numpy_softmax(logits: np.ndarray) -> dict[str, np.ndarray]:
    row_max = logits.max(axis=1)
    shifted = logits - row_max[:, None]
    exp = np.exp(shifted)
    return {"row_max": row_max, "shifted": shifted, "exp": exp, "exp_sum": exp.sum(axis=1)}


def random_classifier(seed: int) -> str:
    """A cross-entropy lesson's text: varied sizes and activations, C from 2 to 5."""
    rng = random.Random(seed)
    classes = 2 + seed % 4
    sizes = [rng.randint(1, 4), *(rng.randint(1, 5) for _ in range(rng.randint(0, 2))), classes]
    samples = rng.randint(1, 8)

    def rows(count: int, width: int) -> str:
        return str([[round(rng.uniform(-2, 2), 4) for _ in range(width)] for _ in range(count)])

    layers = "".join(
        f"[[network.layer]]\nweight = {rows(b, a)}\nbias = {rows(1, b)[1:-1]}\n"
        + (f'activation = "{rng.choice(list(MODULES))}"\n' if i < len(sizes) - 2 else "")
        for i, (a, b) in enumerate(pairwise(sizes))
    )
    return f"""
[network]
sizes = {sizes}
loss = "cross_entropy"
{layers}
[data]
inputs = {rows(samples, sizes[0])}
classes = {[rng.randrange(classes) for _ in range(samples)]}
[training]
learning_rate = {rng.choice([0.05, 0.5, 1.0])}
steps = {rng.randint(0, 6)}
"""


def lessons() -> list[Lesson]:
    return [load_lesson(CLASSIFY)] + [
        parse_lesson(random_classifier(seed), f"random{seed}") for seed in range(24)
    ]


LESSONS = lessons()
IDS = [lesson.name for lesson in LESSONS]


@pytest.fixture(scope="module")
def traces() -> dict[str, Trace]:
    return {lesson.name: compute_trace(lesson) for lesson in LESSONS}


# -- the math against torch ------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_loss_and_gradients_equal_torchs_cross_entropy_and_autograd(lesson, traces):
    network = traces[lesson.name].network
    assert network.loss_function == "cross_entropy" and network.is_classification
    net = network_of(lesson.network.layers, lesson.network.activations)
    x, y = t64(lesson.inputs), torch.tensor(lesson.classes)
    logits = net(x)
    logits.retain_grad()
    loss = F.cross_entropy(logits, y)
    loss.backward()
    assert_close(t64(network.prediction), logits.detach(), **EXACT)
    assert_close(t64(network.loss), loss.detach(), **EXACT)
    assert_close(t64(network.prediction_gradient), logits.grad, **EXACT)
    assert_close(t64(network.prediction_gradient_autograd), logits.grad, **EXACT)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for linear, by_autograd, by_hand in zip(
        linears, network.gradients, network.chain_rule, strict=True
    ):
        for record in (by_autograd, by_hand):
            assert_close(t64(record.weight), linear.weight.grad, **EXACT)
            assert_close(t64(record.bias), linear.bias.grad, **EXACT)
    assert network.loss_count == len(lesson.inputs)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_softmax_steps_per_sample_loss_and_accuracy_match_numpy(lesson, traces):
    network = traces[lesson.name].network
    softmax = network.softmax
    logits = np.array(network.prediction)
    expected = numpy_softmax(logits)
    for name, values in expected.items():
        np.testing.assert_allclose(np.array(getattr(softmax, name)), values, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(np.array(softmax.logits), logits)
    probabilities = np.array(softmax.probabilities)
    np.testing.assert_allclose(
        probabilities, torch.softmax(t64(logits), dim=1).numpy(), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    true = np.array(lesson.classes)
    rows = np.arange(len(true))
    assert network.classes == lesson.classes
    np.testing.assert_array_equal(np.array(network.one_hot), np.eye(logits.shape[1])[true])
    picked = probabilities[rows, true]
    np.testing.assert_array_equal(np.array(network.true_class_probability), picked)
    np.testing.assert_allclose(
        np.array(network.cross_entropy), -np.log(picked), rtol=1e-12, atol=1e-15
    )
    predicted = logits.argmax(axis=1)  # numpy's argmax: the first of equal maxima too
    assert network.predicted_classes == tuple(int(c) for c in predicted)
    assert network.correct == tuple(bool(c) for c in predicted == true)
    assert network.correct_count == int((predicted == true).sum())
    assert network.accuracy == (predicted == true).sum() / len(true)


def numpy_logit_gradient(logits: np.ndarray, classes) -> np.ndarray:
    """``(softmax(Z) - onehot(y)) / N`` in numpy, written from the formula."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    one_hot = np.zeros_like(logits)
    one_hot[np.arange(len(classes)), classes] = 1.0
    return (exp / exp.sum(axis=1, keepdims=True) - one_hot) / len(classes)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_logits_gradient_by_hand_equals_autograds_and_numpys(lesson, traces):
    """What SoftmaxGradient sets side by side: (P - Y) / N by hand and autograd's Z.grad."""
    network = traces[lesson.name].network
    hand = np.array(network.prediction_gradient)
    by_autograd = np.array(network.prediction_gradient_autograd)
    expected = numpy_logit_gradient(np.array(network.prediction), list(lesson.classes))
    assert hand.shape == by_autograd.shape == (len(lesson.inputs), lesson.network.sizes[-1])
    np.testing.assert_allclose(by_autograd, hand, **EXACT)
    np.testing.assert_allclose(by_autograd, expected, **EXACT)
    np.testing.assert_allclose(hand, expected, **EXACT)


def test_the_autograd_gradient_does_not_come_from_the_hand_formula(monkeypatch):
    """A broken hand rule breaks only the hand field: autograd's is computed apart."""
    lesson = LESSONS[0]
    cross_entropy = loss_for("cross_entropy")
    monkeypatch.setattr(
        cross_entropy, "prediction_gradient", lambda prediction, target: prediction * 0.0
    )
    network = compute_trace(lesson).network
    assert not np.array(network.prediction_gradient).any()
    expected = numpy_logit_gradient(np.array(network.prediction), list(lesson.classes))
    np.testing.assert_allclose(network.prediction_gradient_autograd, expected, **EXACT)
    assert np.abs(expected).max() > 1e-3  # so the zeros above are a real difference


@pytest.mark.parametrize("name", ["default", "relu", "wide"])
def test_a_regression_traces_autograd_output_gradient_is_mses(name):
    """For MSE the new field is autograd's dL/dy_hat: -2/K (y - y_hat), as the hand one."""
    network = compute_trace(load_lesson(ROOT / "lessons" / f"{name}.toml")).network
    y, y_hat = np.array(network.target), np.array(network.prediction)
    expected = -2.0 / y.size * (y - y_hat)
    np.testing.assert_allclose(network.prediction_gradient_autograd, expected, **EXACT)
    np.testing.assert_allclose(network.prediction_gradient, expected, **EXACT)


@pytest.mark.parametrize("lesson", LESSONS[:8], ids=IDS[:8])
def test_training_is_sgd_on_cross_entropy(lesson, traces):
    training = traces[lesson.name].network.training
    net = network_of(lesson.network.layers, lesson.network.activations)
    optimizer = torch.optim.SGD(net.parameters(), lr=lesson.learning_rate)
    x, y = t64(lesson.inputs), torch.tensor(lesson.classes)
    losses, accuracies = [], []
    for step in range(lesson.steps + 1):
        optimizer.zero_grad()
        logits = net(x)
        loss = F.cross_entropy(logits, y)
        losses.append(loss.item())
        accuracies.append((logits.argmax(dim=1) == y).double().mean().item())
        if step < lesson.steps:
            loss.backward()
            optimizer.step()
    assert_close(t64(training.losses), t64(losses), **TRAINING)
    assert training.accuracies == pytest.approx(accuracies, abs=0)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for linear, layer in zip(linears, training.layers, strict=True):
        assert_close(t64(layer.weight), linear.weight.detach(), **TRAINING)


def test_the_shipped_lesson_learns_every_class_and_moves_the_regions(traces):
    lesson = LESSONS[0]
    network = traces[lesson.name].network
    assert network.sizes == (2, 4, 3) and 6 <= network.samples <= 9
    assert network.training.accuracies[-1] == 1.0 > network.training.accuracies[0]
    regions = network.training.regions
    assert regions.steps[0] == 0 and regions.steps[-1] == lesson.steps
    first, last = regions.predicted[0], regions.predicted[-1]
    changed = sum(
        a != b for row, other in zip(first, last, strict=True) for a, b in zip(row, other)
    )
    assert changed > REGION_CELLS**2 // 10  # visibly: over a tenth of the plane
    assert {c for row in last for c in row} == {0, 1, 2}


def test_regions_are_the_networks_argmax_over_a_grid_around_the_samples(traces):
    lesson = LESSONS[0]
    training = traces[lesson.name].network.training
    regions = training.regions
    x = np.array(lesson.inputs)
    low, high = x.min(axis=0), x.max(axis=0)
    margin = (high - low) / 4
    bounds = (low[0] - margin[0], high[0] + margin[0], low[1] - margin[1], high[1] + margin[1])
    assert regions.bounds == pytest.approx(bounds, rel=1e-15)
    cells = REGION_CELLS
    centres = [np.linspace(a, b, cells + 1)[:-1] + (b - a) / (2 * cells) for a, b in (
        bounds[:2], bounds[2:])]  # fmt: skip
    np.testing.assert_allclose(regions.first, centres[0], rtol=1e-12)
    np.testing.assert_allclose(regions.second, centres[1], rtol=1e-12)
    grid = np.array([[a, b] for b in regions.second for a in regions.first])
    for step, predicted in zip(regions.steps, regions.predicted, strict=True):
        layers = training.layers if step == lesson.steps else training.steps[step].parameters
        logits = network_of(layers, lesson.network.activations)(t64(grid)).detach().numpy()
        top = np.sort(logits, axis=1)
        clear = top[:, -1] - top[:, -2] > 1e-9  # not a tie up to rounding
        expected = logits.argmax(axis=1)
        np.testing.assert_array_equal(np.array(predicted).reshape(-1)[clear], expected[clear])


@pytest.mark.parametrize(("bias", "expected"), [([0.25, 0.25, -1.0], 0), ([-1.0, 0.5, 0.5], 1)])
def test_equal_logits_go_to_the_lowest_class(bias, expected):
    lesson = parse_lesson(
        f"""
[network]
sizes = [2, 3]
loss = "cross_entropy"
[[network.layer]]
weight = [[0, 0], [0, 0], [0, 0]]
bias = {bias}
[data]
inputs = [[1, 2], [3, 4]]
classes = [0, 1]
[training]
learning_rate = 0.1
steps = 0
""",
        "ties",
    )
    network = compute_trace(lesson).network
    assert network.predicted_classes == (expected, expected)
    assert int(torch.argmax(t64(bias))) == expected  # torch's own rule
    assert network.accuracy == 0.5
    assert {c for row in network.training.regions.predicted[0] for c in row} == {expected}


# -- the record --------------------------------------------------------------


def _first_entry(path: str, kind: str) -> str:
    """A schema path (``network.layers[i].weight``, a matrix) at its first single value
    (``network.layers[0].weight[0][0]``)."""
    for letter in "ijklm":
        path = path.replace(f"[{letter}]", "[0]")
    depth = {"vector": 1, "matrix": 2}.get(kind, 0)
    if kind.startswith(("list of", "table of")) or "-deep" in kind:
        depth = 2 if kind.startswith("table") else int(kind[0]) if "-deep" in kind else 1
    return path + "[0]" * depth


# Every value a classification trace fills (the schema, read from mlpmath's records:
# a new field is checked here without a list to extend).
SCHEMA = [
    _first_entry(item.path, item.kind)
    for item in trace_paths()
    if item.loss in (None, "cross_entropy") and "record" not in item.kind
]


def test_the_trace_reads_back_exactly_and_every_path_resolves(traces):
    trace = traces[LESSONS[0].name]
    data = json.loads(json.dumps(trace.to_json(), allow_nan=False))
    assert Trace.from_json(data) == trace
    as_dict = trace.to_dict()
    for path in SCHEMA:
        value = resolve(trace, path)
        assert resolve(as_dict, path) == value
    assert type(resolve(trace, "network.classes[0]")) is int
    assert type(resolve(trace, "network.training.regions.predicted[0][0][0]")) is int
    assert type(resolve(trace, "network.correct[0]")) is bool
    with pytest.raises(ValueError):  # a damaged class is refused, not read as a float
        broken = json.loads(json.dumps(data))
        broken["network"]["classes"][0] = 0.5
        Trace.from_json(broken)


def test_a_regression_trace_keeps_its_fields_and_has_no_classification():
    network = compute_trace(default_lesson()).network
    assert network.loss_function == "mse" and not network.is_classification
    assert network.target and network.errors and network.squared_error_sum is not None
    assert network.classes == network.one_hot == network.cross_entropy == ()
    assert network.softmax is None and network.accuracy is None
    assert network.training.accuracies == () and network.training.regions is None


def test_the_number_limit_counts_what_a_classification_trace_records(traces):
    """The lesson limits' estimate (about, as for MSE) includes the regions' grids."""
    lesson = LESSONS[0]
    numbers = _count(traces[lesson.name].to_json())
    estimate = recorded_values(lesson.network.sizes, len(lesson.inputs), lesson.steps, True)
    assert abs(estimate - numbers) < numbers / 10


def _count(value) -> int:
    if isinstance(value, dict):
        return sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    return int(isinstance(value, int | float))


def test_each_loss_gives_its_own_gradient_as_autograd_does():
    """The seam itself: each loss's hand gradient against autograd of its torch loss."""
    generator = torch.Generator().manual_seed(3)
    prediction = torch.randn(5, 4, dtype=torch.float64, generator=generator)
    targets = {
        "mse": torch.randn(5, 4, dtype=torch.float64, generator=generator),
        "cross_entropy": torch.tensor([0, 3, 1, 1, 2]),
    }
    assert list(LOSSES) == ["mse", "cross_entropy"]
    for name, target in targets.items():
        loss = loss_for(name)
        leaf = prediction.clone().requires_grad_(True)
        loss.by_torch(leaf, target).backward()
        assert_close(loss.prediction_gradient(prediction, target), leaf.grad, **EXACT)
        assert_close(loss.value(prediction, target), loss.by_torch(prediction, target), **EXACT)


# -- lesson files: every bad input in one line ----------------------------------


GOOD = """
title = "Three points"
[network]
sizes = [2, 3, 3]
activation = "relu"
output_activation = "none"
loss = "cross_entropy"
seed = 1
[data]
inputs = [[1, 2], [3, 4], [5, 6]]
classes = [0, 2, 1]
[training]
learning_rate = 0.1
steps = 2
"""

BAD = [
    (
        "out-of-range",
        "classes = [0, 2, 1]",
        "classes = [0, 3, 1]",
        "data.classes[1]: expected 0 to 2, got 3",
    ),
    (
        "negative",
        "classes = [0, 2, 1]",
        "classes = [0, -1, 1]",
        "data.classes[1]: expected 0 to 2, got -1",
    ),
    (
        "fraction",
        "classes = [0, 2, 1]",
        "classes = [0, 1.5, 1]",
        "data.classes[1]: expected a whole number",
    ),
    (
        "boolean",
        "classes = [0, 2, 1]",
        "classes = [0, true, 1]",
        "data.classes[1]: expected a whole number, got True",
    ),
    (
        "text",
        "classes = [0, 2, 1]",
        'classes = [0, "a", 1]',
        "data.classes[1]: expected a whole number",
    ),
    (
        "not-a-list",
        "classes = [0, 2, 1]",
        "classes = 2",
        "data.classes: expected a list of class indices",
    ),
    (
        "count",
        "classes = [0, 2, 1]",
        "classes = [0, 2]",
        "data.classes: 2 classes but data.inputs has 3 samples",
    ),
    (
        "classes-with-mse",
        'loss = "cross_entropy"',
        'loss = "mse"',
        'data.classes: given, but network.loss is "mse"',
    ),
    (
        "targets-with-ce",
        "classes = [0, 2, 1]",
        "targets = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]",
        'data.targets: network.loss is "cross_entropy"',
    ),
    (
        "both",
        "classes = [0, 2, 1]",
        "classes = [0, 2, 1]\ntargets = [[1], [2], [3]]",
        "(give data.classes only)",
    ),
    ("neither", "classes = [0, 2, 1]", "", "data.classes: missing"),
    ("classes-default-loss", 'loss = "cross_entropy"\n', "", "data.classes: given, but"),
    (
        "one-class",
        "sizes = [2, 3, 3]",
        "sizes = [2, 3, 1]",
        "network.sizes: the last layer has 1 output; cross-entropy needs",
    ),
    (
        "output-activation",
        'output_activation = "none"',
        'output_activation = "sigmoid"',
        'network.output_activation: must be "none"',
    ),
    (
        "unknown-loss",
        'loss = "cross_entropy"',
        'loss = "hinge"',
        "network.loss: unknown loss 'hinge' (choose one of: mse, cross_entropy)",
    ),
    ("loss-not-text", 'loss = "cross_entropy"', "loss = 3", "network.loss: unknown loss 3"),
]


@pytest.mark.parametrize(("old", "new", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_classification_lesson_fails_in_one_line(old, new, message):
    assert old in GOOD
    with pytest.raises(LessonError) as caught:
        parse_lesson(GOOD.replace(old, new, 1), "bad", origin="bad.toml")
    text = str(caught.value)
    assert text.startswith("bad.toml: ") and "\n" not in text
    assert message in text


def test_a_missing_target_without_classes_says_so():
    text = GOOD.replace('loss = "cross_entropy"\n', "").replace("classes = [0, 2, 1]\n", "")
    with pytest.raises(LessonError, match=r"^bad: data\.targets: missing$"):
        parse_lesson(text, "bad")


def test_a_last_layers_own_activation_is_named(tmp_path):
    text = GOOD.replace("seed = 1", "[[network.layer]]\n[[network.layer]]\nactivation = 'tanh'")
    with pytest.raises(LessonError, match=r"network\.layer\[1\]\.activation: must be \"none\""):
        parse_lesson(text, "bad")


def test_the_command_line_refuses_a_bad_class_in_one_line(tmp_path):
    from mlp_lecture.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("classes = [0, 2, 1]", "classes = [0, 9, 1]"))
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = main(["trace", str(bad)])
    assert status == 2
    lines = stderr.getvalue().strip().splitlines()
    assert len(lines) == 1 and "data.classes[1]: expected 0 to 2, got 9" in lines[0]


@pytest.mark.parametrize("seed", range(6))
def test_a_classification_lesson_round_trips_through_its_file(seed):
    lesson = LESSONS[seed]
    back = parse_lesson(lesson.to_toml(), name=lesson.name)
    assert back == lesson
    assert back.classes == lesson.classes and back.network.loss == "cross_entropy"


# -- from a torch model and from a saved state dict ------------------------------


def classifier() -> nn.Sequential:
    torch.manual_seed(5)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 3))


X = torch.tensor([[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [2.0, 2.0]])
Y = torch.tensor([0, 1, 2, 1])


def test_from_model_matches_nn_cross_entropy_loss_and_grad():
    net = classifier()
    lesson = Lesson.from_model(net, X, Y, loss="cross_entropy", learning_rate=0.1, steps=2)
    assert lesson.classes == (0, 1, 2, 1) and lesson.targets == ()
    assert (
        Lesson.from_model(net, X, [0, 1, 2, 1], loss="cross_entropy", learning_rate=0.1, steps=2)
        == lesson
    )
    network = compute_trace(lesson).network
    loss = nn.CrossEntropyLoss()(net(X), Y)
    loss.backward()
    assert_close(t64(network.loss), loss.detach().double(), **FLOAT32)
    assert_close(t64(network.gradients[0].weight), net[0].weight.grad.double(), **FLOAT32)
    assert_close(t64(network.chain_rule[1].bias), net[2].bias.grad.double(), **FLOAT32)
    assert parse_lesson(lesson.to_toml(), name=lesson.name) == lesson


@pytest.mark.parametrize(
    ("model", "targets", "loss", "message"),
    [
        (classifier(), Y.float(), "cross_entropy", "got a tensor of torch.float32"),
        (classifier(), Y.bool(), "cross_entropy", "got a tensor of torch.bool"),
        (classifier(), [0, 1, 2, True], "cross_entropy", "integer class labels"),
        (classifier(), [0, 1, 2, 0.5], "cross_entropy", "integer class labels"),
        (classifier(), [0, 1, 3, 1], "cross_entropy", "targets[2]: class 3 is out of range"),
        (classifier(), [0, 1, 2], "cross_entropy", "targets: 3 classes but inputs has 4 samples"),
        (nn.Sequential(nn.Linear(2, 1)), [0, 0, 0, 0], "cross_entropy", "at least 2"),
        (nn.Sequential(nn.Linear(2, 3), nn.Sigmoid()), Y, "cross_entropy", "followed by"),
        (classifier(), Y, "hinge", "loss: unknown loss 'hinge'"),
    ],
)
def test_from_model_refuses_what_cross_entropy_cannot_take(model, targets, loss, message):
    with pytest.raises(LessonError) as caught:
        Lesson.from_model(model, X, targets, loss=loss, learning_rate=0.1, steps=1)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_lesson_command_reads_the_csvs_last_column_as_the_class(tmp_path):
    from mlp_lecture.cli import main
    from mlp_lecture.lesson_file import lesson_from_files

    net = classifier()
    torch.save(net.state_dict(), tmp_path / "net.pt")
    rows = "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X.tolist(), Y.tolist(), strict=True))
    (tmp_path / "data.csv").write_text("x1,x2,class\n" + rows)
    (tmp_path / "half.csv").write_text("x1,x2,class\n" + rows.replace(",2\n", ",2.5\n"))
    out = tmp_path / "out.toml"
    args = ["lesson", "--state-dict", str(tmp_path / "net.pt"), "--activation", "tanh"]
    with contextlib.redirect_stdout(io.StringIO()):
        status = main([*args, "--data", str(tmp_path / "data.csv"), "--loss", "cross_entropy",
                       "--learning-rate", "0.1", "--steps", "2", "--out", str(out)])  # fmt: skip
    assert status == 0
    expected = Lesson.from_model(net, X, Y, loss="cross_entropy", learning_rate=0.1, steps=2)
    written = load_lesson(out)
    assert written.classes == expected.classes and written.network == expected.network
    from_files = functools.partial(
        lesson_from_files, tmp_path / "net.pt", layers=None, activation="tanh",
        output_activation="none", learning_rate=0.1, steps=1, title="t", decimals=4,
    )  # fmt: skip
    with pytest.raises(LessonError, match=r"half\.csv:4: column 3: '2\.5' is not a class"):
        from_files(tmp_path / "half.csv", loss="cross_entropy")
    with pytest.raises(LessonError, match=r"^--loss: unknown loss 'l1'"):
        from_files(tmp_path / "data.csv", loss="l1")


# -- what reads the trace -------------------------------------------------------


def test_the_trace_report_shows_the_softmax_and_the_accuracy(traces):
    from rich.console import Console

    from mlp_lecture.report import print_trace

    lesson = LESSONS[0]
    trace = traces[lesson.name]
    console = Console(record=True, width=160)
    print_trace(trace, console)
    text = console.export_text()
    logits = np.array(trace.network.prediction)
    right = int((logits.argmax(axis=1) == np.array(lesson.classes)).sum())
    assert f"({right} of {len(lesson.classes)} right)" in text
    assert f"accuracy: {right}/{len(lesson.classes)} = " in text
    assert "P = e^(Z − m) / Σ" in text and "L = −log p_y" in text
    shown = f"{np.exp(logits - logits.max(axis=1, keepdims=True))[0, 0]:.4f}"
    assert shown in text  # E[0][0] at the lesson's decimals


def test_a_vanishing_true_class_probability_keeps_a_finite_loss_as_torch():
    lesson = parse_lesson(
        """
[network]
sizes = [1, 2]
loss = "cross_entropy"
[[network.layer]]
weight = [[0], [0]]
bias = [0, 1000]
[data]
inputs = [[1]]
classes = [0]
[training]
learning_rate = 0.1
steps = 0
""",
        "far",
    )
    network = compute_trace(lesson).network
    assert network.true_class_probability == (0.0,)  # e^-1000 underflows
    expected = F.cross_entropy(t64([[0.0, 1000.0]]), torch.tensor([0]))
    assert network.cross_entropy == (1000.0,) and network.loss == expected.item()

"""mlpmath's numbers against independent computations.

Every expected value here comes from somewhere other than mlpmath: the
deck's numbers as LECTURE.md gives them, plain Python and ``decimal``
arithmetic, numpy, and ``torch.nn`` modules built in the test. No value is
copied from the program's own output.
"""

from __future__ import annotations

import dataclasses
import math
import random
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import top_packages_imported
from torch import nn
from torch.testing import assert_close

from mlpmath import (
    ACTIVATIONS,
    PathError,
    compute_trace,
    default_lesson,
    default_lesson_text,
    dot_relation,
    format_number,
    parse_lesson,
    resolve,
    text_matches_value,
)
from mlpmath.display import APPROX, EQUALS

# -- the deck's numbers, as LECTURE.md gives them -----------------------------

NEURON_X = [1, 2, 3]
NEURON_W = [0.5398, -0.5377, 0.3111]
NEURON_B = -0.1321
BATCH_X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
BATCH_W = [0.2118, 0.1606, 0.4825]
BATCH_B = 0.3519
DECK_LAYERS = [
    ([[0.1319, -0.5874], [-0.6096, -0.5569], [0.4028, 0.0784]], [-0.5923, 0.1290, 0.2674]),
    ([[-0.1401, 0.1616, 0.5679], [0.2270, 0.0575, 0.3641]], [-0.4812, -0.0846]),
    ([[0.6878, 0.6464]], [-0.4830]),
]
DECK_X = [[1, 2], [2, 3], [10, 5]]
DECK_Y = [[7], [12], [40]]

# Explicit tolerances: float64 throughout, so only the order of operations differs.
FORWARD = {"rtol": 1e-12, "atol": 1e-12}
GRADIENT = {"rtol": 1e-10, "atol": 1e-12}
TRAINING = {"rtol": 1e-9, "atol": 1e-12}

F64 = torch.float64
TORCH_ACTIVATIONS = {"none": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
NUMPY_ACTIVATIONS = {
    "none": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
}


# -- independent reference implementations ------------------------------------


def t64(values) -> torch.Tensor:
    return torch.tensor(values, dtype=F64)


def sequential(params, activations: list[str]) -> nn.Sequential:
    """``nn.Sequential(nn.Linear, activation, ...)`` holding ``params`` (float64)."""
    modules: list[nn.Module] = []
    for (weight, bias), name in zip(params, activations, strict=True):
        weight = t64(weight)
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=F64)
        with torch.no_grad():
            linear.weight.copy_(weight)
            linear.bias.copy_(t64(bias))
        modules += [linear, TORCH_ACTIVATIONS[name]()]
    return nn.Sequential(*modules)


def linears(net: nn.Sequential) -> list[nn.Linear]:
    return [module for module in net if isinstance(module, nn.Linear)]


def numpy_forward(params, x, activations: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(pre-activation, output)`` of every layer, in numpy."""
    a = np.asarray(x, dtype=np.float64)
    layers = []
    for (weight, bias), name in zip(params, activations, strict=True):
        z = a @ np.asarray(weight, dtype=np.float64).T + np.asarray(bias, dtype=np.float64)
        a = NUMPY_ACTIVATIONS[name](z)
        layers.append((z, a))
    return layers


def numpy_loss(params, x, y, activations: list[str]) -> float:
    prediction = numpy_forward(params, x, activations)[-1][1]
    return float(np.mean((np.asarray(y, dtype=np.float64) - prediction) ** 2))


def autograd_gradients(params, x, y, activations: list[str]) -> list[tuple[torch.Tensor, ...]]:
    net = sequential(params, activations)
    F.mse_loss(net(t64(x)), t64(y)).backward()
    return [(linear.weight.grad, linear.bias.grad) for linear in linears(net)]


def sgd_run(params, x, y, activations: list[str], learning_rate: float, steps: int):
    """``steps`` steps of ``torch.optim.SGD`` (no momentum): losses and final parameters."""
    net = sequential(params, activations)
    optimizer = torch.optim.SGD(net.parameters(), lr=learning_rate, momentum=0)
    x, y = t64(x), t64(y)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(net(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        losses.append(F.mse_loss(net(x), y).item())
    return losses, [(lin.weight.detach(), lin.bias.detach()) for lin in linears(net)]


def layer_activations(trace) -> list[str]:
    return [layer.activation for layer in trace.network.layers]


def trace_params(trace) -> list[tuple]:
    return [(layer.weight, layer.bias) for layer in trace.network.layers]


def lesson_text(
    sizes,
    activation,
    output_activation,
    inputs,
    targets,
    *,
    layers=None,
    seed=0,
    decimals=4,
    learning_rate=0.01,
    steps=3,
) -> str:
    """A lesson file written the way a teacher would write it."""
    lines = [
        f"[display]\ndecimals = {decimals}",
        f'[network]\nsizes = {list(sizes)}\nactivation = "{activation}"',
        f'output_activation = "{output_activation}"\nseed = {seed}',
    ]
    for weight, bias in layers or []:
        lines.append(f"[[network.layer]]\nweight = {weight}\nbias = {bias}")
    lines.append(f"[data]\ninputs = {inputs}\ntargets = {targets}")
    lines.append(f"[training]\nlearning_rate = {learning_rate}\nsteps = {steps}")
    return "\n".join(lines) + "\n"


def random_case(index: int) -> tuple[str, dict]:
    """A seeded random lesson: sizes 1-5, 1-6 samples, every activation in turn."""
    rng = random.Random(1000 + index)
    hidden = list(ACTIVATIONS)[index % 4]
    output = list(ACTIVATIONS)[(index // 4) % 4]
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 5))]
    samples = rng.randint(1, 6)
    inputs = [[round(rng.uniform(-3, 3), 2) for _ in range(sizes[0])] for _ in range(samples)]
    targets = [[round(rng.uniform(-2, 2), 2) for _ in range(sizes[-1])] for _ in range(samples)]
    given = index % 3 != 0  # every third lesson draws its parameters from the seed
    layers = None
    if given:
        layers = [
            (
                [[round(rng.uniform(-1, 1), 4) for _ in range(a)] for _ in range(b)],
                [round(rng.uniform(-1, 1), 4) for _ in range(b)],
            )
            for a, b in pairwise(sizes)
        ]
    spec = {
        "sizes": sizes,
        "hidden": hidden,
        "output": output,
        "inputs": inputs,
        "targets": targets,
        "layers": layers,
        "learning_rate": rng.choice([0.001, 0.01, 0.05]),
        "steps": rng.randint(0, 4),
    }
    text = lesson_text(
        sizes,
        hidden,
        output,
        inputs,
        targets,
        layers=layers,
        seed=rng.randint(0, 10_000),
        decimals=rng.randint(2, 6),
        learning_rate=spec["learning_rate"],
        steps=spec["steps"],
    )
    return text, spec


RANDOM_CASES = range(48)


@pytest.fixture(scope="module")
def deck():
    return compute_trace(default_lesson())


# -- Part 1: the deck's one-neuron examples -----------------------------------


def test_neuron_products_are_the_elementwise_products(deck):
    neuron = deck.neurons[0]
    assert neuron.inputs == (tuple(float(x) for x in NEURON_X),)
    assert neuron.weight == tuple(NEURON_W)
    assert neuron.products == (tuple(w * x for w, x in zip(NEURON_W, NEURON_X, strict=True)),)


def test_neuron_preactivation_checks_out_by_hand(deck):
    neuron = deck.neurons[0]
    by_hand = Decimal("0.5398") - Decimal("1.0754") + Decimal("0.9333") - Decimal("0.1321")
    assert by_hand == Decimal("0.2656")  # the deck's spreadsheet check
    assert neuron.preactivation[0] == pytest.approx(float(by_hand), abs=1e-12)
    assert neuron.weighted_sum[0] == pytest.approx(0.5398 - 1.0754 + 0.9333, abs=1e-12)
    assert neuron.bias_broadcast == (NEURON_B,)
    assert format_number(neuron.preactivation[0], deck.decimals) == "0.2656"
    assert neuron.output == (max(0.0, neuron.preactivation[0]),)


def test_neuron_batch_matches_numpy(deck):
    neuron = deck.neurons[1]
    x, w = np.array(BATCH_X, dtype=np.float64), np.array(BATCH_W)
    assert_close(t64(neuron.products), t64(x * w), **FORWARD)
    assert_close(t64(neuron.weighted_sum), t64(x @ w), **FORWARD)
    assert neuron.bias_broadcast == (BATCH_B,) * 3
    assert_close(t64(neuron.preactivation), t64(x @ w + BATCH_B), **FORWARD)
    assert_close(t64(neuron.output), t64(np.maximum(x @ w + BATCH_B, 0)), **FORWARD)
    # The deck's other hand check: 0.2118 + 0.3212 + 1.4475 is 1.9805 (torch printed 1.9804).
    assert format_number(neuron.weighted_sum[0], 4) == "1.9805"


# -- Part 2: the deck's network -----------------------------------------------


def test_deck_network_matches_nn_sequential(deck):
    net = sequential(DECK_LAYERS, ["none"] * 3)
    assert [type(m) for m in linears(net)] == [nn.Linear] * 3
    x = t64(DECK_X)
    with torch.no_grad():
        expected = net(x)
        first = linears(net)[0](x)
    network = deck.network
    assert network.sizes == (2, 3, 2, 1)
    assert_close(t64(network.prediction), expected, **FORWARD)
    assert_close(t64(network.layers[0].output), first, **FORWARD)
    assert network.target == tuple(tuple(float(v) for v in row) for row in DECK_Y)
    for layer, (weight, bias) in zip(network.layers, DECK_LAYERS, strict=True):
        assert layer.weight == tuple(tuple(row) for row in weight)
        assert layer.bias == tuple(bias)


def test_deck_layers_are_matrix_products(deck):
    """``X . W^T = K``, ``K + B = N`` with ``B`` the bias row per sample (numpy)."""
    a = np.array(DECK_X, dtype=np.float64)
    for layer, (weight, bias) in zip(deck.network.layers, DECK_LAYERS, strict=True):
        k = a @ np.array(weight).T
        assert_close(t64(layer.input), t64(a), **FORWARD)
        assert_close(t64(layer.product), t64(k), **FORWARD)
        assert layer.bias_broadcast == (tuple(bias),) * len(DECK_X)
        assert_close(t64(layer.preactivation), t64(k + np.array(bias)), **FORWARD)
        a = k + np.array(bias)


def test_deck_loss_is_mse(deck):
    network = deck.network
    net = sequential(DECK_LAYERS, ["none"] * 3)
    with torch.no_grad():
        prediction = net(t64(DECK_X))
    y = np.array(DECK_Y, dtype=np.float64)
    errors = y - prediction.numpy()
    assert_close(t64(network.errors), t64(errors), **FORWARD)
    assert_close(t64(network.squared_errors), t64(errors**2), **FORWARD)
    assert np.shape(network.squared_errors) == np.shape(network.prediction) == (3, 1)
    assert network.squared_error_sum == pytest.approx(float(np.sum(errors**2)), rel=1e-12)
    assert network.loss_count == 3
    assert_close(t64(network.loss), F.mse_loss(prediction, t64(DECK_Y)), **FORWARD)
    assert network.loss == pytest.approx(network.squared_error_sum / 3, rel=1e-12)


def test_deck_output_layer_gradient_follows_the_lectures_formula(deck):
    """``dL/dw1 = -2/K sum_i (y_i - y_hat_i) g1^i``, ``dL/db = -2/K sum_i (y_i - y_hat_i)``."""
    layers = numpy_forward(DECK_LAYERS, DECK_X, ["none"] * 3)
    g = layers[1][1]  # the activations feeding the output layer
    y_hat = layers[2][1][:, 0]
    y = np.array(DECK_Y, dtype=np.float64)[:, 0]
    k = len(y)
    expected_w = [-2 / k * np.sum((y - y_hat) * g[:, j]) for j in range(2)]
    expected_b = -2 / k * np.sum(y - y_hat)
    hand = deck.network.chain_rule[2]
    assert_close(t64(hand.weight), t64([expected_w]), **GRADIENT)
    assert_close(t64(hand.bias), t64([expected_b]), **GRADIENT)
    assert_close(
        t64(deck.network.prediction_gradient), t64(-2 / k * (y - y_hat))[:, None], **GRADIENT
    )


def test_deck_gradients_match_autograd_on_nn_sequential(deck):
    expected = autograd_gradients(DECK_LAYERS, DECK_X, DECK_Y, ["none"] * 3)
    network = deck.network
    for (weight, bias), by_torch, by_hand in zip(
        expected, network.gradients, network.chain_rule, strict=True
    ):
        assert_close(t64(by_torch.weight), weight, **GRADIENT)
        assert_close(t64(by_torch.bias), bias, **GRADIENT)
        assert_close(t64(by_hand.weight), weight, **GRADIENT)
        assert_close(t64(by_hand.bias), bias, **GRADIENT)


# -- random lessons -----------------------------------------------------------


@pytest.mark.parametrize("index", RANDOM_CASES)
def test_random_lesson_forward_matches_numpy_and_nn(index):
    text, spec = random_case(index)
    trace = compute_trace(parse_lesson(text, name=f"random{index}"))
    activations = [spec["hidden"]] * (len(spec["sizes"]) - 2) + [spec["output"]]
    assert layer_activations(trace) == activations
    if spec["layers"] is not None:
        assert trace_params(trace) == [(tuple(map(tuple, w)), tuple(b)) for w, b in spec["layers"]]
    params = trace_params(trace)
    reference = numpy_forward(params, spec["inputs"], activations)
    for layer, (z, a) in zip(trace.network.layers, reference, strict=True):
        assert_close(t64(layer.preactivation), t64(z), **FORWARD)
        assert_close(t64(layer.output), t64(a), **FORWARD)
    with torch.no_grad():
        predicted = sequential(params, activations)(t64(spec["inputs"]))
    assert_close(t64(trace.network.prediction), predicted, **FORWARD)
    loss = F.mse_loss(predicted, t64(spec["targets"]))
    assert_close(t64(trace.network.loss), loss, **FORWARD)
    assert np.shape(trace.network.squared_errors) == np.shape(trace.network.prediction)


@pytest.mark.parametrize("index", RANDOM_CASES)
def test_random_lesson_chain_rule_equals_autograd(index):
    text, spec = random_case(index)
    trace = compute_trace(parse_lesson(text, name=f"random{index}"))
    activations = layer_activations(trace)
    expected = autograd_gradients(trace_params(trace), spec["inputs"], spec["targets"], activations)
    network = trace.network
    assert len(network.chain_rule) == len(network.gradients) == len(spec["sizes"]) - 1
    for (weight, bias), by_torch, by_hand in zip(
        expected, network.gradients, network.chain_rule, strict=True
    ):
        assert_close(t64(by_hand.weight), t64(by_torch.weight), **GRADIENT)
        assert_close(t64(by_hand.bias), t64(by_torch.bias), **GRADIENT)
        assert_close(t64(by_hand.weight), weight, **GRADIENT)
        assert_close(t64(by_hand.bias), bias, **GRADIENT)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "none"])
def test_chain_rule_matches_finite_differences(activation):
    rng = random.Random(f"finite differences {activation}")
    sizes = [3, 4, 3, 2]
    inputs = [[round(rng.uniform(-2, 2), 2) for _ in range(3)] for _ in range(4)]
    targets = [[round(rng.uniform(-1, 1), 2) for _ in range(2)] for _ in range(4)]
    layers = [
        (
            [[round(rng.uniform(-1, 1), 4) for _ in range(a)] for _ in range(b)],
            [round(rng.uniform(-1, 1), 4) for _ in range(b)],
        )
        for a, b in pairwise(sizes)
    ]
    text = lesson_text(sizes, activation, "tanh", inputs, targets, layers=layers)
    trace = compute_trace(parse_lesson(text, name="fd"))
    activations = layer_activations(trace)
    params = [(np.array(w, dtype=np.float64), np.array(b)) for w, b in layers]
    if activation == "relu":  # central differences hold only away from ReLU's kink
        hidden = numpy_forward(params, inputs, activations)[:-1]
        assert min(np.abs(z).min() for z, _ in hidden) > 1e-3
    h = 1e-6
    for index, hand in enumerate(trace.network.chain_rule):
        for name, analytic in (("weight", hand.weight), ("bias", hand.bias)):
            target = params[index][0 if name == "weight" else 1]
            numeric = np.zeros_like(target)
            for position in np.ndindex(target.shape):
                saved = target[position]
                target[position] = saved + h
                up = numpy_loss(params, inputs, targets, activations)
                target[position] = saved - h
                down = numpy_loss(params, inputs, targets, activations)
                target[position] = saved
                numeric[position] = (up - down) / (2 * h)
            assert_close(t64(analytic), t64(numeric), rtol=1e-5, atol=1e-7)


def test_relu_at_exactly_zero_passes_no_gradient():
    """A pre-activation of exactly 0 entering ReLU: ReLU'(0) = 0, as torch has it."""
    layers = [([[1, -1], [0.5, 0.25]], [0, 0.1]), ([[0.8, -0.6]], [0.3])]
    inputs = [[1, 1], [1, 2]]  # unit 0: 1 - 1 + 0 = 0 exactly, then 1 - 2 + 0 = -1
    text = lesson_text([2, 2, 1], "relu", "none", inputs, [[1], [2]], layers=layers)
    trace = compute_trace(parse_lesson(text, name="relu0"))
    first = trace.network.layers[0]
    assert first.preactivation[0][0] == 0.0
    assert first.output[0][0] == 0.0
    hand = trace.network.chain_rule[0]
    assert hand.upstream[0][0] != 0.0  # the zero below comes from ReLU'(0), not upstream
    assert hand.activation_derivative[0][0] == 0.0
    assert hand.delta[0][0] == 0.0
    expected = autograd_gradients(layers, inputs, [[1], [2]], ["relu", "none"])
    for (weight, bias), by_torch, by_hand in zip(
        expected, trace.network.gradients, trace.network.chain_rule, strict=True
    ):
        assert_close(t64(by_hand.weight), weight, **GRADIENT)
        assert_close(t64(by_hand.bias), bias, **GRADIENT)
        assert_close(t64(by_torch.weight), weight, **GRADIENT)
    # Nothing flows through unit 0: its incoming weights and bias, and its outgoing weight.
    assert hand.weight[0] == (0.0, 0.0)
    assert hand.bias[0] == 0.0
    assert trace.network.chain_rule[1].weight[0][0] == 0.0
    # ...while unit 1 (positive for both samples) does get a gradient.
    assert hand.bias[1] != 0.0


# -- training -----------------------------------------------------------------


def check_training_matches_sgd(trace, inputs, targets, learning_rate, steps):
    training = trace.network.training
    assert training.learning_rate == learning_rate
    assert len(training.losses) == steps + 1
    assert len(training.steps) == steps
    losses, final = sgd_run(
        trace_params(trace), inputs, targets, layer_activations(trace), learning_rate, steps
    )
    assert_close(t64(training.losses), t64(losses), equal_nan=True, **TRAINING)
    for layer, (weight, bias) in zip(training.layers, final, strict=True):
        assert_close(t64(layer.weight), weight, equal_nan=True, **TRAINING)
        assert_close(t64(layer.bias), bias, equal_nan=True, **TRAINING)


def check_steps_chain(trace):
    """Each step starts where the last one ended; the record agrees with itself."""
    training = trace.network.training
    network = trace.network
    if not training.steps:
        assert tuple((p.weight, p.bias) for p in training.layers) == tuple(trace_params(trace))
        return
    first = training.steps[0]
    assert [(p.weight, p.bias) for p in first.parameters] == trace_params(trace)
    assert first.loss == network.loss
    assert [(g.weight, g.bias) for g in first.gradients] == [
        (c.weight, c.bias) for c in network.chain_rule
    ]
    for step, following in zip(training.steps, training.steps[1:], strict=False):
        assert step.updated == following.parameters
    assert training.steps[-1].updated == training.layers
    assert tuple(step.loss for step in training.steps) == training.losses[:-1]
    for step in training.steps:  # p_new = p - lr * dL/dp, entry by entry
        for old, grad, new in zip(step.parameters, step.gradients, step.updated, strict=True):
            expected = t64(old.weight) - training.learning_rate * t64(grad.weight)
            assert_close(t64(new.weight), expected, rtol=0, atol=0)


def test_deck_training_is_sgd_and_the_loss_falls(deck):
    lesson = default_lesson()
    assert (lesson.learning_rate, lesson.steps) == (0.001, 10)
    check_training_matches_sgd(deck, DECK_X, DECK_Y, 0.001, 10)
    check_steps_chain(deck)
    losses = deck.network.training.losses
    assert all(later < earlier for earlier, later in pairwise(losses))


def test_deck_with_a_larger_learning_rate_reports_honestly():
    """At 0.003 the deck's network diverges; the trace says so, as torch does."""
    text = default_lesson_text().replace("learning_rate = 0.001", "learning_rate = 0.003")
    trace = compute_trace(parse_lesson(text, name="fast"))
    losses = trace.network.training.losses
    assert len(losses) == 11
    check_training_matches_sgd(trace, DECK_X, DECK_Y, 0.003, 10)
    assert max(loss for loss in losses if not math.isnan(loss)) > losses[0]
    assert not losses[-1] < losses[0]


@pytest.mark.parametrize("index", [i for i in RANDOM_CASES if random_case(i)[1]["steps"]])
def test_random_lesson_training_is_sgd(index):
    text, spec = random_case(index)
    trace = compute_trace(parse_lesson(text, name=f"random{index}"))
    check_training_matches_sgd(
        trace, spec["inputs"], spec["targets"], spec["learning_rate"], spec["steps"]
    )
    check_steps_chain(trace)


def test_zero_steps_records_one_loss():
    text = default_lesson_text().replace("steps = 10", "steps = 0")
    trace = compute_trace(parse_lesson(text, name="still"))
    assert trace.network.training.losses == (trace.network.loss,)
    assert trace.network.training.steps == ()
    check_steps_chain(trace)


# -- parameters drawn from a seed ---------------------------------------------


def rounded(value: float, decimals: int) -> float:
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN))


@pytest.mark.parametrize(("seed", "decimals"), [(0, 4), (1234, 3), (7, 6), (42, 2)])
def test_seeded_parameters_are_torch_default_init_rounded(seed, decimals):
    sizes = [3, 4, 2, 1]
    inputs = [[1, 2, 3], [0.5, -1, 2]]
    text = lesson_text(sizes, "tanh", "none", inputs, [[1], [0]], seed=seed, decimals=decimals)
    lesson = parse_lesson(text, name="seeded")
    assert lesson.network.layers == ()
    torch.manual_seed(seed)
    reference = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2), nn.Linear(2, 1))
    trace = compute_trace(lesson)
    for layer, linear in zip(trace.network.layers, reference, strict=True):
        weight = [[rounded(float(w), decimals) for w in row] for row in linear.weight.tolist()]
        bias = [rounded(float(b), decimals) for b in linear.bias.tolist()]
        assert layer.weight == tuple(tuple(row) for row in weight)
        assert layer.bias == tuple(bias)
        # The shown weights are exactly the weights used.
        for value in [*layer.bias, *(w for row in layer.weight for w in row)]:
            assert float(format_number(value, decimals)) == value


def test_drawing_parameters_leaves_the_global_rng_alone():
    text = lesson_text([2, 3, 1], "relu", "none", [[1, 2]], [[3]], seed=5)
    torch.manual_seed(99)
    before = torch.get_rng_state()
    compute_trace(parse_lesson(text, name="seeded"))
    assert torch.equal(torch.get_rng_state(), before)


# -- the activation demo ------------------------------------------------------


@pytest.mark.parametrize("activation", ["none", "relu", "sigmoid", "tanh"])
def test_activation_demo_applies_the_activation_to_layer_0(activation):
    layers = [([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5]], [0.1, -0.2, 0.0]), ([[1, 1, 1]], [0])]
    inputs = [[1, 2], [-2, 1], [3, -1]]
    text = lesson_text([2, 3, 1], activation, "none", inputs, [[1], [0], [2]], layers=layers)
    demo = compute_trace(parse_lesson(text, name="demo")).activation_demo
    shown = "relu" if activation == "none" else activation
    assert demo.activation == shown
    z = np.array(inputs, dtype=np.float64) @ np.array(layers[0][0]).T + np.array(layers[0][1])
    assert_close(t64(demo.preactivation), t64(z.flatten()), **FORWARD)
    assert_close(t64(demo.output), t64(NUMPY_ACTIVATIONS[shown](z).flatten()), **FORWARD)
    assert demo.source == "network.layers[0].preactivation"


def test_activation_demo_source_resolves_to_its_values(deck):
    demo = deck.activation_demo
    rows = resolve(deck, demo.source)
    assert demo.preactivation == tuple(z for row in rows for z in row)
    assert demo.output == tuple(max(0.0, z) for z in demo.preactivation)


# -- paths into the trace -----------------------------------------------------


def test_resolve_names_values_in_record_and_json_form(deck):
    as_dict = deck.to_dict()
    for path, expected in [
        ("title", "Understand MLP"),
        ("network.layers[0].product[2][1]", deck.network.layers[0].product[2][1]),
        ("neurons[0].weight[2]", 0.3111),
        ("network.layers[2].bias[0]", -0.4830),
        ("network.training.losses[10]", deck.network.training.losses[10]),
        ("network.training.steps[3].gradients[1].bias[0]", None),
        ("len(network.layers)", 3),
        ("len(network.layers[0].weight)", 3),
        ("len(network.layers[0].weight[0])", 2),
        ("len(neurons[1].inputs)", 3),
        ("len(network.training.losses)", 11),
    ]:
        value = resolve(deck, path)
        if expected is not None:
            assert value == expected, path
        assert resolve(as_dict, path) == value, path


def leaf_paths(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{index}]")
    else:
        yield path, value


def test_every_json_path_resolves_in_the_record(deck):
    paths = list(leaf_paths(deck.to_dict()))
    assert len(paths) > 100
    for path, value in paths:
        assert resolve(deck, path) == value, path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "network.nope",
        "network.layers[3]",
        "network.layers[0].weight[0][5]",
        "network.loss[0]",
        "len(network.loss)",
        "len(network.nope)",
        "len()",
        "network..loss",
        ".network",
        "network.",
        "network.layers[-1]",
        "network.layers[0]bias",
        "network layers",
        "network.layers.weight",
        "to_dict",
        "network[0]",
    ],
)
def test_resolve_rejects_bad_paths(deck, path):
    with pytest.raises(PathError):
        resolve(deck, path)
    with pytest.raises(PathError):
        resolve(deck.to_dict(), path)


def test_the_trace_is_frozen(deck):
    with pytest.raises(dataclasses.FrozenInstanceError):
        deck.network.loss = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        deck.network.layers[0].output = ()  # type: ignore[misc]


# -- no manim -----------------------------------------------------------------


def test_mlpmath_never_imports_manim():
    code = "import mlpmath\nmlpmath.compute_trace(mlpmath.default_lesson())"
    assert top_packages_imported(code, ("manim", "manimlib")) == []


# -- how numbers are shown ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1.0, 4, "1"),
        (40.0, 4, "40"),
        (-3.0, 2, "-3"),
        (0.26560000000000006, 4, "0.2656"),
        (-1.0754, 4, "-1.0754"),
        (0.80299999999999, 4, "0.8030"),
        (0.12345, 2, "0.12"),
        (-0.00001, 4, "0.0000"),  # no "-0.0000"
        (-0.0, 4, "0"),
        (1 / 3, 4, "0.3333"),
        (2 / 3, 0, "1"),
        (588.21191619, 4, "588.2119"),
    ],
)
def test_format_number(value, decimals, text):
    assert format_number(value, decimals) == text


@pytest.mark.parametrize(
    ("text", "value", "matches"),
    [
        ("0.2656", 0.26560000000000006, True),
        ("0.2655", 0.26560000000000006, False),  # the deck's float32 print
        ("0.27", 0.2656, True),  # precision comes from the text
        ("1", 1.0, True),
        ("1", 1.6, False),
        ("0.2656", 0.26564, True),
        ("−1.0754", -1.0754, True),  # a typeset minus sign
        ("-1.0754", 1.0754, False),
        ("0.0000", -0.00001, True),
        ("abc", 1.0, False),
    ],
)
def test_text_matches_value(text, value, matches):
    assert text_matches_value(text, value) is matches


def test_dot_relation_checks_the_shown_arithmetic():
    # The deck's neuron: products 0.5398 + -1.0754 + 0.9333 add up to 0.3977 exactly.
    assert dot_relation(["0.5398", "-1.0754", "0.9333"], [None] * 3, "0.3977") == EQUALS
    assert dot_relation(["1", "2", "3"], ["0.5398", "-0.5377", "0.3111"], "0.3977") == EQUALS
    assert dot_relation(["1", "2", "3"], ["0.5398", "-0.5377", "0.3111"], "0.3978") == APPROX
    # Typeset minus signs read as minus.
    assert dot_relation(["0.3977", "\u22120.1321"], [None, None], "0.2656") == EQUALS
    assert dot_relation(["\u22120.5", "4"], ["\u22122", None], "5") == EQUALS
    # torch's float32 print of the same total does not check out by hand.
    assert dot_relation(["0.3977", "-0.1321"], [None, None], "0.2655") == APPROX
    # 0.12345 + 0.12345 = 0.2469, but the shown terms 0.1235 + 0.1235 make 0.2470.
    shown = [format_number(0.12345, 4)] * 2
    assert shown == ["0.1235", "0.1235"]
    assert dot_relation(shown, [None, None], format_number(0.12345 * 2, 4)) == APPROX
    assert dot_relation(shown, [None, None], "0.2470") == EQUALS
    # Three shown thirds make 0.9999: not 1.0000, but 1 to the last digit "1" shows.
    third = format_number(1 / 3, 4)
    assert dot_relation([third] * 3, [None] * 3, "1.0000") == APPROX
    assert dot_relation([third] * 3, [None] * 3, "1") == EQUALS
    # A total shown with fewer digits is checked to its last digit: -0.5356 is -0.536.
    assert dot_relation(["0.5398", "-1.0754"], [None, None], "-0.536") == EQUALS
    assert dot_relation(["0.5398", "-1.0754"], [None, None], "-0.535") == APPROX


def test_dot_relation_refuses_terms_that_do_not_pair_up():
    with pytest.raises(ValueError):
        dot_relation(["1", "2"], ["3"], "3")

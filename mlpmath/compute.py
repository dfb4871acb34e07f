"""Compute a lesson's whole trace with torch, in float64.

float64 keeps the shown decimals honest: float32 rounding already disturbs
the fourth decimal of values near 100. The chain rule is written by hand
(`backward_by_hand`); autograd runs beside it (every weight's and bias's
``.grad``, and the prediction's) so tests and scenes can compare.
The lesson's loss (``mlpmath.losses``: MSE or cross-entropy) is looked up
once, and gives its value, its terms and where the chain rule starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch

from mlpmath.activations import activation
from mlpmath.lesson import Lesson, NetworkSpec, NeuronSpec
from mlpmath.lesson_checks import REGION_CELLS, REGION_PICTURES
from mlpmath.losses import Loss as LossFunction
from mlpmath.losses import MeanSquaredError, loss_for, plain
from mlpmath.outcome import training_outcome
from mlpmath.trace import (
    ActivationDemo,
    ChainRuleLayer,
    LayerTrace,
    NetworkTrace,
    NeuronTrace,
    Parameters,
    RegionsTrace,
    Trace,
    TrainingStep,
    TrainingTrace,
)

__all__ = [
    "backward_by_autograd",
    "backward_by_hand",
    "compute_trace",
    "forward",
    "initial_parameters",
    "region_steps",
    "sequential",
]

DTYPE = torch.float64
Params = list[tuple[torch.Tensor, torch.Tensor]]  # (weight out x in, bias out) per layer


def compute_trace(lesson: Lesson) -> Trace:
    """Every number the lecture shows, for one lesson."""
    network = _network_trace(lesson)
    return Trace(
        lesson=lesson.name,
        title=lesson.title,
        decimals=lesson.decimals,
        neurons=tuple(_neuron_trace(spec) for spec in lesson.neurons),
        network=network,
        activation_demo=_activation_demo(network, lesson.neurons),
    )


def _activation_demo(network: NetworkTrace, neurons: Sequence[NeuronSpec]) -> ActivationDemo:
    # the first layer's activation, whose pre-activations are shown; when it has
    # none, the first the lesson uses elsewhere (a later layer, a one-neuron example)
    used = [layer.activation for layer in network.layers] + [n.activation for n in neurons]
    name = next((name for name in used if name != "none"), "relu")
    values = [z for row in network.layers[0].preactivation for z in row]
    return ActivationDemo(
        activation=name,
        source="network.layers[0].preactivation",
        preactivation=tuple(values),
        output=plain(activation(name).forward(_tensor(values))),
    )


# -- Part 1: one neuron ------------------------------------------------------


def _neuron_trace(spec: NeuronSpec) -> NeuronTrace:
    x = _tensor(spec.inputs)
    w = _tensor(spec.weight)
    products = x * w  # row s, column i: x_i^s * w_i
    weighted_sum = products.sum(dim=1)
    bias_broadcast = torch.full_like(weighted_sum, spec.bias)
    preactivation = weighted_sum + bias_broadcast
    output = activation(spec.activation).forward(preactivation)
    return NeuronTrace(
        inputs=spec.inputs,
        weight=spec.weight,
        bias=spec.bias,
        activation=spec.activation,
        products=plain(products),
        weighted_sum=plain(weighted_sum),
        bias_broadcast=plain(bias_broadcast),
        preactivation=plain(preactivation),
        output=plain(output),
    )


# -- Part 2: the network -----------------------------------------------------


def initial_parameters(network: NetworkSpec, decimals: int) -> Params:
    """The lesson's parameters, or torch's default init from the seed.

    Drawn parameters are rounded to the display precision, so the weights a
    scene shows are exactly the weights the computation uses.
    """
    if network.layers:
        return [(_tensor(layer.weight), _tensor(layer.bias)) for layer in network.layers]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(network.seed)
        linears = [torch.nn.Linear(a, b) for a, b in pairwise(network.sizes)]
    return [
        (_round(linear.weight.detach(), decimals), _round(linear.bias.detach(), decimals))
        for linear in linears
    ]


def _layer_activations(network: NetworkSpec) -> list[str]:
    """Each layer's activation: its own, else the network's (hidden or output)."""
    return list(network.activations)


def forward(params: Params, x: torch.Tensor, activations: list[str]) -> list[dict]:
    """Each layer's input, product, bias broadcast, pre-activation and output."""
    layers = []
    for (weight, bias), name in zip(params, activations, strict=True):
        product = x @ weight.T
        bias_broadcast = bias.expand_as(product)
        preactivation = product + bias_broadcast
        output = activation(name).forward(preactivation)
        layers.append(
            {
                "input": x,
                "product": product,
                "bias_broadcast": bias_broadcast,
                "preactivation": preactivation,
                "output": output,
            }
        )
        x = output
    return layers


_MSE = MeanSquaredError()
# NetworkTrace's fields that only MSE fills, empty unless the loss's record fills them
_MSE_ONLY = {"target": (), "errors": (), "squared_errors": (), "squared_error_sum": None}


def backward_by_hand(
    params: Params,
    layers: list[dict],
    target: torch.Tensor,
    activations: list[str],
    loss: LossFunction = _MSE,
) -> tuple[torch.Tensor, list[dict]]:
    """The chain rule the lecture derives, layer by layer from the output back.

    It starts at the loss's ``dL/dy_hat`` (MSE: ``-2/K (y - y_hat)``;
    cross-entropy: ``(P - Y) / N``); for each layer, ``delta = upstream * f'(z)``,
    ``dL/dW = delta^T . input``, ``dL/db = sum over samples of delta``, and the
    upstream of the layer below is ``delta . W``.
    """
    prediction = layers[-1]["output"]
    upstream = loss.prediction_gradient(prediction, target)
    prediction_gradient = upstream
    steps: list[dict] = []
    for (weight, _), layer, name in reversed(list(zip(params, layers, activations, strict=True))):
        derivative = activation(name).derivative(layer["preactivation"])
        delta = upstream * derivative
        steps.append(
            {
                "upstream": upstream,
                "activation_derivative": derivative,
                "delta": delta,
                "weight": delta.T @ layer["input"],
                "bias": delta.sum(dim=0),
            }
        )
        upstream = delta @ weight
    steps.reverse()
    return prediction_gradient, steps


def backward_by_autograd(
    params: Params,
    x: torch.Tensor,
    target: torch.Tensor,
    activations: list[str],
    loss: LossFunction = _MSE,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """torch's own ``.grad`` for every weight and bias (of torch's own functional
    loss, ``F.mse_loss`` or ``F.cross_entropy``): the check on the hand rule."""
    leaves = [(w.clone().requires_grad_(True), b.clone().requires_grad_(True)) for w, b in params]
    layers = forward(leaves, x, activations)
    loss.by_torch(layers[-1]["output"], target).backward()
    return [(w.grad.detach(), b.grad.detach()) for w, b in leaves]


def _network_trace(lesson: Lesson) -> NetworkTrace:
    network = lesson.network
    activations = _layer_activations(network)
    loss = loss_for(network.loss)  # the one place that asks which loss
    x = _tensor(lesson.inputs)
    target = loss.target(lesson)
    params = initial_parameters(network, lesson.decimals)

    layers = forward(params, x, activations)
    prediction = layers[-1]["output"]
    prediction_gradient, hand = backward_by_hand(params, layers, target, activations, loss)
    autograd = backward_by_autograd(params, x, target, activations, loss)
    prediction_by_autograd = loss.prediction_gradient_by_autograd(prediction, target)

    return NetworkTrace(
        sizes=network.sizes,
        activation=network.activation,
        output_activation=activations[-1],
        samples=len(lesson.inputs),
        layers=tuple(
            LayerTrace(
                input=plain(layer["input"]),
                weight=plain(weight),
                bias=plain(bias),
                activation=name,
                product=plain(layer["product"]),
                bias_broadcast=plain(layer["bias_broadcast"]),
                preactivation=plain(layer["preactivation"]),
                output=plain(layer["output"]),
            )
            for (weight, bias), layer, name in zip(params, layers, activations, strict=True)
        ),
        prediction=plain(prediction),
        # the loss's own fields: MSE's errors or cross-entropy's softmax and classes
        **(_MSE_ONLY | loss.record(prediction, target)),
        prediction_gradient=plain(prediction_gradient),
        prediction_gradient_autograd=plain(prediction_by_autograd),
        gradients=tuple(Parameters(plain(w), plain(b)) for w, b in autograd),
        chain_rule=tuple(ChainRuleLayer(**{k: plain(v) for k, v in step.items()}) for step in hand),
        training=_train(params, x, target, activations, lesson.learning_rate, lesson.steps, loss),
        net_prediction=plain(sequential(params, activations)(x)),
        class_names=lesson.class_names,
    )


_MODULES = {
    "none": torch.nn.Identity,
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
}


def sequential(params: Params, activations: list[str]) -> torch.nn.Sequential:
    """The lesson's network as torch builds it: ``nn.Sequential(nn.Linear, activation, ...)``
    holding ``params``, so ``net(X)`` checks the layer-by-layer forward pass."""
    modules: list[torch.nn.Module] = []
    for (weight, bias), name in zip(params, activations, strict=True):
        with torch.random.fork_rng(devices=[]):  # its throwaway init draws no global numbers
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=DTYPE)
        with torch.no_grad():
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
        modules += [linear, _MODULES[name]()]
    return torch.nn.Sequential(*modules)


def _train(
    params: Params,
    x: torch.Tensor,
    target: torch.Tensor,
    activations: list[str],
    learning_rate: float,
    steps: int,
    loss_function: LossFunction = _MSE,
) -> TrainingTrace:
    """Plain gradient descent, ``p <- p - learning_rate * dL/dp`` (SGD, no momentum).

    A classifying loss also records the accuracy at each loss's parameters and,
    for 2 inputs, the regions (``_regions``) at ``region_steps(steps)``.
    """
    records = []
    predictions = []
    accuracies = []
    pictured = region_steps(steps)
    region_params: list[Params] = []
    for step in range(steps):
        if step in pictured:
            region_params.append(params)
        layers = forward(params, x, activations)
        predictions.append(plain(layers[-1]["output"]))
        loss = loss_function.value(layers[-1]["output"], target)
        accuracies.append(loss_function.accuracy(layers[-1]["output"], target))
        _, hand = backward_by_hand(params, layers, target, activations, loss_function)
        updated = [
            (w - learning_rate * g["weight"], b - learning_rate * g["bias"])
            for (w, b), g in zip(params, hand, strict=True)
        ]
        records.append(
            TrainingStep(
                loss=float(loss),
                parameters=_parameters(params),
                gradients=tuple(Parameters(plain(g["weight"]), plain(g["bias"])) for g in hand),
                updated=_parameters(updated),
            )
        )
        params = updated
    final_prediction = forward(params, x, activations)[-1]["output"]
    predictions.append(plain(final_prediction))
    final_loss = float(loss_function.value(final_prediction, target))
    accuracies.append(loss_function.accuracy(final_prediction, target))
    region_params.append(params)
    classifies = loss_function.classifies
    losses = (*tuple(step.loss for step in records), final_loss)
    # the counts behind the accuracies: a share of the N samples, exactly
    counts = tuple(round(a * x.shape[0]) for a in accuracies) if classifies else ()
    return TrainingTrace(
        learning_rate=learning_rate,
        losses=losses,
        layers=_parameters(params),
        steps=tuple(records),
        predictions=tuple(predictions),
        accuracies=tuple(accuracies) if classifies else (),
        correct_counts=counts,
        outcome=training_outcome(losses, counts, x.shape[0]),
        first_outcome=training_outcome(losses[:2], counts[:2], x.shape[0]),
        regions=_regions(x, region_params, pictured, activations, loss_function)
        if classifies and x.shape[1] == 2
        else None,
    )


def region_steps(steps: int) -> tuple[int, ...]:
    """The training steps whose regions are pictured: 0, a few evenly between, the last."""
    last = REGION_PICTURES - 1
    return tuple(sorted({i * steps // last for i in range(REGION_PICTURES)}))


def region_bounds(x: torch.Tensor) -> tuple[float, float, float, float]:
    """The grid's outer edges: each input's sample range, widened by a quarter of it
    on both sides (by 1 when all samples share the value)."""
    edges = []
    for column in x.T:
        low, high = float(column.min()), float(column.max())
        margin = (high - low) / 4 if high > low else 1.0
        edges += [low - margin, high + margin]
    return (edges[0], edges[1], edges[2], edges[3])


def _regions(
    x: torch.Tensor,
    pictured: list[Params],
    steps: tuple[int, ...],
    activations: list[str],
    loss: LossFunction,
) -> RegionsTrace:
    """The predicted class over a ``REGION_CELLS``-square grid, one torch batch per step."""
    bounds = region_bounds(x)
    centres = [
        low + (torch.arange(REGION_CELLS, dtype=DTYPE) + 0.5) * (high - low) / REGION_CELLS
        for low, high in (bounds[:2], bounds[2:])
    ]
    first, second = centres
    # row r, column c: the point (first[c], second[r]); rows run along the second input
    grid = torch.stack([first.repeat(REGION_CELLS), second.repeat_interleave(REGION_CELLS)], dim=1)
    predicted = []
    for params in pictured:
        logits = forward(params, grid, activations)[-1]["output"]
        classes = loss.predicted_classes(logits).reshape(REGION_CELLS, REGION_CELLS)
        predicted.append(tuple(tuple(row) for row in classes.tolist()))
    return RegionsTrace(
        steps=steps,
        bounds=bounds,
        first=plain(first),
        second=plain(second),
        predicted=tuple(predicted),
    )


# -- conversions -------------------------------------------------------------


def _tensor(values) -> torch.Tensor:
    return torch.tensor(values, dtype=DTYPE)


def _round(values: torch.Tensor, decimals: int) -> torch.Tensor:
    """Round to the nearest float of the shown decimal (not via float32)."""
    return _tensor([round(float(v), decimals) for v in values.flatten()]).reshape(values.shape)


def _parameters(params: Params) -> tuple[Parameters, ...]:
    return tuple(Parameters(plain(w), plain(b)) for w, b in params)

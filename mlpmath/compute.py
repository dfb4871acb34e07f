"""Compute a lesson's whole trace with torch, in float64.

float64 keeps the shown decimals honest: float32 rounding already disturbs
the fourth decimal of values near 100. The chain rule is written by hand
(`backward_by_hand`); autograd runs beside it only so tests can compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch
import torch.nn.functional as F

from mlpmath.activations import activation
from mlpmath.lesson import Lesson, NetworkSpec, NeuronSpec
from mlpmath.trace import (
    ActivationDemo,
    ChainRuleLayer,
    LayerTrace,
    NetworkTrace,
    NeuronTrace,
    Parameters,
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
        output=_plain(activation(name).forward(_tensor(values))),
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
        products=_plain(products),
        weighted_sum=_plain(weighted_sum),
        bias_broadcast=_plain(bias_broadcast),
        preactivation=_plain(preactivation),
        output=_plain(output),
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


def mse_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``L = 1/K sum (y - y_hat)^2`` over all K entries (as torch's mse_loss)."""
    return F.mse_loss(prediction, target, reduction="mean")


def backward_by_hand(
    params: Params, layers: list[dict], target: torch.Tensor, activations: list[str]
) -> tuple[torch.Tensor, list[dict]]:
    """The chain rule the lecture derives, layer by layer from the output back.

    ``dL/dy_hat = -2/K (y - y_hat)``; for each layer, ``delta = upstream * f'(z)``,
    ``dL/dW = delta^T . input``, ``dL/db = sum over samples of delta``, and the
    upstream of the layer below is ``delta . W``.
    """
    prediction = layers[-1]["output"]
    count = prediction.numel()
    upstream = -2.0 / count * (target - prediction)
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
    params: Params, x: torch.Tensor, target: torch.Tensor, activations: list[str]
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """torch's own ``.grad`` for every weight and bias: the check on the hand rule."""
    leaves = [(w.clone().requires_grad_(True), b.clone().requires_grad_(True)) for w, b in params]
    layers = forward(leaves, x, activations)
    mse_loss(layers[-1]["output"], target).backward()
    return [(w.grad.detach(), b.grad.detach()) for w, b in leaves]


def _network_trace(lesson: Lesson) -> NetworkTrace:
    network = lesson.network
    activations = _layer_activations(network)
    x = _tensor(lesson.inputs)
    target = _tensor(lesson.targets)
    params = initial_parameters(network, lesson.decimals)

    layers = forward(params, x, activations)
    prediction = layers[-1]["output"]
    errors = target - prediction
    squared_errors = errors**2
    loss = mse_loss(prediction, target)
    prediction_gradient, hand = backward_by_hand(params, layers, target, activations)
    autograd = backward_by_autograd(params, x, target, activations)

    return NetworkTrace(
        sizes=network.sizes,
        activation=network.activation,
        output_activation=activations[-1],
        samples=len(lesson.inputs),
        layers=tuple(
            LayerTrace(
                input=_plain(layer["input"]),
                weight=_plain(weight),
                bias=_plain(bias),
                activation=name,
                product=_plain(layer["product"]),
                bias_broadcast=_plain(layer["bias_broadcast"]),
                preactivation=_plain(layer["preactivation"]),
                output=_plain(layer["output"]),
            )
            for (weight, bias), layer, name in zip(params, layers, activations, strict=True)
        ),
        prediction=_plain(prediction),
        target=_plain(target),
        errors=_plain(errors),
        squared_errors=_plain(squared_errors),
        squared_error_sum=float(squared_errors.sum()),
        loss_count=prediction.numel(),
        loss=float(loss),
        prediction_gradient=_plain(prediction_gradient),
        gradients=tuple(Parameters(_plain(w), _plain(b)) for w, b in autograd),
        chain_rule=tuple(
            ChainRuleLayer(**{k: _plain(v) for k, v in step.items()}) for step in hand
        ),
        training=_train(params, x, target, activations, lesson.learning_rate, lesson.steps),
        net_prediction=_plain(sequential(params, activations)(x)),
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
) -> TrainingTrace:
    """Plain gradient descent, ``p <- p - learning_rate * dL/dp`` (SGD, no momentum)."""
    records = []
    predictions = []
    for _ in range(steps):
        layers = forward(params, x, activations)
        predictions.append(_plain(layers[-1]["output"]))
        loss = mse_loss(layers[-1]["output"], target)
        _, hand = backward_by_hand(params, layers, target, activations)
        updated = [
            (w - learning_rate * g["weight"], b - learning_rate * g["bias"])
            for (w, b), g in zip(params, hand, strict=True)
        ]
        records.append(
            TrainingStep(
                loss=float(loss),
                parameters=_parameters(params),
                gradients=tuple(Parameters(_plain(g["weight"]), _plain(g["bias"])) for g in hand),
                updated=_parameters(updated),
            )
        )
        params = updated
    final_prediction = forward(params, x, activations)[-1]["output"]
    predictions.append(_plain(final_prediction))
    final_loss = float(mse_loss(final_prediction, target))
    return TrainingTrace(
        learning_rate=learning_rate,
        losses=(*tuple(step.loss for step in records), final_loss),
        layers=_parameters(params),
        steps=tuple(records),
        predictions=tuple(predictions),
    )


# -- conversions -------------------------------------------------------------


def _tensor(values) -> torch.Tensor:
    return torch.tensor(values, dtype=DTYPE)


def _round(values: torch.Tensor, decimals: int) -> torch.Tensor:
    """Round to the nearest float of the shown decimal (not via float32)."""
    return _tensor([round(float(v), decimals) for v in values.flatten()]).reshape(values.shape)


def _plain(values: torch.Tensor):
    """A tensor as plain Python floats: a tuple, or a tuple of row tuples."""
    as_list = values.detach().tolist()
    if values.dim() == 1:
        return tuple(as_list)
    return tuple(tuple(row) for row in as_list)


def _parameters(params: Params) -> tuple[Parameters, ...]:
    return tuple(Parameters(_plain(w), _plain(b)) for w, b in params)

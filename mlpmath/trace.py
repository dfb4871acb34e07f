"""The trace: every number of a lesson, as frozen records of plain floats.

Scenes read values from here by path (``network.layers[0].product[2][1]``),
the same path that names the value in ``mlp-lecture trace --json`` and in a
render's ledger. Records are frozen, so a scene cannot swap a value out.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "ActivationDemo",
    "ChainRuleLayer",
    "LayerTrace",
    "NetworkTrace",
    "NeuronTrace",
    "Parameters",
    "PathError",
    "Trace",
    "TrainingStep",
    "TrainingTrace",
    "jsonable",
    "resolve",
]

Vector = tuple[float, ...]
Matrix = tuple[Vector, ...]


@dataclass(frozen=True)
class NeuronTrace:
    """One neuron over its samples: ``output = f(x . w^T + b)`` per row."""

    inputs: Matrix
    weight: Vector
    bias: float
    activation: str
    products: Matrix  # samples x inputs: x_i * w_i
    weighted_sum: Vector  # per sample: sum of the products
    bias_broadcast: Vector  # the bias, once per sample
    preactivation: Vector  # weighted_sum + bias
    output: Vector  # activation(preactivation)


@dataclass(frozen=True)
class LayerTrace:
    """One ``nn.Linear`` (plus its activation) on all samples at once."""

    input: Matrix  # samples x in
    weight: Matrix  # out x in (torch layout)
    bias: Vector  # out
    activation: str
    product: Matrix  # input . W^T, samples x out
    bias_broadcast: Matrix  # the bias row repeated per sample
    preactivation: Matrix  # product + bias_broadcast
    output: Matrix  # activation(preactivation)


@dataclass(frozen=True)
class Parameters:
    """A layer's weight and bias (or the loss's gradient for them)."""

    weight: Matrix
    bias: Vector


@dataclass(frozen=True)
class ChainRuleLayer:
    """The hand-written backward step through one layer."""

    upstream: Matrix  # dL/d(layer output), samples x out
    activation_derivative: Matrix  # f'(preactivation)
    delta: Matrix  # dL/d(preactivation) = upstream * f'
    weight: Matrix  # dL/dW = delta^T . input, out x in
    bias: Vector  # dL/db = delta summed over samples


@dataclass(frozen=True)
class TrainingStep:
    """One gradient-descent step: ``p_new = p - learning_rate * dL/dp``."""

    loss: float  # the loss at ``parameters``
    parameters: tuple[Parameters, ...]  # before the step
    gradients: tuple[Parameters, ...]  # at ``parameters``
    updated: tuple[Parameters, ...]  # after the step


@dataclass(frozen=True)
class TrainingTrace:
    learning_rate: float
    losses: Vector  # steps + 1 values: before the first step, then after each
    layers: tuple[Parameters, ...]  # parameters after the last step
    steps: tuple[TrainingStep, ...]
    predictions: tuple[Matrix, ...]  # steps + 1: the network's output at each loss's parameters


@dataclass(frozen=True)
class NetworkTrace:
    sizes: tuple[int, ...]
    activation: str  # the lesson's default for hidden layers; each layer's own is layers[i]
    output_activation: str  # the last layer's activation (as layers[-1].activation)
    samples: int
    layers: tuple[LayerTrace, ...]
    prediction: Matrix
    target: Matrix
    errors: Matrix  # y - y_hat
    squared_errors: Matrix  # (y - y_hat)^2
    squared_error_sum: float
    loss_count: int  # K: how many entries the mean runs over
    loss: float  # MSE: squared_error_sum / loss_count
    prediction_gradient: Matrix  # dL/dy_hat = -2/K (y - y_hat)
    gradients: tuple[Parameters, ...]  # torch autograd
    chain_rule: tuple[ChainRuleLayer, ...]  # the hand derivation
    training: TrainingTrace
    # torch's own nn.Sequential(nn.Linear, activation, ...) run on X: the forward
    # pass's check, computed apart from the layer-by-layer trace above
    net_prediction: Matrix = ()


@dataclass(frozen=True)
class ActivationDemo:
    """Real pre-activations through the lesson's activation (the ReLU scene).

    The values are the first layer's pre-activations, all samples, row by
    row; the activation is that layer's, or ReLU when it has none.
    """

    activation: str
    source: str  # the trace path the values come from
    preactivation: Vector
    output: Vector


@dataclass(frozen=True)
class Trace:
    """Everything a lecture shows for one lesson."""

    lesson: str
    title: str
    decimals: int
    neurons: tuple[NeuronTrace, ...]
    network: NetworkTrace
    activation_demo: ActivationDemo

    def to_dict(self) -> dict[str, Any]:
        """The trace as JSON-ready nested dicts and lists (non-finite numbers: None)."""
        return jsonable(asdict(self))


def jsonable(value: Any) -> Any:
    """``value`` with tuples as lists and inf/NaN as None, so strict JSON can hold it.

    A diverging lesson (too large a learning rate) overflows to inf, then NaN.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


class PathError(LookupError):
    """A path does not name a value in the trace."""


# A name, then ``.name`` or ``[index]`` tokens: a name needs its dot after
# the start, so ``layers[0]bias`` and ``.network`` are not paths.
_FIRST_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_PATH_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """Split ``a.b[0][1]`` into ``["a", "b", 0, 1]``; reject anything else."""
    tokens: list[str | int] = []
    position = 0
    while position < len(path):
        pattern = _FIRST_TOKEN if position == 0 else _PATH_TOKEN
        match = pattern.match(path, position)
        if match is None:
            raise PathError(f"{path!r}: not a trace path (like network.layers[0].bias[1])")
        name, index = match.groups()
        tokens.append(name if name is not None else int(index))
        position = match.end()
    if not tokens:
        raise PathError("empty trace path")
    return tokens


_LENGTH = re.compile(r"^len\((.+)\)$")


def resolve(record: Any, path: str) -> Any:
    """The value at ``path`` in a trace (dataclass or its ``to_dict`` form).

    ``len(PATH)`` is the length of the list at PATH: how a scene shows a
    true size (rows or columns of an elided matrix) from the trace.
    """
    length = _LENGTH.match(path)
    if length:
        items = resolve(record, length.group(1))
        if not isinstance(items, list | tuple):
            raise PathError(f"{path!r}: {length.group(1)!r} is not a list")
        return len(items)
    value = record
    for token in parse_path(path):
        try:
            if isinstance(token, int):
                if not isinstance(value, list | tuple):
                    raise TypeError
                value = value[token]
            elif isinstance(value, dict):
                value = value[token]
            elif hasattr(value, "__dataclass_fields__") and token in value.__dataclass_fields__:
                value = getattr(value, token)
            else:
                raise KeyError(token)
        except (IndexError, KeyError, TypeError):
            raise PathError(f"{path!r}: no value at {token!r}") from None
    return value

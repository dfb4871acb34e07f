"""The trace: every number of a lesson, as frozen records of plain floats.

Scenes read values from here by path (``network.layers[0].product[2][1]``),
the same path that names the value in ``mlp-lecture trace --json`` and in a
render's ledger. Records are frozen, so a scene cannot swap a value out.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

__all__ = [
    "LOSS_FIELD",
    "ActivationDemo",
    "ChainRuleLayer",
    "LayerTrace",
    "NetworkTrace",
    "NeuronTrace",
    "Parameters",
    "PathError",
    "RegionsTrace",
    "SoftmaxTrace",
    "Trace",
    "TrainingStep",
    "TrainingTrace",
    "exact_json",
    "jsonable",
    "resolve",
]

Vector = tuple[float, ...]
Matrix = tuple[Vector, ...]
Classes = tuple[int, ...]  # one class index per sample (0 to C - 1)
ClassGrid = tuple[tuple[int, ...], ...]  # rows (second input) x columns (first input)

# A field only one loss fills carries that loss's name under this metadata key
# (the other loss leaves it empty: ``()`` or ``None``); mlpmath.schema, the
# manual's trace reference and the explorable page read it from here.
LOSS_FIELD = "loss"
_MSE = {LOSS_FIELD: "mse"}
_CROSS_ENTROPY = {LOSS_FIELD: "cross_entropy"}


@dataclass(frozen=True)
class NeuronTrace:
    """One neuron over its samples: ``output = f(x . w^T + b)`` per row."""

    inputs: Matrix  # x: one row per sample, samples x inputs
    weight: Vector  # w: one weight per input
    bias: float  # b
    activation: str  # f's name: none, relu, sigmoid or tanh
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
    activation: str  # f's name: none, relu, sigmoid or tanh
    product: Matrix  # input . W^T, samples x out
    bias_broadcast: Matrix  # the bias row repeated per sample
    preactivation: Matrix  # product + bias_broadcast
    output: Matrix  # activation(preactivation)


@dataclass(frozen=True)
class Parameters:
    """A layer's weight and bias (or the loss's gradient for them)."""

    weight: Matrix  # out x in (torch layout)
    bias: Vector  # out


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
class RegionsTrace:
    """The class the network predicts over a grid of the input plane, at a few steps.

    Only for a classification lesson with 2 inputs: the picture of the decision
    regions moving as training goes on. The grid covers the samples plus a
    margin; ``predicted[k][r][c]`` is the class of the point
    ``(first[c], second[r])`` with the parameters after ``steps[k]`` steps
    (0: before the first step). Row 0 is the smallest second input (the
    bottom of a plot), column 0 the smallest first input (its left).
    """

    steps: tuple[int, ...]  # training steps pictured, ascending, from 0 to the last
    bounds: Vector  # (first_min, first_max, second_min, second_max): the grid's outer edges
    first: Vector  # cell centres along the first input (columns)
    second: Vector  # cell centres along the second input (rows)
    predicted: tuple[ClassGrid, ...]  # per pictured step: rows x columns of classes


@dataclass(frozen=True)
class TrainingTrace:
    """The training run: ``steps`` gradient-descent steps on all samples at once."""

    learning_rate: float  # alpha, in p_new = p - alpha dL/dp
    losses: Vector  # steps + 1 values: before the first step, then after each
    layers: tuple[Parameters, ...]  # parameters after the last step
    steps: tuple[TrainingStep, ...]  # one per step, in order
    predictions: tuple[Matrix, ...]  # steps + 1: the network's output at each loss's parameters
    # classification only (empty / None for MSE): accuracy at each loss's parameters
    accuracies: Vector = field(default=(), metadata=_CROSS_ENTROPY)  # steps + 1, as losses
    # 2-input classification lessons only: the predicted class over the input plane
    regions: RegionsTrace | None = field(default=None, metadata=_CROSS_ENTROPY)
    # classification only: how many samples are right at each loss's parameters (the
    # counts behind ``accuracies``: a count stays a count on screen, "6/8 = 0.75")
    correct_counts: Classes = field(default=(), metadata=_CROSS_ENTROPY)
    # what training did, for every sentence that states it (mlpmath.outcome.OUTCOMES):
    # "diverged", "rising", "unchanged", "falling" (regression), "learned" (every
    # sample right at the end) or "partly" (the loss fell, some samples still wrong)
    outcome: str = ""
    first_outcome: str = ""  # the same word for the first step alone (losses[0] to [1])


@dataclass(frozen=True)
class SoftmaxTrace:
    """Softmax of each row of logits, in the order a board writes it (numerically stable).

    ``shifted = logits - row_max``; ``exp = e^shifted``; ``exp_sum`` its row sums;
    ``probabilities = exp / exp_sum``. Every row of ``probabilities`` sums to 1.
    """

    logits: Matrix  # Z: the last layer's output, samples x C
    row_max: Vector  # max of each row of Z
    shifted: Matrix  # Z - row_max (each row's largest is 0)
    exp: Matrix  # e^shifted
    exp_sum: Vector  # sum of each row of exp
    probabilities: Matrix  # P = exp / exp_sum


@dataclass(frozen=True)
class NetworkTrace:
    """The network of Part 2 on all samples: forward, loss, gradients, training.

    ``loss_function`` says which loss the lesson trains: ``"mse"`` (regression)
    fills ``target``, ``errors``, ``squared_errors`` and ``squared_error_sum``;
    ``"cross_entropy"`` (classification) fills the fields after ``net_prediction``
    and leaves those four empty (``()``, ``None``). The fields of the other loss
    are empty tuples, or None for a single value. ``prediction`` is the last
    layer's output either way (for cross-entropy: the logits Z), and
    ``prediction_gradient`` is dL/d(prediction) for the lesson's loss, by hand;
    ``prediction_gradient_autograd`` is autograd's ``.grad`` of the prediction (the
    check the lecture shows beside it).
    """

    sizes: tuple[int, ...]  # the input size, then each layer's width
    activation: str  # the lesson's default for hidden layers; each layer's own is layers[i]
    output_activation: str  # the last layer's activation (as layers[-1].activation)
    samples: int  # N: rows of the data
    layers: tuple[LayerTrace, ...]  # one per nn.Linear, in order
    prediction: Matrix  # the last layer's output: y_hat (MSE) or the logits Z (cross-entropy)
    target: Matrix = field(metadata=_MSE)  # y as given, samples x outputs
    errors: Matrix = field(metadata=_MSE)  # y - y_hat
    squared_errors: Matrix = field(metadata=_MSE)  # (y - y_hat)^2
    squared_error_sum: float | None = field(metadata=_MSE)  # S: their sum
    loss_count: int  # how many terms the mean runs over (MSE: N samples x outputs; CE: N)
    loss: float  # MSE: squared_error_sum / loss_count; cross-entropy: mean of cross_entropy
    prediction_gradient: Matrix  # dL/dy_hat by hand: MSE -2 (y - y_hat) / count; CE (P - Y) / N
    # the same by torch autograd: the ``.grad`` of a prediction leaf through torch's own
    # loss (F.mse_loss, F.cross_entropy), computed apart from the hand formula
    prediction_gradient_autograd: Matrix
    gradients: tuple[Parameters, ...]  # torch autograd
    chain_rule: tuple[ChainRuleLayer, ...]  # the hand derivation
    training: TrainingTrace  # the gradient-descent steps, losses and parameters
    # torch's own nn.Sequential(nn.Linear, activation, ...) run on X: the forward
    # pass's check, computed apart from the layer-by-layer trace above
    net_prediction: Matrix = ()
    loss_function: str = "mse"  # "mse" or "cross_entropy" (mlpmath.losses)
    # -- cross-entropy only (MSE: empty tuples and None) --
    classes: Classes = field(default=(), metadata=_CROSS_ENTROPY)  # y: each sample's true class
    # each class's name (the lesson's, else "0" to "C-1")
    class_names: tuple[str, ...] = field(default=(), metadata=_CROSS_ENTROPY)
    # Y: samples x C, 1.0 in the true class's column, else 0.0
    one_hot: Matrix = field(default=(), metadata=_CROSS_ENTROPY)
    # P from the logits, step by step
    softmax: SoftmaxTrace | None = field(default=None, metadata=_CROSS_ENTROPY)
    # P[s, y_s]: the probability of the true class
    true_class_probability: Vector = field(default=(), metadata=_CROSS_ENTROPY)
    cross_entropy: Vector = field(default=(), metadata=_CROSS_ENTROPY)  # per sample: -log P[s, y_s]
    # argmax of each row of P (ties: the lowest index)
    predicted_classes: Classes = field(default=(), metadata=_CROSS_ENTROPY)
    # per sample: predicted_classes[s] == classes[s]
    correct: tuple[bool, ...] = field(default=(), metadata=_CROSS_ENTROPY)
    correct_count: int | None = field(default=None, metadata=_CROSS_ENTROPY)  # how many are correct
    accuracy: float | None = field(default=None, metadata=_CROSS_ENTROPY)  # correct_count / N

    @property
    def is_classification(self) -> bool:
        """Whether the lesson trains with cross-entropy (else MSE regression)."""
        return self.loss_function != "mse"


@dataclass(frozen=True)
class ActivationDemo:
    """Real pre-activations through the lesson's activation (the Activation scene).

    The values are the first layer's pre-activations, all samples, row by
    row; the activation is that layer's or, when it has none, the first the
    lesson uses elsewhere (a later layer, then a one-neuron example), else ReLU.
    """

    activation: str  # the activation shown
    source: str  # the trace path the values come from
    preactivation: Vector  # the pre-activations n placed on the graph
    output: Vector  # f(n) for each


@dataclass(frozen=True)
class Trace:
    """Everything a lecture shows for one lesson."""

    lesson: str  # the lesson's name (its file's stem): where it renders
    title: str  # the lecture's title
    decimals: int  # digits shown after the point
    neurons: tuple[NeuronTrace, ...]  # Part 1's one-neuron examples, as the lesson lists them
    network: NetworkTrace  # Part 2: the network on all samples
    activation_demo: ActivationDemo  # the Activation scene's values

    def to_dict(self) -> dict[str, Any]:
        """The trace as JSON-ready nested dicts and lists (non-finite numbers: None)."""
        return jsonable(asdict(self))

    def to_json(self) -> dict[str, Any]:
        """The trace as JSON-ready data that ``from_json`` reads back to an equal trace,
        bit for bit (unlike ``to_dict``, which writes inf and NaN as None)."""
        return exact_json(self)

    @classmethod
    def from_json(cls, data: Any) -> Trace:
        """The trace that ``to_json`` wrote; ``ValueError`` when ``data`` is not one.

        Each value is checked against its field's type, so a damaged record
        is refused rather than read into a trace that holds the wrong kind
        of thing.
        """
        return _decode(cls, data, "trace")


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


def exact_json(value: Any) -> Any:
    """``value`` (records, tuples, numbers, text) as JSON-ready data that reads back exactly.

    Tuples become lists; a finite float stays a float (JSON writes its
    shortest round-tripping text); inf and NaN, which strict JSON cannot
    hold, become the hex text of their IEEE bits, so even a NaN's sign
    survives.
    """
    if type(value) is float:
        return value if math.isfinite(value) else _NONFINITE.format(_float_bits(value))
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: exact_json(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, dict):
        return {key: exact_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [exact_json(item) for item in value]
    return value


_NONFINITE = "0x{:016x}"  # a non-finite float in exact_json: its 64 IEEE bits
_NONFINITE_TEXT = re.compile(r"0x[0-9a-f]{16}")


def _float_bits(value: float) -> int:
    return struct.unpack(">Q", struct.pack(">d", value))[0]


@cache
def _hints(record: type) -> dict[str, Any]:
    return get_type_hints(record)


def _decode(hint: Any, value: Any, where: str) -> Any:
    """``value`` read back as ``hint`` (a record, ``tuple[X, ...]``, ``X | None``, float,
    int, bool or str)."""
    if isinstance(hint, type) and is_dataclass(hint):
        names = [item.name for item in fields(hint)]
        if not isinstance(value, dict) or set(value) != set(names):
            raise ValueError(f"{where}: expected the fields of {hint.__name__}")
        types = _hints(hint)
        return hint(
            **{name: _decode(types[name], value[name], f"{where}.{name}") for name in names}
        )
    if get_origin(hint) in (Union, UnionType):
        options = [option for option in get_args(hint) if option is not type(None)]
        if value is None:
            return None
        if len(options) != 1:
            raise TypeError(f"{where}: no reading for {hint!r}")
        return _decode(options[0], value, where)
    if get_origin(hint) is tuple:
        item, ellipsis = get_args(hint)
        if ellipsis is not Ellipsis or not isinstance(value, list):
            raise ValueError(f"{where}: expected a list")
        if item is float:
            return tuple(_decode_float(v, where) for v in value)
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is float:
        return _decode_float(value, where)
    if hint is int or hint is str or hint is bool:
        if type(value) is not hint:
            raise ValueError(f"{where}: expected {hint.__name__}")
        return value
    raise TypeError(f"{where}: no reading for {hint!r}")


def _decode_float(value: Any, where: str) -> float:
    kind = type(value)
    if kind is float or kind is int:  # an int where the trace held an int
        return value
    if kind is str and _NONFINITE_TEXT.fullmatch(value):
        number = struct.unpack(">d", struct.pack(">Q", int(value, 16)))[0]
        if not math.isfinite(number):
            return number
    raise ValueError(f"{where}: expected a number")


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


_LENGTH = re.compile(r"^len\((.+?)(?:\[:(\d+)\])?\)$")


def resolve(record: Any, path: str) -> Any:
    """The value at ``path`` in a trace (dataclass or its ``to_dict`` form).

    ``len(PATH)`` is the length of the list at PATH: how a scene shows a
    true size (rows or columns of an elided matrix) from the trace.
    ``len(PATH[:N])`` is how many of its first ``N`` items exist: how many a
    scene that lists at most ``N`` of them shows ("9 of 16").
    """
    length = _LENGTH.match(path)
    if length:
        items = resolve(record, length.group(1))
        if not isinstance(items, list | tuple):
            raise PathError(f"{path!r}: {length.group(1)!r} is not a list")
        first = length.group(2)
        return len(items) if first is None else min(len(items), int(first))
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

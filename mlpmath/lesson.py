"""Lesson files: a TOML description of the numbers a lecture shows.

Loading validates everything up front, so a bad file fails with one line
that names the offending key, before any computation or rendering starts.
Loading never writes anything.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpmath.activations import ACTIVATIONS

if TYPE_CHECKING:
    import torch

__all__ = [
    "DEFAULT_LESSON_NAME",
    "LayerSpec",
    "Lesson",
    "LessonError",
    "NetworkSpec",
    "NeuronSpec",
    "default_lesson",
    "default_lesson_text",
    "load_lesson",
    "parse_lesson",
]

DEFAULT_LESSON_NAME = "default"
MAX_DECIMALS = 10
# The trace records every parameter at every training step, so a lesson's
# size is bounded: a lecture's network is small, and a typo such as
# `steps = 1000000000` must fail at once instead of exhausting memory.
MAX_PARAMETERS = 10_000
MAX_RECORDED = 1_000_000  # training steps x parameters


class LessonError(ValueError):
    """A lesson file is unusable; the message names the key and the fix."""


Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class NeuronSpec:
    """One neuron applied to one or more samples (Part 1 of the lecture)."""

    inputs: Matrix
    weight: tuple[float, ...]
    bias: float
    activation: str


@dataclass(frozen=True)
class LayerSpec:
    """Given parameters of one ``nn.Linear`` layer, torch layout (out x in)."""

    weight: Matrix
    bias: tuple[float, ...]


@dataclass(frozen=True)
class NetworkSpec:
    """The network of Part 2; ``layers`` is empty when drawn from ``seed``.

    ``activations`` holds each layer's activation, resolved: a layer's own
    ``[[network.layer]] activation``, else ``activation`` for a hidden layer
    and ``output_activation`` for the last one.
    """

    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    seed: int
    layers: tuple[LayerSpec, ...]
    activations: tuple[str, ...]

    def default_activation(self, index: int) -> str:
        """What layer ``index`` gets without an ``activation`` of its own."""
        return self.output_activation if index == len(self.sizes) - 2 else self.activation


@dataclass(frozen=True)
class Lesson:
    """A whole validated lesson file."""

    name: str
    title: str
    decimals: int
    neurons: tuple[NeuronSpec, ...]
    network: NetworkSpec
    inputs: Matrix
    targets: Matrix
    learning_rate: float
    steps: int
    # The TOML text the lesson was read from (what a render hands its workers);
    # two lessons with the same numbers are equal whatever their comments.
    source: str = field(compare=False, repr=False)

    @classmethod
    def from_model(
        cls,
        model: torch.nn.Module,
        inputs: Any,
        targets: Any,
        *,
        learning_rate: float,
        steps: int,
        title: str = "Your network",
        decimals: int = 4,
        neurons: Sequence[NeuronSpec | dict[str, Any]] | None = None,
        name: str | None = None,
    ) -> Lesson:
        """The lesson of a torch ``nn.Sequential`` of ``nn.Linear`` layers and activations.

        The weights are taken exactly as the model holds them (a float32
        weight becomes the float64 of the same value), so the lesson's trace
        reproduces ``model(inputs)``, the loss and every ``.grad`` within
        float32 rounding. See :func:`mlpmath.model.lesson_from_model`.

        Raises ``LessonError`` (one sentence naming the module by index and
        type) for anything a lesson cannot hold.

        Examples
        --------
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
        >>> lesson = Lesson.from_model(net, [[1, 2], [2, 3]], [[7], [12]],
        ...                            learning_rate=0.01, steps=5)
        >>> lesson.network.activations
        ('relu', 'none')
        """
        from mlpmath.model import lesson_from_model

        return lesson_from_model(
            model,
            inputs,
            targets,
            learning_rate=learning_rate,
            steps=steps,
            title=title,
            decimals=decimals,
            neurons=neurons,
            name=name,
        )

    def to_toml(self) -> str:
        """A lesson file that loads back to this very lesson, commented for a teacher.

        Numbers are written in full (Python's shortest text that reads back as
        the same float), so a model's float32 weights survive the round trip.
        """
        from mlpmath.lesson_writer import lesson_toml

        return lesson_toml(self)


# -- reading -----------------------------------------------------------------


def default_lesson_text() -> str:
    """The embedded default lesson (the deck's numbers), as TOML text."""
    return resources.files("mlpmath").joinpath("lessons/default.toml").read_text()


def default_lesson() -> Lesson:
    """The embedded default lesson, parsed."""
    return parse_lesson(default_lesson_text(), name=DEFAULT_LESSON_NAME)


def load_lesson(path: str | Path | None) -> Lesson:
    """Read and validate a lesson file; ``None`` means the default lesson."""
    if path is None:
        return default_lesson()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonError(f"{path}: no such lesson file") from None
    except IsADirectoryError:
        raise LessonError(f"{path}: is a directory, not a lesson file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(f"{path}: cannot read it ({error})") from None
    return parse_lesson(text, name=path.stem, origin=str(path))


def parse_lesson(text: str, name: str, origin: str | None = None) -> Lesson:
    """Validate lesson TOML text into a :class:`Lesson`."""
    where = origin or name
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{where}: not valid TOML ({error})") from None
    try:
        return _build_lesson(raw, name, text)
    except LessonError as error:
        raise LessonError(f"{where}: {error}") from None


# -- validation --------------------------------------------------------------

_TOP_KEYS = {"title", "display", "neuron", "network", "data", "training"}
_NEURON_KEYS = {"inputs", "weight", "bias", "activation"}
_NETWORK_KEYS = {"sizes", "activation", "output_activation", "seed", "layer"}
_LAYER_KEYS = {"weight", "bias", "activation"}


def _build_lesson(raw: dict[str, Any], name: str, source: str) -> Lesson:
    _check_keys(raw, _TOP_KEYS, "")
    title = raw.get("title", name)
    if not isinstance(title, str) or not title.strip():
        raise LessonError("title: expected a non-empty string")

    display = _table(raw, "display", required=False)
    _check_keys(display, {"decimals"}, "display")
    decimals = _integer(display.get("decimals", 4), "display.decimals")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise LessonError(f"display.decimals: expected 0 to {MAX_DECIMALS}, got {decimals}")

    neuron_tables = raw.get("neuron", [])
    if not isinstance(neuron_tables, list):
        raise LessonError("neuron: expected [[neuron]] tables")
    neurons = tuple(_neuron(t, f"neuron[{i}]") for i, t in enumerate(neuron_tables))

    network = _network(_table(raw, "network", required=True))

    data = _table(raw, "data", required=True)
    _check_keys(data, {"inputs", "targets"}, "data")
    inputs = _matrix(_required(data, "inputs", "data"), "data.inputs")
    targets = _matrix(_required(data, "targets", "data"), "data.targets")
    if len(inputs[0]) != network.sizes[0]:
        raise LessonError(
            f"data.inputs: rows have {len(inputs[0])} values but network.sizes[0] "
            f"is {network.sizes[0]}"
        )
    if len(targets) != len(inputs):
        raise LessonError(
            f"data.targets: {len(targets)} rows but data.inputs has {len(inputs)} samples"
        )
    if len(targets[0]) != network.sizes[-1]:
        raise LessonError(
            f"data.targets: rows have {len(targets[0])} values but the output layer "
            f"has {network.sizes[-1]} (network.sizes[-1])"
        )

    training = _table(raw, "training", required=True)
    _check_keys(training, {"learning_rate", "steps"}, "training")
    learning_rate = _number(
        _required(training, "learning_rate", "training"), "training.learning_rate"
    )
    if learning_rate <= 0:
        raise LessonError(f"training.learning_rate: must be positive, got {learning_rate}")
    steps = _integer(_required(training, "steps", "training"), "training.steps")
    if steps < 0:
        raise LessonError(f"training.steps: must be 0 or more, got {steps}")
    parameters = _parameter_count(network.sizes)
    if steps * parameters > MAX_RECORDED:
        raise LessonError(
            f"training.steps: {steps} steps of a network with {parameters} parameters is too "
            f"many to record (at most {MAX_RECORDED // parameters} steps for this network)"
        )

    return Lesson(
        name=name,
        title=title.strip(),
        decimals=decimals,
        neurons=neurons,
        network=network,
        inputs=inputs,
        targets=targets,
        learning_rate=learning_rate,
        steps=steps,
        source=source,
    )


def _neuron(table: Any, key: str) -> NeuronSpec:
    if not isinstance(table, dict):
        raise LessonError(f"{key}: expected a [[neuron]] table")
    _check_keys(table, _NEURON_KEYS, key)
    inputs = _matrix(_required(table, "inputs", key), f"{key}.inputs")
    weight = _vector(_required(table, "weight", key), f"{key}.weight")
    if len(weight) != len(inputs[0]):
        raise LessonError(
            f"{key}.weight: {len(weight)} weights but each input row has {len(inputs[0])} values"
        )
    bias = _number(_required(table, "bias", key), f"{key}.bias")
    activation = _activation(table.get("activation", "relu"), f"{key}.activation")
    return NeuronSpec(inputs=inputs, weight=weight, bias=bias, activation=activation)


def _network(table: dict[str, Any]) -> NetworkSpec:
    _check_keys(table, _NETWORK_KEYS, "network")
    raw_sizes = _required(table, "sizes", "network")
    if not isinstance(raw_sizes, list) or len(raw_sizes) < 2:
        raise LessonError("network.sizes: expected at least two sizes, e.g. [2, 3, 1]")
    sizes = tuple(_integer(s, f"network.sizes[{i}]") for i, s in enumerate(raw_sizes))
    for i, size in enumerate(sizes):
        if size < 1:
            raise LessonError(f"network.sizes[{i}]: must be at least 1, got {size}")
    parameters = _parameter_count(sizes)
    if parameters > MAX_PARAMETERS:
        raise LessonError(
            f"network.sizes: {list(sizes)} has {parameters} weights and biases; a lesson "
            f"allows at most {MAX_PARAMETERS}"
        )
    activation = _activation(table.get("activation", "none"), "network.activation")
    output_activation = _activation(
        table.get("output_activation", "none"), "network.output_activation"
    )
    seed = _integer(table.get("seed", 0), "network.seed")

    layer_tables = table.get("layer", [])
    if not isinstance(layer_tables, list):
        raise LessonError("network.layer: expected [[network.layer]] tables")
    if layer_tables and len(layer_tables) != len(sizes) - 1:
        raise LessonError(
            f"network.layer: {len(layer_tables)} layers given but network.sizes "
            f"{list(sizes)} needs {len(sizes) - 1} (or none, to draw them from the seed)"
        )
    for i, layer_table in enumerate(layer_tables):
        if not isinstance(layer_table, dict):
            raise LessonError(f"network.layer[{i}]: expected a [[network.layer]] table")
        _check_keys(layer_table, _LAYER_KEYS, f"network.layer[{i}]")
    # Tables holding only an activation keep the seed's parameters; a table
    # with a weight or bias gives them, and then every table must.
    given = [i for i, t in enumerate(layer_tables) if "weight" in t or "bias" in t]
    layers: tuple[LayerSpec, ...] = ()
    if given:
        layers = tuple(
            _layer(t, f"network.layer[{i}]", sizes[i], sizes[i + 1])
            for i, t in enumerate(layer_tables)
        )
    defaults = [activation] * (len(sizes) - 2) + [output_activation]
    activations = tuple(
        _activation(t["activation"], f"network.layer[{i}].activation")
        if "activation" in t
        else defaults[i]
        for i, t in enumerate(layer_tables)
    ) or tuple(defaults)
    return NetworkSpec(
        sizes=sizes,
        activation=activation,
        output_activation=output_activation,
        seed=seed,
        layers=layers,
        activations=activations,
    )


def _layer(table: dict[str, Any], key: str, fan_in: int, fan_out: int) -> LayerSpec:
    weight = _matrix(_required(table, "weight", key), f"{key}.weight")
    if (len(weight), len(weight[0])) != (fan_out, fan_in):
        raise LessonError(
            f"{key}.weight: expected {fan_out} rows x {fan_in} columns (torch layout, "
            f"out x in, from network.sizes), got {len(weight)} x {len(weight[0])}"
        )
    bias = _vector(_required(table, "bias", key), f"{key}.bias")
    if len(bias) != fan_out:
        raise LessonError(f"{key}.bias: expected {fan_out} values, got {len(bias)}")
    return LayerSpec(weight=weight, bias=bias)


# -- small checkers ----------------------------------------------------------


def _parameter_count(sizes: tuple[int, ...]) -> int:
    """Weights and biases of the ``nn.Linear`` layers that ``sizes`` describes."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in pairwise(sizes))


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            place = f"{where}.{key}" if where else key
            raise LessonError(
                f"{place}: unknown key (expected one of: {', '.join(sorted(allowed))})"
            )


def _table(raw: dict[str, Any], key: str, required: bool) -> dict[str, Any]:
    if key not in raw:
        if required:
            raise LessonError(f"[{key}]: missing table")
        return {}
    value = raw[key]
    if not isinstance(value, dict):
        raise LessonError(f"{key}: expected a [{key}] table")
    return value


def _required(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise LessonError(f"{where}.{key}: missing")
    return table[key]


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LessonError(f"{key}: expected a number, got {_shown(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise LessonError(f"{key}: must be a finite number, got {value!r}")
    return number


def _integer(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LessonError(f"{key}: expected a whole number, got {_shown(value)}")
    return value


def _vector(value: Any, key: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not value:
        raise LessonError(f"{key}: expected a non-empty list of numbers, got {_shown(value)}")
    return tuple(_number(v, f"{key}[{i}]") for i, v in enumerate(value))


def _matrix(value: Any, key: str) -> Matrix:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise LessonError(
            f"{key}: expected a non-empty list of rows, e.g. [[1, 2], [3, 4]], got {_shown(value)}"
        )
    rows = tuple(_vector(row, f"{key}[{i}]") for i, row in enumerate(value))
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise LessonError(
                f"{key}[{i}]: ragged rows (row 0 has {width} values, row {i} has {len(row)})"
            )
    return rows


def _shown(value: Any, limit: int = 40) -> str:
    """A value from the file for an error message: one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _activation(value: Any, key: str) -> str:
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise LessonError(
            f"{key}: unknown activation {_shown(value)} (choose one of: {', '.join(ACTIVATIONS)})"
        )
    return value

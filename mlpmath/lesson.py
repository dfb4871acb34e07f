"""Lesson files: a TOML description of the numbers a lecture shows.

Loading validates everything up front, so a bad file fails with one line
that names the offending key, before any computation or rendering starts.
Loading never writes anything.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpmath import lesson_checks as check
from mlpmath.lesson_checks import (
    MAX_DECIMALS,
    MAX_LAYERS,
    MAX_LESSON_BYTES,
    MAX_NEURONS,
    MAX_PARAMETERS,
    MAX_RECORDED,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_STEPS,
    MAX_TITLE,
    MAX_WIDTH,
    LessonError,
    loss_name,
    parameter_count,
    quoted,
    recorded_values,
)

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
    "read_lesson_text",
]

DEFAULT_LESSON_NAME = "default"
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
    and ``output_activation`` for the last one. ``loss`` names the loss the
    network trains with (``mlpmath.losses``): ``"mse"`` or ``"cross_entropy"``.
    """

    sizes: tuple[int, ...]
    activation: str
    output_activation: str
    seed: int
    layers: tuple[LayerSpec, ...]
    activations: tuple[str, ...]
    loss: str = "mse"

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
    targets: Matrix  # what MSE learns; () for a cross-entropy lesson
    learning_rate: float
    steps: int
    # The TOML text the lesson was read from (what a render hands its workers);
    # two lessons with the same numbers are equal whatever their comments.
    source: str = field(compare=False, repr=False)
    # What cross-entropy learns: each sample's class, 0 to C - 1; () for MSE.
    classes: tuple[int, ...] = ()
    # Cross-entropy: each class's name, one per output (the file's data.class_names,
    # else the class numbers as text, "0" to "C-1"); () for MSE.
    class_names: tuple[str, ...] = ()

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
        loss: str = "mse",
        class_names: Sequence[str] | None = None,
    ) -> Lesson:
        """The lesson of a torch ``nn.Sequential`` of ``nn.Linear`` layers and activations.

        The weights are taken exactly as the model holds them (a float32
        weight becomes the float64 of the same value), so the lesson's trace
        reproduces ``model(inputs)``, the loss and every ``.grad`` within
        float32 rounding. See :func:`mlpmath.model.lesson_from_model`.

        Raises ``LessonError`` (one sentence naming the module by index and
        type) for anything a lesson cannot hold.

        ``loss="cross_entropy"`` makes a classification lesson: the model's
        outputs are the logits and ``targets`` are integer class labels (a
        ``torch.long`` tensor or a list), as ``nn.CrossEntropyLoss`` takes them.
        ``class_names`` names the classes, one per output, in the order of the
        logits (``["setosa", "versicolor", "virginica"]``); by default they are
        their numbers, ``"0"`` to ``"C-1"``.

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
            loss=loss,
            class_names=class_names,
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
    return parse_lesson(read_lesson_text(path), name=path.stem, origin=str(path))


def read_lesson_text(path: Path) -> str:
    """The text of the lesson file at ``path``: a regular file of UTF-8, at most
    ``MAX_LESSON_BYTES`` long (a FIFO or a device is refused, never read)."""
    where = quoted(str(path), 80)[1:-1]
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise LessonError(f"{where}: no such lesson file") from None
    except IsADirectoryError:
        raise LessonError(f"{where}: is a directory, not a lesson file") from None
    except OSError as error:
        raise LessonError(f"{where}: cannot read it ({error.strerror or error})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise LessonError(f"{where}: is a directory, not a lesson file")
        if not stat.S_ISREG(mode):
            raise LessonError(f"{where}: not a regular file (a lesson is a TOML file)")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_LESSON_BYTES + 1)
    except OSError as error:
        raise LessonError(f"{where}: cannot read it ({error.strerror or error})") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(
            f"{where}: larger than {MAX_LESSON_BYTES:,} bytes, the most a lesson file may be"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LessonError(f"{where}: cannot read it: not UTF-8 text (byte {error.start})") from None


def parse_lesson(text: str, name: str, origin: str | None = None) -> Lesson:
    """Validate lesson TOML text into a :class:`Lesson`.

    A leading UTF-8 byte-order mark is ignored. Every problem raises
    ``LessonError`` with one line naming ``origin`` (or ``name``) and the key.
    """
    where = quoted(origin or name, 80)[1:-1]
    if len(text) > MAX_LESSON_BYTES:
        raise LessonError(f"{where}: longer than {MAX_LESSON_BYTES:,} characters")
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{where}: not valid TOML ({quoted(str(error), 80)[1:-1]})") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise LessonError(f"{where}: not usable TOML ({quoted(str(error), 60)[1:-1]})") from None
    except RecursionError:
        raise LessonError(
            f"{where}: not usable TOML (arrays or tables nested too deeply)"
        ) from None
    try:
        return _build_lesson(raw, name, text)
    except LessonError as error:
        raise LessonError(f"{where}: {error}") from None
    except RecursionError:  # a nested value quoted in a message
        raise LessonError(f"{where}: values nested too deeply") from None


# -- validation --------------------------------------------------------------

_TOP_KEYS = {"title", "display", "neuron", "network", "data", "training"}
_NEURON_KEYS = {"inputs", "weight", "bias", "activation"}
_NETWORK_KEYS = {"sizes", "activation", "output_activation", "seed", "layer", "loss"}
_LAYER_KEYS = {"weight", "bias", "activation"}


def _build_lesson(raw: dict[str, Any], name: str, source: str) -> Lesson:
    check.check_keys(raw, _TOP_KEYS, "")
    # Free text reaches every output (page title, deck, script heading, frames): one
    # check for all of it, control characters and bidi overrides refused (issue 32).
    title = check.free_text(raw.get("title", name), "title", MAX_TITLE)
    character = check.control_character(name)
    if character is not None:  # the name reaches outputs too (the script, the renders' folder)
        raise LessonError(
            f"name: the lesson's name (its file's name) holds the control character "
            f"U+{ord(character):04X}; rename the file"
        )

    display = check.table_of(raw, "display", required=False)
    check.check_keys(display, {"decimals"}, "display")
    decimals = check.integer(display.get("decimals", 4), "display.decimals", 0, MAX_DECIMALS)

    neuron_tables = raw.get("neuron", [])
    if not isinstance(neuron_tables, list):
        raise LessonError("neuron: expected [[neuron]] tables")
    if len(neuron_tables) > MAX_NEURONS:
        raise LessonError(
            f"neuron: {len(neuron_tables)} [[neuron]] tables; a lesson allows at most {MAX_NEURONS}"
        )
    neurons = tuple(_neuron(t, f"neuron[{i}]") for i, t in enumerate(neuron_tables))

    network = _network(check.table_of(raw, "network", required=True), decimals)

    data = check.table_of(raw, "data", required=True)
    check.check_keys(data, {"inputs", "targets", "classes", "class_names"}, "data")
    inputs = check.matrix(
        check.required(data, "inputs", "data"), "data.inputs", MAX_SAMPLES, MAX_WIDTH
    )
    if len(inputs[0]) != network.sizes[0]:
        raise LessonError(
            f"data.inputs: rows have {len(inputs[0])} values but network.sizes[0] "
            f"is {network.sizes[0]}"
        )
    targets, classes, class_names = check.learned(
        data, network.loss, len(inputs), network.sizes[-1]
    )

    training = check.table_of(raw, "training", required=True)
    check.check_keys(training, {"learning_rate", "steps"}, "training")
    learning_rate = check.number(
        check.required(training, "learning_rate", "training"), "training.learning_rate"
    )
    if learning_rate <= 0:
        raise LessonError(f"training.learning_rate: must be positive, got {learning_rate}")
    steps = check.integer(
        check.required(training, "steps", "training"), "training.steps", 0, MAX_STEPS
    )
    classifies = network.loss != "mse"
    recorded = recorded_values(network.sizes, len(inputs), steps, classifies)
    if recorded > MAX_RECORDED:
        per_step = recorded_values(network.sizes, len(inputs), 1, classifies) - recorded_values(
            network.sizes, len(inputs), 0, classifies
        )
        least = recorded_values(network.sizes, len(inputs), 0, classifies)
        most = max(0, (MAX_RECORDED - least) // per_step)
        raise LessonError(
            f"training.steps: {steps} steps of this network on {len(inputs)} samples would "
            f"record about {recorded:,} numbers; a lesson allows {MAX_RECORDED:,} "
            f"(at most {most} steps here)"
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
        classes=classes,
        class_names=class_names,
    )


def _neuron(table: Any, key: str) -> NeuronSpec:
    if not isinstance(table, dict):
        raise LessonError(f"{key}: expected a [[neuron]] table")
    check.check_keys(table, _NEURON_KEYS, key)
    inputs = check.matrix(
        check.required(table, "inputs", key), f"{key}.inputs", MAX_SAMPLES, MAX_WIDTH
    )
    weight = check.vector(check.required(table, "weight", key), f"{key}.weight", MAX_WIDTH)
    if len(weight) != len(inputs[0]):
        raise LessonError(
            f"{key}.weight: {len(weight)} weights but each input row has {len(inputs[0])} values"
        )
    bias = check.number(check.required(table, "bias", key), f"{key}.bias")
    activation = check.activation(table.get("activation", "relu"), f"{key}.activation")
    return NeuronSpec(inputs=inputs, weight=weight, bias=bias, activation=activation)


def _network(table: dict[str, Any], decimals: int) -> NetworkSpec:
    check.check_keys(table, _NETWORK_KEYS, "network")
    raw_sizes = check.required(table, "sizes", "network")
    if not isinstance(raw_sizes, list) or len(raw_sizes) < 2:
        raise LessonError("network.sizes: expected at least two sizes, e.g. [2, 3, 1]")
    if len(raw_sizes) > MAX_LAYERS + 1:
        raise LessonError(
            f"network.sizes: {len(raw_sizes) - 1} layers; a lesson allows at most {MAX_LAYERS}"
        )
    sizes = tuple(
        check.integer(s, f"network.sizes[{i}]", 1, MAX_WIDTH, "the widest layer a lesson allows")
        for i, s in enumerate(raw_sizes)
    )
    parameters = parameter_count(sizes)
    if parameters > MAX_PARAMETERS:
        raise LessonError(
            f"network.sizes: {list(sizes)} has {parameters} weights and biases; a lesson "
            f"allows at most {MAX_PARAMETERS}"
        )
    activation = check.activation(table.get("activation", "none"), "network.activation")
    output_activation = check.activation(
        table.get("output_activation", "none"), "network.output_activation"
    )
    seed = check.integer(table.get("seed", 0), "network.seed", 0, MAX_SEED, "torch's seed range")
    loss = loss_name(table.get("loss", "mse"), "network.loss")
    if loss != "mse" and sizes[-1] < 2:
        raise LessonError(
            f"network.sizes: the last layer has {sizes[-1]} output; cross-entropy needs one "
            "per class, at least 2"
        )

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
        check.check_keys(layer_table, _LAYER_KEYS, f"network.layer[{i}]")
    # Tables holding only an activation keep the seed's parameters; a table
    # with a weight or bias gives them, and then every table must.
    given = [i for i, t in enumerate(layer_tables) if "weight" in t or "bias" in t]
    layers: tuple[LayerSpec, ...] = ()
    if given:
        layers = tuple(
            _layer(t, f"network.layer[{i}]", sizes[i], sizes[i + 1])
            for i, t in enumerate(layer_tables)
        )
    elif decimals == 0:
        # torch's initialisation draws weights below 1 in size: rounded to whole
        # numbers they are 0 or +-1, and most of the network is dead.
        raise LessonError(
            "display.decimals: 0 rounds the weights drawn from network.seed to 0 or 1 "
            "(a dead network); show at least 1 decimal, or give [[network.layer]] weights"
        )
    defaults = [activation] * (len(sizes) - 2) + [output_activation]
    activations = tuple(
        check.activation(t["activation"], f"network.layer[{i}].activation")
        if "activation" in t
        else defaults[i]
        for i, t in enumerate(layer_tables)
    ) or tuple(defaults)
    if loss != "mse" and activations[-1] != "none":
        last = len(sizes) - 2
        own = last < len(layer_tables) and "activation" in layer_tables[last]
        key = f"network.layer[{last}].activation" if own else "network.output_activation"
        raise LessonError(
            f'{key}: must be "none" with network.loss = "cross_entropy", got '
            f"{quoted(activations[-1])}: the last layer gives the logits, and the loss "
            "applies the softmax"
        )
    return NetworkSpec(
        sizes=sizes,
        activation=activation,
        output_activation=output_activation,
        seed=seed,
        layers=layers,
        activations=activations,
        loss=loss,
    )


def _layer(table: dict[str, Any], key: str, fan_in: int, fan_out: int) -> LayerSpec:
    weight = check.matrix(
        check.required(table, "weight", key), f"{key}.weight", MAX_WIDTH, MAX_WIDTH
    )
    if (len(weight), len(weight[0])) != (fan_out, fan_in):
        raise LessonError(
            f"{key}.weight: expected {fan_out} rows x {fan_in} columns (torch layout, "
            f"out x in, from network.sizes), got {len(weight)} x {len(weight[0])}"
        )
    bias = check.vector(check.required(table, "bias", key), f"{key}.bias", MAX_WIDTH)
    if len(bias) != fan_out:
        raise LessonError(f"{key}.bias: expected {fan_out} values, got {len(bias)}")
    return LayerSpec(weight=weight, bias=bias)

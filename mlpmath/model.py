"""A lesson from the teacher's own torch network: ``Lesson.from_model``.

The model is read, never run: its ``nn.Linear`` weights and biases are taken
exactly (a float32 weight becomes the float64 of the same value), and its
activation modules name each layer's activation. Anything a lesson cannot
hold is refused with one sentence that names the module by its index and
type and says what is supported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from mlpmath.activations import ACTIVATIONS
from mlpmath.lesson import (
    LayerSpec,
    Lesson,
    LessonError,
    NetworkSpec,
    NeuronSpec,
    parse_lesson,
)
from mlpmath.lesson_checks import MAX_TITLE, default_class_names, free_text, loss_name
from mlpmath.lesson_checks import class_names as checked_class_names

__all__ = ["MODULE_ACTIVATIONS", "SUPPORTED", "lesson_from_model", "network_from_modules"]

# The activation modules a lesson can hold, by their lesson-file name.
MODULE_ACTIVATIONS: dict[type[nn.Module], str] = {
    nn.Identity: "none",
    nn.ReLU: "relu",
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
}
SUPPORTED = (
    "a lesson's network is an nn.Sequential of nn.Linear layers (with bias), "
    "each followed by at most one of nn.ReLU, nn.Sigmoid, nn.Tanh or nn.Identity"
)

Matrix = tuple[tuple[float, ...], ...]


def lesson_from_model(
    model: nn.Module,
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
    """The lesson of ``model`` trained on ``inputs`` -> ``targets`` (see ``Lesson.from_model``).

    Parameters
    ----------
    model
        ``nn.Sequential(nn.Linear, [activation], nn.Linear, ...)``; nested
        ``nn.Sequential`` blocks are read in order, ``nn.Identity`` is no activation.
    inputs, targets
        Tensors, numpy arrays or nested lists, one row per sample. A 1-D
        ``targets`` is read as a column when the network has one output.
        With ``loss="cross_entropy"``, ``targets`` are integer class labels,
        one per sample (a ``torch.long`` tensor or a list of ints), as
        ``nn.CrossEntropyLoss`` takes them with the model's logits.
    learning_rate, steps
        The gradient-descent run the lecture shows.
    title, decimals
        The lecture's title and how many decimals a number shows.
    neurons
        Part 1's one-neuron examples (``NeuronSpec`` or dicts with
        ``inputs``, ``weight``, ``bias``, ``activation``). By default, the
        model's first neuron on the first sample, then on every sample, with
        the first layer's activation (ReLU when it has none, as the deck).
    name
        The lesson's name (its render directory, ``renders/NAME/``); by
        default made from the title.
    loss
        ``"mse"`` (regression on ``targets``) or ``"cross_entropy"`` (the
        model's outputs are logits; ``targets`` are classes).
    class_names
        With ``"cross_entropy"``: each class's name, one per logit, in order
        (free text, unique, at most ``MAX_CLASS_NAME`` characters each); by
        default the class numbers as text.

    Numbers given as lists (a CSV's, a notebook's literals) are read as
    float64, so the lesson keeps the data's own text (0.2 stays 0.2); a
    float32 tensor's values are kept as the model sees them.
    """
    loss = loss_name(loss, "loss")
    linears, activations = network_from_modules(model)
    sizes = (linears[0][1].in_features, *(linear.out_features for _, linear in linears))
    layers = tuple(_layer_spec(index, linear) for index, linear in linears)
    x = _rows(inputs, "inputs")
    first_index, first = linears[0]
    if len(x[0]) != sizes[0]:
        raise LessonError(
            f"inputs: rows have {len(x[0])} values but model[{first_index}] "
            f"({type(first).__name__}) takes {sizes[0]}"
        )
    last_index, last = linears[-1]
    y: Matrix = ()
    classes: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    if loss == "mse":
        if class_names is not None:
            raise LessonError(
                'class_names: given, but loss is "mse" (regression); pass loss="cross_entropy" '
                "(--loss cross_entropy) to train a classifier on class labels"
            )
        if sizes[-1] >= 2 and _look_like_labels(targets):
            raise LessonError(
                f"targets: one whole number per sample, class labels for the last layer's "
                f'{sizes[-1]} outputs, but loss is "mse", which learns one row of '
                f'{sizes[-1]} outputs per sample; pass loss="cross_entropy" '
                "(--loss cross_entropy) to train a classifier on them"
            )
        y = _rows(targets, "targets", column=sizes[-1] == 1)
        if len(y) != len(x):
            raise LessonError(f"targets: {len(y)} rows but inputs has {len(x)} samples")
        if len(y[0]) != sizes[-1]:
            raise LessonError(
                f"targets: rows have {len(y[0])} values but the last layer, model[{last_index}] "
                f"({type(last).__name__}), gives {sizes[-1]}"
            )
    else:
        last_kind = f"model[{last_index}] ({type(last).__name__})"
        if sizes[-1] < 2:
            raise LessonError(
                f"{last_kind}: gives {sizes[-1]} output; cross-entropy needs one logit per "
                "class, at least 2"
            )
        if activations[-1] != "none":
            raise LessonError(
                f"{last_kind}: is followed by an activation ({activations[-1]}); with "
                "cross-entropy the last layer gives the logits, and the loss applies the softmax"
            )
        classes = _class_labels(targets, sizes[-1], len(x))
        names = (
            default_class_names(sizes[-1])
            if class_names is None
            else checked_class_names(
                list(class_names) if isinstance(class_names, list | tuple) else class_names,
                "class_names",
                sizes[-1],
            )
        )
    _check_run(learning_rate, steps, decimals, title)
    hidden = activations[:-1]
    # The hidden layers' most common activation is the network's (a tie: "none"
    # first); the file names only the layers that differ from it.
    default = max(ACTIVATIONS, key=hidden.count) if hidden else "none"
    network = NetworkSpec(
        sizes=sizes,
        activation=default,
        output_activation=activations[-1],
        seed=0,
        layers=layers,
        activations=tuple(activations),
        loss=loss,
    )
    lesson_name = name or _slug(title)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", lesson_name) or lesson_name.startswith("."):
        raise LessonError(
            f"name: {lesson_name!r} is not a file name (use letters, digits, '-', '_' and '.')"
        )
    lesson = Lesson(
        name=lesson_name,
        title=title.strip(),
        decimals=decimals,
        neurons=_neurons(neurons, layers[0], activations[0], x),
        network=network,
        inputs=x,
        targets=y,
        learning_rate=float(learning_rate),
        steps=steps,
        source="",
        classes=classes,
        class_names=names,
    )
    # The file is the lesson: a render hands its text to the workers, so it is
    # read back through the one validating reader (limits included).
    parsed = parse_lesson(lesson.to_toml(), name=lesson_name, origin="Lesson.from_model")
    if parsed != lesson:  # pragma: no cover - the writer's own guarantee
        raise AssertionError("Lesson.to_toml did not read back as the same lesson")
    return parsed


def network_from_modules(model: nn.Module) -> tuple[list[tuple[int, nn.Linear]], list[str]]:
    """The model's ``nn.Linear`` layers (with their index in ``model``) and activations.

    Raises ``LessonError`` naming the first module a lesson cannot hold.
    """
    if type(model) is nn.Linear:
        modules: list[tuple[str, nn.Module]] = [("model[0]", model)]
    elif isinstance(model, nn.Sequential):
        modules = list(_flatten(model, "model"))
    else:
        raise LessonError(
            f"model ({type(model).__name__}): not an nn.Sequential; {SUPPORTED}, "
            "e.g. nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))"
        )
    linears: list[tuple[int, nn.Linear]] = []
    activations: list[str] = []
    activation_at: list[str] = []  # where each layer's activation module is
    for position, (where, module) in enumerate(modules):
        kind = type(module).__name__
        if type(module) is nn.Linear:
            if module.bias is None:
                raise LessonError(f"{where} ({kind}): has no bias (bias=False); {SUPPORTED}")
            if linears and module.in_features != linears[-1][1].out_features:
                raise LessonError(
                    f"{where} ({kind}): takes {module.in_features} inputs but the layer "
                    f"before it gives {linears[-1][1].out_features}; {SUPPORTED}"
                )
            for parameter, values in (("weight", module.weight), ("bias", module.bias)):
                if not torch.isfinite(values.detach()).all():
                    raise LessonError(
                        f"{where} ({kind}): its {parameter} holds a non-finite value "
                        "(inf or nan); a lesson needs finite weights and biases"
                    )
            linears.append((position, module))
            activations.append("none")
            activation_at.append("")
        elif type(module) in MODULE_ACTIVATIONS:
            name = MODULE_ACTIVATIONS[type(module)]
            if not linears:
                raise LessonError(
                    f"{where} ({kind}): comes before the first nn.Linear; {SUPPORTED}"
                )
            if name == "none":
                continue
            if activations[-1] != "none":
                raise LessonError(
                    f"{where} ({kind}): a second activation after {activation_at[-1]}; {SUPPORTED}"
                )
            activations[-1] = name
            activation_at[-1] = f"{where} ({kind})"
        elif type(module) in (nn.Softmax, nn.LogSoftmax) and position == len(modules) - 1:
            raise LessonError(
                f"{where} ({kind}): remove it: nn.CrossEntropyLoss applies softmax to the "
                "logits, so the model ends with its last nn.Linear; then pass "
                'loss="cross_entropy" (--loss cross_entropy)'
            )
        else:
            raise LessonError(f"{where} ({kind}): not supported; {SUPPORTED}")
    if not linears:
        raise LessonError(f"model: holds no nn.Linear layer; {SUPPORTED}")
    return linears, activations


def _flatten(model: nn.Sequential, prefix: str):
    for index, module in enumerate(model):
        where = f"{prefix}[{index}]"
        if isinstance(module, nn.Sequential) and type(module) is nn.Sequential:
            yield from _flatten(module, where)
        else:
            yield where, module


def _layer_spec(index: int, linear: nn.Linear) -> LayerSpec:
    return LayerSpec(weight=_matrix(linear.weight), bias=_vector(linear.bias))


def _vector(values: torch.Tensor) -> tuple[float, ...]:
    # float32 -> float64 is exact: the float64 of the very value the model holds.
    return tuple(values.detach().cpu().to(torch.float64).tolist())


def _matrix(values: torch.Tensor) -> Matrix:
    return tuple(tuple(row) for row in values.detach().cpu().to(torch.float64).tolist())


def _rows(values: Any, key: str, column: bool = False) -> Matrix:
    """A tensor, array or nested list as rows of float64 (each the same value)."""
    try:
        if isinstance(values, torch.Tensor):
            tensor = values.detach().cpu()
        else:
            tensor = torch.as_tensor(values)
        if tensor.is_complex() or tensor.dtype == torch.bool:
            raise TypeError
        if not isinstance(values, torch.Tensor) and tensor.dtype == torch.float32:
            # Python floats (torch's default dtype would round 0.2 to 0.20000000298...):
            # read again as float64, which holds each exactly as written.
            tensor = torch.as_tensor(values, dtype=torch.float64)
        tensor = tensor.to(torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise LessonError(
            f"{key}: expected a tensor, numpy array or list of rows of numbers"
        ) from None
    if column and tensor.dim() == 1:
        tensor = tensor.reshape(-1, 1)
    if tensor.dim() != 2 or tensor.numel() == 0:
        raise LessonError(
            f"{key}: expected one row per sample (2-D, not empty), got shape {tuple(tensor.shape)}"
        )
    if not torch.isfinite(tensor).all():
        raise LessonError(f"{key}: holds a non-finite value (inf or nan)")
    return _matrix(tensor)


def _class_labels(values: Any, count: int, samples: int) -> tuple[int, ...]:
    """Integer class labels, one per sample, each from 0 to ``count - 1``."""
    expected = "integer class labels, one per sample (a torch.long tensor or a list of ints)"
    if isinstance(values, list | tuple) and any(
        isinstance(v, bool) or not isinstance(v, int) for v in values
    ):
        wrong = next(v for v in values if isinstance(v, bool) or not isinstance(v, int))
        raise LessonError(f"targets: expected {expected}, got {_shown(wrong)}")
    try:
        tensor = (
            values.detach().cpu() if isinstance(values, torch.Tensor) else torch.as_tensor(values)
        )
    except (TypeError, ValueError, RuntimeError):
        raise LessonError(f"targets: expected {expected}") from None
    if tensor.dtype == torch.bool or tensor.is_floating_point() or tensor.is_complex():
        raise LessonError(f"targets: expected {expected}, got a tensor of {tensor.dtype}")
    if tensor.dim() != 1:
        raise LessonError(f"targets: expected {expected}, got shape {tuple(tensor.shape)}")
    if len(tensor) != samples:
        raise LessonError(f"targets: {len(tensor)} classes but inputs has {samples} samples")
    labels = tuple(int(v) for v in tensor.tolist())
    for index, label in enumerate(labels):
        if not 0 <= label < count:
            raise LessonError(
                f"targets[{index}]: class {label} is out of range: the last layer gives "
                f"{count} logits, so classes 0 to {count - 1}"
            )
    return labels


def _look_like_labels(values: Any) -> bool:
    """Whether ``values`` is one whole number per sample (integer dtype, 1-D): class labels."""
    if isinstance(values, list | tuple):
        return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    try:
        tensor = values if isinstance(values, torch.Tensor) else torch.as_tensor(values)
    except (TypeError, ValueError, RuntimeError):
        return False
    return tensor.dim() == 1 and not (
        tensor.is_floating_point() or tensor.is_complex() or tensor.dtype == torch.bool
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_run(learning_rate: Any, steps: Any, decimals: Any, title: Any) -> None:
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float):
        raise LessonError(f"learning_rate: expected a number, got {learning_rate!r}")
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise LessonError(f"learning_rate: must be a positive number, got {learning_rate!r}")
    for key, value in (("steps", steps), ("decimals", decimals)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise LessonError(f"{key}: expected a whole number, got {value!r}")
    if steps < 0:
        raise LessonError(f"steps: must be 0 or more, got {steps}")
    free_text(title, "title", MAX_TITLE)  # the lesson file's own check, before it is written


def _neurons(
    given: Sequence[NeuronSpec | dict[str, Any]] | None,
    first: LayerSpec,
    activation: str,
    inputs: Matrix,
) -> tuple[NeuronSpec, ...]:
    if given is None:
        name = activation if activation != "none" else "relu"
        weight, bias = first.weight[0], first.bias[0]
        examples = [inputs[:1]] + ([inputs] if len(inputs) > 1 else [])
        return tuple(NeuronSpec(rows, weight, bias, name) for rows in examples)
    neurons = []
    for index, neuron in enumerate(given):
        if isinstance(neuron, NeuronSpec):
            neurons.append(neuron)
            continue
        if not isinstance(neuron, dict):
            raise LessonError(
                f"neurons[{index}]: expected a NeuronSpec or a dict with inputs, weight, "
                "bias and activation"
            )
        neurons.append(
            NeuronSpec(
                inputs=_rows(neuron.get("inputs"), f"neurons[{index}].inputs"),
                weight=_rows([neuron.get("weight")], f"neurons[{index}].weight")[0],
                bias=float(_rows([[neuron.get("bias")]], f"neurons[{index}].bias")[0][0]),
                activation=neuron.get("activation", "relu"),
            )
        )
    return tuple(neurons)


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:40].strip("-") or "model"

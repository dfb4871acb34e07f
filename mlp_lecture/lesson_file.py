"""``mlp-lecture lesson``: a lesson file from a saved state dict and a CSV of data.

For a teacher who saved ``torch.save(net.state_dict(), "net.pt")`` rather
than keep a notebook. The file is read with ``torch.load(weights_only=True)``
only: a pickled module, or anything else that is not a plain state dict of
tensors, is refused and never executed. The lesson itself is made by
``Lesson.from_model``, so it passes the same checks as a notebook's.

With ``loss="cross_entropy"`` the CSV's last column is each sample's class
(a whole number from 0 to C - 1, C the network's output size): the network
gives logits, and the lesson trains with softmax and cross-entropy.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from mlpmath import ACTIVATIONS, Lesson, LessonError
from mlpmath.lesson_checks import class_names as checked_class_names
from mlpmath.lesson_checks import loss_name

__all__ = ["lesson_from_files", "parse_activations", "parse_layers", "read_csv", "read_state_dict"]

_MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def parse_layers(text: str) -> tuple[int, ...]:
    """``"2,3,2,1"``: the input size, then each layer's width."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise LessonError(
            f"--layers: expected whole numbers separated by commas, e.g. 2,3,2,1, got {text!r}"
        ) from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise LessonError(
            f"--layers: expected the input size then each layer's width, each at least 1, "
            f"e.g. 2,3,2,1, got {text!r}"
        )
    return sizes


def parse_activations(text: str, output: str, layers: int) -> list[str]:
    """One name for every hidden layer (the output gets ``output``), or one name per layer."""
    names = [name.strip().lower() for name in text.split(",")]
    output = output.strip().lower()
    for flag, name in [
        *(("--activation", name) for name in names),
        ("--output-activation", output),
    ]:
        if name.replace("_", "") in ("softmax", "logsoftmax"):
            raise LessonError(
                f"{flag}: {name!r} is not an activation a lesson holds: leave the last layer's "
                "none and pass --loss cross_entropy (the loss applies softmax to the logits)"
            )
        if name not in ACTIVATIONS:
            raise LessonError(
                f"{flag}: unknown activation {name!r} (choose from: {', '.join(ACTIVATIONS)})"
            )
    if len(names) == 1:
        return [names[0]] * (layers - 1) + [output]
    if len(names) != layers:
        raise LessonError(
            f"--activation: {len(names)} names given but the network has {layers} layers "
            "(give one name for the hidden layers, or one per layer)"
        )
    return names


MAX_STATE_BYTES = 50_000_000  # a lesson's network has at most 10,000 parameters
MAX_CSV_BYTES = 1_000_000


def _regular_file(path: Path, limit: int) -> None:
    """Refuse (one line) a FIFO, a device or a file over ``limit`` bytes, before reading."""
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        return  # the reader says so, in its own words
    except OSError as error:
        raise LessonError(f"{path}: cannot read it ({error.strerror or error})") from None
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise LessonError(f"{path}: larger than {limit:,} bytes, the most this file may be")
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise LessonError(f"{path}: not a regular file")


def read_state_dict(path: Path) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """The ``(prefix, weight, bias)`` of each linear layer, in the state dict's order.

    Refuses (``LessonError``, one line) anything but a plain dict of tensors
    whose keys are ``PREFIX.weight`` / ``PREFIX.bias`` pairs.
    """
    _regular_file(path, MAX_STATE_BYTES)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise LessonError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LessonError(f"{path}: is a directory, not a saved state dict") from None
    except Exception as error:
        if "Unsupported global" in str(error):  # a class or function it would import
            raise LessonError(
                f"{path}: not a plain state dict (it holds pickled objects, e.g. a whole saved "
                "model, which are never loaded); save torch.save(net.state_dict(), PATH) instead"
            ) from None
        raise LessonError(
            f"{path}: not a file torch.save wrote ({type(error).__name__}); save "
            "torch.save(net.state_dict(), PATH)"
        ) from None
    if not isinstance(state, dict) or not state:
        raise LessonError(
            f"{path}: holds {type(state).__name__ if state != {} else 'an empty dict'}, "
            "not a state dict; save torch.save(net.state_dict(), PATH)"
        )
    layers: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            kind = "a dict" if isinstance(value, dict) else f"a {type(value).__name__}"
            raise LessonError(
                f"{path}: key {key!r} holds {kind}, not a tensor: not a plain state dict; "
                "save torch.save(net.state_dict(), PATH)"
            )
        prefix, _, kind = key.rpartition(".")
        if kind not in ("weight", "bias"):
            raise LessonError(
                f"{path}: key {key!r} is not a linear layer's weight or bias; a lesson's network "
                "is nn.Linear layers (with bias) and activations"
            )
        layers.setdefault(prefix, {})[kind] = value
    result = []
    for prefix, pair in layers.items():
        name = f"{prefix}." if prefix else ""
        if set(pair) != {"weight", "bias"}:
            missing = "bias" if "bias" not in pair else "weight"
            raise LessonError(
                f"{path}: {name}weight and {name}bias come in pairs; no {name}{missing}"
            )
        weight, bias = pair["weight"], pair["bias"]
        if weight.dim() != 2 or bias.dim() != 1 or bias.shape[0] != weight.shape[0]:
            raise LessonError(
                f"{path}: {name}weight {tuple(weight.shape)} and {name}bias {tuple(bias.shape)} "
                "are not an nn.Linear's (weight out x in, bias out)"
            )
        for kind, values in pair.items():
            if not values.is_floating_point():
                raise LessonError(f"{path}: {name}{kind} holds {values.dtype}, not floats")
            if not torch.isfinite(values).all():
                raise LessonError(
                    f"{path}: {name}{kind} holds a non-finite value (inf or nan); a lesson needs "
                    "finite weights and biases"
                )
        result.append((prefix, weight, bias))
    return result


def read_csv(
    path: Path, inputs: int, targets: int, classes: bool = False
) -> tuple[list[list[float]], list[list[float]]]:
    """Rows of ``inputs`` input columns then ``targets`` target columns.

    The split comes from the network: its input size and its output size.
    A first row that is not all numbers is a header and skipped; blank rows
    are skipped. With ``classes``, the one target column is a class: a whole
    number, refused (naming the row and column) when it is not.
    """
    width = inputs + targets
    _regular_file(path, MAX_CSV_BYTES)
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            rows = [(number, row) for number, row in enumerate(csv.reader(file), start=1)]
    except FileNotFoundError:
        raise LessonError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LessonError(f"{path}: is a directory, not a CSV file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LessonError(f"{path}: cannot read it as CSV ({error})") from None
    rows = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if rows and not all(_is_number(cell) for cell in rows[0][1]):
        rows = rows[1:]  # a header
    if not rows:
        raise LessonError(f"{path}: holds no rows of data")
    xs, ys = [], []
    for number, row in rows:
        if len(row) != width:
            hint = (
                "; if the last column is each row's class, pass --loss cross_entropy"
                if not classes and targets > 1 and len(row) == inputs + 1
                else ""
            )
            raise LessonError(
                f"{path}:{number}: {len(row)} columns, expected {width}: the network's "
                f"{inputs} input(s), then its {targets} target(s){hint}"
            )
        values = []
        for column, cell in enumerate(row, start=1):
            if not _is_number(cell):
                raise LessonError(
                    f"{path}:{number}: column {column}: {cell.strip()!r} is not a number"
                )
            values.append(float(cell))
        if classes and not values[-1].is_integer():
            raise LessonError(
                f"{path}:{number}: column {width}: {row[-1].strip()!r} is not a class "
                "(a whole number from 0): with --loss cross_entropy the last column is the class"
            )
        xs.append(values[:inputs])
        ys.append(values[inputs:])
    return xs, ys


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def lesson_from_files(
    state_dict: Path,
    data: Path,
    *,
    layers: Sequence[int] | None,
    activation: str,
    output_activation: str,
    learning_rate: float,
    steps: int,
    title: str,
    decimals: int,
    loss: str = "mse",
    class_names: Sequence[str] | None = None,
) -> Lesson:
    """The lesson of a saved state dict and a CSV of its data (nothing written).

    ``loss="cross_entropy"``: the CSV's last column is the class of each row,
    and ``class_names`` (one per class, in order) may name the classes.
    """
    loss = loss_name(loss, "--loss")
    if class_names is not None and loss == "mse":
        raise LessonError(
            "--class-names: given, but --loss is mse (regression on targets); pass "
            "--loss cross_entropy to train a classifier on the CSV's class column"
        )
    linears = read_state_dict(state_dict)
    shapes = [(int(w.shape[1]), int(w.shape[0])) for _, w, _ in linears]
    found = (shapes[0][0], *(out for _, out in shapes))
    if layers is not None and tuple(layers) != found:
        raise LessonError(
            f"{state_dict}: its layers are {','.join(map(str, found))} (input size, then each "
            f"layer's width), not --layers {','.join(map(str, layers))}"
        )
    for (prefix, _, _), (fan_in, _), (_, before) in zip(linears[1:], shapes[1:], shapes):
        if fan_in != before:
            raise LessonError(
                f"{state_dict}: {prefix}.weight takes {fan_in} inputs but the layer before "
                f"it gives {before}"
            )
    names = parse_activations(activation, output_activation, len(linears))
    if class_names is not None:  # named by its flag here (from_model checks them again)
        checked_class_names(list(class_names), "--class-names", found[-1])
    modules: list[nn.Module] = []
    for (_, weight, bias), name in zip(linears, names, strict=True):
        # float64 holds every float32 (or float16) value exactly
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
        modules.append(linear)
        if name != "none":
            modules.append(_MODULES[name]())
    classes = loss != "mse"
    inputs, targets = read_csv(data, found[0], 1 if classes else found[-1], classes)
    labels = [int(row[0]) for row in targets] if classes else targets
    return Lesson.from_model(
        nn.Sequential(*modules),
        inputs,
        labels,
        learning_rate=learning_rate,
        steps=steps,
        title=title,
        decimals=decimals,
        loss=loss,
        class_names=class_names,
    )


def write_text_atomically(path: Path, text: str) -> None:
    """``path`` holds ``text`` whole, or is untouched (a crash leaves no half file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

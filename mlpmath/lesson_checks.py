"""The checks a lesson file passes before anything is computed, and its limits.

Every check raises :class:`LessonError` with one short line that names the
key; text quoted from the file is escaped and shortened, so no file can make
an error span lines or screens. The limits bound what a lesson may ask the
trace to hold: a real lecture is far below every one of them.
"""

from __future__ import annotations

import math
import unicodedata
from itertools import pairwise
from typing import Any

from mlpmath.activation_names import ACTIVATION_NAMES

__all__ = [
    "LOSS_NAMES",
    "MAX_CLASS_NAME",
    "MAX_DECIMALS",
    "MAX_LAYERS",
    "MAX_LESSON_BYTES",
    "MAX_MAGNITUDE",
    "MAX_NEURONS",
    "MAX_PARAMETERS",
    "MAX_RECORDED",
    "MAX_SAMPLES",
    "MAX_SEED",
    "MAX_STEPS",
    "MAX_TITLE",
    "MAX_WIDTH",
    "REGION_CELLS",
    "REGION_PICTURES",
    "LessonError",
    "class_names",
    "control_character",
    "default_class_names",
    "free_text",
    "learned",
    "loss_name",
    "parameter_count",
    "quoted",
    "recorded_values",
]

MAX_LESSON_BYTES = 1_000_000  # a lesson file is a few hundred bytes
MAX_DECIMALS = 10
MAX_MAGNITUDE = 1e6  # any number the file gives: larger ones cannot be laid out on screen
MAX_SAMPLES = 100  # rows of data.inputs (and of a [[neuron]]'s inputs)
MAX_WIDTH = 64  # each of network.sizes (and a [[neuron]]'s inputs)
MAX_LAYERS = 8  # nn.Linear layers
MAX_NEURONS = 16  # [[neuron]] tables
MAX_STEPS = 10_000  # training.steps
MAX_PARAMETERS = 10_000  # weights and biases of the network
MAX_RECORDED = 2_000_000  # numbers the trace holds: steps x (parameters and predictions)
MAX_SEED = 2**64 - 1  # torch.manual_seed's range (from 0)
MAX_TITLE = 200  # characters of the title
MAX_CLASS_NAME = 24  # characters of a class's name (it fits a legend and a table's heading)

LOSS_NAMES = ("mse", "cross_entropy")  # [network] loss (mlpmath.losses.LOSSES, same order)
REGION_CELLS = 48  # a 2-input classification lesson's regions: a grid of 48 x 48 cells
REGION_PICTURES = 5  # ... pictured at most at this many training steps


class LessonError(ValueError):
    """A lesson file is unusable; the message names the key and the fix."""


def quoted(value: Any, limit: int = 40) -> str:
    """``value`` for an error message: escaped (no line breaks), at most ``limit`` characters."""
    text = value if isinstance(value, str) else _safe_repr(value)
    text = text.encode("unicode_escape", "backslashreplace").decode("ascii")
    if isinstance(value, str):
        text = f"'{text}'"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except ValueError:  # an int too long for repr (sys.set_int_max_str_digits)
        return f"<a {type(value).__name__} too long to show>"


def parameter_count(sizes: tuple[int, ...]) -> int:
    """Weights and biases of the ``nn.Linear`` layers that ``sizes`` describes."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in pairwise(sizes))


def recorded_values(
    sizes: tuple[int, ...], samples: int, steps: int, classifies: bool = False
) -> int:
    """About how many numbers the trace of such a lesson holds.

    Each training step records the parameters, their gradients and the
    updated parameters, and the prediction for every sample; the forward and
    backward passes record a few matrices of samples x width per layer. A
    classification lesson also records its softmax, an accuracy per step and,
    with 2 inputs, the regions: a grid of classes at a few steps.
    """
    per_step = 3 * parameter_count(sizes) + samples * sizes[-1]
    total = (steps + 1) * per_step + 8 * samples * sum(sizes)
    if classifies:
        total += (steps + 1) + 8 * samples * sizes[-1]
        if sizes[0] == 2:
            total += REGION_PICTURES * REGION_CELLS**2 + 2 * REGION_CELLS + 4
    return total


def check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            name = quoted(key)[1:-1] if key.isidentifier() and len(key) <= 40 else quoted(key)
            place = f"{where}.{name}" if where else name
            raise LessonError(
                f"{place}: unknown key (expected one of: {', '.join(sorted(allowed))})"
            )


def table_of(raw: dict[str, Any], key: str, required: bool) -> dict[str, Any]:
    if key not in raw:
        if required:
            raise LessonError(f"[{key}]: missing table")
        return {}
    value = raw[key]
    if not isinstance(value, dict):
        raise LessonError(f"{key}: expected a [{key}] table")
    return value


def required(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise LessonError(f"{where}.{key}: missing")
    return table[key]


def number(value: Any, key: str, limit: float = MAX_MAGNITUDE) -> float:
    """A finite number of at most ``limit`` in size."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LessonError(f"{key}: expected a number, got {quoted(value)}")
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise LessonError(f"{key}: must be a finite number, got {quoted(value)}")
    if abs(result) > limit:
        raise LessonError(
            f"{key}: {quoted(value, 24)} is too large for a lesson (at most {limit:g} in size; "
            "numbers beyond it do not fit on screen: scale the data)"
        )
    return result


def integer(value: Any, key: str, low: int, high: int, what: str = "") -> int:
    """A whole number from ``low`` to ``high``; ``what`` says why the bound is there."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LessonError(f"{key}: expected a whole number, got {quoted(value)}")
    if not low <= value <= high:
        reason = f" ({what})" if what else ""
        raise LessonError(f"{key}: expected {low} to {high}, got {quoted(value, 24)}{reason}")
    return value


def vector(value: Any, key: str, max_length: int) -> tuple[float, ...]:
    if not isinstance(value, list) or not value:
        raise LessonError(f"{key}: expected a non-empty list of numbers, got {quoted(value)}")
    if len(value) > max_length:
        raise LessonError(f"{key}: {len(value)} values; a lesson allows at most {max_length}")
    return tuple(number(v, f"{key}[{i}]") for i, v in enumerate(value))


def matrix(value: Any, key: str, max_rows: int, max_columns: int) -> tuple[tuple[float, ...], ...]:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise LessonError(
            f"{key}: expected a non-empty list of rows, e.g. [[1, 2], [3, 4]], got {quoted(value)}"
        )
    if len(value) > max_rows:
        raise LessonError(f"{key}: {len(value)} rows; a lesson allows at most {max_rows}")
    rows = tuple(vector(row, f"{key}[{i}]", max_columns) for i, row in enumerate(value))
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise LessonError(
                f"{key}[{i}]: ragged rows (row 0 has {width} values, row {i} has {len(row)})"
            )
    return rows


def loss_name(value: Any, key: str) -> str:
    if not isinstance(value, str) or value not in LOSS_NAMES:
        choices = ", ".join(LOSS_NAMES)
        raise LessonError(f"{key}: unknown loss {quoted(value)} (choose one of: {choices})")
    return value


def learned(
    data: dict[str, Any], loss: str, samples: int, outputs: int
) -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...], tuple[str, ...]]:
    """What a lesson learns, from its ``[data]``: ``(targets, classes, class_names)``.

    MSE learns ``data.targets`` (one row of ``outputs`` per sample; the other
    two are empty); cross-entropy learns ``data.classes``, its classes named by
    ``data.class_names`` or else by their numbers (targets empty).
    """
    if loss != "mse":
        names = (
            class_names(data["class_names"], "data.class_names", outputs)
            if "class_names" in data
            else default_class_names(outputs)
        )
        return (), classes(data, samples, outputs), names
    for key in ("classes", "class_names"):
        if key in data:
            raise LessonError(
                f'data.{key}: given, but network.loss is "mse", which learns data.targets; '
                'set network.loss = "cross_entropy" to learn classes'
            )
    targets = matrix(required(data, "targets", "data"), "data.targets", MAX_SAMPLES, MAX_WIDTH)
    if len(targets) != samples:
        raise LessonError(
            f"data.targets: {len(targets)} rows but data.inputs has {samples} samples"
        )
    if len(targets[0]) != outputs:
        raise LessonError(
            f"data.targets: rows have {len(targets[0])} values but the output layer "
            f"has {outputs} (network.sizes[-1])"
        )
    return targets, (), ()


def classes(data: dict[str, Any], samples: int, count: int) -> tuple[int, ...]:
    """``data.classes`` of a cross-entropy lesson: one class (0 to ``count`` - 1) per sample."""
    if "targets" in data:
        both = " (give data.classes only)" if "classes" in data else ""
        raise LessonError(
            'data.targets: network.loss is "cross_entropy", which learns data.classes '
            f"(one class per sample), not targets{both}"
        )
    if "classes" not in data:
        raise LessonError(
            'data.classes: missing; network.loss = "cross_entropy" learns one class per '
            "sample, e.g. classes = [0, 2, 1]"
        )
    raw = data["classes"]
    if not isinstance(raw, list) or not raw:
        raise LessonError(
            f"data.classes: expected a list of class indices, e.g. [0, 2, 1], got {quoted(raw)}"
        )
    if len(raw) != samples:
        raise LessonError(f"data.classes: {len(raw)} classes but data.inputs has {samples} samples")
    return tuple(
        integer(
            value,
            f"data.classes[{i}]",
            0,
            count - 1,
            f"a class of the output layer's {count}, network.sizes[-1]",
        )
        for i, value in enumerate(raw)
    )


def activation(value: Any, key: str) -> str:
    if isinstance(value, str) and value.lower().replace("_", "") in ("softmax", "logsoftmax"):
        raise LessonError(
            f"{key}: {quoted(value)} is not an activation a lesson holds: leave the last "
            'layer\'s "none" and set network.loss = "cross_entropy" (the loss applies '
            "softmax to the logits)"
        )
    if not isinstance(value, str) or value not in ACTIVATION_NAMES:
        choices = ", ".join(ACTIVATION_NAMES)
        raise LessonError(f"{key}: unknown activation {quoted(value)} (choose one of: {choices})")
    return value


# Bidi overrides and isolates: they reorder the text around them on screen
# (a name could show as another), so free text refuses them with the controls.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def control_character(text: str) -> str | None:
    """The first character of ``text`` no free text may hold, or None.

    C0 and C1 controls (line breaks and tabs among them), the Unicode line and
    paragraph separators, and the bidi overrides and isolates: each either
    breaks a line or moves text in one of the outputs (a frame, a cell, a page).
    """
    for character in text:
        category = unicodedata.category(character)
        if category in ("Cc", "Zl", "Zp") or character in _BIDI_CONTROLS:
            return character
    return None


def free_text(value: Any, key: str, limit: int) -> str:
    """One line of text a person wrote (a title, a class's name): stripped, non-empty,
    at most ``limit`` characters, and free of control characters."""
    if not isinstance(value, str):
        raise LessonError(f"{key}: expected a string, got {quoted(value)}")
    character = control_character(value)
    if character is not None:
        raise LessonError(
            f"{key}: holds the control character U+{ord(character):04X} "
            f"({unicodedata.name(character, 'a control')}); write plain text on one line"
        )
    text = value.strip()
    if not text:
        raise LessonError(f"{key}: expected a non-empty string, got {quoted(value)}")
    if len(text) > limit:
        raise LessonError(f"{key}: {len(text)} characters, at most {limit} fit, got {quoted(text)}")
    return text


def default_class_names(count: int) -> tuple[str, ...]:
    """The names of ``count`` unnamed classes: their numbers as text, ``"0"`` to ``"C-1"``."""
    return tuple(str(k) for k in range(count))


def class_names(value: Any, key: str, count: int) -> tuple[str, ...]:
    """One name per class (``count`` of them): free text, each unique.

    A name that is another class's number (``["1", "0"]``) is refused: on
    screen it would say the opposite of what it means.
    """
    if not isinstance(value, list | tuple) or not value:
        raise LessonError(
            f'{key}: expected a list of names, one per class, e.g. ["cat", "dog", "bird"], '
            f"got {quoted(value)}"
        )
    if len(value) != count:
        raise LessonError(
            f"{key}: {len(value)} names but the output layer has {count} classes "
            "(network.sizes[-1]); give one name per class"
        )
    names = tuple(
        free_text(name, f"{key}[{index}]", MAX_CLASS_NAME) for index, name in enumerate(value)
    )
    numbers = default_class_names(count)
    for index, name in enumerate(names):
        if name in names[:index]:
            raise LessonError(
                f"{key}[{index}]: {quoted(name)} names class {names.index(name)} already; "
                "each class needs its own name"
            )
        if name in numbers and name != numbers[index]:
            raise LessonError(
                f"{key}[{index}]: {quoted(name)} is the number of class {name}; "
                "name each class by a word, or by its own number"
            )
    return names

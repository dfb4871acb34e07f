"""Writing lessons: a ``Lesson`` as a lesson file that loads back to the same lesson.

A teacher edits what this writes, so it carries the comments the shipped
lessons carry: what each key means and which values it takes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from itertools import pairwise

from mlpmath.activation_names import ACTIVATION_NAMES
from mlpmath.lesson import Lesson, NetworkSpec
from mlpmath.lesson_checks import default_class_names

__all__ = ["lesson_toml", "toml_number"]

_COMMENT_COLUMN = 31  # where a line's comment starts, as in lessons/default.toml


def lesson_toml(lesson: Lesson) -> str:
    """``lesson`` as lesson-file text that :func:`parse_lesson` reads back equal.

    Every number is written as Python's shortest text for its float, so it
    reads back bit for bit; whole numbers are written as integers.
    """
    network = lesson.network
    out: list[str] = [
        f"# {_one_line(lesson.title)}",
        "# A lesson file for mlp-lecture: every number the lecture shows is computed from it.",
        "# Edit any number and check it with `mlp-lecture trace THIS_FILE.toml`. Numbers are",
        "# written in full (a model's float32 weights exactly); scenes show them rounded",
        "# to [display] decimals, and shown arithmetic that only holds rounded gets ≈.",
        f"title = {_toml_string(lesson.title)}",
        "",
        "[display]",
        _commented(
            f"decimals = {lesson.decimals}",
            "digits shown after the point (the math keeps full precision)",
        ),
    ]
    for index, neuron in enumerate(lesson.neurons):
        out += [
            "",
            f"# Part 1: one neuron, {_samples(len(neuron.inputs))}.",
            "[[neuron]]",
            _commented(f"inputs = {_toml_matrix(neuron.inputs)}", "one row per sample")
            if index == 0
            else f"inputs = {_toml_matrix(neuron.inputs)}",
            f"weight = {_toml_vector(neuron.weight)}",
            f"bias = {toml_number(neuron.bias)}",
            _commented(f"activation = {_toml_string(neuron.activation)}", _CHOICES)
            if index == 0
            else f"activation = {_toml_string(neuron.activation)}",
        ]
    out += [
        "",
        f"# Part 2: {_sequential(network)}.",
        "[network]",
        _commented(f"sizes = {_toml_vector(network.sizes)}", "input size, then each layer's width"),
        _commented(
            f"activation = {_toml_string(network.activation)}",
            f"hidden layers: {_CHOICES}",
        ),
        _commented(
            f"output_activation = {_toml_string(network.output_activation)}",
            "the last layer's",
        ),
    ]
    if network.loss != "mse":  # an MSE lesson's file stays as it always was
        out.append(
            _commented(
                f"loss = {_toml_string(network.loss)}",
                "the last layer's outputs are the logits; mse learns data.targets instead",
            )
        )
    if not network.layers:
        out.append(_commented(f"seed = {network.seed}", "draws the weights (nn.Linear's init)"))
    elif network.seed != 0:
        out.append(_commented(f"seed = {network.seed}", "unused: the layers below give weights"))
    own = [
        network.activations[i] != network.default_activation(i)
        for i in range(len(network.sizes) - 1)
    ]
    if network.layers or any(own):
        for i in range(len(network.sizes) - 1):
            fan_in, fan_out = network.sizes[i], network.sizes[i + 1]
            rows = "1 row" if fan_out == 1 else f"{fan_out} rows"
            columns = "1 column" if fan_in == 1 else f"{fan_in} columns"
            out += [
                "",
                f"# Layer {i + 1}: nn.Linear({fan_in}, {fan_out}); weight is {rows} "
                f"(one per neuron) x {columns} (one per input).",
            ]
            out.append("[[network.layer]]")
            if network.layers:
                layer = network.layers[i]
                out.append(f"weight = {_toml_rows(layer.weight)}")
                out.append(f"bias = {_toml_vector(layer.bias)}")
            if own[i]:
                out.append(
                    _commented(
                        f"activation = {_toml_string(network.activations[i])}",
                        "this layer's own activation",
                    )
                )
    out += [
        "",
        "[data]",
        _commented(f"inputs = {_toml_matrix(lesson.inputs)}", "one row per sample"),
        _commented(f"targets = {_toml_matrix(lesson.targets)}", "the outputs to learn, per row")
        if network.loss == "mse"
        else _commented(
            f"classes = {_toml_vector(lesson.classes)}",
            f"each sample's class, 0 to {network.sizes[-1] - 1}",
        ),
    ]
    if network.loss != "mse" and lesson.class_names != default_class_names(network.sizes[-1]):
        names = ", ".join(_toml_string(name) for name in lesson.class_names)
        out.append(
            _commented(f"class_names = [{names}]", "each class's name, in the order of the outputs")
        )
    out += [
        "",
        "[training]",
        _commented(
            f"learning_rate = {toml_number(lesson.learning_rate)}",
            "plain gradient descent: w - learning_rate * dL/dw, each bias alike",
        ),
        _commented(f"steps = {lesson.steps}", "how many steps the lecture trains"),
    ]
    return "\n".join(out) + "\n"


_CHOICES = " | ".join(ACTIVATION_NAMES)


def _commented(line: str, comment: str) -> str:
    return f"{line:<{_COMMENT_COLUMN - 1}} # {comment}"


def _samples(count: int) -> str:
    return "one sample" if count == 1 else f"{count} samples"


def _sequential(network: NetworkSpec) -> str:
    modules = []
    for i, (fan_in, fan_out) in enumerate(pairwise(network.sizes)):
        modules.append(f"nn.Linear({fan_in}, {fan_out})")
        name = network.activations[i]
        if name != "none":
            modules.append(f"nn.{_MODULE_NAMES[name]}()")
    return f"nn.Sequential({', '.join(modules)})"


_MODULE_NAMES = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string (same escapes, \uXXXX included).
    return json.dumps(text, ensure_ascii=False)


def toml_number(value: float) -> str:
    """One style for every number: a whole number as an integer (``1``, ``-1``, as the
    deck writes them), any other as Python's shortest text that reads back as the
    same float (``0.5398``, ``1e-07``). Only ``-0.0`` keeps its point: ``-0`` would
    read back as 0, losing the sign."""
    value = float(value)
    negative_zero = value == 0 and math.copysign(1.0, value) < 0
    if value.is_integer() and abs(value) < 1e15 and not negative_zero:
        return str(int(value))
    return repr(value)


def _toml_vector(values: Sequence[float]) -> str:
    return "[" + ", ".join(toml_number(v) for v in values) + "]"


def _toml_matrix(rows: Sequence[Sequence[float]]) -> str:
    return "[" + ", ".join(_toml_vector(row) for row in rows) + "]"


def _toml_rows(rows: Sequence[Sequence[float]]) -> str:
    """A matrix with one row per line (a neuron's weights), when it has several rows."""
    if len(rows) == 1:
        return _toml_matrix(rows)
    return "[\n" + "".join(f"    {_toml_vector(row)},\n" for row in rows) + "]"

"""The lecture's notation, written once: every symbol, what it means, and where its
indices go.

Students stumble when one quantity has two letters or an index moves, so every
frame, caption, workbook sheet, page and notebook display names things from this
one table, and the docs' table (``docs/source/reference/notation.md``) is
generated from it (:func:`notation_markdown`), so the two cannot drift.

The convention is Andrew Ng's, kept to the course deck's names where the deck
has them:

- a **sample** is a superscript in round brackets, counted from 1: ``x^(1)``;
- a **layer** is a superscript in square brackets, counted from 1 (the l-th
  ``nn.Linear``; the inputs are layer 0): ``W^[1]``; with a sample too, the
  layer comes first: ``z_3^[1](2)``;
- a **neuron** is a subscript numbered as the deck numbers it, on through the
  network (inputs ``x_1, x_2``, then ``n_3, n_4, ...``: ``mlpmath.numbering``);
- a **class** is a subscript ``k``, numbered as the lesson numbers its classes
  (from 0, as ``nn.CrossEntropyLoss`` takes them), or written by its name;
  a classifier's output neuron *is* its class: ``z_k``, ``p_k``;
- matrices are capitals with one row per sample and one column per neuron or
  class (``X``, ``Z``, ``P``, ``Y``);
- ``y`` is only ever the target (the true class), ``ŷ`` the prediction (the
  predicted class); no output neuron is named by ``y``.

This module holds text only (no torch, no manim): :data:`NOTATION` for tables,
and the few functions that write an index in its place (plain Unicode for the
workbook, page and notebook; Typst math for the scenes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "INDICES",
    "NOTATION",
    "Index",
    "Symbol",
    "class_label",
    "layer_index",
    "notation_markdown",
    "sample_index",
    "typst_layer",
    "typst_sample",
]


@dataclass(frozen=True)
class Index:
    """One kind of index: its letter, where it is written, and what it counts from."""

    kind: str  # "sample", "layer", "neuron", "class"
    letter: str  # the letter used in general formulas
    position: str  # where it goes on a symbol
    base: str  # "1" (counted from 1), "0" (from 0), or how it is numbered


@dataclass(frozen=True)
class Symbol:
    """One row of the notation table."""

    symbol: str  # as plain Unicode text (the workbook, page and notebook write it so)
    meaning: str
    indices: str  # which indices it takes, and where ("" for none)


INDICES: tuple[Index, ...] = (
    Index("sample", "i", "superscript in round brackets: x^(i)", "1: the first sample is x^(1)"),
    Index(
        "layer",
        "l",
        "superscript in square brackets, before a sample's: W^[l], z_j^[l](i)",
        "1: the first nn.Linear is layer [1]; the inputs are layer 0",
    ),
    Index(
        "neuron",
        "j",
        "subscript: n_j",
        "the deck's numbering: inputs x_1..x_d, then n_(d+1), ... on through the network",
    ),
    Index(
        "class",
        "k",
        "subscript: z_k, p_k (a classifier's output neuron k is class k)",
        "0: as the lesson numbers its classes (the labels nn.CrossEntropyLoss takes), "
        "or the class's name",
    ),
)

NOTATION: tuple[Symbol, ...] = (
    Symbol(
        "N",
        "the number of samples (a regression's loss with several outputs averages "
        "N · outputs squared errors)",
        "",
    ),
    Symbol("C", "the number of classes (a classifier's outputs)", ""),
    Symbol("x_j^(i)", "input j of sample i", "j: neuron (input), i: sample"),
    Symbol("X", "the inputs, one row per sample", ""),
    Symbol(
        "W^[l], b^[l], B^[l]",
        "layer l's weights (torch's out x in), its biases, the bias row repeated per sample",
        "l: layer",
    ),
    Symbol(
        "w_jm",
        "the weight joining neuron j to neuron m (w_13 as in the deck; w_6ŷ into a "
        "regression's one output ŷ; a classifier's w_j,k into class k)",
        "j, m: neurons (subscript)",
    ),
    Symbol("b_j", "neuron j's bias", "j: neuron"),
    Symbol("k_j^(i)", "neuron j's weighted sum for sample i, before the bias", "j, i"),
    Symbol(
        "n_j^(i), N^[l]", "neuron j's weighted sum plus bias; layer l's, all samples", "j, i, l"
    ),
    Symbol(
        "f",
        "the activation function, written by its name where it is known (ReLU, tanh, σ)",
        "",
    ),
    Symbol(
        "g_j^(i), G^[l]",
        "neuron j's activation f(n_j^(i)) (the deck's g); layer l's, all samples (G^[0] = X)",
        "j, i, l",
    ),
    Symbol(
        "z_k^(i), Z",
        "a classifier's logit (score) of class k: its output neuron k's n; all of them",
        "k: class, i",
    ),
    Symbol("m^(i)", "the largest logit of sample i (subtracted before exp)", "i: sample"),
    Symbol("p_k^(i), P", "softmax's probability of class k; all of them", "k: class, i"),
    Symbol(
        "y^(i)",
        "the target: the true value (regression) or the true class (classification)",
        "i: sample",
    ),
    Symbol("Y, Y_k^(i)", "the true classes one-hot: 1 at the true class, else 0", "k: class, i"),
    Symbol(
        "p_y^(i)",
        "the probability sample i gives its true class y = y^(i)",
        "y: the true class, i: sample",
    ),
    Symbol(
        "ŷ^(i)",
        "the prediction (regression) or the predicted class, argmax_k p_k^(i) (classification)",
        "i: sample",
    ),
    Symbol(
        "e^(i)",
        "the error y^(i) − ŷ^(i) of a regression (its squared loss L^(i) = (e^(i))²)",
        "i: sample",
    ),
    Symbol("L^(i), L", "sample i's loss; the loss, their mean", "i: sample"),
    Symbol("∂L/∂w", "how the loss changes with w: its gradient", ""),
    Symbol(
        "δ_j^(i), δ^[l]",
        "∂L/∂n_j^(i), the error signal carried backwards; layer l's, all samples",
        "j, i, l",
    ),
    Symbol("α", "the learning rate", ""),
    Symbol(
        "≈",
        "shown digits that do not redo the result by hand, because the values were "
        "rounded for display (the result is computed from the unrounded values)",
        "",
    ),
)


def sample_index(sample: int) -> str:
    """``(1)``: sample ``sample`` (counted from 0 in code) as it is written, from 1."""
    return f"({sample + 1})"


def layer_index(layer: int) -> str:
    """``[1]``: layer ``layer`` (1 for the first ``nn.Linear``) as it is written."""
    return f"[{layer}]"


def typst_sample(sample: int | str) -> str:
    """The sample superscript's Typst source, ``"(1)"`` or ``"(i)"`` (``sample`` an int
    counted from 0, or a letter); Typst shows ``x^((1))`` as x⁽¹⁾."""
    shown = sample + 1 if isinstance(sample, int) else sample
    return f"({shown})"


def typst_layer(layer: int | str) -> str:
    """The layer superscript's Typst source, ``"[1]"`` (``layer`` counted from 1)."""
    return f"[{layer}]"


def class_label(index: int, names: Sequence[str] | None = None) -> str:
    """How class ``index`` is called: its name when the lesson names its classes,
    else its number as the lesson numbers it (from 0)."""
    if names and 0 <= index < len(names):
        return names[index]
    return str(index)


def notation_markdown() -> str:
    """The notation as Markdown: the indices, then every symbol (the docs' page)."""
    lines = [
        "# Notation",
        "",
        "<!-- generated by mlpmath.notation.notation_markdown(); do not edit by hand -->",
        "",
        "Every scene, caption, note, workbook sheet, explorable page and notebook display",
        "of the lecture writes its symbols so. The convention is Andrew Ng's, kept to the",
        "course deck's neuron names.",
        "",
        "## Indices",
        "",
        "| kind | letter | where it is written | counted from |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(i.kind)} | `{i.letter}` | {_cell(i.position)} | {_cell(i.base)} |"
        for i in INDICES
    ]
    lines += [
        "",
        "## Symbols",
        "",
        "| symbol | meaning | indices |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{s.symbol}` | {_cell(s.meaning)} | {_cell(s.indices) or '-'} |" for s in NOTATION
    ]
    lines += [
        "",
        "`y` is only ever the target (the true class); an output neuron is never named",
        "by `y`: a classifier's output neuron k is class k (`z_k`, `p_k`, `w_3,k`, `b_k`),",
        "a regression's several outputs are numbered on as hidden neurons are (`w_6,8`),",
        "and a regression's single output is `ŷ` in its subscripts too (`w_6ŷ`, `b_ŷ`,",
        "`δ_ŷ`), where the deck wrote `w_6y`.",
        "",
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: ``|`` ends a cell, ``[l](i)`` would be a
    link and ``*`` emphasis, so each is written escaped (it shows as itself)."""
    for mark in "\\|[]*":
        text = text.replace(mark, "\\" + mark)
    return text

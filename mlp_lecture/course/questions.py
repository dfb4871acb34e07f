"""The worksheet's questions: one list that both writes the worksheet and grades it.

:func:`layout` places every number of a student's worksheet, in the deck's
order: Part 1's neurons (products, their sum, plus the bias, the activation),
then the network layer by layer (weighted sums, plus the bias, the
activation), the prediction, the loss (MSE: the errors and their squares; a
classifier: the softmax, the cross-entropy, the predicted classes and the
accuracy), the gradients back through each layer, and the weights after one
step. Given numbers (the lesson's own) are filled in; the rest are answer
cells. :func:`answer_cells` lists those as :class:`Question` s: where each one
is, which trace path holds its expected value, the precision it is marked
at, and the cells it is computed from (the feedback names them).

Names follow the lecture's notation (:mod:`mlpmath.notation`): ``k`` a weighted
sum, ``n`` plus the bias, ``g`` the activation, ``z`` a logit, ``p`` a
probability, ``δ`` the error signal, sample ``(i)`` and layer ``[l]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlp_lecture.course.backward_sections import backward_sections, update_sections
from mlp_lecture.course.forward_sections import (
    cross_entropy_sections,
    forward_sections,
    given_sections,
    mse_sections,
    neuron_sections,
)
from mlp_lecture.course.sheet_layout import (
    GENERATION_CELL,
    ID_CELL,
    SHEET,
    Layout,
    Section,
)
from mlpmath.notation import class_label, sample_index
from mlpmath.numbering import neuron_name

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = [
    "GENERATION_CELL",
    "ID_CELL",
    "SHEET",
    "Question",
    "answer_cells",
    "cells_by_path",
    "formula_text",
    "layout",
]


@dataclass(frozen=True)
class Question:
    """One answer cell: where it is, what it expects, what it depends on."""

    key: str  # its cell (``D14``): the grades' column and the feedback's name for it
    sheet: str
    cell: str
    label: str
    path: str  # the trace path of the expected value
    decimals: int  # an answer is right when it rounds to the value shown at these decimals
    depends_on: tuple[str, ...]  # the cells (given or answers) it is computed from
    section: str


def layout(trace: Trace) -> tuple[Section, ...]:
    """Every section of the worksheet of ``trace``, top to bottom in the deck's order."""
    sheet = Layout(trace.decimals)
    d = trace.decimals
    for n, neuron in enumerate(trace.neurons):
        neuron_sections(sheet, n, neuron.activation, len(neuron.inputs), len(neuron.weight), d)
    _network(sheet, trace)
    return tuple(sheet.sections)


def answer_cells(trace: Trace) -> list[Question]:
    """The worksheet's answer cells in order; each one's dependencies named by cell."""
    sections = layout(trace)
    cell_of = cells_by_path(trace, sections)
    questions = []
    for section in sections:
        for entry in section.entries:
            if not entry.answer:
                continue
            depends = []
            for path in entry.depends:
                cell = cell_of.get(path)
                if cell is not None and cell not in depends:
                    depends.append(cell)
            questions.append(
                Question(
                    key=entry.cell,
                    sheet=SHEET,
                    cell=entry.cell,
                    label=entry.label,
                    path=entry.path,
                    decimals=entry.decimals,
                    depends_on=tuple(depends),
                    section=section.title,
                )
            )
    return questions


def cells_by_path(trace: Trace, sections: Sequence[Section]) -> dict[str, str]:
    """Each trace path's cell, and the paths that name the same number another way (a
    layer's input is the layer before's output; without an activation, a layer's
    output is its ``n``; the last layer's upstream is ``∂L/∂ŷ``)."""
    cell_of = {e.path: e.cell for s in sections for e in s.entries}
    network = trace.network
    last = len(network.layers) - 1
    for layer_at, layer in enumerate(network.layers):
        for s, row in enumerate(layer.output):
            for j in range(len(row)):
                out = f"network.layers[{layer_at}].output[{s}][{j}]"
                if out not in cell_of:  # no activation: its output is n itself
                    cell_of[out] = cell_of.get(
                        f"network.layers[{layer_at}].preactivation[{s}][{j}]", ""
                    )
                if layer_at < last:
                    cell_of[f"network.layers[{layer_at + 1}].input[{s}][{j}]"] = cell_of[out]
                else:
                    cell_of[f"network.prediction[{s}][{j}]"] = cell_of[out]
                    up = f"network.chain_rule[{layer_at}].upstream[{s}][{j}]"
                    cell_of[up] = cell_of.get(f"network.prediction_gradient[{s}][{j}]", "")
    return {path: cell for path, cell in cell_of.items() if cell}


def _network(sheet: Layout, trace: Trace) -> None:
    network = trace.network
    sizes = network.sizes
    samples = [f"sample {sample_index(s)}" for s in range(network.samples)]
    names = [
        [neuron_name(sizes, layer, i) for i in range(size)] for layer, size in enumerate(sizes)
    ]
    classes = network.class_names or tuple(str(k) for k in range(sizes[-1]))
    if network.is_classification:  # a classifier's output neuron k is class k: z_k
        names[-1] = [f"z_{class_label(k, classes)}" for k in range(sizes[-1])]
    given_sections(sheet, trace, names, samples)
    last = len(network.layers) - 1
    for layer_at in range(len(network.layers)):
        forward_sections(sheet, trace, layer_at, names, samples, last)
    if network.is_classification:
        cross_entropy_sections(sheet, trace, samples, classes)
    else:
        mse_sections(sheet, trace, samples)
    for layer_at in reversed(range(len(network.layers))):
        backward_sections(sheet, trace, layer_at, names, samples, last)
    update_sections(sheet, trace, names)


_PLACEHOLDER = re.compile("«([^»]+)»")


def formula_text(formula: str, cell_of: dict[str, str]) -> str:
    """An entry's formula with each «trace path» replaced by its cell (``KeyError`` for a
    path no cell holds: a layout bug, not a user's)."""
    return _PLACEHOLDER.sub(lambda match: cell_of[match.group(1)], formula)

"""The lecture's numbering of neurons across the whole network.

Inputs are 1..d, then each layer's neurons continue the count: for sizes
``[2, 3, 2, 1]`` the inputs are x1, x2, the first layer n3, n4, n5, the
second n6, n7, and the output ŷ. A weight ``w_ij`` joins neuron i to j: ``w6ŷ``
into a regression's one output, whose bias is ``bŷ``; several outputs are numbered
on as hidden neurons are (``w6,8``), for no output neuron is named by ``y``
(``y`` is the target, ``mlpmath.notation``).
The course deck names them so; the plain-text names here are the ones the
workbook, the explorable page and the notebook display use (the scenes typeset
the same ones, ``scenekit.notation.NetworkNotation``).

A classifier's (``classifier=True``) output neuron k *is* class k, numbered
from 0 as the lesson numbers its classes (``mlpmath.notation``): its logit is
``z0``, ``z1``..., the weight from n3 into it ``w3,0`` and its bias ``b0``;
``ŷ`` is then the predicted class, never an output neuron.
"""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlpmath.trace import Trace

__all__ = [
    "bias_name",
    "explain_numbering",
    "neuron_name",
    "neuron_numbers",
    "neuron_tag",
    "numbering_summary",
    "weight_name",
]


def neuron_numbers(sizes: tuple[int, ...] | list[int]) -> list[list[int]]:
    """For each layer (inputs first), the numbers of its neurons."""
    starts = [0, *accumulate(sizes)]
    return [list(range(start + 1, start + size + 1)) for start, size in zip(starts, sizes)]


def _tag(
    sizes: tuple[int, ...] | list[int], layer: int, index: int, classifier: bool = False
) -> str:
    """A neuron's subscript: its number; a regression's one output ``ŷ`` (several are
    numbered on); a classifier's output, its class (from 0)."""
    if layer == len(sizes) - 1 and classifier:
        return str(index)
    if layer == len(sizes) - 1 and sizes[-1] == 1:
        return "ŷ"  # as the diagram names it: y is only ever the target
    return str(neuron_numbers(sizes)[layer][index])


def neuron_tag(
    sizes: tuple[int, ...] | list[int], layer: int, index: int, *, classifier: bool = False
) -> str:
    """The subscript that names neuron ``index`` of ``layer`` in a per-sample value
    (``3`` in ``n_3^(1)``; a regression's one output ``ŷ``; a classifier's class, ``0``...)."""
    return _tag(sizes, layer, index, classifier)


def neuron_name(
    sizes: tuple[int, ...] | list[int], layer: int, index: int, *, classifier: bool = False
) -> str:
    """``x1``, ``n3``, ``ŷ`` (``ŷ1``...; a classifier's ``z0``, ``z1``...): neuron ``index``
    of ``layer`` (0: the inputs)."""
    if layer == 0:
        return f"x{neuron_numbers(sizes)[0][index]}"
    if layer == len(sizes) - 1 and classifier:
        return f"z{index}"
    if layer == len(sizes) - 1:
        return "ŷ" if sizes[-1] == 1 else f"ŷ{index + 1}"
    return f"n{neuron_numbers(sizes)[layer][index]}"


def weight_name(
    sizes: tuple[int, ...] | list[int],
    layer: int,
    row: int,
    column: int,
    *,
    classifier: bool = False,
) -> str:
    """``w13``, ``w6ŷ``, ``w9,12`` (into a classifier's class 0: ``w3,0``): weight
    ``[row][column]`` of ``nn.Linear`` ``layer`` (from 0, torch's layout), joining its
    input ``column`` to its neuron ``row``."""
    source = _tag(sizes, layer, column, classifier)
    target = _tag(sizes, layer + 1, row, classifier)
    into_class = classifier and layer + 1 == len(sizes) - 1
    joiner = "" if len(source) == 1 and len(target) == 1 and not into_class else ","
    return f"w{source}{joiner}{target}"


def bias_name(
    sizes: tuple[int, ...] | list[int], layer: int, index: int, *, classifier: bool = False
) -> str:
    """``b3``, ``bŷ`` (a classifier's class 0: ``b0``): the bias of neuron ``index`` of
    ``nn.Linear`` ``layer`` (from 0)."""
    return f"b{_tag(sizes, layer + 1, index, classifier)}"


def numbering_summary(sizes: tuple[int, ...] | list[int], *, classifier: bool = False) -> str:
    """The whole network's names in one line: ``inputs x1, x2; layer 1: n3, n4, n5;
    layer 2: n6, n7; output ŷ`` (a classifier's: ``logits z0, z1, z2``)."""
    parts = []
    for layer, count in enumerate(sizes):
        names = ", ".join(neuron_name(sizes, layer, i, classifier=classifier) for i in range(count))
        if layer == 0:
            parts.append(f"inputs {names}")
        elif layer == len(sizes) - 1:
            parts.append(f"{'logits' if classifier else 'output'} {names}")
        else:
            parts.append(f"layer {layer}: {names}")
    return "; ".join(parts)


def explain_numbering(trace: Trace) -> str:
    """The numbering in a few sentences, for this lesson's network, with its own first
    weight and bias as the example (what a lesson's notebook display says)."""
    from mlpmath.display import format_number

    sizes, first = trace.network.sizes, trace.network.layers[0]
    last = len(sizes) - 2  # the output layer's nn.Linear
    classifier = trace.network.is_classification

    def shown(value: float) -> str:
        return format_number(value, trace.decimals)

    text = (
        f"Names, as in the course deck and the clips: the inputs are numbered first, then "
        f"the neurons go on counting through the whole network: "
        f"{numbering_summary(sizes, classifier=classifier)}. "
        f"A weight w_ij joins neuron i to neuron j and b_j is neuron j's bias: here "
        f"{weight_name(sizes, 0, 0, 0)} = {shown(first.weight[0][0])} joins "
        f"{neuron_name(sizes, 0, 0)} to {neuron_name(sizes, 1, 0)} "
        f"(network.layers[0].weight[0][0]: torch's row is the neuron fed, its column the "
        f"input), and {bias_name(sizes, 0, 0)} = {shown(first.bias[0])} is "
        f"{neuron_name(sizes, 1, 0)}'s bias."
    )
    if classifier:
        names = ", ".join(
            f"z{k} ({name})" if name != str(k) else f"z{k}"
            for k, name in enumerate(trace.network.class_names)
        )
        text += (
            f" A classifier's output neuron k is class k, numbered from 0 as the lesson "
            f"numbers its classes: its logits are {names}; "
            f"{weight_name(sizes, last, 0, 0, classifier=True)} joins "
            f"{neuron_name(sizes, last, 0)} to class 0 and "
            f"{bias_name(sizes, last, 0, classifier=True)} is class 0's bias. "
            "The predicted class ŷ is the class of the largest logit."
        )
    elif last > 0:
        text += (
            f" Into the output the index is "
            f"{'ŷ' if sizes[-1] == 1 else 'its number, counted on (y is only the target)'}: "
            f"{weight_name(sizes, last, 0, 0)} joins "
            f"{neuron_name(sizes, last, 0)} to {neuron_name(sizes, last + 1, 0)}, and "
            f"{bias_name(sizes, last, 0)} is its bias."
        )
    return text

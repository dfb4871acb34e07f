"""The lecture's numbering of neurons across the whole network.

Inputs are 1..d, then each layer's neurons continue the count: for sizes
``[2, 3, 2, 1]`` the inputs are x1, x2, the first layer n3, n4, n5, the
second n6, n7, and the output y. A weight ``w_ij`` joins neuron i to j.
The course deck names them so; the plain-text names here are the ones the
workbook and the notebook display use (the scenes typeset the same ones).
"""

from __future__ import annotations

from itertools import accumulate

__all__ = [
    "bias_name",
    "neuron_name",
    "neuron_numbers",
    "numbering_summary",
    "weight_name",
]


def neuron_numbers(sizes: tuple[int, ...] | list[int]) -> list[list[int]]:
    """For each layer (inputs first), the numbers of its neurons."""
    starts = [0, *accumulate(sizes)]
    return [list(range(start + 1, start + size + 1)) for start, size in zip(starts, sizes)]


def _tag(sizes: tuple[int, ...] | list[int], layer: int, index: int) -> str:
    """A neuron's subscript: its number, or ``y`` (``y1``, ``y2``...) for the output."""
    if layer == len(sizes) - 1:
        return "y" if sizes[-1] == 1 else f"y{index + 1}"
    return str(neuron_numbers(sizes)[layer][index])


def neuron_name(sizes: tuple[int, ...] | list[int], layer: int, index: int) -> str:
    """``x1``, ``n3``, ``ŷ`` (``ŷ1``...): neuron ``index`` of ``layer`` (0: the inputs)."""
    if layer == 0:
        return f"x{neuron_numbers(sizes)[0][index]}"
    if layer == len(sizes) - 1:
        return "ŷ" if sizes[-1] == 1 else f"ŷ{index + 1}"
    return f"n{neuron_numbers(sizes)[layer][index]}"


def weight_name(sizes: tuple[int, ...] | list[int], layer: int, row: int, column: int) -> str:
    """``w13``, ``w6y``, ``w9,12``: weight ``[row][column]`` of ``nn.Linear`` ``layer``
    (from 0, torch's layout), joining its input ``column`` to its neuron ``row``."""
    source, target = _tag(sizes, layer, column), _tag(sizes, layer + 1, row)
    joiner = "" if len(source) == 1 and len(target) == 1 else ","
    return f"w{source}{joiner}{target}"


def bias_name(sizes: tuple[int, ...] | list[int], layer: int, index: int) -> str:
    """``b3``, ``by``: the bias of neuron ``index`` of ``nn.Linear`` ``layer`` (from 0)."""
    return f"b{_tag(sizes, layer + 1, index)}"


def numbering_summary(sizes: tuple[int, ...] | list[int]) -> str:
    """The whole network's names in one line: ``inputs x1, x2; layer 1: n3, n4, n5;
    layer 2: n6, n7; output ŷ``."""
    parts = []
    for layer, count in enumerate(sizes):
        names = ", ".join(neuron_name(sizes, layer, i) for i in range(count))
        if layer == 0:
            parts.append(f"inputs {names}")
        elif layer == len(sizes) - 1:
            parts.append(f"output {names}")
        else:
            parts.append(f"layer {layer}: {names}")
    return "; ".join(parts)

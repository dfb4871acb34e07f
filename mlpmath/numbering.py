"""The lecture's numbering of neurons across the whole network.

Inputs are 1..d, then each layer's neurons continue the count: for sizes
``[2, 3, 2, 1]`` the inputs are x1, x2, the first layer n3, n4, n5, the
second n6, n7, and the output y. A weight ``w_ij`` joins neuron i to j.
"""

from __future__ import annotations

from itertools import accumulate

__all__ = ["neuron_numbers"]


def neuron_numbers(sizes: tuple[int, ...] | list[int]) -> list[list[int]]:
    """For each layer (inputs first), the numbers of its neurons."""
    starts = [0, *accumulate(sizes)]
    return [list(range(start + 1, start + size + 1)) for start, size in zip(starts, sizes)]

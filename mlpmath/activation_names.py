"""The activations a lesson may name, without torch.

Checking and writing lesson files needs only the names; ``activations``
builds its functions from this tuple, so the two cannot drift apart.
"""

from __future__ import annotations

__all__ = ["ACTIVATION_NAMES"]

ACTIVATION_NAMES: tuple[str, ...] = ("none", "relu", "sigmoid", "tanh")

"""Activation functions, each with its derivative right beside it.

The forward function is what the network applies; the derivative is what the
hand-written chain rule multiplies by. Autograd only checks the pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from mlpmath.activation_names import ACTIVATION_NAMES

__all__ = ["ACTIVATIONS", "Activation", "activation", "curve"]


@dataclass(frozen=True)
class Activation:
    """An activation ``f`` and its derivative ``f'`` as functions of the pre-activation
    ``n`` (``mlpmath.notation``; ``z`` is only a classifier's logit)."""

    name: str
    formula: str
    forward: Callable[[torch.Tensor], torch.Tensor]
    derivative: Callable[[torch.Tensor], torch.Tensor]


def _identity(z: torch.Tensor) -> torch.Tensor:
    return z


def _identity_derivative(z: torch.Tensor) -> torch.Tensor:
    return torch.ones_like(z)


def _relu_derivative(z: torch.Tensor) -> torch.Tensor:
    # ReLU'(0) = 0, as torch's autograd has it.
    return (z > 0).to(z.dtype)


def _sigmoid_derivative(z: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s * (1 - s)


def _tanh_derivative(z: torch.Tensor) -> torch.Tensor:
    return 1 - torch.tanh(z) ** 2


# name -> (formula, forward, derivative); every name of ACTIVATION_NAMES must be here.
_FUNCTIONS = {
    "none": ("n", _identity, _identity_derivative),
    "relu": ("max(0, n)", torch.relu, _relu_derivative),
    "sigmoid": ("1 / (1 + e^(-n))", torch.sigmoid, _sigmoid_derivative),
    "tanh": ("tanh(n)", torch.tanh, _tanh_derivative),
}

ACTIVATIONS: dict[str, Activation] = {
    name: Activation(name, *_FUNCTIONS[name]) for name in ACTIVATION_NAMES
}


def activation(name: str) -> Activation:
    """Look an activation up by its lesson-file name."""
    return ACTIVATIONS[name]


def curve(name: str, low: float, high: float, points: int = 200) -> list[tuple[float, float]]:
    """Points ``(z, f(z))`` to draw an activation's graph between ``low`` and ``high``."""
    z = torch.linspace(low, high, points, dtype=torch.float64)
    return list(zip(z.tolist(), activation(name).forward(z).tolist(), strict=True))

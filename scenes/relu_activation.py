"""The activation scene under its old name, so ``manim scenes/relu_activation.py
ReLUActivation`` keeps working; the lecture itself calls it ``Activation``."""

from __future__ import annotations

from scenes.activation import Activation

__all__ = ["ReLUActivation"]


class ReLUActivation(Activation):
    """``Activation``, by its old name: it showed ReLU whatever the lesson's activation."""

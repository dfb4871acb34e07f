"""mlpmath: every number of a small MLP lecture, computed with torch.

This package never imports manim: scenes read its frozen trace, and the
trace is the single source of every number a lecture shows.

Importing it does not import torch: ``compute_trace`` and the activations
(the names that compute) load torch when first used, so a command that only
reads lessons or ledgers starts fast; ``cached_trace`` loads it only when the
trace cache does not hold the lesson (see ``mlpmath.trace_cache``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mlpmath.activation_names import ACTIVATION_NAMES
from mlpmath.display import dot_relation, format_number, text_matches_value
from mlpmath.lesson import (
    DEFAULT_LESSON_NAME,
    Lesson,
    LessonError,
    default_lesson,
    default_lesson_text,
    load_lesson,
    parse_lesson,
)
from mlpmath.trace import PathError, Trace, jsonable, resolve
from mlpmath.trace_cache import cached_trace

if TYPE_CHECKING:
    from mlpmath.activations import ACTIVATIONS, Activation, activation
    from mlpmath.compute import compute_trace
    from mlpmath.losses import LOSSES, Loss, loss_for

# The names that need torch, and the module each comes from.
_WITH_TORCH = {
    "ACTIVATIONS": "mlpmath.activations",
    "Activation": "mlpmath.activations",
    "activation": "mlpmath.activations",
    "compute_trace": "mlpmath.compute",
    "LOSSES": "mlpmath.losses",
    "Loss": "mlpmath.losses",
    "loss_for": "mlpmath.losses",
}

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_NAMES",
    "DEFAULT_LESSON_NAME",
    "LOSSES",
    "Activation",
    "Lesson",
    "LessonError",
    "Loss",
    "PathError",
    "Trace",
    "activation",
    "cached_trace",
    "compute_trace",
    "default_lesson",
    "default_lesson_text",
    "dot_relation",
    "format_number",
    "jsonable",
    "load_lesson",
    "loss_for",
    "parse_lesson",
    "resolve",
    "text_matches_value",
]


def __getattr__(name: str) -> Any:
    """Import torch (with the module that computes) only when a name needs it."""
    if name in _WITH_TORCH:
        value = getattr(import_module(_WITH_TORCH[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

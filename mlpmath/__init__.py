"""mlpmath: every number of a small MLP lecture, computed with torch.

This package never imports manim: scenes read its frozen trace, and the
trace is the single source of every number a lecture shows.
"""

from __future__ import annotations

from mlpmath.activations import ACTIVATIONS, Activation, activation
from mlpmath.compute import compute_trace
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

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_LESSON_NAME",
    "Activation",
    "Lesson",
    "LessonError",
    "PathError",
    "Trace",
    "activation",
    "compute_trace",
    "default_lesson",
    "default_lesson_text",
    "dot_relation",
    "format_number",
    "jsonable",
    "load_lesson",
    "parse_lesson",
    "resolve",
    "text_matches_value",
]

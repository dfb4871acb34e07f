"""Which lesson a scene shows: the one place that reads ``MLP_LESSON``.

`mlp-lecture render` sets ``MLP_LESSON`` for the scenes it renders; a
teacher running plain ``manim -ql scenes/<file>.py <Scene>`` may set it
by hand; with neither, scenes show the embedded default lesson.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from mlpmath import Lesson, Trace, cached_trace, load_lesson

__all__ = ["LESSON_ENV", "current_lesson", "current_trace", "lesson_path"]

LESSON_ENV = "MLP_LESSON"


def lesson_path() -> Path | None:
    """The lesson file named by ``MLP_LESSON``, or ``None`` for the default."""
    value = os.environ.get(LESSON_ENV, "").strip()
    return Path(value).resolve() if value else None


def current_lesson() -> Lesson:
    return _load(lesson_path())


def current_trace() -> Trace:
    """The trace of the current lesson, read once per process (from the trace cache,
    which the render filled before starting its workers: no torch to import)."""
    return _trace(lesson_path())


@lru_cache(maxsize=8)
def _load(path: Path | None) -> Lesson:
    return load_lesson(path)


@lru_cache(maxsize=8)
def _trace(path: Path | None) -> Trace:
    return cached_trace(_load(path))

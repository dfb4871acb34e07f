"""What a render is asked for: quality, format and the scenes, checked before any work."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpmath import Lesson
from scenes import LECTURE_ORDER, canonical_scene

__all__ = [
    "ALPHA_FORMATS",
    "FORMATS",
    "JOINABLE_FORMATS",
    "QUALITIES",
    "RenderError",
    "RenderOptions",
    "default_jobs",
    "default_out_dir",
    "lesson_folder",
    "select_scenes",
]

# The CLI's names for Manim's quality presets.
QUALITIES = {
    "low": "low_quality",
    "medium": "medium_quality",
    "high": "high_quality",
    "4k": "fourk_quality",
}
FORMATS = ("mp4", "webm", "mov", "gif", "png")
ALPHA_FORMATS = ("webm", "mov", "png")  # formats that keep --transparent's alpha channel
JOINABLE_FORMATS = ("mp4", "webm", "mov")  # --lecture joins these without re-encoding


class RenderError(Exception):
    """A render that cannot start; its message is one line for the user."""


@dataclass(frozen=True)
class RenderOptions:
    """How scenes are rendered: everything here is part of the cache key.

    ``wrapper`` names a ``module:function`` that the worker applies to each
    scene class before rendering it (e.g. to mix in a slide base class).
    """

    quality: str = "low"
    format: str = "mp4"
    transparent: bool = False
    sections: bool = False
    wrapper: str | None = None

    def check(self) -> None:
        """Raise ``RenderError`` (one line) when the options cannot go together."""
        if self.quality not in QUALITIES:
            raise RenderError(f"--quality: choose from {', '.join(QUALITIES)}")
        if self.format not in FORMATS:
            raise RenderError(f"--format: choose from {', '.join(FORMATS)}")
        if self.transparent and self.format not in ALPHA_FORMATS:
            raise RenderError(
                f"--transparent needs --format webm, mov or png "
                f"({self.format} has no alpha channel)"
            )
        if self.sections and self.format == "png":
            raise RenderError("--sections needs a video format (png is a single frame)")

    @property
    def extension(self) -> str:
        return f".{self.format}"

    def to_json(self) -> dict[str, Any]:
        return {
            "quality": self.quality,
            "format": self.format,
            "transparent": self.transparent,
            "sections": self.sections,
            "wrapper": self.wrapper,
        }


def default_out_dir(lesson: Lesson, options: RenderOptions | str) -> Path:
    """``renders/<lesson>/<quality>``; other formats, and the slides' sectioned
    renders, get their own directory (a directory holds one set of options)."""
    if isinstance(options, str):
        options = RenderOptions(quality=options)
    name = options.quality
    if options.format != "mp4":
        name += f"-{options.format}"
    if options.transparent:
        name += "-transparent"
    if options.sections:
        name += "-slides"
    return lesson_folder(lesson) / name


def lesson_folder(lesson: Lesson) -> Path:
    """``renders/<lesson>``: the lesson's name as one folder name that stays in ``renders/``.

    A name is kept as it is unless it would leave ``renders/`` or name no
    folder: separators become ``_``, and a name that is empty or dots only
    once stripped (``...toml`` is named ``..``) becomes ``lesson``.
    """
    name = re.sub(r"[/\\\x00]", "_", lesson.name)
    if not name.strip().strip("."):
        name = "lesson"
    return Path("renders") / name


def select_scenes(names: str | None) -> list[str]:
    """Scene names in lecture order; ``names`` is a comma-separated choice (None: all;
    an old name, such as ``ReLUActivation``, selects the scene by its own name).

    Raises ``ValueError`` (one line) for an unknown name or a choice of none.
    """
    order = [name for name, _ in LECTURE_ORDER]
    if names is None:
        return order
    chosen = [canonical_scene(name.strip()) for name in names.split(",") if name.strip()]
    if not chosen:
        raise ValueError(f"--scenes: names no scene (choose from: {', '.join(order)})")
    unknown = [name for name in chosen if name not in order]
    if unknown:
        raise ValueError(
            f"--scenes: unknown scene {_short(unknown[0])} (choose from: {', '.join(order)})"
        )
    return [name for name in order if name in chosen]


def _short(name: str) -> str:
    text = repr(name)
    return text if len(text) <= 40 else text[:37] + "..."


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)

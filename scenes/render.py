"""Render lecture scenes to ``DIR/<Scene>.mp4`` with their ledgers beside them.

Manim works in a private directory next to ``DIR``; a clip and its ledger
are moved into ``DIR`` only when complete (``os.replace`` is atomic on one
file system), so ``DIR`` never holds a half-written file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mlpmath import Lesson, Trace
from scenes import LECTURE_ORDER, scene_class
from scenes.context import LESSON_ENV
from scenes.ledger import LEDGER_SUFFIX

__all__ = ["QUALITIES", "RenderedScene", "default_out_dir", "render_scenes", "select_scenes"]

# The CLI's names for Manim's quality presets.
QUALITIES = {
    "low": "low_quality",
    "medium": "medium_quality",
    "high": "high_quality",
    "4k": "fourk_quality",
}
LESSON_COPY = "lesson.toml"


@dataclass(frozen=True)
class RenderedScene:
    name: str
    video: Path | None  # None: the scene does not apply to this lesson
    ledger: Path | None
    seconds: float
    values: int


def default_out_dir(lesson: Lesson, quality: str) -> Path:
    return Path("renders") / lesson.name / quality


def select_scenes(names: str | None) -> list[str]:
    """Scene names in lecture order; ``names`` is a comma-separated choice."""
    order = [name for name, _ in LECTURE_ORDER]
    if not names:
        return order
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in order]
    if unknown:
        raise ValueError(
            f"--scenes: unknown scene {unknown[0]!r} (choose from: {', '.join(order)})"
        )
    return [name for name in order if name in chosen]


def render_scenes(
    lesson: Lesson,
    lesson_path: Path | None,
    trace: Trace,
    names: list[str],
    quality: str,
    out_dir: Path,
) -> list[RenderedScene]:
    """Render ``names`` in order into ``out_dir``; return what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ[LESSON_ENV] = str(lesson_path.resolve()) if lesson_path else ""
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-work-", dir=out_dir.parent))
    try:
        _publish_text(out_dir / LESSON_COPY, lesson.source, work)
        return [_render_one(name, trace, quality, out_dir, work) for name in names]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_one(name: str, trace: Trace, quality: str, out_dir: Path, work: Path) -> RenderedScene:
    from manim import tempconfig

    cls = scene_class(name)
    if not cls.applies(trace):
        return RenderedScene(name, None, None, 0.0, 0)
    start = time.perf_counter()
    media = work / name
    settings = {
        "quality": QUALITIES[quality],
        "media_dir": str(media),
        "output_file": name,
        "verbosity": "WARNING",
        "progress_bar": "none",
    }
    with tempconfig(settings):
        scene = cls()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    ledger = scene.ledger.to_json(name, trace.lesson, set(scene.ever_shown))
    ledger_path = out_dir / f"{name}{LEDGER_SUFFIX}"
    video_path = out_dir / f"{name}.mp4"
    os.replace(movie, video_path)
    _publish_text(ledger_path, json.dumps(ledger, indent=1), work)
    return RenderedScene(
        name, video_path, ledger_path, time.perf_counter() - start, len(ledger["values"])
    )


def _publish_text(target: Path, text: str, work: Path) -> None:
    """Write ``text`` to ``target`` all at once: written aside, then moved in."""
    with tempfile.NamedTemporaryFile("w", dir=work, delete=False, encoding="utf-8") as file:
        file.write(text)
    os.chmod(file.name, 0o644)
    os.replace(file.name, target)

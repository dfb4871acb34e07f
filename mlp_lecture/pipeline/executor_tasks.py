"""Task functions any ``Executor`` engine may run: pure, small results, safe to run twice.

``render_aside`` renders one scene of a lesson into a fresh folder of its own
inside the task's work directory and returns what it wrote (paths, never
bytes); the caller's ``OutputDirectory`` then moves the files into place and
records them. Run twice (a worker died after writing and before reporting),
it renders into a second fresh folder; the first is swept with the work
directory.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from pathlib import Path

from mlp_lecture.pipeline.worker import SceneOutput, SceneTask, render_task

__all__ = ["MANIM_PRELOAD", "render_aside"]

# What a worker imports before its first scene (about a second of CPU each).
MANIM_PRELOAD = (
    "manim",
    "scenekit.audit",
    "scenekit.families",
    "scenekit.interpolation",
    "scenekit.lecture_scene",
)

# A scene's lesson is named by an environment variable and Manim's config is
# global: a worker process renders one scene at a time, whatever its threads.
_one_scene = threading.Lock()


def render_aside(task: SceneTask) -> SceneOutput:
    """Render ``task`` into a new folder inside ``task.work``; return what it wrote there."""
    Path(task.work).mkdir(parents=True, exist_ok=True)
    attempt = tempfile.mkdtemp(prefix="attempt-", dir=task.work)
    with _one_scene:
        return render_task(dataclasses.replace(task, work=attempt))

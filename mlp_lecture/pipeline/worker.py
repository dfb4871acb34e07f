"""One scene rendered inside a worker process, in a private Manim media directory.

`mlp_lecture.pipeline.render` starts the workers (spawned, one per core) and talks to each
over its own pipe. A worker renders one scene at a time into the task's fresh
work directory and reports back what it wrote; only the parent moves files
into the output directory. Nothing here is shared between two Manim runs, so a
render killed at any moment leaves nothing a later run could trip over.

What this module writes is what a render directory holds, so its source is
part of every scene's cache key (see ``mlp_lecture.pipeline.render.scene_key``).
Which values and captions each step shows is noted by
:mod:`mlp_lecture.pipeline.step_tracking` (its names are importable from here too).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from mlp_lecture.narration.plan import StepAudio
from mlp_lecture.narration.voice import PlacedNarration, narrated, voice_clips
from mlp_lecture.pipeline.executor import one_line
from mlp_lecture.pipeline.media import frames_encoded_in_place, video_duration
from mlp_lecture.pipeline.step_tracking import (
    SectionOutput,
    clip_captions,
    played_values,
    section_outputs,
    step_captions,
    with_step_tracking,
)
from scenekit.context import LESSON_ENV
from scenekit.ledger import LedgerFile

__all__ = [
    "Done",
    "Failed",
    "Frames",
    "SceneOutput",
    "SceneTask",
    "SectionOutput",
    "Started",
    "WorkerMessage",
    "die_with_parent",
    "played_values",
    "render_task",
    "step_captions",
    "with_step_tracking",
    "worker_main",
]

FRAME_REPORT_SECONDS = 0.25  # how often a worker reports its frame count
# libvpx's defaults make webm 3x slower to render than mp4; its realtime
# settings keep flat-coloured frames visually lossless (min PSNR 47 dB against
# lossless mov on ReLUActivation, the same as the defaults) at 1.4x the size.
# mp4: Manim's libx264 at its default preset (medium) takes more CPU at 1080p60
# than drawing the frames. "ultrafast" at Manim's crf 23 takes 2.5x less and,
# on these flat-coloured frames, is closer to the lossless frames than Manim's
# default (ReLUActivation at 1080p60: PSNR min/mean 53.7/59.1 dB against
# 47.3/51.3 dB) at 2.9x the size (1.2 MB for 18 s). The bench re-measures it.
ENCODER_OPTIONS = {
    "mp4": {"crf": "23", "preset": "ultrafast"},
    "webm": {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
}


@dataclass(frozen=True)
class SceneTask:
    """What a worker needs to render one scene; plain data, sent over a pipe."""

    scene: str
    module: str
    work: str  # a fresh, empty directory for this attempt only
    lesson_file: str  # the lesson the scene shows (the value of MLP_LESSON)
    quality: str  # a Manim quality name, e.g. "low_quality"
    format: str = "mp4"  # mp4 | webm | mov | gif | png
    transparent: bool = False
    sections: bool = False
    verbosity: str = "ERROR"
    wrapper: str | None = None  # "module:function" turning the scene class into another
    # With --narration: each narrated step's audio (``()``: none, yet the clip gets a
    # silent track); None: a plain render, no audio track.
    narration: tuple[StepAudio, ...] | None = None


@dataclass
class SceneOutput:
    """What a worker made of one task."""

    scene: str
    skipped: str | None = None  # why the scene was not rendered
    artifact: str | None = None  # the clip (or last frame) in the work directory
    ledger: LedgerFile | None = None  # values and worked arithmetic shown
    sections: list[SectionOutput] = field(default_factory=list)
    duration: float | None = None  # seconds of video; None for a still
    frames: int = 0
    seconds: float = 0.0  # wall time the render took
    audit: list[str] = field(default_factory=list)  # what the audit found wrong (empty: good)
    audit_seconds: float = 0.0  # of ``seconds``, the time the audit's checks took
    captions: dict[str, str] = field(default_factory=dict)  # "srt" | "vtt" -> file in work dir
    narration: list[PlacedNarration] | None = None  # each step's sound (None: no audio track)

    def narration_record(self) -> list[dict[str, Any]] | None:
        """The manifest's record of the clip's narration (None: the clip has no sound)."""
        return None if self.narration is None else [p.to_json() for p in self.narration]


# -- what a worker tells the pool ---------------------------------------------------


@dataclass(frozen=True)
class Started:
    """The worker took ``scene`` and is rendering it."""

    scene: str
    pid: int


@dataclass(frozen=True)
class Frames:
    """``frames`` frames of ``scene`` are drawn so far."""

    scene: str
    frames: int


@dataclass(frozen=True)
class Done:
    """``scene`` is rendered: its files are in the task's work directory."""

    scene: str
    output: SceneOutput


@dataclass(frozen=True)
class Failed:
    """``scene`` could not be rendered: ``error`` is one line, ``details`` a traceback."""

    scene: str
    error: str
    details: str | None = None


WorkerMessage = Started | Frames | Done | Failed


# -- the worker process ------------------------------------------------------------


def worker_main(connection: Any, parent_pid: int) -> None:
    """Serve tasks from ``connection`` until told to stop or the parent is gone.

    Each task is answered with ``Started``, some ``Frames``, then ``Done`` or ``Failed``.
    """
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Manim's progress bars (tqdm) would take a multiprocessing lock: a semaphore
    # that leaks when the parent kills this worker. A thread lock does here.
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            connection.send(Started(task.scene, os.getpid()))

            def report(frames: int, scene: str = task.scene) -> None:
                connection.send(Frames(scene, frames))

            connection.send(Done(task.scene, render_task(task, report)))
        except (BrokenPipeError, EOFError):
            return
        except Exception as error:
            try:
                connection.send(Failed(task.scene, one_line(error), traceback.format_exc()))
            except (BrokenPipeError, OSError):
                return


def die_with_parent(parent_pid: int) -> None:
    """End this worker process as soon as the parent dies, even by SIGKILL.

    Both pools' workers (``worker_main`` here and ``executor_local``'s) call
    it first: a worker orphaned by a killed ``render`` must not go on
    rendering (or hold a GPU, a semaphore, a half-written file) unseen.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # where prctl is unavailable
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# -- one scene ---------------------------------------------------------------------


def render_task(task: SceneTask, report: Callable[[int], None] | None = None) -> SceneOutput:
    """Render ``task`` into ``task.work``; ``report`` hears the frame count now and then."""
    start = time.perf_counter()
    os.environ[LESSON_ENV] = task.lesson_file
    from manim import tempconfig

    from scenekit.audit import Audit, audited, recording_created_texts
    from scenekit.context import current_trace
    from scenekit.families import fast_families
    from scenekit.interpolation import fast_transforms

    cls = getattr(import_module(task.module), task.scene)
    trace = current_trace()
    if not cls.applies(trace):
        return SceneOutput(task.scene, skipped=cls.skip_reason(trace))
    if task.wrapper:
        module, _, function = task.wrapper.partition(":")
        cls = getattr(import_module(module), function)(cls)
    tracked = with_step_tracking(audited(cls))
    sounds = None
    if task.narration is not None:
        tracked, sounds = narrated(tracked, task.narration)
    work = Path(task.work)
    settings = {
        "verbosity": task.verbosity,  # first: setting the format may log a warning
        "quality": task.quality,
        "media_dir": str(work / "media"),
        "output_file": task.scene,
        "format": task.format,
        "transparent": task.transparent,
        "save_sections": task.sections,
        # Every attempt starts in a fresh media directory, so Manim's cache of
        # partial movies could never hit; hashing every play for it costs a
        # quarter of the render time.
        "disable_caching": True,
        "progress_bar": "none",
        "video_encoder_options": ENCODER_OPTIONS.get(task.format, {}),
    }
    with tempconfig(settings), recording_created_texts() as created:
        scene = tracked()
        frames = _count_frames(scene, report)
        with fast_transforms(), fast_families(), frames_encoded_in_place():
            scene.render()
    writer = scene.renderer.file_writer
    still = task.format == "png"
    artifact = Path(writer.image_file_path if still else writer.movie_file_path)
    if not artifact.is_file():
        raise RuntimeError(f"Manim wrote no {artifact.name} (does the scene play nothing?)")
    ledger = scene.ledger.to_file(task.scene, trace.lesson, set(scene.ever_shown))
    sections = section_outputs(scene, writer, None if still else writer.sections_output_dir)
    duration = None if still else video_duration(artifact)
    placed = None
    if sounds is not None and not still:
        placed = voice_clips(scene, sounds, task.narration, artifact, sections)
    captions = {} if duration is None else clip_captions(artifact, duration, sections)
    # The audit of what was just rendered, as `audit_scene` does it without video:
    # every number on screen is a ledger entry that agrees with the trace, every
    # text stays inside the frame and clear of the others (checked after each play).
    checks = time.perf_counter()
    problems = Audit(scene, created).problems(trace)
    scene.audit_seconds += time.perf_counter() - checks
    return SceneOutput(
        scene=task.scene,
        artifact=str(artifact),
        ledger=ledger,
        sections=sections,
        duration=duration,
        frames=frames["count"],
        seconds=time.perf_counter() - start,
        audit=problems,
        audit_seconds=scene.audit_seconds,
        captions=captions,
        narration=placed,
    )


def _count_frames(scene: Any, report: Callable[[int], None] | None) -> dict[str, int]:
    """Count the frames the renderer writes; tell ``report`` a few times a second."""
    renderer = scene.renderer
    add_frame = renderer.add_frame
    state = {"count": 0, "last": 0.0}

    def counting_add_frame(frame: Any, num_frames: int = 1) -> None:
        add_frame(frame, num_frames)
        if renderer.skip_animations:
            return
        state["count"] += num_frames
        now = time.monotonic()
        if report is not None and now - state["last"] >= FRAME_REPORT_SECONDS:
            state["last"] = now
            report(state["count"])

    renderer.add_frame = counting_add_frame
    return state

"""One scene rendered inside a worker process, in a private Manim media directory.

`scenes.render` starts the workers (spawned, one per core) and talks to each
over its own pipe. A worker renders one scene at a time into the task's fresh
work directory and reports back what it wrote; only the parent moves files
into the output directory. Nothing here is shared between two Manim runs, so a
render killed at any moment leaves nothing a later run could trip over.

What this module writes is what a render directory holds, so its source is
part of every scene's cache key (see ``scenes.render.scene_key``).
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

from scenes.context import LESSON_ENV

__all__ = ["SceneOutput", "SceneTask", "SectionOutput", "render_task", "worker_main"]

FRAME_REPORT_SECONDS = 0.25  # how often a worker reports its frame count
# libvpx's defaults make webm 3x slower to render than mp4; its realtime
# settings keep flat-coloured frames visually lossless (min PSNR 47 dB against
# lossless mov on ReLUActivation, the same as the defaults) at 1.4x the size.
ENCODER_OPTIONS = {"webm": {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"}}


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


@dataclass
class SectionOutput:
    """One Manim section of a rendered scene: a step, and the values it shows."""

    index: int
    name: str  # Manim's section name
    step: str  # the step's caption ("" for what comes before the first step)
    file: str | None  # the section's clip in the work directory (with --sections)
    duration: float | None
    values: list[int]  # indices into the ledger's "values" on screen during the section


@dataclass
class SceneOutput:
    """What a worker made of one task."""

    scene: str
    skipped: str | None = None  # why the scene was not rendered
    artifact: str | None = None  # the clip (or last frame) in the work directory
    ledger: dict[str, Any] = field(default_factory=dict)
    sections: list[SectionOutput] = field(default_factory=list)
    duration: float | None = None  # seconds of video; None for a still
    frames: int = 0
    seconds: float = 0.0  # wall time the render took
    audit: list[str] = field(default_factory=list)  # what the audit found wrong (empty: good)
    audit_seconds: float = 0.0  # of ``seconds``, the time the audit's checks took


# -- the worker process ------------------------------------------------------------


def worker_main(connection: Any, parent_pid: int) -> None:
    """Serve tasks from ``connection`` until told to stop or the parent is gone.

    Messages sent back: ``("started", scene, pid)``, ``("frames", scene, n)``,
    ``("done", scene, SceneOutput)``, ``("failed", scene, one_line, traceback)``.
    """
    _die_with_parent(parent_pid)
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
            connection.send(("started", task.scene, os.getpid()))

            def report(frames: int, scene: str = task.scene) -> None:
                connection.send(("frames", scene, frames))

            connection.send(("done", task.scene, render_task(task, report)))
        except (BrokenPipeError, EOFError):
            return
        except Exception as error:
            try:
                connection.send(("failed", task.scene, _one_line(error), traceback.format_exc()))
            except (BrokenPipeError, OSError):
                return


def _die_with_parent(parent_pid: int) -> None:
    """End this worker as soon as the parent dies, even by SIGKILL."""
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


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    message = lines[0] if lines else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# -- one scene ---------------------------------------------------------------------


def render_task(task: SceneTask, report: Callable[[int], None] | None = None) -> SceneOutput:
    """Render ``task`` into ``task.work``; ``report`` hears the frame count now and then."""
    start = time.perf_counter()
    os.environ[LESSON_ENV] = task.lesson_file
    from manim import tempconfig

    from scenes.context import current_trace

    cls = getattr(import_module(task.module), task.scene)
    trace = current_trace()
    if not cls.applies(trace):
        return SceneOutput(task.scene, skipped="the lesson has nothing it shows")
    if task.wrapper:
        module, _, function = task.wrapper.partition(":")
        cls = getattr(import_module(module), function)(cls)
    # _recording: audit.py's record of every text mobject a build creates.
    from scenes.audit import TEXT_CLASSES, Audit, _recording

    tracked = _tracked(cls, task.scene)
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
    with tempconfig(settings), _recording(TEXT_CLASSES) as created:
        scene = tracked()
        frames = _count_frames(scene, report)
        scene.render()
    writer = scene.renderer.file_writer
    still = task.format == "png"
    artifact = Path(writer.image_file_path if still else writer.movie_file_path)
    if not artifact.is_file():
        raise RuntimeError(f"Manim wrote no {artifact.name} (does the scene play nothing?)")
    ledger = scene.ledger.to_json(task.scene, trace.lesson, set(scene.ever_shown))
    sections = _sections(scene, writer, None if still else writer.sections_output_dir)
    # The audit of what was just rendered, as `audit_scene` does it without video:
    # every number on screen is a ledger entry that agrees with the trace, every
    # text stays inside the frame and clear of the others (checked after each play).
    checks = time.perf_counter()
    audit = Audit(scene, created, scene._layout_problems)
    problems = audit.number_problems(trace) + sorted(set(scene._layout_problems))
    scene._audit_seconds += time.perf_counter() - checks
    return SceneOutput(
        scene=task.scene,
        artifact=str(artifact),
        ledger=ledger,
        sections=sections,
        duration=None if still else video_duration(artifact),
        frames=frames["count"],
        seconds=time.perf_counter() - start,
        audit=problems,
        audit_seconds=scene._audit_seconds,
    )


def video_duration(path: Path) -> float:
    """Seconds of video in ``path``, read with PyAV."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


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


@dataclass
class _Bucket:
    """Ledger entries on screen during one section (indices into ``ledger.entries``)."""

    name: str
    step: str
    first_play: int
    shown: set[int] = field(default_factory=set)


def _tracked(cls: type, name: str) -> type:
    """``cls``, also noting which ledger entries are on screen in each section,
    and auditing the layout after every animation (as ``audit_scene`` does)."""
    from scenes.audit import layout_problems

    class Tracked(cls):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self._buckets = [_Bucket("autocreated", "", 0)]
            self._layout_problems: list[str] = []
            self._audit_seconds = 0.0

        def next_section(self, *args: Any, **kwargs: Any) -> None:
            super().next_section(*args, **kwargs)
            section = self.renderer.file_writer.sections[-1]
            self._buckets.append(_Bucket(section.name, self.ledger.step, self.renderer.num_plays))

        def add(self, *mobjects: Any) -> Any:
            result = super().add(*mobjects)
            self._note_shown()
            return result

        def play(self, *args: Any, **kwargs: Any) -> None:
            self._note_shown()  # what stays on screen through this play
            super().play(*args, **kwargs)
            self._note_shown()
            checks = time.perf_counter()
            self._layout_problems.extend(layout_problems(self))
            self._audit_seconds += time.perf_counter() - checks

        def _note_shown(self) -> None:
            if not getattr(self, "_buckets", None):
                return
            on_screen = {
                id(member)
                for top in [*self.mobjects, *self.foreground_mobjects]
                for member in top.get_family()
            }
            bucket = self._buckets[-1]
            for index, entry in enumerate(self.ledger.entries):
                if index in bucket.shown or entry.mobject is None:
                    continue
                family = getattr(entry.mobject, "get_family", lambda m=entry.mobject: [m])()
                if any(id(member) in on_screen for member in family):
                    bucket.shown.add(index)

    Tracked.__name__ = Tracked.__qualname__ = name
    Tracked.__module__ = cls.__module__
    return Tracked


def _sections(scene: Any, writer: Any, sections_dir: Path | None) -> list[SectionOutput]:
    """The scene's sections with their clips and the ledger values each shows."""
    from scenes.ledger import Ledger

    # The ledger file lists only entries put on screen; map entry -> its index there.
    shown = set(scene.ever_shown)
    lesson = scene.trace.lesson
    listed = [
        index
        for index, entry in enumerate(scene.ledger.entries)
        if Ledger(entries=[entry]).to_json("", lesson, shown)["values"]
    ]
    position = {entry_index: i for i, entry_index in enumerate(listed)}

    # Manim drops a section that played nothing; its values show in the next one.
    buckets: list[_Bucket] = []
    carried: set[int] = set()
    plays = scene.renderer.num_plays
    for i, bucket in enumerate(scene._buckets):
        end = scene._buckets[i + 1].first_play if i + 1 < len(scene._buckets) else plays
        carried |= bucket.shown
        if end > bucket.first_play:
            bucket.shown = carried
            carried = set()
            buckets.append(bucket)
    manim_sections = [section for section in writer.sections if not section.is_empty()]
    if sections_dir is not None and len(manim_sections) != len(buckets):
        raise RuntimeError(
            f"{len(manim_sections)} Manim sections but {len(buckets)} steps were played"
        )
    outputs = []
    for index, bucket in enumerate(buckets):
        clip = None
        duration = None
        if sections_dir is not None and manim_sections[index].video is not None:
            path = sections_dir / manim_sections[index].video
            if path.is_file():
                clip = str(path)
                duration = video_duration(path)
        values = sorted(position[i] for i in bucket.shown if i in position)
        outputs.append(SectionOutput(index, bucket.name, bucket.step, clip, duration, values))
    return outputs

"""Render lecture scenes in parallel, cached and crash-safe, into one directory.

``render_scenes`` renders the chosen scenes of a lesson into ``DIR``:

- **in parallel**: spawned worker processes (``pool``, one per core by
  default), each scene in its own fresh Manim media directory, so two Manim
  runs never share a cache file (a shared one crashes on a cold cache);
- **crash-safe**: workers write under a work directory beside ``DIR``; only
  complete files are moved into ``DIR`` (``directory``). Workers die with the
  parent, even when it is killed with SIGKILL;
- **safe for the user's files**: only files of ours are replaced or removed; a
  non-empty ``DIR`` that is no render directory is refused unless forced, and
  a file of someone else's where a render writes stops it (``ownership``);
- **cached**: each scene's content key (``keys``) is stored in the manifest
  (``manifest``, ``DIR/lecture.json``) beside its files; a scene whose key is
  unchanged and whose files are all there is not rendered again.
"""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlp_lecture.explorable.publish import publish_page
from mlp_lecture.narration.plan import NarrationPlan
from mlp_lecture.narration.track import AUDIO_CODECS
from mlp_lecture.pipeline.directory import OutputDirectory, hold_directory
from mlp_lecture.pipeline.executor import Executor
from mlp_lecture.pipeline.executor_local import SceneWorkers
from mlp_lecture.pipeline.executor_tasks import render_aside
from mlp_lecture.pipeline.keys import lesson_hash, scene_key
from mlp_lecture.pipeline.manifest import MANIFEST, SceneEntry
from mlp_lecture.pipeline.options import (
    JOINABLE_FORMATS,
    QUALITIES,
    RenderError,
    RenderOptions,
    default_jobs,
    lesson_folder,
)
from mlp_lecture.pipeline.ownership import check_out_dir
from mlp_lecture.pipeline.pool import Workers
from mlp_lecture.pipeline.reuse import REUSED, reuse_scenes, sibling_dir
from mlp_lecture.pipeline.spawned import refuse_in_worker
from mlp_lecture.pipeline.worker import SceneTask
from mlpmath import Lesson, Trace, cached_trace
from scenes import LECTURE_ORDER

__all__ = ["RenderObserver", "RenderReport", "RenderedScene", "render_scenes"]


@dataclass
class RenderedScene:
    """One scene of a render: what ``DIR`` holds for it and how it got there."""

    name: str
    status: str  # "rendered" | "cached" | "reused" | "skipped" | "failed"
    video: Path | None = None  # the clip (or, for png, the last frame)
    ledger: Path | None = None
    files: list[Path] = field(default_factory=list)  # every file of the scene in DIR
    seconds: float = 0.0  # time spent rendering it in this run
    duration: float | None = None  # seconds of video
    frames: int = 0
    values: int = 0
    audit: list[str] = field(default_factory=list)  # what the render's audit found wrong
    error: str | None = None  # for "failed": one line
    details: str | None = None  # for "failed": the worker's traceback
    skipped: str | None = None  # for "skipped": why

    @classmethod
    def from_entry(
        cls, out_dir: Path, entry: SceneEntry, status: str, seconds: float = 0.0
    ) -> RenderedScene:
        if entry.skipped is not None:
            return cls(entry.scene, "skipped", skipped=entry.skipped)
        return cls(
            entry.scene,
            status,
            video=out_dir / entry.file,
            ledger=out_dir / entry.ledger,
            files=[out_dir / name for name in entry.files],
            seconds=seconds,
            duration=entry.duration,
            frames=entry.frames,
            values=entry.values,
            audit=list(entry.audit_problems),
        )


@dataclass
class RenderReport:
    """What a render left in ``out_dir``, scene by scene."""

    out_dir: Path
    scenes: list[RenderedScene]
    manifest: Path
    lecture: Path | None = None
    lecture_duration: float | None = None
    seconds: float = 0.0
    explore: Path | None = None  # the lesson's explorable page, DIR/explore/index.html
    explore_note: str | None = None  # why there is none (a folder of the user's there)

    @property
    def failed(self) -> list[RenderedScene]:
        return [scene for scene in self.scenes if scene.status == "failed"]


class RenderObserver:
    """Hears how a render goes (the CLI draws a progress display from it)."""

    def planned(self, to_render: Sequence[str], frames: dict[str, int | None]) -> None:
        """``to_render``: scenes about to be rendered; ``frames``: their last frame counts."""

    def started(self, scene: str) -> None: ...

    def frames(self, scene: str, frames: int) -> None: ...

    def finished(self, result: RenderedScene) -> None: ...

    def joining(self, clips: int) -> None: ...


def render_scenes(
    lesson: Lesson,
    names: Sequence[str],
    out_dir: Path,
    options: RenderOptions | None = None,
    *,
    trace: Trace | None = None,
    jobs: int | None = None,
    force: bool = False,
    lecture: bool = False,
    verbose: bool = False,
    observer: RenderObserver | None = None,
    executor: Executor | None = None,
    narration: NarrationPlan | None = None,
) -> RenderReport:
    """Render ``names`` (lecture order) of ``lesson`` into ``out_dir``; return what it holds.

    Scenes whose key is unchanged are taken from ``out_dir`` as they are
    (unless ``force``). A non-empty ``out_dir`` that is no render directory is
    refused unless ``force``; even then no file already there is touched.
    ``lecture`` also joins the scenes into ``out_dir/lecture.<format>``. A
    scene that fails is reported in the result, the others are still rendered.
    Raises ``RenderError`` when the render cannot start and
    ``KeyboardInterrupt`` when interrupted (SIGINT or SIGTERM): every scene
    finished by then stays in ``out_dir``. ``executor`` runs the scenes on
    another engine (Dask: ``render --scheduler``; its workers must see
    ``out_dir`` at the same path); by default the render's own worker pool.
    ``narration`` (``plan_narration``) times each step to its audio and gives
    every clip an audio track.
    """
    refuse_in_worker()  # the user's script, re-imported by a worker: render nothing
    options = options or RenderOptions()
    options.check()
    if lecture and options.format not in JOINABLE_FORMATS:
        raise RenderError(
            f"--lecture joins video clips: use --format {', '.join(JOINABLE_FORMATS)}"
        )
    if jobs is not None and jobs < 1:
        raise RenderError("--jobs must be at least 1")
    if narration is not None and options.format not in AUDIO_CODECS:
        raise RenderError(
            f"--narration: {options.format} has no sound; use --format {', '.join(AUDIO_CODECS)}"
        )
    check_out_dir(out_dir, force)  # before any work: a directory not ours fails at once
    observer = observer or RenderObserver()
    started = time.perf_counter()
    with ExitStack() as stack:
        # A cold render renders every scene: its workers start their imports
        # now, while this process computes the lesson (torch, ~2.5 s cold).
        early = None
        if names and executor is None and _cold(out_dir, options, force):
            early = stack.enter_context(Workers(min(jobs or default_jobs(), len(names))))
        request = _Request(
            lesson,
            list(names),
            options,
            jobs,
            force,
            lecture,
            verbose,
            observer,
            started,
            executor,
            narration,
        )
        return _render_started(request, out_dir, trace, early)


def _cold(out_dir: Path, options: RenderOptions, force: bool) -> bool:
    """Whether nothing in ``out_dir`` or its sibling can spare a scene its render."""
    if force:
        return True
    sibling = sibling_dir(out_dir, options)
    return not any(path is not None and (path / MANIFEST).exists() for path in (out_dir, sibling))


@dataclass(frozen=True)
class _Request:
    """What ``render_scenes`` was asked, as each stage of a render reads it."""

    lesson: Lesson
    names: list[str]
    options: RenderOptions
    jobs: int | None
    force: bool
    lecture: bool
    verbose: bool
    observer: RenderObserver
    started: float  # perf_counter() when the render began
    executor: Executor | None = None  # another engine than the render's own pool
    narration: NarrationPlan | None = None  # each scene's step audio (--narration)


def _render_started(
    request: _Request, out_dir: Path, trace: Trace | None, workers: Workers | None
) -> RenderReport:
    """``render_scenes`` once it started, ``workers`` the pool started early (if any)."""
    lesson, names, options = request.lesson, request.names, request.options
    trace = trace or cached_trace(lesson)  # no torch when the cache holds it
    modules = dict(LECTURE_ORDER)
    digest = lesson_hash(trace)
    plan = request.narration
    keys = {
        name: scene_key(name, modules[name], digest, options, plan.key(name) if plan else None)
        for name in names
    }

    created = [path for path in (out_dir, *out_dir.parents) if not path.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    directory: OutputDirectory | None = None
    try:
        with hold_directory(out_dir), _terminate_as_interrupt():
            directory = OutputDirectory(out_dir, lesson, digest, options)
            try:
                directory.start(names, request.lecture)
                report = _render_into(directory, keys, request, workers)
                report.explore, report.explore_note = publish_page(directory, lesson, trace)
                return report
            finally:
                directory.close()
    finally:
        if directory is None or not directory.claimed:
            for path in created:  # a render that published nothing leaves nothing new
                try:
                    path.rmdir()
                except OSError:
                    break


def _render_into(
    directory: OutputDirectory,
    keys: dict[str, str],
    request: _Request,
    workers: Workers | None = None,
) -> RenderReport:
    """Plan and render into ``directory``: cached scenes kept, the others rendered."""
    names, force, observer = request.names, request.force, request.observer
    out_dir = directory.out_dir
    results: dict[str, RenderedScene] = {}
    to_render = []
    for name in names:
        entry = directory.entries.get(name)
        if not force and entry and entry.key == keys[name] and entry.complete_in(out_dir):
            results[name] = RenderedScene.from_entry(out_dir, entry, "cached")
            observer.finished(results[name])
            continue
        to_render.append(name)
    if to_render:
        directory.drop_lecture()
    # What the sibling render holds is not rendered again (a narrated render's clips are
    # timed to their voices: a sibling's, keyed without them, would not do).
    if to_render and not force and request.narration is None:
        reused = reuse_scenes(directory, {name: keys[name] for name in to_render})
        for name, (entry, seconds) in reused.items():
            results[name] = RenderedScene.from_entry(out_dir, entry, REUSED, seconds)
            observer.finished(results[name])
        to_render = [name for name in to_render if name not in results]
    _render_parallel(to_render, directory, keys, request, results, workers)
    report = RenderReport(out_dir, [results[name] for name in names], out_dir / MANIFEST)
    joined = directory.finish_lecture(request.lecture, observer.joining)
    if joined is not None:
        report.lecture = out_dir / joined.file
        report.lecture_duration = joined.duration
    report.seconds = time.perf_counter() - request.started
    return report


def _render_parallel(
    names: list[str],
    directory: OutputDirectory,
    keys: dict[str, str],
    request: _Request,
    results: dict[str, RenderedScene],
    early: Workers | None = None,
) -> None:
    if not names:
        return
    lesson, options, observer = request.lesson, request.options, request.observer
    work = directory.work
    lesson_dir = work / "lesson"
    lesson_dir.mkdir()
    lesson_file = lesson_dir / f"{lesson_folder(lesson).name}.toml"  # a name that stays there
    lesson_file.write_text(lesson.source, encoding="utf-8")
    modules = dict(LECTURE_ORDER)
    # Longest first (by the last render's time), so the workers finish together.
    order = sorted(names, key=lambda name: -directory.previous_seconds.get(name, 0.0))
    tasks = [
        SceneTask(
            scene=name,
            module=modules[name],
            work=str(work / name),
            lesson_file=str(lesson_file),
            quality=QUALITIES[options.quality],
            format=options.format,
            transparent=options.transparent,
            sections=options.sections,
            verbosity="WARNING" if request.verbose else "ERROR",
            wrapper=options.wrapper,
            narration=None if request.narration is None else request.narration.for_scene(name),
        )
        for name in order
    ]
    for task in tasks:
        Path(task.work).mkdir()
    observer.planned(order, {name: directory.previous_frames.get(name) for name in order})
    if request.executor is not None:
        _render_on(request.executor, tasks, directory, keys, request, results)
        return
    # The early pool ends here too (its workers stopped before the work folders
    # are swept: a killed render leaves none); its own ``with`` then finds it ended.
    jobs = min(request.jobs or default_jobs(), len(tasks))
    pool = early if early is not None else Workers(jobs)
    with SceneWorkers(pool, started=observer.started, frames=observer.frames) as executor:
        _render_on(executor, tasks, directory, keys, request, results)


def _render_on(
    executor: Executor,
    tasks: list[SceneTask],
    directory: OutputDirectory,
    keys: dict[str, str],
    request: _Request,
    results: dict[str, RenderedScene],
) -> None:
    """Render ``tasks`` on ``executor``, moving each scene into ``directory`` as it ends."""
    observer, work = request.observer, directory.work
    for task in tasks:
        executor.submit(render_aside, task, key=task.scene, retries=2)
        if not executor.reports_progress:  # queued on the engine: shown as started
            observer.started(task.scene)
    for outcome in executor.as_completed():
        name = outcome.key
        if outcome.ok:
            entry = directory.publish(outcome.result, keys[name])
            results[name] = RenderedScene.from_entry(
                directory.out_dir, entry, "rendered", outcome.result.seconds
            )
        else:
            results[name] = RenderedScene(
                name, "failed", error=outcome.error, details=outcome.details
            )
        shutil.rmtree(work / name, ignore_errors=True)
        observer.finished(results[name])


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (and SIGHUP) end the render like Ctrl-C: workers killed, work removed."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, interrupt)
        except ValueError:  # not the main thread: leave the handlers alone
            break
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

"""Render lecture scenes in parallel, cached and crash-safe, into one directory.

``render_scenes`` renders the chosen scenes of a lesson into ``DIR``:

- **in parallel**: spawned worker processes (one per core by default), each
  scene in its own fresh Manim media directory, so two Manim runs never share
  a cache file (a shared one crashes on a cold cache);
- **crash-safe**: workers write under a work directory beside ``DIR``; the
  parent moves each finished file into ``DIR`` with ``os.replace`` (atomic),
  so ``DIR`` only ever holds complete files. A render killed at any moment
  leaves at most that work directory, which the next run removes. Workers die
  with the parent, even when it is killed with SIGKILL;
- **cached**: each scene's content key (the lesson's values, the code the
  scene runs, the library versions and the render options) is stored in
  ``DIR/lecture.json`` beside its files; a scene whose key is unchanged and
  whose files are all there is not rendered again.

``DIR/lecture.json`` is the manifest: the lesson's title and hash, the
options, and per scene in lecture order its files, duration and number of
traced values. It is rewritten (atomically) after every scene, so it always
describes exactly what ``DIR`` holds.
"""

from __future__ import annotations

import ast
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from io import BytesIO
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import scenes
from mlpmath import Lesson, Trace, compute_trace
from scenes import LECTURE_ORDER
from scenes.ledger import LEDGER_SUFFIX
from scenes.render_worker import SceneOutput, SceneTask, worker_main

__all__ = [
    "FORMATS",
    "LESSON_COPY",
    "MANIFEST",
    "QUALITIES",
    "RenderError",
    "RenderObserver",
    "RenderOptions",
    "RenderReport",
    "RenderedScene",
    "code_files",
    "default_jobs",
    "default_out_dir",
    "hold_directory",
    "join_clips",
    "lesson_hash",
    "render_scenes",
    "scene_key",
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
LESSON_COPY = "lesson.toml"
MANIFEST = "lecture.json"
LECTURE_STEM = "lecture"
SECTIONS_DIR = "sections"
MANIFEST_VERSION = 1
# Libraries whose version changes what a clip looks like.
RENDER_LIBRARIES = ("manim", "typst", "av", "pycairo", "manimpango")
# Packages whose code scenes run; their modules join a scene's key when imported.
CODE_PACKAGES = ("scenes", "mlpmath")
# scenes/__init__.py holds only the lecture order: adding a scene there must
# not invalidate every other scene's cache.
KEY_EXCLUDED = frozenset({"scenes"})
WORKER_MODULE = "scenes.render_worker"


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


@dataclass
class RenderedScene:
    """One scene of a render: what ``DIR`` holds for it and how it got there."""

    name: str
    status: str  # "rendered" | "cached" | "skipped" | "failed"
    video: Path | None = None  # the clip (or, for png, the last frame)
    ledger: Path | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0  # time spent rendering it in this run
    duration: float | None = None  # seconds of video
    frames: int = 0
    values: int = 0
    audit: list[str] = field(default_factory=list)  # what the render's audit found wrong
    error: str | None = None  # for "failed": one line
    details: str | None = None  # for "failed": the worker's traceback
    skipped: str | None = None  # for "skipped": why

    @property
    def files(self) -> list[Path]:
        """Every file of this scene in ``DIR``."""
        section_files = [Path(s["file"]) for s in self.sections if s.get("file")]
        return [p for p in (self.video, self.ledger) if p is not None] + section_files


@dataclass
class RenderReport:
    out_dir: Path
    scenes: list[RenderedScene]
    manifest: Path
    lecture: Path | None = None
    lecture_duration: float | None = None
    seconds: float = 0.0

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


# -- choosing scenes and directories ---------------------------------------------------


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
    return Path("renders") / lesson.name / name


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


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# -- cache keys --------------------------------------------------------------------------


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lesson_hash(trace: Trace) -> str:
    """The hash of every value a scene of this lesson can show (names and title too)."""
    return _digest(trace.to_dict())


def _package_dirs() -> dict[str, Path]:
    import mlpmath

    return {
        "scenes": Path(scenes.__file__).resolve().parent,
        "mlpmath": Path(mlpmath.__file__).resolve().parent,
    }


def _module_file(module: str, roots: dict[str, Path]) -> Path | None:
    package, *rest = module.split(".")
    if package not in roots:
        return None
    base = roots[package].joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if rest and candidate.is_file():
            return candidate
    if not rest:
        return roots[package] / "__init__.py"
    return None


def _imported_modules(path: Path, module: str) -> frozenset[str]:
    """Every module named by an import statement in ``path`` (and its packages)."""
    stat = path.stat()
    return _imports_of(str(path), module, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _imports_of(file: str, module: str, mtime: int, size: int) -> frozenset[str]:
    path = Path(file)
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):  # being edited: its own bytes still key it
        return frozenset()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    closed = set()
    for name in names:
        parts = name.split(".")
        closed.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(closed)


def code_files(module: str) -> list[Path]:
    """The project's source files a module runs: itself and what it imports, transitively.

    Static imports of ``scenes`` and ``mlpmath`` modules are followed; other
    scenes' modules are not part of it unless imported.
    """
    roots = _package_dirs()
    seen: dict[str, Path] = {}
    queue = [module]
    while queue:
        name = queue.pop()
        if name in seen or name in KEY_EXCLUDED:
            continue
        path = _module_file(name, roots)
        if path is None:
            continue
        seen[name] = path
        queue.extend(_imported_modules(path, name))
    return sorted(set(seen.values()))


@lru_cache(maxsize=1)
def _library_versions() -> dict[str, str]:
    versions = {}
    for name in RENDER_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def scene_key(scene: str, module: str, lesson_digest: str, options: RenderOptions) -> str:
    """The content key of one scene's render: equal keys, equal files."""
    modules = [module, WORKER_MODULE]
    if options.wrapper:
        modules.append(options.wrapper.partition(":")[0])
    files = sorted({path for name in modules for path in code_files(name)})
    roots = _package_dirs()

    def relative(path: Path) -> str:
        for package, root in roots.items():
            if path.is_relative_to(root):
                return f"{package}/{path.relative_to(root).as_posix()}"
        return path.name

    code = {relative(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    return _digest(
        {
            "scene": scene,
            "lesson": lesson_digest,
            "code": code,
            "libraries": _library_versions(),
            "options": options.to_json(),
            "manifest": MANIFEST_VERSION,
        }
    )


# -- the manifest --------------------------------------------------------------------


def _read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else {}


def _entry_files(entry: dict[str, Any]) -> list[str]:
    files = entry.get("files", {})
    return list(files) if isinstance(files, dict) else []


def _entry_complete(out_dir: Path, entry: dict[str, Any]) -> bool:
    """Whether every file the entry lists is in ``out_dir`` at its recorded size."""
    files = entry.get("files")
    if not isinstance(files, dict) or not (files or entry.get("skipped")):
        return False
    for name, size in files.items():
        try:
            if (out_dir / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


# -- rendering -----------------------------------------------------------------------


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
) -> RenderReport:
    """Render ``names`` (lecture order) of ``lesson`` into ``out_dir``; return what it holds.

    Scenes whose key is unchanged are taken from ``out_dir`` as they are
    (unless ``force``). ``lecture`` also joins the scenes into
    ``out_dir/lecture.<format>``. A scene that fails is reported in the
    result, the others are still rendered. Raises ``RenderError`` when the
    render cannot start and ``KeyboardInterrupt`` when interrupted (SIGINT or
    SIGTERM): every scene finished by then stays in ``out_dir``.
    """
    options = options or RenderOptions()
    options.check()
    if lecture and options.format not in JOINABLE_FORMATS:
        raise RenderError(
            f"--lecture joins video clips: use --format {', '.join(JOINABLE_FORMATS)}"
        )
    if jobs is not None and jobs < 1:
        raise RenderError("--jobs must be at least 1")
    observer = observer or RenderObserver()
    started = time.perf_counter()
    trace = trace or compute_trace(lesson)
    modules = dict(LECTURE_ORDER)
    digest = lesson_hash(trace)
    keys = {name: scene_key(name, modules[name], digest, options) for name in names}

    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"{out_dir}: not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    with hold_directory(out_dir), _terminate_as_interrupt():
        _remove_stale_work_dirs(out_dir)
        work = Path(tempfile.mkdtemp(prefix=_work_prefix(out_dir), dir=out_dir.parent))
        try:
            state = _Directory(out_dir, work, lesson, digest, options)
            state.start()
            results: dict[str, RenderedScene] = {}
            to_render = []
            for name in names:
                entry = state.entries.get(name)
                if not force and entry and entry["key"] == keys[name]:
                    if _entry_complete(out_dir, entry):
                        results[name] = state.result(name, "cached")
                        observer.finished(results[name])
                        continue
                to_render.append(name)
            if to_render:
                state.drop_lecture()
            _render_parallel(
                to_render, state, keys, work, lesson, options, jobs, verbose, observer, results
            )
            report = RenderReport(out_dir, [results[name] for name in names], out_dir / MANIFEST)
            state.finish_lecture(lecture, report, observer)
            report.seconds = time.perf_counter() - started
            return report
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _render_parallel(
    names: list[str],
    state: _Directory,
    keys: dict[str, str],
    work: Path,
    lesson: Lesson,
    options: RenderOptions,
    jobs: int | None,
    verbose: bool,
    observer: RenderObserver,
    results: dict[str, RenderedScene],
) -> None:
    if not names:
        return
    lesson_dir = work / "lesson"
    lesson_dir.mkdir()
    lesson_file = lesson_dir / f"{lesson.name}.toml"
    lesson_file.write_text(lesson.source, encoding="utf-8")
    modules = dict(LECTURE_ORDER)
    # Longest first (by the last render's time), so the workers finish together.
    order = sorted(names, key=lambda name: -state.previous_seconds.get(name, 0.0))
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
            verbosity="WARNING" if verbose else "ERROR",
            wrapper=options.wrapper,
        )
        for name in order
    ]
    for task in tasks:
        Path(task.work).mkdir()
    observer.planned(order, {name: state.previous_frames.get(name) for name in order})
    with _Workers(min(jobs or default_jobs(), len(tasks))) as workers:
        for event in workers.run(tasks):
            kind, name = event[0], event[1]
            if kind == "started":
                observer.started(name)
            elif kind == "frames":
                observer.frames(name, event[2])
            elif kind == "done":
                results[name] = state.publish(event[2], keys[name])
                shutil.rmtree(work / name, ignore_errors=True)
                observer.finished(results[name])
            else:  # "failed"
                results[name] = RenderedScene(name, "failed", error=event[2], details=event[3])
                shutil.rmtree(work / name, ignore_errors=True)
                observer.finished(results[name])


class _Workers:
    """Spawned worker processes, one pipe each; all killed on exit."""

    def __init__(self, count: int):
        context = multiprocessing.get_context("spawn")
        self.processes = []
        self.connections = []
        # Workers start with SIGINT ignored (inherited through exec): Ctrl-C in a
        # terminal reaches the whole process group, and only the parent handles it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for index in range(count):
                parent_end, child_end = context.Pipe()
                process = context.Process(
                    target=worker_main,
                    args=(child_end, os.getpid()),
                    name=f"mlp-lecture-render-{index}",
                    daemon=True,
                )
                process.start()
                child_end.close()
                self.processes.append(process)
                self.connections.append(parent_end)
        finally:
            signal.signal(signal.SIGINT, previous)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:  # done: each worker was told to stop and is ending
            deadline = time.monotonic() + 10
            for process in self.processes:
                process.join(timeout=max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=5)
        for connection in self.connections:
            connection.close()

    def run(self, tasks: list[SceneTask]) -> Iterator[tuple[Any, ...]]:
        """Hand out ``tasks`` to idle workers; yield their messages until all are answered."""
        queue = list(tasks)
        busy: dict[int, str | None] = {i: None for i in range(len(self.processes))}
        alive = set(busy)
        outstanding = {task.scene for task in tasks}

        def hand_out(worker: int) -> None:
            task = queue.pop(0) if queue else None
            busy[worker] = task.scene if task else None
            try:
                self.connections[worker].send(task)
            except OSError:  # the worker is gone; the next wait notices
                if task is not None:
                    queue.insert(0, task)
                busy[worker] = None

        for worker in sorted(alive):
            hand_out(worker)
        while outstanding:
            if not alive:  # every worker died: nobody is left to render the rest
                for name in sorted(outstanding):
                    yield ("failed", name, "no render worker left", None)
                return
            waitables: dict[Any, int] = {}
            for worker in alive:
                waitables[self.connections[worker]] = worker
                waitables[self.processes[worker].sentinel] = worker
            for ready in wait(list(waitables), timeout=1.0):
                worker = waitables[ready]
                if worker not in alive:
                    continue
                connection = self.connections[worker]
                gone = False
                try:
                    while connection.poll():
                        message = connection.recv()
                        yield message
                        if message[0] in ("done", "failed"):
                            outstanding.discard(message[1])
                            hand_out(worker)
                except (EOFError, OSError):
                    gone = True
                if gone or not self.processes[worker].is_alive():
                    alive.discard(worker)
                    self.processes[worker].join(timeout=5)
                    scene = busy[worker]
                    if scene is not None and scene in outstanding:
                        outstanding.discard(scene)
                        code = self.processes[worker].exitcode
                        yield ("failed", scene, f"the render worker died (exit code {code})", None)


# -- the output directory --------------------------------------------------------------


class _Directory:
    """``DIR`` and its manifest: every change is a complete file moved into place."""

    def __init__(
        self, out_dir: Path, work: Path, lesson: Lesson, digest: str, options: RenderOptions
    ):
        self.out_dir = out_dir
        self.work = work
        self.lesson = lesson
        self.digest = digest
        self.options = options
        self.entries: dict[str, dict[str, Any]] = {}
        self.lecture: dict[str, Any] | None = None
        self.previous_seconds: dict[str, float] = {}
        self.previous_frames: dict[str, int | None] = {}

    # manifest

    def start(self) -> None:
        """Take over what ``DIR`` holds: keep what still fits this lesson and options."""
        old = _read_manifest(self.out_dir)
        same_quality = old.get("quality") == self.options.quality
        for entry in old.get("scenes", []):
            if isinstance(entry, dict) and "scene" in entry and "key" in entry:
                self.previous_seconds[entry["scene"]] = entry.get("render_seconds") or 0.0
                if same_quality:
                    self.previous_frames[entry["scene"]] = entry.get("frames") or None
        same = (
            old.get("lesson", {}).get("hash") == self.digest
            and old.get("options") == self.options.to_json()
        )
        if same:
            self.entries = {
                entry["scene"]: entry
                for entry in old.get("scenes", [])
                if isinstance(entry, dict) and "scene" in entry and "key" in entry
            }
            self.lecture = old.get("lecture")
        self._sweep()
        self._write_text(self.out_dir / LESSON_COPY, self.lesson.source)
        self.save()

    def _sweep(self) -> None:
        """Remove scene files the manifest does not list (another lesson's, a crash's)."""
        listed = {name for entry in self.entries.values() for name in _entry_files(entry)}
        if self.lecture:
            listed.add(self.lecture.get("file", ""))
        names = [name for name, _ in LECTURE_ORDER]
        candidates = [self.out_dir / f"{LECTURE_STEM}.{ext}" for ext in JOINABLE_FORMATS]
        for name in names:
            candidates.append(self.out_dir / f"{name}{LEDGER_SUFFIX}")
            candidates += [self.out_dir / f"{name}.{ext}" for ext in FORMATS]
            candidates += (self.out_dir / SECTIONS_DIR).glob(f"{name}-*")
        for path in candidates:
            relative = path.relative_to(self.out_dir).as_posix()
            if relative not in listed and path.is_file():
                path.unlink()
        with suppress(OSError):
            (self.out_dir / SECTIONS_DIR).rmdir()  # only when empty

    def save(self) -> None:
        order = [name for name, _ in LECTURE_ORDER]
        scenes_ = [self.entries[name] for name in order if name in self.entries]
        manifest = {
            "version": MANIFEST_VERSION,
            "lesson": {
                "name": self.lesson.name,
                "title": self.lesson.title,
                "hash": self.digest,
                "file": LESSON_COPY,
            },
            "quality": self.options.quality,
            "format": self.options.format,
            "transparent": self.options.transparent,
            "sections": self.options.sections,
            "options": self.options.to_json(),
            "scenes": scenes_,
            "duration": round(sum(entry.get("duration") or 0.0 for entry in scenes_), 3),
        }
        if self.lecture:
            manifest["lecture"] = self.lecture
        self._write_text(self.out_dir / MANIFEST, json.dumps(manifest, indent=1))

    def result(self, name: str, status: str, seconds: float = 0.0) -> RenderedScene:
        entry = self.entries[name]
        if entry.get("skipped"):
            return RenderedScene(name, "skipped", skipped=entry["skipped"])
        return RenderedScene(
            name,
            status,
            video=self.out_dir / entry["file"],
            ledger=self.out_dir / entry["ledger"],
            sections=[
                {**section, "file": str(self.out_dir / section["file"])}
                if section.get("file")
                else section
                for section in entry.get("sections", [])
            ],
            seconds=seconds,
            duration=entry.get("duration"),
            frames=entry.get("frames", 0),
            values=entry.get("values", 0),
            audit=entry.get("audit_problems", []),
        )

    # publishing

    def publish(self, output: SceneOutput, key: str) -> RenderedScene:
        """Move a finished scene into ``DIR``: files first, then its manifest entry."""
        name = output.scene
        old = self.entries.pop(name, None)
        if old is not None:
            self.save()  # while files are replaced, the manifest does not vouch for them
        if output.skipped:
            self._remove_files(old, keep=set())
            self.entries[name] = {
                "scene": name,
                "key": key,
                "skipped": output.skipped,
                "files": {},
            }
            self.save()
            return self.result(name, "skipped")
        files: dict[str, Path] = {}  # name in DIR -> file in the work directory
        artifact = Path(output.artifact or "")
        files[f"{name}{self.options.extension}"] = artifact
        sections = []
        for section in output.sections:
            target = None
            if section.file:
                target = f"{SECTIONS_DIR}/{name}-{section.index:02d}{Path(section.file).suffix}"
                files[target] = Path(section.file)
            sections.append(
                {
                    "index": section.index,
                    "name": section.name,
                    "step": section.step,
                    "file": target,
                    "duration": _round(section.duration),
                    "values": section.values,
                }
            )
        ledger = dict(output.ledger)
        ledger["sections"] = sections
        ledger["audit"] = {"problems": output.audit, "seconds": round(output.audit_seconds, 3)}
        ledger_name = f"{name}{LEDGER_SUFFIX}"
        ledger_work = self.work / name / ledger_name
        ledger_work.write_text(json.dumps(ledger, indent=1), encoding="utf-8")
        files[ledger_name] = ledger_work
        if sections and any(s["file"] for s in sections):
            (self.out_dir / SECTIONS_DIR).mkdir(exist_ok=True)
        sizes = {}
        for target, source in files.items():
            os.chmod(source, 0o644)
            sizes[target] = source.stat().st_size
            os.replace(source, self.out_dir / target)
        self._remove_files(old, keep=set(files))
        self.entries[name] = {
            "scene": name,
            "key": key,
            "file": f"{name}{self.options.extension}",
            "ledger": ledger_name,
            "sections": [
                {key: section[key] for key in ("index", "step", "file", "duration")}
                for section in sections
            ],
            "duration": _round(output.duration),
            "frames": output.frames,
            "values": len(ledger.get("values", [])),
            "render_seconds": round(output.seconds, 2),
            "audit_seconds": round(output.audit_seconds, 3),
            "audit_problems": output.audit,
            "files": sizes,  # every file of the scene in DIR, with its size in bytes
        }
        self.save()
        return self.result(name, "rendered", output.seconds)

    def _remove_files(self, entry: dict[str, Any] | None, keep: set[str]) -> None:
        for name in _entry_files(entry or {}):
            if name not in keep:
                with suppress(FileNotFoundError):
                    (self.out_dir / name).unlink()

    def _write_text(self, target: Path, text: str) -> None:
        """Write ``text`` to ``target`` all at once: written aside, then moved in."""
        with suppress(OSError, UnicodeDecodeError):
            if target.read_text(encoding="utf-8") == text:
                os.chmod(target, 0o644)
                return  # unchanged: leave the file (and its time stamp) alone
        with tempfile.NamedTemporaryFile(
            "w", dir=self.work, delete=False, encoding="utf-8", suffix=".tmp"
        ) as file:
            file.write(text)
        os.chmod(file.name, 0o644)
        os.replace(file.name, target)

    # the joined lecture

    def drop_lecture(self) -> None:
        """Some scene changes: the joined lecture no longer matches it."""
        if self.lecture:
            with suppress(FileNotFoundError):
                (self.out_dir / self.lecture["file"]).unlink()
            self.lecture = None
            self.save()

    def finish_lecture(self, build: bool, report: RenderReport, observer: RenderObserver) -> None:
        """Join every scene in ``DIR`` into ``lecture.<ext>`` (``build``), or drop a stale one."""
        order = [name for name, _ in LECTURE_ORDER]
        parts = [
            self.entries[name]
            for name in order
            if name in self.entries and not self.entries[name].get("skipped")
        ]
        join_key = _digest([entry["key"] for entry in parts])
        target = f"{LECTURE_STEM}{self.options.extension}"
        current = (
            self.lecture
            and self.lecture.get("key") == join_key
            and _entry_complete(self.out_dir, self.lecture)
        )
        if not current:
            self.drop_lecture()
        if build and not current and parts:
            observer.joining(len(parts))
            joined = self.work / target
            join_clips([self.out_dir / entry["file"] for entry in parts], joined)
            from scenes.render_worker import video_duration

            duration = video_duration(joined)
            size = joined.stat().st_size
            os.chmod(joined, 0o644)
            os.replace(joined, self.out_dir / target)
            self.lecture = {
                "file": target,
                "key": join_key,
                "scenes": [entry["scene"] for entry in parts],
                "duration": _round(duration),
                "files": {target: size},
            }
            self.save()
        if self.lecture and (build or current):
            report.lecture = self.out_dir / self.lecture["file"]
            report.lecture_duration = self.lecture.get("duration")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def join_clips(clips: Sequence[Path], target: Path) -> None:
    """Join video clips of one format end to end into ``target`` (PyAV, no re-encoding)."""
    import av

    listing = "".join(
        "file 'file:{}'\n".format(Path(clip).resolve().as_posix().replace("'", "'\\''"))
        for clip in clips
    )
    with av.open(BytesIO(listing.encode()), format="concat", options={"safe": "0"}) as source:
        stream = source.streams.video[0]
        with av.open(str(target), mode="w") as output:
            out_stream = output.add_stream_from_template(template=stream)
            for packet in source.demux(stream):
                if packet.dts is None:  # demux's flushing packets
                    continue
                packet.dts = None  # let libav make them increase across clips
                packet.stream = out_stream
                output.mux(packet)


# -- locks, stale work, signals -----------------------------------------------------------


def _work_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}-work-"


def _remove_stale_work_dirs(out_dir: Path) -> None:
    """Work directories a killed render of ``out_dir`` left (we hold its lock)."""
    for stale in out_dir.parent.glob(_work_prefix(out_dir) + "*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def hold_directory(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir`` for this render; another render of it fails at once."""
    import fcntl

    descriptor = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderError(f"{out_dir}: another mlp-lecture render is writing it") from None
        yield
    finally:
        os.close(descriptor)


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

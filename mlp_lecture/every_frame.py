"""``mlp-lecture verify --frames``: every frame of every clip against a fresh render.

Rendering is deterministic: the same code and lesson draw the same pixels. So
each scene is rendered again, with its animations, by the render's own workers
(``mlp_lecture.pipeline.worker``, the same ``render_task`` and encoder settings)
at the quality, format and transparency the manifest records, into a temporary
folder. Then

- the ledger that render makes must equal the recorded one, entry by entry
  (``frame_check.ledger_differences``): paths, values, texts, steps;
- both clips are decoded in lockstep (PyAV), and every frame of the recorded
  clip must match the fresh one by the limits of ``frame_check`` (clips of the
  same bytes are the same frames: rendering and encoding are deterministic, so
  an honest clip is the fresh one byte for byte and is not decoded): PSNR of at
  least ``PSNR_THRESHOLD`` dB over the frame and no 2x2 patch off by more than
  ``PATCH_LIMIT``. A failure names the scene, the first wrong frame, its time
  and its step, and how many frames are wrong; a clip of another length fails;
- with ``--sections``, each step's clip is held the same way to the step clip
  Manim writes in the fresh render; a png still to the fresh still;
- a narrated scene (each step held for its voice) is rendered again with the
  narration it was rendered with, which ``verify --narration DIR`` names: the
  voice sets each step's length, so without it no frame can be compared, and
  the scene is one line saying so.

It costs about one render of the directory (measured in ``bench/verify_frames.py``).
The older check, ``--frames=ends`` (``frame_check.frame_problems``), builds each
scene with animations skipped and compares only the last frame of each step: it
misses anything shown between step ends, such as another lesson's numbers
spliced into every frame but those.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np

from mlp_lecture.frame_check import (
    PATCH_LIMIT,
    PSNR_THRESHOLD,
    ledger_differences,
    lesson_file,
    patch_error,
    psnr,
)
from mlp_lecture.pipeline.manifest import MANIFEST, Manifest, SceneEntry
from mlp_lecture.pipeline.options import QUALITIES, default_jobs
from mlp_lecture.pipeline.worker import Done, Failed, SceneOutput, SceneTask
from mlpmath.files import FileRefused, inside, regular_sha256, regular_size
from mlpmath.lesson_checks import quoted
from scenekit.ledger import LedgerFile, LedgerSection
from scenes import LECTURE_ORDER

__all__ = ["every_frame_problems", "frame_differences"]


def every_frame_problems(
    out_dir: Path,
    manifest: Manifest,
    ledgers: dict[str, LedgerFile],
    lesson_text: str,
    jobs: int | None = None,
    narration: Path | None = None,
) -> list[str]:
    """One line per scene whose fresh render differs from its recorded ledger or any
    frame of its clips (``jobs`` workers render the scenes; default one per core;
    ``narration``: the narration directory a narrated render was made with)."""
    from mlp_lecture.pipeline.pool import Workers  # spawns processes that import manim

    options = manifest.options
    if options.get("wrapper"):
        return [f"{MANIFEST}: rendered with a scene wrapper; --frames renders plain scenes"]
    if options.get("quality") not in QUALITIES:
        return [f"{MANIFEST}: options.quality: expected one of {', '.join(QUALITIES)}"]
    problems: list[str] = []
    modules = dict(LECTURE_ORDER)
    entries: dict[str, SceneEntry] = {}
    for entry in manifest.scenes:
        if entry.skipped is not None or ledgers.get(entry.ledger) is None:
            continue  # nothing to compare, or its ledger's own problem is reported already
        if entry.scene not in modules:
            problems.append(f"{entry.ledger}: {quoted(entry.scene)} is no scene of the lecture")
            continue
        if entry.narration is not None and narration is None:
            problems.append(
                f"{entry.file}: narrated, each step held for its voice: --frames renders it "
                "again only with its narration (add --narration DIR)"
            )
            continue
        entries[entry.scene] = entry
    if not entries:
        return problems
    voices: dict[str, Any] = {}
    narrated = [name for name, entry in entries.items() if entry.narration is not None]
    if narrated and narration is not None:
        try:
            voices = _voices(narration, manifest, lesson_text, narrated)
        except ValueError as error:  # the narration's own one-line refusals
            return [*problems, f"--narration: {error}"]
    with (
        lesson_file(manifest.lesson.name, lesson_text) as lesson,
        tempfile.TemporaryDirectory(prefix="mlp-verify-render-") as work,
    ):
        tasks = []
        for name in entries:
            (Path(work) / name).mkdir()
            tasks.append(
                SceneTask(
                    scene=name,
                    module=modules[name],
                    work=str(Path(work) / name),
                    lesson_file=str(lesson),
                    quality=QUALITIES[options["quality"]],
                    format=str(options.get("format") or "mp4"),
                    transparent=bool(options.get("transparent")),
                    sections=bool(options.get("sections")),
                    narration=voices.get(name),
                )
            )
        found: dict[str, list[str]] = {}
        with Workers(min(jobs or default_jobs(), len(tasks))) as workers:
            for message in workers.run(tasks):
                entry = entries.get(message.scene)
                if entry is None:
                    continue
                if isinstance(message, Failed):
                    found[entry.scene] = [
                        f"{entry.ledger}: the scene does not render again ({message.error})"
                    ]
                elif isinstance(message, Done):
                    found[entry.scene] = _scene_problems(
                        out_dir, entry, ledgers[entry.ledger], message.output, options
                    )
    for name in entries:  # in the lecture's order, whichever worker finished first
        problems += found.get(name, [])
    return problems


def _voices(folder: Path, manifest: Manifest, lesson_text: str, names: list[str]) -> dict[str, Any]:
    """Each narrated scene's step audio from the narration directory ``folder``, as the
    render handed it to its workers (``narration.plan``); ``ValueError`` (one line)."""
    from mlp_lecture.narration.draft import DraftError
    from mlp_lecture.narration.plan import plan_narration
    from mlp_lecture.narration.record import NarrationError
    from mlp_lecture.pipeline.safe_names import NameRefused
    from mlpmath import LessonError, parse_lesson

    try:
        lesson = parse_lesson(lesson_text, name=manifest.lesson.name, origin="lesson.toml")
        plan = plan_narration(folder, lesson, names)
    except (NarrationError, DraftError, NameRefused, LessonError) as error:
        raise ValueError(str(error)) from None
    return {name: plan.for_scene(name) for name in names}


def _scene_problems(
    out_dir: Path,
    entry: SceneEntry,
    recorded: LedgerFile,
    fresh: SceneOutput,
    options: dict[str, Any],
) -> list[str]:
    """The fresh render of ``entry``'s scene against what the directory holds."""
    if fresh.skipped is not None:
        return [f"{entry.ledger}: the scene is skipped for this lesson ({fresh.skipped})"]
    made = fresh.ledger
    assert made is not None, "a rendered scene has a ledger"
    made.sections = [
        LedgerSection(i, s.name, s.step, None, None, s.values) for i, s in enumerate(fresh.sections)
    ]
    problems = [f"{entry.ledger}: {line}" for line in ledger_differences(recorded, made)]
    alpha = bool(options.get("transparent"))
    steps = [(s.start, s.end, s.step) for s in fresh.sections]
    clip = _listed(out_dir, entry.file)
    if clip is not None and fresh.artifact:
        problems += frame_differences(
            clip, Path(fresh.artifact), entry.scene, entry.file, alpha, steps
        )
    if options.get("sections"):
        for n, (section, made_section) in enumerate(
            zip(entry.sections, fresh.sections, strict=False)
        ):
            step_clip = _listed(out_dir, section.file) if section.file else None
            if step_clip is None or made_section.file is None:
                continue
            problems += frame_differences(
                step_clip,
                Path(made_section.file),
                entry.scene,
                section.file or "",
                alpha,
                [(0.0, None, made_section.step)],
                step=n,
            )
    return problems


def _listed(out_dir: Path, name: str) -> Path | None:
    """The regular file ``name`` in ``out_dir``; None (the manifest's check names it) else."""
    try:
        path = inside(out_dir, name)
        regular_size(path)
    except (FileRefused, OSError):
        return None
    return path


def frame_differences(
    recorded: Path,
    fresh: Path,
    scene: str,
    shown_name: str,
    alpha: bool,
    steps: list[tuple[float | None, float | None, str]],
    step: int | None = None,
) -> list[str]:
    """Every frame of the clip ``recorded`` against the clip ``fresh``, decoded in lockstep.

    ``steps`` are the fresh render's (start, end, caption) in seconds, to name the
    step a wrong frame belongs to (``step``: the step a step clip is). Returns one
    line: the first wrong frame, its time and step, and the count of wrong frames.

    Clips of the same bytes decode to the same frames: an honest clip, which
    the deterministic render and encoder reproduce exactly, is not decoded.
    """
    try:
        if regular_sha256(recorded) == regular_sha256(fresh):
            return []
    except (FileRefused, OSError):
        pass  # decoded below, which names what is wrong with it
    kind = "rgba" if alpha else "rgb24"
    wrong = 0
    first = None
    count = made = 0
    try:
        for index, (shown, drawn, at) in enumerate(_lockstep(recorded, fresh, kind)):
            count += shown is not None
            made += drawn is not None
            if drawn is None:
                break  # a recorded clip longer than the scene: not decoded to its end
            if shown is None:
                continue
            if shown.shape != drawn.shape:
                return [
                    f"{shown_name}: frames of {shown.shape[1]}x{shown.shape[0]}, but {scene} "
                    f"draws {drawn.shape[1]}x{drawn.shape[0]}"
                ]
            if np.array_equal(shown, drawn):
                continue
            value, patch = psnr(shown, drawn), patch_error(shown, drawn)
            if value < PSNR_THRESHOLD or patch > PATCH_LIMIT:
                wrong += 1
                if first is None:
                    first = (index, at[0], value, patch)
    except _Undecodable as error:
        return [f"{shown_name}: does not decode as a clip ({error})"]
    problems = []
    if count > made:
        problems.append(f"{shown_name}: more frames than the {made} {scene} draws there")
    elif count < made:
        problems.append(f"{shown_name}: {count} frames, but {scene} draws {made} there")
    if first is not None:
        index, seconds, value, patch = first
        where = _step_of(seconds, steps) if step is None else _named_step(step, steps[0][2])
        problems.append(
            f"{shown_name}: {scene} frame {index} at {seconds:.2f} s ({where}) is not what the "
            f"scene draws (PSNR {value:.1f} dB, a patch off by {patch:.0f}; limits "
            f"{PSNR_THRESHOLD:.0f} dB, {PATCH_LIMIT}); "
            f"{wrong} of {min(count, made)} frames compared are wrong"
        )
    return problems


class _Undecodable(Exception):
    """A clip PyAV cannot decode (its message is one line)."""


def _frames(path: Path, kind: str) -> Iterator[tuple[np.ndarray, float, float]]:
    """Each frame of ``path`` as an array, its time in seconds and the clip's frame rate."""
    import av

    if path.suffix == ".png":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                yield np.asarray(image.convert("RGBA" if kind == "rgba" else "RGB")), 0.0, 0.0
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise _Undecodable(type(error).__name__) from None
        return
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or 0)
            for number, frame in enumerate(container.decode(stream)):
                yield frame.to_ndarray(format=kind), number / rate if rate else 0.0, rate
    except (av.FFmpegError, IndexError, ValueError, OSError) as error:
        raise _Undecodable(quoted(str(error) or type(error).__name__, 80)[1:-1]) from None


def _lockstep(
    recorded: Path, fresh: Path, kind: str
) -> Iterator[tuple[np.ndarray | None, np.ndarray | None, tuple[float, float]]]:
    """The frames of both clips side by side (None past one's end), with the fresh
    frame's time and rate: two frames in memory at a time, whatever the length."""
    for shown, drawn in zip_longest(_frames(recorded, kind), _frames(fresh, kind)):
        timing = (drawn[1], drawn[2]) if drawn is not None else (shown[1], shown[2])
        yield (
            None if shown is None else shown[0],
            None if drawn is None else drawn[0],
            timing,
        )


def _step_of(seconds: float, steps: list[tuple[float | None, float | None, str]]) -> str:
    """The step (by number and caption) whose time span holds ``seconds``."""
    for number, (start, end, caption) in enumerate(steps):
        if start is not None and end is not None and start <= seconds + 1e-6 < end:
            return _named_step(number, caption)
    if steps:
        return _named_step(len(steps) - 1, steps[-1][2])
    return "the scene"


def _named_step(number: int, caption: str) -> str:
    return f"step {number}, {quoted(caption or 'the title', 50)}"

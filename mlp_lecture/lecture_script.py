"""The teacher's script: the lecture as Markdown, to read along while recording a voice-over.

Per scene its title and duration; per step its start time, caption and
duration, and the numbers that appear on screen in it with their trace
paths. Everything comes from a render directory: the manifest
(``lecture.json``: durations, each step's start and end in its clip) and
the ledgers (``<Scene>.values.json``: what each step shows). ``build_script``
reads the scenes the directory holds (or those asked for) and renders only
what is missing or out of date, so the script always describes clips that
exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlp_lecture.captions import plain_text
from mlp_lecture.pipeline.keys import lesson_hash
from mlp_lecture.pipeline.manifest import (
    LESSON_COPY,
    Manifest,
    ManifestFormatError,
    SceneEntry,
    read_manifest,
)
from mlp_lecture.pipeline.options import RenderError, RenderOptions
from mlp_lecture.pipeline.render import RenderObserver, RenderReport, render_scenes
from mlpmath import Lesson, LessonError, cached_trace, default_lesson, parse_lesson
from mlpmath.lesson import read_lesson_text
from scenekit.ledger import LedgerFile, read_ledger
from scenes import LECTURE_ORDER

__all__ = [
    "ScriptReport",
    "build_script",
    "clock",
    "code_span",
    "default_script_path",
    "held_scenes",
    "markdown_text",
    "notation_lines",
    "rendered_lesson",
    "script_text",
]


@dataclass
class ScriptReport:
    """A script built: the render beneath it and the Markdown."""

    render: RenderReport
    text: str = ""


def clock(seconds: float) -> str:
    """``m:ss.s``: a time as a teacher reads it off a player (``83.25`` -> ``1:23.3``)."""
    tenths = round(seconds * 10)
    minutes, tenths = divmod(tenths, 600)
    return f"{minutes}:{tenths // 10:02d}.{tenths % 10}"


# Free text in the script (titles, captions, numbers, notes) is literal text, never markup:
# these characters, which CommonMark or GitHub read as markup anywhere in a line, get a
# backslash; so does a list, heading or setext marker that opens the text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~$])")
_OPENING_MARKER = re.compile(r"^([-+=]|\d+(?=[.)]))")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that reads back as exactly ``text`` (whitespace runs as one space).

    ``<script>`` -> ``\\<script\\>``, ``[a](b)`` -> ``\\[a\\](b)``, ``a|b`` -> ``a\\|b``.
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _OPENING_MARKER.sub(lambda m: m[0] + "\\" if m[0].isdigit() else "\\" + m[0], escaped)


def code_span(text: str, in_table: bool = False) -> str:
    """``text`` (a name or a path) as a Markdown code span, fenced by more backticks than
    any run inside it (CommonMark's rule): it shows literally, markup and all. In a table
    cell a ``|`` is ``\\|`` even in code (GitHub's rule), else it would end the cell."""
    text = " ".join(text.splitlines())
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def build_script(
    lesson: Lesson | None,
    names: Sequence[str] | None,
    out_dir: Path,
    options: RenderOptions | None = None,
    *,
    jobs: int | None = None,
    observer: RenderObserver | None = None,
) -> ScriptReport:
    """The script of ``names`` as ``out_dir`` holds them; only what is missing is rendered.

    ``names`` None: the scenes ``out_dir``'s render holds (every scene when it
    holds none). ``lesson`` None: the lesson ``out_dir`` was rendered from (the
    default lesson when it is no render); a ``lesson`` other than the one
    ``out_dir`` holds is refused (``RenderError``), its render is not replaced.
    Without ``options``, a render directory is kept as it was rendered (e.g. a
    slides directory, with its step clips), else rendered with the defaults.
    No script is written when a scene fails (the report says which).
    """
    held = rendered_lesson(out_dir)
    if lesson is None:
        lesson = held or default_lesson()
    elif held is not None and lesson_hash(cached_trace(held)) != lesson_hash(cached_trace(lesson)):
        raise RenderError(
            f"{out_dir}: holds the render of lesson {held.name!r}, not of {lesson.name!r} "
            "(choose another --dir, or no lesson to script the one it holds)"
        )
    if names is None:
        names = held_scenes(out_dir) if held is not None else []
        names = names or [name for name, _ in LECTURE_ORDER]
    options = options or _options_of(out_dir)
    report = render_scenes(lesson, names, out_dir, options, jobs=jobs, observer=observer)
    result = ScriptReport(report)
    if report.failed:
        return result
    manifest = read_manifest(out_dir)
    chosen = [entry for entry in manifest.scenes if entry.scene in set(names)]
    result.text = script_text(manifest, chosen, out_dir)
    return result


def notation_lines(lesson: Lesson | None) -> list[str]:
    """The notation the clips use (``mlpmath.notation``), said once for the voice-over:
    where each kind of index goes and what it counts from, and a classifier's classes."""
    from mlpmath.notation import INDICES

    lines = ["", "Notation, as the clips write it (say it the same way):", ""]
    lines += [
        f"- {markdown_text(index.kind)} `{index.letter}`: {markdown_text(index.position)}; "
        f"numbered from {markdown_text(index.base)}"
        for index in INDICES
    ]
    lines.append(
        "- `y` is only ever the target (the true class), `ŷ` the prediction (the predicted "
        "class); `z` the logits, `p` the probabilities, `Y` the one-hot classes."
    )
    if lesson is not None and lesson.class_names:
        named = ", ".join(
            f"{k} {markdown_text(name)}" if name != str(k) else str(k)
            for k, name in enumerate(lesson.class_names)
        )
        lines.append(f"- The classes: {named}.")
    return lines


def rendered_lesson(out_dir: Path) -> Lesson | None:
    """The lesson ``out_dir``'s render was made from (its ``lesson.toml``), or None."""
    try:
        manifest = read_manifest(out_dir)
        text = read_lesson_text(out_dir / LESSON_COPY)
        # Under the name the render gave it: the trace, and so its hash, records the name.
        return parse_lesson(text, name=manifest.lesson.name, origin=str(out_dir / LESSON_COPY))
    except (OSError, ManifestFormatError, LessonError):
        return None


def held_scenes(out_dir: Path) -> list[str]:
    """The scenes ``out_dir``'s manifest lists, in lecture order ([] when none)."""
    try:
        listed = {entry.scene for entry in read_manifest(out_dir).scenes}
    except (OSError, ManifestFormatError):
        return []
    return [name for name, _ in LECTURE_ORDER if name in listed]


def default_script_path(out_dir: Path) -> Path:
    """Where the script of the render in ``out_dir`` goes: ``script.md`` beside ``out_dir``."""
    return out_dir.parent / "script.md"


def _options_of(out_dir: Path) -> RenderOptions:
    """The options ``out_dir`` was rendered with, when they make clips; else the defaults."""
    try:
        options = RenderOptions(**read_manifest(out_dir).options)
        options.check()
    except (OSError, ValueError, TypeError, RenderError):
        return RenderOptions()
    return options if options.format != "png" else RenderOptions()


def script_text(manifest: Manifest, scenes: Sequence[SceneEntry], out_dir: Path) -> str:
    """The Markdown script of ``scenes`` (manifest entries) of the render in ``out_dir``."""
    shown = [entry for entry in scenes if entry.skipped is None]
    total = sum(entry.duration or 0.0 for entry in shown)
    lines = [
        f"# {markdown_text(manifest.lesson.title)}: the script",
        "",
        f"Lesson {code_span(manifest.lesson.name)}: {len(shown)} scene(s), {clock(total)} of "
        f"video ({markdown_text(str(manifest.options.get('quality')))} quality, rendered in "
        f"{code_span(str(out_dir))}).",
        "Each step gives its start in the scene's clip and, in brackets, in the whole "
        "lecture (`mlp-lecture render --lecture`), then how long it lasts.",
        "Under each caption: the numbers that appear on screen in that step, "
        "with their trace paths (`mlp-lecture trace`).",
        *notation_lines(rendered_lesson(out_dir)),
    ]
    lecture_at = 0.0
    for number, entry in enumerate(shown, start=1):
        ledger = read_ledger(out_dir / entry.ledger)
        lines += _scene(number, entry, ledger, lecture_at)
        lecture_at += entry.duration or 0.0
    for entry in scenes:
        if entry.skipped is not None:
            why = markdown_text(entry.skipped)
            lines += ["", f"*{code_span(entry.scene)} is not in this lecture: {why}.*"]
    return "\n".join(lines) + "\n"


def _scene(number: int, entry: SceneEntry, ledger: LedgerFile, lecture_at: float) -> list[str]:
    title = markdown_text(plain_text(ledger.title or entry.scene))
    scene = code_span(entry.scene)
    lines = ["", f"## {number}. {title} ({scene}, {clock(entry.duration or 0.0)})"]
    steps = sum(1 for section in entry.sections if section.step)
    step = 0
    before: set[tuple[str, str]] = set()
    for section, ledger_section in zip(entry.sections, ledger.sections, strict=True):
        start = section.start or 0.0
        end = section.end if section.end is not None else start
        if section.step:
            step += 1
            what = f"step {step} of {steps}"
        else:
            what = "title"
        lines += [
            "",
            f"### {clock(start)} [{clock(lecture_at + start)}] · {what} · {end - start:.1f} s",
            "",
            f"> {markdown_text(plain_text(section.step or ledger.title or entry.scene))}",
        ]
        # In the order the scene recorded them, each number once.
        on_screen = list(
            dict.fromkeys(
                (v.path, v.text) for v in map(ledger.values.__getitem__, ledger_section.values)
            )
        )
        new = [pair for pair in on_screen if pair not in before]
        kept = len(on_screen) - len(new)
        if new:
            lines += ["", "| on screen | trace path |", "|---|---|"]
            lines += [
                f"| {markdown_text(text)} | {code_span(path, in_table=True)} |"
                for path, text in new
            ]
        if kept:
            lines += ["", f"Still on screen from earlier steps: {kept} value(s)."]
        before = set(on_screen)
    return lines

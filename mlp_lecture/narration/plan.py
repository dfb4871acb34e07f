"""What a render with ``--narration DIR`` gives each scene: its steps' audio files.

``plan_narration`` reads ``DIR/narration.json``, refuses one of another
lesson (with ``draft_missing``, brings one written for an earlier version of
the lesson up to date first), chooses each step's audio (the teacher's recording over a draft),
checks every chosen file decodes (one line for a file that is not audio,
empty, or hours long), and with ``draft_missing`` speaks a draft for a step
that has no audio at all (never for one whose recording is stale). The
result is plain data for the scene's render task and its cache key: a
changed recording changes its scene's key only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlp_lecture.narration.audio import AudioRefused, decode_audio
from mlp_lecture.narration.record import (
    NARRATION_FILE,
    NarrationError,
    read_narration,
    write_narration,
)
from mlp_lecture.narration.script import file_sha256, prepare_narration, refresh_draft
from mlp_lecture.pipeline.keys import lesson_hash
from mlpmath import Lesson, cached_trace
from mlpmath.files import FileRefused

__all__ = ["PAUSE", "NarrationPlan", "StepAudio", "plan_narration"]

PAUSE = 0.5  # seconds of quiet after a step's narration before the next step begins


@dataclass(frozen=True)
class StepAudio:
    """One step's narration, as a render task carries it to the worker."""

    step: int  # from 1; 0: the scene's title
    sentence_sha256: str  # the sentence it was made for: the worker holds it to the step's
    path: str  # the audio file, absolute
    name: str  # the file relative to the narration DIR (what the manifest records)
    audio_sha256: str
    voice: str  # "recorded" | "draft"

    def key(self) -> list[object]:
        return [self.step, self.sentence_sha256, self.audio_sha256, self.voice]


@dataclass
class NarrationPlan:
    """Each scene's narrated steps (scenes with none are absent), and the drafts made."""

    folder: Path
    scenes: dict[str, tuple[StepAudio, ...]]
    drafted: list[str]
    missing: list[str] = field(default_factory=list)  # steps left silent: no audio at all

    def for_scene(self, scene: str) -> tuple[StepAudio, ...]:
        return self.scenes.get(scene, ())

    def key(self, scene: str) -> list[object] | None:
        """The scene's part of its cache key (None: rendered silent, as without narration)."""
        steps = self.for_scene(scene)
        if not steps:
            return ["narrated", PAUSE]  # silent but with an audio track, unlike a plain render
        return ["narrated", PAUSE, [step.key() for step in steps]]


def plan_narration(
    folder: Path, lesson: Lesson, names: Sequence[str], draft_missing: bool = False
) -> NarrationPlan:
    """The narration of ``names`` in ``folder``; ``NarrationError`` (one line) when unusable."""
    narration = read_narration(folder)
    source = folder / NARRATION_FILE
    if narration.lesson != lesson.name:
        raise NarrationError(
            f"{source}: the narration of lesson {narration.lesson!r}, not {lesson.name!r} "
            f"(write one for it: mlp-lecture narration {lesson.name} --dir NEWDIR)"
        )
    if draft_missing and narration.lesson_hash != lesson_hash(cached_trace(lesson)):
        # The lesson changed since the list was written: its sentences may have. Bring it
        # up to date first (recordings kept, stale ones flagged; drafts spoken anew), so
        # no draft is made of a sentence the step no longer says.
        prepare_narration(folder, lesson, names, draft=True)
        narration = read_narration(folder)
    scenes: dict[str, tuple[StepAudio, ...]] = {}
    drafted: list[str] = []
    missing: list[str] = []
    changed = False
    for name in names:
        chosen: list[StepAudio] = []
        for entry in narration.for_scene(name):
            path = entry.recording(folder, source)
            voice = "recorded"
            if path is None:
                voice = "draft"
                path = entry.draft_file(folder, source)
                if path is not None and file_sha256(path) != entry.audio_sha256:
                    path = None  # not the draft we made for this entry: not ours to use
            if path is None and draft_missing:
                refresh_draft(folder, source, entry)
                drafted.append(f"{name} step {entry.step}")
                changed = True
                path = entry.draft_file(folder, source)
            if path is None:
                missing.append(f"{name} step {entry.step}")
                continue
            try:
                audio_sha = file_sha256(path)
                decode_audio(path)  # refused in one line: not audio, empty, hours long
            except (FileRefused, OSError) as error:
                raise NarrationError(f"{path}: {error}") from None
            except AudioRefused as error:
                raise NarrationError(str(error)) from None
            if voice == "recorded" and entry.voice != "recorded":
                entry.voice, entry.audio_sha256, changed = "recorded", audio_sha, True
            relative = path.relative_to(folder).as_posix()
            chosen.append(
                StepAudio(entry.step, entry.sha256, str(path.resolve()), relative, audio_sha, voice)
            )
        if chosen:
            scenes[name] = tuple(chosen)
    if changed:
        write_narration(folder, narration)
    return NarrationPlan(folder, scenes, drafted, missing)

"""``mlp-lecture narration``: write (or bring up to date) ``DIR/narration.json``.

Every step of every chosen scene gets an entry: its sentence, the sentence's
hash, the file where its recording belongs. Running it again after the
lesson or a scene changed keeps what is still right: a recording made for
a sentence that changed keeps the old sentence's hash (it is *stale*: the
report names it, and the render refuses it until it is recorded again);
steps without a recording take the new sentence. ``draft=True`` speaks
every step that has no recording with espeak-ng.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mlp_lecture.narration.draft import speak_draft
from mlp_lecture.narration.record import (
    NARRATION_FILE,
    NarrationError,
    NarrationFile,
    NarrationStep,
    read_narration,
    sentence_sha256,
    step_name,
    write_narration,
)
from mlp_lecture.pipeline.keys import lesson_hash
from mlpmath import Lesson, cached_trace
from mlpmath.files import regular_sha256

__all__ = ["NarrationReport", "file_sha256", "prepare_narration", "refresh_draft", "speak_drafts"]


@dataclass
class NarrationReport:
    """What ``prepare_narration`` found and wrote."""

    path: Path
    steps: int = 0
    recorded: list[str] = field(default_factory=list)  # "Scene step N"
    drafted: list[str] = field(default_factory=list)  # drafts made now
    drafts: int = 0  # steps whose voice is a draft (made now or before)
    missing: list[str] = field(default_factory=list)  # no audio at all
    stale: list[str] = field(default_factory=list)  # recordings made for another sentence
    skipped: list[str] = field(default_factory=list)  # scenes the lesson has nothing for


def file_sha256(path: Path) -> str:
    """The sha256 of a regular file (a symbolic link or a device is refused)."""
    return regular_sha256(path)


def prepare_narration(
    folder: Path,
    lesson: Lesson,
    names: Sequence[str],
    *,
    draft: bool = False,
    heard: Callable[[str], None] | None = None,
) -> NarrationReport:
    """Write ``folder/narration.json`` for every step of ``names``; ``draft``: speak
    the steps without a recording. Refuses (``NarrationError``) a folder whose
    narration is of another lesson, and a path that is a file."""
    from mlp_lecture.narration.steps import scene_steps

    if folder.exists() and not folder.is_dir():
        raise NarrationError(f"{folder}: not a directory")
    existing: NarrationFile | None = None
    if (folder / NARRATION_FILE).exists():
        existing = read_narration(folder)
        if existing.lesson != lesson.name:
            raise NarrationError(
                f"{folder / NARRATION_FILE}: the narration of lesson {existing.lesson!r}, "
                f"not {lesson.name!r} (choose another --dir)"
            )
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / NARRATION_FILE
    sentences = scene_steps(lesson, names, heard)
    narration = NarrationFile(lesson.name, lesson_hash(cached_trace(lesson)))
    report = NarrationReport(source)
    chosen = set(names)
    to_draft: list[tuple[NarrationStep, NarrationStep | None]] = []
    for name in names:
        if sentences[name] is None:
            report.skipped.append(name)
            continue
        (folder / name).mkdir(exist_ok=True)  # where the teacher saves the scene's files
        for number, sentence in enumerate(sentences[name] or []):  # 0: the title
            old = existing.find(name, number) if existing else None
            entry = _entry(folder, source, name, number, sentence, old, draft, report)
            narration.steps.append(entry)
            if draft and entry.voice == "none":
                to_draft.append((entry, old))
    speak_drafts(folder, source, to_draft)
    if existing is not None:  # other scenes' entries stay as they were
        narration.steps.extend(s for s in existing.steps if s.scene not in chosen)
    order = {name: i for i, name in enumerate(names)}
    narration.steps.sort(key=lambda s: (order.get(s.scene, len(order)), s.scene, s.step))
    report.steps = sum(1 for s in narration.steps if s.scene in chosen)
    write_narration(folder, narration)
    return report


def _entry(
    folder: Path,
    source: Path,
    scene: str,
    number: int,
    sentence: str,
    old: NarrationStep | None,
    draft: bool,
    report: NarrationReport,
) -> NarrationStep:
    """The entry of one step, brought up to date with what ``folder`` holds."""
    sha = sentence_sha256(sentence)
    label = f"{scene} step {number}"
    entry = NarrationStep(
        scene, number, sentence, sha, old.file if old else step_name(scene, number)
    )
    entry.take_sha256 = old.take_sha256 if old else ""
    recording = entry.recording(folder, source)
    if recording is not None:
        entry.voice = "recorded"
        entry.audio_sha256 = file_sha256(recording) if recording.is_file() else ""
        if old is not None and old.sha256 != sha:
            # made for the sentence the list gave when it was recorded: the old one
            entry.sentence, entry.sha256 = old.sentence, old.sha256
            report.stale.append(label)
        else:
            report.recorded.append(label)
        return entry
    drafted = entry.draft_file(folder, source)
    current = (
        drafted is not None
        and old is not None
        and old.voice == "draft"
        and old.sha256 == sha
        and old.audio_sha256 == file_sha256(drafted)
    )
    if current:
        entry.voice, entry.audio_sha256 = "draft", old.audio_sha256 if old else ""
        report.drafts += 1
        return entry
    ours = old is not None and old.voice == "draft" and old.audio_sha256
    if drafted is not None and ours and old and file_sha256(drafted) == old.audio_sha256:
        drafted.unlink()  # our draft of a sentence the step no longer says
    if draft:  # spoken with the others (``speak_drafts``)
        report.drafted.append(label)
        report.drafts += 1
    else:
        report.missing.append(label)
    return entry


def speak_drafts(
    folder: Path, source: Path, entries: list[tuple[NarrationStep, NarrationStep | None]]
) -> None:
    """``refresh_draft`` for each ``(entry, old)``, a few espeak-ng processes at a time."""
    if not entries:
        return
    with ThreadPoolExecutor(max_workers=min(len(entries), os.cpu_count() or 1)) as pool:
        done = [pool.submit(refresh_draft, folder, source, e, old) for e, old in entries]
        for future in done:
            future.result()  # the first failure, in one line


def refresh_draft(
    folder: Path, source: Path, entry: NarrationStep, old: NarrationStep | None = None
) -> None:
    """Speak ``entry``'s sentence into its draft file; an existing draft is replaced only
    when its hash proves it ours (``old.audio_sha256``), else ``NarrationError``."""
    target = entry.draft_file(folder, source)
    if target is not None:
        proof = {old.audio_sha256 if old else "", entry.audio_sha256} - {""}
        if file_sha256(target) not in proof:
            raise NarrationError(
                f"{target}: a file not written by mlp-lecture is where {entry.scene} step "
                f"{entry.step}'s draft goes (move it away)"
            )
    from mlp_lecture.pipeline.safe_names import inside

    path = inside(folder, entry.draft, source=source, field="file")
    speak_draft(entry.sentence, path)
    entry.voice = "draft"
    entry.audio_sha256 = file_sha256(path)

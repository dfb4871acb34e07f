"""``DIR/narration.json``: one entry per step of every scene, and where its audio belongs.

The file is the teacher's recording list. Each entry names the scene, the
step (its number in the scene, from 1; 0 is the scene's title, said as it
opens), the step's sentence (the caption, as the ledger records it) with its
sha256, the ``file`` (relative to DIR) where the step's audio belongs, and
its ``voice``: ``recorded`` (the teacher's), ``draft`` (espeak-ng's,
labelled so everywhere) or ``none`` (no audio yet). The sha256 is the
sentence the audio was made for: when the lesson or the scene changes a
step's sentence, a recording made for the old one is *stale* and the render
refuses it (manim-voiceover's cache keys each sound by its text in the same
way).

A recording lives at ``<Scene>/<NN>.<wav|flac|ogg|mp3>`` (any of the four),
a draft beside it at ``<Scene>/<NN>.draft.wav``: a draft never replaces a
recording, and a recording saved later wins over the draft by itself.
``audio_sha256`` is the hash of the file the entry's voice came from when
we last wrote or checked it: it proves a draft is ours before we replace
it; ``take_sha256`` is the hash of the take ``record`` last wrote, which
alone lets ``record`` replace a recording (one saved from an audio editor
is the teacher's, never overwritten).

Every name read from the file passes the containment gate
(``mlp_lecture.pipeline.safe_names``) before it is used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlp_lecture.narration.audio import AUDIO_SUFFIXES
from mlp_lecture.pipeline.safe_names import NameRefused, check_name, inside
from mlp_lecture.written_aside import write_text_aside
from mlpmath.files import FileRefused, read_regular

__all__ = [
    "NARRATION_FILE",
    "VOICES",
    "NarrationError",
    "NarrationFile",
    "NarrationStep",
    "draft_name",
    "read_narration",
    "sentence_sha256",
    "step_name",
    "write_narration",
]

NARRATION_FILE = "narration.json"
FORMAT = "mlp-lecture narration"
VERSION = 1
VOICES = ("recorded", "draft", "none")
MAX_FILE = 4 * 1024 * 1024  # narration.json of the largest lecture is ~100 kB


class NarrationError(ValueError):
    """A narration directory that cannot be used: one line for the user."""


def sentence_sha256(sentence: str) -> str:
    """The sha256 of a step's sentence (UTF-8): what a recording was made for."""
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()


def step_name(scene: str, step: int, suffix: str = ".wav") -> str:
    """``SingleNeuron/03.wav``: where step 3's recording belongs, relative to DIR."""
    return f"{scene}/{step:02d}{suffix}"


def draft_name(scene: str, step: int) -> str:
    """``SingleNeuron/03.draft.wav``: where step 3's draft belongs (never the recording's)."""
    return f"{scene}/{step:02d}.draft.wav"


@dataclass
class NarrationStep:
    """One step's narration: what it says and where its audio is."""

    scene: str
    step: int  # from 1, in the scene's order of steps; 0: the scene's title
    sentence: str  # the step's caption as the ledger records it
    sha256: str  # of the sentence the audio was made for
    file: str  # relative to DIR: where the recording belongs
    voice: str = "none"  # "recorded" | "draft" | "none"
    audio_sha256: str = ""  # the audio file's hash when last written or checked
    take_sha256: str = ""  # the hash of the take ``record`` wrote there (its proof of ownership)

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.scene,
            "step": self.step,
            "sentence": self.sentence,
            "sha256": self.sha256,
            "file": self.file,
            "voice": self.voice,
            "audio_sha256": self.audio_sha256,
            "take_sha256": self.take_sha256,
        }

    @classmethod
    def from_json(cls, data: Any, where: str, source: Path) -> NarrationStep:
        if not isinstance(data, dict):
            raise NarrationError(f"{source}: {where}: expected an object")
        for key in ("scene", "sentence", "sha256", "file", "voice"):
            if not isinstance(data.get(key), str):
                raise NarrationError(f"{source}: {where}.{key}: expected text")
        step = data.get("step")
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise NarrationError(f"{source}: {where}.step: expected a whole number from 0")
        if data["voice"] not in VOICES:
            raise NarrationError(f"{source}: {where}.voice: expected one of {', '.join(VOICES)}")
        check_name(data["file"], source=source, field=f"{where}.file")
        if Path(data["file"]).suffix.lower() not in AUDIO_SUFFIXES:
            raise NarrationError(
                f"{source}: {where}.file: expected a {'/'.join(AUDIO_SUFFIXES)} file name"
            )
        for key in ("audio_sha256", "take_sha256"):
            if not isinstance(data.get(key, ""), str):
                raise NarrationError(f"{source}: {where}.{key}: expected text")
        return cls(
            data["scene"],
            step,
            data["sentence"],
            data["sha256"],
            data["file"],
            data["voice"],
            data.get("audio_sha256", ""),
            data.get("take_sha256", ""),
        )

    @property
    def draft(self) -> str:
        """Where this step's draft belongs, relative to DIR."""
        return draft_name(self.scene, self.step)

    def recording(self, folder: Path, source: Path) -> Path | None:
        """The teacher's recording of this step in ``folder`` (any of the four formats)."""
        stem = self.file.rsplit(".", 1)[0]
        names = [self.file] + [f"{stem}{s}" for s in AUDIO_SUFFIXES if f"{stem}{s}" != self.file]
        for name in names:
            path = inside(folder, name, source=source, field="file")
            if path.is_file() or path.is_symlink():
                return path
        return None

    def draft_file(self, folder: Path, source: Path) -> Path | None:
        path = inside(folder, self.draft, source=source, field="file")
        return path if path.is_file() else None


@dataclass
class NarrationFile:
    """``narration.json``: the lesson it is for and one entry per step."""

    lesson: str  # the lesson's name: a narration of another lesson is refused
    lesson_hash: str  # the lesson's hash when the file was (re)written
    steps: list[NarrationStep] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "lesson": self.lesson,
            "lesson_hash": self.lesson_hash,
            "steps": [step.to_json() for step in self.steps],
        }

    @classmethod
    def from_json(cls, data: Any, source: Path) -> NarrationFile:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NarrationError(f"{source}: not a narration file of mlp-lecture's")
        if data.get("version") != VERSION:
            raise NarrationError(f"{source}: version {data.get('version')!r}; expected {VERSION}")
        for key in ("lesson", "lesson_hash"):
            if not isinstance(data.get(key), str):
                raise NarrationError(f"{source}: {key}: expected text")
        steps = data.get("steps")
        if not isinstance(steps, list):
            raise NarrationError(f"{source}: steps: expected a list")
        entries = [
            NarrationStep.from_json(item, f"steps[{i}]", source) for i, item in enumerate(steps)
        ]
        seen: set[tuple[str, int]] = set()
        for i, entry in enumerate(entries):
            if (entry.scene, entry.step) in seen:
                raise NarrationError(
                    f"{source}: steps[{i}]: {entry.scene} step {entry.step} is listed twice"
                )
            seen.add((entry.scene, entry.step))
        return cls(data["lesson"], data["lesson_hash"], entries)

    def for_scene(self, scene: str) -> list[NarrationStep]:
        return [step for step in self.steps if step.scene == scene]

    def find(self, scene: str, step: int) -> NarrationStep | None:
        for entry in self.steps:
            if entry.scene == scene and entry.step == step:
                return entry
        return None


def read_narration(folder: Path) -> NarrationFile:
    """``folder/narration.json``, checked; ``NarrationError`` (one line) when it cannot be."""
    if not folder.exists():
        raise NarrationError(
            f"{folder}: no such directory (make it with: mlp-lecture narration --dir {folder})"
        )
    if not folder.is_dir():
        raise NarrationError(f"{folder}: not a directory")
    path = folder / NARRATION_FILE
    if not path.exists():
        raise NarrationError(
            f"{path}: missing (write it with: mlp-lecture narration --dir {folder})"
        )
    try:
        data = json.loads(read_regular(path, MAX_FILE).decode("utf-8"))
    except FileRefused as error:
        raise NarrationError(str(error)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NarrationError(f"{path}: not JSON ({error})") from None
    try:
        return NarrationFile.from_json(data, path)
    except NameRefused as error:
        raise NarrationError(str(error)) from None


def write_narration(folder: Path, narration: NarrationFile) -> Path:
    """Write ``folder/narration.json`` all at once (written aside, then moved in)."""
    text = json.dumps(narration.to_json(), indent=2, ensure_ascii=False) + "\n"
    return write_text_aside(folder / NARRATION_FILE, text, prefix=".narration-")

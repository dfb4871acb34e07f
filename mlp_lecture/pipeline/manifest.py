"""``lecture.json``, the manifest of a render directory: the one owner of its format.

It names the lesson (title and hash) and the options the directory was
rendered with, and per scene in lecture order its content key, files (with
their sizes), steps, duration and number of traced values. It is rewritten
after every scene, so it always describes exactly what the directory holds.

Every name it holds of a file or folder (a scene's ``files``, ``sha256``,
``file``, ``ledger``, ``captions`` and step clips; the lecture's; ``owned``;
``explore``'s; ``work``) is checked as it is read to be a plain name inside
the directory (``safe_names``): one that is not refuses the whole manifest,
naming the field and the name, so no command ever acts on it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlp_lecture.pipeline.safe_names import name_problem
from mlpmath.files import FileRefused, inside, read_regular, regular_sha256, regular_size
from mlpmath.lesson_checks import quoted

__all__ = [
    "LECTURE_STEM",
    "LESSON_COPY",
    "MANIFEST",
    "MANIFEST_VERSION",
    "MAX_MANIFEST_BYTES",
    "SECTIONS_DIR",
    "LectureEntry",
    "LessonRecord",
    "Manifest",
    "ManifestFormatError",
    "PageEntry",
    "SceneEntry",
    "SectionEntry",
    "file_sha256",
    "read_manifest",
]

MANIFEST = "lecture.json"
MANIFEST_VERSION = 2  # 2: each scene's title and the sha256 of each of its files
LESSON_COPY = "lesson.toml"  # the lesson the directory was rendered from
LECTURE_STEM = "lecture"  # the joined clips: lecture.<format>
SECTIONS_DIR = "sections"  # one clip per step: sections/<Scene>-NN.<format>
# The most a manifest may be: ten scenes with every option take about 40 kB.
MAX_MANIFEST_BYTES = 4_000_000


class ManifestFormatError(ValueError):
    """A manifest that does not hold what the format says; names the field."""


def _require(condition: bool, where: str, expected: str) -> None:
    if not condition:
        raise ManifestFormatError(f"{where}: expected {expected}")


def _texts(data: Any, where: str, *keys: str) -> dict[str, Any]:
    """``data``, checked to be an object whose ``keys`` hold text."""
    _require(isinstance(data, dict), where, "an object")
    for key in keys:
        _require(isinstance(data.get(key), str), f"{where}.{key}", "text")
    return data


def _plain(name: Any, where: str) -> str:
    """``name`` when it is a plain name inside the directory (``safe_names``)."""
    why = name_problem(name)
    if why is not None:
        raise ManifestFormatError(
            f"{where}: {quoted(name, 80)} is not a plain name inside the directory ({why})"
        )
    return name


def _plain_all(names: Any, where: str) -> None:
    for name in names:
        _plain(name, where)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _files(data: dict[str, Any], where: str) -> dict[str, int]:
    files = data.get("files")
    _require(isinstance(files, dict), f"{where}.files", "an object of file sizes")
    _plain_all(files, f"{where}.files")
    for name, size in files.items():
        _require(
            isinstance(size, int) and not isinstance(size, bool),
            f"{where}.files.{name[:40]}",
            "a size",
        )
    return dict(files)


def _hashes(data: dict[str, Any], where: str) -> dict[str, str]:
    hashes = data.get("sha256", {})
    _require(isinstance(hashes, dict), f"{where}.sha256", "an object of file hashes")
    _plain_all(hashes, f"{where}.sha256")
    for name, value in hashes.items():
        _require(
            isinstance(value, str) and len(value) == 64, f"{where}.sha256.{name[:40]}", "a sha256"
        )
    return dict(hashes)


def file_sha256(path: Path) -> str:
    """The hex sha256 of the file at ``path``, as the manifest records it.

    Only a regular file is read, never through a symlink (``FileRefused``).
    """
    return regular_sha256(path)


def _captions(data: dict[str, Any], where: str) -> dict[str, str]:
    captions = data.get("captions", {})
    _require(
        isinstance(captions, dict) and all(isinstance(v, str) for v in captions.values()),
        f"{where}.captions",
        "an object of subtitle files",
    )
    _plain_all(captions.values(), f"{where}.captions")
    return dict(captions)


def _narration(data: dict[str, Any], where: str) -> list[dict[str, Any]] | None:
    """A scene's narrated steps (each with a whole ``step`` and numeric ``start``,
    ``seconds``), or None for a clip without narration."""
    if "narration" not in data:
        return None
    steps = data["narration"]
    _require(isinstance(steps, list), f"{where}.narration", "a list")
    for i, step in enumerate(steps):
        at = f"{where}.narration[{i}]"
        _require(isinstance(step, dict), at, "an object")
        _require(isinstance(step.get("step"), int), f"{at}.step", "a whole number")
        for key in ("start", "seconds"):
            _require(_number(step.get(key)), f"{at}.{key}", "a number")
        for key in ("file", "sha256", "voice", "pcm_sha256"):
            _require(isinstance(step.get(key), str), f"{at}.{key}", "text")
    return steps


def _optional_number(data: dict[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    _require(value is None or _number(value), f"{where}.{key}", "a number or null")
    return value


@dataclass
class SectionEntry:
    """One step's clip (``file`` is None without ``--sections``) and its place in the scene's.

    ``start`` and ``end`` are seconds into the scene's clip: where the step's
    caption cue starts and ends (None for a still).
    """

    index: int
    step: str
    file: str | None
    duration: float | None
    start: float | None = None
    end: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> SectionEntry:
        _require(isinstance(data, dict), where, "an object")
        _require(isinstance(data.get("index"), int), f"{where}.index", "a whole number")
        _require(isinstance(data.get("step", ""), str), f"{where}.step", "text")
        file = data.get("file")
        _require(file is None or isinstance(file, str), f"{where}.file", "a file name or null")
        if file is not None:
            _plain(file, f"{where}.file")
        return cls(
            data["index"],
            data.get("step", ""),
            file,
            _optional_number(data, "duration", where),
            _optional_number(data, "start", where),
            _optional_number(data, "end", where),
        )


@dataclass
class SceneEntry:
    """What the directory holds for one scene, and the key it was rendered under."""

    scene: str
    key: str
    files: dict[str, int]  # every file of the scene in the directory, with its size in bytes
    skipped: str | None = None  # why the lesson has nothing for this scene
    file: str = ""  # the clip (or, for png, the last frame)
    ledger: str = ""
    sections: list[SectionEntry] = field(default_factory=list)
    duration: float | None = None  # seconds of video; None for a still
    frames: int = 0
    values: int = 0  # number of traced values the ledger lists
    render_seconds: float = 0.0
    audit_seconds: float = 0.0
    audit_problems: list[str] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)  # "srt" | "vtt" -> subtitle file
    sha256: dict[str, str] = field(default_factory=dict)  # each of ``files``: its hash
    title: str = ""  # the scene's title, as its ledger has it
    # A narrated render's steps' sounds (``PlacedNarration.to_json``: step, file in the
    # narration DIR, its sha256, voice, start, seconds, pcm_sha256); None: no audio track.
    narration: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        if self.skipped is not None:
            return {"scene": self.scene, "key": self.key, "skipped": self.skipped, "files": {}}
        return {
            "scene": self.scene,
            "key": self.key,
            "file": self.file,
            "ledger": self.ledger,
            "sections": [section.to_json() for section in self.sections],
            "duration": self.duration,
            "frames": self.frames,
            "values": self.values,
            "render_seconds": self.render_seconds,
            "audit_seconds": self.audit_seconds,
            "audit_problems": self.audit_problems,
            "captions": self.captions,
            "files": self.files,
            "sha256": self.sha256,
            "title": self.title,
            **({} if self.narration is None else {"narration": self.narration}),
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> SceneEntry:
        _texts(data, where, "scene", "key")
        files = _files(data, where)
        _require(isinstance(data.get("title", ""), str), f"{where}.title", "text")
        if "skipped" in data:
            _require(isinstance(data["skipped"], str), f"{where}.skipped", "text")
            return cls(data["scene"], data["key"], files, skipped=data["skipped"])
        for key in ("file", "ledger"):
            _require(isinstance(data.get(key), str), f"{where}.{key}", "a file name")
            _plain(data[key], f"{where}.{key}")
        for key in ("frames", "values"):
            value = data.get(key, 0)
            _require(
                isinstance(value, int) and not isinstance(value, bool),
                f"{where}.{key}",
                "a whole number",
            )
        sections = data.get("sections", [])
        _require(isinstance(sections, list), f"{where}.sections", "a list")
        problems = data.get("audit_problems", [])
        _require(
            isinstance(problems, list) and all(isinstance(p, str) for p in problems),
            f"{where}.audit_problems",
            "lines of text",
        )
        return cls(
            scene=data["scene"],
            key=data["key"],
            files=files,
            file=data["file"],
            ledger=data["ledger"],
            sections=[
                SectionEntry.from_json(s, f"{where}.sections[{i}]") for i, s in enumerate(sections)
            ],
            duration=_optional_number(data, "duration", where),
            frames=data.get("frames", 0),
            values=data.get("values", 0),
            render_seconds=_optional_number(data, "render_seconds", where) or 0.0,
            audit_seconds=_optional_number(data, "audit_seconds", where) or 0.0,
            audit_problems=problems,
            captions=_captions(data, where),
            sha256=_hashes(data, where),
            title=data["title"] if isinstance(data.get("title"), str) else "",
            narration=_narration(data, where),
        )

    def complete_in(self, out_dir: Path) -> bool:
        """Whether every file the entry lists is in ``out_dir`` at its recorded size."""
        if not (self.files or self.skipped is not None):
            return False
        for name, size in self.files.items():
            try:  # a regular file, not through a link: a link to /dev/zero is not complete
                if regular_size(inside(out_dir, name)) != size:
                    return False
            except (OSError, FileRefused):
                return False
        return True


@dataclass
class LectureEntry:
    """The scenes joined into one clip (``--lecture``)."""

    file: str
    key: str
    scenes: list[str]
    duration: float | None
    files: dict[str, int]
    captions: dict[str, str] = field(default_factory=dict)  # "srt" | "vtt" -> subtitle file
    offsets: list[float] = field(default_factory=list)  # where each scene starts in the file

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> LectureEntry:
        _texts(data, where, "file", "key")
        _plain(data["file"], f"{where}.file")
        scenes = data.get("scenes")
        _require(
            isinstance(scenes, list) and all(isinstance(s, str) for s in scenes),
            f"{where}.scenes",
            "a list of scene names",
        )
        return cls(
            data["file"],
            data["key"],
            scenes,
            _optional_number(data, "duration", where),
            _files(data, where),
            _captions(data, where),
            [float(o) for o in data.get("offsets", []) if _number(o)],
        )

    def complete_in(self, out_dir: Path) -> bool:
        return SceneEntry("", self.key, self.files).complete_in(out_dir)


@dataclass
class PageEntry:
    """The lesson's explorable page (``explore/``, ``mlp_lecture.explorable``): its files
    (paths in DIR) with their sizes and sha256s; ``key`` digests those hashes, so a
    render that would write the same page leaves it alone."""

    folder: str
    key: str
    files: dict[str, int]
    sha256: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> PageEntry:
        _texts(data, where, "folder", "key")
        _plain(data["folder"].rstrip("/"), f"{where}.folder")
        return cls(data["folder"], data["key"], _files(data, where), _hashes(data, where))

    def complete_in(self, out_dir: Path) -> bool:
        return SceneEntry("", self.key, self.files).complete_in(out_dir)


@dataclass
class LessonRecord:
    name: str
    title: str
    hash: str
    file: str = LESSON_COPY

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Manifest:
    """A render directory's ``lecture.json``."""

    lesson: LessonRecord
    options: dict[str, Any]  # RenderOptions.to_json()
    scenes: list[SceneEntry] = field(default_factory=list)
    lecture: LectureEntry | None = None
    # Other files and folders a command wrote into the directory (the decks, slides/):
    # what mlp-lecture may replace or remove besides the scenes' and the lecture's files.
    owned: list[str] = field(default_factory=list)
    # Work directories beside the directory, while a render uses them: name -> the token
    # written inside; a later render removes one only when both match (``directory``).
    work: dict[str, str] = field(default_factory=dict)
    page: PageEntry | None = None  # the explorable page a render wrote (``explore``)

    @property
    def duration(self) -> float:
        """Seconds of video of all the scenes."""
        return round(sum(entry.duration or 0.0 for entry in self.scenes), 3)

    def scene(self, name: str) -> SceneEntry | None:
        return next((entry for entry in self.scenes if entry.scene == name), None)

    def to_json(self) -> dict[str, Any]:
        data = {
            "version": MANIFEST_VERSION,
            "lesson": self.lesson.to_json(),
            "quality": self.options.get("quality"),
            "format": self.options.get("format"),
            "transparent": self.options.get("transparent"),
            "sections": self.options.get("sections"),
            "options": self.options,
            "scenes": [entry.to_json() for entry in self.scenes],
            "duration": self.duration,
        }
        if self.lecture is not None:
            data["lecture"] = self.lecture.to_json()
        if self.owned:
            data["owned"] = sorted(self.owned)
        if self.work:
            data["work"] = dict(self.work)
        if self.page is not None:
            data["explore"] = self.page.to_json()
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1)

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Read a parsed manifest; raises ``ManifestFormatError`` naming the first bad field."""
        _require(isinstance(data, dict), "manifest", "an object")
        _require(data.get("version") == MANIFEST_VERSION, "version", f"{MANIFEST_VERSION}")
        lesson = _texts(data.get("lesson"), "lesson", "name", "title", "hash")
        options = data.get("options")
        _require(isinstance(options, dict), "options", "an object")
        scenes = data.get("scenes")
        _require(isinstance(scenes, list), "scenes", "a list")
        lecture = data.get("lecture")
        page = data.get("explore")
        owned = data.get("owned", [])
        _require(
            isinstance(owned, list) and all(isinstance(name, str) for name in owned),
            "owned",
            "a list of file names",
        )
        for name in owned:  # a folder may be written with its trailing "/"
            _plain(name[:-1] if name.endswith("/") else name, "owned")
        work = data.get("work", {})
        _require(
            isinstance(work, dict) and all(isinstance(token, str) for token in work.values()),
            "work",
            "an object of work directory tokens",
        )
        for name in work:  # beside the directory: one name, no folder
            _plain(name, "work")
            _require("/" not in name, f"work.{name[:40]}", "the name of a work directory")
        return cls(
            lesson=LessonRecord(lesson["name"], lesson["title"], lesson["hash"]),
            options=options,
            scenes=[SceneEntry.from_json(s, f"scenes[{i}]") for i, s in enumerate(scenes)],
            lecture=None if lecture is None else LectureEntry.from_json(lecture, "lecture"),
            owned=list(owned),
            work=dict(work),
            page=None if page is None else PageEntry.from_json(page, "explore"),
        )


def read_manifest(out_dir: Path) -> Manifest:
    """``out_dir``'s manifest; ``OSError`` when absent, ``ManifestFormatError`` when damaged,
    a symlink, not a regular file or over ``MAX_MANIFEST_BYTES`` (refused before reading)."""
    try:
        raw = read_regular(out_dir / MANIFEST, MAX_MANIFEST_BYTES)
    except FileRefused as error:
        raise ManifestFormatError(str(error)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ManifestFormatError(f"not a JSON manifest ({type(error).__name__})") from None
    return Manifest.from_json(data)

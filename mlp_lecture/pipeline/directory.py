"""The output directory: only complete files ever appear in it.

Workers write under a work directory beside ``DIR``; ``OutputDirectory``
moves each finished file into ``DIR`` with ``os.replace`` (atomic) and then
rewrites the manifest, so ``DIR`` only ever holds complete files that the
manifest vouches for. A render killed at any moment leaves at most that work
directory, which the next run removes (the manifest records it: ``ownership``).

Only files of ours are replaced or removed: those the manifest lists, or a
killed run's that its work directory proves by their sha256. Any other file
where a render would write stops the render before it writes anything. Every
removal and every move into ``DIR`` goes through ``safe_names``, which checks
the name again right before acting: a plain name inside ``DIR``, reached
through no symbolic link.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from mlp_lecture.captions import CAPTION_FORMATS, read_srt, shifted, write_captions
from mlp_lecture.narration.track import join_audio
from mlp_lecture.pipeline.keys import digest
from mlp_lecture.pipeline.manifest import (
    LECTURE_STEM,
    LESSON_COPY,
    MANIFEST,
    SECTIONS_DIR,
    LectureEntry,
    LessonRecord,
    Manifest,
    ManifestFormatError,
    SceneEntry,
    SectionEntry,
    file_sha256,
    read_manifest,
)
from mlp_lecture.pipeline.media import join_clips, video_duration
from mlp_lecture.pipeline.options import RenderError, RenderOptions
from mlp_lecture.pipeline.ownership import (
    Ownership,
    clear_pending,
    make_work_dir,
    pending_files,
    read_pending,
    remove_stale_work_dirs,
    stale_work_dirs,
    write_manifest,
    write_pending,
)
from mlp_lecture.pipeline.safe_names import (
    inside,
    replace_inside,
    rmtree_inside,
    unlink_inside,
)
from mlp_lecture.pipeline.worker import SceneOutput
from mlpmath import Lesson
from scenekit.ledger import LEDGER_SUFFIX, LedgerSection
from scenes import LECTURE_ORDER

__all__ = ["OutputDirectory", "hold_directory"]


class OutputDirectory:
    """``DIR`` and its manifest: every change is a complete file moved into place."""

    def __init__(self, out_dir: Path, lesson: Lesson, lesson_digest: str, options: RenderOptions):
        self.out_dir = out_dir
        self.work = Path()  # made by ``start``, removed by ``close``
        self.options = options
        self.manifest = Manifest(
            LessonRecord(lesson.name, lesson.title, lesson_digest), options.to_json()
        )
        self.lesson_source = lesson.source
        # From the last render of DIR, even of another lesson: to plan this one.
        self.previous_seconds: dict[str, float] = {}
        self.previous_frames: dict[str, int | None] = {}
        # Whether DIR holds this render's lesson.toml and lecture.json (from ``start``
        # on); a DIR that held no manifest and gets no scene loses them at ``close``,
        # so a render that publishes nothing leaves nothing new.
        self.claimed = False
        self.fresh = False  # DIR held no manifest before this render

    @property
    def entries(self) -> dict[str, SceneEntry]:
        return {entry.scene: entry for entry in self.manifest.scenes}

    # -- the manifest

    def start(self, names: Sequence[str], lecture: bool = False) -> None:
        """Take over what ``DIR`` holds: keep what still fits this lesson and options.

        Raises ``RenderError`` (one line, nothing written) when a file that is
        not ours is where this render of ``names`` would write.
        """
        try:
            old = read_manifest(self.out_dir)
        except (OSError, ManifestFormatError):
            old = None  # refused before (``check_out_dir``) unless there is none
        if old is not None:
            same_quality = old.options.get("quality") == self.options.quality
            for entry in old.scenes:
                self.previous_seconds[entry.scene] = entry.render_seconds
                if same_quality:
                    self.previous_frames[entry.scene] = entry.frames or None
            self.manifest.owned = list(old.owned)
            self.manifest.page = old.page  # checked against this lesson's at the end
            if (
                old.lesson.hash == self.manifest.lesson.hash
                and old.options == self.options.to_json()
            ):
                # a scene gone from the lecture (ReLUActivation, renamed): its files are swept
                order = dict(LECTURE_ORDER)
                self.manifest.scenes = [entry for entry in old.scenes if entry.scene in order]
                self.manifest.lecture = old.lecture
        stale = stale_work_dirs(self.out_dir, old.work) if old is not None else []
        pending: dict[str, list[str]] = {}
        for work in stale:
            for name, hashes in read_pending(work).items():
                pending.setdefault(name, []).extend(hashes)
        ours = Ownership(self.out_dir, old)
        ours.files |= pending_files(self.out_dir, pending)
        for name in sorted(ours.files):  # one name reaching out refuses all, before any acts
            inside(self.out_dir, name, source=self._source, field="files")
        ours.check(self._targets(names, lecture))
        remove_stale_work_dirs(stale)
        self.work, token = make_work_dir(self.out_dir)
        self.manifest.work = {self.work.name: token}
        self._sweep(ours.files)
        # DIR is this render's now, and its manifest records the work directory (a new
        # DIR's too: a run killed before its first scene leaves nothing unrecorded).
        self.fresh = old is None
        self.save()

    def close(self) -> None:
        """Remove the work directory, and its record from the manifest; a DIR that was
        no render directory and got no scene is left as it was found."""
        if self.work == Path():
            return
        rmtree_inside(self.work.parent, self.work.name, source=self._source, field="work")
        if self.fresh and not self.manifest.scenes and not self.manifest.lecture:
            for name in (MANIFEST, LESSON_COPY):  # written by ``start``
                unlink_inside(self.out_dir, name, source=self._source, field=name)
            self.claimed = False
        elif self.manifest.work:
            self.manifest.work = {}
            write_manifest(self.out_dir, self.manifest)

    @property
    def _source(self) -> Path:
        """Where the names this directory acts on come from: its manifest."""
        return self.out_dir / MANIFEST

    def _targets(self, names: Sequence[str], lecture: bool) -> list[str]:
        """Every file in ``DIR`` this render of ``names`` may write."""
        targets = [MANIFEST, LESSON_COPY]
        sections = self.out_dir / SECTIONS_DIR
        extensions = (self.options.format, *CAPTION_FORMATS)
        for name in names:
            targets.append(f"{name}{LEDGER_SUFFIX}")
            targets += [f"{name}.{ext}" for ext in extensions]
            if self.options.sections and sections.is_dir():
                pattern = re.compile(rf"{re.escape(name)}-\d+\.({'|'.join(extensions)})")
                targets += [
                    f"{SECTIONS_DIR}/{path.name}"
                    for path in sections.iterdir()
                    if pattern.fullmatch(path.name)
                ]
        if lecture:
            targets += [f"{LECTURE_STEM}.{ext}" for ext in (self.options.format, *CAPTION_FORMATS)]
        return targets

    def _sweep(self, ours: set[str]) -> None:
        """Remove files of ours the manifest no longer lists (another lesson's, a killed run's)."""
        listed = {name for entry in self.manifest.scenes for name in entry.files}
        if self.manifest.lecture:
            listed |= {self.manifest.lecture.file, *self.manifest.lecture.files}
        if self.manifest.page:
            listed |= set(self.manifest.page.files)
        removed_section = False
        for name in sorted(ours - listed - {MANIFEST, LESSON_COPY}):
            path = self.out_dir / name
            if path.is_file() or path.is_symlink():
                unlink_inside(self.out_dir, name, source=self._source, field="files")
                removed_section |= name.startswith(f"{SECTIONS_DIR}/")
        if removed_section:
            with suppress(OSError):
                (self.out_dir / SECTIONS_DIR).rmdir()  # only when empty

    def save(self) -> None:
        order = [name for name, _ in LECTURE_ORDER]
        self.manifest.scenes = sorted(
            (entry for entry in self.manifest.scenes if entry.scene in order),
            key=lambda entry: order.index(entry.scene),
        )
        if not self.claimed:
            self._write_text(self.out_dir / LESSON_COPY, self.lesson_source)
            self.claimed = True
        self._write_text(self.out_dir / MANIFEST, self.manifest.dumps())

    def _set_entry(self, entry: SceneEntry | None, name: str) -> SceneEntry | None:
        """Replace (or, with ``None``, drop) the scene's entry; the old one is returned."""
        old = self.entries.get(name)
        self.manifest.scenes = [e for e in self.manifest.scenes if e.scene != name]
        if entry is not None:
            self.manifest.scenes.append(entry)
        return old

    # -- publishing

    def publish(self, output: SceneOutput, key: str) -> SceneEntry:
        """Move a finished scene into ``DIR``: files first, then its manifest entry."""
        name = output.scene
        old = self._set_entry(None, name)
        # Until the manifest lists them, the old files and the new are proved ours by
        # their hashes in the work directory (a run killed meanwhile leaves them).
        pending = {file: [old.sha256.get(file, "")] for file in old.files} if old else {}
        if output.skipped:
            write_pending(self.work, pending)
            self.save()
            self._remove_files(old, keep=set())
            entry = SceneEntry(name, key, {}, skipped=output.skipped)
            self._set_entry(entry, name)
            self.save()
            clear_pending(self.work)
            return entry
        files: dict[str, Path] = {}  # name in DIR -> file in the work directory
        files[f"{name}{self.options.extension}"] = Path(output.artifact or "")
        captions = {suffix: f"{name}.{suffix}" for suffix in output.captions}
        for suffix, source in output.captions.items():
            files[captions[suffix]] = Path(source)
        ledger = output.ledger
        assert ledger is not None, "a rendered scene has a ledger"
        for section in output.sections:
            target = None
            if section.file:
                stem = f"{SECTIONS_DIR}/{name}-{section.index:02d}"
                target = f"{stem}{Path(section.file).suffix}"
                files[target] = Path(section.file)
                for suffix, source in section.captions.items():
                    files[f"{stem}.{suffix}"] = Path(source)
            ledger.sections.append(
                LedgerSection(
                    section.index,
                    section.name,
                    section.step,
                    target,
                    _round(section.duration),
                    section.values,
                )
            )
        ledger.audit.problems = list(output.audit)
        ledger_name = f"{name}{LEDGER_SUFFIX}"
        ledger_work = self.work / name / ledger_name
        ledger_work.write_text(ledger.dumps(), encoding="utf-8")
        files[ledger_name] = ledger_work
        if any(section.file for section in ledger.sections):
            (self.out_dir / SECTIONS_DIR).mkdir(exist_ok=True)
        sizes, hashes = {}, {}
        for target, source in files.items():
            os.chmod(source, 0o644)
            sizes[target] = source.stat().st_size
            hashes[target] = file_sha256(source)
            pending.setdefault(target, []).append(hashes[target])
        write_pending(self.work, pending)
        if old is not None:
            self.save()  # while files are replaced, the manifest does not vouch for them
        for target, source in files.items():
            replace_inside(source, self.out_dir, target, source=self._source, field="files")
        self._remove_files(old, keep=set(files))
        entry = SceneEntry(
            scene=name,
            key=key,
            files=sizes,
            file=f"{name}{self.options.extension}",
            ledger=ledger_name,
            sections=[
                SectionEntry(s.index, s.step, s.file, s.duration, out.start, out.end)
                for s, out in zip(ledger.sections, output.sections, strict=True)
            ],
            duration=_round(output.duration),
            frames=output.frames,
            values=len(ledger.values),
            render_seconds=round(output.seconds, 2),
            audit_seconds=round(output.audit_seconds, 3),
            audit_problems=list(output.audit),
            captions=captions,
            sha256=hashes,
            title=ledger.title,
            narration=output.narration_record(),
        )
        self._set_entry(entry, name)
        self.save()
        clear_pending(self.work)
        return entry

    def _remove_files(self, entry: SceneEntry | None, keep: set[str]) -> None:
        for name in entry.files if entry else ():
            if name not in keep:
                unlink_inside(self.out_dir, name, source=self._source, field="files")

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
        replace_inside(
            Path(file.name), target.parent, target.name, source=self._source, field=target.name
        )

    # -- the joined lecture

    def drop_lecture(self) -> None:
        """Some scene changes: the joined lecture no longer matches it."""
        if self.manifest.lecture:
            for name in {self.manifest.lecture.file, *self.manifest.lecture.files}:
                unlink_inside(self.out_dir, name, source=self._source, field="lecture.files")
            self.manifest.lecture = None
            self.save()

    def finish_lecture(self, build: bool, joining: Callable[[int], None]) -> LectureEntry | None:
        """Join every scene in ``DIR`` into ``lecture.<ext>`` (``build``), or drop a stale one.

        ``joining(clips)`` hears that joining starts. Returns the joined lecture
        when it is built or still current.
        """
        parts = [entry for entry in self.manifest.scenes if entry.skipped is None]
        join_key = digest([entry.key for entry in parts])
        target = f"{LECTURE_STEM}{self.options.extension}"
        lecture = self.manifest.lecture
        current = (
            lecture is not None
            and lecture.key == join_key
            and lecture.complete_in(self.out_dir)
            and len(lecture.captions) == len(CAPTION_FORMATS)
        )
        if not current:
            self.drop_lecture()
        if build and not current and parts:
            joining(len(parts))
            joined = self.work / target
            clips = [self.out_dir / entry.file for entry in parts]
            join_clips(clips, joined)
            # Narrated clips: one track made of theirs, each cut to its clip's video.
            join_audio(clips, [entry.duration or 0.0 for entry in parts], joined)
            duration = video_duration(joined)
            offsets = _offsets(parts)
            made = {target: joined, **self._lecture_captions(parts, offsets, duration)}
            write_pending(self.work, {name: [file_sha256(path)] for name, path in made.items()})
            sizes = {}
            for name, source in made.items():
                sizes[name] = source.stat().st_size
                os.chmod(source, 0o644)
                replace_inside(source, self.out_dir, name, source=self._source, field="lecture")
            self.manifest.lecture = LectureEntry(
                target,
                join_key,
                [entry.scene for entry in parts],
                _round(duration),
                sizes,
                {suffix: f"{LECTURE_STEM}.{suffix}" for suffix in CAPTION_FORMATS},
                offsets,
            )
            self.save()
            clear_pending(self.work)
        return self.manifest.lecture if (build or current) else None

    def _lecture_captions(
        self, parts: list[SceneEntry], offsets: list[float], duration: float | None
    ) -> dict[str, Path]:
        """``lecture.srt``/``.vtt`` in the work directory: each scene's cues moved to
        where the scene starts in the joined clip, none ending after the joined clip
        (the clips' durations, each rounded to the millisecond, may add up to one more
        than the joined clip's measured length)."""
        cues = shifted(
            (read_srt(self.out_dir / entry.captions["srt"]) if "srt" in entry.captions else [], at)
            for entry, at in zip(parts, offsets, strict=True)
        )
        if duration is not None:
            end = round(duration, 3)
            cues = [cue if cue.end <= end else replace(cue, end=end) for cue in cues]
        written = write_captions(cues, self.work / LECTURE_STEM)
        return {f"{LECTURE_STEM}.{suffix}": path for suffix, path in written.items()}


def _offsets(parts: list[SceneEntry]) -> list[float]:
    """Where each clip starts in the joined lecture: the durations of the clips before it."""
    offsets, at = [], 0.0
    for entry in parts:
        offsets.append(round(at, 3))
        at += entry.duration or 0.0
    return offsets


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# -- the lock ------------------------------------------------------------------------


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

"""``mlp-lecture verify DIR``: check everything DIR holds against the lesson's trace.

Every problem is one line that starts with the file it is about. ``verify``
checks that

- every file it reads is a regular file in DIR, not a symlink (never
  followed), and no larger than its bound, checked before reading
  (``mlpmath.files``): a ledger linked to ``/dev/zero`` is one line;
- ``lesson.toml``, ``lecture.json`` (the manifest) and every ledger read as
  their formats say (a damaged file is named with its bad field);
- ``lesson.toml`` is the lesson the manifest records (its title, and the
  hash of its values as the render computed it, ``lesson_hash``), and every
  ledger was made for that lesson (its name);
- every ledger agrees with the trace of the lesson as mlpmath computes it
  (values, shown text, worked arithmetic) and the audit inside the render
  found nothing. The trace comes from the trace cache
  (``mlpmath.trace_cache``) when this mlpmath and torch computed the lesson
  before, which spares importing torch; ``recompute`` computes it afresh;
- every file the manifest lists is there, at its recorded size and sha256;
  each ledger holds the number of values and the title the manifest
  records; no scene's clip or ledger is there that the manifest does not list;
- every clip decodes (PyAV) and lasts what the manifest records;
- every file of the explorable page (``explore/``) is there at its recorded
  size and sha256.

A clip whose bytes have the sha256 the manifest records is not decoded
again (unless ``recompute``): it is the very file the render wrote, and any
change to its bytes fails the hash (and is then decoded too). Importing PyAV
and decoding every clip took longer than all the other checks together, so
such an MP4 is read without PyAV: its boxes must fill the file exactly and
its sample table give the frames and the length the manifest records
(``mp4_timing``), which still catches a manifest whose duration or hash was
edited to fit another file. What only decoding finds, a well-formed MP4
whose frames are damaged under a hash forged to match, ``recompute`` finds.
What only the scene's code knows, which mobject a value is shown in and what
the frames look like, ``frames`` checks by rendering every scene again and
comparing every frame (``mlp_lecture.every_frame``); ``frames="ends"`` only
builds each scene with animations skipped and compares each step's last frame
(``mlp_lecture.frame_check``): it misses what a clip shows between step ends.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlp_lecture.pipeline.keys import lesson_hash
from mlp_lecture.pipeline.manifest import (
    LESSON_COPY,
    MANIFEST,
    Manifest,
    ManifestFormatError,
    PageEntry,
    SceneEntry,
    file_sha256,
    read_manifest,
)
from mlp_lecture.pipeline.media import MP4_SUFFIXES, mp4_timing
from mlp_lecture.pipeline.options import FORMATS
from mlpmath import LessonError, Trace, cached_trace, parse_lesson
from mlpmath.files import FileRefused, inside, read_regular, regular_size
from mlpmath.lesson_checks import MAX_LESSON_BYTES, quoted
from scenekit.ledger import (
    LEDGER_SUFFIX,
    LedgerFile,
    LedgerFormatError,
    check_ledger,
    read_ledger,
)
from scenes import LECTURE_ORDER

__all__ = ["verify_dir"]

MAX_LINE = 300  # a problem's line is cut to this many characters
DURATION_TOLERANCE = 0.1  # seconds a clip may differ from the manifest's duration
ASSUMED_RATE = 15.0  # frames a second of a clip that states none (low quality's)


def verify_dir(
    out_dir: Path,
    *,
    recompute: bool = False,
    frames: bool | str = False,
    jobs: int | None = None,
    narration: Path | None = None,
) -> tuple[int, list[str]]:
    """(number of values checked, problems found) for the render in ``out_dir``.

    ``recompute`` trusts no cache: the lesson is computed with torch and
    every clip is decoded. ``frames`` (``True`` or ``"all"``) also renders
    every scene again from the recorded lesson (Manim, ``jobs`` workers) and
    holds its ledger and every frame against the recorded ones
    (``mlp_lecture.every_frame``); ``frames="ends"`` builds each scene with
    animations skipped and compares only each step's last frame
    (``mlp_lecture.frame_check``). A narrated clip's sound is held to the
    manifest's record of its narration, and with ``narration`` (the narration
    directory) to the recordings themselves (``mlp_lecture.narration.check``).
    Raises ``LessonError`` when ``out_dir`` is not a render directory.
    """
    if frames not in (False, True, "all", "ends"):
        raise ValueError(f"frames: expected False, True, 'all' or 'ends', got {frames!r}")
    if not out_dir.is_dir():
        raise LessonError(f"{quoted(str(out_dir), 80)[1:-1]}: no such render directory")
    lesson_file = out_dir / LESSON_COPY
    if not os.path.lexists(lesson_file):
        raise LessonError(f"{out_dir}: holds no {LESSON_COPY}; is it a render directory?")
    ledger_files = sorted(out_dir.glob(f"*{LEDGER_SUFFIX}"))
    if not ledger_files and not os.path.lexists(out_dir / MANIFEST):
        raise LessonError(f"{out_dir}: holds no *{LEDGER_SUFFIX} ledgers to check")
    problems: list[str] = []
    manifest = _manifest(out_dir, problems)
    ledgers: dict[str, LedgerFile] = {}
    for path in ledger_files:
        try:
            ledgers[path.name] = read_ledger(path)
        except OSError as error:
            problems.append(f"{path.name}: unreadable ledger ({error.strerror or error})")
        except LedgerFormatError as error:
            problems.append(f"{path.name}: {error}")
    # The lesson under the name the render gave it, so its trace is the render's
    # (the trace records the name) and the trace cache holds it.
    named = manifest.lesson.name if manifest is not None and manifest.lesson.name else "lesson"
    try:
        text = _lesson_text(lesson_file)
        lesson = parse_lesson(text, name=named, origin=LESSON_COPY)
    except LessonError as error:
        problems.append(str(error))
        return 0, [_line(problem) for problem in problems]
    trace = cached_trace(lesson, recompute=recompute)
    if manifest is not None:
        problems += _lesson_problems(manifest, trace)
    checked = 0
    for name, ledger in ledgers.items():
        found = check_ledger(trace, ledger) + _section_problems(out_dir, ledger)
        if manifest is not None and ledger.lesson != trace.lesson:
            found.append(f"made for the lesson {quoted(ledger.lesson)}, not {quoted(trace.lesson)}")
        found += [f"audit at render time: {problem}" for problem in ledger.audit.problems]
        if not any(_is_regular(out_dir, f"{ledger.scene}.{ext}") for ext in FORMATS):
            found.append("ledger without its video")
        problems += [f"{name}: {problem}" for problem in found]
        checked += len(ledger.values)
    if manifest is not None:
        problems += _manifest_problems(out_dir, manifest, ledgers, decode_all=recompute)
        problems += _narration_problems(out_dir, manifest, narration)
        if frames == "ends":
            from mlp_lecture.frame_check import frame_problems  # imports manim

            problems += frame_problems(out_dir, manifest, ledgers, text)
        elif frames:
            from mlp_lecture.every_frame import every_frame_problems  # imports manim

            problems += every_frame_problems(
                out_dir, manifest, ledgers, text, jobs, narration=narration
            )
    elif frames:
        problems.append(f"{MANIFEST}: without it, --frames has no clips to check")
    return checked, [_line(problem) for problem in problems]


def _narration_problems(out_dir: Path, manifest: Manifest, folder: Path | None) -> list[str]:
    """Each narrated scene's clip carries its narration (``narration.check``)."""
    narrated = [
        entry
        for entry in manifest.scenes
        if entry.narration is not None and _is_regular(out_dir, entry.file)
    ]
    if folder is not None and not narrated:
        return [f"{MANIFEST}: --narration: this render has no narration"]
    if not narrated:
        return []
    from mlp_lecture.narration.check import narration_problems

    problems = []
    for entry in narrated:
        assert entry.narration is not None
        clip = out_dir / entry.file
        problems += narration_problems(clip, entry.narration, entry.duration or 0.0, folder)
    return problems


def _lesson_text(path: Path) -> str:
    """The recorded lesson's text: a regular file in the directory, bounded, UTF-8."""
    try:
        data = read_regular(path, MAX_LESSON_BYTES)
    except FileRefused as error:
        raise LessonError(f"{LESSON_COPY}: {error}") from None
    except OSError as error:
        raise LessonError(f"{LESSON_COPY}: unreadable ({error.strerror or error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LessonError(f"{LESSON_COPY}: not UTF-8 text (byte {error.start})") from None


def _lesson_problems(manifest: Manifest, trace: Trace) -> list[str]:
    """The recorded lesson is the one the manifest says the directory was rendered from."""
    problems = []
    if manifest.lesson.title != trace.title:
        problems.append(
            f"{LESSON_COPY}: title {quoted(trace.title)}, "
            f"but {MANIFEST} records {quoted(manifest.lesson.title)}"
        )
    if manifest.lesson.hash != lesson_hash(trace):
        problems.append(
            f"{LESSON_COPY}: is not the lesson {MANIFEST} records (its values hash differently)"
        )
    return problems


def _is_regular(out_dir: Path, name: str) -> bool:
    """Whether ``name`` is a regular file in ``out_dir`` (not through a symlink)."""
    try:
        regular_size(inside(out_dir, name))
    except (FileRefused, OSError):
        return False
    return True


def _shown(name: str) -> str:
    """A file name from a file someone may have written, quoted when it is odd."""
    plain = name.isprintable() and len(name) <= 80 and not name.startswith(("'", '"'))
    return name if plain else quoted(name, 80)


def _line(text: str) -> str:
    """One line, at most ``MAX_LINE`` characters."""
    text = " ".join(text.splitlines())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 3] + "..."


def _manifest(out_dir: Path, problems: list[str]) -> Manifest | None:
    try:
        return read_manifest(out_dir)
    except FileNotFoundError:
        problems.append(f"{MANIFEST}: missing; a render writes it with its first scene")
    except OSError as error:
        problems.append(f"{MANIFEST}: unreadable ({error.strerror or error})")
    except ManifestFormatError as error:
        problems.append(f"{MANIFEST}: {error}")
    return None


def _manifest_problems(
    out_dir: Path, manifest: Manifest, ledgers: dict[str, LedgerFile], decode_all: bool
) -> list[str]:
    """Where ``out_dir`` differs from what its manifest records."""
    problems = []
    listed = {name for entry in manifest.scenes for name in entry.files}
    for name, _ in LECTURE_ORDER:  # files of scenes the manifest does not vouch for
        for path in [out_dir / f"{name}{LEDGER_SUFFIX}"] + [
            out_dir / f"{name}.{ext}" for ext in FORMATS
        ]:
            if os.path.lexists(path) and path.name not in listed:
                problems.append(f"{path.name}: not in {MANIFEST} (no render made it)")
    for entry in manifest.scenes:
        if entry.skipped is None:
            problems += _entry_problems(out_dir, entry, ledgers.get(entry.ledger), decode_all)
    if manifest.page is not None:  # the explorable page: its files as the render wrote them
        problems += _page_problems(out_dir, manifest.page)
    return problems


def _page_problems(out_dir: Path, page: PageEntry) -> list[str]:
    """Every file of the explorable page is there at its recorded size and sha256 (what
    its numbers are, the page computes in the browser from the lesson it carries)."""
    hashes = {name: page.sha256.get(name, "") for name in page.files}  # none recorded: differs
    problems, _, _ = _listed_file_problems(out_dir, page.files, hashes, "the page")
    return problems


def _listed_file_problems(
    out_dir: Path, files: dict[str, int], hashes: dict[str, str], owner: str
) -> tuple[list[str], set[str], set[str]]:
    """Each of ``files`` (name: size) is a regular file in ``out_dir`` at its recorded size
    and, where ``hashes`` has one, its sha256: the problems, the names present (regular
    files) and the names whose bytes are the ones the render wrote (hash matched)."""
    problems = []
    present = set()
    hashed = set()
    for name, size in files.items():
        try:
            path = inside(out_dir, name)
            actual = regular_size(path)
        except FileRefused as error:
            problems.append(f"{_shown(name)}: {error}")
            continue
        except OSError:
            problems.append(f"{_shown(name)}: missing ({MANIFEST} lists it for {owner})")
            continue
        present.add(name)
        if actual != size:
            problems.append(f"{name}: {actual} bytes, but {MANIFEST} records {size}")
        elif name in hashes:
            if file_sha256(path) != hashes[name]:
                problems.append(f"{name}: its content differs from the sha256 {MANIFEST} records")
            else:
                hashed.add(name)
    return problems, present, hashed


def _entry_problems(
    out_dir: Path, entry: SceneEntry, ledger: LedgerFile | None, decode_all: bool
) -> list[str]:
    problems = []
    if not entry.sha256:
        problems.append(f"{MANIFEST}: {entry.scene} records no file hashes; render it again")
    found, present, hashed = _listed_file_problems(out_dir, entry.files, entry.sha256, entry.scene)
    problems += found
    if entry.ledger not in entry.files:
        problems.append(f"{MANIFEST}: {entry.scene} lists no ledger file")
    elif ledger is not None:
        if ledger.scene != entry.scene:
            problems.append(f"{entry.ledger}: is the ledger of {quoted(ledger.scene)}")
        if len(ledger.values) != entry.values:
            problems.append(
                f"{entry.ledger}: lists {len(ledger.values)} values, "
                f"but {MANIFEST} records {entry.values}"
            )
        if entry.title and ledger.title != entry.title:
            problems.append(
                f"{entry.ledger}: title {quoted(ledger.title)}, "
                f"but {MANIFEST} records {quoted(entry.title)}"
            )
    clips = [entry.file] + [s.file for s in entry.sections if s.file]
    for clip in clips:
        if clip in present:
            expected = entry.duration if clip == entry.file else None
            decode = decode_all or clip not in hashed
            problems += _clip_problems(out_dir / clip, expected, decode)
    return problems


def _clip_problems(path: Path, duration: float | None, decode: bool) -> list[str]:
    """The clip decodes to the end (PyAV) and lasts ``duration`` seconds (when given).

    Without ``decode``, an MP4 is read from its sample table instead (see the
    module's note).
    """
    if not decode and path.suffix in MP4_SUFFIXES:
        try:
            frames, seconds = mp4_timing(path)
        except (ValueError, OSError) as error:
            return [f"{path.name}: does not read as a clip ({quoted(str(error), 80)[1:-1]})"]
        rate = frames / seconds if seconds > 0 else ASSUMED_RATE
        return _timing_problems(path, frames, seconds, rate, duration)
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames = 0
            last = 0.0
            for frame in container.decode(stream):
                frames += 1
                if frame.time is not None:
                    last = frame.time
    except (av.FFmpegError, IndexError, ValueError, OSError) as error:
        reason = type(error).__name__ if isinstance(error, IndexError) else str(error)
        return [f"{path.name}: does not decode as a clip ({quoted(reason, 80)[1:-1]})"]
    rate = float(stream.average_rate or 0) or ASSUMED_RATE
    return _timing_problems(path, frames, last + 1 / rate, rate, duration)


def _timing_problems(
    path: Path, frames: int, length: float, rate: float, duration: float | None
) -> list[str]:
    """``frames`` lasting ``length`` seconds, against the ``duration`` the manifest records."""
    if frames == 0:
        return [f"{path.name}: holds no frames"]
    if duration is not None and frames > 1:
        if abs(length - duration) > DURATION_TOLERANCE + 1 / rate:
            return [f"{path.name}: lasts {length:.2f} s, but {MANIFEST} records {duration:.2f} s"]
    return []


def _section_problems(out_dir: Path, ledger: LedgerFile) -> list[str]:
    """The ledger's steps: each names its clip (when there is one) and shown values."""
    count = len(ledger.values)
    problems = []
    for section in ledger.sections:
        if section.file and not _is_regular(out_dir, section.file):
            problems.append(f"section {section.index} lacks its clip {_shown(section.file)}")
        bad = [i for i in section.values if not 0 <= i < count]
        if bad:
            problems.append(f"section {section.index} lists no such values {bad[:5]}")
    return problems

"""The lecture as a slide deck: one slide per step, the step's caption as its speaker note.

A deck is built from a sectioned render (``RenderOptions(sections=True)``):
every ``LectureScene.step`` starts a Manim section, so each section's clip is
one slide, and the render's cache is the deck's cache: a deck rebuilt after
one scene changed renders that scene only.

From those clips this module writes manim-slides' own presentation files
(``DIR/slides/<Scene>.json``, what ``manim-slides present`` reads) and lets
manim-slides' reveal.js converter write ``DIR/deck.html`` (its clips and a
copy of reveal.js in ``DIR/deck_assets/``: it plays with no network; ``html_deck``
holds the edits to its template);
``pptx_deck`` writes ``DIR/deck.pptx`` as manim-slides' converter would, each
poster the step's last frame. manim-slides' ``Slide`` class is not used:
version 5.7 cannot render with Manim 0.22, and the steps already are slides.

The HTML deck carries each step's caption cue (the WebVTT file beside the
step's clip) as a ``<track kind="captions">`` on the slide's video, off until
the ``C`` key (listed in the deck's help, ``?``) turns captions on.

Cold, the decks' own work overlaps the render: each scene's steps are reversed
(``reversal``) in a background thread as soon as the scene is in ``DIR``.
Warm, a deck whose key (``DIR/.decks.json``: this code, the title, the
presentations, whose reversed clips are named by their clips' contents) is
unchanged and whose file is as written is kept, not written again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture import html_deck, pptx_deck
from mlp_lecture.captions import plain_text
from mlp_lecture.explorable.katex import ensure_katex
from mlp_lecture.explorable.publish import PAGE_FOLDER
from mlp_lecture.html_deck import (
    CAPTIONS_KEY,
    captioned_revealjs,
    captions_uri,
    copy_reveal_assets,
)
from mlp_lecture.pipeline.directory import hold_directory
from mlp_lecture.pipeline.executor import Executor
from mlp_lecture.pipeline.manifest import file_sha256, read_manifest
from mlp_lecture.pipeline.options import RenderError, RenderOptions
from mlp_lecture.pipeline.ownership import Ownership, check_out_dir
from mlp_lecture.pipeline.render import RenderObserver, RenderReport, render_scenes
from mlp_lecture.pipeline.safe_names import inside
from mlp_lecture.revealjs import ensure_revealjs
from mlp_lecture.reversal import Reverser
from mlp_lecture.written_aside import written_aside
from mlpmath import Lesson, Trace
from mlpmath.files import FileRefused, read_regular
from mlpmath.lesson_checks import quoted
from scenekit.ledger import LedgerFile, LedgerSection, read_ledger

if TYPE_CHECKING:
    from PIL.Image import Image

    from mlp_lecture.narration.plan import NarrationPlan

__all__ = [
    "CAPTIONS_KEY",
    "DECK_STEM",
    "SLIDES_DIR",
    "TARGETS",
    "DeckReport",
    "build_deck",
    "last_frame",
    "plain_text",
    "speaker_note",
]

TARGETS = ("html", "pptx")
DECK_STEM = "deck"
SLIDES_DIR = "slides"  # manim-slides' presentation files: `manim-slides present --folder`
DECKS_RECORD = ".decks.json"  # in DIR, ours: each deck's key, to keep an unchanged deck
MAX_DECKS_RECORD = 100_000  # bytes: two decks' keys and hashes take about 300
REVERSED_DIR = "reversed"  # each clip played backwards, for `manim-slides present`'s reverse key
# Pixel size of a slide per quality (Manim's presets), for manim-slides' player.
RESOLUTIONS = {"low": (854, 480), "medium": (1280, 720), "high": (1920, 1080), "4k": (3840, 2160)}
STAGE_PREFIX = ".deck-"  # a deck being written, swapped in when whole
STAGE_DIR = ".deck-stage"  # in DIR, recorded as ours: where decks are written before the swap
EXPLORE_DIR = PAGE_FOLDER  # the lesson's explorable page, which the render writes: linked
BACKGROUND = "#000000"  # Manim's background: letterboxing matches the clips


@dataclass
class DeckReport:
    """What a deck build made: the render beneath it, the slides and the deck files."""

    render: RenderReport
    slides: int = 0
    presentations: list[Path] = field(default_factory=list)  # DIR/slides/<Scene>.json
    decks: dict[str, Path] = field(default_factory=dict)  # "html" | "pptx" -> file


def build_deck(
    lesson: Lesson,
    names: Sequence[str],
    out_dir: Path,
    quality: str = "low",
    targets: Sequence[str] = TARGETS,
    *,
    trace: Trace | None = None,
    jobs: int | None = None,
    force: bool = False,
    verbose: bool = False,
    observer: RenderObserver | None = None,
    executor: Executor | None = None,
    narration: NarrationPlan | None = None,
) -> DeckReport:
    """Render ``names`` with a section per step into ``out_dir``, then write the decks.

    When a scene fails to render, or the audit inside the render finds a
    problem, no deck is written (a deck missing a scene would look whole);
    the report says which scene. A deck of a target not asked for is removed,
    so ``DIR`` never holds a deck older than the others. Only files of ours
    are replaced or removed (``ownership``): a file of someone else's where a
    deck goes stops the build before it renders. ``executor`` renders on
    another engine (Dask: ``slides --scheduler``). ``narration``: each slide's clip
    carries its step's narration, and the HTML deck plays it (its clips unmuted).
    """
    if "html" in targets:
        ensure_revealjs()  # first: a missing asset fails before minutes of rendering
        ensure_katex()  # the explorable page's, which the render writes beside the deck
    check_out_dir(out_dir, force)
    _written_decks(out_dir)  # a record that is not ours refuses the build before it renders
    areas = [
        SLIDES_DIR,
        STAGE_DIR,
        DECKS_RECORD,
        *(path for t in targets for path in _deck_paths(t)),
    ]
    Ownership(out_dir).check(areas)
    options = RenderOptions(quality=quality, sections=True)
    # Each scene's steps are reversed in the background as soon as the scene is in DIR.
    reversing = out_dir.parent / f".{out_dir.name}-reversing-{secrets.token_hex(4)}"
    with Reverser(out_dir / SLIDES_DIR / REVERSED_DIR, reversing) as reverser:
        report = render_scenes(
            lesson,
            names,
            out_dir,
            options,
            trace=trace,
            jobs=jobs,
            force=force,
            verbose=verbose,
            executor=executor,
            observer=reverser.observing(observer or RenderObserver(), out_dir),
            narration=narration,
        )
        deck = DeckReport(report)
        if report.failed or any(scene.audit for scene in report.scenes):
            return deck  # the audit rejects a scene: no deck presents it
        _write_decks(
            deck, lesson, out_dir, quality, targets, areas, reverser, narration is not None
        )
    return deck


def _write_decks(
    deck: DeckReport,
    lesson: Lesson,
    out_dir: Path,
    quality: str,
    targets: Sequence[str],
    areas: list[str],
    reverser: Reverser,
    narrated: bool = False,
) -> None:
    """The presentations and the decks of a whole render, written into ``out_dir``."""
    report = deck.render
    with hold_directory(out_dir):
        ownership = Ownership(out_dir)
        ownership.claim(areas)  # what is there is ours (checked): the manifest says so first
        shutil.rmtree(out_dir / STAGE_DIR, ignore_errors=True)  # a killed build's
        presentations = _presentations(report, quality, reverser)
        deck.slides = sum(len(config.slides) for _, config in presentations)
        deck.presentations = _write_presentations(out_dir, presentations)
        configs = [config for _, config in presentations]
        written = _written_decks(out_dir)
        with redirect_stderr(io.StringIO()):  # the converters' progress bars
            for target in targets:
                key = _deck_key(target, deck.presentations, configs, lesson.title)
                path = out_dir / _deck_paths(target)[0]
                if _deck_is(out_dir, target, written.get(target), key):
                    deck.decks[target] = path  # the same deck as the one there: kept
                    continue
                written.pop(target, None)
                _write_atomically(out_dir / DECKS_RECORD, json.dumps(written).encode())
                if target == "html":
                    _write_html(out_dir, configs, lesson.title, narrated)
                else:
                    _write_pptx(out_dir, configs)
                deck.decks[target] = path
                written[target] = {"key": key, "sha256": file_sha256(path)}
        for target in TARGETS:
            if target not in targets:
                written.pop(target, None)
        _write_atomically(out_dir / DECKS_RECORD, json.dumps(written, indent=1).encode())
        removed = [STAGE_DIR, EXPLORE_DIR]  # the page: the manifest lists it (render's)
        for target in TARGETS:
            if target not in targets:  # an older deck of this directory would be stale
                removed += _remove_deck(ownership, target)
        shutil.rmtree(out_dir / STAGE_DIR, ignore_errors=True)
        ownership.claim([], release=removed)


def _written_decks(out_dir: Path) -> dict[str, dict[str, str]]:
    """``DIR/.decks.json``: each deck's key and its file's sha256 when written.

    Read as any record of ours (``safe_names``): a regular file of at most
    ``MAX_DECKS_RECORD`` bytes naming only the decks this module writes
    (``TARGETS``); anything else refuses the whole record (``RenderError``, one line).
    """
    record = out_dir / DECKS_RECORD
    if not os.path.lexists(record):
        return {}
    try:
        found = json.loads(read_regular(record, MAX_DECKS_RECORD).decode("utf-8"))
    except FileRefused as error:
        raise RenderError(f"{record}: {error}") from None
    except (OSError, ValueError, RecursionError):
        raise RenderError(f"{record}: not a deck record mlp-lecture wrote") from None
    if not isinstance(found, dict):
        raise RenderError(f"{record}: not a deck record mlp-lecture wrote")
    for target, entry in found.items():
        if target not in TARGETS:
            raise RenderError(
                f"{record}: {quoted(target, 60)} is no deck mlp-lecture writes "
                f"(one of {', '.join(TARGETS)}); the whole record is refused"
            )
        fields = isinstance(entry, dict) and all(isinstance(v, str) for v in entry.values())
        if not fields:
            raise RenderError(f"{record}: {target}: expected its key and sha256 as text")
    return found


def _deck_key(target: str, presentations: list[Path], configs: list[Any], title: str) -> str:
    """What the ``target`` deck is made of: the code writing it, the title, the
    presentations (their reversed clips are named by their clips' contents) and,
    for HTML, the captions; the same key, the same deck."""
    digest = hashlib.sha256()
    for code in (__file__, html_deck.__file__, pptx_deck.__file__):
        digest.update(Path(code).read_bytes())
    digest.update(json.dumps([target, title]).encode())
    for path in presentations:
        digest.update(path.read_bytes())
    if target == "html":
        for config in configs:
            for slide in config.slides:
                digest.update(captions_uri(slide.file).encode())
    return digest.hexdigest()


def _deck_is(out_dir: Path, target: str, record: Any, key: str) -> bool:
    """Whether ``DIR`` holds the ``target`` deck of ``key``, as it was written."""
    paths = [out_dir / path for path in _deck_paths(target)]
    if not isinstance(record, dict) or record.get("key") != key:
        return False
    if not all(path.exists() for path in paths):
        return False
    return file_sha256(paths[0]) == record.get("sha256")


def _deck_paths(target: str) -> list[str]:
    """The files and folders of the ``target`` deck in ``DIR``."""
    if target == "html":  # the deck, its reveal.js and clips
        return [f"{DECK_STEM}.html", f"{DECK_STEM}_assets"]
    return [f"{DECK_STEM}.{target}"]


def _remove_deck(ownership: Ownership, target: str) -> list[str]:
    """Remove the ``target`` deck (``deck.html`` with its assets, or ``deck.pptx``) when
    it is ours (a file of someone else's by that name stays); returns its paths."""
    for path in _deck_paths(target):
        ownership.remove(path)
    return _deck_paths(target)


def _stage(out_dir: Path) -> Path:
    """``DIR/.deck-stage``, where a deck is written before it is swapped in."""
    (out_dir / STAGE_DIR).mkdir(exist_ok=True)
    return out_dir / STAGE_DIR


# -- slides --------------------------------------------------------------------------


def speaker_note(ledger: LedgerFile, section: LedgerSection, number: int, total: int) -> str:
    """The words a presenter reads for one slide: the scene's title or the step's caption."""
    title = plain_text(ledger.title or ledger.scene)
    if not section.step:
        return title
    return f"{title}, step {number} of {total}: {plain_text(section.step)}"


def _presentations(report: RenderReport, quality: str, reverser: Reverser) -> list[tuple[str, Any]]:
    """One manim-slides presentation per rendered scene, its steps as slides."""
    from manim_slides.config import PresentationConfig, SlideConfig

    presentations = []
    drafts = _draft_voiced(report.out_dir)
    for scene in report.scenes:
        if scene.status == "skipped" or scene.ledger is None:
            continue
        ledger = read_ledger(scene.ledger)
        sections = [section for section in ledger.sections if section.file]
        steps = sum(1 for section in sections if section.step)
        slides = []
        number = 0
        for section in sections:
            number += 1 if section.step else 0
            clip = inside(report.out_dir, section.file, source=scene.ledger, field="sections")
            slides.append(
                SlideConfig(
                    file=clip,
                    rev_file=_reversed_clip(report.out_dir, clip, reverser),
                    notes=speaker_note(ledger, section, number, steps)
                    + (DRAFT_NOTE if (scene.name, number) in drafts else ""),
                )
            )
        presentations.append(
            (
                scene.name,
                PresentationConfig(
                    slides=slides, resolution=RESOLUTIONS[quality], background_color=BACKGROUND
                ),
            )
        )
    _drop_unused_reversed(report.out_dir, presentations)
    return presentations


# A slide whose narration is espeak-ng's, not the teacher's, says so in its notes.
DRAFT_NOTE = " [narrated by a draft voice]"


def _draft_voiced(out_dir: Path) -> set[tuple[str, int]]:
    """(scene, step) of every step whose clip speaks a draft (the manifest's record)."""
    manifest = read_manifest(out_dir)
    return {
        (entry.scene, placed["step"])
        for entry in manifest.scenes
        for placed in entry.narration or []
        if placed.get("voice") == "draft"
    }


def _reversed_clip(out_dir: Path, clip: Path, reverser: Reverser) -> Path:
    """``clip`` played backwards (``reversal``), in ``DIR/slides/reversed``: made once
    per clip content (named by its hash), most of them while the render went on."""
    made = reverser.result(clip)
    target = out_dir / SLIDES_DIR / REVERSED_DIR / made.name
    if made != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(made, target)
    return target


def _drop_unused_reversed(out_dir: Path, presentations: list[tuple[str, Any]]) -> None:
    """Remove reversed clips of sections that changed or left the lecture."""
    used = {slide.rev_file.name for _, config in presentations for slide in config.slides}
    folder = out_dir / SLIDES_DIR / REVERSED_DIR
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.name not in used and path.is_file():
            path.unlink()


def _write_presentations(out_dir: Path, presentations: list[tuple[str, Any]]) -> list[Path]:
    """``DIR/slides/<Scene>.json``, paths relative to ``DIR`` as manim-slides reads them."""
    folder = out_dir / SLIDES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, config in presentations:
        data = config.model_dump(mode="json")
        for slide, original in zip(data["slides"], config.slides):
            slide["file"] = original.file.relative_to(out_dir).as_posix()
            slide["rev_file"] = original.rev_file.relative_to(out_dir).as_posix()
        path = folder / f"{name}.json"
        _write_atomically(path, json.dumps(data, indent=2).encode())
        written.append(path)
    listed = {path.name for path in written}
    for stale in folder.glob("*.json"):
        if stale.name not in listed:
            stale.unlink()
    return written


# -- decks ---------------------------------------------------------------------------


def _write_html(out_dir: Path, configs: list[Any], title: str, narrated: bool = False) -> Path:
    """``DIR/deck.html`` and ``DIR/deck_assets/`` (clips and reveal.js), swapped in whole;
    ``narrated``: the clips speak, so they are not muted."""
    from manim_slides.convert import RevealJS

    assets = f"{DECK_STEM}_assets"
    reveal_prefix = f"{assets}/reveal.js"
    target = out_dir / f"{DECK_STEM}.html"
    with tempfile.TemporaryDirectory(prefix=STAGE_PREFIX, dir=_stage(out_dir)) as work:
        staged = Path(work) / target.name
        captioned_revealjs(RevealJS)(
            presentation_configs=configs,
            cdn_url=reveal_prefix,
            title=title,
            captions=[[captions_uri(slide.file) for slide in c.slides] for c in configs],
            narrated=narrated,
        ).convert_to(staged)
        copy_reveal_assets(staged, Path(work), reveal_prefix)
        old = Path(work) / "old_assets"
        if (out_dir / assets).exists():
            os.replace(out_dir / assets, old)
        os.replace(Path(work) / assets, out_dir / assets)
        os.replace(staged, target)
    return target


def _write_pptx(out_dir: Path, configs: list[Any]) -> Path:
    """``DIR/deck.pptx`` (``pptx_deck``), written aside and swapped in."""
    target = out_dir / f"{DECK_STEM}.pptx"
    with tempfile.TemporaryDirectory(prefix=STAGE_PREFIX, dir=_stage(out_dir)) as work:
        slides = [slide for config in configs for slide in config.slides]
        pptx_deck.write_pptx(Path(work) / target.name, slides, Path(work))
        os.replace(Path(work) / target.name, target)
    return target


def last_frame(clip: Path) -> Image:
    """The clip's last frame, as a picture: the state its step arrives at (a poster)."""
    from manim_slides.convert import FrameIndex, read_image_from_video_file

    return read_image_from_video_file(clip, frame_index=FrameIndex.last)


def _write_atomically(path: Path, data: bytes) -> None:
    with written_aside(path) as partial:
        partial.write_bytes(data)

"""`slides` after `render` (and `render` after `slides`) reuse the scenes the other rendered.

Measured by the pipeline's own count: each scene's status in the render report
("reused", never "rendered"). A step clip cut from the full clip must decode to
the frames of the one Manim writes in a real ``--sections`` render.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mlp_lecture.deck import build_deck
from mlp_lecture.pipeline.manifest import read_manifest
from mlp_lecture.pipeline.options import RenderOptions
from mlp_lecture.pipeline.render import render_scenes
from mlp_lecture.pipeline.reuse import CutError, cut_clip, sibling_dir
from mlp_lecture.verification import verify_dir
from mlpmath import default_lesson

SCENES = ["SingleNeuron", "NeuronBatch"]
COMPARED = "SingleNeuron"  # also rendered for real with --sections, to compare its step clips


def frames(clip: Path) -> list[str]:
    """The clip decoded: each frame's RGB pixels, hashed."""
    import av

    with av.open(str(clip)) as container:
        return [
            hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()
            for frame in container.decode(video=0)
        ]


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict:
    """A render of two scenes, the slides built beside it, and a real sectioned render."""
    lesson = default_lesson()
    root = tmp_path_factory.mktemp("reuse")
    plain = render_scenes(lesson, SCENES, root / "low", jobs=1)
    deck = build_deck(lesson, SCENES, root / "low-slides", "low", ["html"], jobs=1)
    # No "low" beside this one: Manim writes its step clips itself.
    real = render_scenes(
        lesson, [COMPARED], root / "real" / "low-slides", RenderOptions(sections=True), jobs=1
    )
    return {"root": root, "plain": plain, "deck": deck, "real": real}


def test_slides_after_render_render_nothing_and_build_the_deck(renders):
    assert [scene.status for scene in renders["plain"].scenes] == ["rendered", "rendered"]
    report = renders["deck"].render
    assert [(scene.name, scene.status) for scene in report.scenes] == [
        (name, "reused") for name in SCENES
    ]
    deck = renders["deck"]
    assert deck.decks["html"].is_file()
    steps = sum(len(read_manifest(report.out_dir).scene(name).sections) for name in SCENES)
    assert deck.slides == steps > len(SCENES)
    for directory in ("low", "low-slides"):
        checked, problems = verify_dir(renders["root"] / directory)
        assert problems == [] and checked > 0


def test_reused_scenes_share_the_clip_and_record_it_as_rendered_ones(renders):
    root = renders["root"]
    plain, slides = read_manifest(root / "low"), read_manifest(root / "low-slides")
    for name in SCENES:
        before, after = plain.scene(name), slides.scene(name)
        assert after.key != before.key  # keyed with sections=True: a cache hit next time
        assert after.sha256[after.file] == before.sha256[before.file]
        assert (root / "low-slides" / after.file).stat().st_ino == (
            root / "low" / before.file
        ).stat().st_ino  # hard-linked, not copied
        assert [s.file for s in after.sections] == [
            f"sections/{name}-{i:02d}.mp4" for i in range(len(before.sections))
        ]
    # The next slides build finds them in its own manifest.
    again = render_scenes(
        default_lesson(), SCENES, root / "low-slides", RenderOptions(sections=True)
    )
    assert [scene.status for scene in again.scenes] == ["cached", "cached"]


def test_cut_step_clips_decode_to_the_frames_manim_writes(renders):
    cut_dir = renders["root"] / "low-slides"
    real_dir = renders["real"].out_dir
    assert renders["real"].scenes[0].status == "rendered"
    cut, real = read_manifest(cut_dir).scene(COMPARED), read_manifest(real_dir).scene(COMPARED)
    assert [(s.start, s.end, s.duration) for s in cut.sections] == [
        (s.start, s.end, s.duration) for s in real.sections
    ]
    for ours, manims in zip(cut.sections, real.sections, strict=True):
        assert frames(cut_dir / ours.file) == frames(real_dir / manims.file)
        for suffix in ("srt", "vtt"):  # each step's cue, as the worker writes it
            name = Path(ours.file).with_suffix(f".{suffix}")
            assert (cut_dir / name).read_bytes() == (real_dir / name).read_bytes()
    ledger = json.loads((cut_dir / cut.ledger).read_text())
    assert ledger == json.loads((real_dir / real.ledger).read_text())


def test_render_after_slides_reuses_the_slides_clips(renders):
    real_dir = renders["real"].out_dir
    report = render_scenes(default_lesson(), [COMPARED], real_dir.parent / "low", jobs=1)
    assert [scene.status for scene in report.scenes] == ["reused"]
    entry = read_manifest(report.out_dir).scene(COMPARED)
    assert all(section.file is None for section in entry.sections)
    assert (report.out_dir / entry.file).read_bytes() == (real_dir / entry.file).read_bytes()
    # What a plain render of the same scene holds, byte for byte.
    plain_dir = renders["root"] / "low"
    for name in [entry.ledger, *entry.captions.values()]:
        assert (report.out_dir / name).read_bytes() == (plain_dir / name).read_bytes()
    checked, problems = verify_dir(report.out_dir)
    assert problems == [] and checked > 0


def test_a_cut_must_start_on_a_key_frame(renders, tmp_path):
    clip = renders["root"] / "low" / f"{COMPARED}.mp4"
    steps = read_manifest(renders["root"] / "low").scene(COMPARED).sections
    rate = 15  # low quality's frame rate
    with pytest.raises(CutError):  # one frame into the first partial movie
        cut_clip(clip, tmp_path / "cut.mp4", 1 / rate, steps[0].end)
    assert cut_clip(clip, tmp_path / "cut.mp4", steps[0].start, steps[0].end) == round(
        (steps[0].end - steps[0].start) * rate
    )


def test_the_sibling_of_a_render_is_its_slides_directory_and_back():
    assert sibling_dir(Path("r/x/low"), RenderOptions()) == Path("r/x/low-slides")
    assert sibling_dir(Path("r/x/low-slides"), RenderOptions(sections=True)) == Path("r/x/low")
    assert sibling_dir(Path("talk"), RenderOptions(sections=True)) is None

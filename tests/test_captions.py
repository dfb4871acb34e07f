"""Captions: a subtitle cue per step beside every clip, and the joined lecture's, held to the clips.

Cues are checked against the video itself: each lies inside its clip, none
overlap, and their boundaries are where ``--sections`` cuts the clip into
steps (counted in frames, and in the step clips' measured durations), on the
default lesson and on a random one.
"""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import av
import pytest
import srt
import webvtt
from conftest import run_cli
from random_lessons import random_lesson_text

from mlp_lecture.captions import (
    LINE_WIDTH,
    Cue,
    compose_srt,
    compose_vtt,
    cue_text,
    read_srt,
    shifted,
)

SCENES = "Activation,NeuronBatch"  # the two quickest scenes


def random_lesson(seed: int, path: Path) -> Path:
    path.write_text(random_lesson_text(seed))
    return path


@pytest.fixture(scope="module", params=["default", "random"])
def rendered(request, tmp_path_factory) -> Path:
    """Two scenes with a clip per step and the joined lecture: the default lesson, a random one."""
    root = tmp_path_factory.mktemp(f"captions-{request.param}")
    lesson = [] if request.param == "default" else [str(random_lesson(7, root / "random.toml"))]
    out = root / "low"
    result = run_cli(
        "render", *lesson, "--scenes", SCENES, "--sections", "--lecture", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out


def manifest_of(out: Path) -> dict:
    return json.loads((out / "lecture.json").read_text())


def scenes_of(out: Path) -> list[tuple[dict, dict]]:
    """Each rendered scene's manifest entry with its ledger."""
    return [
        (entry, json.loads((out / entry["ledger"]).read_text()))
        for entry in manifest_of(out)["scenes"]
        if "skipped" not in entry
    ]


def frame_counts(path: Path) -> tuple[int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for p in container.demux(stream) if p.pts is not None), float(
            stream.average_rate
        )


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


# -- the formats ---------------------------------------------------------------------


def test_a_cue_is_words_in_at_most_two_short_lines():
    text = cue_text("$K = X W^T$: entry $k_j^s$ is neuron $j$ on sample $s$, summed over inputs")
    assert "$" not in text and "kⱼˢ" in text and "Wᵀ" in text
    lines = text.split("\n")
    assert len(lines) == 2 and all(len(line) <= LINE_WIDTH for line in lines)
    assert cue_text("Add the bias") == "Add the bias"


def test_srt_and_vtt_are_written_by_their_libraries_and_read_back():
    cues = [Cue(0.0, 1.0, "A title"), Cue(1.0, 2.5, "x < 0 & y > 0\nclamp")]
    parsed = list(srt.parse(compose_srt(cues)))
    assert [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in parsed] == [
        (c.start, c.end, c.text) for c in cues
    ]
    vtt = webvtt.from_string(compose_vtt(cues))
    assert [(seconds(c.start), seconds(c.end)) for c in vtt] == [(0.0, 1.0), (1.0, 2.5)]
    assert "x &lt; 0 &amp; y &gt; 0" in compose_vtt(cues)  # WebVTT escapes its markup


def test_shifted_moves_each_part_by_its_offset():
    first, second = [Cue(0, 1, "a"), Cue(1, 2, "b")], [Cue(0, 3, "c")]
    assert shifted([(first, 0.0), (second, 2.0)]) == [*first, Cue(2.0, 5.0, "c")]


# -- beside every clip -----------------------------------------------------------------


def test_every_clip_has_srt_and_vtt_beside_it_with_a_cue_per_step(rendered):
    for entry, ledger in scenes_of(rendered):
        name = entry["scene"]
        assert entry["captions"] == {"srt": f"{name}.srt", "vtt": f"{name}.vtt"}
        for file in entry["captions"].values():
            assert file in entry["files"]  # the cache and the sweep know them
        cues = read_srt(rendered / f"{name}.srt")
        # One cue per section: the title before the first step, then each step's caption.
        expected = [cue_text(s["step"] or ledger["title"]) for s in ledger["sections"]]
        assert [cue.text for cue in cues] == expected
        vtt = list(webvtt.read(str(rendered / f"{name}.vtt")))
        assert [c.text for c in vtt] == [cue.text for cue in cues]
        assert [(seconds(c.start), seconds(c.end)) for c in vtt] == [
            (cue.start, cue.end) for cue in cues
        ]
        # The ledger, the scene's proof, holds no caption data.
        assert set(ledger) == {"scene", "lesson", "title", "values", "relations", "sections"} | {
            "audit"
        }


def test_cues_lie_inside_their_clip_without_overlap_on_the_steps_boundaries(rendered):
    for entry, _ in scenes_of(rendered):
        cues = read_srt(rendered / entry["captions"]["srt"])
        frames, fps = frame_counts(rendered / entry["file"])
        assert cues[0].start == 0.0
        for cue, following in pairwise(cues):
            assert cue.start < cue.end == following.start  # no overlap, and no gap
        assert cues[-1].end <= entry["duration"]  # inside the clip
        assert entry["duration"] - cues[-1].end < 1 / fps
        # The boundaries are where --sections cuts the clip: counted in frames ...
        boundary_frames = 0
        boundary_seconds = 0.0
        for cue, section in zip(cues, entry["sections"], strict=True):
            assert abs(cue.start - boundary_frames / fps) <= 0.001, (cue, section)
            assert abs(cue.start - boundary_seconds) < 0.25 / fps, (cue, section)
            assert (section["start"], section["end"]) == (cue.start, cue.end)
            clip_frames, _ = frame_counts(rendered / section["file"])
            boundary_frames += clip_frames
            boundary_seconds += section["duration"]  # ... and in measured seconds
        assert boundary_frames == frames


def test_each_step_clip_has_its_own_cue(rendered):
    for entry, _ in scenes_of(rendered):
        scene_cues = read_srt(rendered / entry["captions"]["srt"])
        for cue, section in zip(scene_cues, entry["sections"], strict=True):
            clip = rendered / section["file"]
            for suffix in ("srt", "vtt"):
                own = clip.with_suffix(f".{suffix}")
                assert own.relative_to(rendered).as_posix() in entry["files"]
            (own,) = read_srt(clip.with_suffix(".srt"))
            assert own.text == cue.text and own.start == 0.0
            assert 0 < own.end <= section["duration"]


def test_the_lecture_captions_are_the_scenes_shifted_to_their_place(rendered):
    manifest = manifest_of(rendered)
    lecture = manifest["lecture"]
    assert lecture["captions"] == {"srt": "lecture.srt", "vtt": "lecture.vtt"}
    assert {"lecture.mp4", "lecture.srt", "lecture.vtt"} <= set(lecture["files"])
    expected = []
    at = 0.0
    starts = []
    for entry, _ in scenes_of(rendered):
        assert lecture["offsets"][len(starts)] == pytest.approx(at, abs=0.001)
        starts.append(at)
        expected += [  # none ends after the joined video (its measured length)
            Cue(round(c.start + at, 3), min(round(c.end + at, 3), lecture["duration"]), c.text)
            for c in read_srt(rendered / entry["captions"]["srt"])
        ]
        at += entry["duration"]
    cues = read_srt(rendered / "lecture.srt")
    assert cues == expected
    assert cues[-1].end <= lecture["duration"] + 0.001
    assert len(list(webvtt.read(str(rendered / "lecture.vtt")))) == len(cues)
    # Each scene's first frame in the joined video is where its cues were shifted to.
    with av.open(str(rendered / "lecture.mp4")) as container:
        stream = container.streams.video[0]
        pts = sorted(
            float(p.pts * stream.time_base) for p in container.demux(stream) if p.pts is not None
        )
    first_frame = 0
    for entry, start in zip(scenes_of(rendered), starts):
        assert pts[first_frame] == pytest.approx(start, abs=0.002)
        first_frame += frame_counts(rendered / entry[0]["file"])[0]


def test_a_missing_subtitle_file_renders_its_scene_again(rendered, tmp_path):
    if rendered.parent.name.startswith("captions-random"):
        pytest.skip("once is enough")
    again = tmp_path / "low"
    shutil.copytree(rendered, again)
    (again / "Activation.vtt").unlink()
    stray = again / "SingleNeuron.vtt"  # not in the manifest: not ours, so left alone
    stray.write_text("WEBVTT\n")
    result = run_cli(
        "render", "--scenes", "Activation", "--sections", "--lecture", "--out", str(again)
    )
    assert result.returncode == 0, result.stderr
    assert "Activation  rendered" in result.stdout
    assert (again / "Activation.vtt").is_file()
    assert stray.read_text() == "WEBVTT\n"  # a file mlp-lecture did not write is never deleted
    # The joined lecture was made again from the scenes, with its captions.
    assert read_srt(again / "lecture.srt") == read_srt(rendered / "lecture.srt")

"""What each level of ``verify`` proves (issue 26, items 4-6), on one rendered scene:

- the default level holds ``lesson.toml`` to the lesson ``lecture.json`` records
  (a lesson swapped for another that shows the same first neuron fails);
- ``--frames`` rebuilds the scene: a ledger entry moved to another path of the
  same value and text fails, and so does a clip that is not what the scene draws,
  even under a manifest re-hashed to fit it;
- issue 32, item 3: ``--frames`` renders the scene again and compares every frame:
  a clip showing another lesson's numbers in every frame but the step ends passes
  ``--frames=ends`` and fails ``--frames``, which names the first wrong frame.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import render_scene

from mlp_lecture.cli import main
from mlp_lecture.frame_check import PATCH_LIMIT, PSNR_THRESHOLD, patch_error, psnr

SCENE = "SingleNeuron"  # shows the first neuron only, and some of its values twice
LEDGER = f"{SCENE}.values.json"
CLIP = f"{SCENE}.mp4"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    return render_scene(tmp_path_factory.mktemp("render") / "out", SCENE)


@pytest.fixture
def copy(rendered, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(rendered, out)
    return out


def _verify(capsys, *args: str) -> tuple[int, list[str]]:
    status = main(["verify", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err.splitlines()


def _rehash(out: Path, name: str) -> None:
    """Record ``name``'s present size and sha256 in the manifest, as a forger would."""
    data = json.loads((out / "lecture.json").read_text())
    [entry] = [e for e in data["scenes"] if e["scene"] == SCENE]
    entry["files"][name] = (out / name).stat().st_size
    entry["sha256"][name] = hashlib.sha256((out / name).read_bytes()).hexdigest()
    (out / "lecture.json").write_text(json.dumps(data))


def test_the_render_passes_every_level(rendered, capsys):
    assert _verify(capsys, str(rendered)) == (0, [])
    assert _verify(capsys, "--frames", str(rendered)) == (0, [])
    assert _verify(capsys, str(rendered), "--frames=ends") == (0, [])


# -- item 4: the lesson against the manifest -----------------------------------------


def _swap_lesson(text: str) -> str:
    """Another lesson with the same first neuron: title, biases, targets, rate, steps differ."""
    swaps = [
        ('title = "Understand MLP"', 'title = "Another lesson"'),
        ("bias = [-0.5923, 0.1290, 0.2674]", "bias = [-0.5, 0.25, 0.125]"),
        ("targets = [[7], [12], [40]]", "targets = [[1], [2], [3]]"),
        ("learning_rate = 0.001", "learning_rate = 0.01"),
        ("steps = 10", "steps = 3"),
    ]
    for old, new in swaps:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("level", [[], ["--recompute"]], ids=["default", "recompute"])
def test_a_swapped_lesson_fails(copy, capsys, level):
    lesson = copy / "lesson.toml"
    lesson.write_text(_swap_lesson(lesson.read_text()))
    status, lines = _verify(capsys, *level, str(copy))
    assert status == 1
    # The scene's ledger still agrees with the swapped lesson (it shows only the first
    # neuron): only the lesson's hash and title against the manifest can tell.
    problems = lines[:-1]
    assert problems and all(line.startswith("lesson.toml: ") for line in problems), lines
    assert any("Another lesson" in line and "Understand MLP" in line for line in problems)
    assert any("hash" in line for line in problems)


# -- item 5: a ledger entry moved to another place of the same value -------------------


def _same_shown_elsewhere(values: list[dict]) -> tuple[int, str]:
    """An entry, and another path whose value and text it shares."""
    for i, entry in enumerate(values):
        for other in values:
            same = (other["value"], other["text"]) == (entry["value"], entry["text"])
            if same and other["path"] != entry["path"]:
                return i, other["path"]
    raise AssertionError("the scene shows no value under two paths")


def test_a_moved_path_passes_the_default_level_and_fails_frames(copy, capsys):
    ledger = json.loads((copy / LEDGER).read_text())
    index, path = _same_shown_elsewhere(ledger["values"])
    moved_from = ledger["values"][index]["path"]
    ledger["values"][index]["path"] = path
    (copy / LEDGER).write_text(json.dumps(ledger))
    _rehash(copy, LEDGER)
    assert _verify(capsys, str(copy)) == (0, [])  # value and text agree with the trace
    for level in ("--frames", "--frames=ends"):
        status, lines = _verify(capsys, level, str(copy))
        assert status == 1
        [line] = lines[:-1]
        assert line.startswith(f"{LEDGER}: values[{index}] is path '{path}'"), line
        assert f"path '{moved_from}'" in line


# -- item 6: a clip that is not what the scene draws -----------------------------------


def _reencoded(out: Path, change: Callable[[np.ndarray], np.ndarray]) -> None:
    """The clip again, each frame passed through ``change``: same size, rate, length."""
    import av

    source = out / CLIP
    target = out / f"new-{CLIP}"
    with av.open(str(source)) as reading, av.open(str(target), "w") as writing:
        video = reading.streams.video[0]
        stream = writing.add_stream("libx264", rate=video.average_rate)
        stream.width, stream.height = video.width, video.height
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "23", "preset": "ultrafast"}
        for frame in reading.decode(video):
            picture = av.VideoFrame.from_ndarray(change(frame.to_ndarray(format="rgb24")), "rgb24")
            writing.mux(stream.encode(picture))
        writing.mux(stream.encode())
    target.replace(source)
    _rehash(out, CLIP)


def _grey(frame: np.ndarray) -> np.ndarray:
    return np.full_like(frame, 128)


def _square(frame: np.ndarray) -> np.ndarray:
    """A 12x12 square in the frame's middle turned to the colour it least resembles."""
    y, x = frame.shape[0] // 2, frame.shape[1] // 2
    patch = frame[y : y + 12, x : x + 12]
    patch[:] = 0 if patch.mean() > 127 else 255
    return frame


@pytest.mark.parametrize("change", [_grey, _square], ids=["grey", "a square painted in"])
def test_a_fake_clip_passes_recompute_and_fails_frames(copy, capsys, change):
    _reencoded(copy, change)
    assert _verify(capsys, "--recompute", str(copy)) == (0, [])  # it decodes, and lasts
    status, lines = _verify(capsys, "--frames=ends", str(copy))
    assert status == 1
    assert lines[:-1] and all(line.startswith(f"{CLIP}: the end of ") for line in lines[:-1])
    status, lines = _verify(capsys, "--frames", str(copy))
    assert status == 1
    [line] = lines[:-1]
    assert line.startswith(f"{CLIP}: {SCENE} frame "), line


# -- issue 32, item 3: another lesson's numbers in every frame but the step ends --------


def _frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as clip:
        return [frame.to_ndarray(format="rgb24") for frame in clip.decode(clip.streams.video[0])]


def test_a_clip_spliced_from_another_lesson_fails_every_frame_but_not_ends(
    rendered, copy, capsys, tmp_path
):
    from mlpmath import default_lesson_text

    other_lesson = tmp_path / "other.toml"
    text = default_lesson_text()
    assert text.count("weight = [0.5398,") == 1
    other_lesson.write_text(text.replace("weight = [0.5398,", "weight = [0.9398,"))
    other = tmp_path / "other"
    assert main(["render", str(other_lesson), "--scenes", SCENE, "--out", str(other)]) == 0
    capsys.readouterr()
    ours, theirs = _frames(rendered / CLIP), _frames(other / CLIP)
    assert len(ours) == len(theirs)
    manifest = json.loads((rendered / "lecture.json").read_text())
    rate = 15  # low quality
    ends = {round(s["end"] * rate) - 1 for s in manifest["scenes"][0]["sections"]}
    spliced = iter([ours[i] if i in ends else theirs[i] for i in range(len(ours))])
    _reencoded(copy, lambda frame: next(spliced))  # the manifest re-hashed to fit
    # The first frame (not a step's end) where the other lesson shows, by the limits.
    differs = [
        psnr(a, b) < PSNR_THRESHOLD or patch_error(a, b) > PATCH_LIMIT
        for a, b in zip(ours, theirs, strict=True)
    ]
    first = next(i for i in range(len(ours)) if i not in ends and differs[i])
    for level in ([], ["--recompute"], ["--frames=ends"]):
        assert _verify(capsys, *level, str(copy)) == (0, []), level  # what ends cannot see
    status, lines = _verify(capsys, "--frames", str(copy))
    assert status == 1
    [line] = lines[:-1]
    assert line.startswith(f"{CLIP}: {SCENE} frame {first} at {first / rate:.2f} s (step "), line


def test_the_measures_agree_with_numpy_by_hand():
    """PSNR and the patch measure on images whose errors are known exactly."""
    black = np.zeros((4, 6, 3), np.uint8)
    one_off = black.copy()
    one_off[0, 0] = 255  # one pixel of 24, every channel off by 255
    assert psnr(black, black) == float("inf")
    assert psnr(black, one_off) == pytest.approx(10 * np.log10(24))
    assert patch_error(black, one_off) == pytest.approx(255 / 4)  # the 2x2 mean moves by 1/4
    assert PSNR_THRESHOLD > 10 * np.log10(24) and PATCH_LIMIT < 255 / 4


def test_a_step_clip_swapped_for_another_fails_frames_naming_it(tmp_path, capsys):
    """With ``--sections``, each step's clip is held to the fresh render's step clip."""
    out = tmp_path / "sectioned"
    argv = ["render", "--scenes", SCENE, "--sections", "--out", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    assert _verify(capsys, "--frames", str(out)) == (0, [])
    step = f"sections/{SCENE}-02.mp4"
    shutil.copyfile(out / f"sections/{SCENE}-03.mp4", out / step)
    _rehash(out, step)
    status, lines = _verify(capsys, "--frames", str(out))
    assert status == 1
    assert any(line.startswith(f"{step}: {SCENE} frame 0 at 0.00 s (step 2, ") for line in lines)
    assert all(line.startswith(f"{step}: ") for line in lines[:-1]), lines


def test_an_honest_clip_encoded_again_passes_frames_decoded(copy, capsys):
    """Bytes that differ from the fresh render's are decoded and compared frame by
    frame: the same pictures, encoded again, are within the limits."""
    before = (copy / CLIP).read_bytes()
    _reencoded(copy, lambda frame: frame)
    assert (copy / CLIP).read_bytes() != before
    assert _verify(capsys, "--frames", str(copy)) == (0, [])


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng for drafts")
def test_a_narrated_render_is_rendered_again_with_its_narration(tmp_path, capsys):
    """Each step is held for its voice: --frames needs the narration to draw the same
    frames, says so in one line without it, and passes with it."""
    narration, out = tmp_path / "narration", tmp_path / "narrated"
    assert main(["narration", "--scenes", SCENE, "--dir", str(narration), "--draft"]) == 0
    argv = ["render", "--scenes", SCENE, "--narration", str(narration), "--out", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    status, lines = _verify(capsys, "--frames", str(out))
    assert status == 1
    [line] = lines[:-1]
    assert line.startswith(f"{CLIP}: narrated") and "--narration DIR" in line, line
    assert _verify(capsys, "--frames", "--narration", str(narration), str(out)) == (0, [])

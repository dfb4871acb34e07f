"""Stills for a gallery: compact copies of each scene's last frame; a folder's
other files are never replaced (``mlp_lecture.stills``)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from mlp_lecture.stills import INDEX, Still, StillsError, check_gallery, write_gallery


def _frame(path, colour):
    """A 480p frame as a render writes it: flat colours on black, a smooth edge."""
    image = Image.new("RGB", (854, 480), (0, 0, 0))
    for x in range(100, 700):
        for y in range(200, 220):
            image.putpixel((x, y), tuple(int(c * (x - 100) / 600) for c in colour))
    image.save(path)
    return path


def test_writes_numbered_compact_stills_and_replaces_only_its_own(tmp_path):
    frames = [
        _frame(tmp_path / f"{n}.png", c) for n, c in (("a", (255, 134, 47)), ("b", (88, 196, 221)))
    ]
    gallery = tmp_path / "gallery"
    written = write_gallery(
        [Still("SingleNeuron", frames[0]), Still("MSELoss", frames[1])], gallery
    )
    assert [p.name for p in written] == ["01-SingleNeuron.png", "02-MSELoss.png"]
    for path, frame in zip(written, frames, strict=True):
        with Image.open(path) as still, Image.open(frame) as full:
            assert still.size == full.size == (854, 480)
            assert len(still.getcolors(256)) <= 64  # a small palette
        assert path.stat().st_size < frame.stat().st_size
    index = json.loads((gallery / INDEX).read_text())
    assert sorted(index["files"]) == ["01-SingleNeuron.png", "02-MSELoss.png"]
    # again, one scene fewer: its own files are replaced, the stale one of its own removed
    write_gallery([Still("MSELoss", frames[1])], gallery)
    assert sorted(p.name for p in gallery.iterdir()) == ["01-MSELoss.png", INDEX]


def test_a_file_it_did_not_write_is_left_and_named(tmp_path):
    frame = _frame(tmp_path / "a.png", (255, 255, 255))
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    mine = gallery / "01-SingleNeuron.png"
    mine.write_bytes(b"a teacher's picture")
    with pytest.raises(StillsError, match=r"01-SingleNeuron\.png: a file this command"):
        write_gallery([Still("SingleNeuron", frame)], gallery)
    assert mine.read_bytes() == b"a teacher's picture"
    assert not (gallery / INDEX).exists()
    # one of its own stills, changed by hand since, is no longer its own either
    other = tmp_path / "other"
    (written,) = write_gallery([Still("SingleNeuron", frame)], other)
    written.write_bytes(written.read_bytes() + b"edited")
    with pytest.raises(StillsError, match="did not write"):
        check_gallery(other)


def test_the_command_refuses_a_users_folder_in_one_line_before_rendering(tmp_path, cli):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "holiday.png").write_bytes(b"not ours")
    result = cli("stills", "--out", str(gallery), "--scenes", "SingleNeuron")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "holiday.png: a file this command did not write" in result.stderr
    assert "Traceback" not in result.stderr
    assert (gallery / "holiday.png").read_bytes() == b"not ours"


def test_stills_of_a_few_scenes_keep_the_lectures_numbers_and_other_stills(tmp_path):
    lecture = ["SingleNeuron", "Softmax", "ClassifierTraining"]
    frames = [_frame(tmp_path / f"{n}.png", (40 * n, 200, 90)) for n in range(1, 5)]
    gallery = tmp_path / "gallery"
    write_gallery([Still(s, f) for s, f in zip(lecture, frames, strict=False)], gallery, lecture)
    before = {p.name: p.read_bytes() for p in gallery.glob("*.png")}
    assert sorted(before) == ["01-SingleNeuron.png", "02-Softmax.png", "03-ClassifierTraining.png"]
    # one scene again (stills --scenes Softmax), from another frame: its number is the
    # lecture's, its still replaced, the two others left byte for byte
    (written,) = write_gallery([Still("Softmax", frames[3])], gallery, lecture)
    assert written.name == "02-Softmax.png"
    assert written.read_bytes() != before["02-Softmax.png"]
    for name in ("01-SingleNeuron.png", "03-ClassifierTraining.png"):
        assert (gallery / name).read_bytes() == before[name]
    index = json.loads((gallery / INDEX).read_text())
    assert sorted(index["files"]) == sorted(before)
    check_gallery(gallery)  # every file still ours, as the index says
    # a lesson whose lecture no longer shows a scene: its old still goes
    write_gallery([Still("Softmax", frames[3])], gallery, ["SingleNeuron", "Softmax"])
    left = sorted(p.name for p in gallery.glob("*.png"))
    assert left == ["01-SingleNeuron.png", "02-Softmax.png"]

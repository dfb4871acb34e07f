"""Issue 32, items 1 and 2: a forged record of ours never reaches outside its folder.

Each list of names in ``lecture.json``, ``gallery.json`` and ``.decks.json`` is forged
in turn to name files outside the folder (``..``, an absolute path, a backslash, a
drive letter, a NUL, a folder that is a symbolic link). Every time, the command refuses
the whole record in one line naming the file, the field and the name, and nothing
outside the folder changes (sha256 before and after).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import render_scene

from mlp_lecture.cli import main
from mlp_lecture.pipeline.safe_names import NameRefused, check_name, inside
from mlp_lecture.stills import Still, StillsError, write_gallery

SCENE = "SingleNeuron"
PRECIOUS = {"p1.txt": b"the only copy\n", "deep/p2.txt": b"also the only copy\n"}


def _sha256s(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def precious(tmp_path) -> Path:
    """A folder of the user's beside the render directory: nothing may touch it."""
    folder = tmp_path / "precious"
    for name, data in PRECIOUS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    return render_scene(tmp_path_factory.mktemp("render") / "r1", SCENE)


def _one_line_refusal(capsys, argv: list[str]) -> str:
    status = main(argv)
    captured = capsys.readouterr()
    assert status != 0, captured
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# -- the names, lexically ---------------------------------------------------------------

BAD_NAMES = {
    "dot-dot": "../precious/p1.txt",
    "absolute": "/precious/p1.txt",  # made absolute into tmp_path by the tests
    "backslash": "..\\precious\\p1.txt",
    "drive": "C:/precious/p1.txt",
    "nul": "SingleNeuron.mp4\x00../p1.txt",
    "dot": "./SingleNeuron.mp4",
    "empty-part": "sections//x.mp4",
    "rtl-override": "SingleNeuron\u202e4pm.txt",
}


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_the_gate_refuses_each_kind_of_name_in_one_line(tmp_path, name):
    with pytest.raises(NameRefused) as caught:
        inside(tmp_path, name, source="rec.json", field="files")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("rec.json: files: ")


def test_the_gate_lets_plain_names_through_and_refuses_a_linked_folder(tmp_path, precious):
    for name in ("a.mp4", "sections/SingleNeuron-01.mp4", "explore/assets/k.css", "..a", "a.."):
        assert check_name(name, source="x", field="f") == name
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(precious)
    assert inside(tmp_path / "out", "link", source="x", field="f") == tmp_path / "out" / "link"
    with pytest.raises(NameRefused, match="link/ is a symbolic link"):
        inside(tmp_path / "out", "link/p1.txt", source="x", field="f")


# -- item 1: lecture.json -----------------------------------------------------------------


def _put(data: dict[str, Any], field: str, name: str) -> None:
    """Add ``name`` to the manifest's ``field`` (a list of names, by the path to it)."""
    scene = data["scenes"][0]
    size = 14
    if field == "scenes[0].files":
        scene["files"][name] = size
    elif field == "scenes[0].sha256":
        scene["sha256"][name] = "0" * 64
    elif field == "scenes[0].file":
        scene["file"] = name
    elif field == "scenes[0].ledger":
        scene["ledger"] = name
    elif field == "scenes[0].captions":
        scene["captions"]["srt"] = name
    elif field == "scenes[0].sections[0].file":
        scene["sections"][0]["file"] = name
    elif field == "owned":
        data["owned"] = [*data.get("owned", []), name]
    elif field == "explore.files":
        data["explore"]["files"][name] = size
    elif field == "explore.sha256":
        data["explore"]["sha256"][name] = "0" * 64
    elif field == "explore.folder":
        data["explore"]["folder"] = name
    elif field == "lecture.files":
        data["lecture"] = {
            "file": "lecture.mp4",
            "key": "0" * 64,
            "scenes": [SCENE],
            "duration": 1.0,
            "files": {"lecture.mp4": 1, name: size},
        }
    elif field == "lecture.file":
        data["lecture"] = {
            "file": name,
            "key": "0" * 64,
            "scenes": [SCENE],
            "duration": 1.0,
            "files": {},
        }
    elif field == "work":
        data["work"] = {name: "0" * 32}
    else:
        raise AssertionError(field)


MANIFEST_FIELDS = [
    "scenes[0].files",
    "scenes[0].sha256",
    "scenes[0].file",
    "scenes[0].ledger",
    "scenes[0].captions",
    "scenes[0].sections[0].file",
    "owned",
    "explore.files",
    "explore.sha256",
    "explore.folder",
    "lecture.files",
    "lecture.file",
    "work",
]


def _forge(out: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads((out / "lecture.json").read_text())
    data["lesson"]["hash"] = "0" * 64  # nothing of the old render is kept: all is swept
    change(data)
    (out / "lecture.json").write_text(json.dumps(data))


@pytest.mark.parametrize("how", ["dot-dot", "absolute"])
@pytest.mark.parametrize("field", MANIFEST_FIELDS)
def test_a_forged_manifest_is_refused_whole_and_deletes_nothing(
    rendered, precious, tmp_path, capsys, field, how
):
    out = tmp_path / "f1"
    shutil.copytree(rendered, out)
    name = "../precious/p1.txt" if how == "dot-dot" else str(precious / "p1.txt")
    _forge(out, lambda data: _put(data, field, name))
    before, ours = _sha256s(precious), _sha256s(out)
    shown = "'../precious/p1.txt'" if how == "dot-dot" else f"'{str(precious)[:40]}"
    line = _one_line_refusal(capsys, ["render", "--scenes", SCENE, "--out", str(out)])
    assert "lecture.json" in line and field in line and shown in line, line
    assert main(["verify", str(out)]) == 1
    assert any(
        line.startswith(f"lecture.json: {field}: {shown}")
        for line in capsys.readouterr().err.splitlines()
    )
    assert _sha256s(precious) == before
    assert _sha256s(out) == ours  # refused before it touched anything, even of its own


@pytest.mark.parametrize("name", ["link/p1.txt", "link/deep/p2.txt"])
def test_a_listed_name_through_a_linked_folder_is_refused_before_any_file_goes(
    rendered, precious, tmp_path, capsys, name
):
    out = tmp_path / "f2"
    shutil.copytree(rendered, out)
    (out / "link").symlink_to(precious)
    _forge(out, lambda data: _put(data, "scenes[0].files", name))
    before, ours = _sha256s(precious), _sha256s(out)
    line = _one_line_refusal(capsys, ["render", "--scenes", SCENE, "--out", str(out)])
    assert "lecture.json" in line and name in line and "symbolic link" in line, line
    assert _sha256s(precious) == before
    assert {k: v for k, v in _sha256s(out).items() if not k.startswith("link/")} == {
        k: v for k, v in ours.items() if not k.startswith("link/")
    }


def test_an_owned_folder_that_is_a_link_is_in_the_way(rendered, precious, tmp_path, capsys):
    """``slides`` recorded as ours but now a link elsewhere: the deck build stops."""
    out = tmp_path / "f3"
    shutil.copytree(rendered, out)
    data = json.loads((out / "lecture.json").read_text())
    data["owned"] = ["slides"]
    (out / "lecture.json").write_text(json.dumps(data))
    (out / "slides").symlink_to(precious)
    before = _sha256s(precious)
    line = _one_line_refusal(
        capsys, ["slides", "--scenes", SCENE, "--out", str(out), "--to", "pptx"]
    )
    assert "slides" in line and "in the way" in line, line
    assert _sha256s(precious) == before


# -- the deck record ------------------------------------------------------------------

DECK_RECORDS = {
    "dot-dot": {"../precious/p1": {"key": "k", "sha256": "0" * 64}},
    "absolute": {"/precious/p1.txt": {"key": "k", "sha256": "0" * 64}},
    "not-a-record": ["html"],
    "bad-entry": {"pptx": {"key": 1}},
}


@pytest.mark.parametrize("record", DECK_RECORDS.values(), ids=DECK_RECORDS.keys())
def test_a_forged_deck_record_refuses_the_build_before_it_renders(
    rendered, precious, tmp_path, capsys, record
):
    out = tmp_path / "f4"
    shutil.copytree(rendered, out)
    data = json.loads((out / "lecture.json").read_text())
    data["owned"] = [".decks.json"]
    (out / "lecture.json").write_text(json.dumps(data))
    (out / ".decks.json").write_text(json.dumps(record))
    before, ours = _sha256s(precious), _sha256s(out)
    line = _one_line_refusal(
        capsys, ["slides", "--scenes", SCENE, "--out", str(out), "--to", "pptx"]
    )
    assert line.startswith(f"mlp-lecture: {out / '.decks.json'}: "), line
    assert _sha256s(precious) == before and _sha256s(out) == ours


def test_a_deck_record_linked_to_dev_zero_is_refused_at_once(rendered, tmp_path, capsys):
    out = tmp_path / "f5"
    shutil.copytree(rendered, out)
    data = json.loads((out / "lecture.json").read_text())
    data["owned"] = [".decks.json"]
    (out / "lecture.json").write_text(json.dumps(data))
    (out / ".decks.json").symlink_to("/dev/zero")
    line = _one_line_refusal(
        capsys, ["slides", "--scenes", SCENE, "--out", str(out), "--to", "pptx"]
    )
    assert ".decks.json" in line and "symbolic link" in line, line


# -- item 2: gallery.json ------------------------------------------------------------------


@pytest.fixture
def frame(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "frame.png"
    Image.new("RGB", (32, 18), (10, 20, 30)).save(path)
    return path


@pytest.mark.parametrize(
    "name",
    ["../precious/p1.txt", "ABSOLUTE", "sub/../../precious/p1.txt", "..\\precious\\p1.txt"],
    ids=["dot-dot", "absolute", "climbing", "backslash"],
)
def test_a_forged_gallery_index_is_refused_whole_and_deletes_nothing(
    tmp_path, precious, frame, name
):
    """Item 2: the index names the user's file with its real sha256 (so "unchanged since"
    holds): ``stills`` refuses the index and the file stays."""
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    name = str(precious / "p1.txt") if name == "ABSOLUTE" else name
    digest = hashlib.sha256(PRECIOUS["p1.txt"]).hexdigest()
    (gallery / "gallery.json").write_text(json.dumps({"files": {name: digest}}))
    before = _sha256s(precious)
    with pytest.raises(StillsError) as caught:
        write_gallery([Still(SCENE, frame)], gallery)
    message = str(caught.value)
    assert "\n" not in message and "gallery.json: files: " in message, message
    assert "p1.txt" in message
    assert _sha256s(precious) == before
    assert sorted(p.name for p in gallery.iterdir()) == ["gallery.json"]  # nothing written


def test_a_gallery_index_or_still_linked_to_dev_zero_is_refused_at_once(tmp_path, frame):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    (gallery / "gallery.json").symlink_to("/dev/zero")
    with pytest.raises(StillsError, match=r"gallery\.json: a symbolic link"):
        write_gallery([Still(SCENE, frame)], gallery)
    (gallery / "gallery.json").unlink()
    (gallery / "01-SingleNeuron.png").symlink_to("/dev/zero")  # listed, with some hash
    (gallery / "gallery.json").write_text(json.dumps({"files": {"01-SingleNeuron.png": "0"}}))
    with pytest.raises(StillsError, match="did not write"):
        write_gallery([Still(SCENE, frame)], gallery)


def test_a_gallery_still_of_ours_is_still_replaced_and_a_stale_one_removed(tmp_path, frame):
    """The gate leaves the command's own work alone: its stills are replaced, and a still
    it wrote for a scene no longer shown is removed."""
    gallery = tmp_path / "gallery"
    write_gallery([Still(SCENE, frame), Still("Activation", frame)], gallery)
    written = json.loads((gallery / "gallery.json").read_text())["files"]
    assert sorted(written) == ["01-SingleNeuron.png", "02-Activation.png"]
    index = copy.deepcopy(written)
    write_gallery([Still(SCENE, frame)], gallery)
    assert sorted(p.name for p in gallery.iterdir()) == ["01-SingleNeuron.png", "gallery.json"]
    assert json.loads((gallery / "gallery.json").read_text())["files"] == {
        "01-SingleNeuron.png": index["01-SingleNeuron.png"]
    }


def test_a_listed_clip_linked_to_dev_zero_is_rendered_again_not_read(rendered, tmp_path):
    """The manifest records the link's size (0): the scene is not "complete", so the
    render makes it again (replacing the link) instead of joining /dev/zero forever."""
    import subprocess
    import sys

    out = tmp_path / "f6"
    shutil.copytree(rendered, out)
    (out / f"{SCENE}.mp4").unlink()
    (out / f"{SCENE}.mp4").symlink_to("/dev/zero")
    data = json.loads((out / "lecture.json").read_text())
    data["scenes"][0]["files"][f"{SCENE}.mp4"] = 0
    (out / "lecture.json").write_text(json.dumps(data))
    argv = [sys.executable, "-m", "mlp_lecture.cli", "render", "--scenes", SCENE, "--lecture"]
    result = subprocess.run([*argv, "--out", str(out)], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    assert f"{SCENE}  rendered" in result.stdout or "1 rendered" in result.stdout, result.stdout
    assert not (out / f"{SCENE}.mp4").is_symlink() and (out / "lecture.mp4").is_file()

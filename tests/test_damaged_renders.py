"""A rendered directory, damaged in every way a careless or hostile hand can: `verify`
fails with a line naming the damaged file, and never crashes (issue 15). An intact
one verifies from the trace cache without importing torch or PyAV (issue 16)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import render_scene, top_packages_imported

from mlp_lecture.cli import main

SCENE = "Activation"
LEDGER = f"{SCENE}.values.json"
CLIP = f"{SCENE}.mp4"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    return render_scene(tmp_path_factory.mktemp("render") / "out", SCENE)


def _edit_ledger(change: Callable[[dict], object]) -> Callable[[Path], str]:
    def damage(out: Path) -> str:
        data = json.loads((out / LEDGER).read_text())
        replaced = change(data)
        (out / LEDGER).write_text(json.dumps(data if replaced is None else replaced))
        return LEDGER

    return damage


def _write(name: str, data: bytes) -> Callable[[Path], str]:
    def damage(out: Path) -> str:
        (out / name).write_bytes(data)
        return name

    return damage


def _garbage_clip_same_size(out: Path) -> str:
    size = (out / CLIP).stat().st_size
    (out / CLIP).write_bytes(bytes(range(256)) * (size // 256) + b"\0" * (size % 256))
    return CLIP


def _symlink(name: str, target: str) -> Callable[[Path], str]:
    """``name`` replaced by a symlink to ``target`` (outside the directory)."""

    def damage(out: Path) -> str:
        (out / name).unlink()
        (out / name).symlink_to(target)
        return name

    return damage


def _symlink_outside(name: str) -> Callable[[Path], str]:
    """``name`` moved out of the directory and linked back: its bytes are intact."""

    def damage(out: Path) -> str:
        outside = out.parent / f"elsewhere-{name}"
        (out / name).rename(outside)
        (out / name).symlink_to(outside)
        return name

    return damage


def _fifo(name: str) -> Callable[[Path], str]:
    def damage(out: Path) -> str:
        (out / name).unlink()
        os.mkfifo(out / name)
        return name

    return damage


def _huge(name: str) -> Callable[[Path], str]:
    """``name`` made a sparse file of 10 GB: its size alone refuses it."""

    def damage(out: Path) -> str:
        with (out / name).open("r+b") as file:
            file.truncate(10_000_000_000)
        return name

    return damage


def _remove(name: str) -> Callable[[Path], str]:
    def damage(out: Path) -> str:
        (out / name).unlink()
        return name

    return damage


def _extra_scene(out: Path) -> str:
    ledger = json.loads((out / LEDGER).read_text())
    ledger["scene"] = "NeuronBatch"
    (out / "NeuronBatch.values.json").write_text(json.dumps(ledger))
    shutil.copy(out / CLIP, out / "NeuronBatch.mp4")
    return "NeuronBatch"


def _drop_from_manifest(out: Path) -> str:
    data = json.loads((out / "lecture.json").read_text())
    data["scenes"] = []
    (out / "lecture.json").write_text(json.dumps(data))
    return LEDGER  # its files are no longer vouched for


def _forged(damage: Callable[[Path], object]) -> Callable[[Path], str]:
    """``damage`` the clip, then record its new size and sha256 in the manifest: only
    reading the clip itself can tell."""

    def forge(out: Path) -> str:
        damage(out)
        data = json.loads((out / "lecture.json").read_text())
        [entry] = [e for e in data["scenes"] if e["scene"] == SCENE]
        entry["files"][CLIP] = (out / CLIP).stat().st_size
        entry["sha256"][CLIP] = hashlib.sha256((out / CLIP).read_bytes()).hexdigest()
        (out / "lecture.json").write_text(json.dumps(data))
        return CLIP

    return forge


def _cut_short(out: Path) -> None:
    data = (out / CLIP).read_bytes()
    (out / CLIP).write_bytes(data[: len(data) // 2])


def _appended(out: Path) -> None:
    with (out / CLIP).open("ab") as file:
        file.write(b"\0" * 1000)


def _duration_edited(out: Path) -> str:
    data = json.loads((out / "lecture.json").read_text())
    [entry] = [e for e in data["scenes"] if e["scene"] == SCENE]
    entry["duration"] += 5.0
    (out / "lecture.json").write_text(json.dumps(data))
    return CLIP


def _first_value(change: Callable[[dict], object]) -> Callable[[dict], object]:
    def edit(data: dict) -> None:
        data["values"][0] = change(data["values"][0])

    return edit


def _relation(change: Callable[[dict], object]) -> Callable[[dict], object]:
    def edit(data: dict) -> None:
        data["relations"] = [change({"expression": "1 + 1", "total": "2", "relation": "="})]

    return edit


DAMAGES: dict[str, Callable[[Path], str]] = {
    "lesson not UTF-8": _write("lesson.toml", b'title = "\xff\xfe"\n'),
    "lesson not TOML": _write("lesson.toml", b"[[[\n"),
    "ledger not UTF-8": _write(LEDGER, b'{"scene": "\xff"}'),
    "ledger nested deep": _write(LEDGER, b"[" * 100_000 + b"]" * 100_000),
    "ledger []": _write(LEDGER, b"[]"),
    "ledger null": _write(LEDGER, b"null"),
    "values a number": _edit_ledger(lambda d: d.update(values=3)),
    "value a string": _edit_ledger(_first_value(lambda v: "x")),
    "path null": _edit_ledger(_first_value(lambda v: {**v, "path": None})),
    "relation without relation": _edit_ledger(
        _relation(lambda r: {"expression": "1", "total": "1"})
    ),
    "relation a string": _edit_ledger(_relation(lambda r: "1 + 1 = 2")),
    "audit a list": _edit_ledger(lambda d: d.update(audit=[])),
    "sections strings": _edit_ledger(lambda d: d.update(sections=["a", "b"])),
    "values emptied": _edit_ledger(lambda d: d.update(values=[])),
    "title changed": _edit_ledger(lambda d: d.update(title="Something else")),
    "value changed": _edit_ledger(_first_value(lambda v: {**v, "value": 123.0})),
    "clip garbage": _write(CLIP, b"not a video at all"),
    "clip garbage, same size": _garbage_clip_same_size,
    "clip missing": _remove(CLIP),
    "clip garbage, hash forged": _forged(_write(CLIP, b"not a video at all")),
    "clip cut short, hash forged": _forged(_cut_short),
    "clip appended to, hash forged": _forged(_appended),
    "clip duration edited in the manifest": _duration_edited,
    "ledger missing": _remove(LEDGER),
    "extra scene": _extra_scene,
    "scene dropped from the manifest": _drop_from_manifest,
    "manifest missing": _remove("lecture.json"),
    "manifest garbage": _write("lecture.json", b"\xff\x00"),
    "manifest nested deep": _write("lecture.json", b"[" * 100_000),
    "manifest wrong types": _write("lecture.json", b'{"version": 2, "lesson": [], "scenes": 1}'),
    "ledger a link to /dev/zero": _symlink(LEDGER, "/dev/zero"),
    "manifest a link to /dev/zero": _symlink("lecture.json", "/dev/zero"),
    "lesson a link to /dev/zero": _symlink("lesson.toml", "/dev/zero"),
    "clip a link to /dev/zero": _symlink(CLIP, "/dev/zero"),
    "ledger a link out of the directory": _symlink_outside(LEDGER),
    "lesson a link out of the directory": _symlink_outside("lesson.toml"),
    "clip a link out of the directory": _symlink_outside(CLIP),
    "ledger a FIFO": _fifo(LEDGER),
    "ledger of 10 GB": _huge(LEDGER),
    "manifest of 10 GB": _huge("lecture.json"),
}


def test_the_render_verifies(rendered, capsys):
    assert main(["verify", str(rendered)]) == 0


def _verify_imports(*args: str) -> list[str]:
    """Which of torch, PyAV, manim and mlp_lecture ``verify ARGS`` imports; it must pass."""
    code = f"from mlp_lecture.cli import main\nassert main(['verify', *{list(args)!r}]) == 0"
    return top_packages_imported(code, ("torch", "av", "manim", "mlp_lecture"))


def test_the_render_verifies_without_torch_or_pyav(rendered):
    """The render filled the trace cache, and its clips are known by their sha256."""
    assert _verify_imports(str(rendered)) == ["mlp_lecture"]  # the probe sees what is imported


def test_recompute_computes_with_torch_and_decodes_with_pyav(rendered):
    assert _verify_imports("--recompute", str(rendered)) == ["torch", "av", "mlp_lecture"]


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_verify_fails_naming_the_damaged_file(rendered, tmp_path, capsys, damage):
    out = tmp_path / "out"
    shutil.copytree(rendered, out)
    named = DAMAGES[damage](out)
    status = main(["verify", str(out)])
    err = capsys.readouterr().err
    assert status in (1, 2), err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines and all(len(line) <= 400 for line in lines), err
    assert any(named in line for line in lines), err


def test_links_to_dev_zero_are_refused_at_once_in_bounded_memory(rendered, tmp_path):
    """Every file verify reads a symlink to /dev/zero: one line each, in well under a
    second, and the process never holds more than a small multiple of its start-up
    memory (it read 5.6 GB of zeros before it was killed)."""
    out = tmp_path / "out"
    shutil.copytree(rendered, out)
    names = [LEDGER, "lecture.json", "lesson.toml"]
    for name in names:
        _symlink(name, "/dev/zero")(out)
    code = (
        "import resource, sys, time\n"
        "from mlp_lecture.verification import verify_dir\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "start = time.perf_counter()\n"
        f"checked, problems = verify_dir(__import__('pathlib').Path({str(out)!r}))\n"
        "seconds = time.perf_counter() - start\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(seconds, before, after)\n"
        "print('\\n'.join(problems))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    timing, *problems = result.stdout.splitlines()
    seconds, before, after = (float(x) for x in timing.split())
    assert seconds < 1.0
    assert after - before < 50_000  # kB: no file was read into memory
    for name in names:
        assert [line for line in problems if line.startswith(f"{name}: ")] == [
            f"{name}: a symbolic link (not followed)"
        ], problems


@pytest.mark.parametrize("scenes", [",", "", " , "])
def test_an_empty_scene_choice_is_an_error_and_writes_nothing(tmp_path, capsys, scenes):
    out = tmp_path / "new" / "out"
    assert main(["render", "--scenes", scenes, "--out", str(out)]) == 2
    assert "--scenes" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()

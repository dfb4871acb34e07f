"""Nothing of the user's is touched: a command deletes or overwrites only what it wrote.

Each test puts a user's own files (named like ours: clips, ledgers, a deck,
captions, ``sections/``, ``slides/``, a folder beside ``--out`` named like a
render's work folder) where a command writes, runs the command as a user does,
and compares every one of them by sha256 before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import cli_command, run_cli

from mlp_lecture.cli import main
from mlp_lecture.pipeline.manifest import read_manifest
from mlp_lecture.pipeline.options import RenderError, RenderOptions, default_out_dir
from mlp_lecture.pipeline.ownership import (
    check_replaceable,
    make_work_dir,
    pending_files,
    stale_work_dirs,
    write_manifest,
)
from mlp_lecture.spreadsheet import default_workbook_path, write_workbook
from mlpmath import default_lesson, load_lesson
from mlpmath.lesson_writer import lesson_toml

SCENE = "SingleNeuron"  # a short scene with a few steps: one render, one slide deck

# What a user keeps in a folder, named as mlp-lecture names its own files.
USER_FILES = {
    "out/ForwardPass.mp4": b"my own clip",
    "out/MSELoss.values.json": b'{"mine": true}',
    "out/talk.srt": b"1\n00:00:00,000 --> 00:00:01,000\nhello\n",
    "out/sections/ForwardPass-00.mp4": b"my section",
    "out/slides-notes/intro.md": b"# notes",
    ".out-work-mine/keep.txt": b"a folder named like a work folder",
}


def make_user_files(root: Path, files: dict[str, bytes] = USER_FILES) -> dict[str, str]:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return snapshot(root)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root``: its sha256, by path."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def user_part(root: Path, before: dict[str, str]) -> dict[str, str]:
    """The files of ``before`` as they are now (a missing one is missing)."""
    now = snapshot(root)
    return {name: now[name] for name in before if name in now}


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


# -- refused: nothing written ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["render", "slides", "script"])
def test_a_non_empty_out_that_is_no_render_directory_is_refused(tmp_path, capsys, command):
    before = make_user_files(tmp_path)
    listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    where = "--dir" if command == "script" else "--out"
    args = [command, "--scenes", SCENE, where, str(tmp_path / "out")]
    if command == "script":
        args += ["--out", str(tmp_path / "script.md")]
    assert main(args) == 2
    line = one_line(capsys.readouterr().err)
    assert "not empty and not an mlp-lecture render directory" in line
    assert snapshot(tmp_path) == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == listing


@pytest.mark.parametrize(
    ("command", "theirs"),
    [
        (["render", "--format", "png"], f"out/{SCENE}.png"),
        (["render"], f"out/{SCENE}.values.json"),
        (["render", "--lecture"], "out/lecture.srt"),
        (["slides"], "out/deck.pptx"),
        (["slides"], "out/slides/MyTalk.json"),
        (["slides"], f"out/sections/{SCENE}-03.vtt"),
        (["slides", "--to", "html"], "out/deck_assets/logo.png"),
        (["render"], "out/lesson.toml"),
    ],
)
def test_a_file_of_the_users_where_a_forced_command_writes_stops_it(
    tmp_path, capsys, command, theirs
):
    before = make_user_files(tmp_path, {**USER_FILES, theirs: b"the user's"})
    args = [*command, "--scenes", SCENE, "--force", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"mlp-lecture: {tmp_path / theirs}: in the way"), line
    assert snapshot(tmp_path) == before


def test_a_manifest_that_cannot_be_read_is_not_written_over(tmp_path, capsys):
    before = make_user_files(tmp_path, {**USER_FILES, "out/lecture.json": b"my notes"})
    assert main(["render", "--scenes", SCENE, "--force", "--out", str(tmp_path / "out")]) == 2
    assert "lecture.json: not a manifest mlp-lecture can read" in one_line(capsys.readouterr().err)
    assert snapshot(tmp_path) == before


# -- forced: written beside the user's files --------------------------------------------------


def test_render_then_slides_beside_the_users_files_delete_none_of_them(tmp_path):
    """A forced render (a still), then a slide deck in the same folder (other options:
    the still is ours and goes), then a render killed in the middle of writing
    (its work folder, recorded, goes; the user's look-alike stays)."""
    before = make_user_files(tmp_path)
    out = tmp_path / "out"
    result = run_cli("render", "--scenes", SCENE, "--format", "png", "--force", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert user_part(tmp_path, before) == before
    assert (out / f"{SCENE}.png").is_file()
    data = json.loads((out / "lecture.json").read_text())
    assert "owned" not in data and "work" not in data  # recorded only while there is some

    result = run_cli("slides", "--scenes", SCENE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert user_part(tmp_path, before) == before
    assert not (out / f"{SCENE}.png").exists()  # ours, of the options before
    assert (out / "deck.pptx").is_file() and (out / "deck.html").is_file()
    assert not list(out.glob(".deck-*"))
    manifest = read_manifest(out)
    assert set(manifest.owned) == {".decks.json", "deck.html", "deck.pptx", "deck_assets", "slides"}
    assert manifest.work == {}

    # A killed render's work folder, as the manifest records it; and the user's.
    work, token = make_work_dir(out)
    manifest.work = {work.name: token, ".out-work-mine": token}
    write_manifest(out, manifest)
    result = run_cli("slides", "--scenes", SCENE, "--to", "pptx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not work.exists()
    assert user_part(tmp_path, before) == before
    assert not (out / "deck.html").exists()  # ours, and not asked for: stale
    assert read_manifest(out).owned == [".decks.json", "deck.pptx", "slides"]

    # script: a file of the user's where it writes is refused before anything renders
    mine = tmp_path / "my-script.md"
    mine.write_text("# my script\n")
    assert run_cli("script", "--scenes", SCENE, "--dir", str(out)).returncode == 0
    result = run_cli("script", "--scenes", SCENE, "--dir", str(out), "--out", str(mine))
    assert result.returncode == 2
    assert "is not a script mlp-lecture wrote" in one_line(result.stderr)
    assert mine.read_text() == "# my script\n"
    check_replaceable(tmp_path / "new.md", "script")  # a new file: fine
    check_replaceable(out.parent / "script.md", "script")  # the one it wrote: its own


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_an_interrupted_render_leaves_the_users_files(tmp_path, how):
    before = make_user_files(tmp_path)
    listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*cli_command(), "render", "--scenes", SCENE, "--jobs", "1", "--force", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    # Interrupted once the worker writes (a signal while workers are spawned is not heard).
    while not list(tmp_path.glob(f".out-work-*/{SCENE}/media")):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    if how == "SIGINT":  # Ctrl-C: the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, getattr(signal, how))
    _, stderr = process.communicate(timeout=60)
    if how == "SIGKILL":  # no clean-up: the work folder stays, recorded for the next run
        assert process.returncode == -9
        assert user_part(tmp_path, before) == before
        manifest = read_manifest(out)
        (work,) = stale_work_dirs(out, manifest.work)
        assert work.parent == tmp_path and work.name != ".out-work-mine"
        return
    assert process.returncode == 128 + getattr(signal, how), stderr
    assert snapshot(tmp_path) == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == listing


# -- the proofs, unit by unit ----------------------------------------------------------------


def test_a_file_a_killed_run_was_moving_in_is_ours_only_with_its_hash(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"ours")
    (tmp_path / "b.mp4").write_bytes(b"the user's, since")
    (tmp_path / "c.mp4").symlink_to(tmp_path / "a.mp4")
    ours = hashlib.sha256(b"ours").hexdigest()
    pending = {"a.mp4": [ours], "b.mp4": [ours], "c.mp4": [ours], "../a.mp4": [ours]}
    assert pending_files(tmp_path, pending) == {"a.mp4"}


def test_single_files_are_overwritten_only_when_ours(tmp_path, capsys):
    theirs = tmp_path / "budget.xlsx"
    theirs.write_bytes(b"PK\x03\x04 the user's spreadsheet")
    assert main(["workbook", "--out", str(theirs)]) == 2
    assert "is not a workbook mlp-lecture wrote" in one_line(capsys.readouterr().err)
    assert theirs.read_bytes() == b"PK\x03\x04 the user's spreadsheet"
    ours = write_workbook(default_lesson(), tmp_path / "ours.xlsx")
    assert main(["workbook", "--out", str(ours)]) == 0  # its own: written again

    lesson = tmp_path / "net.toml"
    lesson.write_text(lesson_toml(default_lesson()))
    check_replaceable(lesson, "lesson")
    lesson.write_text("# my lesson\n")
    with pytest.raises(RenderError, match="is not a lesson mlp-lecture wrote"):
        check_replaceable(lesson, "lesson")


@pytest.mark.parametrize(
    ("file", "folder"),
    [("...toml", "lesson"), ("..toml", "lesson"), (". ..toml", ". ."), ("wide.toml", "wide")],
)
def test_a_lessons_name_never_takes_its_renders_out_of_renders(tmp_path, file, folder):
    source = Path(__file__).resolve().parent.parent / "lessons" / "wide.toml"
    path = tmp_path / file
    path.write_text(source.read_text())
    lesson = load_lesson(path)
    assert default_out_dir(lesson, "low") == Path("renders", folder, "low")
    assert default_workbook_path(lesson) == Path("renders", folder, "workbook.xlsx")
    options = RenderOptions(quality="low", sections=True)
    assert default_out_dir(default_lesson(), options) == Path("renders/default/low-slides")

"""`mlp-lecture script`: the teacher's script, held to the render's manifest and ledgers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import LESSONS, run_cli

import mlp_lecture
from mlp_lecture.captions import plain_text
from mlp_lecture.lecture_script import build_script, clock
from mlp_lecture.pipeline.options import select_scenes

SCENES = "Activation,NeuronBatch"
HEADING = re.compile(
    r"^### (?P<start>\d+:\d\d\.\d) \[(?P<lecture>\d+:\d\d\.\d)\] · (?P<what>title|step \d+ of \d+)"
    r" · (?P<duration>\d+\.\d) s$",
    re.M,
)


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> tuple[Path, str]:
    """The default lesson's script, written by the command (which renders first)."""
    root = tmp_path_factory.mktemp("script")
    out = root / "script.md"
    result = run_cli("script", "--scenes", SCENES, "--dir", str(root / "low"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return root / "low", out.read_text()


def test_the_script_has_a_heading_per_scene_and_per_step_timed_as_the_manifest(script):
    render, text = script
    manifest = json.loads((render / "lecture.json").read_text())
    scenes = re.split(r"^## ", text, flags=re.M)[1:]
    assert len(scenes) == len(manifest["scenes"]) == 2
    lecture_at = 0.0
    for number, (part, entry) in enumerate(zip(scenes, manifest["scenes"]), start=1):
        ledger = json.loads((render / entry["ledger"]).read_text())
        assert part.startswith(f"{number}. ")
        assert f"(`{entry['scene']}`, {clock(entry['duration'])})" in part.splitlines()[0]
        assert plain_text(ledger["title"]) in part.splitlines()[0]
        steps = list(HEADING.finditer(part))
        assert len(steps) == len(entry["sections"])  # the title, then one per step
        for heading, section in zip(steps, entry["sections"]):
            assert heading["start"] == clock(section["start"])
            assert heading["lecture"] == clock(lecture_at + section["start"])
            assert float(heading["duration"]) == pytest.approx(
                section["end"] - section["start"], abs=0.051
            )
            assert (heading["what"] == "title") == (section["step"] == "")
            caption = part[heading.end() :].split("\n\n", 2)[1]
            assert caption == f"> {plain_text(section['step'] or ledger['title'])}"
        lecture_at += entry["duration"]


def test_each_step_lists_the_numbers_it_brings_on_screen_with_their_paths(script):
    render, text = script
    ledger = json.loads((render / "NeuronBatch.values.json").read_text())
    listed = set(re.findall(r"^\| (.+?) \| `(.+?)` \|$", text, flags=re.M))
    shown = {(value["path"], value["text"]) for value in ledger["values"]}
    # A cell's text as Markdown reads it: a backslash before punctuation escapes it.
    read = {(path, re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", cell)) for cell, path in listed}
    assert shown <= read


def test_a_second_script_uses_the_render_it_has(script, tmp_path):
    render, text = script
    result = run_cli("script", "--scenes", SCENES, "--dir", str(render), "--out", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout == text
    assert f"{render}: 2 scene(s) (2 cached)" in result.stderr  # nothing rendered again


def test_a_script_of_a_directory_reads_the_scenes_it_holds_and_renders_none(script):
    render, text = script
    built = build_script(None, None, render)  # no lesson, no scenes: the directory's
    in_order = select_scenes(SCENES)  # lecture order
    assert [(scene.name, scene.status) for scene in built.render.scenes] == [
        (name, "cached") for name in in_order
    ]
    assert built.text == text
    # The command, without --scenes, lists exactly those two (of the lecture's ten).
    result = run_cli("script", "--dir", str(render), "--out", "-")
    assert result.returncode == 0, result.stderr
    assert re.findall(r"^## \d+\. .* \(`(\w+)`", result.stdout, flags=re.M) == select_scenes(SCENES)
    assert f"{render}: 2 scene(s) (2 cached)" in result.stderr


def test_the_api_writes_the_script_of_a_render(script, tmp_path):
    render, text = script
    path = mlp_lecture.script(dir=render, out=tmp_path / "notes.md", progress=False)
    assert path == tmp_path / "notes.md"
    assert path.read_text(encoding="utf-8") == text


def test_a_script_of_another_lesson_leaves_the_render_alone(script):
    render, _ = script
    manifest = (render / "lecture.json").read_bytes()
    result = run_cli("script", str(LESSONS / "relu.toml"), "--dir", str(render), "--out", "-")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "holds the render of lesson 'default'" in result.stderr
    assert result.stdout == ""
    assert (render / "lecture.json").read_bytes() == manifest

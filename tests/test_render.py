"""`mlp-lecture render` and `verify`, run as a user runs them: as commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "mlp_lecture.cli"]


def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The default lesson's ReLU scene (the quickest), rendered once for these tests."""
    out = tmp_path_factory.mktemp("render") / "low"
    result = run("render", "--scenes", "Activation", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_render_writes_the_clip_its_ledger_and_the_lesson(rendered):
    assert sorted(p.name for p in rendered.iterdir()) == [
        "Activation.mp4",
        "Activation.srt",
        "Activation.values.json",
        "Activation.vtt",
        "explore",  # the lesson's explorable page
        "lecture.json",
        "lesson.toml",
    ]
    assert (rendered / "Activation.mp4").stat().st_size > 10_000
    ledger = json.loads((rendered / "Activation.values.json").read_text())
    assert ledger["scene"] == "Activation"
    assert {"path", "value", "text", "step"} <= set(ledger["values"][0])


def test_render_leaves_no_work_files_beside_the_output(rendered):
    assert [p.name for p in rendered.parent.iterdir()] == ["low"]


def test_verify_passes_on_a_fresh_render(rendered):
    result = run("verify", str(rendered))
    assert result.returncode == 0, result.stderr
    assert "agree with the trace" in result.stdout


def test_verify_lists_a_tampered_value(rendered, tmp_path):
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    shutil.copytree(rendered, tampered, dirs_exist_ok=True)
    ledger_path = tampered / "Activation.values.json"
    ledger = json.loads(ledger_path.read_text())
    entry = ledger["values"][3]
    entry["text"] = "9" + entry["text"]
    ledger_path.write_text(json.dumps(ledger))
    result = run("verify", str(tampered))
    assert result.returncode == 1
    assert entry["path"] in result.stderr
    assert "Traceback" not in result.stderr


def test_render_of_a_bad_lesson_fails_in_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (ROOT / "lessons" / "default.toml").read_text().replace("steps = 10", "steps = -1")
    )
    out = tmp_path / "out"
    result = run("render", str(bad), "--out", str(out))
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "training.steps" in result.stderr
    assert not out.exists()


def test_a_regression_render_names_why_it_skips_softmax(tmp_path):
    out = tmp_path / "out"
    result = run("render", "--scenes", "Softmax", "--out", str(out))
    assert result.returncode == 0, result.stderr
    why = "a classification scene: this lesson's loss is MSE"
    assert why in result.stdout
    lecture = json.loads((out / "lecture.json").read_text())
    assert [scene.get("skipped") for scene in lecture["scenes"]] == [why]


def test_unknown_scene_name_is_one_line(tmp_path):
    result = run("render", "--scenes", "NoSuchScene", "--out", str(tmp_path / "o"))
    assert result.returncode != 0
    assert "NoSuchScene" in result.stderr and "Traceback" not in result.stderr


def run_manim(lesson: Path, media: Path, *options: str) -> subprocess.CompletedProcess:
    """A teacher's own `manim -ql -s scenes/activation.py ...` with MLP_LESSON set."""
    env = {**os.environ, "MLP_LESSON": str(lesson)}
    return subprocess.run(
        [sys.executable, "-m", "manim", "-ql", "-s", *options, "--media_dir", str(media),
         "scenes/activation.py", "Activation"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def test_plain_manim_reads_the_lesson_from_MLP_LESSON(tmp_path):
    result = run_manim(ROOT / "lessons" / "relu.toml", tmp_path, "--format", "png")
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(tmp_path.rglob("Activation*.png"))


def test_plain_manim_fails_on_a_bad_MLP_LESSON(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "lessons" / "default.toml").read_text().replace('"relu"', '"relux"', 1))
    result = run_manim(bad, tmp_path)
    assert result.returncode != 0
    assert "neuron[0].activation" in result.stdout + result.stderr


def test_scenes_read_the_lesson_named_by_MLP_LESSON(monkeypatch):
    from scenekit.context import current_trace

    monkeypatch.setenv("MLP_LESSON", str(ROOT / "lessons" / "relu.toml"))
    assert current_trace().lesson == "relu"
    monkeypatch.setenv("MLP_LESSON", "")
    assert current_trace().lesson == "default"

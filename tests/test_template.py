"""The template scene: it renders with plain ``manim`` and passes the audit, as
``scenes/GUIDE.md`` promises a new scene must. The toolkit's docstring examples
are checked too, so the ones that can run do not rot.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scenekit.diagrams
import scenekit.learning
import scenekit.lecture_scene
import scenekit.traced
from mlpmath import compute_trace, load_lesson
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenes import LECTURE_ORDER
from scenes.template import TemplateScene

ROOT = Path(__file__).resolve().parent.parent


def _manim() -> list[str]:
    """The ``manim`` script installed beside this Python, else ``python -m manim``."""
    script = Path(sys.executable).parent / "manim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "manim"]


def test_template_renders_with_plain_manim(tmp_path):
    command = [*_manim(), "-ql", "--media_dir", str(tmp_path)]
    result = subprocess.run(
        [*command, "scenes/template.py", "TemplateScene"],
        cwd=ROOT,
        env={**os.environ, LESSON_ENV: ""},  # the default lesson
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    videos = list(tmp_path.rglob("TemplateScene.mp4"))
    assert videos, result.stdout[-3000:]
    assert videos[0].stat().st_size > 0


@pytest.mark.parametrize("lesson", [None, "lessons/relu.toml", "lessons/wide.toml"])
def test_template_passes_the_audit(lesson, monkeypatch, tmp_path_factory):
    path = ROOT / lesson if lesson else None
    monkeypatch.setenv(LESSON_ENV, str(path) if path else "")
    trace = compute_trace(load_lesson(path))
    assert TemplateScene.applies(trace)
    media = str(tmp_path_factory.getbasetemp() / "manim-media")
    audit, problems = audit_scene(TemplateScene, trace, media)
    assert problems == []
    paths = {entry.path for entry in audit.scene.ledger.entries}
    assert "neurons[0].weighted_sum[0]" in paths
    assert audit.scene.ledger.relations, "the worked sum recorded no arithmetic"
    assert audit.scene.steps == [
        "A weight, read from the trace",
        "Each weight times its input, added up",
    ]


def test_template_is_not_part_of_the_lecture():
    assert "TemplateScene" not in dict(LECTURE_ORDER)


@pytest.mark.parametrize(
    "module",
    [scenekit.traced, scenekit.lecture_scene, scenekit.learning, scenekit.diagrams],
    ids=lambda module: module.__name__,
)
def test_toolkit_docstring_examples(module):
    """Examples that need a running scene are marked to skip; the rest must pass."""
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0

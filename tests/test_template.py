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
from manim import ManimColor, tempconfig

import scenekit.diagrams
import scenekit.learning
import scenekit.lecture_scene
import scenekit.traced
import scenekit.traced_mobjects
from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenekit.ledger import Ledger
from scenekit.terms import Checked, Value
from scenekit.traced import TracedValues
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
    [
        scenekit.traced,
        scenekit.traced_mobjects,
        scenekit.lecture_scene,
        scenekit.learning,
        scenekit.diagrams,
    ],
    ids=lambda module: module.__name__,
)
def test_toolkit_docstring_examples(module):
    """Examples that need a running scene are marked to skip; the rest must pass."""
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_a_grid_keeps_the_colour_given_to_a_value(tmp_path):
    """``Value(path, color)`` in a table's cell is drawn in that colour (it was
    dropped once): just its glyphs, not the notation beside it nor other cells."""
    traced = TracedValues(compute_trace(load_lesson(None)), Ledger())
    weights = "neurons[0].weight"

    def cell(row: int, column: int):
        if column == 0:
            return ["w =", Value(f"{weights}[0]", style.WEIGHT)]
        if column == 1:
            return Checked((Value(f"{weights}[1]"),), f"{weights}[1]", style.RESULT)
        return Value(f"{weights}[2]")

    with tempconfig({"media_dir": str(tmp_path)}):
        grid = traced.grid(1, 3, cell, color=style.TEXT)

    def colours(glyphs) -> list[str]:
        return [glyph.get_fill_color().to_hex() for glyph in glyphs.family_members_with_points()]

    def hex_of(colour) -> str:
        return ManimColor(colour).to_hex()

    shown = [traced.text(f"{weights}[{i}]") for i in range(3)]
    first, second, third = (colours(grid.entry(0, column)) for column in range(3))
    # "w" and "=" keep the grid's colour; each character of the value takes its own
    assert first == [hex_of(style.TEXT)] * 2 + [hex_of(style.WEIGHT)] * len(shown[0])
    assert second == [hex_of(style.RESULT)] * len(shown[1])
    assert third == [hex_of(style.TEXT)] * len(shown[2])

"""The docs name the lecture's scenes as ``scenes.LECTURE_ORDER`` does.

Every place in README.md and scenes/GUIDE.md that lists the scenes, counts
them or names one is read back and held against ``LECTURE_ORDER`` (and the
modules it names), so a new, renamed or reordered scene cannot leave the docs
stale. The lists are read from the docs, never typed here.
"""

from __future__ import annotations

import ast
import re

import pytest
from conftest import ROOT

from scenes import LECTURE_ORDER, SCENE_ALIASES, scene_class

README = ROOT / "README.md"
GUIDE = ROOT / "scenes" / "GUIDE.md"
DOCS = [README, GUIDE]
PLACEHOLDER = "MyScene"  # the guide's name for the scene being written
NAMES = [name for name, _ in LECTURE_ORDER]


def _section(text: str, heading: str) -> str:
    """The text under ``heading`` (a Markdown heading line), up to the next heading."""
    start = text.index(f"\n{heading}\n")
    following = re.search(r"\n#{1,6} ", text[start + len(heading) + 2 :])
    end = start + len(heading) + 2 + following.start() if following else len(text)
    return text[start:end]


def test_the_lecture_table_lists_every_scene_in_lecture_order():
    table = _section(README.read_text(encoding="utf-8"), "### The lecture")
    listed = re.findall(r"^\| `([A-Za-z]+)` \|", table, flags=re.MULTILINE)
    assert listed == NAMES


def test_the_present_command_plays_every_scene_of_the_default_lesson_in_order():
    """The command ``slides`` prints for the default lesson: its rendered scenes."""
    from mlpmath import cached_trace, default_lesson

    trace = cached_trace(default_lesson())
    commands = re.findall(
        r"^\S*manim-slides present --folder (\S+) (.+)$", README.read_text(), re.M
    )
    assert commands, "README.md shows no manim-slides present command"
    for folder, scenes in commands:
        assert folder == "renders/default/low-slides/slides"
        assert scenes.split() == [name for name in NAMES if scene_class(name).applies(trace)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_scene_named_in_a_command_exists(doc):
    """``--scenes A,B`` takes lecture scenes (or an old name that still selects one);
    ``manim -ql scenes/<file>.py <Class>`` names a class that file defines."""
    text = doc.read_text(encoding="utf-8")
    known = {*NAMES, *SCENE_ALIASES, PLACEHOLDER}
    for argument in re.findall(r"--scenes ([A-Za-z,]+)", text):
        assert set(argument.split(",")) <= known, argument
    for path, name in re.findall(r"manim -ql (scenes/\w+\.py) (\w+)", text):
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        assert name in classes, f"{path} defines no {name}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_a_count_of_the_lecture_scenes_is_their_number(doc):
    """A count of the whole lecture ("10 scenes", "all ten clips") goes stale with a
    new scene, so every such count must be ``len(LECTURE_ORDER)`` (an example
    that renders "three scenes" is not a count of the lecture)."""
    words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    number = {word: index + 1 for index, word in enumerate(words.split())}
    text = doc.read_text(encoding="utf-8")
    counts = [int(n) for n in re.findall(r"\b(\d+) (?:scenes|clips)\b", text)]
    counts += [number.get(w, -1) for w in re.findall(r"\ball (\w+) (?:scenes|clips)\b", text)]
    assert all(count == len(LECTURE_ORDER) for count in counts), counts

"""The docs name the lecture's scenes as ``scenes.LECTURE_ORDER`` does.

Every place in README.md, scenes/GUIDE.md and the manual's pages
(docs/source/) that lists the scenes, counts them or names one is read back
and held against ``LECTURE_ORDER`` (and the modules it names), so a new,
renamed or reordered scene cannot leave the docs stale. The lists are read
from the docs, never typed here. The README stays a front door: at most 200
lines, and every page it links to exists.
"""

from __future__ import annotations

import ast
import re

import pytest
from conftest import ROOT

from scenes import LECTURE_ORDER, SCENE_ALIASES, scene_class

README = ROOT / "README.md"
GUIDE = ROOT / "scenes" / "GUIDE.md"
MANUAL = ROOT / "docs" / "source"
SCENE_TABLE = MANUAL / "reference" / "scenes.md"  # the lecture's scenes, in order
PRESENTING = MANUAL / "howto" / "presenting.md"  # the manim-slides present command
DOCS = [README, GUIDE, *sorted(MANUAL.rglob("*.md"))]
PLACEHOLDER = "MyScene"  # the guide's name for the scene being written
NAMES = [name for name, _ in LECTURE_ORDER]


def test_the_lecture_table_lists_every_scene_in_lecture_order():
    table = SCENE_TABLE.read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([A-Za-z]+)` \|", table, flags=re.MULTILINE)
    assert listed == NAMES


def test_the_present_command_plays_every_scene_of_the_default_lesson_in_order():
    """The command ``slides`` prints for the default lesson: its rendered scenes."""
    from mlpmath import cached_trace, default_lesson

    trace = cached_trace(default_lesson())
    commands = re.findall(
        r"^\S*manim-slides present --folder (\S+) (.+)$", PRESENTING.read_text(), re.M
    )
    assert commands, f"{PRESENTING.name} shows no manim-slides present command"
    for folder, scenes in commands:
        assert folder == "renders/default/low-slides/slides"
        assert scenes.split() == [name for name in NAMES if scene_class(name).applies(trace)]


def test_the_readme_is_a_front_door_whose_links_lead_somewhere():
    """At most 200 lines; every relative link and picture names a file of the repository."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    targets = re.findall(r"\]\(([^)#\s]+)[^)]*\)", text) + re.findall(r'src="([^"]+)"', text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert len(local) > 20
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, missing


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
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


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
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

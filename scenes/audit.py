"""The audit: build a scene without video and check every number it showed.

Every text or math mobject the scene ever put on screen is read back as
source text; each number in it must be a ledger entry of that very mobject,
and every ledger entry must agree with a fresh trace. Notation is allowed
its indices (``x_1``, ``k_3^1``, exponents) and the constants of formulas.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from manim import DecimalNumber, Mobject, tempconfig
from manim.mobject.text.tex_mobject import SingleStringMathTex
from manim.mobject.text.text_mobject import MarkupText, Paragraph, Text
from manim.mobject.text.typst_mobject import Typst

from mlpmath import Trace
from scenes.ledger import check_ledger

__all__ = ["FORMULA_CONSTANTS", "audit_scene", "build_scene", "numbers_in", "shown_sources"]

# Integers a formula may write itself: max(0, z), 1/K, (y - ŷ)^2, dZ/df = 2f.
FORMULA_CONSTANTS = frozenset({"0", "1", "2"})

_GROUP_LABEL = re.compile(r":\s*[A-Za-z_][A-Za-z0-9_-]*\s*\}\}")
_INDEX = re.compile(r"[_^](\([^()]*\)|[A-Za-z0-9]+)")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?")


def build_scene(scene_class: type, quality: str = "low_quality") -> Any:
    """Run ``construct`` with animations fast-forwarded and nothing written."""
    with tempconfig({"quality": quality, "write_to_movie": False, "save_last_frame": False}):
        scene = scene_class(skip_animations=True)
        scene.render()
    return scene


def shown_sources(mobjects: Iterable[Mobject]) -> list[tuple[Mobject, str]]:
    """The source text of every text-like mobject among ``mobjects``."""
    found = []
    for mobject in mobjects:
        if isinstance(mobject, Typst):
            found.append((mobject, mobject.typst_code))
        elif isinstance(mobject, Text | MarkupText):
            found.append((mobject, mobject.original_text))
        elif isinstance(mobject, Paragraph):
            found.append((mobject, " ".join(str(line) for line in mobject.lines_text)))
        elif isinstance(mobject, SingleStringMathTex):
            found.append((mobject, mobject.tex_string))
        elif isinstance(mobject, DecimalNumber):
            found.append((mobject, str(mobject.get_value())))
    return found


def numbers_in(source: str) -> list[str]:
    """The numbers a source shows, without group labels and notation indices."""
    without_labels = _GROUP_LABEL.sub("}}", source)
    without_indices = _INDEX.sub("", without_labels)
    return _NUMBER.findall(without_indices)


def audit_scene(scene: Any, trace: Trace) -> list[str]:
    """Every number shown that the ledger does not account for, one line each."""
    name = type(scene).__name__
    problems = []
    for mobject, source in shown_sources(scene.ever_shown.values()):
        shown = Counter(numbers_in(source))
        recorded = Counter(entry.text.lstrip("-") for entry in scene.ledger.entries_of(mobject))
        for number in (shown - recorded).elements():
            if number not in FORMULA_CONSTANTS:
                problems.append(f"{name}: shows {number} in {source!r}, not from the trace")
        for number in (recorded - shown).elements():
            problems.append(f"{name}: ledger says {number} is shown in {source!r}, but it is not")
    ledger = scene.ledger.to_json(name, trace.lesson, set(scene.ever_shown))
    problems += check_ledger(trace, ledger)
    return problems

"""The texts a scene puts on screen, held to the lecture's notation (``mlpmath.notation``).

Each rule catches one way the notation used to drift: the sample index written as
a subscript (``y_i``, ``P_(i k)``) or as a bare superscript (``z^1``, ``delta^i``,
``k_j^s``)
instead of ``^((i))``; a layer as a subscript (``W_(1)``) instead of ``^([1])``;
an output neuron named by ``y`` (``z_(y1)``, ``w_(3,y1)``, and the deck's own
``w_(6y)``, ``b_(y)``, ``delta_(y)``: a regression's one output is ``hat(y)``, a
classifier's is its class); a second letter for the true class's probability (``q_i``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mlpmath.display import APPROX

__all__ = ["RULES", "approx_problems", "notation_problems", "screen_problems"]

_SAMPLE_SUBSCRIPT = re.compile(r"(?<!sum)(?<!max)(?<!min)(?<!\))_(?:i\b|\(i[ ,)])")
_BARE_SAMPLE = re.compile(r"\^(?:[is](?![A-Za-z0-9])|\((?:i|s|\d+)\))")
_LAYER_SUBSCRIPT = re.compile(r"(?<![A-Za-z])[WBNGAZ]_\(?\d")
_OUTPUT_BY_Y = re.compile(r"_\((?:[^()]*[ ,])?y ?\d+\)|_y\d")
_SECOND_LETTER = re.compile(r"(?<![A-Za-z])q_")
_DECK_OUTPUT_Y = re.compile(r"_\(\d+,? ?y\)|\b(?:b|delta|n|k|g)_\(?y\)?(?![A-Za-z(^])")

RULES = {
    "the sample index is a superscript in round brackets, ^((i))": _SAMPLE_SUBSCRIPT,
    "the sample index is written in round brackets, ^((i)) (not ^i, ^s or ^(1))": _BARE_SAMPLE,
    "a layer is a superscript in square brackets, ^([l])": _LAYER_SUBSCRIPT,
    "an output neuron is never named by y": _OUTPUT_BY_Y,
    "an output neuron is never named by y (a regression's is hat(y), a classifier's "
    "its class k)": _DECK_OUTPUT_Y,
    "the true class's probability is p_y (not q)": _SECOND_LETTER,
}


def notation_problems(formulas: Iterable[str], classification: bool) -> list[str]:
    """One line per formula (a text's math, as ``scenekit.audit.formulas_in`` reads
    it) that breaks a rule. ``classification`` is kept for callers: the rules are
    now the same for both losses (no output neuron is named by ``y`` in either)."""
    del classification
    rules = RULES
    problems = []
    for formula in formulas:
        for rule, pattern in rules.items():
            found = pattern.search(formula)
            if found:
                problems.append(f"{rule}: {found.group(0)!r} in {formula[:120]!r}")
    return problems


def approx_problems(sources: Iterable[str]) -> list[str]:
    """``≈`` on screen with nowhere a note saying what it means (``scenekit.approx``)."""
    from scenekit.approx import APPROX_LINES

    sources = list(sources)
    shown = [source for source in sources if APPROX in source]
    if shown and APPROX_LINES[0] not in sources:
        return [f"≈ shown unexplained, first in {shown[0][:120]!r}"]
    return []


def screen_problems(audit: Any) -> list[str]:
    """Everything an audited build (``scenekit.audit.audit_scene``) showed, held to
    the notation, with ``≈`` explained."""
    from scenekit.audit import formulas_in

    shown = audit.shown_texts()
    classification = audit.scene.trace.network.loss_function == "cross_entropy"
    formulas = [formulas_in(mobject, source) for mobject, source in shown]
    name = type(audit.scene).__name__
    problems = notation_problems(formulas, classification)
    problems += approx_problems(source for _, source in shown)
    return [f"{name}: {problem}" for problem in problems]

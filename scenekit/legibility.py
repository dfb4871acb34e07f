"""How tall the shown glyphs are, measured on the mobjects (not on pixels).

At 480p a digit must be at least 12 px tall to be read from the back of a
room: ``DIGIT_FRACTION`` (1/40) of the frame's height; any other glyph,
subscripts included, ``TEXT_FRACTION`` (1/60). A traced value's digits are
the glyphs of its group in the formula (``manimgrp("v0", 0.5398)``): their
median height is the digits' (a minus sign, a point or brackets are the
outliers). A text's other glyphs are measured all, but for punctuation and
strokes (glyphs under ``MARK_FRACTION`` of the text's tallest letter: points,
commas, primes, apostrophes, minus signs, rules), whose height says nothing
of legibility, and tall delimiters (brackets, braces), which are large anyway. A subscript's
digits are measured; its lowercase letters (under half the tallest letter)
pass for marks, a limit of measuring shapes without knowing which character
each is.

A prime is known by its shape and place, not its height alone: narrow, above
the middle of the text and short beside its tallest letter (``HIGH_MARK``),
or above the middle of the letter it marks (the glyph left of it) and short
beside that letter (``PRIME``). The second says it where a superscript
raises the text's middle (``sigma'(N^([l]))``) or no letter is taller than
the one primed (``sigma'(n)``); a superscript digit or letter sits lower and
stands taller than a prime, and is measured. Operators (``+``, ``<``, ``>``,
``×``) are judged as minus and equals are: with the marks. The font draws
them squat (wider than tall) and raised off the baseline, on the math axis,
so their height is the font's proportion, not the text's size (``<`` is 6.2
px where the letters beside it are 8.4); the letters and digits around them
say whether the text is legible. A squat glyph is an operator when its bottom
stands ``RAISED`` of the tallest letter over the bottoms of the letters on
either side of it (its operands) and its top no higher than theirs: a squat
letter (x, m, w) sits on the baseline with its neighbours, and stands over a
subscript or under a superscript beside it, and is measured.

A problem speaks from the scene's side, as the audit's do
(``scenekit.audit_words``): the scene and step, the text by the trace paths
it shows (else a few of its characters, never its Typst source), and where on
the frame, e.g. ``TinyLoss, step 4 ('The loss'), at the top middle: digits
6.4 px at 480p (< 12) in the text of network.loss``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import config

from scenekit.audit_words import at_step, placed, quoted_text, text_named

__all__ = [
    "DIGIT_FRACTION",
    "MARK_FRACTION",
    "TEXT_FRACTION",
    "Measured",
    "glyph_heights",
    "too_small",
]

DIGIT_FRACTION = 1 / 40  # of the frame's height: a shown value's digits
TEXT_FRACTION = 1 / 60  # of the frame's height: every other glyph, subscripts included
MARK_FRACTION = 0.45  # glyphs shorter than this part of their text's tallest letter are marks
FLAT = 0.6  # glyphs less tall than this part of their width are marks (minus, equals, bars)
DELIMITER = 1.6  # glyphs this many times the text's median height ...
THIN = 2.5  # ... and this many times taller than wide are delimiters (brackets, braces)
HIGH_MARK = 0.6  # of the tallest letter: a narrow glyph under it, high up, is a prime
PRIME = 0.75  # of the letter before it: a narrow glyph under it, above its middle, is a prime
RAISED = 0.05  # of the tallest letter: a squat glyph this far off the baseline is an operator

_VALUE_GROUP = re.compile(r'manimgrp\("([^"]+)",\s*[(≈\s]*-?\d')
_VALUE_SHOWN = re.compile(r'manimgrp\("[^"]+",\s*([^()]*)\)')  # a value group: its digits


@dataclass(frozen=True)
class Measured:
    """One text's smallest glyphs: its values' digits (None without values) and
    its smallest other glyph, as fractions of the frame's height; ``named`` and
    ``where`` say which text it is and where it was measured, from the scene's
    side (empty when measured without a scene)."""

    source: str
    digits: float | None
    text: float
    named: str = ""
    where: str = ""


def _heights(mobject: Any) -> np.ndarray:
    """The heights of the glyphs that are letters or digits: not the flat marks
    (minus, equals, fraction bars, rules: ``FLAT``), not the small ones (points,
    commas: under ``MARK_FRACTION`` of the tallest letter), not the high thin ones
    (primes, apostrophes: ``HIGH_MARK``). Tall thin delimiters (a matrix's
    brackets, a ``cases`` brace) are no letters: measured against them, a
    subscript beside them would pass for a mark."""
    members = mobject.family_members_with_points()
    if not members:
        return np.zeros(0)
    boxes = np.array(
        [(m.width, m.height, m.get_bottom()[1], m.get_y(), m.get_x()) for m in members]
    )
    boxes = boxes[boxes[:, 1] >= FLAT * boxes[:, 0]]
    width, heights, bottom, middle, centre = boxes.T
    if not len(heights):
        return heights
    delimiters = (heights > DELIMITER * np.median(heights)) & (heights > THIN * width)
    tallest = heights[~delimiters].max() if (~delimiters).any() else heights.max()
    # a prime: narrow, short beside the text's tallest letter and above the text's
    # middle, or short beside the letter it marks (the glyph left of it) and above that
    # letter's middle: sigma'(N^([l])) raises the text's middle with its superscript,
    # sigma'(n) has no letter taller than sigma to be short beside
    before = np.array([_left_of(i, centre) for i in range(len(centre))])
    known = before >= 0
    marked = np.maximum(before, 0)
    by_text = (heights < HIGH_MARK * tallest) & (bottom > np.median(middle))
    by_letter = known & (heights < PRIME * heights[marked]) & (bottom > middle[marked])
    high = (width < heights) & (by_text | by_letter)
    # an operator (+, <, >, ×) is squat and stands within the letters on either side of
    # it, raised off their bottoms (not within delimiters or marks, which sit lower or
    # higher whatever the font; a letter before a subscript stands over it)
    top = bottom + heights
    letters = (heights >= MARK_FRACTION * tallest) & ~delimiters & ~high
    lift = RAISED * tallest
    operator = np.zeros(len(heights), dtype=bool)
    for i in np.flatnonzero(letters & (heights < width)):
        sides = [_left_of(i, centre, letters), _right_of(i, centre, letters)]
        operands = [j for j in sides if j >= 0]
        operator[i] = bool(operands) and all(
            bottom[i] > bottom[j] + lift and top[i] < top[j] + lift for j in operands
        )
    return heights[letters & ~operator]


def _left_of(index: int, centre: np.ndarray, among: np.ndarray | None = None) -> int:
    """The glyph just left of glyph ``index`` (the nearest centre left of its own;
    only glyphs ``among`` when given), -1 for none: the letter a prime marks, an
    operator's left operand."""
    left = np.flatnonzero((centre < centre[index]) & (True if among is None else among))
    return int(left[np.argmax(centre[left])]) if len(left) else -1


def _right_of(index: int, centre: np.ndarray, among: np.ndarray) -> int:
    """The glyph ``among`` just right of glyph ``index``, -1 for none."""
    right = np.flatnonzero((centre > centre[index]) & among)
    return int(right[np.argmin(centre[right])]) if len(right) else -1


def _step_of(scene: Any, mobject: Any) -> str:
    """The step a text belongs to: the step its traced values were recorded in,
    else the step being played (``audit_words.at_step``)."""
    ledger = getattr(scene, "ledger", None)
    steps = list(getattr(scene, "steps", None) or [])
    for entry in ledger.entries_of(mobject) if ledger is not None else []:
        if entry.step in steps:
            number = steps.index(entry.step) + 1
            return f"{type(scene).__name__}, step {number} ({quoted_text(entry.step)})"
    return at_step(scene)


def glyph_heights(texts: Iterable[tuple[Any, str]], scene: Any = None) -> list[Measured]:
    """Each text (mobject and source, as ``Audit.shown_texts`` gives them) measured
    as it is now (its last state on screen); with ``scene``, named from its side
    (its trace paths, its step, its place on the frame) for ``too_small``."""
    frame = config.frame_height
    measured = []
    for mobject, source in texts:
        letters = _heights(mobject)
        if len(letters) < 2:  # a lone symbol (a dot, an arrow) sized by its formula's font
            continue
        digits = []
        select = getattr(mobject, "select", None)
        for label in dict.fromkeys(_VALUE_GROUP.findall(source)):
            if select is not None:
                group = _heights(select(label))
                if len(group):
                    digits.append(float(np.median(group)))
        smallest = min(digits) / frame if digits else None
        text = float(letters.min()) / frame
        named = where = ""
        small = text < TEXT_FRACTION or (smallest is not None and smallest < DIGIT_FRACTION)
        if scene is not None and small:  # named only when a problem will say it: renders
            named = text_named(scene, mobject, source)  # measure every text a transform morphs
            where = f"{_step_of(scene, mobject)}, {placed(mobject)}"
        measured.append(
            Measured(source=source, digits=smallest, text=text, named=named, where=where)
        )
    return measured


def too_small(measured: Iterable[Measured]) -> list[str]:
    """One line per text whose digits or other glyphs are under the least heights:
    ``SCENE, step N ('caption'), at the top left: digits 6.4 px at 480p (< 12) in
    the text of PATH`` (without a scene, the text's first characters only)."""
    problems = []
    for m in measured:
        shown = _VALUE_SHOWN.sub(lambda group: group[1], m.source)  # digits, not Typst calls
        named = m.named or f"the text {quoted_text(shown)}"
        where = f"{m.where}: " if m.where else ""
        if m.digits is not None and m.digits < DIGIT_FRACTION:
            problems.append(f"{where}digits {m.digits * 480:.1f} px at 480p (< 12) in {named}")
        if m.text < TEXT_FRACTION:
            problems.append(f"{where}glyphs {m.text * 480:.1f} px at 480p (< 8) in {named}")
    return problems

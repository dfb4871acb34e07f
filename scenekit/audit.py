"""The audit: build a scene without video and check every number it showed.

Every text or math mobject created while the scene was built, and put on
screen at some point, is read back as source text; each number in it must be
a ledger entry of that very mobject, and every ledger entry must agree with
a fresh trace. Notation keeps its indices (``x_1``, ``k_3^1``, exponents)
and the few constants formulas write. The layout is checked after every
animation: text inside the frame, no two texts overlapping, and every drawn
shape (line, curve, dot, arrow, a diagram's edges and nodes) inside the frame
and off every text's glyphs (``scenekit.shape_audit``); where each step ends,
its content sits balanced on the stage (``scenekit.composition``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from itertools import pairwise
from typing import Any

import numpy as np
from manim import Mobject, Transform, VGroup, config, tempconfig
from manim.mobject.text.typst_mobject import MathTypst, Typst

from mlpmath import Trace
from scenekit.audit_words import at_step, placed, quoted_text, text_named
from scenekit.composition import composition_problems
from scenekit.copies import copy_problems
from scenekit.crossings import (
    FRAME_TOLERANCE,
    OVERLAP_TOLERANCE,
    drawn_box,
    glyphs_meet,
)
from scenekit.ledger import check_ledger
from scenekit.legibility import Measured, glyph_heights
from scenekit.moments import (
    MOMENT_OPACITY,
    flatten_animations,
    glyphs_of,
    moving_members,
    opacity,
    transforming,
)
from scenekit.recording import TEXT_CLASSES, glyph_owners, recording_created_texts, source_of
from scenekit.shape_audit import caption_band_top, shape_problems

__all__ = [
    "FORMULA_CONSTANTS",
    "TEXT_CLASSES",
    "Audit",
    "audit_scene",
    "audited",
    "caption_problems",
    "draw_nothing",
    "formulas_in",
    "layout_problems",
    "numbers_in",
    "recording_created_texts",
    "shape_problems",
    "silent_build_settings",
]

# Integers a formula may write itself: max(0, z), 1/K, (y - ŷ)^2, dZ/df = 2f.
FORMULA_CONSTANTS = frozenset({"0", "1", "2"})
SAMPLED_FRACTIONS = (0.25, 0.5, 0.75)  # of each animation's run time, checked (and its end)
CAPTION_OPACITY = 0.25  # a caption is readable from this opacity on: one at a time

_GROUP_LABEL = re.compile(r":\s*[A-Za-z_][A-Za-z0-9_-]*\s*\}\}")
# an index: a subscript or superscript, one level of brackets inside (a sample ``^((1))``,
# a layer and a sample ``^([1](2))``: mlpmath.notation's places)
_INDEX = re.compile(r"[_^](\((?:[^()]|\([^()]*\))*\)|[A-Za-z0-9]+)")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?")


class Audit:
    """What one audited build of a scene showed, and what is wrong with it."""

    def __init__(self, scene: Any, created: list[Mobject]):
        self.scene = scene  # built from a class made by ``audited``
        self.created = created

    def shown_texts(self) -> list[tuple[Mobject, str]]:
        """Each text mobject that was on screen, with its source text."""
        shown = set(self.scene.ever_shown)
        return [
            (mobject, source_of(mobject))
            for mobject in self.created
            if any(id(member) in shown for member in mobject.get_family())
        ]

    def number_problems(self, trace: Trace) -> list[str]:
        name = type(self.scene).__name__
        problems = []
        for mobject, source in self.shown_texts():
            shown = Counter(numbers_in(source))
            ledger = self.scene.ledger.entries_of(mobject)
            # inf and nan (a diverging lesson) show as symbols, not digits
            recorded = Counter(
                entry.text.lstrip("-") for entry in ledger if any(c.isdigit() for c in entry.text)
            )
            constants = Counter(numbers_in(formulas_in(mobject, source)))
            for number in (shown - recorded).elements():
                if number in FORMULA_CONSTANTS and constants[number] > 0:
                    constants[number] -= 1  # a formula's own constant, in its math
                    continue
                problems.append(
                    f"{name}: shows {number}, not from the trace, in the text "
                    f"{quoted_text(source, around=number)}"
                )
            for number in (recorded - shown).elements():
                problems.append(
                    f"{name}: the ledger has {number} for the text {quoted_text(source)}, "
                    "which does not show it"
                )
        ledger = self.scene.ledger.to_file(name, trace.lesson, set(self.scene.ever_shown))
        return problems + check_ledger(trace, ledger)

    def glyph_heights(self) -> list[Measured]:
        """Each shown text's glyphs measured as last seen whole: as they are now or,
        for a text a transform turned into another and took off the screen (its
        glyphs then have the other's shapes, some shrunk to points), as they were
        before that transform."""
        on_screen = {id(m) for top in self.scene.mobjects for m in top.get_family()}
        measured = []
        for mobject, source in self.shown_texts():
            before = self.scene.before_morph.get(id(mobject))
            if before is not None and id(mobject) not in on_screen:
                measured.extend(before)
            else:
                measured.extend(glyph_heights([(mobject, source)], self.scene))
        return measured

    def problems(self, trace: Trace) -> list[str]:
        """Everything wrong: numbers not from the trace, then the layout's problems."""
        return self.number_problems(trace) + sorted(set(self.scene.layout_problems))


def audited(scene_class: type) -> type:
    """``scene_class``, checking its layout after every animation.

    The subclass keeps ``layout_problems`` (one line per text that left the
    frame or overlapped another, after some ``play``) and ``audit_seconds``
    (the time those checks took). The render pipeline and ``audit_scene``
    both audit through it.
    """

    class Audited(scene_class):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self.layout_problems: list[str] = []
            # a step's picture off the stage's middle: the suite's audits fail it
            # (audit_scene); a render reports only what makes the frames wrong
            self.composition_problems: list[str] = []
            self.before_morph: dict[int, list[Measured]] = {}  # a text as it was, by id
            self.audit_seconds = 0.0
            self.audited_moments = 0  # checks made, in the middle of animations and after them
            self._moments: list[float] = []

        def play(self, *args: Any, **kwargs: Any) -> None:
            for animation in flatten_animations(list(args)):
                if isinstance(animation, Transform):  # its texts' glyphs, before they morph
                    for text in animation.mobject.get_family():
                        if isinstance(text, TEXT_CLASSES):
                            before = glyph_heights([(text, source_of(text))], self)
                            self.before_morph[id(text)] = before
            super().play(*args, **kwargs)
            self._check(moving=None)

        def step(self, *caption: Any) -> None:
            if self.steps:  # the picture the step ends on, before the caption changes
                where = f"step {len(self.steps)} ({quoted_text(self.steps[-1])})"
                self.composition_problems.extend(composition_problems(self, where))
            super().step(*caption)

        def tear_down(self) -> None:
            where = f"the last step ({quoted_text(self.steps[-1])})" if self.steps else "the end"
            self.composition_problems.extend(composition_problems(self, where))
            super().tear_down()

        def play_internal(self, skip_rendering: bool = False) -> None:
            duration = self.get_run_time(self.animations)
            self._moments = [fraction * duration for fraction in SAMPLED_FRACTIONS]
            if self.renderer.skip_animations:  # no frames: step to each moment, then the end
                for moment in list(self._moments):
                    self.update_to_time(moment)
            super().play_internal(skip_rendering)

        def update_to_time(self, t: float) -> None:
            super().update_to_time(t)
            passed = [moment for moment in self._moments if moment <= t + 1e-9]
            if passed:  # the first frame at or after a sampled moment
                self._moments = self._moments[len(passed) :]
                self._check(moving=self.animations)

        def _check(self, moving: Any) -> None:
            checks = time.perf_counter()
            self.audited_moments += 1
            moved = None if moving is None else moving_members(moving)
            self.layout_problems.extend(layout_problems(self, moving, moved))
            self.layout_problems.extend(shape_problems(self, moved))
            self.layout_problems.extend(caption_problems(self, moved))
            if moving is None:  # where an animation ends: what stays on screen
                self.layout_problems.extend(copy_problems(self))
            self.audit_seconds += time.perf_counter() - checks

    Audited.__name__ = Audited.__qualname__ = scene_class.__name__
    Audited.__module__ = scene_class.__module__
    return Audited


def audit_scene(
    scene_class: type, trace: Trace, media_dir: str | None = None
) -> tuple[Audit, list[str]]:
    """Build ``scene_class`` with animations skipped; return the audit and its problems.

    ``media_dir`` is where Manim may cache Typst's SVGs (default: Manim's own).

    Examples
    --------
    ``audit, problems = audit_scene(SingleNeuron, compute_trace(default_lesson()))``;
    ``problems == []`` when every number shown is a ledger entry that agrees
    with the trace, no text leaves the frame or overlaps another, and every
    step's picture sits balanced on the stage (the composition check, which a
    render's own audit leaves out: an off-centre picture is still right).
    """
    with tempconfig(silent_build_settings(media_dir)), recording_created_texts() as created:
        scene = audited(scene_class)(skip_animations=True)
        # Skipped animations still draw a frame per play (Manim's static
        # background); the audit checks geometry, never pixels, so none is drawn.
        scene.renderer.update_frame = draw_nothing
        scene.render()
    audit = Audit(scene, created)
    return audit, audit.problems(trace) + audit.scene.composition_problems


def silent_build_settings(media_dir: str | None = None) -> dict[str, Any]:
    """Manim's settings (for ``tempconfig``) to build a scene and write nothing.

    Low quality, no movie, no last frame, no progress bar, errors only: what
    the audit and ``mlp_lecture.narration.steps`` both need to walk a scene's
    steps. ``media_dir`` is where Manim may cache Typst's SVGs (default: its own).
    """
    settings: dict[str, Any] = {
        "quality": "low_quality",
        "write_to_movie": False,
        "save_last_frame": False,
        "verbosity": "ERROR",
        "progress_bar": "none",
    }
    if media_dir is not None:
        settings["media_dir"] = media_dir
    return settings


def draw_nothing(*args: Any, **kwargs: Any) -> None:
    """A renderer's ``update_frame`` for a build that writes no pictures.

    Skipped animations still draw a frame per play (Manim's static background);
    a build that checks geometry or collects text sets this in its place.
    """


def formulas_in(mobject: Mobject, source: str) -> str:
    """The math of a text: all of a formula; only the ``$...$`` parts of words
    (a caption, a title), whose own digits must all be traced."""
    if isinstance(mobject, Typst) and not isinstance(mobject, MathTypst):
        return " ".join(source.split("$")[1::2])
    return source


def numbers_in(source: str) -> list[str]:
    """The numbers a source shows, without group labels and notation indices."""
    without_labels = _GROUP_LABEL.sub("}}", source)
    without_indices = _INDEX.sub("", without_labels)
    return _NUMBER.findall(without_indices)


def layout_problems(
    scene: Any, moving: list[Any] | None = None, moved: set[int] | None = None
) -> list[str]:
    """Texts now on screen that leave the frame or overlap another text.

    ``moving``: the animations under way, for a check in the middle of them.
    Then a text counts only where it is readable (``MOMENT_OPACITY``), two
    texts overlap only where a glyph of one covers a glyph of the other, and
    an object may cross what it transforms from or into (its own source or
    target, or a part of its own group).
    """
    at = at_step(scene)
    threshold = 0.0 if moving is None else MOMENT_OPACITY
    texts, boxes, owners = [], [], []
    # what no animation moves keeps the box the last check found (mid-animation)
    known = scene.__dict__.setdefault("audit_boxes", {}) if hasattr(scene, "__dict__") else {}
    whole, loose = _texts_on_screen(scene.mobjects)
    for mobject in whole:
        if moved is not None and id(mobject) not in moved and id(mobject) in known:
            box = known[id(mobject)]
        else:
            box = known[id(mobject)] = drawn_box(mobject, threshold)
        if box is not None:
            texts.append(mobject)
            boxes.append(box)
            owners.append(mobject)
    pieces = 0
    for owner, piece in loose:  # a table's entries shown one by one, apart from it
        box = drawn_box(piece, threshold)
        if box is not None:
            texts.append(piece)
            boxes.append(box)
            owners.append(owner)
            pieces += 1
    if not texts:
        return []
    still = np.zeros(len(texts), dtype=bool)  # checked after the last animation already
    if moved is not None:
        still = np.array([not _moves(text, moved) for text in texts])
    left, bottom, right, top = np.array(boxes).T
    half_width = config.frame_width / 2 + FRAME_TOLERANCE
    half_height = config.frame_height / 2 + FRAME_TOLERANCE
    outside = (left < -half_width) | (right > half_width) | (bottom < -half_height)
    outside |= top > half_height
    outside &= ~still
    problems = [
        f"{at}: {_named(scene, owners[i])} leaves the frame, {placed(texts[i])}"
        for i in np.flatnonzero(outside)
    ]
    band = caption_band_top(scene)
    if band is not None:
        captions = {id(caption) for caption in scene.captions}
        problems.extend(
            f"{at}: {_named(scene, owners[i])} reaches into the caption band, {placed(texts[i])}"
            for i in np.flatnonzero((bottom < band) & ~still)
            if id(texts[i]) not in captions
        )
    # every pair at once: the boxes share more than the tolerance in both directions
    shared_width = np.minimum.outer(right, right) - np.maximum.outer(left, left)
    shared_height = np.minimum.outer(top, top) - np.maximum.outer(bottom, bottom)
    sharing = (shared_width > OVERLAP_TOLERANCE) & (shared_height > OVERLAP_TOLERANCE)
    # pieces of one text stand where its own typesetting put them (a matrix's
    # brackets around its entries): only other texts can land on them
    own = np.equal.outer(*(2 * (np.array([id(owner) for owner in owners]),)))
    overlapping = np.triu(sharing & ~own & ~np.logical_and.outer(still, still), 1)
    # mid-animation, and wherever a piece is one of the two (a matrix's brackets shown
    # apart from its entries, other texts laid inside them): glyph on glyph counts
    piece = np.arange(len(texts)) >= len(texts) - pieces
    exempt = transforming(moving) if moving is not None else None
    glyphs: dict[int, np.ndarray] = {}
    for i, j in np.argwhere(overlapping):
        if exempt is None and not (piece[i] or piece[j]):
            continue
        if (exempt is not None and exempt(texts[i], boxes[i], texts[j], boxes[j])) or not (
            glyphs_meet(*(glyphs.setdefault(k, glyphs_of(texts[k])) for k in (i, j)))
        ):
            overlapping[i, j] = False
    for i, j in np.argwhere(overlapping):  # row by row, as pairs (i < j) are read
        during = "" if moving is None else " during an animation"
        problems.append(
            f"{at}: {_named(scene, owners[i])} overlaps {_named(scene, owners[j])}{during}, "
            f"{placed(texts[i])}"
        )
    return problems


def _named(scene: Any, text: Mobject) -> str:
    return text_named(scene, text, source_of(text))


def caption_problems(scene: Any, moved: set[int] | None = None) -> list[str]:
    """Two step captions readable at once (above ``CAPTION_OPACITY``): one at a time.

    Content reaching into the caption band (below the scene's ``band_top()``)
    is found with the texts' and shapes' other checks.
    """
    captions = getattr(scene, "captions", [])
    on_screen = {id(m) for m in scene.mobjects}  # a caption is shown on its own
    shown = [c for c in captions if id(c) in on_screen and opacity(c) > CAPTION_OPACITY]
    problems = [
        f"{at_step(scene)}: captions {quoted_text(source_of(a))} and "
        f"{quoted_text(source_of(b))} are readable at once"
        for a, b in pairwise(shown)
    ]
    return problems


def _texts_on_screen(
    mobjects: list[Mobject],
) -> tuple[list[Mobject], list[tuple[Mobject, VGroup]]]:
    """The texts on screen whole, and the glyphs on screen apart from their text
    (a table's entries faded in one by one, its brackets after them): those are
    gathered by their text and by what the scene added them with (each entry, the
    frame), each such piece a ``VGroup`` of the glyphs, with the text it is from.
    A glyph of no recorded text is left out, as before pieces were checked."""
    whole: list[Mobject] = []
    pieces: dict[tuple[int, int], tuple[Mobject, list[Mobject]]] = {}
    owners = glyph_owners()

    def visit(mobject: Mobject, added: Mobject) -> None:
        if isinstance(mobject, TEXT_CLASSES):
            whole.append(mobject)
            return
        text = owners.get(id(mobject)) if len(mobject.points) else None
        if text is not None:
            pieces.setdefault((id(text), id(added)), (text, []))[1].append(mobject)
        for member in mobject.submobjects:
            visit(member, added)

    for mobject in mobjects:
        visit(mobject, mobject)
    return whole, [(text, VGroup(*glyphs)) for text, glyphs in pieces.values()]


def _moves(text: Mobject, moved: set[int]) -> bool:
    """Whether an animation moves ``text``, or a glyph of a piece of one."""
    if isinstance(text, TEXT_CLASSES):
        return id(text) in moved
    return any(id(glyph) in moved for glyph in text.submobjects)

"""The audit: build a scene without video and check every number it showed.

Every text or math mobject created while the scene was built, and put on
screen at some point, is read back as source text; each number in it must be
a ledger entry of that very mobject, and every ledger entry must agree with
a fresh trace. Notation keeps its indices (``x_1``, ``k_3^1``, exponents)
and the few constants formulas write. The layout is checked after every
animation: text inside the frame, no two texts overlapping, and every drawn
shape (line, curve, dot, arrow, a diagram's edges and nodes) inside the frame
and off every text's glyphs (``shape_problems``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice, pairwise
from typing import Any

import numpy as np
from manim import (
    BackgroundRectangle,
    DecimalNumber,
    Mobject,
    SurroundingRectangle,
    VMobject,
    config,
    tempconfig,
)
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.mobject.text.tex_mobject import SingleStringMathTex
from manim.mobject.text.text_mobject import MarkupText, Paragraph, Text
from manim.mobject.text.typst_mobject import MathTypst, Typst

from mlpmath import Trace
from scenekit.composition import composition_problems
from scenekit.crossings import (
    OVERLAP_TOLERANCE,
    crossings,
    drawn_box,
    glyph_boxes,
    glyphs_meet,
    outline_segments,
    text_boxes,
)
from scenekit.ledger import check_ledger
from scenekit.moments import (
    MOMENT_OPACITY,
    glyphs_of,
    moving_members,
    opacity,
    transforming,
)

__all__ = [
    "FORMULA_CONSTANTS",
    "TEXT_CLASSES",
    "Audit",
    "audit_scene",
    "audited",
    "caption_problems",
    "formulas_in",
    "layout_problems",
    "numbers_in",
    "recording_created_texts",
    "shape_problems",
]

# Integers a formula may write itself: max(0, z), 1/K, (y - ŷ)^2, dZ/df = 2f.
FORMULA_CONSTANTS = frozenset({"0", "1", "2"})
TEXT_CLASSES = (Typst, Text, MarkupText, Paragraph, SingleStringMathTex, DecimalNumber)
FRAME_TOLERANCE = 0.02  # Manim units a text may pass the frame's edge by
SAMPLED_FRACTIONS = (0.25, 0.5, 0.75)  # of each animation's run time, checked (and its end)
CAPTION_OPACITY = 0.25  # a caption is readable from this opacity on: one at a time

_GROUP_LABEL = re.compile(r":\s*[A-Za-z_][A-Za-z0-9_-]*\s*\}\}")
_INDEX = re.compile(r"[_^](\([^()]*\)|[A-Za-z0-9]+)")
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
                problems.append(f"{name}: shows {number} in {source!r}, not from the trace")
            for number in (recorded - shown).elements():
                problems.append(f"{name}: ledger has {number} for {source!r}, which lacks it")
        ledger = self.scene.ledger.to_file(name, trace.lesson, set(self.scene.ever_shown))
        return problems + check_ledger(trace, ledger)

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
            self.audit_seconds = 0.0
            self.audited_moments = 0  # checks made, in the middle of animations and after them
            self._moments: list[float] = []

        def play(self, *args: Any, **kwargs: Any) -> None:
            super().play(*args, **kwargs)
            self._check(moving=None)

        def step(self, *caption: Any) -> None:
            if self.steps:  # the picture the step ends on, before the caption changes
                where = f"step {len(self.steps)} ({self.steps[-1][:40]!r})"
                self.layout_problems.extend(composition_problems(self, where))
            super().step(*caption)

        def tear_down(self) -> None:
            where = f"the last step ({self.steps[-1][:40]!r})" if self.steps else "the end"
            self.layout_problems.extend(composition_problems(self, where))
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
    with the trace and no text leaves the frame or overlaps another.
    """
    settings = {
        "quality": "low_quality",
        "write_to_movie": False,
        "save_last_frame": False,
        "verbosity": "ERROR",
        "progress_bar": "none",
    }
    if media_dir is not None:
        settings["media_dir"] = media_dir
    with tempconfig(settings), recording_created_texts() as created:
        scene = audited(scene_class)(skip_animations=True)
        # Skipped animations still draw a frame per play (Manim's static
        # background); the audit checks geometry, never pixels, so none is drawn.
        scene.renderer.update_frame = _draw_nothing
        scene.render()
    audit = Audit(scene, created)
    return audit, audit.problems(trace)


def _draw_nothing(*args: Any, **kwargs: Any) -> None:
    """A renderer's ``update_frame`` for a build that writes no pictures."""


def source_of(mobject: Mobject) -> str:
    if isinstance(mobject, Typst):
        return mobject.typst_code
    if isinstance(mobject, Text | MarkupText):
        return mobject.original_text
    if isinstance(mobject, Paragraph):
        return " ".join(str(line) for line in mobject.lines_text)
    if isinstance(mobject, SingleStringMathTex):
        return mobject.tex_string
    return str(mobject.get_value())  # DecimalNumber


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
    name = type(scene).__name__
    threshold = 0.0 if moving is None else MOMENT_OPACITY
    texts, boxes = [], []
    # what no animation moves keeps the box the last check found (mid-animation)
    known = scene.__dict__.setdefault("audit_boxes", {}) if hasattr(scene, "__dict__") else {}
    for mobject in _top_level_texts(scene.mobjects):
        if moved is not None and id(mobject) not in moved and id(mobject) in known:
            box = known[id(mobject)]
        else:
            box = known[id(mobject)] = drawn_box(mobject, threshold)
        if box is not None:
            texts.append(mobject)
            boxes.append(box)
    if not texts:
        return []
    still = np.zeros(len(texts), dtype=bool)  # checked after the last animation already
    if moved is not None:
        still = np.array([id(text) not in moved for text in texts])
    left, bottom, right, top = np.array(boxes).T
    half_width = config.frame_width / 2 + FRAME_TOLERANCE
    half_height = config.frame_height / 2 + FRAME_TOLERANCE
    outside = (left < -half_width) | (right > half_width) | (bottom < -half_height)
    outside |= top > half_height
    outside &= ~still
    problems = [
        f"{name}: {source_of(texts[i])!r} leaves the frame" for i in np.flatnonzero(outside)
    ]
    band = _band_top(scene)
    if band is not None:
        captions = {id(caption) for caption in scene.captions}
        problems.extend(
            f"{name}: {source_of(texts[i])!r} reaches into the caption band"
            for i in np.flatnonzero((bottom < band) & ~still)
            if id(texts[i]) not in captions
        )
    # every pair at once: the boxes share more than the tolerance in both directions
    shared_width = np.minimum.outer(right, right) - np.maximum.outer(left, left)
    shared_height = np.minimum.outer(top, top) - np.maximum.outer(bottom, bottom)
    sharing = (shared_width > OVERLAP_TOLERANCE) & (shared_height > OVERLAP_TOLERANCE)
    overlapping = np.triu(sharing & ~np.logical_and.outer(still, still), 1)
    if moving is not None:
        exempt = transforming(moving)
        glyphs: dict[int, np.ndarray] = {}
        for i, j in np.argwhere(overlapping):
            if exempt(texts[i], boxes[i], texts[j], boxes[j]) or not glyphs_meet(
                *(glyphs.setdefault(k, glyphs_of(texts[k])) for k in (i, j))
            ):
                overlapping[i, j] = False
    for i, j in np.argwhere(overlapping):  # row by row, as pairs (i < j) are read
        during = "" if moving is None else " during an animation"
        problems.append(f"{name}: {source_of(texts[i])!r} overlaps {source_of(texts[j])!r}{during}")
    return problems


def caption_problems(scene: Any, moved: set[int] | None = None) -> list[str]:
    """Two step captions readable at once (above ``CAPTION_OPACITY``): one at a time.

    Content reaching into the caption band (below the scene's ``band_top()``)
    is found with the texts' and shapes' other checks.
    """
    captions = getattr(scene, "captions", [])
    on_screen = {id(m) for m in scene.mobjects}  # a caption is shown on its own
    shown = [c for c in captions if id(c) in on_screen and opacity(c) > CAPTION_OPACITY]
    name = type(scene).__name__
    problems = [
        f"{name}: captions {source_of(a)!r} and {source_of(b)!r} are readable at once"
        for a, b in pairwise(shown)
    ]
    return problems


def _band_top(scene: Any) -> float | None:
    """The caption band's top (content stays above it), for a scene with captions."""
    if not hasattr(scene, "band_top") or not getattr(scene, "captions", None):
        return None
    return scene.band_top() - FRAME_TOLERANCE


def _top_level_texts(mobjects: list[Mobject]) -> list[Mobject]:
    found: list[Mobject] = []
    for mobject in mobjects:
        if isinstance(mobject, TEXT_CLASSES):
            found.append(mobject)
        else:
            found.extend(_top_level_texts(mobject.submobjects))
    return found


@contextmanager
def recording_created_texts(
    classes: tuple[type, ...] = TEXT_CLASSES,
) -> Iterator[list[Mobject]]:
    """Collect every instance of ``classes`` constructed inside the block.

    This is the one place that patches Manim's classes: each class's own
    ``__init__`` is wrapped for the duration of the block and restored after
    it, even when the block raises. The list it yields is filled on exit.
    """
    created: dict[int, Mobject] = {}
    originals = {cls: cls.__dict__.get("__init__") for cls in classes}

    def wrap(original: Any) -> Any:
        def __init__(self: Mobject, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            created.setdefault(id(self), self)

        return __init__

    for cls, original in originals.items():
        if original is not None:
            cls.__init__ = wrap(original)
    found: list[Mobject] = []
    _OPEN_RECORDINGS.append(created)  # what the shape audit reads glyphs' texts from
    try:
        yield found
    finally:
        _OPEN_RECORDINGS[:] = [open_ for open_ in _OPEN_RECORDINGS if open_ is not created]
        _OWNERS.pop(id(created), None)
        for cls, original in originals.items():
            if original is not None:
                cls.__init__ = original
        found.extend(created.values())


# -- drawn shapes ---------------------------------------------------------------
# Axes, curves, dots, arrows, a diagram's edges and nodes: every drawn mobject
# that is not a text. Each is followed along its outline (a bent Bézier curve
# by eight straight segments) and fails when a segment passes over a glyph of
# a text, or a point leaves the frame.


def shape_problems(scene: Any, moved: set[int] | None = None) -> list[str]:
    """Shapes now on screen that leave the frame or cross a text's glyphs.

    A shape may pass around a text (a frame, a circle about its name, a rule
    between a table's rows): only segments over a glyph's own box count, and
    never those drawn before an opaque ``BackgroundRectangle`` that lies under
    the text (an edge running behind its label's backdrop). A box drawn around
    part of a text (``SurroundingRectangle``) may cut through the rest of it.
    Texts shown piece by piece (a table's entries, faded in one at a time) are
    checked by their pieces.
    """
    name = type(scene).__name__
    texts, shapes, backdrops = _drawn_in_order(scene.mobjects)
    if not shapes:
        return []
    starts, ends, owner = outline_segments([shape for _, shape in shapes])
    half = np.array([config.frame_width, config.frame_height]) / 2 + FRAME_TOLERANCE
    outside = (np.abs(starts) > half).any(axis=1) | (np.abs(ends) > half).any(axis=1)
    # in the middle of an animation: only what moves (the rest was checked after the last)
    shape_moves = np.array([moved is None or id(shape) in moved for _, shape in shapes])
    outside &= shape_moves[owner]
    problems = [
        f"{name}: {_a(shapes[index][1])} leaves the frame"
        for index in dict.fromkeys(owner[outside])
    ]
    band = _band_top(scene)
    if band is not None:
        below = ((starts[:, 1] < band) | (ends[:, 1] < band)) & shape_moves[owner]
        problems.extend(
            f"{name}: {_a(shapes[index][1])} reaches into the caption band"
            for index in dict.fromkeys(owner[below])
        )
    if not texts:
        return problems
    # every segment of every outline against every text's box at once ...
    boxes = text_boxes([members for _, _, members in texts])
    drawn_at = np.array([order for order, _ in shapes])[owner]
    candidates = crossings(starts, ends, boxes)
    if moved is not None:
        text_moves = np.array([any(id(m) in moved for m in members) for _, _, members in texts])
        candidates &= shape_moves[owner][:, None] | text_moves[None, :]
    for column in np.flatnonzero(candidates.any(axis=0)):
        order, source, members = texts[column]
        behind = [i for i, backdrop in backdrops if i < order and _covers(backdrop, boxes[column])]
        near = candidates[:, column] & (drawn_at > max(behind, default=-1))
        if not near.any():
            continue
        # ... then the few near one against its glyphs
        glyphs = glyph_boxes(members)
        over = crossings(starts[near], ends[near], glyphs).any(axis=1)
        for index in dict.fromkeys(owner[near][over]):
            shape = shapes[index][1]
            if not _highlights(shape, glyphs):
                problems.append(f"{name}: {_a(shape)} crosses {source!r}")
    return problems


def _drawn_in_order(
    mobjects: list[Mobject],
) -> tuple[
    list[tuple[int, str, list[Mobject]]], list[tuple[int, Mobject]], list[tuple[int, Mobject]]
]:
    """Texts (source and drawn glyphs), shapes and opaque backdrops on screen, each
    with its place in the drawing order (Manim draws a mobject, then its
    submobjects, in list order). Glyphs on screen apart from their text (a
    table's entries) are gathered by the text they belong to."""
    texts: dict[int, tuple[int, str, list[Mobject]]] = {}
    shapes: list[tuple[int, Mobject]] = []
    backdrops: list[tuple[int, Mobject]] = []
    owners = _glyph_owners()
    order = 0

    def drawn(member: Mobject) -> bool:
        return member.get_fill_opacity() > 0 or member.get_stroke_opacity() > 0

    def visit(mobject: Mobject) -> None:
        nonlocal order
        order += 1
        if isinstance(mobject, TEXT_CLASSES):
            members = [m for m in mobject.family_members_with_points() if drawn(m)]
            if members:
                texts[id(mobject)] = (order, source_of(mobject), members)
        elif isinstance(mobject, VMobjectFromSVGPath):  # a glyph shown apart from its text
            if len(mobject.points) and drawn(mobject):
                text = owners.get(id(mobject))
                key = id(text) if text is not None else id(mobject)
                source = source_of(text) if text is not None else "a glyph"
                texts.setdefault(key, (order, source, []))[2].append(mobject)
        elif isinstance(mobject, BackgroundRectangle):
            if mobject.get_fill_opacity() >= 1:
                backdrops.append((order, mobject))
        else:
            if isinstance(mobject, VMobject) and len(mobject.points) and drawn(mobject):
                shapes.append((order, mobject))
            for member in mobject.submobjects:
                visit(member)

    for mobject in mobjects:
        visit(mobject)
    return list(texts.values()), shapes, backdrops


_OPEN_RECORDINGS: list[dict[int, Mobject]] = []  # the texts each open recording has seen
_OWNERS: dict[int, tuple[int, dict[int, Mobject]]] = {}  # per recording: texts read, owners


def _glyph_owners() -> dict[int, Mobject]:
    """Each recorded text's glyphs (by id), for the newest open recording (else none);
    texts recorded since the last call are added to what earlier calls found."""
    if not _OPEN_RECORDINGS:
        return {}
    created = _OPEN_RECORDINGS[-1]
    read, owners = _OWNERS.get(id(created), (0, {}))
    if read < len(created):
        for text in islice(created.values(), read, None):
            owners.update(dict.fromkeys(map(id, text.get_family()), text))
        _OWNERS.clear()  # one recording at a time is read
        _OWNERS[id(created)] = (len(created), owners)
    return owners


def _a(shape: Mobject) -> str:
    kind = type(shape).__name__
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def _highlights(shape: Mobject, glyphs: np.ndarray) -> bool:
    """Whether ``shape`` is a box drawn around part of this text, on purpose
    (a row of a matrix framed, crossing its brackets)."""
    if not isinstance(shape, SurroundingRectangle):
        return False
    (left, bottom), (right, top) = shape.points[:, :2].min(axis=0), shape.points[:, :2].max(axis=0)
    x, y = (glyphs[:, 0] + glyphs[:, 2]) / 2, (glyphs[:, 1] + glyphs[:, 3]) / 2
    return bool(((left < x) & (x < right) & (bottom < y) & (y < top)).any())


def _covers(backdrop: Mobject, box: np.ndarray) -> bool:
    left, bottom = backdrop.points[:, :2].min(axis=0)
    right, top = backdrop.points[:, :2].max(axis=0)
    return bool(left <= box[0] and bottom <= box[1] and box[2] <= right and box[3] <= top)

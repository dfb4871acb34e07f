"""What moves in the middle of an animation, for the audit's sampled moments.

The audit checks each animation at a quarter, half and three quarters of
its run time (and after it). Between those checks only what an animation
moves can meet something new, and an object may pass over what it
transforms from or into: these helpers say which mobjects those are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Mobject

from scenekit.crossings import boxes_meet, drawn_box, glyph_boxes
from scenekit.recording import TEXT_CLASSES

__all__ = [
    "MOMENT_OPACITY",
    "flatten_animations",
    "glyphs_of",
    "moving_members",
    "opacity",
    "transforming",
]

MOMENT_OPACITY = 0.25  # a text fading in or out counts from this opacity on, mid-animation


def moving_members(animations: list[Any]) -> set[int]:
    """The ids of every mobject the ``animations`` move (their families): only these
    can meet something new in the middle of an animation; the rest was checked after
    the last one."""
    return {
        id(member)
        for animation in flatten_animations(animations)
        if isinstance(getattr(animation, "mobject", None), Mobject)
        for member in animation.mobject.get_family()
    }


def flatten_animations(animations: list[Any]) -> list[Any]:
    flat = []
    for animation in animations:
        flat.append(animation)
        flat.extend(flatten_animations(getattr(animation, "animations", [])))
    return flat


def transforming(animations: list[Any]) -> Any:
    """Whether two texts (and their boxes) are one object transforming: both moved by
    one animation, or one moved into (or out of) where the other sits."""
    movers = []
    for animation in flatten_animations(animations):
        target = getattr(animation, "target_mobject", None)
        if not isinstance(target, Mobject):
            continue
        family = {id(m) for m in animation.mobject.get_family()}
        places = [
            box
            for ends in (target, getattr(animation, "starting_mobject", None))
            if isinstance(ends, Mobject) and (box := drawn_box(ends, -1.0)) is not None
        ]
        movers.append((family, places))

    def moves(text: Mobject, family: set[int]) -> bool:
        # a text, or a piece of one (its glyphs shown apart, in a VGroup the audit made)
        if id(text) in family:
            return True
        return not isinstance(text, TEXT_CLASSES) and any(
            id(glyph) in family for glyph in text.submobjects
        )

    def exempt(a: Mobject, box_a: Any, b: Mobject, box_b: Any) -> bool:
        for family, places in movers:
            a_moves, b_moves = moves(a, family), moves(b, family)
            if a_moves and b_moves:
                return True
            if (a_moves and any(boxes_meet(box_b, p) for p in places)) or (
                b_moves and any(boxes_meet(box_a, p) for p in places)
            ):
                return True
        return False

    return exempt


def glyphs_of(text: Mobject) -> np.ndarray:
    members = [
        m
        for m in text.family_members_with_points()
        if max(m.get_fill_opacity(), m.get_stroke_opacity()) > MOMENT_OPACITY
    ]
    return glyph_boxes(members) if members else np.zeros((0, 4))


def opacity(mobject: Mobject) -> float:
    members = mobject.family_members_with_points()
    return max((max(m.get_fill_opacity(), m.get_stroke_opacity()) for m in members), default=0.0)

"""A text's glyph lying on a copy of itself: the audit's check for a value drawn twice.

The audit's text checks compare whole texts with each other; a copy of a *piece*
of a text (a matrix entry, a worked sum's result, ``mobject.copy()`` of a part)
is no text of its own, so two copies of one value drawn on top of each other
passed them. This check compares outlines instead: any glyph of a text whose
exact outline another visible object also draws, at the same place, is reported.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Mobject

from scenekit.audit_words import at_step, placed, text_named
from scenekit.moments import MOMENT_OPACITY, opacity
from scenekit.recording import TEXT_CLASSES, source_of

__all__ = ["COPY_DIGITS", "copy_problems"]


def _texts(mobjects: list[Mobject]) -> list[Mobject]:
    found: list[Mobject] = []
    for mobject in mobjects:
        if isinstance(mobject, TEXT_CLASSES):
            found.append(mobject)
        else:
            found.extend(_texts(mobject.submobjects))
    return found


COPY_DIGITS = 3  # a glyph's outline rounded to this many decimals (of a frame unit)


def copy_problems(scene: Any) -> list[str]:
    """A text's glyph lying on a copy of itself: two distinct objects with the same
    outline at the same place, both readable (a value drawn twice on top of itself).

    The text checks above compare whole texts; a copy of a *piece* of a text (a
    matrix entry, a worked sum's result) is no text of its own, so it would pass
    them. Here every visible outline on screen is compared with the glyphs of the
    texts: any glyph of a text whose exact outline another object also draws is
    reported once, with its text.
    """
    at = at_step(scene)
    owner: dict[int, Mobject] = {}
    for text in _texts(scene.mobjects):
        for glyph in text.family_members_with_points():
            owner.setdefault(id(glyph), text)
    drawn: dict[bytes, set[int]] = {}
    seen: set[int] = set()
    for top in scene.mobjects:
        for member in top.family_members_with_points():
            if id(member) in seen or opacity(member) <= MOMENT_OPACITY:
                continue
            seen.add(id(member))
            key = np.round(member.points, COPY_DIGITS).tobytes()
            drawn.setdefault(key, set()).add(id(member))
    problems, named = [], set()
    for members in drawn.values():
        texts = [owner[m] for m in members if m in owner]
        if len(members) < 2 or not texts or id(texts[0]) in named:
            continue
        named.add(id(texts[0]))
        text = texts[0]
        problems.append(
            f"{at}: {text_named(scene, text, source_of(text))} has a glyph drawn twice "
            f"on itself, {placed(text)}"
        )
    return problems

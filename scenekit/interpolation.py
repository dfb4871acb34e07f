"""Manim's ``Transform`` frames, without redoing per frame what cannot change.

Most of the lecture's animations are ``FadeIn`` and ``FadeOut``: ``Transform``
animations. On every frame, for every glyph, Manim walks three families (the
mobject, its start, its target), interpolates the points and each of seven
colour attributes with its own small NumPy call, and walks the start's and the
target's families again looking for updaters. :func:`fast_transforms` plans
each ``Transform`` on its first frame: the families zipped once, each
attribute's start and target values of every glyph stacked into one array.
Each later frame interpolates a stack with one NumPy expression, Manim's
``(1 - a) * x + a * y``, element by element the same arithmetic, and hands each
glyph its rows. The frames are Manim's, bit for bit (``tests/test_render_speed.py``).

Equal ends are interpolated too: ``(1 - a) * x + a * x`` can differ from ``x``
in the last bit, and cairo's 1/256-pixel grid turns that into a different pixel
now and then (two pixels of the lecture, when it was tried). The last frame
(``alpha == 1``) goes through Manim's own code: a play ends where Manim's ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from manim.animation.animation import Animation
from manim.animation.transform import Transform
from manim.mobject.mobject import Mobject
from manim.mobject.types.vectorized_mobject import VMobject
from manim.utils.bezier import interpolate

__all__ = ["COLOUR_ATTRIBUTES", "fast_transforms"]

# VMobject.interpolate_color's attributes, in its order
COLOUR_ATTRIBUTES = (
    "fill_rgbas",
    "stroke_rgbas",
    "background_stroke_rgbas",
    "stroke_width",
    "background_stroke_width",
    "sheen_direction",
    "sheen_factor",
)
# Transform's methods that fast_transforms replaces (Animation's, inherited)
_MANIM = {
    "interpolate_mobject": Animation.interpolate_mobject,
    "update_mobjects": Animation.update_mobjects,
}


class _Plan:
    """What one begun ``Transform`` computes frame by frame (see the module's doc)."""

    def __init__(self, animation: Transform):
        self.start = animation.starting_mobject
        self.target = animation.target_copy
        self.triples = list(animation.get_all_families_zipped())
        self.updaters = any(
            mobject.get_family_updaters()
            for mobject in animation.get_all_mobjects_to_update()
            if mobject is not None
        )
        straight = animation.path_func is interpolate
        # per triple: the attributes it interpolates on its own, as Manim does
        self.own: list[list[str]] = [[] for _ in self.triples]
        # attribute -> (triple indices, each one's rows, start rows stacked, target rows stacked)
        self.stacks: dict[str, tuple[list[int], list[int], np.ndarray, np.ndarray]] = {}
        for name in _ATTRIBUTES:
            indices, counts, firsts, lasts = [], [], [], []
            for index, (_, start, target) in enumerate(self.triples):
                first, last = getattr(start, name), getattr(target, name)
                if (name != "points" or straight) and _stackable(name, first, last):
                    indices.append(index)
                    counts.append(len(first) if first.ndim == 2 else 1)
                    firsts.append(first.reshape(counts[-1], -1))
                    lasts.append(last.reshape(counts[-1], -1))
                else:
                    self.own[index].append(name)
            if len({first.shape[-1] for first in firsts}) > 1:  # rows of unequal widths
                for index in indices:
                    self.own[index].append(name)
            elif indices:
                self.stacks[name] = (indices, counts, np.concatenate(firsts), np.concatenate(lasts))

    def applies_to(self, animation: Transform) -> bool:
        return self.start is animation.starting_mobject and self.target is animation.target_copy

    def interpolate(self, animation: Transform, alpha: float) -> None:
        """One frame: ``animation.interpolate_mobject(alpha)`` as Manim computes it."""
        count = len(self.triples)
        if animation.lag_ratio == 0:
            alphas = [animation.get_sub_alpha(alpha, 0, count)] * count
        else:
            alphas = [animation.get_sub_alpha(alpha, i, count) for i in range(count)]
        path_func = animation.path_func
        for name, (indices, counts, firsts, lasts) in self.stacks.items():
            if animation.lag_ratio == 0:
                column: Any = alphas[0]
            else:
                column = np.repeat(np.array([alphas[i] for i in indices]), counts)[:, None]
            values = (1 - column) * firsts + column * lasts
            offset = 0
            for index, rows in zip(indices, counts, strict=True):
                mobject = self.triples[index][0]
                if name == "sheen_direction":
                    setattr(mobject, name, values[offset])
                else:
                    setattr(mobject, name, values[offset : offset + rows])
                offset += rows
        for index, (mobject, start, target) in enumerate(self.triples):
            sub_alpha = alphas[index]
            if sub_alpha == 1.0:  # Manim copies the target's colours at 1: its own code
                mobject.interpolate(start, target, sub_alpha, path_func)
                continue
            for name in self.own[index]:
                first, last = getattr(start, name), getattr(target, name)
                if name == "points":
                    mobject.points = path_func(first, last, sub_alpha)
                else:
                    setattr(mobject, name, interpolate(first, last, sub_alpha))


# Mobject.interpolate's points, then VMobject.interpolate_color's attributes
_ATTRIBUTES = ("points", *COLOUR_ATTRIBUTES)


def _stackable(name: str, first: Any, last: Any) -> bool:
    """Arrays of doubles of one shape, rows of a table (the sheen's direction is
    one row): stacked with others, each element gets the arithmetic it gets alone."""
    return (
        type(first) is np.ndarray
        and type(last) is np.ndarray
        and first.dtype == last.dtype == np.float64
        and first.shape == last.shape
        and first.ndim == (1 if name == "sheen_direction" else 2)
    )


def _plannable(animation: Transform) -> bool:
    """A ``Transform`` whose frames are Manim's ``Transform`` frames, of VMobjects."""
    kind = type(animation)
    return (
        kind.interpolate_submobject is Transform.interpolate_submobject
        and kind.get_all_families_zipped is Transform.get_all_families_zipped
        and kind.get_sub_alpha is Animation.get_sub_alpha
        and (animation.suspend_mobject_updating or not animation.mobject.get_family_updaters())
        and all(
            isinstance(mobject, VMobject)
            and type(mobject).interpolate is Mobject.interpolate
            and type(mobject).interpolate_color is VMobject.interpolate_color
            for mobject in animation.mobject.family_members_with_points()
        )
    )


def _interpolate_mobject(self: Transform, alpha: float) -> None:
    plan = self.__dict__.get("_lecture_plan")
    if plan is False or alpha == 1.0:  # not plannable (found on its first frame), or the end
        _MANIM["interpolate_mobject"](self, alpha)
        return
    if plan is None or not plan.applies_to(self):
        # the first frame of a play (begin's interpolate(0)): Manim's own, then a plan
        _MANIM["interpolate_mobject"](self, alpha)
        self._lecture_plan = _Plan(self) if _plannable(self) else False
        return
    plan.interpolate(self, alpha)


def _update_mobjects(self: Transform, dt: float) -> None:
    """Manim's: each updater of the start and target copies runs; none: nothing to walk."""
    plan = self.__dict__.get("_lecture_plan")
    if plan and plan.applies_to(self) and not plan.updaters:
        return
    _MANIM["update_mobjects"](self, dt)


@contextmanager
def fast_transforms() -> Iterator[None]:
    """While inside, every ``Transform`` (``FadeIn``, ``FadeOut``, ``.animate``,
    ``ReplacementTransform`` ...) computes its frames as planned above."""
    if Transform.interpolate_mobject is _interpolate_mobject:  # already inside
        yield
        return
    for name in _MANIM:
        if name in vars(Transform) or getattr(Transform, name) is not _MANIM[name]:
            raise RuntimeError(f"Manim's Transform.{name} is not Animation's: see {__name__}")
    Transform.interpolate_mobject = _interpolate_mobject
    Transform.update_mobjects = _update_mobjects
    try:
        yield
    finally:
        del Transform.interpolate_mobject, Transform.update_mobjects

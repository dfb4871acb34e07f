"""Composition: what a step shows sits balanced on the stage (issue 23).

The stage is the frame between the title and the caption band. At the end of
every step the content (everything drawn but the title and the captions) must
have its centre within ``BALANCE`` of the stage's height (width) of the
stage's centre: a scene that squeezes its content under the title and leaves
the lower third empty fails, as does one pushed to a side. A picture built up
step by step passes when its whole is centred and each step's part stays near
it. The audit checks it where each step ends (``composition_problems``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import Mobject, config

from scenekit import style
from scenekit.moments import MOMENT_OPACITY

__all__ = ["BALANCE", "Placement", "composition_problems", "placement", "stage"]

BALANCE = 0.2  # of the stage's height (width): how far the content's centre may sit off the stage's


@dataclass(frozen=True)
class Placement:
    """Where a step's content sits on the stage, in Manim units."""

    above: float  # room between the content's top and the stage's top
    below: float  # between the content's bottom and the stage's bottom (the band)
    left: float
    right: float
    height: float  # the stage's
    width: float

    @property
    def vertical(self) -> float:
        """How far the content's centre sits below the stage's, as a fraction of
        the stage's height (negative: above it)."""
        return (self.above - self.below) / 2 / self.height

    @property
    def horizontal(self) -> float:
        """How far right of the stage's centre, as a fraction of its width."""
        return (self.left - self.right) / 2 / self.width


def stage(scene: Any) -> tuple[float, float, float, float]:
    """``(left, bottom, right, top)`` of the room between the title and the caption band."""
    title = getattr(scene, "title", None)
    top = config.frame_height / 2 - style.EDGE_BUFF
    if isinstance(title, Mobject) and title in scene.mobjects:
        top = float(title.get_bottom()[1]) - style.BLOCK_BUFF
    bottom = scene.band_top() + style.BAND_GAP
    half_width = config.frame_width / 2 - style.EDGE_BUFF
    return -half_width, bottom, half_width, top


def content_box(scene: Any) -> np.ndarray | None:
    """``(left, bottom, right, top)`` of everything drawn but the title and captions."""
    skip = {id(m) for m in _framing(scene) for m in m.get_family()}
    points = [
        member.points[:, :2]
        for mobject in scene.mobjects
        for member in mobject.family_members_with_points()
        if id(member) not in skip
        and max(member.get_fill_opacity(), member.get_stroke_opacity()) > MOMENT_OPACITY
    ]
    if not points:
        return None
    together = np.concatenate(points)
    return np.concatenate([together.min(axis=0), together.max(axis=0)])


def placement(scene: Any) -> Placement | None:
    """Where the content sits now, or ``None`` when nothing but the framing is drawn."""
    box = content_box(scene)
    if box is None:
        return None
    left, bottom, right, top = stage(scene)
    return Placement(
        above=top - box[3],
        below=box[1] - bottom,
        left=box[0] - left,
        right=right - box[2],
        height=top - bottom,
        width=right - left,
    )


def composition_problems(scene: Any, where: str) -> list[str]:
    """One line if the content sits off balance on the stage (``where``: which step)."""
    at = placement(scene)
    if at is None:
        return []
    name = type(scene).__name__
    problems = []
    if abs(at.vertical) > BALANCE:
        side = "high" if at.vertical < 0 else "low"
        problems.append(
            f"{name}: {where}: content sits {side} (room above {at.above:.2f}, "
            f"below {at.below:.2f} of a stage {at.height:.2f} tall)"
        )
    if abs(at.horizontal) > BALANCE:
        side = "left" if at.horizontal < 0 else "right"
        problems.append(
            f"{name}: {where}: content sits {side} (room left {at.left:.2f}, "
            f"right {at.right:.2f} of a stage {at.width:.2f} wide)"
        )
    return problems


def _framing(scene: Any) -> list[Mobject]:
    title = getattr(scene, "title", None)
    # captions, and margin notes such as ≈'s (scenekit.approx): framing, not content
    framing = [*getattr(scene, "captions", []), *getattr(scene, "margin_notes", [])]
    return [*framing, title] if isinstance(title, Mobject) else framing

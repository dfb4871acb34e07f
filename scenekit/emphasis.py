"""Emphasis by colour: a pulse that never grows over its neighbours.

Manim's ``Indicate`` scales what it points at by 1.2 and back, so a number
packed in a matrix or beside an edge briefly covers what is next to it (the
audit samples animations mid-way and fails it). ``Emphasize`` flashes the
colour only; the shape stays where it was laid out.
"""

from __future__ import annotations

from typing import Any

from manim import Indicate, Mobject

from scenekit import style

__all__ = ["Emphasize"]


class Emphasize(Indicate):
    """Flash ``mobject`` in ``color`` (``style.HIGHLIGHT`` by default) and back, at its size.

    Examples
    --------
    >>> self.play(Emphasize(self.table.column(2), color=style.LOSS))  # doctest: +SKIP
    """

    def __init__(self, mobject: Mobject, color: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("scale_factor", 1)
        super().__init__(mobject, color=color or style.HIGHLIGHT, **kwargs)

"""The base of every lecture scene: one trace, one ledger, a record of what was shown."""

from __future__ import annotations

from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Animation, FadeIn, FadeOut, Mobject, Scene, config
from manim.mobject.text.typst_mobject import Typst

from scenes import style
from scenes.context import current_trace
from scenes.ledger import Ledger
from scenes.traced import TracedValues

__all__ = ["LectureScene"]


class LectureScene(Scene):
    """A scene that reads its numbers from the lesson's trace and nowhere else.

    ``self.traced`` makes every shown number; ``self.trace`` is readable for
    layout (how many rows, which side of zero) but never typeset directly.
    Everything the scene ever puts on screen is remembered, so the audit can
    check each number shown against the ledger.
    """

    @classmethod
    def applies(cls, trace: Any) -> bool:
        """Whether this lesson has what the scene shows (e.g. a one-neuron example)."""
        return True

    def setup(self) -> None:
        self.trace = current_trace()
        self.ledger = Ledger()
        self.traced = TracedValues(self.trace, self.ledger)
        self.ever_shown: dict[int, Mobject] = {}
        self.steps: list[str] = []
        self._caption: Mobject | None = None

    # -- remembering what was on screen -------------------------------------

    def add(self, *mobjects: Mobject) -> LectureScene:
        super().add(*mobjects)
        for mobject in mobjects:
            self._remember(mobject)
        return self

    def play(self, *animations: Any, **kwargs: Any) -> None:
        for animation in _flatten(animations):
            for name in ("mobject", "target_mobject"):
                mobject = getattr(animation, name, None)
                if isinstance(mobject, Mobject):
                    self._remember(mobject)
        super().play(*animations, **kwargs)
        for mobject in self.mobjects:
            self._remember(mobject)

    def _remember(self, mobject: Mobject) -> None:
        for member in mobject.get_family():
            self.ever_shown[id(member)] = member
            # An imported SVG glyph keeps its parsed path only to build its points;
            # dropped, every copy a Transform makes is many times cheaper.
            if getattr(member, "path_obj", None) is not None:
                member.path_obj = None

    # -- steps --------------------------------------------------------------

    def show_title(self, text: str) -> Mobject:
        """The scene's title at the top of the frame (words, no numbers)."""
        title = Typst(text, font_size=style.TITLE_SIZE, color=style.TEXT)
        title.to_edge(UP, buff=style.TITLE_BUFF)
        self.ledger.title = text
        self.play(FadeIn(title, shift=DOWN * 0.2))
        return title

    def step(self, caption: str) -> None:
        """Start a step: a section break (a slide break) with its caption shown below.

        The caption says in words what the step shows; it is also the step's
        name in the ledger and its speaker note.
        """
        self.steps.append(caption)
        self.ledger.step = caption
        self.next_section(f"{len(self.steps):02d} {caption}"[:60])
        new_caption = Typst(caption, font_size=style.CAPTION_SIZE, color=style.MUTED)
        new_caption.to_edge(DOWN, buff=style.EDGE_BUFF)
        if self._caption is None:
            self.play(FadeIn(new_caption))
        else:
            self.play(FadeOut(self._caption), FadeIn(new_caption))
        self._caption = new_caption

    def keep_in_frame(self, mobject: Mobject) -> Mobject:
        """Slide ``mobject`` back inside the frame (above the caption band).

        It shrinks only when it is wider or taller than the whole frame; large
        matrices are elided by the traced pieces instead, so numbers stay legible.
        """
        half_width = config.frame_width / 2 - style.EDGE_BUFF
        half_height = config.frame_height / 2 - style.EDGE_BUFF
        bottom = -half_height + style.CAPTION_BAND
        if mobject.width > 2 * half_width:
            mobject.scale_to_fit_width(2 * half_width)
        if mobject.height > half_height - bottom:
            mobject.scale_to_fit_height(half_height - bottom)
        for direction, limit in ((RIGHT, half_width), (LEFT, half_width), (UP, half_height)):
            overflow = float(direction @ mobject.get_edge_center(direction)) - limit
            if overflow > 0:
                mobject.shift(-direction * overflow)
        below = bottom - mobject.get_bottom()[1]
        if below > 0:
            mobject.shift(UP * below)
        return mobject

    def fit_beside(self, mobject: Mobject, left: Mobject, below: Mobject) -> Mobject:
        """Put ``mobject`` right of ``left`` and under ``below``, shrunk to the room left."""
        room = config.frame_width / 2 - style.EDGE_BUFF - left.get_right()[0] - style.BLOCK_BUFF
        if mobject.width > room:
            mobject.scale_to_fit_width(room)
        mobject.next_to(left, RIGHT, buff=style.BLOCK_BUFF)
        mobject.next_to(below, DOWN, buff=style.BLOCK_BUFF, coor_mask=UP)
        return self.keep_in_frame(mobject)

    def pause(self) -> None:
        self.wait(style.STEP_PAUSE)


def _flatten(animations: Any) -> list[Animation]:
    flat: list[Animation] = []
    for animation in animations:
        if isinstance(animation, Animation):
            flat.append(animation)
            flat.extend(_flatten(getattr(animation, "animations", [])))
    return flat

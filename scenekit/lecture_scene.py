"""The base of every lecture scene: one trace, one ledger, a record of what was shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, FadeIn, FadeOut, Mobject, Scene, config

from scenekit import style
from scenekit.approx import explain_approx, notice_approx, retire_notes
from scenekit.camera import LectureCamera
from scenekit.composition import stage
from scenekit.context import current_trace
from scenekit.formulas import Typst
from scenekit.ledger import Ledger
from scenekit.loss_view import LOSS_VIEWS, loss_view
from scenekit.notation import NetworkNotation
from scenekit.terms import Value
from scenekit.traced import TracedValues

# the columns an elided matrix may show, most first (``elide_to_fit``)
STANDARD_COLUMNS = range(style.MAX_MATRIX_COLUMNS, style.MIN_MATRIX_COLUMNS - 1, -1)
# the terms an elided sum may show, most first (``elide_to_fit(..., columns=SUM_TERMS)``)
SUM_TERMS = range(style.MAX_PRODUCTS_PER_LINE + 1, style.MIN_MATRIX_COLUMNS - 1, -1)

__all__ = ["LectureScene"]


class LectureScene(Scene):
    """A scene that reads its numbers from the lesson's trace and nowhere else.

    ``self.traced`` makes every shown number; ``self.trace`` is readable for
    layout (how many rows, which side of zero) but never typeset directly;
    ``self.notation`` writes the symbols of the lesson's network (``n_3``, ``w_13``);
    ``self.loss_view`` is what the scene shows differently per loss
    (:mod:`scenekit.loss_view`: ``self.loss_view.pick(mse=..., cross_entropy=...)``).
    Everything the scene ever puts on screen is remembered, so the audit can
    check each number shown against the ledger.

    Examples
    --------
    A scene shows a title, then steps; each step is one slide and one caption:

    >>> class OneWeight(LectureScene):  # doctest: +SKIP
    ...     def construct(self):
    ...         title = self.show_title("One weight")
    ...         self.step("The first weight of the first layer")
    ...         weight = self.traced.number("network.layers[0].weight[0][0]")
    ...         self.play(Write(weight.next_to(title, DOWN)))
    """

    def __init__(self, *args: Any, camera_class: type = LectureCamera, **kwargs: Any):
        super().__init__(*args, camera_class=camera_class, **kwargs)

    @classmethod
    def applies(cls, trace: Any) -> bool:
        """Whether this lesson has what the scene shows (e.g. a one-neuron example).

        The renderer skips a scene whose lesson lacks its subject, so an
        optional scene overrides this instead of failing on a missing path.

        Examples
        --------
        >>> @classmethod  # doctest: +SKIP
        ... def applies(cls, trace):
        ...     return bool(trace.neurons)

        A scene of one loss only declares ``for_loss`` and applies to lessons
        of that loss; an override that adds a condition calls this first.
        """
        return cls.for_loss is None or cls.for_loss == trace.network.loss_function

    #: The loss, by mlpmath's name (``"mse"``, ``"cross_entropy"``), of a scene
    #: that shows that loss's terms only: :meth:`applies` is false for the other
    #: loss's lessons, and :meth:`skip_reason` names the lesson's loss.
    for_loss: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.for_loss is not None and cls.for_loss not in LOSS_VIEWS:
            raise TypeError(
                f"{cls.__name__}.for_loss = {cls.for_loss!r}: not a loss "
                f"(one of {', '.join(LOSS_VIEWS)}, as mlpmath.losses names them)"
            )

    @classmethod
    def skip_reason(cls, trace: Any) -> str:
        """Why the renderer skips this scene for ``trace`` (when :meth:`applies` says no).

        Examples
        --------
        >>> class Softmax(LectureScene):  # doctest: +SKIP
        ...     for_loss = "cross_entropy"
        >>> Softmax.skip_reason(regression_trace)  # doctest: +SKIP
        "a classification scene: this lesson's loss is MSE"
        """
        if cls.for_loss is not None and cls.for_loss != trace.network.loss_function:
            scene, lesson = LOSS_VIEWS[cls.for_loss], loss_view(trace)
            return f"a {scene.task} scene: this lesson's loss is {lesson.label}"
        return "the lesson has nothing it shows"

    def setup(self) -> None:
        self.trace = current_trace()
        self.ledger = Ledger()
        self.traced = TracedValues(self.trace, self.ledger)
        network = self.trace.network
        # what the scene shows differently per loss: asked here, once
        self.loss_view = loss_view(self.trace)
        self.notation = NetworkNotation(network.sizes, self.loss_view.classifies)
        self.ever_shown: dict[int, Mobject] = {}
        self.steps: list[str] = []
        self._caption: Mobject | None = None
        self.title: Mobject | None = None
        self.captions: list[Mobject] = []  # every step's caption, in order (the audit reads it)

    @property
    def caption(self) -> Mobject | None:
        """The caption of the current step, on screen at the bottom (``None`` before any)."""
        return self._caption

    @staticmethod
    def band_top() -> float:
        """The top of the caption band: content stays above it, the caption below.

        :meth:`keep_in_frame`, :meth:`room_below` and :meth:`fit_beside` keep to it,
        and the audit fails content that reaches into the band.
        """
        return -config.frame_height / 2 + style.EDGE_BUFF + style.CAPTION_BAND

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
        notice_approx(self)

    def _remember(self, mobject: Mobject) -> None:
        for member in mobject.get_family():
            self.ever_shown[id(member)] = member
            # An imported SVG glyph keeps its parsed path only to build its points;
            # dropped, every copy a Transform makes is many times cheaper.
            if getattr(member, "path_obj", None) is not None:
                member.path_obj = None

    # -- steps --------------------------------------------------------------

    def show_title(self, text: str) -> Mobject:
        """The scene's title at the top of the frame (words, no numbers).

        It is also the ledger's title and the first line of the speaker notes;
        lay the rest out below the returned title.

        Examples
        --------
        >>> title = self.show_title("One neuron, one sample")  # doctest: +SKIP
        >>> formula.next_to(title, DOWN, buff=style.BLOCK_BUFF)  # doctest: +SKIP
        """
        title = Typst(text, font_size=style.TITLE_SIZE, color=style.TEXT)
        title.to_edge(UP, buff=style.TITLE_BUFF)
        self.ledger.title = text
        self.title = title  # the stage's top (scenekit.composition)
        self.play(FadeIn(title, shift=DOWN * 0.2))
        return title

    def step(self, *caption: str | Value) -> None:
        """Start a step: a section break (a slide break) with its caption shown below.

        The caption says in words what the step shows; it is also the step's
        name in the ledger and its speaker note. One call, one slide: the
        slide deck breaks here, so a step should show one idea. A caption
        that states a number names it by its trace path (a :class:`Value`,
        as in ``traced.words``), so the number is recorded and checked.

        Examples
        --------
        >>> self.step("Add the bias")  # doctest: +SKIP
        >>> self.step("All", Value("len(network.prediction)"), "samples")  # doctest: +SKIP
        >>> self.play(FadeIn(self.preactivation))  # doctest: +SKIP
        """
        text = self.traced.spelled(*caption)
        self.steps.append(text)
        self.ledger.step = text
        self.next_section(f"{len(self.steps):02d} {text}"[:60])
        new_caption = self.traced.words(*caption, font_size=style.CAPTION_SIZE, color=style.MUTED)
        room = config.frame_width - 2 * style.EDGE_BUFF
        if new_caption.width > room:  # a long caption fits the band's width, shrunk
            new_caption.scale_to_fit_width(room)
        if new_caption.height > style.CAPTION_BAND:
            new_caption.scale_to_fit_height(style.CAPTION_BAND)
        new_caption.move_to(UP * (self.band_top() - style.CAPTION_BAND / 2))
        # One caption at a time: the old one is gone before the new one shows.
        if self._caption is not None:  # and a margin note (≈'s) of the step before
            self.play(FadeOut(self._caption, run_time=style.CAPTION_FADE), *retire_notes(self))
        self.captions.append(new_caption)
        self.play(FadeIn(new_caption, run_time=1 - style.CAPTION_FADE))
        self._caption = new_caption

    def keep_in_frame(self, mobject: Mobject) -> Mobject:
        """Slide ``mobject`` back inside the frame (above the caption band).

        It shrinks only when it is wider or taller than the whole frame; large
        matrices are elided by the traced pieces instead, so numbers stay legible.
        Call it after laying a group out by relation, so a large lesson's
        pieces stay on screen (the audit fails text that leaves the frame).

        Examples
        --------
        >>> group.next_to(title, DOWN, buff=style.BLOCK_BUFF)  # doctest: +SKIP
        >>> self.keep_in_frame(group)  # doctest: +SKIP
        """
        half_width = config.frame_width / 2 - style.EDGE_BUFF
        half_height = config.frame_height / 2 - style.EDGE_BUFF
        bottom = self.band_top() + style.BAND_GAP
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

    def centre_on_stage(self, mobject: Mobject, horizontally: bool = True) -> Mobject:
        """Move ``mobject`` (a step's whole picture, laid out) to the middle of the
        stage, the room between the title and the caption band, where the audit
        wants a step's content (``scenekit.composition``); it never moves onto the
        title or into the band.

        Examples
        --------
        >>> self.centre_on_stage(VGroup(table, formula))  # doctest: +SKIP
        >>> self.play(FadeIn(table))  # doctest: +SKIP
        """
        left, bottom, right, top = stage(self)
        target = np.array([(left + right) / 2, (bottom + top) / 2, 0.0])
        shift = target - mobject.get_center()
        if not horizontally:
            shift[0] = 0.0
        mobject.shift(shift)
        return self.keep_in_frame(mobject)

    def recentre(self, layout: Mobject, *coming: Mobject, within: float = 0.0) -> None:
        """Keep a picture revealed part by part balanced as it grows: shift ``layout``
        (the whole, laid out) so that what is shown, with ``coming`` (what the step
        shows next), sits within ``within`` of the stage's height (width) of its
        middle, and inside the stage where it fits. Parts not shown yet move at once;
        the shown ones move in view, before ``coming`` shows (nothing jumps, and
        nothing new lands on a part on its way).

        Examples
        --------
        >>> self.centre_on_stage(whole)  # doctest: +SKIP
        >>> self.recentre(whole, result, result_name)  # doctest: +SKIP
        >>> self.play(FadeIn(result), FadeIn(result_name))  # doctest: +SKIP
        """
        framing = {
            id(m)
            for part in (self.title, *self.captions, *getattr(self, "margin_notes", []))
            if part is not None
            for m in part.get_family()
        }
        shown = [m for m in self.mobjects if id(m) not in framing]
        members = [m for part in (*shown, *coming) for m in part.family_members_with_points()]
        if not members:
            return
        points = np.concatenate([m.points[:, :2] for m in members])
        low, high = points.min(axis=0), points.max(axis=0)
        left, bottom, right, top = stage(self)
        shift = np.zeros(3)
        for axis, (start, end) in enumerate(((left, right), (bottom, top))):
            off = (low[axis] + high[axis] - start - end) / 2
            move = -np.sign(off) * max(0.0, abs(off) - within * (end - start))
            if high[axis] - low[axis] <= end - start + 1e-6:  # and inside the stage (one
                # laid out to the stage's very edges, fit_beside's, is inside it too)
                move = min(max(move, start - low[axis]), end - high[axis])
            else:  # larger than the stage: centred across, on the band's edge (as
                # keep_in_frame leaves it: over the title's margin, never into the band)
                move = start - low[axis] if axis else -off
            shift[axis] = move
        if np.abs(shift).max() < 1e-3:
            return
        inside = {id(m) for m in layout.get_family()}
        layout.shift(shift)
        families = {id(m): m for part in shown for m in part.family_members_with_points()}
        for member in families.values():
            if id(member) in inside:  # shown: back where it is, to move in view
                member.points -= shift
        nested = {id(m) for part in shown for m in part.get_family()[1:]}
        moves = [part.animate.shift(shift) for part in shown if id(part) not in nested]
        if moves:
            self.play(*moves, run_time=style.QUICK)

    def room_beside(self, left: Mobject) -> float:
        """The width free right of ``left`` up to the frame's edge (what ``fit_beside`` fills)."""
        return config.frame_width / 2 - style.EDGE_BUFF - left.get_right()[0] - style.BLOCK_BUFF

    def room_below(self, above: Mobject) -> float:
        """The height free under ``above`` (the title, say), down to the caption band.

        Examples
        --------
        >>> diagram = NeuronDiagram(self.traced, 0, height=self.room_below(title))  # doctest: +SKIP
        """
        return above.get_bottom()[1] - style.BLOCK_BUFF - self.band_top() - style.BAND_GAP

    def place_below(self, mobject: Mobject, above: Mobject) -> Mobject:
        """Put ``mobject`` under ``above``, shrunk to the room left above the caption band
        (so it never slides back up over ``above``), and inside the frame.

        Examples
        --------
        >>> self.place_below(VGroup(formula, worked), top)  # doctest: +SKIP
        """
        mobject.next_to(above, DOWN, buff=style.BLOCK_BUFF)
        room = self.room_below(above)
        if mobject.height > room:
            mobject.scale_to_fit_height(room)
            mobject.next_to(above, DOWN, buff=style.BLOCK_BUFF)
        return self.keep_in_frame(mobject)

    def fit_beside(self, mobject: Mobject, left: Mobject, below: Mobject) -> Mobject:
        """Put ``mobject`` right of ``left`` and under ``below``, shrunk to the room left."""
        room = self.room_beside(left)
        if mobject.width > room:
            mobject.scale_to_fit_width(room)
        if mobject.height > self.room_below(below):  # between ``below`` and the caption band
            mobject.scale_to_fit_height(self.room_below(below))
        mobject.next_to(left, RIGHT, buff=style.BLOCK_BUFF)
        mobject.next_to(below, DOWN, buff=style.BLOCK_BUFF, coor_mask=UP)
        return self.keep_in_frame(mobject)

    def elide_to_fit(
        self,
        build: Callable[..., Mobject],
        limits: int = 1,
        least: float = style.LEAST_SCALE,
        columns: Sequence[int] = STANDARD_COLUMNS,
    ) -> Mobject:
        """Build with fewer and fewer columns shown until the result fits the frame
        without shrinking below ``style.LEAST_SCALE``; return that last build.

        ``build`` takes ``limits`` column limits (each a ``max_columns`` for
        some of its matrices), each tried through ``columns`` (by default from
        ``style.MAX_MATRIX_COLUMNS`` down to ``style.MIN_MATRIX_COLUMNS``), the
        first limit outermost. A row of wide
        matrices then elides more columns rather than shrinking its numbers
        out of legibility (``least``: the least scale allowed; 1 where labels
        are at the least legible size already). If nothing fits, the narrowest
        build is returned.

        Examples
        --------
        >>> def equation(limit):  # doctest: +SKIP
        ...     k = self.traced.matrix("network.layers[0].product", max_columns=limit)
        ...     n = self.traced.matrix("network.layers[0].preactivation", max_columns=limit)
        ...     return VGroup(k, MathTypst("arrow.r"), n).arrange(RIGHT)
        >>> row = self.elide_to_fit(equation)  # doctest: +SKIP
        """
        for choice in product(columns, repeat=limits):
            built = build(*choice)
            if self.fits_legibly(built, least):
                break
        return built

    def fits_legibly(self, mobject: Mobject, least: float = style.LEAST_SCALE) -> bool:
        """Whether ``mobject`` fits the frame's width shrunk no further than
        ``style.LEAST_SCALE`` (:meth:`keep_in_frame` shrinks what is wider).

        Examples
        --------
        >>> work = build()  # doctest: +SKIP
        >>> if not self.fits_legibly(work):  # doctest: +SKIP
        ...     work = build(per_line=style.MAX_PRODUCTS_PER_LINE)
        """
        return mobject.width <= (config.frame_width - 2 * style.EDGE_BUFF) / least

    def pause(self) -> None:
        """Hold still for a moment: the end of a step, time to read it (an ``≈`` on
        screen for the scene's first time is explained first: scenekit.approx)."""
        explain_approx(self)
        self.wait(style.STEP_PAUSE)


def _flatten(animations: Any) -> list[Animation]:
    flat: list[Animation] = []
    for animation in animations:
        if isinstance(animation, Animation):
            flat.append(animation)
            flat.extend(_flatten(getattr(animation, "animations", [])))
    return flat

"""Learning to classify: gradient descent with the cross-entropy's gradients, the loss
and accuracy step after step, and for a two-input lesson the plane coloured by the
predicted class, its regions moving until the samples fall in their class.

The update is gradient descent's (its rule and first step are shown the same
way); the numbers are the trace's training record: ``network.training.losses``,
``.accuracies`` and ``.regions`` (the class predicted over a grid of the plane
at a few steps, drawn as one image a step).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, Create, FadeIn, FadeOut, VGroup

from scenekit import style
from scenekit.classes import AccuracyCurve, accuracy_worked
from scenekit.formulas import MathTypst
from scenekit.outcome_words import SAMPLES, curve_verdict, region_verdict, step_verdict
from scenekit.plots import LossCurve
from scenekit.regions import RegionPlane, class_legend
from scenekit.room import first_that_fits, place_on_stage, play_in_turn, rows_that_fit
from scenekit.terms import Value
from scenes.gradient_descent import LOSSES, GradientDescent

__all__ = ["ClassifierTraining"]

TRAINING = "network.training"
ACCURACIES = f"{TRAINING}.accuracies"


class ClassifierTraining(GradientDescent):
    """Gradient steps on the cross-entropy: loss and accuracy curves, and the
    plane's predicted regions at a few steps (two-input lessons)."""

    for_loss = "cross_entropy"

    def construct(self) -> None:
        self.show_title("Learning to classify: gradient descent")
        self._show_rule()
        self._show_one_weight()
        self._show_layers()
        self._show_after_one_step()
        self._show_curves()
        if self.trace.network.training.regions is not None:
            self._show_regions()

    # -- one step: loss and accuracy before and after --------------------------------------
    def _show_after_one_step(self) -> None:
        verdict = step_verdict(self.trace.network.training.first_outcome)
        self.new_slide(f"The network runs again with the new parameters: {verdict}")

        def scores_shown(rows: int) -> VGroup:
            """``Z`` before and after the step, at most ``rows`` rows each."""
            return VGroup(
                self.labelled(
                    self.traced.matrix(
                        f"{TRAINING}.predictions[0]", color=style.RESULT, max_rows=rows
                    ),
                    'Z "before"',
                ),
                self.labelled(
                    self.traced.matrix(
                        f"{TRAINING}.predictions[1]", color=style.UPDATED, max_rows=rows
                    ),
                    'Z "after"',
                ),
            ).arrange(RIGHT, buff=style.BLOCK_BUFF * 2, aligned_edge=DOWN)

        def in_turn(rows: int) -> VGroup:
            """``Z`` before and after in one place (the second shown in the first's
            place): a wide lesson's (five classes) two tables side by side are
            wider than the frame, each alone is not."""
            before, after = scores_shown(rows)
            after.move_to(before, aligned_edge=DOWN)
            return VGroup(before, after)

        losses = self.traced.math(  # laid out as the accuracy under it: before, after
            '"loss" L quad',
            Value(f"{LOSSES}[0]", style.RESULT),
            "quad arrow.r quad",
            Value(f"{LOSSES}[1]", style.UPDATED),
        )
        accuracy = VGroup(  # counts stay counts: "3 / 10 = 0.3", before and after
            MathTypst('"accuracy"', font_size=style.MATH_SIZE),
            accuracy_worked(self.traced, 0, style.RESULT),
            MathTypst("arrow.r", font_size=style.MATH_SIZE),
            accuracy_worked(self.traced, 1, style.UPDATED),
        ).arrange(RIGHT, buff=style.BLOCK_BUFF)  # a quad's room, as the loss's line
        # every sample's row where the stage holds them: the loss and accuracy under
        # the tables, else on one line under them, else beside them; rows elide only
        # when none of these fits
        samples = len(self.trace.network.classes)
        # side by side, else in turn in one place (last: narrower lessons keep theirs)
        layout = rows_that_fit(
            self,
            lambda rows: (
                self._with_results(scores_shown(rows), losses, accuracy)
                or self._with_results(in_turn(rows), losses, accuracy)
            ),
            samples,
            lambda rows: self._with_results(scores_shown(rows), losses, accuracy, fallback=True),
        )
        scores = layout[0]
        before, after = scores
        place_on_stage(self, layout)
        if np.allclose(before.get_bottom(), after.get_bottom()):
            # in turn: the step's Z in the place of the Z before it
            play_in_turn(self, before, after)
        else:
            self.play(FadeIn(scores))
        self.play(FadeIn(losses), FadeIn(accuracy))
        self.pause()

    def _with_results(
        self, scores: VGroup, losses: VGroup, accuracy: VGroup, fallback: bool = False
    ) -> VGroup | None:
        """``[scores, results]`` laid out: the loss and accuracy lines (``results``)
        under the tables, else side by side under them, else beside them, the first
        that fits the stage (shrunk to the frame's width no further than legible:
        ``scenekit.room.fits``); ``None`` when none does, or with ``fallback`` the
        first (the caller elides rows)."""

        def laid(lines: VGroup, direction, wide: bool = False) -> VGroup:
            buff = style.BLOCK_BUFF * (2 if wide else 1)  # beside: the tables' own gap
            return VGroup(scores, lines).arrange(direction, buff=buff)

        layouts = (
            lambda: laid(VGroup(losses, accuracy).arrange(DOWN, buff=style.BLOCK_BUFF), DOWN),
            lambda: laid(VGroup(losses, accuracy).arrange(RIGHT, buff=style.BLOCK_BUFF * 2), DOWN),
            lambda: laid(
                VGroup(losses, accuracy).arrange(DOWN, buff=style.BLOCK_BUFF, aligned_edge=LEFT),
                RIGHT,
                wide=True,
            ),
        )
        if fallback:
            return layouts[0]()
        return first_that_fits(self, [(layout, style.LEAST_SCALE) for layout in layouts])

    # -- the curves -----------------------------------------------------------------------------
    def _show_curves(self) -> None:
        training = self.trace.network.training
        self.new_slide(f"Repeated, step after step: {curve_verdict(training.outcome)}")
        self.draw_curve(LossCurve(self.traced))
        last = len(training.steps)
        self.new_slide(
            "And the accuracy, step after step: from",
            Value(f"{TRAINING}.correct_counts[0]"),
            "to",
            Value(f"{TRAINING}.correct_counts[{last}]"),
            "of",
            Value(SAMPLES),
            "samples right",
        )
        self.draw_curve(AccuracyCurve(self, ACCURACIES, f"{TRAINING}.steps"))

    # -- the plane of predicted classes -------------------------------------------------------
    def _show_regions(self) -> None:
        network = self.trace.network
        self.new_slide("The plane coloured by the predicted class; a ring marks a sample wrong")
        plane = RegionPlane(self)
        pictures = len(self.trace.network.training.regions.steps)
        label = plane.step_label(0)
        legend = class_legend(self)
        figure = VGroup(VGroup(plane, label).arrange(DOWN, buff=style.LINE_BUFF), legend)
        self.centre_on_stage(figure.arrange(RIGHT, buff=style.BLOCK_BUFF * 2))
        image, rings = plane.image(0), plane.wrong_marks(0)
        self.play(Create(plane.axes), FadeIn(plane.labels), FadeIn(legend))
        self.play(FadeIn(image), FadeIn(label))
        self.bring_to_back(image)
        self.play(FadeIn(plane.dots), FadeIn(rings))
        self.pause()
        self.step(*region_verdict(network.training.outcome, len(network.training.steps)))
        for picture in range(1, pictures):
            new_image, new_rings = plane.image(picture), plane.wrong_marks(picture)
            new_label = plane.step_label(picture).move_to(label)
            self.add(new_image)
            self.bring_to_back(new_image)
            # the label is swapped, not morphed: "after 7 steps" into "after 15 steps"
            # would split a digit's glyph midway
            self.play(FadeOut(image), FadeOut(rings), FadeIn(new_rings), FadeOut(label))
            self.play(FadeIn(new_label))
            self.wait(style.STEP_PAUSE)
            image, rings, label = new_image, new_rings, new_label
        self.pause()

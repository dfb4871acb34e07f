"""A template for a new scene: one neuron's weighted sum, every number from the trace.

Copy this file to ``scenes/<concept>.py``, rename the class after the concept,
and keep the shape: build everything, place it, then one ``_show_*`` method per
step. See ``scenes/GUIDE.md``. Render and audit it with::

    MLP_LESSON=lessons/relu.toml .venv/bin/manim -ql scenes/template.py TemplateScene
    .venv/bin/python -m pytest tests/test_template.py

It is not part of the lecture (not in ``LECTURE_ORDER``).
"""

from __future__ import annotations

from manim import DOWN, FadeIn, VGroup, Write

from scenekit import style
from scenekit.emphasis import Emphasize
from scenekit.lecture_scene import LectureScene
from scenekit.notation import indexed
from scenekit.terms import Value

__all__ = ["TemplateScene"]

# Where the numbers live in the trace (`mlp-lecture trace --json` lists every path;
# a value not there yet: GUIDE.md, "Adding a value to the trace").
NEURON = 0  # the lesson's first one-neuron example: the trace's neurons[0]
SAMPLE = 0  # its first sample
BASE = f"neurons[{NEURON}]"


class TemplateScene(LectureScene):
    """``w_1 x_1 + w_2 x_2 + ... = z``: a weight, then the weighted sum worked out."""

    @classmethod
    def applies(cls, trace) -> bool:
        # An optional scene says when the lesson has what it shows; without a
        # one-neuron example the renderer skips it instead of failing.
        return bool(trace.neurons)

    def construct(self) -> None:
        title = self.show_title("Template: one neuron's weighted sum")  # words, no digits
        self._build()
        self._place(below=title)
        self._show_weight()
        self._show_sum()

    # -- everything, built first so the layout can be settled at once ------------
    def _build(self) -> None:
        # The trace may be read for layout (how many inputs), never typeset directly.
        count = self.traced.shape(f"{BASE}.weight")[0]
        # A traced value: notation is a plain string (indices like w_1 are fine),
        # the number is a Value(path); the ledger records it.
        self.weight = self.traced.math(
            indexed("w", 1), "=", Value(f"{BASE}.weight[0]", style.WEIGHT)
        )
        # A worked sum: each w_i times x_i, then "=" and the trace's total. The sign
        # is earned: where the shown digits do not give the total by hand, it says ≈.
        self.worked = self.traced.worked_dot(
            [(f"{BASE}.weight[{i}]", f"{BASE}.inputs[{SAMPLE}][{i}]") for i in range(count)],
            f"{BASE}.weighted_sum[{SAMPLE}]",
            prefix=["sum_i w_i x_i ="],
            colors=(style.WEIGHT, style.INPUT),
            total_color=style.RESULT,
        )

    def _place(self, below) -> None:
        # Layout by relation (next_to, arrange), then the whole centred on the stage
        # (the room between the title and the caption band), as the audit wants it.
        self.column = VGroup(self.weight, self.worked).arrange(DOWN, buff=style.BLOCK_BUFF)
        self.column.next_to(below, DOWN, buff=style.BLOCK_BUFF)
        self.centre_on_stage(self.column)

    # -- step 1: one value from the trace -------------------------------------------
    def _show_weight(self) -> None:
        self.step("A weight, read from the trace")  # one slide, one caption, one note
        self.recentre(self.column, self.weight)  # what shows is centred as the picture grows
        self.play(FadeIn(self.weight))
        self.pause()

    # -- step 2: the worked sum --------------------------------------------------------
    def _show_sum(self) -> None:
        self.step("Each weight times its input, added up")
        self.recentre(self.column, self.worked)  # the weight glides up as the sum comes
        self.play(Write(self.worked))
        self.play(Emphasize(self.worked.result, color=style.HIGHLIGHT))  # the total
        self.pause()

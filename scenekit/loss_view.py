"""What the lecture shows differently per loss, behind one object a scene asks once.

mlpmath asks ``loss_for(lesson.loss)`` once and calls that loss's methods; a
scene does the same with :func:`loss_view` (``self.loss_view`` in every
:class:`~scenekit.lecture_scene.LectureScene`): the loss's name (mlpmath's,
the only one), its words and symbols, and :meth:`LossView.pick` for what one
scene shows per loss. No scene tests which loss it has: a new loss is a new
view here, and every ``pick`` that does not name it fails at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["CROSS_ENTROPY", "LOSS_VIEWS", "MSE", "LossView", "loss_view"]

T = TypeVar("T")


@dataclass(frozen=True)
class LossView:
    """One loss as the lecture shows it.

    Examples
    --------
    >>> MSE.output, CROSS_ENTROPY.output
    ('hat(y)', 'Z')
    >>> CROSS_ENTROPY.pick(mse="the prediction", cross_entropy="the logits")
    'the logits'
    """

    name: str  # mlpmath.losses' name, the trace's network.loss_function: "mse", "cross_entropy"
    label: str  # the loss as a sentence names it: "MSE", "cross-entropy"
    task: str  # what a network trained with it does: "regression", "classification"
    classifies: bool  # whether its prediction is a class (mlpmath.losses.Loss.classifies)
    output: str  # the last layer's output, in notation: the prediction hat(y), the logits Z

    def pick(self, **per_loss: T) -> T:
        """What a scene shows for this loss, given for every loss by its name:
        ``pick(mse=..., cross_entropy=...)``.

        Every loss must be named, so a scene cannot leave one to a default;
        a loss added to :data:`LOSS_VIEWS` makes each ``pick`` that lacks it fail.
        """
        if set(per_loss) != set(LOSS_VIEWS):
            given, known = ", ".join(sorted(per_loss)), ", ".join(LOSS_VIEWS)
            raise TypeError(f"pick() takes one keyword per loss ({known}), got: {given}")
        return per_loss[self.name]


MSE = LossView("mse", "MSE", "regression", classifies=False, output="hat(y)")
CROSS_ENTROPY = LossView(
    "cross_entropy", "cross-entropy", "classification", classifies=True, output="Z"
)
LOSS_VIEWS: dict[str, LossView] = {view.name: view for view in (MSE, CROSS_ENTROPY)}
"""Each loss's view by mlpmath's name, in ``mlpmath.losses.LOSSES``' order."""


def loss_view(trace: Any) -> LossView:
    """The view of the loss ``trace``'s lesson trains with."""
    return LOSS_VIEWS[trace.network.loss_function]

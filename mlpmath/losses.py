"""The losses a lesson trains with, each its value and its gradient side by side.

One small interface, :class:`Loss`, is the seam where the lecture asks
"which loss": compute, scenes, the workbook and verify read a lesson's loss
by name from :data:`LOSSES` once, and never branch on the name elsewhere.
Each loss gives its value written the way a board writes it, its gradient
with respect to the network's prediction written by hand (autograd only
checks it, against torch's own functional loss), and the trace fields that
are its own (``NetworkTrace``'s MSE or cross-entropy fields).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
import torch.nn.functional as F

from mlpmath.lesson import Lesson
from mlpmath.trace import SoftmaxTrace

__all__ = ["LOSSES", "CrossEntropy", "Loss", "MeanSquaredError", "loss_for", "plain"]

DTYPE = torch.float64


class Loss(ABC):
    """What the lecture needs of a loss: one object per loss, looked up by name.

    ``prediction`` is the last layer's output (samples x outputs); ``target``
    is what :meth:`target` makes of the lesson (MSE: the targets, float64;
    cross-entropy: the class indices, ``torch.long``).
    """

    name: str
    classifies: bool  # whether its prediction is a class (accuracy, regions)

    @abstractmethod
    def target(self, lesson: Lesson) -> torch.Tensor:
        """The lesson's target as this loss reads it."""

    @abstractmethod
    def value(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss, computed in the lecture's order (a 0-d tensor)."""

    @abstractmethod
    def by_torch(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """torch's own functional loss: what autograd differentiates to check the hand rule."""

    @abstractmethod
    def prediction_gradient(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """``dL/d(prediction)``, by hand: where the chain rule starts."""

    @abstractmethod
    def record(self, prediction: torch.Tensor, target: torch.Tensor) -> dict[str, Any]:
        """This loss's own ``NetworkTrace`` fields (the other loss's keep their empty defaults)."""

    def prediction_gradient_by_autograd(
        self, prediction: torch.Tensor, target: torch.Tensor
    ) -> torch.Tensor:
        """``dL/d(prediction)`` by autograd: the ``.grad`` of a leaf copy of the prediction
        after ``backward`` through :meth:`by_torch`; the check on the hand rule."""
        leaf = prediction.detach().clone().requires_grad_(True)
        self.by_torch(leaf, target).backward()
        assert leaf.grad is not None  # the leaf feeds the loss
        return leaf.grad.detach()

    def accuracy(self, prediction: torch.Tensor, target: torch.Tensor) -> float | None:
        """The share of samples classified right; None for a loss that does not classify."""
        return None

    def predicted_classes(self, prediction: torch.Tensor) -> torch.Tensor:
        """Each row's class (argmax; ties: the lowest index); only for a classifying loss."""
        raise TypeError(f"the {self.name} loss does not classify")


class MeanSquaredError(Loss):
    """``L = 1/K sum (y - y_hat)^2`` over all K entries, as ``F.mse_loss``: regression."""

    name = "mse"
    classifies = False

    def target(self, lesson: Lesson) -> torch.Tensor:
        return torch.tensor(lesson.targets, dtype=DTYPE)

    def value(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # torch's mean of the squared errors: the lecture's sum / K, bit for bit as it always was
        return F.mse_loss(prediction, target, reduction="mean")

    def by_torch(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(prediction, target, reduction="mean")

    def prediction_gradient(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return -2.0 / prediction.numel() * (target - prediction)

    def record(self, prediction: torch.Tensor, target: torch.Tensor) -> dict[str, Any]:
        errors = target - prediction
        squared_errors = errors**2
        return {
            "loss_function": self.name,
            "target": plain(target),
            "errors": plain(errors),
            "squared_errors": plain(squared_errors),
            "squared_error_sum": float(squared_errors.sum()),
            "loss_count": prediction.numel(),
            "loss": float(self.value(prediction, target)),
        }


class CrossEntropy(Loss):
    """Softmax then ``-log p`` of the true class, averaged over samples: ``F.cross_entropy``.

    The prediction is the logits Z (the last layer has no activation). The
    softmax is written in the numerically stable order of a board: subtract
    each row's max, exponentiate, sum, divide. ``dL/dZ = (P - Y) / N``.
    """

    name = "cross_entropy"
    classifies = True

    def target(self, lesson: Lesson) -> torch.Tensor:
        return torch.tensor(lesson.classes, dtype=torch.long)

    def softmax(self, logits: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each step of the softmax of each row, by name (``SoftmaxTrace``'s fields)."""
        row_max = logits.max(dim=1).values
        shifted = logits - row_max.unsqueeze(1)
        exp = torch.exp(shifted)
        exp_sum = exp.sum(dim=1)
        return {
            "logits": logits,
            "row_max": row_max,
            "shifted": shifted,
            "exp": exp,
            "exp_sum": exp_sum,
            "probabilities": exp / exp_sum.unsqueeze(1),
        }

    def one_hot(self, target: torch.Tensor, classes: int) -> torch.Tensor:
        """Y: 1 in each sample's true class, else 0 (float64)."""
        return F.one_hot(target, classes).to(DTYPE)

    def _terms(self, prediction: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        steps = self.softmax(prediction)
        column = target.unsqueeze(1)
        picked = steps["probabilities"].gather(1, column).squeeze(1)
        # -log P[s, y] = log S - shifted[s, y]: the same number, finite even where
        # P[s, y] underflows to 0 (a diverging run), as F.cross_entropy's
        cross_entropy = torch.log(steps["exp_sum"]) - steps["shifted"].gather(1, column).squeeze(1)
        return {**steps, "true_class_probability": picked, "cross_entropy": cross_entropy}

    def value(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self._terms(prediction, target)["cross_entropy"].mean()

    def by_torch(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(prediction, target, reduction="mean")

    def prediction_gradient(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        probabilities = self.softmax(prediction)["probabilities"]
        one_hot = self.one_hot(target, prediction.shape[1])
        return (probabilities - one_hot) / prediction.shape[0]

    def predicted_classes(self, prediction: torch.Tensor) -> torch.Tensor:
        # argmax of the logits, the same as of P (exp is increasing); torch returns
        # the first of equal maxima: ties go to the lowest index
        return prediction.argmax(dim=1)

    def accuracy(self, prediction: torch.Tensor, target: torch.Tensor) -> float | None:
        correct = self.predicted_classes(prediction) == target
        return int(correct.sum()) / len(correct)

    def record(self, prediction: torch.Tensor, target: torch.Tensor) -> dict[str, Any]:
        terms = self._terms(prediction, target)
        predicted = self.predicted_classes(prediction)
        correct = predicted == target
        count = int(correct.sum())
        softmax = {key: plain(terms[key]) for key in SoftmaxTrace.__dataclass_fields__}
        return {
            "loss_function": self.name,
            "loss_count": prediction.shape[0],
            "loss": float(terms["cross_entropy"].mean()),
            "classes": tuple(target.tolist()),
            "one_hot": plain(self.one_hot(target, prediction.shape[1])),
            "softmax": SoftmaxTrace(**softmax),
            "true_class_probability": plain(terms["true_class_probability"]),
            "cross_entropy": plain(terms["cross_entropy"]),
            "predicted_classes": tuple(predicted.tolist()),
            "correct": tuple(correct.tolist()),
            "correct_count": count,
            "accuracy": count / len(correct),
        }


# by name, in the order of mlpmath.lesson_checks.LOSS_NAMES (what a lesson file may name)
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (MeanSquaredError(), CrossEntropy())}


def loss_for(name: str) -> Loss:
    """The loss a lesson names (``lesson.network.loss``): the one place that asks."""
    return LOSSES[name]


def plain(values: torch.Tensor) -> Any:
    """A tensor as plain Python numbers: a tuple, or a tuple of row tuples."""
    as_list = values.detach().tolist()
    if values.dim() == 1:
        return tuple(as_list)
    return tuple(tuple(row) for row in as_list)

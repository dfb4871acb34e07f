"""What a training run did, in one word the lecture's sentences follow.

A closing sentence such as "the samples fall in their class" is true only when
training got there; the scenes say what happened from this word (traced as
``network.training.outcome``), never from arithmetic of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["OUTCOMES", "training_outcome"]

OUTCOMES = ("diverged", "rising", "unchanged", "falling", "learned", "partly")


def training_outcome(losses: Sequence[float], correct_counts: Sequence[int], samples: int) -> str:
    """``diverged`` (a loss is no longer finite), ``rising`` (the last loss above the
    first), ``unchanged``; else for a classifier ``learned`` (every sample right at the
    end) or ``partly``, and for a regression ``falling``.

    Examples
    --------
    >>> training_outcome([1.0, 0.5], [1, 3], 3)
    'learned'
    >>> training_outcome([1.0, 0.5], [1, 2], 3)
    'partly'
    >>> training_outcome([1.0, float("inf")], [], 3)
    'diverged'
    """
    if not losses or not all(math.isfinite(loss) for loss in losses):
        return "diverged"
    if losses[-1] > losses[0]:
        return "rising"
    if losses[-1] == losses[0]:
        return "unchanged"
    if not correct_counts:
        return "falling"
    return "learned" if correct_counts[-1] == samples else "partly"

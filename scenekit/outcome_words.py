"""The sentences that say what training did, one per outcome the trace names.

A closing sentence must follow what happened: the trace's
``network.training.outcome`` (the whole run) and ``first_outcome`` (its first
step) name it (``mlpmath.outcome``), and a scene picks its words here, never
from arithmetic of its own; a number in a sentence is a traced :class:`Value`.
"""

from __future__ import annotations

from scenekit.terms import Value

__all__ = ["curve_verdict", "region_verdict", "step_verdict"]

TRAINING = "network.training"
SAMPLES = "len(network.layers[0].input)"

_STEP = {
    "diverged": "the loss is no longer a finite number",
    "rising": "the loss grew: the step overshot",
    "unchanged": "the loss did not change",
}
_CURVE = {
    "diverged": "the loss grows until it is no longer a number",
    "rising": "the loss ends higher than it began: the steps overshoot",
    "unchanged": "the loss ends where it began",
}


def step_verdict(outcome: str) -> str:
    """What the first step did to the loss (``first_outcome``)."""
    return _STEP.get(outcome, "the loss is smaller")


def curve_verdict(outcome: str) -> str:
    """What the whole run did to the loss (``outcome``)."""
    return _CURVE.get(outcome, "the loss ends lower than it began")


def region_verdict(outcome: str, steps: int) -> tuple[str | Value, ...]:
    """The regions' closing caption: every sample in its class's region only when
    training got there (``learned``); otherwise how many are, as traced counts."""
    if outcome == "learned":
        return ("The regions, step by step: at the end every sample lies in its class's region",)
    return (
        "The regions, step by step: at the end",
        Value(f"{TRAINING}.correct_counts[{steps}]"),
        "of",
        Value(SAMPLES),
        "samples lie in their class's region",
    )

"""A teacher's case from issue 33: a tanh 2-5-3 classifier, 10 points, 3 classes.

Shared by the notation and class-heads tests; ``teacher_lesson(names)`` gives
the lesson file's text with its classes named (or numbered when ``names`` is
empty). ``regression_lesson()`` is the same ten points as a regression.
"""

from __future__ import annotations

import json
from collections import Counter

NAMES = ["cat", "dog", "bird"]
SAMPLES = 10  # the data's rows

_TEXT = """
title = "A teacher's tanh classifier"
[display]
decimals = 4
[network]
sizes = [2, 5, {count}]
activation = "tanh"
loss = "cross_entropy"
seed = 3
[data]
inputs = {inputs}
classes = {classes}
{names}
[training]
learning_rate = 0.5
steps = 2
"""


_REGRESSION = """
title = "A teacher's tanh regression"
[display]
decimals = 4
[network]
sizes = [2, 4, {outputs}]
activation = "tanh"
seed = 5
[data]
inputs = {inputs}
targets = {targets}
[training]
learning_rate = 0.1
steps = 2
"""
_INPUTS = [[0.2, 1.1], [1.5, 0.3], [-0.8, 0.4], [0.9, -1.2], [-1.1, -0.7],
           [0.1, 0.2], [1.2, 1.4], [-0.3, -1.5], [0.6, 0.8], [-1.4, 1.0]]  # fmt: skip
_TARGETS = [0.5, 1.2, -0.3, 0.1, -0.9, 0.2, 1.6, -0.8, 0.9, -0.2]


def regression_lesson(samples: int = SAMPLES, outputs: int = 1) -> str:
    """A teacher's tanh regression over the first ``samples`` of the same ten points,
    with ``outputs`` outputs (the second a shifted copy of the first target)."""
    targets = [[round(t + 0.5 * j, 4) for j in range(outputs)] for t in _TARGETS[:samples]]
    return _REGRESSION.format(
        outputs=outputs, inputs=json.dumps(_INPUTS[:samples]), targets=json.dumps(targets)
    )


_CLASSES = [0, 1, 2, 1, 2, 0, 0, 1, 0, 2]


def teacher_lesson(names: list[str] | tuple[str, ...] = tuple(NAMES)) -> str:
    """The lesson's TOML, ``class_names`` written when ``names`` is not empty."""
    line = f"class_names = {json.dumps(list(names), ensure_ascii=False)}" if names else ""
    return _TEXT.format(count=3, inputs=json.dumps(_INPUTS), classes=_CLASSES, names=line)


def five_class_lesson() -> str:
    """The same ten points sorted into five numbered classes, two samples each: the
    most classes a table shows whole (C = 5) beside the most samples (N = 10)."""
    classes = [s % 5 for s in range(SAMPLES)]
    return _TEXT.format(count=5, inputs=json.dumps(_INPUTS), classes=classes, names="")


def on_screen(audit, mobject) -> bool:
    """Whether any part of ``mobject`` was ever on screen in the audited build
    (``scenekit.audit.audit_scene``): built but never shown does not count."""
    shown = set(audit.scene.ever_shown)
    return any(id(member) in shown for member in mobject.get_family())


def shown_counts(audit) -> Counter[str]:
    """How many values of each trace path the audited build put on screen: a table
    shown in two steps counts each of its entries twice."""
    return Counter(e.path for e in audit.scene.ledger.entries if on_screen(audit, e.mobject))


def shown_paths(audit) -> set[str]:
    """The trace paths of every value the audited build put on screen."""
    return set(shown_counts(audit))

"""The lecture's colours, by role, as ``#RRGGBB`` text: defined here once, importing nothing.

Every picture of the lesson reads these: the scenes (through
:mod:`scenekit.style`, which adds sizes and spacing), the workbook's cell
styles and the explorable page. It imports no Manim, so a command that only
needs a colour starts fast. A value is one role's colour wherever it is
shown: an input is always ``INPUT``, a gradient always ``GRADIENT``.

Examples
--------
>>> from scenekit.palette import ROLES, TEXT, WEIGHT, on_paper
>>> ROLES["weight"] == WEIGHT
True
>>> on_paper(TEXT)  # a colour dark enough for text on white paper
'#595959'
"""

from __future__ import annotations

__all__ = [
    "ACTIVATION",
    "ACTIVE",
    "BIAS",
    "CLAMPED",
    "CLASS_COLORS",
    "CORRECT",
    "GRADIENT",
    "HIGHLIGHT",
    "INPUT",
    "LOSS",
    "MUTED",
    "NEGATIVE_WEIGHT",
    "POSITIVE_WEIGHT",
    "PREACTIVATION",
    "PREDICTION",
    "RESULT",
    "ROLES",
    "TARGET",
    "TEXT",
    "UPDATED",
    "WEIGHT",
    "WRONG",
    "mix",
    "on_paper",
]

# -- the values of a network, one colour each ----------------------------------
INPUT = "#58C4DD"  # x: data fed in (Manim's BLUE_C)
WEIGHT = "#FF862F"  # w, W: parameters (ORANGE)
BIAS = "#5CD0B3"  # b (TEAL_C)
PREACTIVATION = "#F7D96F"  # z = Wx + b, and the products and sums that make it (YELLOW_C)
ACTIVATION = "#83C167"  # a = f(z): what passes an activation (GREEN_C)
PREDICTION = "#F0AC5F"  # y-hat (or the logits Z): the network's output (GOLD_C)
TARGET = "#CAA3E8"  # y: what the prediction should be (PURPLE_A)
LOSS = "#FC6255"  # errors, the loss and its terms (RED_C)
GRADIENT = "#D147BD"  # dL/d(something): gradients and error signals (PINK)

# -- text, emphasis and states -------------------------------------------------
TEXT = "#FFFFFF"
MUTED = "#BBBBBB"  # names, captions, axes (GREY_B)
RESULT = PREACTIVATION  # a product or sum being computed
ACTIVE = ACTIVATION
CLAMPED = LOSS  # what an activation clamps away
HIGHLIGHT = PREACTIVATION  # emphasis (by colour, never by growing over a neighbour)
UPDATED = ACTIVATION  # parameters after a gradient-descent step
CORRECT = ACTIVATION  # a sample predicted right
WRONG = LOSS  # a sample predicted wrong

# -- a diagram's edges: the sign of their weight --------------------------------
POSITIVE_WEIGHT = "#5B8DEF"  # a weight above zero (blue)
NEGATIVE_WEIGHT = "#F0605A"  # below zero (red)

# -- classification: one colour per class (cycled past the last) -----------------
CLASS_COLORS = ("#58C4DD", "#F0AC5F", "#83C167", "#B189C6", "#EC92AB", "#5CD0B3")

# The nine roles of a network's values, by the name the issue and the page use.
ROLES: dict[str, str] = {
    "input": INPUT,
    "weight": WEIGHT,
    "bias": BIAS,
    "preactivation": PREACTIVATION,
    "activation": ACTIVATION,
    "prediction": PREDICTION,
    "target": TARGET,
    "loss": LOSS,
    "gradient": GRADIENT,
}


def mix(colour: str, other: str, amount: float) -> str:
    """``colour`` moved ``amount`` (0 to 1) of the way to ``other``, as ``#RRGGBB``."""
    ours = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    theirs = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(a + (b - a) * amount):02X}" for a, b in zip(ours, theirs, strict=True)
    )


def on_paper(colour: str) -> str:
    """``colour`` darkened for text on white (a workbook, a printed page): the
    lecture's colours are light, made for a dark frame."""
    return mix(colour, "#000000", 0.65)

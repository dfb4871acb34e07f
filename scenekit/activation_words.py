"""What the lecture says about each activation: one table, looked up by the lesson's name.

Every sentence a scene states about an activation (what it does, its range,
its derivative's shape) and every formula it writes for one (``ReLU(n) =
max(0, n)``, ``ReLU'(n)``) comes from this table, so a tanh lesson can never
be told that negatives clamp to zero. Words and Typst math only: sentences
write digits inside ``$...$`` math alone (the audit allows the formula
constants there, and nowhere else in words). The variable is ``n``, the table's
pre-activation (``mlpmath.notation``: the weighted sum plus bias); ``z`` is only a
classifier's logit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACTIVATION_FACTS", "ActivationFacts", "activation_facts"]


@dataclass(frozen=True)
class ActivationFacts:
    """One activation, as the lecture names, writes and describes it."""

    name: str  # the lesson file's name: "relu", "sigmoid", ...
    spoken: str  # how a title or a sentence names it (Typst markup)
    call: str  # its function name in Typst math: "ReLU" or sigma
    definition: str  # the right-hand side of f(n) = ..., Typst math
    derivative: str  # the right-hand side of f'(n) = ..., Typst math
    output_range: str  # the values it gives, Typst markup
    effect: str  # what it does to each pre-activation, one sentence
    slope: str  # its derivative's shape, as backpropagation multiplies by it


_FACTS = (
    ActivationFacts(
        name="relu",
        spoken="ReLU",
        call='"ReLU"',
        definition="max(0, n)",
        derivative='cases(1 "if" n > 0, 0 "if" n <= 0)',
        output_range="$[0, infinity)$",
        effect="ReLU clamps every negative pre-activation to $0$;"
        " positive ones pass through unchanged",
        slope="Its slope, which backpropagation multiplies by:"
        " $1$ where $n > 0$, $0$ where $n <= 0$",
    ),
    ActivationFacts(
        name="sigmoid",
        spoken="the sigmoid",
        call="sigma",
        definition="1 / (1 + e^(-n))",
        derivative="sigma(n) (1 - sigma(n))",
        output_range="$(0, 1)$",
        effect="The sigmoid squashes every pre-activation into $(0, 1)$:"
        " large negatives near $0$, large positives near $1$",
        slope="Its slope, which backpropagation multiplies by,"
        " is largest at $n = 0$ and fades for large $|n|$",
    ),
    ActivationFacts(
        name="tanh",
        spoken="tanh",
        call="tanh",
        definition="(exp(n) - exp(-n)) / (exp(n) + exp(-n))",  # no superscripts: legible
        derivative="1 - tanh^2(n)",
        output_range="$(-1, 1)$",
        effect="tanh squashes every pre-activation into $(-1, 1)$, zero-centred:"
        " each keeps its sign",
        slope="Its slope, which backpropagation multiplies by,"
        " is $1$ at $n = 0$ and fades for large $|n|$",
    ),
    ActivationFacts(
        name="none",
        spoken="no activation",
        call="f",
        definition="n",
        derivative="1",
        output_range="every real number",
        effect="No activation: every pre-activation passes through unchanged",
        slope="Its slope is $1$ everywhere: backpropagation passes the error signal"
        " through unchanged",
    ),
)

# Every name of ACTIVATION_NAMES has its facts (tests/test_activation_words.py checks).
ACTIVATION_FACTS: dict[str, ActivationFacts] = {facts.name: facts for facts in _FACTS}


def activation_facts(name: str) -> ActivationFacts:
    """The facts of the activation a lesson names (``"relu"``, ``"tanh"``, ...)."""
    return ACTIVATION_FACTS[name]

"""Lessons at the edges of what a lesson may hold, for the audit (issue 23).

Inputs near +-100 and +-1e4 (long numbers beside short ones), and the largest
networks the lesson limits allow (``mlpmath.lesson_checks``): as wide as
``MAX_WIDTH`` with as many samples as ``MAX_SAMPLES``, and as deep as
``MAX_LAYERS``, each within ``MAX_PARAMETERS``. Parameters come from the seed.
"""

from __future__ import annotations

import itertools
import random

from mlpmath.lesson_checks import MAX_LAYERS, MAX_PARAMETERS, MAX_SAMPLES, MAX_WIDTH

# The one-neuron examples are as wide as the network (MAX_WIDTH inputs) over a few
# samples: the network's data holds MAX_SAMPLES; a batch of them through one neuron
# teaches nothing more and costs the audit minutes.
NEURON_SAMPLES = 4


def _rows(rng: random.Random, count: int, width: int, scale: float, decimals: int) -> str:
    rows = (
        "[" + ", ".join(f"{rng.uniform(-scale, scale):.{decimals}f}" for _ in range(width)) + "]"
        for _ in range(count)
    )
    return "[" + ", ".join(rows) + "]"


def large_inputs_text(scale: float, seed: int = 0) -> str:
    """Every input and target drawn from +-``scale`` (a deck-shaped network, tanh)."""
    rng = random.Random(seed)
    return f"""
title = "Inputs near +-{scale:g}"
[display]
decimals = 4
[[neuron]]
inputs = {_rows(rng, 1, 3, scale, 2)}
weight = [0.5398, -0.5377, 0.3111]
bias = -0.1321
activation = "relu"
[[neuron]]
inputs = {_rows(rng, 3, 3, scale, 2)}
weight = [0.2118, 0.1606, 0.4825]
bias = 0.3519
[network]
sizes = [2, 3, 2, 1]
activation = "tanh"
seed = {seed}
[data]
inputs = {_rows(rng, 3, 2, scale, 2)}
targets = {_rows(rng, 3, 1, scale, 1)}
[training]
learning_rate = 0.001
steps = 4
"""


def _parameters(sizes: list[int]) -> int:
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def _largest_sizes(deep: bool, outputs: int) -> list[int]:
    """``MAX_WIDTH`` wide with as many layers as the parameters allow, or
    ``MAX_LAYERS`` layers as wide as they allow."""
    if deep:
        width = MAX_WIDTH
        while _parameters([width] * MAX_LAYERS + [outputs]) > MAX_PARAMETERS:
            width -= 1
        return [width] * MAX_LAYERS + [outputs]
    sizes = [MAX_WIDTH, MAX_WIDTH, outputs]
    while len(sizes) <= MAX_LAYERS and _parameters([MAX_WIDTH, *sizes]) <= MAX_PARAMETERS:
        sizes.insert(0, MAX_WIDTH)
    return sizes


def largest_network_text(deep: bool, classes: int = 0, seed: int = 0) -> str:
    """The widest network (``MAX_WIDTH`` wide, as many layers as the parameters
    allow) or the deepest (``MAX_LAYERS`` layers, as wide as they allow), over
    ``MAX_SAMPLES`` samples; a classifier of ``classes`` classes, else a regression."""
    rng = random.Random(seed)
    sizes = _largest_sizes(deep, classes or 1)
    samples = MAX_SAMPLES
    if classes:
        labels = f"classes = {[rng.randrange(classes) for _ in range(samples)]}"
        loss = 'loss = "cross_entropy"'
    else:
        labels = f"targets = {_rows(rng, samples, 1, 2, 2)}"
        loss = ""
    return f"""
title = "The largest network: {"deep" if deep else "wide"}"
[display]
decimals = 4
[[neuron]]
inputs = {_rows(rng, 1, MAX_WIDTH, 2, 2)}
weight = {_rows(rng, 1, MAX_WIDTH, 1, 4)[1:-1]}
bias = 0.25
activation = "sigmoid"
[[neuron]]
inputs = {_rows(rng, NEURON_SAMPLES, MAX_WIDTH, 2, 2)}
weight = {_rows(rng, 1, MAX_WIDTH, 1, 4)[1:-1]}
bias = -0.5
[network]
sizes = {sizes}
activation = "relu"
{loss}
seed = {seed}
[data]
inputs = {_rows(rng, samples, sizes[0], 2, 2)}
{labels}
[training]
learning_rate = 0.01
steps = 3
"""


def several_outputs_text(outputs: int = 2) -> str:
    """A regression with ``outputs`` outputs through a sigmoid's ``f'``, over
    ``MAX_WORKED_TERMS`` samples (each worked gradient written out term by term,
    three factors a term) and errors near +-40 (long numbers): ChainRule's worked
    gradients, whose mean counts ``N . outputs``, once shrank beside the table of
    numbers to digits 10 px tall at 480p."""
    targets = [[-7.5, 1], [12.25, 2], [40, 5], [-11.5, 1], [20, 2], [22, 3]]
    targets = [(row * outputs)[:outputs] for row in targets]
    return f"""
title = "{outputs} outputs"
[display]
decimals = 4
[[neuron]]
inputs = [[1, 2, 3]]
weight = [0.5398, -0.5377, 0.3111]
bias = -0.1321
activation = "relu"
[[neuron]]
inputs = [[1, 2, 3], [4, 5, 6]]
weight = [0.2118, 0.1606, 0.4825]
bias = 0.3519
[network]
sizes = [2, 3, 2, {outputs}]
activation = "none"
output_activation = "tanh"
seed = 0
[data]
inputs = [[-10.5, 20.25], [2.75, -31.5], [10, 5], [3, 1], [4, 4], [6, 2]]
targets = {targets}
[training]
learning_rate = 0.001
steps = 3
"""


EXTREME_LESSONS = {
    "inputs100": lambda: large_inputs_text(100),
    "inputs1e4": lambda: large_inputs_text(1e4),
    "widest": lambda: largest_network_text(deep=False),
    "deepest": lambda: largest_network_text(deep=True),
    "widest_classifier": lambda: largest_network_text(deep=False, classes=MAX_WIDTH),
    "two_outputs": several_outputs_text,
}

"""Random lessons for the tests: shapes, values and activations drawn from a seed."""

from __future__ import annotations

import random

ACTIVATIONS = ["relu", "sigmoid", "tanh", "none"]


def random_lesson_text(
    seed: int, activation: str | None = None, output_activation: str | None = None
) -> str:
    """A lesson of random shape and values (parameters drawn from ``seed``).

    Two one-neuron examples (one sample, then a batch), a network of 1 to 3
    layers of width 1 to 5, 1 to 5 samples, values shown to 2 to 4 decimals.
    ``activation`` and ``output_activation`` fix the network's, else drawn.
    """
    rng = random.Random(seed)
    inputs = rng.randint(1, 5)
    sizes = [inputs] + [rng.randint(1, 5) for _ in range(rng.randint(1, 3))]
    samples = rng.randint(1, 5)

    def row(n: int) -> str:
        values = (f"{rng.uniform(-3, 3):.{rng.choice([0, 2, 5])}f}" for _ in range(n))
        return "[" + ", ".join(values) + "]"

    neuron_inputs = rng.randint(1, 5)
    output = f'output_activation = "{output_activation}"\n' if output_activation else ""
    return f"""
title = "Random {seed}"
[display]
decimals = {rng.choice([2, 3, 4])}
[[neuron]]
inputs = [{row(neuron_inputs)}]
weight = {row(neuron_inputs)}
bias = {rng.uniform(-1, 1):.5f}
activation = "{rng.choice(ACTIVATIONS)}"
[[neuron]]
inputs = [{", ".join(row(neuron_inputs) for _ in range(samples))}]
weight = {row(neuron_inputs)}
bias = {rng.uniform(-1, 1):.3f}
[network]
sizes = {sizes}
activation = "{activation or rng.choice(ACTIVATIONS)}"
{output}seed = {seed}
[data]
inputs = [{", ".join(row(sizes[0]) for _ in range(samples))}]
targets = [{", ".join(row(sizes[-1]) for _ in range(samples))}]
[training]
learning_rate = 0.01
steps = 3
"""


def random_classification_text(seed: int, classes: int, inputs: int | None = None) -> str:
    """A random classification lesson: 1 to 4 inputs (or ``inputs``), 0 to 2 hidden layers
    of width 1 to 5 (a random activation), ``classes`` outputs, 1 to 6 samples, random
    true classes."""
    rng = random.Random(seed)
    sizes = [inputs or rng.randint(1, 4)] + [rng.randint(1, 5) for _ in range(rng.randint(0, 2))]
    sizes.append(classes)
    samples = rng.randint(1, 6)

    def row(n: int) -> str:
        return (
            "[" + ", ".join(f"{rng.uniform(-2, 2):.{rng.choice([1, 3])}f}" for _ in range(n)) + "]"
        )

    layers = "".join(
        f"[[network.layer]]\nweight = [{', '.join(row(sizes[i]) for _ in range(sizes[i + 1]))}]\n"
        f"bias = {row(sizes[i + 1])}\n"
        for i in range(len(sizes) - 1)
    )
    return f"""
title = "Random classification {seed}"
[display]
decimals = {rng.choice([2, 3, 4])}
[network]
sizes = {sizes}
activation = "{rng.choice(["relu", "sigmoid", "tanh", "none"])}"
loss = "cross_entropy"
{layers}
[data]
inputs = [{", ".join(row(sizes[0]) for _ in range(samples))}]
classes = {[rng.randrange(classes) for _ in range(samples)]}
[training]
learning_rate = 0.2
steps = 2
"""

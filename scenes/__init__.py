"""mlp-lecture's scenes: each shows traced values only, in one lecture order.

Importing this package stays light (no manim): the CLI's ``trace`` and
``verify`` use it without paying for manim's start-up.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["LECTURE_ORDER", "scene_class"]

# The lecture's scene order: the renderer, the slides and the docs all read it.
# Each entry: (scene class name, module that holds it).
LECTURE_ORDER: list[tuple[str, str]] = [
    ("SingleNeuron", "scenes.single_neuron"),
    ("NeuronBatch", "scenes.neuron_batch"),
    ("ReLUActivation", "scenes.relu_activation"),
    ("LayerProduct", "scenes.layer_product"),
    ("BiasBroadcast", "scenes.bias_broadcast"),
    ("ForwardPass", "scenes.forward_pass"),
    ("MSELoss", "scenes.mse_loss"),
    ("ChainRule", "scenes.chain_rule"),
    ("Backpropagation", "scenes.backpropagation"),
    ("GradientDescent", "scenes.gradient_descent"),
]


def scene_class(name: str) -> type:
    """The scene class called ``name`` in the lecture order."""
    modules = dict(LECTURE_ORDER)
    if name not in modules:
        raise KeyError(f"unknown scene {name!r} (choose from: {', '.join(modules)})")
    return getattr(import_module(modules[name]), name)

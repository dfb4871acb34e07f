"""mlp-lecture's scenes: each shows traced values only, in one lecture order.

Importing this package stays light (no manim): the CLI's ``trace`` and
``verify`` use it without paying for manim's start-up.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["LECTURE_ORDER", "SCENE_ALIASES", "canonical_scene", "lecture_of", "scene_class"]

# The lecture's scene order: the renderer, the slides and the docs all read it.
# Each entry: (scene class name, module that holds it).
LECTURE_ORDER: list[tuple[str, str]] = [
    ("SingleNeuron", "scenes.single_neuron"),
    ("NeuronBatch", "scenes.neuron_batch"),
    ("Activation", "scenes.activation"),
    ("LayerProduct", "scenes.layer_product"),
    ("BiasBroadcast", "scenes.bias_broadcast"),
    ("ForwardPass", "scenes.forward_pass"),
    ("Softmax", "scenes.softmax"),
    ("CrossEntropyLoss", "scenes.cross_entropy"),
    ("SoftmaxGradient", "scenes.softmax_gradient"),
    ("MSELoss", "scenes.mse_loss"),
    ("ChainRule", "scenes.chain_rule"),
    ("Backpropagation", "scenes.backpropagation"),
    ("GradientDescent", "scenes.gradient_descent"),
    ("ClassifierTraining", "scenes.classifier_training"),
]


# Old names that still select a scene (a command line, a notebook written before
# the rename); renders name the scene's files after its LECTURE_ORDER name. A name
# map only: no scene module holds an old name (plain Manim takes the scene's own,
# `manim scenes/activation.py Activation`).
SCENE_ALIASES: dict[str, str] = {"ReLUActivation": "Activation"}


def canonical_scene(name: str) -> str:
    """``name`` as LECTURE_ORDER writes it: an old name becomes the scene's own."""
    return SCENE_ALIASES.get(name, name)


def scene_class(name: str) -> type:
    """The scene class called ``name`` (or an old name of it) in the lecture order."""
    name = canonical_scene(name)
    modules = dict(LECTURE_ORDER)
    if name not in modules:
        raise KeyError(f"unknown scene {name!r} (choose from: {', '.join(modules)})")
    return getattr(import_module(modules[name]), name)


def lecture_of(trace: object) -> list[str]:
    """The scenes a lesson's lecture shows, in order: those whose ``applies`` holds
    for its ``trace`` (imports the scenes, and so manim)."""
    return [name for name, _ in LECTURE_ORDER if scene_class(name).applies(trace)]

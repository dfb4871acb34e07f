"""The network diagram as a textbook figure: every weight on its own edge, none on
another; edges coloured by sign and as wide as their size; layers named with their
true size. Built without a scene or video, for the default, the wide and a random
lesson."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from conftest import ROOT
from manim import DL, UR, tempconfig
from manim.utils.color import ManimColor
from random_lessons import random_lesson_text

from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.diagrams import NetworkDiagram
from scenekit.ledger import Ledger
from scenekit.notation import NetworkNotation
from scenekit.traced import TracedValues


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """lesson name -> (trace, diagram, ledger), each diagram built once."""
    folder = tmp_path_factory.mktemp("diagrams")
    random = folder / "random.toml"
    random.write_text(random_lesson_text(8))  # 2-4-2: sixteen weights, the most written
    lessons = {"default": None, "wide": ROOT / "lessons" / "wide.toml", "random": random}
    made = {}
    with tempconfig({"media_dir": str(folder / "media")}):
        for name, path in lessons.items():
            trace = compute_trace(load_lesson(path))
            ledger = Ledger()
            traced = TracedValues(trace, ledger)
            diagram = NetworkDiagram(traced, NetworkNotation(trace.network.sizes))
            made[name] = (trace, diagram, ledger)
    return made


def _distance(point: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    """From ``point`` to the segment ``start``-``end`` (in the plane)."""
    along = end - start
    t = np.clip(np.dot(point - start, along) / np.dot(along, along), 0, 1)
    return float(np.linalg.norm(point - (start + t * along)))


def _box(mobject) -> np.ndarray:
    return np.concatenate([mobject.get_corner(DL)[:2], mobject.get_corner(UR)[:2]])


@pytest.mark.parametrize("lesson", ["default", "wide", "random"])
def test_each_weight_sits_on_its_own_edge_and_on_no_other_label(built, lesson):
    _, diagram, _ = built[lesson]
    # the deck's network and a small random one carry their numbers; the wide one does not
    assert diagram.labelled == (lesson != "wide")
    centres = {key: label[1].get_center()[:2] for key, label in diagram.weight_of.items()}
    if diagram.labelled:
        assert set(centres) == set(diagram.edge_of)
    for key, centre in centres.items():
        ends = {k: (e.get_start()[:2], e.get_end()[:2]) for k, e in diagram.edge_of.items()}
        own = _distance(centre, *ends[key])
        assert own < 0.02, key
        assert all(own < _distance(centre, *ends[k]) for k in ends if k != key), key
    boxes = [_box(label) for label in diagram.weight_of.values()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


@pytest.mark.parametrize("lesson", ["default", "wide", "random"])
def test_edges_are_coloured_by_sign_and_widened_by_size(built, lesson):
    trace, diagram, _ = built[lesson]
    largest = max(abs(w) for layer in trace.network.layers for row in layer.weight for w in row)
    widths = []
    for (layer, target, source), edge in diagram.edge_of.items():
        weight = trace.network.layers[layer - 1].weight[target][source]
        sign = style.POSITIVE_WEIGHT if weight >= 0 else style.NEGATIVE_WEIGHT
        assert edge.get_color() == ManimColor(sign)
        widths.append((abs(weight), edge.get_stroke_width()))
    widths.sort()
    assert all(a[1] <= b[1] for a, b in pairwise(widths))  # monotone in |w|
    biggest = [w for size, w in widths if size == largest]
    assert biggest and biggest[0] == pytest.approx(style.EDGE_WIDTHS[1])


def test_layers_are_named_with_their_traced_sizes(built):
    trace, diagram, ledger = built["wide"]
    sizes = trace.network.sizes
    assert len(diagram.sizes) == len(sizes)
    for layer, (label, size) in enumerate(zip(diagram.sizes, sizes)):
        word = "input" if layer == 0 else "output" if layer == len(sizes) - 1 else "hidden"
        assert f'"{word}"' in label.typst_code
        [entry] = ledger.entries_of(label)
        assert entry.path.startswith("len(") and entry.value == size

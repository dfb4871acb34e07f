"""The activation scene says what the lesson's own activation does, and counts what it lists.

The scene is built without video (as the audit builds it) for small lessons
whose layers use ReLU, the sigmoid, tanh and no activation; every title,
caption and text it shows is read back. The words that belong to each
activation are written here, apart from the scene's table, so a sentence of
one activation shown for another fails; so does a caption or title that
states a number the trace did not give.
"""

from __future__ import annotations

import math

import pytest

from mlpmath import compute_trace, parse_lesson, resolve
from mlpmath.activation_names import ACTIVATION_NAMES
from scenekit import style
from scenekit.activation_words import ACTIVATION_FACTS
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenes import LECTURE_ORDER, canonical_scene, scene_class
from scenes.activation import Activation

# Phrases that state a fact of one activation (or of some): lower case.
OWNERS = {
    "clamp": {"relu"},
    "max(0": {"relu"},
    "relu": {"relu"},
    "sigmoid": {"sigmoid"},
    "sigma": {"sigmoid"},
    "(0, 1)": {"sigmoid"},
    "tanh": {"tanh"},
    "(-1, 1)": {"tanh"},
    "zero-centred": {"tanh"},
    "squash": {"sigmoid", "tanh"},
    "pass": {"relu", "none"},  # sigmoid and tanh change every value
    "no activation": {"none"},
}
# What the scene must say of each: its effect, in its own words.
MUST_SAY = {
    "relu": ["clamp", "max(0"],
    "sigmoid": ["squash", "(0, 1)"],
    "tanh": ["squash", "(-1, 1)", "zero-centred"],
    "none": ["no activation", "clamp"],  # ReLU shown on a layer that has none, and said so
}


def lesson_text(activation: str, samples: int, output: str = "none", neuron: str = "") -> str:
    """A network 2 -> 3 -> 1 whose hidden layer has ``activation`` (the output layer
    ``output``, the one-neuron example ``neuron`` or the same): ``3 * samples``
    pre-activations in its first layer."""
    rows = ", ".join(f"[{s + 1}, {2 - s}]" for s in range(samples))
    targets = ", ".join(f"[{s}]" for s in range(samples))
    return f"""
title = "Words"
[[neuron]]
inputs = [[1, 2]]
weight = [0.5, -0.25]
bias = 0.1
activation = "{neuron or activation}"
[network]
sizes = [2, 3, 1]
activation = "{activation}"
output_activation = "{output}"
seed = 3
[data]
inputs = [{rows}]
targets = [{targets}]
[training]
learning_rate = 0.01
steps = 2
"""


def build(scene: type, text: str, monkeypatch, tmp_path):
    path = tmp_path / "lesson.toml"
    path.write_text(text)
    monkeypatch.setenv(LESSON_ENV, str(path))
    trace = compute_trace(parse_lesson(text, name="words"))
    return trace, *audit_scene(scene, trace, str(tmp_path / "media"))


def shown_words(audit) -> list[str]:
    """Every text the scene showed (titles, captions, labels, formulas), and its steps."""
    return [source for _, source in audit.shown_texts()] + audit.scene.steps


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "none"])
def test_every_sentence_is_the_lessons_own_activation(activation, monkeypatch, tmp_path):
    samples = 4  # 12 pre-activations: more than the scene lists
    trace, audit, problems = build(
        Activation, lesson_text(activation, samples), monkeypatch, tmp_path
    )
    assert problems == []
    shown = "relu" if activation == "none" else activation  # what the demo applies
    allowed = {shown, activation}
    texts = [text.lower() for text in shown_words(audit)]
    for text in texts:
        for phrase, owners in OWNERS.items():
            assert phrase not in text or owners & allowed, f"{phrase!r} in {text!r}"
    for phrase in MUST_SAY[activation]:
        assert any(phrase in text for text in texts), phrase
    # the count: 3 neurons x 4 samples, of which the style's limit is listed
    total, listed = 3 * samples, min(3 * samples, style.MAX_LISTED_VALUES)
    assert listed < total
    assert any(f"the first {listed} of {total}" in step for step in audit.scene.steps)
    rows = {e.path for e in audit.scene.ledger.entries if e.path.startswith("activation_demo.pre")}
    assert len(rows) == listed
    assert trace.activation_demo.activation == shown


def test_a_first_layer_without_one_shows_the_lessons_own_and_says_it_lacks_it(
    monkeypatch, tmp_path
):
    """No activation in the first layer, tanh at the output, the sigmoid in the
    one-neuron example: the scene shows tanh, and says the first layer has none."""
    text = lesson_text("none", 2, output="tanh", neuron="sigmoid")
    trace, audit, problems = build(Activation, text, monkeypatch, tmp_path)
    assert problems == []
    assert trace.activation_demo.activation == "tanh"
    texts = [text.lower() for text in shown_words(audit)]
    assert any("no activation" in text for text in texts)
    assert any("(-1, 1)" in text for text in texts)
    assert not any(word in text for text in texts for word in ("clamp", "sigmoid", "(0, 1)"))
    z = [v for row in trace.network.layers[0].preactivation for v in row]
    assert trace.activation_demo.output == pytest.approx([math.tanh(v) for v in z], rel=1e-12)


def test_a_short_list_says_all(monkeypatch, tmp_path):
    _, audit, problems = build(Activation, lesson_text("tanh", 2), monkeypatch, tmp_path)
    assert problems == []
    assert any(step.endswith("through tanh: all 6") for step in audit.scene.steps)


class TypedIntoWords(Activation):
    """Numbers typed into a title and a caption: the audit must catch words too."""

    def show_title(self, text: str):
        return super().show_title(f"{text} in 3 steps")

    def construct(self) -> None:
        super().construct()
        self.step("Seven of them become 0, $0$ in a formula is fine")


def test_a_number_typed_into_a_caption_or_title_fails(monkeypatch, tmp_path):
    _, _, problems = build(TypedIntoWords, lesson_text("relu", 2), monkeypatch, tmp_path)
    assert any("shows 3, not from the trace" in line and "in 3 steps" in line for line in problems)
    zeros = [p for p in problems if "shows 0, not from the trace" in p and "become 0" in p]
    assert len(zeros) == 1  # the word's 0; the formula's $0$ is a constant
    assert len(problems) == 2


def test_every_activation_has_its_words_and_the_old_name_still_works():
    assert set(ACTIVATION_FACTS) == set(ACTIVATION_NAMES)
    assert canonical_scene("ReLUActivation") == "Activation"
    assert scene_class("ReLUActivation") is Activation
    assert ("Activation", "scenes.activation") in LECTURE_ORDER


def test_len_of_the_first_n_counts_what_exists():
    trace = compute_trace(parse_lesson(lesson_text("relu", 2), name="words"))
    values = trace.activation_demo.preactivation
    assert len(values) == 6
    assert resolve(trace, "len(activation_demo.preactivation[:4])") == 4
    assert resolve(trace, "len(activation_demo.preactivation[:40])") == 6
    assert resolve(trace.to_dict(), "len(activation_demo.preactivation[:4])") == 4


def test_a_render_directory_of_the_old_name_is_swept_as_ours(tmp_path):
    """A directory rendered before the rename lists ``ReLUActivation``: its files
    (which the manifest vouches for) go, a file of the user's stays."""
    from mlp_lecture.pipeline.directory import OutputDirectory
    from mlp_lecture.pipeline.manifest import LessonRecord, Manifest, SceneEntry, file_sha256
    from mlp_lecture.pipeline.options import RenderOptions, select_scenes
    from mlpmath import load_lesson

    assert select_scenes("ReLUActivation,NeuronBatch") == ["NeuronBatch", "Activation"]
    lesson, options = load_lesson(None), RenderOptions()
    out = tmp_path / "render"
    out.mkdir()
    old = {f"ReLUActivation.{suffix}": suffix.encode() for suffix in ("mp4", "srt", "values.json")}
    for name, data in old.items():
        (out / name).write_bytes(data)
    (out / "notes.txt").write_text("mine")
    entry = SceneEntry(
        "ReLUActivation",
        "key",
        {name: len(data) for name, data in old.items()},
        file="ReLUActivation.mp4",
        ledger="ReLUActivation.values.json",
        sha256={name: file_sha256(out / name) for name in old},
    )
    manifest = Manifest(LessonRecord(lesson.name, lesson.title, "digest"), options.to_json())
    manifest.scenes = [entry]
    (out / "lecture.json").write_text(manifest.dumps())
    directory = OutputDirectory(out, lesson, "digest", options)
    directory.start(["Activation"])
    directory.close()
    assert sorted(path.name for path in out.iterdir()) == [
        "lecture.json",
        "lesson.toml",
        "notes.txt",
    ]

"""Lesson files: bad ones fail in one line naming the key; good ones load and compute.

Each bad lesson is the default lesson with one mistake a teacher could make.
It is checked twice: ``parse_lesson`` raises ``LessonError`` naming the key,
and ``mlp-lecture trace BAD.toml``, run as a command, exits non-zero with one
line on stderr and no traceback.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import struct
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest
import torch
from torch.testing import assert_close

from mlpmath import (
    LessonError,
    compute_trace,
    default_lesson,
    default_lesson_text,
    load_lesson,
    parse_lesson,
)

ROOT = Path(__file__).resolve().parent.parent
LESSON_FILES = sorted((ROOT / "lessons").glob("*.toml"))
DEFAULT = default_lesson_text()

MINIMAL = """\
[network]
sizes = [1, 1]

[data]
inputs = [[1]]
targets = [[2]]

[training]
learning_rate = 0.1
steps = 1
"""


def edit(old: str, new: str, text: str = DEFAULT, count: int = 1) -> str:
    """``text`` with its first ``old`` replaced; the mistake must really be made."""
    assert old in text, old
    return text.replace(old, new, count)


# (id, lesson text, what the one line must name). The first group is the list
# in issue 2; the second, types that must not slip through as a Python error.
BAD_LESSONS = [
    ("toml-syntax", DEFAULT + "\n[training\n", "not valid TOML"),
    ("toml-duplicate-key", edit("steps = 10", "steps = 10\nsteps = 11"), "not valid TOML"),
    ("missing-table", edit("[training]\nlearning_rate = 0.001\nsteps = 10\n", ""), "[training]"),
    ("missing-targets", edit("targets = [[7], [12], [40]]\n", ""), "data.targets"),
    ("missing-sizes", edit("sizes = [2, 3, 2, 1]\n", ""), "network.sizes"),
    ("missing-neuron-bias", edit("bias = -0.1321\n", ""), "neuron[0].bias"),
    ("missing-learning-rate", edit("learning_rate = 0.001\n", ""), "training.learning_rate"),
    ("unknown-top-key", 'author = "me"\n' + DEFAULT, "author"),
    ("unknown-network-key", edit("seed = 0", "seed = 0\nactivaton = 'relu'"), "network.activaton"),
    (
        "unknown-layer-key",
        edit("bias = [-0.4830]", "biases = [-0.4830]"),
        "network.layer[2].biases",
    ),
    ("unknown-training-key", edit("steps = 10", "steps = 10\nmomentum = 0.9"), "training.momentum"),
    ("text-bias", edit("bias = -0.1321", 'bias = "-0.1321"'), "neuron[0].bias"),
    ("text-weight", edit("0.6464]]", '"0.6464"]]'), "network.layer[2].weight[0][1]"),
    ("text-size", edit("[2, 3, 2, 1]", '[2, "three", 2, 1]'), "network.sizes[1]"),
    ("text-rate", edit("= 0.001", '= "0.001"'), "training.learning_rate"),
    ("text-steps", edit("steps = 10", 'steps = "10"'), "training.steps"),
    ("text-decimals", edit("decimals = 4", 'decimals = "4"'), "display.decimals"),
    ("nan-weight", edit("0.6464]]", "nan]]"), "network.layer[2].weight[0][1]"),
    ("nan-input", edit("[2, 3], [10", "[2, nan], [10"), "data.inputs[1][1]"),
    ("nan-rate", edit("= 0.001", "= nan"), "training.learning_rate"),
    ("inf-target", edit("[40]]", "[inf]]"), "data.targets[2][0]"),
    ("minus-inf-weight", edit("0.2118", "-inf"), "neuron[1].weight[0]"),
    ("inf-bias", edit("[-0.4830]", "[+inf]"), "network.layer[2].bias[0]"),
    ("ragged-data", edit("[[1, 2], [2, 3], [10, 5]]", "[[1, 2], [2], [10, 5]]"), "data.inputs[1]"),
    ("ragged-neuron", edit("[4, 5, 6]", "[4, 5]"), "neuron[1].inputs[1]"),
    ("ragged-weight", edit("0.0575, 0.3641]", "0.0575]"), "network.layer[1].weight[1]"),
    ("weight-vs-sizes", edit("[2, 3, 2, 1]", "[2, 4, 2, 1]"), "network.layer[0].weight"),
    ("layers-vs-sizes", edit("[2, 3, 2, 1]", "[2, 3, 1]"), "network.layer"),
    ("bias-vs-sizes", edit("[-0.4812, -0.0846]", "[-0.4812]"), "network.layer[1].bias"),
    ("neuron-weight-vs-inputs", edit("-0.5377, 0.3111]", "-0.5377]"), "neuron[0].weight"),
    (
        "inputs-vs-sizes",
        edit("[[1, 2], [2, 3], [10, 5]]", "[[1, 2, 0], [2, 3, 0], [10, 5, 0]]"),
        "network.sizes[0]",
    ),
    ("targets-vs-inputs", edit("[[7], [12], [40]]", "[[7], [12]]"), "data.targets"),
    ("targets-vs-output", edit("[[7], [12], [40]]", "[[7, 1], [12, 1], [40, 1]]"), "data.targets"),
    (
        "unknown-activation",
        edit('activation = "none"', 'activation = "gelu"'),
        "network.activation",
    ),
    ("unknown-neuron-activation", edit('"relu"', '"softmax"'), "neuron[0].activation"),
    (
        "unknown-output-activation",
        edit("seed = 0", "output_activation = 'RELU'"),
        "network.output_activation",
    ),
    ("negative-steps", edit("steps = 10", "steps = -1"), "training.steps"),
    ("zero-rate", edit("= 0.001", "= 0"), "training.learning_rate"),
    ("negative-rate", edit("= 0.001", "= -0.001"), "training.learning_rate"),
    # -- types that must not slip through -------------------------------------
    ("bool-steps", edit("steps = 10", "steps = true"), "training.steps"),
    ("bool-rate", edit("= 0.001", "= true"), "training.learning_rate"),
    ("bool-weight", edit("0.6464]]", "false]]"), "network.layer[2].weight[0][1]"),
    ("bool-decimals", edit("decimals = 4", "decimals = true"), "display.decimals"),
    ("float-steps", edit("steps = 10", "steps = 10.0"), "training.steps"),
    ("float-size", edit("[2, 3, 2, 1]", "[2, 3.0, 2, 1]"), "network.sizes[1]"),
    ("date-rate", edit("= 0.001", "= 1979-05-27"), "training.learning_rate"),
    ("empty-weight", edit("[0.5398, -0.5377, 0.3111]", "[]"), "neuron[0].weight"),
    ("empty-inputs", edit("[[1, 2], [2, 3], [10, 5]]", "[]"), "data.inputs"),
    ("empty-row", edit("[[1, 2], [2, 3], [10, 5]]", "[[]]"), "data.inputs[0]"),
    (
        "flat-neuron-inputs",
        edit("[[1, 2, 3]]", "[1, 2, 3]"),
        "neuron[0].inputs: expected a non-empty list of rows",
    ),
    ("deep-neuron-inputs", edit("[[1, 2, 3]]", "[[[1, 2, 3]]]"), "neuron[0].inputs[0][0]"),
    ("flat-weight", edit("[[0.6878, 0.6464]]", "[0.6878, 0.6464]"), "network.layer[2].weight"),
    ("nested-bias", edit("[-0.4830]", "[[-0.4830]]"), "network.layer[2].bias[0]"),
    ("scalar-sizes", edit("[2, 3, 2, 1]", "2"), "network.sizes"),
    ("one-size", edit("[2, 3, 2, 1]", "[2]"), "network.sizes"),
    ("zero-size", edit("[2, 3, 2, 1]", "[2, 0, 2, 1]"), "network.sizes[1]"),
    ("table-activation", edit('= "none"', "= {name = 'relu'}"), "network.activation"),
    ("decimals-too-many", edit("decimals = 4", "decimals = 11"), "display.decimals"),
    ("decimals-negative", edit("decimals = 4", "decimals = -1"), "display.decimals"),
    ("float-seed", edit("sizes = [1, 1]", "sizes = [1, 1]\nseed = 1.5", MINIMAL), "network.seed"),
    ("empty-title", 'title = ""\n' + MINIMAL, "title"),
    ("number-title", "title = 5\n" + MINIMAL, "title"),
    ("scalar-neuron", "neuron = 3\n" + MINIMAL, "neuron"),
    ("list-of-numbers-neuron", "neuron = [1, 2]\n" + MINIMAL, "neuron[0]"),
    ("scalar-display", "display = 4\n" + MINIMAL, "display"),
    ("scalar-network", edit("[network]\nsizes = [1, 1]\n", "network = 4\n", MINIMAL), "network"),
    ("scalar-layer", edit("sizes = [1, 1]", "sizes = [1, 1]\nlayer = 3", MINIMAL), "network.layer"),
    ("huge-steps", edit("steps = 10", "steps = 1000000000000"), "training.steps"),
    ("huge-size", edit("[2, 3, 2, 1]", "[2, 1000000, 1]"), "network.sizes"),
    # per-layer activations
    (
        "unknown-layer-activation",
        edit("bias = [-0.4812, -0.0846]", 'bias = [-0.4812, -0.0846]\nactivation = "gelu"'),
        "network.layer[1].activation",
    ),
    (
        "layer-activation-without-weights",
        edit(
            "weight = [[-0.1401, 0.1616, 0.5679], [0.2270, 0.0575, 0.3641]]\n"
            "bias = [-0.4812, -0.0846]\n",
            'activation = "relu"\n',
        ),
        "network.layer[1].weight",
    ),
]

# The ones a teacher is most likely to meet, also run as commands (each
# command pays torch's import, so not every case runs twice).
CLI_CASES = {
    "toml-syntax",
    "missing-table",
    "missing-targets",
    "unknown-network-key",
    "text-bias",
    "nan-weight",
    "inf-target",
    "ragged-data",
    "weight-vs-sizes",
    "inputs-vs-sizes",
    "targets-vs-inputs",
    "targets-vs-output",
    "unknown-activation",
    "negative-steps",
    "zero-rate",
    "bool-steps",
    "empty-weight",
    "flat-neuron-inputs",
}


@pytest.mark.parametrize(
    ("text", "key"), [case[1:] for case in BAD_LESSONS], ids=[case[0] for case in BAD_LESSONS]
)
def test_bad_lesson_raises_one_line_naming_the_key(text, key):
    with pytest.raises(LessonError) as caught:
        parse_lesson(text, name="bad", origin="bad.toml")
    message = str(caught.value)
    assert key in message
    assert message.startswith("bad.toml: ")
    assert "\n" not in message


def test_bad_lesson_ids_are_unique_and_cli_cases_exist():
    ids = [case[0] for case in BAD_LESSONS]
    assert len(ids) == len(set(ids))
    assert CLI_CASES <= set(ids)


def check_one_line_failure(result, *names: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mlp-lecture: ")
    for name in names:
        assert name in lines[0]


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory, cli):
    """Every CLI case run as ``mlp-lecture trace BAD.toml``, a few at a time."""
    folder = tmp_path_factory.mktemp("bad")
    jobs = {}
    for name, text, _ in BAD_LESSONS:
        if name in CLI_CASES:
            path = folder / f"{name}.toml"
            path.write_text(text, encoding="utf-8")
            jobs[name] = path
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(cli, "trace", str(path)) for name, path in jobs.items()}
        return {name: (jobs[name], future.result()) for name, future in futures.items()}


@pytest.mark.parametrize(
    ("name", "key"),
    [(c[0], c[2]) for c in BAD_LESSONS if c[0] in CLI_CASES],
)
def test_bad_lesson_command_fails_in_one_line(cli_results, name, key):
    path, result = cli_results[name]
    check_one_line_failure(result, key, str(path))
    assert result.returncode == 2


def test_missing_file(tmp_path, cli):
    missing = tmp_path / "nope.toml"
    with pytest.raises(LessonError, match="no such lesson file"):
        load_lesson(missing)
    check_one_line_failure(cli("trace", str(missing)), str(missing), "no such lesson file")


def test_directory_instead_of_a_file(tmp_path, cli):
    with pytest.raises(LessonError, match="directory"):
        load_lesson(tmp_path)
    check_one_line_failure(cli("trace", str(tmp_path)), str(tmp_path), "directory")


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(DEFAULT.replace("Understand MLP", "Réseau").encode("latin-1"))
    with pytest.raises(LessonError, match="cannot read") as caught:
        load_lesson(path)
    assert "\n" not in str(caught.value)


# -- good lessons -------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def test_loading_writes_nothing(tmp_path, cli):
    lesson = tmp_path / "mine.toml"
    lesson.write_text(DEFAULT, encoding="utf-8")
    before = snapshot(tmp_path)
    compute_trace(load_lesson(lesson))
    result = cli("trace", str(lesson), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path) == before
    assert lesson.read_text(encoding="utf-8") == DEFAULT


def test_shipped_default_is_the_embedded_default():
    embedded = resources.files("mlpmath").joinpath("lessons/default.toml").read_bytes()
    assert (ROOT / "lessons" / "default.toml").read_bytes() == embedded
    assert DEFAULT.encode() == embedded
    assert load_lesson(None) == default_lesson()
    from_file = load_lesson(ROOT / "lessons" / "default.toml")
    assert dataclass_fields_without_origin(from_file) == dataclass_fields_without_origin(
        default_lesson()
    )


def dataclass_fields_without_origin(lesson):
    return dataclasses.replace(lesson, name="", source="")


def test_the_default_lesson_is_the_decks():
    lesson = default_lesson()
    assert lesson.title == "Understand MLP"
    assert lesson.network.sizes == (2, 3, 2, 1)
    assert lesson.network.activation == lesson.network.output_activation == "none"
    assert lesson.inputs == ((1.0, 2.0), (2.0, 3.0), (10.0, 5.0))
    assert lesson.targets == ((7.0,), (12.0,), (40.0,))
    # The rule behind the targets: y = 3 x1 + 2 x2.
    for (x1, x2), (y,) in zip(lesson.inputs, lesson.targets, strict=True):
        assert y == 3 * x1 + 2 * x2


def test_there_are_example_lessons():
    names = {path.stem for path in LESSON_FILES}
    assert {"default", "relu", "wide"} <= names


@pytest.mark.parametrize("path", LESSON_FILES, ids=[p.stem for p in LESSON_FILES])
def test_every_shipped_lesson_loads_computes_and_learns(path):
    lesson = load_lesson(path)
    assert lesson.name == path.stem
    assert lesson.neurons, "every example lesson shows a one-neuron example"
    assert path.read_text(encoding="utf-8").startswith("#"), "a header says what it teaches"
    trace = compute_trace(lesson)
    network = trace.network
    for by_torch, by_hand in zip(network.gradients, network.chain_rule, strict=True):
        for hand, auto in ((by_hand.weight, by_torch.weight), (by_hand.bias, by_torch.bias)):
            assert_close(torch.tensor(hand), torch.tensor(auto), rtol=1e-10, atol=1e-12)
    losses = network.training.losses
    assert len(losses) == lesson.steps + 1
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < losses[0]


def test_relu_lesson_is_a_relu_network():
    lesson = load_lesson(ROOT / "lessons" / "relu.toml")
    assert lesson.network.activation == "relu"
    assert lesson.neurons[0].activation == "relu"
    trace = compute_trace(lesson)
    z = [value for row in trace.network.layers[0].preactivation for value in row]
    assert min(z) < 0 < max(z), "shows both clamped and passed values"
    assert trace.activation_demo.activation == "relu"
    # The header's dead ReLU: n6 (first layer, unit 3) is negative for every
    # sample, so its incoming weights get no gradient and never change.
    assert all(row[3] < 0 for row in trace.network.layers[0].preactivation)
    assert trace.network.training.layers[0].weight[3] == trace.network.layers[0].weight[3]
    assert trace.neurons[0].output[0] == 0.0  # the neuron example's clamped sample


def test_wide_lesson_is_wide_and_seeded():
    lesson = load_lesson(ROOT / "lessons" / "wide.toml")
    assert lesson.network.sizes[0] == 5
    assert len(lesson.inputs) == 5
    assert lesson.network.layers == ()  # drawn from the seed
    neuron = lesson.neurons[0]
    assert len(neuron.inputs) == 5
    assert all(len(row) == 5 for row in neuron.inputs)


# -- per-layer activations ---------------------------------------------------


def test_a_layer_may_name_its_own_activation():
    text = edit(
        "bias = [-0.5923, 0.1290, 0.2674]", 'bias = [-0.5923, 0.1290, 0.2674]\nactivation = "tanh"'
    )
    lesson = parse_lesson(text, name="mixed")
    assert lesson.network.activations == ("tanh", "none", "none")
    trace = compute_trace(lesson)
    assert [layer.activation for layer in trace.network.layers] == ["tanh", "none", "none"]
    first = trace.network.layers[0]
    assert first.output == tuple(tuple(math.tanh(z) for z in row) for row in first.preactivation)
    assert trace.activation_demo.activation == "tanh"  # layer 0's, whose values it shows


def test_a_seeded_network_takes_activations_from_tables_without_weights():
    text = edit("sizes = [1, 1]", "sizes = [1, 2, 1]", MINIMAL) + (
        '[[network.layer]]\nactivation = "relu"\n[[network.layer]]\nactivation = "sigmoid"\n'
    )
    lesson = parse_lesson(text, name="seeded")
    assert lesson.network.layers == ()
    assert lesson.network.activations == ("relu", "sigmoid")
    assert lesson.network.output_activation == "none"  # the network's default, overridden
    assert compute_trace(lesson).network.output_activation == "sigmoid"


def test_without_layer_activations_the_networks_apply():
    lesson = load_lesson(ROOT / "lessons" / "relu.toml")
    assert lesson.network.activations == ("relu", "none")


# -- writing a lesson back: Lesson.to_toml ------------------------------------


def random_lesson(seed: int):
    """A random lesson built in memory: any shape, per-layer activations, any floats."""
    import random

    from mlpmath.lesson import LayerSpec, Lesson, NetworkSpec, NeuronSpec

    rng = random.Random(seed)
    names = ["none", "relu", "sigmoid", "tanh"]

    def number() -> float:
        return rng.choice(
            [
                rng.uniform(-5, 5),
                float(rng.randint(-9, 9)),
                round(rng.uniform(-1, 1), 4),
                rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 6),
                float(torch.tensor(rng.uniform(-1, 1), dtype=torch.float32)),
                -0.0,
            ]
        )

    def rows(count: int, width: int) -> tuple:
        return tuple(tuple(number() for _ in range(width)) for _ in range(count))

    sizes = tuple(rng.randint(1, 4) for _ in range(rng.randint(2, 5)))
    activations = tuple(rng.choice(names) for _ in sizes[1:])
    given = rng.random() < 0.7
    layers = (
        tuple(LayerSpec(weight=rows(b, a), bias=rows(1, b)[0]) for a, b in pairwise(sizes))
        if given
        else ()
    )
    samples = rng.randint(1, 4)
    width = rng.randint(1, 4)
    return Lesson(
        name=f"random{seed}",
        title=rng.choice(["Random", 'A "quoted" title', "Ünïcode – λ", "back\\slash and 'quote'"]),
        decimals=rng.randint(0 if given else 1, 10),  # seeded weights need a decimal
        neurons=tuple(
            NeuronSpec(
                rows(rng.randint(1, 3), width), rows(1, width)[0], number(), rng.choice(names)
            )
            for _ in range(rng.randint(0, 2))
        ),
        network=NetworkSpec(
            sizes=sizes,
            activation=rng.choice(names),
            output_activation=rng.choice(names),
            seed=rng.randint(0, 10**6) if not given else rng.choice([0, 7]),
            layers=layers,
            activations=activations,
        ),
        inputs=rows(samples, sizes[0]),
        targets=rows(samples, sizes[-1]),
        learning_rate=rng.choice([0.001, 0.05, 1e-7, 0.1 + 0.2]),
        steps=rng.randint(0, 50),
        source="",
    )


@pytest.mark.parametrize("seed", range(60))
def test_to_toml_reads_back_as_the_same_lesson(seed):
    lesson = random_lesson(seed)
    text = lesson.to_toml()
    back = parse_lesson(text, name=lesson.name)
    assert back == lesson
    for a, b in zip(back.network.layers, lesson.network.layers, strict=True):  # bit for bit
        assert [math.copysign(1, v) for v in a.bias] == [math.copysign(1, v) for v in b.bias]
    assert parse_lesson(back.to_toml(), name=lesson.name) == lesson
    assert text.startswith("#")
    assert "[[network.layer]]" in text or not lesson.network.layers


@pytest.mark.parametrize("path", LESSON_FILES, ids=[p.stem for p in LESSON_FILES])
def test_shipped_lessons_read_back_from_to_toml(path):
    lesson = load_lesson(path)
    assert parse_lesson(lesson.to_toml(), name=lesson.name) == lesson


def test_to_toml_comments_what_a_teacher_edits():
    text = default_lesson().to_toml()
    assert "nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 2), nn.Linear(2, 1))" in text
    assert "weight is 3 rows (one per neuron) x 2 columns (one per input)" in text
    assert "# digits shown after the point" in text
    assert "none | relu | sigmoid | tanh" in text


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"(?<![\w.])[+-]?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")


def _number_texts(toml: str) -> list[str]:
    """Every number written in lesson-file text: strings and comments left out."""
    found = []
    for line in toml.splitlines():
        found += _NUMBER.findall(_STRING.sub('""', line).partition("#")[0])
    return found


def _floats(value) -> list[float]:
    """Every number a lesson holds, in field order (ints as they are, floats as floats)."""
    if dataclasses.is_dataclass(value):
        fields = [f.name for f in dataclasses.fields(value) if f.name != "source"]
        return [x for name in fields for x in _floats(getattr(value, name))]
    if isinstance(value, tuple):
        return [x for item in value for x in _floats(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_to_toml_writes_every_number_one_way_and_exactly(seed):
    """A whole number is written as an integer (``-1``, never ``-1.0`` beside ``1``);
    any other as its shortest round-tripping text; it reads back to the same bits."""
    lesson = random_lesson(seed)
    text = lesson.to_toml()
    written = _number_texts(text)
    assert written
    for number in written:
        value = float(number)
        if value.is_integer() and number != "-0.0":
            assert re.fullmatch(r"-?\d+", number), f"{number}: a whole number with a point"
        else:
            assert number == repr(value), f"{number}: not the shortest text of {value!r}"
    back = parse_lesson(text, name=lesson.name)
    bits = [struct.pack(">d", float(v)) for v in _floats(back)]
    assert bits == [struct.pack(">d", float(v)) for v in _floats(lesson)]


def test_whole_weights_are_written_alike_whatever_their_sign():
    from mlpmath.lesson import NeuronSpec

    lesson = random_lesson(0)
    spec = NeuronSpec(inputs=((1.0, -2.0),), weight=(-1.0, 1.0), bias=-0.0, activation="relu")
    text = dataclasses.replace(lesson, neurons=(spec,)).to_toml()
    assert "weight = [-1, 1]" in text and "inputs = [[1, -2]]" in text
    assert "bias = -0.0" in text  # the one number that needs its point: -0 reads as 0


# -- the lecture's names: numbering.py, the notebook's display --------------------


@pytest.mark.parametrize("sizes", [(2, 3, 2, 1), (2, 5, 2, 3), (3, 1), (1, 12, 1)])
def test_neurons_are_numbered_on_from_the_inputs(sizes):
    from mlpmath.numbering import bias_name, neuron_name, numbering_summary, weight_name

    # count through the network by hand: inputs first, then every layer in turn
    count, layers = 0, []
    for size in sizes:
        layers.append([count + 1 + i for i in range(size)])
        count += size
    outputs = sizes[-1]
    assert [neuron_name(sizes, 0, i) for i in range(sizes[0])] == [f"x{n}" for n in layers[0]]
    for layer in range(1, len(sizes) - 1):
        names = [neuron_name(sizes, layer, i) for i in range(sizes[layer])]
        assert names == [f"n{n}" for n in layers[layer]]
        assert f"layer {layer}: {', '.join(names)}" in numbering_summary(sizes)
    out = ["ŷ"] if outputs == 1 else [f"ŷ{o + 1}" for o in range(outputs)]
    assert numbering_summary(sizes).endswith(f"output {', '.join(out)}")
    # w_ij joins i to j: layer 0's weight[row][column] joins input column+1 to the row's neuron
    # into the output: a regression's one output is ŷ, several are numbered on (never y)
    i, j = layers[0][-1], (layers[1][0] if len(sizes) > 2 or outputs > 1 else "ŷ")
    joiner = "" if len(str(i)) == 1 and len(str(j)) == 1 else ","
    assert weight_name(sizes, 0, 0, sizes[0] - 1) == f"w{i}{joiner}{j}"
    assert bias_name(sizes, 0, 0) == f"b{j}"


def test_the_notebook_display_explains_the_numbering_with_the_lessons_own_weight():
    from html.parser import HTMLParser

    from mlp_lecture.notebook import lesson_html

    lesson = parse_lesson(DEFAULT.replace('title = "Understand MLP"', 'title = "<b>x</b>"'), "d")

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.parts.append(data)

    page = Text()
    page.feed(lesson_html(lesson))
    text = " ".join(page.parts)
    assert "inputs x1, x2; layer 1: n3, n4, n5; layer 2: n6, n7; output ŷ" in text
    weight, bias = lesson.network.layers[0].weight[0][0], lesson.network.layers[0].bias[0]
    assert f"w13 = {weight:.4f} joins x1 to n3" in text
    assert f"b3 = {bias:.4f} is n3's bias" in text
    assert "w6ŷ joins n6 to ŷ, and bŷ is its bias" in text
    assert "<b>x</b>" in text  # the title stays text, never markup

"""``Lesson.from_model``: the teacher's own torch network is the lesson.

The lesson's trace is float64; the model is float32. Taking the weights
exactly (the float64 of each float32 value), the trace must reproduce the
model's own forward pass, loss and ``.grad`` within float32 rounding, and a
float64 copy of the model to float64 rounding.
"""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from mlpmath import LessonError, compute_trace, default_lesson, parse_lesson
from mlpmath.lesson import Lesson

# float32 rounding, relative to the values' size (losses near 600 in the deck)
FLOAT32 = {"rtol": 2e-5, "atol": 2e-5}
FLOAT64 = {"rtol": 1e-10, "atol": 1e-10}
MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "none": nn.Identity}


def t64(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def deck_model() -> nn.Sequential:
    """The course's ``MyNet`` with the deck's printed weights loaded into it (float32)."""
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 2), nn.Linear(2, 1))
    with torch.no_grad():
        for linear, layer in zip(net, default_lesson().network.layers, strict=True):
            linear.weight.copy_(torch.tensor(layer.weight))
            linear.bias.copy_(torch.tensor(layer.bias))
    return net


DECK_X = torch.tensor([[1.0, 2.0], [2.0, 3.0], [10.0, 5.0]])
DECK_Y = torch.tensor([[7.0], [12.0], [40.0]])


def deck_lesson(**overrides) -> Lesson:
    arguments = {"learning_rate": 0.001, "steps": 10, "title": "Understand MLP"} | overrides
    return Lesson.from_model(deck_model(), DECK_X, DECK_Y, **arguments)


def test_the_decks_network_gives_the_default_lessons_trace():
    ours, deck = compute_trace(deck_lesson()).network, compute_trace(default_lesson()).network
    for mine, theirs in zip(ours.layers, deck.layers, strict=True):
        for field in ("weight", "bias", "product", "preactivation", "output"):
            assert_close(t64(getattr(mine, field)), t64(getattr(theirs, field)), **FLOAT32)
    assert_close(t64(ours.prediction), t64(deck.prediction), **FLOAT32)
    assert_close(ours.loss, deck.loss, **FLOAT32)
    for mine, theirs in zip(ours.gradients, deck.gradients, strict=True):
        assert_close(t64(mine.weight), t64(theirs.weight), **FLOAT32)
        assert_close(t64(mine.bias), t64(theirs.bias), **FLOAT32)
    assert_close(t64(ours.training.losses), t64(deck.training.losses), **FLOAT32)


def test_weights_are_taken_exactly_not_rounded():
    lesson = deck_lesson()
    model = deck_model()
    for linear, layer in zip(model, lesson.network.layers, strict=True):
        assert layer.weight == tuple(tuple(row) for row in linear.weight.double().tolist())
        assert layer.bias == tuple(linear.bias.double().tolist())
    assert lesson.network.layers[0].weight[0][0] != 0.1319  # the float32 value, not the text
    assert lesson.network.layers[0].weight[0][0] == float(torch.tensor(0.1319))


def test_the_deck_lesson_matches_the_model_run_in_float32():
    model = deck_model()
    trace = compute_trace(deck_lesson()).network
    loss = nn.functional.mse_loss(model(DECK_X), DECK_Y)
    loss.backward()
    assert_close(t64(trace.prediction), model(DECK_X).detach().double(), **FLOAT32)
    assert_close(trace.loss, loss.item(), **FLOAT32)
    for linear, gradient in zip(model, trace.gradients, strict=True):
        assert_close(t64(gradient.weight), linear.weight.grad.double(), **FLOAT32)
        assert_close(t64(gradient.bias), linear.bias.grad.double(), **FLOAT32)


def random_model(seed: int) -> tuple[nn.Sequential, torch.Tensor, torch.Tensor, list[str]]:
    """1 to 4 linear layers, widths 1-5, a random activation (or none) after each."""
    rng = random.Random(seed)
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 5))]
    modules: list[nn.Module] = []
    activations = []
    torch.manual_seed(seed)
    for fan_in, fan_out in pairwise(sizes):
        modules.append(nn.Linear(fan_in, fan_out))
        name = rng.choice(list(MODULES))
        activations.append(name)
        if name != "none" or rng.random() < 0.5:  # sometimes an explicit nn.Identity
            modules.append(MODULES[name]())
    samples = rng.randint(1, 6)
    x = torch.randn(samples, sizes[0]) * 2
    y = torch.randn(samples, sizes[-1])
    return nn.Sequential(*modules), x, y, activations


@pytest.mark.parametrize("seed", range(24))
def test_random_models_forward_loss_and_gradients_equal_torchs(seed):
    model, x, y, activations = random_model(seed)
    lesson = Lesson.from_model(model, x, y, learning_rate=0.01, steps=2)
    assert lesson.network.activations == tuple(activations)
    trace = compute_trace(lesson).network
    assert [layer.activation for layer in trace.layers] == activations
    linears = [m for m in model if isinstance(m, nn.Linear)]

    # the model itself, float32
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    assert_close(t64(trace.prediction), model(x).detach().double(), **FLOAT32)
    assert_close(trace.loss, loss.item(), **FLOAT32)
    for linear, gradient in zip(linears, trace.gradients, strict=True):
        assert_close(t64(gradient.weight), linear.weight.grad.double(), **FLOAT32)
        assert_close(t64(gradient.bias), linear.bias.grad.double(), **FLOAT32)
    # the same model in float64: then the trace agrees to float64 rounding
    double = model.double()
    double.zero_grad()
    loss = nn.functional.mse_loss(double(x.double()), y.double())
    loss.backward()
    assert_close(t64(trace.prediction), double(x.double()).detach(), **FLOAT64)
    assert_close(trace.loss, loss.item(), **FLOAT64)
    for linear, gradient, by_hand in zip(linears, trace.gradients, trace.chain_rule, strict=True):
        assert_close(t64(gradient.weight), linear.weight.grad, **FLOAT64)
        assert_close(t64(by_hand.weight), linear.weight.grad, **FLOAT64)
        assert_close(t64(gradient.bias), linear.bias.grad, **FLOAT64)


def test_inputs_as_numpy_lists_or_tensors_give_the_same_lesson():
    model = deck_model()
    common = {"learning_rate": 0.001, "steps": 1}
    as_tensor = Lesson.from_model(model, DECK_X, DECK_Y, **common)
    as_numpy = Lesson.from_model(model, DECK_X.numpy(), DECK_Y.numpy(), **common)
    as_lists = Lesson.from_model(model, [[1, 2], [2, 3], [10, 5]], [7, 12, 40], **common)
    assert as_tensor == as_numpy == as_lists


def test_the_lesson_reads_back_from_its_own_file():
    lesson = Lesson.from_model(*random_model(3)[:3], learning_rate=0.05, steps=3)
    assert parse_lesson(lesson.source, name=lesson.name) == lesson
    assert parse_lesson(lesson.to_toml(), name=lesson.name) == lesson


def test_part_one_is_the_models_first_neuron_by_default():
    lesson = deck_lesson()
    single, batch = lesson.neurons
    first = lesson.network.layers[0]
    assert single.inputs == lesson.inputs[:1] and batch.inputs == lesson.inputs
    assert single.weight == batch.weight == first.weight[0]
    assert single.bias == first.bias[0]
    assert single.activation == "relu"  # the deck's Part 1: the network has none
    assert deck_lesson(neurons=[]).neurons == ()
    given = deck_lesson(neurons=[{"inputs": [[1, 2, 3]], "weight": [1, 2, 3], "bias": 0.5}])
    assert given.neurons[0].weight == (1.0, 2.0, 3.0)


def test_mixed_activations_are_named_per_layer_in_the_file():
    model = nn.Sequential(
        nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2),
        nn.ReLU(), nn.Linear(2, 1), nn.Sigmoid(),
    )  # fmt: skip
    lesson = Lesson.from_model(model, [[1, 2]], [[0.5]], learning_rate=0.1, steps=1)
    assert lesson.network.activations == ("relu", "tanh", "relu", "sigmoid")
    assert lesson.network.activation == "relu"
    assert lesson.network.output_activation == "sigmoid"
    assert lesson.source.count('activation = "tanh"') == 1
    assert "nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh()" in lesson.source


class Custom(nn.Module):
    def forward(self, x):
        return x * 2


class MyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)


def _bad(model, x=((1.0, 2.0),), y=((1.0,),)):
    return lambda: Lesson.from_model(model, x, y, learning_rate=0.1, steps=1)


def _with_nan() -> nn.Sequential:
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    with torch.no_grad():
        net[1].weight[0, 1] = float("nan")
    return net


# (id, the call, what its one sentence must say)
REFUSED = [
    (
        "conv2d",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.Conv2d(1, 1, 3), nn.Linear(4, 1))),
        "model[1] (Conv2d): not supported",
    ),
    (
        "dropout",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 1))),
        "model[1] (Dropout): not supported",
    ),
    (
        "batchnorm",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))),
        "model[1] (BatchNorm1d): not supported",
    ),
    (
        "custom-module",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.ReLU(), Custom(), nn.Linear(4, 1))),
        "model[2] (Custom): not supported",
    ),
    ("custom-model", _bad(MyNet()), "model (MyNet): not an nn.Sequential"),
    (
        "no-bias",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 1, bias=False))),
        "model[1] (Linear): has no bias",
    ),
    (
        "widths",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(3, 1))),
        "model[2] (Linear): takes 3 inputs but the layer before it gives 4",
    ),
    (
        "two-activations",
        _bad(nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Tanh(), nn.Linear(4, 1))),
        "model[2] (Tanh): a second activation after model[1] (ReLU)",
    ),
    (
        "activation-first",
        _bad(nn.Sequential(nn.ReLU(), nn.Linear(2, 1))),
        "model[0] (ReLU): comes before the first nn.Linear",
    ),
    ("no-linear", _bad(nn.Sequential(nn.ReLU())), "model[0] (ReLU): comes before"),
    ("empty", _bad(nn.Sequential()), "model: holds no nn.Linear layer"),
    (
        "non-finite",
        _bad(_with_nan()),
        "model[1] (Linear): its weight holds a non-finite value",
    ),
    (
        "nested",
        _bad(nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.GELU()), nn.Linear(2, 1))),
        "model[0][1] (GELU): not supported",
    ),
    (
        "input-width",
        _bad(nn.Sequential(nn.Linear(3, 1)), x=[[1.0, 2.0]]),
        "inputs: rows have 2 values but model[0] (Linear) takes 3",
    ),
    (
        "target-width",
        _bad(nn.Sequential(nn.Linear(2, 2)), y=[[1.0, 2.0, 3.0]]),
        "targets: rows have 3 values but the last layer, model[0] (Linear), gives 2",
    ),
    ("target-rows", _bad(nn.Sequential(nn.Linear(2, 1)), y=[[1.0], [2.0]]), "targets: 2 rows"),
    ("one-d-inputs", _bad(nn.Sequential(nn.Linear(2, 1)), x=[1.0, 2.0]), "inputs: expected one"),
    ("ragged", _bad(nn.Sequential(nn.Linear(2, 1)), x=[[1.0, 2.0], [1.0]]), "inputs: expected a"),
    (
        "nan-input",
        _bad(nn.Sequential(nn.Linear(2, 1)), x=[[1.0, float("nan")]]),
        "inputs: holds a non-finite value",
    ),
    (
        "learning-rate",
        lambda: Lesson.from_model(deck_model(), DECK_X, DECK_Y, learning_rate=0, steps=1),
        "learning_rate: must be a positive number",
    ),
    (
        "too-many-steps",
        lambda: Lesson.from_model(deck_model(), DECK_X, DECK_Y, learning_rate=0.1, steps=10**9),
        "training.steps:",
    ),
]


@pytest.mark.parametrize(("call", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_what_a_lesson_cannot_hold_is_refused_in_one_sentence(call, message):
    with pytest.raises(LessonError) as error:
        call()
    text = str(error.value)
    assert message in text
    assert "\n" not in text
    if text.startswith("model"):  # a module refused: it says what is supported
        assert "nn.Linear" in text or "needs finite weights" in text


# -- the command: mlp-lecture lesson --state-dict net.pt --data data.csv ------


def _files(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


class Pickled:
    """Not a tensor: torch.load(weights_only=True) must refuse it, never build it."""


def _command_files(folder):
    """The files the command cases read: good ones, and one of each kind of wrong."""
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    state = net.state_dict()
    torch.save(state, folder / "net.pt")
    torch.save(net, folder / "module.pt")
    torch.save({"x": Pickled()}, folder / "object.pt")
    torch.save({"model": state, "epoch": 3}, folder / "checkpoint.pt")
    torch.save([state["0.weight"]], folder / "list.pt")
    torch.save(
        nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).state_dict(), folder / "batchnorm.pt"
    )
    torch.save(nn.Sequential(nn.Linear(2, 1, bias=False)).state_dict(), folder / "nobias.pt")
    torch.save(
        {"0.weight": torch.zeros(3, 2), "0.bias": torch.zeros(3), "1.weight": torch.zeros(1, 4),
         "1.bias": torch.zeros(1)},
        folder / "widths.pt",
    )  # fmt: skip
    bad = dict(state)
    bad["2.bias"] = torch.tensor([float("inf"), 0.0])
    torch.save(bad, folder / "inf.pt")
    (folder / "text.pt").write_text("not a torch file\n")
    (folder / "data.csv").write_text("x1,x2,y\n1,2,7\n2,3,12\n10,5,40\n")
    (folder / "wide.csv").write_text("1,2,3,7\n")
    (folder / "word.csv").write_text("1,2,7\n2,three,12\n")
    (folder / "empty.csv").write_text("x1,x2,y\n")
    return net


GOOD = ["--state-dict", "net.pt", "--data", "data.csv"]
LESSON_CASES = [
    (
        "pickled-module",
        ["--state-dict", "module.pt", "--data", "data.csv"],
        "not a plain state dict",
    ),
    (
        "pickled-object",
        ["--state-dict", "object.pt", "--data", "data.csv"],
        "not a plain state dict",
    ),
    ("checkpoint", ["--state-dict", "checkpoint.pt", "--data", "data.csv"], "'model' holds a dict"),
    ("list", ["--state-dict", "list.pt", "--data", "data.csv"], "holds list, not a state dict"),
    ("not-torch", ["--state-dict", "text.pt", "--data", "data.csv"], "not a file torch.save wrote"),
    ("missing-state", ["--state-dict", "none.pt", "--data", "data.csv"], "none.pt: no such file"),
    ("batchnorm", ["--state-dict", "batchnorm.pt", "--data", "data.csv"], "'1.running_mean'"),
    ("no-bias", ["--state-dict", "nobias.pt", "--data", "data.csv"], "no 0.bias"),
    ("widths", ["--state-dict", "widths.pt", "--data", "data.csv"], "1.weight takes 4 inputs"),
    ("non-finite", ["--state-dict", "inf.pt", "--data", "data.csv"], "2.bias holds a non-finite"),
    ("layers", [*GOOD, "--layers", "2,4,2,1"], "its layers are 2,3,2,1"),
    ("layers-text", [*GOOD, "--layers", "2,x"], "--layers: expected whole numbers"),
    ("activation", [*GOOD, "--activation", "gelu"], "--activation: unknown activation 'gelu'"),
    ("activation-count", [*GOOD, "--activation", "relu,tanh"], "2 names given but"),
    ("csv-width", ["--state-dict", "net.pt", "--data", "wide.csv"], "wide.csv:1: 4 columns"),
    ("csv-word", ["--state-dict", "net.pt", "--data", "word.csv"], "word.csv:2: column 2"),
    ("csv-empty", ["--state-dict", "net.pt", "--data", "empty.csv"], "holds no rows of data"),
    ("csv-missing", ["--state-dict", "net.pt", "--data", "none.csv"], "none.csv: no such file"),
    ("learning-rate", [*GOOD, "--learning-rate", "-1"], "learning_rate: must be a positive"),
]


# Run as real commands too (each pays torch's import): no traceback, end to end.
COMMAND_CASES = ["pickled-module", "checkpoint", "csv-width", "layers"]


@pytest.fixture(scope="module")
def lesson_command(tmp_path_factory, cli):
    """Every case run once, in-process through ``mlp_lecture.cli.main``, a few as commands."""
    import contextlib
    import io
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    from mlp_lecture.cli import main

    folder = tmp_path_factory.mktemp("lesson-command")
    net = _command_files(folder)
    before = _files(folder)
    out = ["--out", str(folder / "out" / "lesson.toml")]

    def run(args):
        return cli("lesson", *args, *out, cwd=folder)

    results = {}
    with contextlib.chdir(folder):
        for name, args, _ in LESSON_CASES:
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                status = main(["lesson", *args, *out])
            results[name] = subprocess.CompletedProcess(
                args, status, stdout.getvalue(), stderr.getvalue()
            )
    chosen = {name: args for name, args, _ in LESSON_CASES if name in COMMAND_CASES}
    with ThreadPoolExecutor(max_workers=2) as pool:
        commands = dict(zip(chosen, pool.map(run, chosen.values()), strict=True))
    written = _files(folder) - before
    good = run([*GOOD, "--activation", "relu,tanh,none", "--learning-rate", "0.01", "--steps", "3"])
    return folder, net, results, written, good, commands


@pytest.mark.parametrize(
    ("name", "message"), [(n, m) for n, _, m in LESSON_CASES], ids=[n for n, _, _ in LESSON_CASES]
)
def test_lesson_command_refuses_in_one_line(lesson_command, name, message):
    results, commands = lesson_command[2], lesson_command[5]
    for result in (results[name], commands.get(name, results[name])):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert lines[0].startswith("mlp-lecture: ")
        assert message in lines[0]
        assert result.stdout == ""


def test_lesson_command_writes_nothing_when_it_refuses(lesson_command):
    written = lesson_command[3]
    assert written == set()


def test_lesson_command_writes_the_models_lesson(lesson_command):
    folder, net, _, _, good, _ = lesson_command
    assert good.returncode == 0, good.stderr
    assert "lesson.toml" in good.stdout
    from mlpmath import load_lesson

    written = load_lesson(folder / "out" / "lesson.toml")
    x = [[1, 2], [2, 3], [10, 5]]
    expected = Lesson.from_model(net, x, [[7], [12], [40]], learning_rate=0.01, steps=3)
    assert dataclasses_replace_name(written) == dataclasses_replace_name(expected)
    assert written.network.activations == ("relu", "tanh", "none")
    trace = compute_trace(written).network
    assert_close(
        t64(trace.prediction), net(torch.tensor(x, dtype=torch.float32)).double(), **FLOAT32
    )


def dataclasses_replace_name(lesson: Lesson) -> Lesson:
    import dataclasses

    return dataclasses.replace(lesson, name="")


# -- on screen: a model's unrounded weights still pass the audit ---------------


def test_a_from_model_lesson_passes_the_audit(tmp_path, monkeypatch):
    """Float32 weights are shown rounded; shown arithmetic gets = only where it holds."""
    from scenekit.audit import audit_scene
    from scenekit.context import LESSON_ENV
    from scenes import scene_class

    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    torch.manual_seed(5)
    for parameter in model.parameters():
        torch.nn.init.uniform_(parameter, -1, 1)
    lesson = Lesson.from_model(model, DECK_X, DECK_Y, learning_rate=0.001, steps=3)
    path = tmp_path / f"{lesson.name}.toml"
    path.write_text(lesson.source)
    monkeypatch.setenv(LESSON_ENV, str(path))
    trace = compute_trace(lesson)
    for name in ("SingleNeuron", "LayerProduct"):
        audit, problems = audit_scene(scene_class(name), trace, str(tmp_path / "media"))
        assert problems == [], name
        relations = {worked.relation for worked in audit.scene.ledger.relations}
        assert relations, f"{name} shows worked arithmetic"

"""``mlp-lecture trace``: the readable report and the one JSON object."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mlp_lecture.report import neuron_labels, print_trace
from mlpmath import compute_trace, default_lesson, format_number, load_lesson, parse_lesson
from mlpmath.lesson import default_lesson_text

ROOT = Path(__file__).resolve().parent.parent
LESSON_FILES = sorted((ROOT / "lessons").glob("*.toml"))

# The keys issue 2 promises in `trace --json` (at least these).
NEURON_KEYS = {
    "inputs",
    "weight",
    "bias",
    "activation",
    "products",
    "weighted_sum",
    "preactivation",
    "output",
}
LAYER_KEYS = {
    "input",
    "weight",
    "bias",
    "activation",
    "product",
    "bias_broadcast",
    "preactivation",
    "output",
}
NETWORK_KEYS = {
    "layers",
    "prediction",
    "target",
    "squared_errors",
    "loss",
    "gradients",
    "chain_rule",
    "training",
}
TRAINING_KEYS = {"learning_rate", "losses", "layers", "steps"}


def reject_constant(name: str):
    raise AssertionError(f"not JSON: {name}")


def parse_one_json_object(stdout: str) -> dict:
    """Exactly one JSON object and nothing else (strict: no NaN or Infinity)."""
    value, end = json.JSONDecoder(parse_constant=reject_constant).raw_decode(stdout)
    assert stdout[end:].strip() == ""
    assert isinstance(value, dict)
    return value


@pytest.fixture(scope="module")
def report_result(cli):
    return cli("trace")


@pytest.fixture(scope="module")
def json_result(cli):
    return cli("trace", "--json")


def test_trace_prints_the_readable_report(report_result):
    assert report_result.returncode == 0, report_result.stderr
    assert report_result.stderr == ""
    out = report_result.stdout
    trace = compute_trace(default_lesson())
    assert "Understand MLP" in out
    assert format_number(trace.network.loss, trace.decimals) in out
    assert format_number(trace.neurons[0].preactivation[0], trace.decimals) in out
    assert format_number(trace.network.training.losses[-1], trace.decimals) in out
    for name in ("w13", "w6ŷ", "bŷ"):  # gradients named as on the diagram: ŷ, never y
        assert name in out
    assert "w6y" not in out
    assert not out.lstrip().startswith("{")
    assert "…" not in out  # no value cut short by a narrow table


def test_trace_json_is_one_object_with_every_promised_key(json_result):
    assert json_result.returncode == 0, json_result.stderr
    assert json_result.stderr == ""
    data = parse_one_json_object(json_result.stdout)
    assert {"neurons", "network"} <= set(data)
    assert data["title"] == "Understand MLP"
    for neuron in data["neurons"]:
        assert NEURON_KEYS <= set(neuron)
    network = data["network"]
    assert NETWORK_KEYS <= set(network)
    for layer in network["layers"]:
        assert LAYER_KEYS <= set(layer)
    for key in ("gradients", "chain_rule"):
        assert len(network[key]) == len(network["layers"])
        for gradient in network[key]:
            assert {"weight", "bias"} <= set(gradient)
    training = network["training"]
    assert TRAINING_KEYS <= set(training)
    assert len(training["losses"]) == len(training["steps"]) + 1
    for layer in training["layers"]:
        assert {"weight", "bias"} <= set(layer)
    for step in training["steps"]:
        assert {"gradients", "parameters"} <= set(step)
    assert len(network["squared_errors"]) == len(network["prediction"])
    assert [len(row) for row in network["squared_errors"]] == [
        len(row) for row in network["prediction"]
    ]
    # Matrices are lists of rows, e.g. the path the issue names.
    assert isinstance(network["layers"][0]["product"][2][1], float)


def test_trace_json_is_the_trace_at_full_precision(json_result):
    data = parse_one_json_object(json_result.stdout)
    expected = json.loads(json.dumps(compute_trace(default_lesson()).to_dict()))
    assert data == expected


@pytest.mark.parametrize("path", LESSON_FILES, ids=[p.stem for p in LESSON_FILES])
def test_trace_runs_on_every_shipped_lesson(cli, path):
    result = cli("trace", str(path))
    assert result.returncode == 0, result.stderr
    lesson = load_lesson(path)
    assert lesson.title in result.stdout
    assert "…" not in result.stdout


def test_report_flags_a_diverging_loss():
    text = default_lesson_text().replace("learning_rate = 0.001", "learning_rate = 0.003")
    trace = compute_trace(parse_lesson(text, name="fast"))
    out = render(trace)
    assert "too large" in out
    assert "0.003" in out
    assert "fell" not in render_tail(out)


def test_report_says_the_loss_fell():
    trace = compute_trace(default_lesson())
    out = render(trace)
    assert "The loss fell in 10 steps" in out
    assert "too large" not in out


def test_report_shows_every_layer_and_the_loss_terms():
    trace = compute_trace(default_lesson())
    out = render(trace)
    network = trace.network
    for index, layer in enumerate(network.layers):
        assert f"Layer {index + 1}" in out
        for row in layer.product:
            for value in row:
                assert format_number(value, 4) in out
    for row in network.squared_errors:
        assert format_number(row[0], 4) in out
    assert format_number(network.squared_error_sum, 4) in out


def test_report_names_neurons_as_the_deck_does():
    assert neuron_labels([2, 3, 2, 1]) == [["1", "2"], ["3", "4", "5"], ["6", "7"], ["ŷ"]]
    # several outputs are numbered on, as hidden neurons are: no output neuron is y
    assert neuron_labels([1, 2]) == [["1"], ["2", "3"]]


def test_report_does_not_import_manim():
    code = (
        "import sys\n"
        "import mlpmath, mlp_lecture.cli, mlp_lecture.report\n"
        "mlp_lecture.report.report(mlpmath.compute_trace(mlpmath.default_lesson()))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'manim'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def render(trace, width: int = 100) -> str:
    buffer = io.StringIO()
    print_trace(trace, Console(file=buffer, width=width, color_system=None))
    return buffer.getvalue()


def render_tail(out: str) -> str:
    return out[out.index("Training") :]

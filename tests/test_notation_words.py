"""The last words of issue 33's notation: the pre-activation is ``n`` everywhere, the
chain rule speaks of sample i's loss and its error (not ``Z`` and ``f``), the MSE mean
counts ``N`` samples (not ``K``, the weighted sums' matrix), and a one-neuron example
names its output by the table (``hat(y)`` only where it is a regression's output).

Each scene is built as the audit builds it (no video) and the math it put on screen
is read back, so a letter a formula writes anywhere in the scene is seen here.
"""

from __future__ import annotations

import math
import re

import pytest
import torch
from openpyxl import load_workbook

from mlpmath import compute_trace, load_lesson, parse_lesson
from mlpmath.activation_names import ACTIVATION_NAMES
from mlpmath.activations import ACTIVATIONS
from scenekit.activation_words import activation_facts
from scenekit.audit import audit_scene, formulas_in
from scenekit.context import LESSON_ENV
from scenekit.notation import activation_definition, activation_derivative, neuron_output
from scenes import scene_class

_TRACED = re.compile(r'manimgrp\("[^"]*",[^)]*\)+|"[^"]*"')  # shown values, quoted words


def _letters(formula: str, letters: str) -> list[str]:
    """Each of ``letters`` written as a variable of its own (not inside a name such as
    ``tanh``, not a traced value, not quoted text)."""
    bare = _TRACED.sub(" ", formula)
    return re.findall(rf"(?<![A-Za-z\\])[{letters}](?![A-Za-z])", bare)


def _shown(name: str, path: str, monkeypatch, tmp_path) -> tuple[list[str], list[str]]:
    """The math a scene showed on lesson ``path``, and its captions."""
    monkeypatch.setenv(LESSON_ENV, str(path))
    trace = compute_trace(load_lesson(path))
    audit, problems = audit_scene(scene_class(name), trace, str(tmp_path / "media"))
    assert problems == []
    formulas = [
        formulas_in(mobject, source).strip().strip("$").strip()  # a formula's $...$ off
        for mobject, source in audit.shown_texts()
    ]
    return formulas, audit.scene.steps


def _write(tmp_path, text: str, name: str = "lesson.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


TWO_OUTPUTS = """
title = "Two outputs"
[[neuron]]
inputs = [[1, 2]]
weight = [0.5, -0.25]
bias = 0.1
[network]
sizes = [2, 3, 2]
activation = "tanh"
output_activation = "sigmoid"
seed = 3
[data]
inputs = [[1, 2], [2, 1], [0.5, -1]]
targets = [[0, 1], [1, 0], [0.5, 0.5]]
[training]
learning_rate = 0.1
steps = 2
"""


# -- the activation's variable is the table's pre-activation n ---------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
def test_each_activation_is_written_in_n_and_its_formula_computes_it(name):
    definition = activation_definition(name)
    assert definition.split(" = ")[0].endswith("(n)")
    assert activation_derivative(name).split(" = ")[0].endswith("'(n)")
    for text in (definition, activation_derivative(name)):
        assert _letters(text, "z") == [], text
    # the right-hand side, read as Python, is the activation torch applies
    python = activation_facts(name).definition.replace("^", "**").replace("e**(", "exp(")
    for n in (-1.7, -0.2, 0.0, 0.3, 2.5):
        value = eval(python, {"exp": math.exp, "max": max, "n": n})
        torch_value = ACTIVATIONS[name].forward(torch.tensor([n], dtype=torch.float64)).item()
        assert value == pytest.approx(torch_value, rel=1e-12, abs=1e-15)
    # the sentences' math names n too
    facts = activation_facts(name)
    for sentence in (facts.effect, facts.slope):
        assert _letters(" ".join(sentence.split("$")[1::2]), "z") == []


def test_activation_and_backpropagation_write_n_and_keep_z_for_logits(monkeypatch, tmp_path):
    relu = "lessons/relu.toml"
    formulas, steps = _shown("Activation", relu, monkeypatch, tmp_path)
    assert '"ReLU"(n) = max(0, n)' in [f.strip() for f in formulas]
    assert any(f.strip() == '"ReLU"(n)' for f in formulas)  # the graph's axis
    for text in formulas + [" ".join(step.split("$")[1::2]) for step in steps]:
        assert _letters(text, "z") == [], text
    formulas, _ = _shown("Backpropagation", relu, monkeypatch, tmp_path)
    assert any('"ReLU"\'(n) = cases(' in f for f in formulas)
    assert all(_letters(f, "z") == [] for f in formulas)
    # a classifier: z only as a logit, z_k
    formulas, _ = _shown("Backpropagation", "lessons/classify.toml", monkeypatch, tmp_path)
    logits = [f for f in formulas if _letters(f, "z")]
    assert logits and all(
        re.search(r"(?<![A-Za-z])z(?!_)", _TRACED.sub(" ", f)) is None for f in logits
    )


# -- the chain rule: sample i's loss and its error; N samples ---------------------------


@pytest.mark.parametrize("outputs", [1, 2])
def test_chain_rule_names_the_loss_and_error_by_the_table(outputs, monkeypatch, tmp_path):
    path = "lessons/default.toml" if outputs == 1 else _write(tmp_path, TWO_OUTPUTS)
    formulas, steps = _shown("ChainRule", path, monkeypatch, tmp_path)
    for text in formulas + steps:
        # no Z (the logits), no f (the activation function), no K (the weighted sums)
        assert _letters(text, "ZfK") == [], text
    assert any(f.strip().startswith("L^((i)) = [y^((i)) -") for f in formulas)
    assert any(f.strip().startswith("e^((i)) = y^((i)) -") for f in formulas)
    derivation = "(partial L^((i)))/(partial e^((i))) = 2 e^((i))"
    assert any(derivation in f for f in formulas)
    count = "N" if outputs == 1 else 'N dot "outputs"'
    assert any(
        f.strip().startswith(f"L = 1/{count if outputs == 1 else f'({count})'} sum_i")
        for f in formulas
    )
    # the count's shown value: the samples, times the outputs when several
    samples = len(load_lesson(path).inputs)
    shown = [f for f in formulas if f.strip().startswith(f"{count} = ")]
    assert len(shown) == 1
    assert re.search(r'manimgrp\("v0", (\d+)\)', shown[0]).group(1) == str(samples * outputs)


@pytest.mark.parametrize("outputs", [1, 2])
def test_mse_loss_and_backpropagation_count_n_samples(outputs, monkeypatch, tmp_path):
    path = "lessons/default.toml" if outputs == 1 else _write(tmp_path, TWO_OUTPUTS)
    for scene in ("MSELoss", "Backpropagation", "GradientDescent"):
        formulas, steps = _shown(scene, path, monkeypatch, tmp_path)
        for text in formulas + [" ".join(step.split("$")[1::2]) for step in steps]:
            assert _letters(text, "K") == [], (scene, text)
        if scene == "MSELoss":
            assert any(step.startswith("Divide by $N$") for step in steps)
            assert any(f.startswith("L = S/") for f in formulas)


# -- a one-neuron example's output, by the table --------------------------------------------


def test_single_neuron_names_its_output_g_on_a_classifier_and_y_hat_on_a_regression(
    monkeypatch, tmp_path
):
    for scene in ("SingleNeuron", "NeuronBatch"):
        formulas, _ = _shown(scene, "lessons/classify.toml", monkeypatch, tmp_path)
        assert not any("hat(y)" in f for f in formulas), scene
        assert any(f.strip() == "g" for f in formulas), scene  # the diagram's or matrix's name
        formulas, _ = _shown(scene, "lessons/default.toml", monkeypatch, tmp_path)
        assert any(f.strip() == "hat(y)" for f in formulas), scene
    formulas, _ = _shown("SingleNeuron", "lessons/classify.toml", monkeypatch, tmp_path)
    assert any(f.strip().startswith('g = "ReLU"(n) = "ReLU"(') for f in formulas)


NEURON_OF = """
title = "Which neuron"
[[neuron]]
inputs = [[1, 2]]
weight = {weight}
bias = {bias}
activation = "{activation}"
[network]
sizes = {sizes}
activation = "relu"
{loss}
[[network.layer]]
weight = [[0.5, -0.25], [0.75, 0.125], [-0.5, 0.25]]
bias = [0.1, -0.2, 0.3]
{second}
[data]
inputs = [[1, 2], [2, 1], [0.5, -1]]
{targets}
[training]
learning_rate = 0.1
steps = 1
"""


@pytest.mark.parametrize(
    ("sizes", "classifier", "weight", "bias", "activation", "name"),
    [
        ([2, 3, 1], False, [0.5, -0.25], 0.1, "relu", "g"),  # a hidden neuron of a regression
        ([2, 3, 1], False, [0.3, 0.3], 0.1, "relu", "hat(y)"),  # a neuron of its own
        ([2, 3, 2], True, [0.3, 0.3], 0.1, "relu", "g"),  # on a classifier: never hat(y)
        ([2, 3], True, [0.75, 0.125], -0.2, "none", "z_(1)"),  # class 1's logit
    ],
)
def test_neuron_output_is_named_by_what_the_neuron_is(
    sizes, classifier, weight, bias, activation, name
):
    second = ""
    if len(sizes) == 3:
        rows = [[0.1 * (j + 1)] * 3 for j in range(sizes[-1])]
        second = f"[[network.layer]]\nweight = {rows}\nbias = {[0.0] * sizes[-1]}"
    targets = "classes = [0, 1, 0]" if classifier else "targets = [[1], [0], [0.5]]"
    text = NEURON_OF.format(
        weight=weight,
        bias=bias,
        activation=activation,
        sizes=sizes,
        loss='loss = "cross_entropy"' if classifier else "",
        second=second,
        targets=targets,
    )
    trace = compute_trace(parse_lesson(text, name="which"))
    assert neuron_output(trace, 0) == name


# -- the other outputs: the trace report and the workbook -------------------------------------


def test_the_report_and_the_workbook_write_n_g_and_f(tmp_path):
    from rich.console import Console

    from mlp_lecture.report import print_trace
    from mlp_lecture.spreadsheet import write_workbook

    lesson = load_lesson("lessons/relu.toml")
    console = Console(record=True, width=200)
    print_trace(compute_trace(lesson), console)
    text = console.export_text()
    assert "n = k + b" in text and "relu(n)" in text and "G^[1] = relu(N^[1])" in text
    assert "z = " not in text and "(z)" not in text
    path = tmp_path / "relu.xlsx"
    write_workbook(lesson, path)
    book = load_workbook(path)
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and not cell.value.startswith("=")
    ]
    assert "ReLU(n)" in cells and "n = k + b" in cells
    assert any(c.startswith("G^[1] = f(N^[1])") for c in cells)
    for cell in cells:
        # the activation is G and f (the table's), never A and g(N); no z outside logits
        assert not re.search(r"\bA\^\[|\bg\(N|\bg'\(N|\(z\)|\bz = |/K\b", cell), cell


def test_the_page_names_a_neuron_s_output_as_the_scenes_do(tmp_path):
    """The explorable page's one-neuron sections, read back from Chromium's typeset TeX:
    ``g`` on the classifier (where ŷ is the predicted class), ``ŷ`` on a regression
    whose neuron is its own; the pre-activation ``n``, never ``z``."""
    from conftest import chromium

    from mlp_lecture.explorable import write_explore

    driver = chromium()
    try:
        for lesson, output in (("classify", "g"), ("relu", "\\hat y")):
            index = write_explore(load_lesson(f"lessons/{lesson}.toml"), tmp_path / lesson)
            driver.get(index.as_uri())
            sources = driver.execute_script(
                "return [...document.querySelectorAll('section')]"
                ".filter(s => s.querySelector('h2').textContent.startsWith('One neuron'))"
                ".flatMap(s => [...s.querySelectorAll('annotation')].map(e => e.textContent))"
            )
            assert sources, lesson
            outputs = [s for s in sources if "(n" in s and "\\mathrm{ReLU}" in s]
            named = re.compile(re.escape(output) + r"(\^\{\(\d+\)\})? = \\mathrm\{ReLU\}\(n")
            assert outputs and all(named.search(s) for s in outputs), outputs
            assert not any(re.search(r"(?<![A-Za-z\\])z(?![A-Za-z_])", s) for s in sources)
            if output == "g":
                assert not any("\\hat" in s for s in sources)
    finally:
        driver.quit()

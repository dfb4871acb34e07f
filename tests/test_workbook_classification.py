"""A classification lesson's workbook, recalculated by LibreOffice Calc (headless).

Softmax, cross-entropy, the predicted classes, accuracy and ``∂L/∂z`` are live
formulas; LibreOffice's numbers must be torch's trace (1e-9), also after a
student edits a weight, an input and a class. One soffice call for every file.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from conftest import LESSONS as LESSON_DIR
from random_lessons import random_classification_text
from workbook_check import (
    Recalculated,
    assert_recalculates_to_the_trace,
    cell_named,
    check_against,
    close,
    formula_cells,
    input_constants,
    note,
    recalculate,
)

from mlp_lecture.cli import main
from mlp_lecture.spreadsheet import SHEETS, write_workbook
from mlp_lecture.spreadsheet.cross_entropy import ACCURACY_COUNT
from mlpmath import compute_trace, parse_lesson, resolve

HAND_MINUS_TORCH = "hand - torch: how far the hand chain rule is from autograd"
# The formula cells the trace keeps no value for: each says what it is instead.
UNTRACED = {
    HAND_MINUS_TORCH,
    "after the step (the trace keeps only its prediction)",
    "L_new - L: negative when the step lowered the loss",
    "m after the step",
    "Σ e^(z - m) after the step",
    "z_y - m after the step",
    "p_y after the step",
    "-ln p_y after the step",
    "the predicted class after the step",
    "right after the step: 1, else 0",
    ACCURACY_COUNT,
}
# Whole numbers, shown so: classes, one-hot, counts (by trace path or note).
COUNTS = re.compile(
    r"network\.(classes|predicted_classes|correct|one_hot)\[.*|network\.(correct_count|loss_count)"
    r"|the predicted class after the step|right after the step: 1, else 0"
)

CLASSIFY = (LESSON_DIR / "classify.toml").read_text()
# z ties: sample 2's three logits are equal, sample 3's classes 1 and 2 tie for the
# largest; torch and the sheet both pick the lowest class. Sample 1: class 0 (0.25 > 0).
TIES = """
title = "Ties"
[network]
sizes = [2, 3]
loss = "cross_entropy"
[[network.layer]]
weight = [[0, 0], [1, 0], [1, 0]]
bias = [0.25, 0, 0]
[data]
inputs = [[0, 5], [0.25, 1], [1, 0]]
classes = [0, 1, 2]
[training]
learning_rate = 0.5
steps = 1
"""
TIES_PREDICTED = [0, 0, 1]  # by hand, from the comment above
# logits near 800: e^z overflows, e^(z - m) does not
LARGE = """
title = "Large logits"
[display]
decimals = 3
[network]
sizes = [1, 3]
loss = "cross_entropy"
[[network.layer]]
weight = [[1], [0.5], [0]]
bias = [800, 799.5, 790]
[data]
inputs = [[0.5], [-2]]
classes = [0, 2]
[training]
learning_rate = 0.1
steps = 2
"""


# a student's edits to the classify workbook: a weight (Layers), an input (Layers), a class (Loss)
EDITS = [
    ("Layers", "network.layers[1].weight[0][2]", -0.4981, 0.5),
    ("Layers", "network.layers[0].input[3][0]", 4, 3),
    ("Loss", "network.classes[3]", 1, 2),
]
EDITED = (
    CLASSIFY.replace("-0.4981", "0.5")
    .replace("[2, 1], [1, 2], [4, 1]", "[2, 1], [1, 2], [3, 1]")
    .replace("classes = [0, 0, 0, 1,", "classes = [0, 0, 0, 2,")
)
LESSONS = {
    "classify": CLASSIFY,
    **{f"random{c}": random_classification_text(40 + c, c) for c in range(2, 6)},
    "ties": TIES,
    "large": LARGE,
    # a step far too large: some p_y after it is below the smallest float (e^-745)
    "steep": CLASSIFY.replace("learning_rate = 0.3", "learning_rate = 10000"),
    "edited": EDITED,  # the expected values of the student's file
}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Recalculated]:
    root = tmp_path_factory.mktemp("classification")
    written, out = root / "written", root / "out"
    books: dict[str, Recalculated] = {}
    for name, text in LESSONS.items():
        lesson = parse_lesson(text, name=name)
        path = write_workbook(lesson, written / f"{name}.xlsx")
        books[name] = Recalculated(compute_trace(lesson), path, out / path.name)
    student = openpyxl.load_workbook(books["classify"].written)
    for sheet, path, before, after in EDITS:
        cell = cell_named(student[sheet], path)
        assert cell.value == before
        cell.value = after
    student.save(written / "student.xlsx")
    files = [book.written for name, book in books.items() if name != "edited"]
    recalculate([*files, written / "student.xlsx"], out, root / "profile")
    return books


def test_the_edited_lesson_is_what_the_edits_say():
    """EDITED changes exactly the three numbers the student changes in the file."""
    before, after = (compute_trace(parse_lesson(t, name="x")) for t in (CLASSIFY, EDITED))
    for _, path, old, new in EDITS:
        assert resolve(before, path) == old and resolve(after, path) == new


@pytest.mark.parametrize("name", [n for n in LESSONS if n != "edited"])
def test_every_formula_cell_recalculates_to_the_trace(books, name):
    book = books[name]
    assert book.trace.network.is_classification
    checked = assert_recalculates_to_the_trace(book, UNTRACED)
    values = openpyxl.load_workbook(book.recalculated, data_only=True)
    formulas = openpyxl.load_workbook(book.written)
    network = book.trace.network
    # the classification values by name: probabilities, per-sample loss, classes, accuracy
    wanted = {
        "network.loss": network.loss,
        "network.accuracy": network.accuracy,
        "network.correct_count": network.correct_count,
    }
    for s in range(network.samples):
        wanted[f"network.cross_entropy[{s}]"] = network.cross_entropy[s]
        wanted[f"network.predicted_classes[{s}]"] = network.predicted_classes[s]
        wanted[f"network.correct[{s}]"] = int(network.correct[s])
        for c in range(network.sizes[-1]):
            wanted[f"network.softmax.probabilities[{s}][{c}]"] = network.softmax.probabilities[s][c]
            wanted[f"network.prediction_gradient[{s}][{c}]"] = network.prediction_gradient[s][c]
    for path, value in wanted.items():
        cell = cell_named(formulas["Loss"], path)
        assert cell.data_type == "f", path
        got = values["Loss"][cell.coordinate].value
        assert close(got, value), f"{path}: LibreOffice {got}, trace {value}"
    # the new loss and accuracy after the step, from the step's live formulas
    step = formulas["Step"]
    for path in ("network.training.losses[1]", "network.training.accuracies[1]"):
        cell = cell_named(step, path)
        assert close(values["Step"][cell.coordinate].value, resolve(book.trace, path)), path
    assert checked > 20 * network.samples


def test_ties_go_to_the_lowest_class_as_torch(books):
    book = books["ties"]
    assert list(book.trace.network.predicted_classes) == TIES_PREDICTED
    formulas = openpyxl.load_workbook(book.written)["Loss"]
    values = openpyxl.load_workbook(book.recalculated, data_only=True)["Loss"]
    shown = [
        values[cell_named(formulas, f"network.predicted_classes[{s}]").coordinate].value
        for s in range(3)
    ]
    assert shown == TIES_PREDICTED
    accuracy = values[cell_named(formulas, "network.accuracy").coordinate].value
    assert close(accuracy, 1 / 3)  # only sample 1 (class 0) is right


def test_the_steps_are_live_formulas(books):
    """Each step of the board is its spreadsheet function, not a number typed in."""
    book = openpyxl.load_workbook(books["random4"].written)["Loss"]
    functions = {
        r"network\.softmax\.row_max\[\d+\]": "MAX(",
        r"network\.softmax\.shifted\[\d+\]\[\d+\]": "-",
        r"network\.softmax\.exp\[\d+\]\[\d+\]": "EXP(",
        r"network\.softmax\.exp_sum\[\d+\]": "SUM(",
        r"network\.softmax\.probabilities\[\d+\]\[\d+\]": "/",
        r"network\.true_class_probability\[\d+\]": "INDEX(",
        r"network\.cross_entropy\[\d+\]": "-LN(",
        r"network\.predicted_classes\[\d+\]": "MATCH(",
        r"network\.correct\[\d+\]": "IF(",
        r"network\.accuracy": "AVERAGE(",
        r"network\.loss": "AVERAGE(",
        r"network\.one_hot\[\d+\]\[\d+\]": "IF(",
        r"network\.prediction_gradient\[\d+\]\[\d+\]": "/",
    }
    found = dict.fromkeys(functions, 0)
    for row in book.iter_rows():
        for cell in row:
            for pattern, function in functions.items():
                if note(cell) and re.fullmatch(pattern, note(cell)):
                    assert cell.data_type == "f" and function in cell.value, (
                        note(cell),
                        cell.value,
                    )
                    found[pattern] += 1
    assert all(found.values()), found


def test_editing_a_weight_an_input_and_a_class_recomputes_everything(books):
    """LibreOffice's numbers for the student's edited file are torch's trace of the edited
    lesson, cell for cell (torch's copied .grad and training run aside)."""
    edited, original = books["edited"], books["classify"]
    recalculated = original.recalculated.parent / "student.xlsx"
    cells = list(formula_cells(original.written))
    problems, checked, by_path = check_against(
        cells, recalculated, edited.written, edited.trace, skip={HAND_MINUS_TORCH}
    )
    assert problems == [] and checked == len(cells) - sum(n == HAND_MINUS_TORCH for *_, n in cells)
    assert by_path > checked / 2
    loss = cell_named(openpyxl.load_workbook(original.written)["Loss"], "network.loss").coordinate
    before = openpyxl.load_workbook(original.recalculated, data_only=True)["Loss"][loss].value
    after = openpyxl.load_workbook(recalculated, data_only=True)["Loss"][loss].value
    assert not close(after, before) and close(after, edited.trace.network.loss)


def test_only_the_lessons_inputs_are_constants(books):
    inputs = ("weight", "bias", "input", "inputs", "classes", "learning_rate")
    copied = ("network.gradients", "network.training.losses", "network.training.accuracies")
    constants = 0
    for title, cell, path in input_constants(books["classify"].written, copied):
        constants += 1
        assert path.split(".")[-1].split("[")[0] in inputs, f"{title}: {path}"
        assert cell.fill.fgColor.rgb.endswith("FFF2CC"), f"{path}: not marked as input"
    assert constants > 9 + 18 + 27  # classes, inputs, parameters at least


@pytest.mark.parametrize("name", ["classify", "random3"])
def test_numbers_show_the_lessons_decimals_and_classes_are_whole(books, name):
    book = books[name]
    shown = "0." + "0" * book.trace.decimals
    counted = 0
    for sheet in openpyxl.load_workbook(book.written):
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not (isinstance(value, str) and value.startswith("=")) and not isinstance(
                    value, int | float
                ):
                    continue
                where = f"{sheet.title}!{cell.coordinate} {note(cell)}"
                if COUNTS.fullmatch(note(cell) or "") or (
                    sheet.title == "Training" and cell.column == 1
                ):
                    counted += 1
                    assert cell.number_format == "0", where
                elif note(cell) == HAND_MINUS_TORCH:
                    assert cell.number_format == "0.00E+00", where
                else:
                    assert cell.number_format == shown, where
    network = book.trace.network
    assert counted >= network.samples * (4 + network.sizes[-1])


def test_the_loss_sheet_is_labelled_as_the_lecture_writes_it(books):
    book = books["random5"]
    sheet = openpyxl.load_workbook(book.written)["Loss"]
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for label in (
        "z (the logits)",
        "m = MAX(z)",
        "z - m",
        "e^(z - m)",
        "p = e^(z - m) / Σ",
        "y",
        "-ln p_y",
        "predicted",
        "Y: one-hot of y",
        "∂L/∂z = (p - Y) / N",
        "mean L",
        "accuracy",
        *(f"class {c}" for c in range(5)),
    ):
        assert label in texts, label
    assert openpyxl.load_workbook(book.written).sheetnames == list(SHEETS)
    gradients = openpyxl.load_workbook(book.written)["Gradients"]
    titles = {c.value for row in gradients.iter_rows() for c in row if isinstance(c.value, str)}
    assert "∂L/∂z = (p - Y) / N" in titles and "y - ŷ" not in titles


def test_cli_writes_a_classification_workbook(tmp_path, capsys):
    out = tmp_path / "classify.xlsx"
    assert main(["workbook", str(LESSON_DIR / "classify.toml"), "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)
    capsys.readouterr()


def test_a_step_too_large_keeps_the_new_loss_finite(books):
    """After a huge step some p_y is 0 in floats; the Step sheet's -ln p_y = ln Σ - (z_y - m)
    still gives torch's (log-softmax) loss, where -LN(p_y) would fail."""
    book = books["steep"]
    step = openpyxl.load_workbook(book.written)["Step"]
    values = openpyxl.load_workbook(book.recalculated, data_only=True)["Step"]
    shown = [
        values[cell.coordinate].value
        for row in step.iter_rows()
        for cell in row
        if note(cell) == "p_y after the step"
    ]
    assert len(shown) == book.trace.network.samples and 0 in shown
    new = cell_named(step, "network.training.losses[1]").coordinate
    assert close(values[new].value, book.trace.network.training.losses[1])
    assert book.trace.network.training.losses[1] > 1e6

"""The workbook, recalculated by a real spreadsheet program (LibreOffice Calc, headless).

LibreOffice keeps the cached values of an xlsx file by default; the helpers
(tests/workbook_check.py) make it recalculate on load, and one test proves it with
a cached value written wrong on purpose. All files go through one soffice call, so
the module pays LibreOffice's start once.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from random_lessons import random_lesson_text
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
from mlpmath import compute_trace, default_lesson_text, parse_lesson, resolve

EDITED_PATH = "network.layers[0].weight[0][1]"  # w23 in the deck: -0.5874
EDITED_FROM, EDITED_TO = "-0.5874", "0.25"
WRONG_LOSS = 12345.0
HAND_MINUS_TORCH = "hand - torch: how far the hand chain rule is from autograd"
# The formula cells the trace keeps no value for: each says what it is instead.
UNTRACED = {
    HAND_MINUS_TORCH,
    "after the step (the trace keeps only its prediction)",
    "y - ŷ after the step",
    "(y - ŷ)² after the step",
    "L_new - L: negative when the step lowered the loss",
}


# A ReLU whose input is exactly 0 (2 * 1 + 2 * -1 + 0): ReLU'(0) = 0, as torch has it.
RELU_AT_ZERO = """
title = "ReLU at zero"
[network]
sizes = [2, 2, 1]
activation = "relu"
[[network.layer]]
weight = [[1, -1], [0.5, 0.25]]
bias = [0, 0.1]
[[network.layer]]
weight = [[0.75, -0.5]]
bias = [0.2]
[data]
inputs = [[2, 2], [1, 3]]
targets = [[1], [2]]
[training]
learning_rate = 0.1
steps = 0
"""

LESSONS = {
    "default": default_lesson_text(),
    "random1": random_lesson_text(1, "relu", "sigmoid"),
    "random2": random_lesson_text(2, "sigmoid", "tanh"),
    "random3": random_lesson_text(3, "tanh", "none"),
    "relu_zero": RELU_AT_ZERO,
    "diverging": default_lesson_text().replace("learning_rate = 0.001", "learning_rate = 0.003"),
    "edited": default_lesson_text().replace(EDITED_FROM, EDITED_TO),  # the expected values
}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Recalculated]:
    root = tmp_path_factory.mktemp("workbooks")
    written = root / "written"
    books: dict[str, Recalculated] = {}
    for name, text in LESSONS.items():
        trace = compute_trace(parse_lesson(text, name=name))
        path = write_workbook(parse_lesson(text, name=name), written / f"{name}.xlsx")
        books[name] = Recalculated(trace, path, root / "out" / path.name)
    # a student's edit: one weight of the default workbook changed in place
    edited = openpyxl.load_workbook(books["default"].written)
    cell = cell_named(edited["Layers"], EDITED_PATH)
    assert cell.value == float(EDITED_FROM)
    cell.value = float(EDITED_TO)
    edited.save(written / "student.xlsx")
    # a cached value written wrong on purpose: only a real recalculation fixes it
    _rewrite_cached_loss(books["default"], written / "tampered.xlsx")
    files = [book.written for book in books.values() if book.written.stem != "edited"]
    files += [written / "student.xlsx", written / "tampered.xlsx"]
    recalculate(files, root / "out", root / "profile")
    return books


def _rewrite_cached_loss(book: Recalculated, target: Path) -> None:
    """A copy of ``book`` whose Loss sheet caches WRONG_LOSS as the mean."""
    loss = cell_named(openpyxl.load_workbook(book.written)["Loss"], "network.loss")
    sheet_xml = f"xl/worksheets/sheet{SHEETS.index('Loss') + 1}.xml"
    with zipfile.ZipFile(book.written) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet_xml:
                text = data.decode()
                start = text.index(f'<c r="{loss.coordinate}"')
                value = text.index("<v>", start)
                end = text.index("</v>", value)
                data = (text[: value + 3] + repr(WRONG_LOSS) + text[end:]).encode()
            copy.writestr(item, data)


@pytest.mark.parametrize(
    "name", ["default", "random1", "random2", "random3", "relu_zero", "diverging"]
)
def test_every_formula_cell_recalculates_to_the_trace(books, name):
    assert_recalculates_to_the_trace(books[name], UNTRACED)


def test_libreoffice_really_recalculates(books):
    root = books["default"].written.parent
    tampered = cell_named(openpyxl.load_workbook(root / "tampered.xlsx")["Loss"], "network.loss")
    cached = openpyxl.load_workbook(root / "tampered.xlsx", data_only=True)["Loss"]
    assert cached[tampered.coordinate].value == WRONG_LOSS  # the lie is in the file
    out = books["default"].recalculated.parent / "tampered.xlsx"
    recalculated = openpyxl.load_workbook(out, data_only=True)["Loss"]
    assert close(recalculated[tampered.coordinate].value, books["default"].trace.network.loss)


def test_changing_a_weight_recomputes_everything_downstream(books):
    """A student edits w23 in the file; LibreOffice's numbers are the trace of that lesson."""
    edited = books["edited"]  # the lesson with the weight changed, written fresh
    student = books["default"].written.parent / "student.xlsx"
    recalculated = books["default"].recalculated.parent / "student.xlsx"
    cells = list(formula_cells(books["default"].written))
    # torch's .grad beside each gradient is a copied value, so hand - torch now differs
    problems, checked, _ = check_against(
        cells,
        recalculated,
        edited.written,
        edited.trace,
        skip={HAND_MINUS_TORCH},
    )
    assert problems == [] and checked > 200
    before = openpyxl.load_workbook(books["default"].recalculated, data_only=True)
    after = openpyxl.load_workbook(recalculated, data_only=True)
    loss = cell_named(openpyxl.load_workbook(student)["Loss"], "network.loss").coordinate
    assert after["Loss"][loss].value != before["Loss"][loss].value
    assert close(after["Loss"][loss].value, edited.trace.network.loss)


def test_only_the_lessons_inputs_are_constants(books):
    inputs = ("weight", "bias", "inputs", "input", "target", "learning_rate")
    copied = ("network.gradients", "network.training.losses")
    for title, cell, path in input_constants(books["random1"].written, copied):
        assert path.split(".")[-1].split("[")[0] in inputs, f"{title}: {path}"
        assert cell.fill.fgColor.rgb.endswith("FFF2CC"), f"{path}: not marked as input"


def test_sheets_in_lecture_order_with_the_lessons_decimals(books):
    for name in ("default", "random2"):
        book = openpyxl.load_workbook(books[name].written)
        assert book.sheetnames == list(SHEETS)
        loss = cell_named(book["Loss"], "network.loss")
        assert loss.number_format == "0." + "0" * books[name].trace.decimals
    neuron = openpyxl.load_workbook(books["default"].written, data_only=True)["Neuron"]
    assert (
        round(
            neuron[
                cell_named(
                    openpyxl.load_workbook(books["default"].written)["Neuron"],
                    "neurons[0].preactivation[0]",
                ).coordinate
            ].value,
            5,
        )
        == 0.2656
    )  # the deck's hand check, 0.26560


def test_a_diverging_lesson_shows_what_torch_printed(books):
    book = books["diverging"]
    training = openpyxl.load_workbook(book.written, data_only=True)["Training"]
    shown = [row[1] for row in training.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(shown) == len(book.trace.network.training.losses)
    assert {"inf", "nan"} & {value for value in shown if isinstance(value, str)}


def test_cli_writes_the_workbook(tmp_path, monkeypatch, capsys):
    out = tmp_path / "tmp.xlsx"
    assert main(["workbook", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)
    monkeypatch.chdir(tmp_path)
    assert main(["workbook"]) == 0
    assert (tmp_path / "renders" / "default" / "workbook.xlsx").exists()
    capsys.readouterr()


def test_cli_bad_lesson_is_one_line_and_exit_2(tmp_path, capsys):
    lesson = tmp_path / "bad.toml"
    lesson.write_text(default_lesson_text().replace("sizes = [2, 3, 2, 1]", "sizes = [2]"))
    assert main(["workbook", str(lesson), "--out", str(tmp_path / "x.xlsx")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "network.sizes" in error
    assert not (tmp_path / "x.xlsx").exists()


# -- the workbook's face: number formats and labels ---------------------------------

COUNTS = {"network.loss_count"}  # the mean's count (N samples, times the outputs): shown whole


@pytest.mark.parametrize("name", ["default", "random1", "random3"])
def test_every_number_shows_the_lessons_decimals_and_keeps_its_value(books, name):
    book = books[name]
    shown = f"{0:.{book.trace.decimals}f}"  # 0.0000 at 4 decimals, 0.000 at 3
    numbers = inputs = 0
    for sheet in openpyxl.load_workbook(book.written):
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                is_formula = isinstance(value, str) and value.startswith("=")
                if not is_formula and not isinstance(value, int | float):
                    continue
                numbers += 1
                where = f"{sheet.title}!{cell.coordinate} {note(cell)}"
                if note(cell) in COUNTS or (sheet.title == "Training" and cell.column == 1):
                    assert cell.number_format == "0", where  # a count: K, a step's number
                elif note(cell) == HAND_MINUS_TORCH:
                    assert cell.number_format == "0.00E+00", where  # how small, not its digits
                else:
                    assert cell.number_format == shown, where
                if not is_formula and sheet.title != "Training":  # an input: the full value
                    inputs += 1
                    assert value == resolve(book.trace, note(cell)), where
    assert numbers > 50 and inputs > 10


def _cells_by_path(sheet, pattern: str) -> dict[str, object]:
    """The cells whose trace path matches ``pattern`` (a regular expression)."""
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if note(cell) and re.fullmatch(pattern, note(cell)):
                found[note(cell)] = cell
    return found


@pytest.mark.parametrize("name", ["default", "random1", "random3"])
def test_each_bias_row_is_a_row_of_its_own_under_its_neurons(books, name):
    book = openpyxl.load_workbook(books[name].written)
    layers = books[name].trace.network.layers
    sheets = {"Layers": "network.layers[{i}]"}
    if books[name].trace.network.training.steps:
        sheets["Step"] = "network.training.steps[0].updated[{i}]"
    for title, base in sheets.items():
        sheet = book[title]
        for i, layer in enumerate(layers):
            prefix = re.escape(base.format(i=i))
            biases = _cells_by_path(sheet, prefix + r"\.bias\[\d+\]")
            weights = _cells_by_path(sheet, prefix + r"\.weight\[\d+\]\[\d+\]")
            assert len(biases) == len(layer.bias) and len(weights) == len(layer.bias) * len(
                layer.weight[0]
            )
            (bias_row,) = {cell.row for cell in biases.values()}
            # the bias of neuron j sits in Wᵀ's column j (neuron j's weights)
            for path, cell in biases.items():
                j = path.rpartition("[")[2].rstrip("]")
                column = {c.column for p, c in weights.items() if p.split("[")[-2] == f"{j}]"}
                assert column == {cell.column}, f"{title}: {path}"
            # nothing else on its row but its label; below every weight and sample row
            others = [
                cell.value
                for cell in sheet[bias_row]
                if cell.value is not None and cell not in biases.values()
            ]
            assert others == ["bias b"], f"{title} layer {i + 1}: {others}"
            samples = [
                cell.row
                for row in sheet.iter_rows()
                for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("sample ")
            ]
            assert bias_row > max(cell.row for cell in weights.values()), title
            assert all(row != bias_row for row in samples)


@pytest.mark.parametrize("name", ["default", "random3"])
def test_the_squared_errors_are_labelled_alike_on_every_sheet(books, name):
    """Loss and Step label a squared error's row the same way: its sample, and with several
    outputs the output (``2, ŷ1``)."""
    book = openpyxl.load_workbook(books[name].written)
    network = books[name].trace.network
    labels = {}
    for title in ("Loss", "Step"):
        sheet = book[title]
        found = _cells_by_path(sheet, r"network\.target\[\d+\]\[\d+\]")
        labels[title] = {path: sheet.cell(cell.row, 1).value for path, cell in found.items()}
    assert labels["Loss"] == labels["Step"]
    assert len(labels["Loss"]) == network.samples * network.sizes[-1]
    assert len(set(labels["Loss"].values())) == len(labels["Loss"])  # one row, one label
    for path, label in labels["Loss"].items():
        s, o = (int(n) for n in re.findall(r"\d+", path))
        sample, _, output = label.partition(", ")
        assert sample == str(s + 1)
        assert output == ("" if network.sizes[-1] == 1 else f"ŷ{o + 1}")

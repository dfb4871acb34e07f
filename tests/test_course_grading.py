"""Worksheets and grading (issue 36, the data half).

Answers are computed here with torch, apart from mlpmath (plain tensor ops,
``F.mse_loss``/``F.cross_entropy`` and autograd), and typed into the student's
worksheet as a student would, rounded to the shown decimals: the student's own
answers score full marks, another student's score low, a blank sheet 0, a
missing student is listed, and each bad file gets its one line while the
others are still marked. One worksheet goes through LibreOffice (opened,
saved) and is marked from LibreOffice's file.
"""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import torch
import torch.nn.functional as F
from course_files import LESSONS, make_course
from workbook_check import recalculate

from mlp_lecture.course.course_file import CourseError, load_course
from mlp_lecture.course.grading import check_answer, grade, write_grades
from mlp_lecture.course.questions import answer_cells, layout
from mlp_lecture.course.variants import student_lesson, student_trace
from mlp_lecture.course.worksheet import STUDENT_PROPERTY, write_key, write_worksheet
from mlpmath import Lesson, resolve

ROSTER = "id\n" + "".join(
    f"{name}\n" for name in ("alice bob carol dave erin frank gina hank ivan judy kim".split())
)
_ACT = {
    "none": lambda z: z,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}
_SLOPE = {
    "none": lambda z, g: torch.ones_like(z),
    "relu": lambda z, g: (z > 0).double(),
    "sigmoid": lambda z, g: g * (1 - g),
    "tanh": lambda z, g: 1 - g**2,
}


def _put(values: dict[str, float], path: str, tensor: torch.Tensor) -> None:
    """Every entry of ``tensor`` under ``path[i][j]``."""
    data = tensor.detach().tolist()
    if not isinstance(data, list):
        values[path] = data
        return
    for i, item in enumerate(data):
        if isinstance(item, list):
            for j, value in enumerate(item):
                values[f"{path}[{i}][{j}]"] = value
        else:
            values[f"{path}[{i}]"] = item


def independent_answers(lesson: Lesson) -> dict[str, float]:
    """Every answer of ``lesson``'s worksheet by its trace path, computed with torch here."""
    values: dict[str, float] = {}
    d = torch.float64
    for n, neuron in enumerate(lesson.neurons):
        x, w = torch.tensor(neuron.inputs, dtype=d), torch.tensor(neuron.weight, dtype=d)
        products = x * w
        z = products.sum(dim=1) + neuron.bias
        for name, tensor in (
            ("products", products),
            ("weighted_sum", products.sum(dim=1)),
            ("preactivation", z),
            ("output", _ACT[neuron.activation](z)),
        ):
            _put(values, f"neurons[{n}].{name}", tensor)
    network = lesson.network
    params = [
        (
            torch.tensor(layer.weight, dtype=d, requires_grad=True),
            torch.tensor(layer.bias, dtype=d, requires_grad=True),
        )
        for layer in network.layers
    ]
    a = torch.tensor(lesson.inputs, dtype=d)
    zs, gs = [], []
    for i, ((weight, bias), name) in enumerate(zip(params, network.activations, strict=True)):
        k = a @ weight.T
        z = k + bias
        z.retain_grad()
        g = _ACT[name](z)
        if g is not z:
            g.retain_grad()
        zs.append(z)
        gs.append(g)
        _put(values, f"network.layers[{i}].product", k)
        _put(values, f"network.layers[{i}].preactivation", z)
        _put(values, f"network.layers[{i}].output", g)
        a = g
    prediction = a
    if network.loss == "mse":
        y = torch.tensor(lesson.targets, dtype=d)
        loss = F.mse_loss(prediction, y)
        _put(values, "network.errors", y - prediction)
        _put(values, "network.squared_errors", (y - prediction) ** 2)
    else:
        classes = torch.tensor(lesson.classes)
        loss = F.cross_entropy(prediction, classes)
        p = torch.softmax(prediction, dim=1)
        predicted = p.argmax(dim=1)
        _put(values, "network.softmax.probabilities", p)
        _put(values, "network.cross_entropy", -torch.log(p[range(len(classes)), classes]))
        _put(values, "network.predicted_classes", predicted)
        _put(values, "network.correct", (predicted == classes).double())
        values["network.accuracy"] = (predicted == classes).double().mean().item()
    values["network.loss"] = loss.item()
    loss.backward()
    _put(values, "network.prediction_gradient", prediction.grad)
    for i, ((weight, bias), name) in enumerate(zip(params, network.activations, strict=True)):
        rule = f"network.chain_rule[{i}]"
        upstream = gs[i].grad if gs[i] is not zs[i] else zs[i].grad
        _put(values, f"{rule}.upstream", upstream)
        _put(values, f"{rule}.activation_derivative", _SLOPE[name](zs[i], gs[i]))
        _put(values, f"{rule}.delta", zs[i].grad)
        _put(values, f"{rule}.weight", weight.grad)
        _put(values, f"{rule}.bias", bias.grad)
        step = f"network.training.steps[0].updated[{i}]"
        _put(values, f"{step}.weight", weight - lesson.learning_rate * weight.grad)
        _put(values, f"{step}.bias", bias - lesson.learning_rate * bias.grad)
    return values


def fill(path: Path, answers: dict[str, object]) -> None:
    """Type ``answers`` (cell -> value) into the worksheet at ``path``, as a student would."""
    book = openpyxl.load_workbook(path)
    sheet = book["Worksheet"]
    for cell, value in answers.items():
        sheet[cell] = value
    book.save(path)


def own_answers(lesson: Lesson) -> dict[str, object]:
    """The student's right answers by cell, rounded to the shown decimals as typed."""
    values = independent_answers(lesson)
    trace = student_trace(lesson)
    return {q.cell: round(float(values[q.path]), q.decimals) for q in answer_cells(trace)}


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> tuple[Path, Path]:
    """A course of eleven and its returned folder, each student's file as the test says."""
    root = tmp_path_factory.mktemp("course")
    course_path = make_course(root, roster=ROSTER)
    course = load_course(course_path)
    out = root / "returned"
    out.mkdir()
    lessons = {s: student_lesson(course, s)[0] for s in course.ids}

    def worksheet(student: str, name: str | None = None) -> Path:
        path = out / f"{name or student}.xlsx"
        write_worksheet(student_trace(lessons[student]), path, student)
        return path

    fill(worksheet("alice"), own_answers(lessons["alice"]))
    fill(worksheet("bob"), own_answers(lessons["alice"]))  # alice's answers, bob's sheet
    worksheet("carol")  # returned blank
    # dave returns nothing
    (out / "erin.xlsx").write_bytes(os.urandom(5000))
    (out / "frank.xlsx").write_text("my answers: 0.5, 0.25, 1\n")
    with zipfile.ZipFile(out / "gina.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/workbook.xml", b"\0" * (80 * 1024 * 1024))
    worksheet("bob", name="hank")  # bob's file, handed in as hank's
    ivan = own_answers(lessons["ivan"])
    first = next(iter(ivan))
    fill(worksheet("ivan"), {**ivan, first: "=B8*B9"})
    with open(out / "judy.xlsx", "wb") as large:
        large.truncate(20 * 1024 * 1024)
    (out / "kim.xlsx").symlink_to(out / "alice.xlsx")
    worksheet("alice", name="zed")  # no one on the roster
    return course_path, out


def test_each_student_gets_their_row_and_each_bad_file_its_line(returned, tmp_path):
    course_path, folder = returned
    report = grade(load_course(course_path), folder)
    by_id = {s.id: s for s in report.students}
    assert tuple(by_id) == load_course(course_path).ids  # every roster student, in order
    assert by_id["alice"].score == 1.0 and by_id["alice"].note == ""
    assert by_id["bob"].score < 0.2 and by_id["bob"].note == ""  # marked, and low
    assert by_id["carol"].score == 0 and by_id["carol"].note == ""
    assert len(by_id["carol"].wrong) == len(report.questions)
    expected_notes = {
        "dave": "missing",
        "erin": "not a workbook",
        "frank": "not a workbook",
        "gina": "a zip bomb?",
        "hank": "carries another student's id (bob)",
        "ivan": "formulas where answers belong (1:",
        "judy": "more than the 8,388,608 allowed",
        "kim": "symbolic link",
    }
    for student, words in expected_notes.items():
        grade_of = by_id[student]
        assert words in grade_of.note, (student, grade_of.note)
        assert grade_of.score == 0 and "\n" not in grade_of.note
    problems = report.problems
    assert len(problems) == len(expected_notes) - 1 + 1  # no line for dave; one for zed
    assert any("zed.xlsx: not <id>.xlsx of a student of the roster" in line for line in problems)

    out = tmp_path / "grades.csv"
    assert write_grades(report, out) == out
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == list(by_id)
    assert rows[0]["score"] == "1" and rows[3]["note"] == "missing"
    assert set(rows[0]) == {"id", "score", "note", *(q.key for q in report.questions)}
    assert all(rows[0][q.key] == "1" for q in report.questions)
    # bob's feedback names his wrong cells and what each is computed from
    feedback = (tmp_path / "feedback" / "bob.txt").read_text()
    wrong = by_id["bob"].wrong[0].question
    assert f"{wrong.cell} (" in feedback and ", ".join(wrong.depends_on) in feedback
    assert "No worksheet was returned" in (tmp_path / "feedback" / "dave.txt").read_text()
    # run again: our own files are replaced; a file of the user's is not
    write_grades(report, out)
    mine = tmp_path / "mine.csv"
    mine.write_text("my notes\n")
    with pytest.raises(CourseError, match="not written by mlp-lecture grade"):
        write_grades(report, mine)
    assert mine.read_text() == "my notes\n"


def test_the_grade_command_prints_one_line_per_bad_file(returned, tmp_path, capsys):
    from mlp_lecture.cli import main

    course_path, folder = returned
    status = main(["grade", str(course_path), str(folder), "--out", str(tmp_path / "g.csv")])
    captured = capsys.readouterr()
    assert status == 0
    lines = captured.err.strip().splitlines()
    assert len(lines) == 8 and not any("Traceback" in line for line in lines)
    assert any("ivan.xlsx: formulas where answers belong" in line for line in lines)


def test_the_worksheet_is_protected_labelled_and_holds_the_students_id(tmp_path):
    course = load_course(make_course(tmp_path, base="classify", roster="id\nalice\n"))
    lesson = student_lesson(course, "alice")[0]
    trace = student_trace(lesson)
    path = write_worksheet(trace, tmp_path / "alice.xlsx", "alice")
    book = openpyxl.load_workbook(path)
    sheet = book["Worksheet"]
    assert sheet["B2"].value == "alice" and book.custom_doc_props[STUDENT_PROPERTY].value == "alice"
    assert sheet.protection.sheet
    questions = answer_cells(trace)
    for q in questions:
        assert sheet[q.cell].value is None and not sheet[q.cell].protection.locked
        for cell in q.depends_on:
            assert sheet[cell].value is not None or cell in {x.cell for x in questions}
    given = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float | int)]
    assert all(c.protection.locked for c in given)
    first_input = next(
        e for s in layout(trace) for e in s.entries if e.path == "network.layers[0].input[0][0]"
    )
    assert sheet[first_input.cell].value == lesson.inputs[0][0]  # given, as the lesson has it
    sections = [q.section for q in questions]
    order = ["products", "n = k + b", "Softmax", "Cross-entropy", "∂L/∂W", "after one step"]
    firsts = [next(i for i, s in enumerate(sections) if word in s) for word in order]
    assert firsts == sorted(firsts)  # the deck's order


def test_a_worksheet_saved_by_libreoffice_scores_full_marks(tmp_path):
    course = load_course(make_course(tmp_path, base="classify", roster="id\nalice\n"))
    lesson = student_lesson(course, "alice")[0]
    sheet = write_worksheet(student_trace(lesson), tmp_path / "typed" / "alice.xlsx", "alice")
    fill(sheet, own_answers(lesson))
    recalculate([sheet], tmp_path / "returned", tmp_path / "profile")
    report = grade(course, tmp_path / "returned")
    assert report.students[0].note == "" and report.students[0].score == 1.0


@pytest.mark.parametrize(
    ("answer", "expected", "right"),
    [
        (0.1235, 0.12345, True),  # rounds to the shown value
        ("0.1234", 0.12344, True),  # typed as text
        ("0,1234", 0.12344, True),  # a decimal comma
        (0.12342, 0.12345, True),  # more digits typed: within half a unit of the last
        (0.1233, 0.12346, False),
        (None, 0.0, False),
        ("abc", 0.0, False),
        (True, 1, True),
    ],
)
def test_an_answer_is_right_at_the_shown_precision(answer, expected, right):
    assert check_answer(answer, expected, 4) is right


def test_another_draw_or_a_changed_property_is_refused(returned, tmp_path):
    course_path, folder = returned
    course = load_course(course_path)
    report = grade(course, folder, generations={"alice": 1})
    alice = report.students[0]
    assert alice.score == 0 and "a worksheet of draw 0" in alice.note
    assert report.students[1].note == ""  # bob: draw 0, as recorded by default
    # B2 typed over with alice's id, the file's property still says bob's
    lone = tmp_path / "returned"
    lone.mkdir()
    path = write_worksheet(
        student_trace(student_lesson(course, "bob")[0]), lone / "alice.xlsx", "bob"
    )
    fill(path, {"B2": "alice"})
    assert "carries another student's id (bob)" in grade(course, lone).students[0].note


def test_the_key_recalculated_by_libreoffice_gives_every_answer(tmp_path):
    """The key's formulas, recalculated by LibreOffice from the given numbers alone, agree
    with the trace in every answer cell: MSE and cross-entropy, ReLU, tanh and none."""
    keys = []
    for base in ("default", "classify", "relu", "wide"):
        course = load_course(make_course(tmp_path / base, base=base, roster="id\nalice\n"))
        trace = student_trace(student_lesson(course, "alice")[0])
        keys.append((write_key(trace, tmp_path / "keys" / f"{base}.xlsx"), trace))
    recalculate([path for path, _ in keys], tmp_path / "recalculated", tmp_path / "profile")
    for path, trace in keys:
        sheet = openpyxl.load_workbook(tmp_path / "recalculated" / path.name, data_only=True)["Key"]
        questions = answer_cells(trace)
        assert sheet["B2"].value == "alice" and len(questions) > 100
        for q in questions:
            value, expected = sheet[q.cell].value, float(resolve(trace, q.path))
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), (path.name, q)


def test_a_classifier_with_class_names_labels_them_and_takes_them_as_answers(tmp_path):
    classes = "classes = [0, 0, 0, 1, 1, 1, 2, 2, 2]"
    text = (LESSONS / "classify.toml").read_text()
    text = text.replace(classes, f'class_names = ["low", "right", "top"]\n{classes}')
    course = load_course(make_course(tmp_path, lesson=text, roster="id\nada\n"))
    lesson = student_lesson(course, "ada")[0]
    trace = student_trace(lesson)
    assert any("(0 = low, 1 = right, 2 = top)" in s.title for s in layout(trace))
    answers = own_answers(lesson)
    named = {"low": 0, "right": 1, "top": 2}
    for q in answer_cells(trace):
        if q.path.startswith("network.predicted_classes"):
            answers[q.cell] = next(n for n, k in named.items() if k == answers[q.cell])
    (tmp_path / "returned").mkdir()
    path = write_worksheet(trace, tmp_path / "returned" / "ada.xlsx", "ada")
    fill(path, answers)
    assert grade(course, tmp_path / "returned").students[0].score == 1.0


def test_feedback_names_wrong_and_empty_cells_apart(returned, tmp_path):
    course_path, folder = returned
    report = grade(load_course(course_path), folder)
    write_grades(report, tmp_path / "grades.csv")
    carol = (tmp_path / "feedback" / "carol.txt").read_text().splitlines()
    assert carol[1:] == ["Every answer cell was left empty."]
    bob = (tmp_path / "feedback" / "bob.txt").read_text()
    wrong = next(s for s in report.students if s.id == "bob").wrong
    assert "Left empty" not in bob and len(bob.splitlines()) == 1 + len(wrong) > 1

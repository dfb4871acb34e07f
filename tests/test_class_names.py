"""Class names (issue 33): one name per class, carried from the lesson to the trace's JSON;
the refusals that say what to do; a lesson from data keeps the data's own text."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from mlpmath import Lesson, LessonError, compute_trace, load_lesson, parse_lesson
from mlpmath.trace import Trace

X = [[0.2, 0.1], [0.5, -0.3], [1.0, 2.0], [-0.7, 0.4]]
Y = [0, 2, 1, 2]

LESSON = """
title = "Birds"
[network]
sizes = [2, 3]
loss = "cross_entropy"
seed = 1
[data]
inputs = [[0.2, 0.1], [0.5, -0.3], [1, 2]]
classes = [0, 2, 1]
{names}
[training]
learning_rate = 0.1
steps = 2
"""


def _net() -> nn.Sequential:
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3))


def _from_model(**extra) -> Lesson:
    return Lesson.from_model(
        _net(), X, Y, learning_rate=0.1, steps=2, loss="cross_entropy", **extra
    )


def test_names_travel_from_the_file_to_the_trace_json() -> None:
    lesson = parse_lesson(LESSON.format(names='class_names = ["robin", "wren", "jay"]'), "b")
    assert lesson.class_names == ("robin", "wren", "jay")
    trace = compute_trace(lesson)
    data = json.loads(json.dumps(trace.to_json()))
    assert data["network"]["class_names"] == ["robin", "wren", "jay"]
    assert Trace.from_json(data) == trace


def test_without_names_the_classes_are_their_numbers() -> None:
    lesson = parse_lesson(LESSON.format(names=""), "b")
    assert lesson.class_names == ("0", "1", "2")
    assert compute_trace(lesson).network.class_names == ("0", "1", "2")
    regression = parse_lesson(
        LESSON.replace('loss = "cross_entropy"', "")
        .replace("classes = [0, 2, 1]", "targets = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]")
        .format(names=""),
        "r",
    )
    assert regression.class_names == ()


def test_from_model_names_round_trip_through_the_lesson_file() -> None:
    lesson = _from_model(class_names=["cat", 'a "quoted" dog', "bird ✓"])
    assert lesson.class_names == ("cat", 'a "quoted" dog', "bird ✓")
    assert parse_lesson(lesson.source, lesson.name) == lesson
    assert "class_names" not in _from_model().source  # the default is not written


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a", "b"], "class_names: 2 names but the output layer has 3 classes"),
        (["a", "b", "a"], "class_names[2]: 'a' names class 0 already"),
        (["a", "", "c"], "class_names[1]: expected a non-empty string"),
        (["a", "b\nc", "d"], "class_names[1]: holds the control character U+000A"),
        (["a", "b\x85", "d"], "class_names[1]: holds the control character U+0085"),
        (["a", "\u202egnp.exe", "d"], "class_names[1]: holds the control character U+202E"),
        (["a", "b", "\u2066x"], "class_names[2]: holds the control character U+2066"),
        (["a", "b", "c" * 25], "class_names[2]: 25 characters, at most 24"),
        (["1", "0", "2"], "class_names[0]: '1' is the number of class 1"),
        (["a", 2, "c"], "class_names[1]: expected a string, got 2"),
        ("abc", "class_names: expected a list of names"),
    ],
)
def test_bad_names_are_refused_in_one_line(names, message) -> None:
    with pytest.raises(LessonError) as error:
        _from_model(class_names=names)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
    file_names = json.dumps(names) if isinstance(names, list) else '"abc"'
    with pytest.raises(LessonError) as error:
        parse_lesson(LESSON.format(names=f"class_names = {file_names}"), "b")
    assert f"data.{message}" in str(error.value)


def test_names_without_cross_entropy_say_what_to_pass() -> None:
    net = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(LessonError, match=r'class_names: given, but loss is "mse".*cross_entropy'):
        Lesson.from_model(
            net, X, [[0, 0, 1]] * 4, learning_rate=0.1, steps=1, class_names=["a", "b", "c"]
        )
    text = LESSON.format(names='class_names = ["a", "b", "c"]')
    text = text.replace('loss = "cross_entropy"', "").replace(
        "classes = [0, 2, 1]", "targets = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]"
    )
    with pytest.raises(LessonError, match=r'data\.class_names: given, but network\.loss is "mse"'):
        parse_lesson(text, "r")


@pytest.mark.parametrize("labels", [Y, torch.tensor(Y)], ids=["list", "long tensor"])
def test_class_labels_without_cross_entropy_say_what_to_pass(labels) -> None:
    with pytest.raises(LessonError) as error:
        Lesson.from_model(_net(), X, labels, learning_rate=0.1, steps=1)
    assert 'pass loss="cross_entropy" (--loss cross_entropy)' in str(error.value)
    assert "shape" not in str(error.value)


@pytest.mark.parametrize("last", [nn.Softmax(dim=1), nn.LogSoftmax(dim=1)])
def test_a_final_softmax_is_refused_with_what_to_do(last) -> None:
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3), last)
    with pytest.raises(LessonError) as error:
        Lesson.from_model(net, X, Y, learning_rate=0.1, steps=1, loss="cross_entropy")
    message = str(error.value)
    assert message.startswith(f"model[3] ({type(last).__name__}): remove it")
    assert "nn.CrossEntropyLoss applies softmax to the logits" in message


def test_a_lesson_from_lists_keeps_the_data_text() -> None:
    """0.2 written in the data is the float64 0.2, not float32's 0.20000000298023224."""
    lesson = _from_model()
    assert lesson.inputs[0] == (0.2, 0.1)
    assert "[[0.2, 0.1], [0.5, -0.3], [1, 2], [-0.7, 0.4]]" in lesson.source
    # a float32 tensor is what the model sees: its values are kept as they are
    tensor = torch.tensor(X)
    assert Lesson.from_model(
        _net(), tensor, Y, learning_rate=0.1, steps=1, loss="cross_entropy"
    ).inputs[0][0] == float(tensor[0, 0])


def test_a_lesson_from_a_csv_keeps_its_text_and_names(tmp_path) -> None:
    from mlp_lecture.lesson_file import lesson_from_files

    torch.save(_net().state_dict(), tmp_path / "net.pt")
    (tmp_path / "data.csv").write_text("x1,x2,class\n0.2,0.1,0\n0.5,-0.3,2\n1,2,1\n")
    common = dict(
        layers=None, activation="tanh", output_activation="none", learning_rate=0.1,
        steps=1, title="t", decimals=4,
    )  # fmt: skip
    lesson = lesson_from_files(
        tmp_path / "net.pt", tmp_path / "data.csv", loss="cross_entropy",
        class_names=["a", "b", "c"], **common,
    )  # fmt: skip
    assert lesson.inputs == ((0.2, 0.1), (0.5, -0.3), (1.0, 2.0))
    assert "inputs = [[0.2, 0.1], [0.5, -0.3], [1, 2]]" in lesson.source
    assert lesson.class_names == ("a", "b", "c")
    with pytest.raises(LessonError, match="if the last column is each row's class, pass --loss"):
        lesson_from_files(tmp_path / "net.pt", tmp_path / "data.csv", **common)


def test_an_unknown_output_activation_names_its_own_flag() -> None:
    from mlp_lecture.lesson_file import parse_activations

    with pytest.raises(LessonError, match=r"^--output-activation: unknown activation 'sigmod'"):
        parse_activations("tanh", "sigmod", 2)
    with pytest.raises(LessonError, match=r"^--output-activation: 'softmax' .* cross_entropy"):
        parse_activations("tanh", "softmax", 2)
    with pytest.raises(LessonError, match=r"^--activation: unknown activation 'tahn'"):
        parse_activations("tahn", "none", 2)


def test_the_lesson_command_takes_class_names_and_refuses_in_one_line(tmp_path) -> None:
    from conftest import run_cli

    torch.save(_net().state_dict(), tmp_path / "net.pt")
    (tmp_path / "data.csv").write_text("0.2,0.1,0\n0.5,-0.3,2\n1,2,1\n")
    base = ["lesson", "--state-dict", "net.pt", "--data", "data.csv", "--activation", "tanh"]
    done = run_cli(
        *base, "--loss", "cross_entropy", "--class-names", "robin", "wren", "blue jay",
        "--out", "birds.toml", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lesson = parse_lesson((tmp_path / "birds.toml").read_text(), "birds")
    assert lesson.class_names == ("robin", "wren", "blue jay")
    assert lesson.inputs[0] == (0.2, 0.1)  # the CSV's own text
    refusals = {
        ("--class-names", "a", "b", "c"): "--class-names: given, but --loss is mse",
        ("--loss", "cross_entropy", "--class-names", "a", "a", "b"): "--class-names[1]: 'a'",
        ("--loss", "cross_entropy", "--class-names", "a", "b\x1b[2J", "c"): "U+001B",
        ("--output-activation", "softmax"): "--output-activation: 'softmax' is not an activation",
        ("--output-activation", "sigmod"): "--output-activation: unknown activation 'sigmod'",
    }
    for extra, message in refusals.items():
        done = run_cli(*base, *extra, cwd=tmp_path)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("mlp-lecture: ") and message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_notebook_display_names_the_classes_and_the_logits() -> None:
    """A classifier's notebook display (the `trace` report as HTML): its class names, escaped;
    its outputs the logits z0.. and weights w3,0, never ŷ1 or a y subscript; accuracy a count."""
    from mlp_lecture.notebook import lesson_html

    hostile = "<b>x</b>"
    lesson = _from_model(class_names=["cat", hostile, "bird"])
    text = lesson_html(lesson)
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert "0 cat, 1 &lt;b&gt;x&lt;/b&gt;, 2 bird" in text
    assert "z0" in text and "w3,0" in text
    for wrong in ("ŷ1", "y1", "w3y", "by1"):
        assert wrong not in text, wrong
    trace = compute_trace(lesson).network
    right = sum(trace.correct)
    assert f"accuracy: {right}/{len(Y)} = " in text


def test_the_script_says_the_notation_and_the_classes_once() -> None:
    from markdown_it import MarkdownIt

    from mlp_lecture.lecture_script import notation_lines
    from mlpmath.notation import INDICES

    lesson = _from_model(class_names=["cat", "*dog* <i>", "bird"])
    text = "\n".join(notation_lines(lesson))
    rendered = MarkdownIt().render(text)
    assert "<i>" not in rendered and "<em>" not in rendered  # the name stays text
    assert "0 cat, 1 *dog* &lt;i&gt;, 2 bird" in rendered
    for index in INDICES:
        assert f"<code>{index.letter}</code>" in rendered
    assert "The classes:" not in "\n".join(notation_lines(load_lesson(None)))


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["lesson", "--state-dict", "x", "--data", "y", "--output-activaton", "tanh"],
         "--output-activation"),
        (["lesson", "--state-dict", "x", "--data", "y", "--activaton", "tanh"], "--activation"),
        (["render", "--qualty", "low"], "--quality"),
    ],
)  # fmt: skip
def test_a_mistyped_flag_names_the_right_one(args, meant, capsys) -> None:
    from mlp_lecture.cli import main

    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.endswith(f"unrecognized arguments: {args[-2]} (did you mean {meant}?)")


def test_a_lesson_file_asking_for_softmax_says_what_to_do() -> None:
    text = LESSON.format(names="").replace(
        'loss = "cross_entropy"', 'loss = "cross_entropy"\noutput_activation = "softmax"'
    )
    with pytest.raises(LessonError) as error:
        parse_lesson(text, "b")
    message = str(error.value)
    assert message.startswith("b: network.output_activation: 'softmax' is not an activation")
    assert 'network.loss = "cross_entropy"' in message


def test_the_trace_report_shows_a_name_as_written() -> None:
    from rich.console import Console

    from mlp_lecture.report import print_trace

    lesson = _from_model(class_names=["[bold]cat[/bold]", "dog", "bird"])
    console = Console(record=True, width=200)
    print_trace(compute_trace(lesson), console)
    assert "0 [bold]cat[/bold]" in console.export_text()

"""Issue 32, item 4: free text refuses control characters and bidi controls.

A title holding NUL, ESC or U+202E (right-to-left override) used to be accepted and
reached the explorable page's title, the deck and the script's heading. Every free-text
field of a lesson (the title from a lesson file or from ``Lesson.from_model``, each class
name) now refuses C0 and C1 controls and the bidi overrides and isolates in one line
naming the field, and a command given such a lesson writes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from mlp_lecture.cli import main
from mlpmath import LessonError, default_lesson_text, parse_lesson

# Every character the issue names, by code point: C0 (NUL, ESC, a tab, a line feed, US),
# DEL and C1 (NEL, CSI, APC), the bidi embeddings and overrides, and the isolates.
REFUSED = [0x00, 0x09, 0x0A, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9B, 0x9F]
REFUSED += list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
# Near neighbours that are plain text and stay allowed.
ALLOWED = [0x20, 0xA0, 0x2029 - 0x10, 0x2010, 0x2070, 0x200E - 0x0E, 0x3BB]


def _titled(title: str) -> str:
    """The default lesson file with ``title`` (written as TOML escapes, as a file may)."""
    line = f"title = {json.dumps(title)}"
    return re.sub(r"^title = .*$", lambda _: line, default_lesson_text(), count=1, flags=re.M)


def _refusal(error: LessonError, field: str, code: int) -> None:
    message = str(error)
    assert "\n" not in message
    assert f"{field}: holds the control character U+{code:04X}" in message, message
    assert chr(code) not in message  # the character itself never reaches the terminal


@pytest.mark.parametrize("code", REFUSED, ids=[f"U+{c:04X}" for c in REFUSED])
def test_a_title_with_a_control_character_is_refused_naming_the_field(code):
    assert unicodedata.category(chr(code)) in ("Cc", "Cf")  # what the issue calls controls
    with pytest.raises(LessonError) as caught:
        parse_lesson(_titled(f"Understand{chr(code)} MLP"), name="hostile")
    _refusal(caught.value, "title", code)


@pytest.mark.parametrize("code", ALLOWED, ids=[f"U+{c:04X}" for c in ALLOWED])
def test_plain_text_next_to_them_stays_allowed(code):
    title = f"Understand {chr(code)} MLP"
    assert parse_lesson(_titled(title), name="plain").title == title


@pytest.mark.parametrize("code", [0x00, 0x1B, 0x202E])
def test_from_model_refuses_such_a_title_and_class_name(code):
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    common = {"learning_rate": 0.1, "steps": 2}
    with pytest.raises(LessonError) as caught:
        from mlpmath import Lesson

        Lesson.from_model(net, [[1, 2]], [[1, 0]], title=f"x{chr(code)}y", **common)
    _refusal(caught.value, "title", code)
    with pytest.raises(LessonError) as caught:
        Lesson.from_model(
            net,
            [[1, 2], [2, 1]],
            [0, 1],
            loss="cross_entropy",
            class_names=["cat", f"d{chr(code)}og"],
            **common,
        )
    _refusal(caught.value, "class_names[1]", code)


@pytest.mark.parametrize("code", [0x00, 0x1B, 0x202E], ids=["NUL", "ESC", "RLO"])
def test_commands_refuse_such_a_lesson_in_one_line_and_write_nothing(tmp_path, capsys, code):
    """The issue's reproduction: the page, the workbook and the script never see it."""
    lesson = tmp_path / "hostile.toml"
    lesson.write_text(_titled(f"evil{chr(code)}title"), encoding="utf-8")
    for argv in (
        ["explore", str(lesson), "--out", str(tmp_path / "page")],
        ["workbook", str(lesson), "--out", str(tmp_path / "book.xlsx")],
        ["render", str(lesson), "--scenes", "SingleNeuron", "--out", str(tmp_path / "r")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and chr(code) not in err
        [line] = err.strip().splitlines()
        assert "title: " in line and f"U+{code:04X}" in line, line
    assert sorted(path.name for path in tmp_path.iterdir()) == ["hostile.toml"]


@pytest.mark.parametrize("code", [0x1B, 0x202E], ids=["ESC", "RLO"])
def test_a_lesson_file_whose_name_holds_one_is_refused(tmp_path, capsys, code):
    """The lesson's name is its file's name, and reaches outputs as the title does."""
    lesson = tmp_path / f"ev{chr(code)}il.toml"
    lesson.write_text(default_lesson_text(), encoding="utf-8")
    assert main(["explore", str(lesson), "--out", str(tmp_path / "page")]) == 2
    err = capsys.readouterr().err
    assert chr(code) not in err and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert (
        f"name: the lesson's name (its file's name) holds the control character U+{code:04X}"
        in line
    )
    assert not (tmp_path / "page").exists()

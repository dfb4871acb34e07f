"""The course file and each student's variant (issue 36, the data half).

Bad course files end in one line naming the file and the field; a student's
lesson is the same bytes whatever the roster's order, in another process too;
adding a student changes no one else's; the numbers stay in the base lesson's
ranges at its precision; degenerate draws are redrawn and recorded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from course_files import LESSONS, make_course

from mlp_lecture.course.course_file import CourseError, load_course
from mlp_lecture.course.variants import degenerate, student_lesson, student_trace
from mlpmath import compute_trace, load_lesson, parse_lesson
from mlpmath.lesson_writer import lesson_toml

# -- bad course files: one line naming the file and the field --------------------------

BAD_ROSTERS = {
    "duplicate": ("id\nalice\nbob\nalice\n", "row 4: id 'alice': a duplicate of row 2"),
    "duplicate by case": ("id\nalice\nALICE\n", "row 3: id 'ALICE': a duplicate of row 2"),
    "empty id": ("id,name\n,Nobody\n", "row 2: id: empty"),
    "climbs out": ("id\n../etc\n", "row 2: id '../etc': not a safe file name"),
    "hidden": ("id\n.bashrc\n", "row 2: id '.bashrc': not a safe file name"),
    "trailing dot": ("id\nada.\n", "row 2: id 'ada.': not a safe file name"),
    "space": ("id\nan id\n", "not a safe file name"),
    "too long": ("id\n" + "a" * 65 + "\n", "longer than 64 characters"),
    "device": ("id\nCON\n", "a name Windows keeps for a device"),
    "no id column": ("name\nAlice\n", "row 1: no id column"),
    "no students": ("id\n", "no students"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
def test_a_bad_roster_is_one_line_naming_the_row_and_field(tmp_path, case):
    roster, expected = BAD_ROSTERS[case]
    course = make_course(tmp_path, roster=roster)
    with pytest.raises(CourseError) as caught:
        load_course(course)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "students.csv")), message
    assert expected in message


BAD_COURSES = {
    "no seed": ('lesson = "base.toml"\nroster = "students.csv"\n', "seed: expected"),
    "empty seed": ('lesson = "base.toml"\nroster = "students.csv"\nseed = " "\n', "seed:"),
    "unknown key": (
        'lesson = "base.toml"\nroster = "students.csv"\nseed = "s"\nlessons = 1\n',
        "lessons: not a course key",
    ),
    "missing roster": (
        'lesson = "base.toml"\nroster = "nobody.csv"\nseed = "s"\n',
        "nobody.csv: no such roster",
    ),
    "missing lesson": (
        'lesson = "none.toml"\nroster = "students.csv"\nseed = "s"\n',
        "lesson:",
    ),
    "not toml": ("lesson = \n", "not valid TOML"),
    "vary key": (
        'lesson = "base.toml"\nroster = "students.csv"\nseed = "s"\n[vary]\nbiases = true\n',
        "vary.biases: not a [vary] key",
    ),
    "vary nothing": (
        'lesson = "base.toml"\nroster = "students.csv"\nseed = "s"\n'
        "[vary]\ndata = false\nweights = false\n",
        "vary: nothing varies",
    ),
    "vary not bool": (
        'lesson = "base.toml"\nroster = "students.csv"\nseed = "s"\n[vary]\ndata = 1\n',
        "vary.data: expected true or false",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_COURSES))
def test_a_bad_course_file_is_one_line_naming_the_field(tmp_path, case):
    text, expected = BAD_COURSES[case]
    course = make_course(tmp_path)
    course.write_text(text)
    with pytest.raises(CourseError) as caught:
        load_course(course)
    message = str(caught.value)
    assert "\n" not in message and expected in message, message


def test_a_refused_base_lesson_gives_mlpmaths_message_with_the_file(tmp_path):
    text = (LESSONS / "default.toml").read_text().replace("steps = 10", "steps = -1")
    course = make_course(tmp_path, lesson=text)
    with pytest.raises(CourseError) as caught:
        load_course(course)
    message = str(caught.value)
    assert message.startswith(f"{course}: lesson: ")
    assert "base.toml" in message and "training.steps" in message and "\n" not in message


def test_the_grade_command_reports_a_bad_course_in_one_line(tmp_path, capsys):
    from mlp_lecture.cli import main

    course = make_course(tmp_path, roster="id\nalice\nalice\n")
    (tmp_path / "returned").mkdir()
    status = main(["grade", str(course), str(tmp_path / "returned")])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and "duplicate" in err and "Traceback" not in err


# -- reproducibility --------------------------------------------------------------------


def test_the_same_id_gives_the_same_lesson_bytes_whatever_the_roster(tmp_path):
    first = load_course(make_course(tmp_path / "a", roster="id\nalice\nbob\ncarol\n"))
    # another order, and a student more: no one else's numbers change
    second = load_course(make_course(tmp_path / "b", roster="id\ncarol\ndave\nbob\nalice\n"))
    for student in ("alice", "bob", "carol"):
        one, record = student_lesson(first, student)
        two, _ = student_lesson(second, student)
        assert one.source.encode() == two.source.encode()
        # the file read back writes the same bytes: what the student gets is what is computed
        assert lesson_toml(parse_lesson(one.source, name=student)) == one.source
        assert record.lesson_sha256 and record.generation == 0
    texts = {student_lesson(first, s)[0].source for s in first.ids}
    assert len(texts) == 3  # each student their own numbers


def test_the_same_lesson_in_another_process(tmp_path):
    course = make_course(tmp_path)
    here = student_lesson(load_course(course), "bob")[0].source
    code = (
        "import sys\n"
        "from mlp_lecture.course.course_file import load_course\n"
        "from mlp_lecture.course.variants import student_lesson\n"
        "sys.stdout.write(student_lesson(load_course(sys.argv[1]), 'bob')[0].source)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(course)],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.stdout.decode() == here


def test_the_seed_generation_and_vary_change_the_numbers(tmp_path):
    course = load_course(make_course(tmp_path / "a"))
    other_seed = make_course(tmp_path / "b")
    other_seed.write_text(other_seed.read_text().replace("a secret", "another secret"))
    alice = student_lesson(course, "alice")[0]
    assert student_lesson(load_course(other_seed), "alice")[0].inputs != alice.inputs
    redrawn, record = student_lesson(course, "alice", generation=1)
    assert record.generation == 1 and redrawn.source != alice.source
    weights_only = load_course(make_course(tmp_path / "c", extra="[vary]\ndata = false\n"))
    lesson = student_lesson(weights_only, "alice")[0]
    assert lesson.inputs == weights_only.base.inputs
    assert lesson.targets == weights_only.base.targets
    assert lesson.network.layers != weights_only.base.network.layers


@pytest.mark.parametrize("base", ["default", "classify"])
def test_numbers_stay_in_the_base_ranges_at_its_precision(tmp_path, base):
    course = load_course(make_course(tmp_path, base=base))
    original = course.base
    for student in course.ids:
        lesson = student_lesson(course, student)[0]
        for mine, theirs in zip(lesson.network.layers, original.network.layers, strict=True):
            values = [v for row in theirs.weight for v in row]
            for v in (v for row in mine.weight for v in row):
                assert min(values) <= v <= max(values)
                assert round(v, original.decimals) == v
        columns = list(zip(*original.inputs, strict=True))
        for row in lesson.inputs:
            for c, value in enumerate(row):
                assert min(columns[c]) <= value <= max(columns[c])
                assert value == int(value)  # whole inputs stay whole
        if base == "default":  # the targets keep the base's rule, y = 3 x1 + 2 x2
            assert all(
                t[0] == 3 * x[0] + 2 * x[1]
                for x, t in zip(lesson.inputs, lesson.targets, strict=True)
            )
        else:
            assert lesson.classes == original.classes


# -- degenerate draws --------------------------------------------------------------------


def test_a_diverging_draw_is_redrawn_and_recorded(tmp_path):
    text = (LESSONS / "default.toml").read_text().replace("0.001", "0.004")
    course = load_course(make_course(tmp_path, lesson=text))
    lesson, record = student_lesson(course, "alice")
    assert record.attempt == len(record.redrawn) > 0
    assert any(("diverges" in r or "rises" in r) for r in record.redrawn), record.redrawn
    assert [r.split(":")[0] for r in record.redrawn] == [
        f"attempt {n}" for n in range(record.attempt)
    ]
    assert degenerate(student_trace(lesson)) is None
    losses = compute_trace(lesson).network.training.losses
    assert losses[-1] < losses[0]
    # the same record on another run: the redraws are deterministic
    assert student_lesson(course, "alice")[1] == record


def test_a_base_that_always_diverges_is_refused_in_one_line(tmp_path):
    text = (LESSONS / "default.toml").read_text().replace("0.001", "5")
    course = load_course(make_course(tmp_path, lesson=text))
    with pytest.raises(CourseError) as caught:
        student_lesson(course, "alice")
    assert "no usable variant for alice" in str(caught.value)


def test_dead_relus_and_ties_are_degenerate():
    relu = load_lesson(LESSONS / "relu.toml")
    dead = parse_lesson(
        relu.source.replace("bias = [0.1, -0.1, 0.0, 0.2]", "bias = [-50, -50, -50, -50]"),
        name="dead",
    )
    assert "every ReLU of layer 1 is dead" in degenerate(compute_trace(dead))
    classify = load_lesson(LESSONS / "classify.toml")
    tied = parse_lesson(
        classify.source.replace("bias = [0.2893, -0.4146, -0.1321]", "bias = [0, 0, 0]")
        .replace("[-0.3, -0.3879, -0.4981, 0.3928]", "[0, 0, 0, 0]")
        .replace("[0.3047, -0.2453, -0.0317, -0.3318]", "[0, 0, 0, 0]")
        .replace("[-0.3287, 0.0103, -0.3932, 0.0911]", "[0, 0, 0, 0]"),
        name="tied",
    )
    assert "tie at 4 decimals" in degenerate(compute_trace(tied))
    assert degenerate(compute_trace(classify)) is None

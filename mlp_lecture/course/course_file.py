"""The course file: a base lesson, a roster of students and the course's secret seed.

A teacher writes ``course.toml`` beside the roster::

    lesson = "lessons/default.toml"   # the base lesson, relative to this file
    roster = "students.csv"           # an ``id`` column, any others
    seed = "a secret only the teacher knows"

    [vary]                            # optional: what changes per student
    data = true                       # inputs, with targets or classes
    weights = true                    # the starting weights and biases

Loading validates everything before anything is computed or written: a bad
course ends in one line naming the file and the field (:class:`CourseError`).
Loading never writes anything.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpmath import Lesson, LessonError, load_lesson
from mlpmath.files import FileRefused, read_regular

__all__ = [
    "ID_PATTERN",
    "MAX_COURSE_BYTES",
    "MAX_ID_LENGTH",
    "MAX_ROSTER_BYTES",
    "MAX_SEED_LENGTH",
    "MAX_STUDENTS",
    "Course",
    "CourseError",
    "Student",
    "Vary",
    "check_student_id",
    "load_course",
    "read_roster",
]

MAX_COURSE_BYTES = 64 * 1024
MAX_ROSTER_BYTES = 4 * 1024 * 1024
MAX_STUDENTS = 5000
MAX_ID_LENGTH = 64
MAX_SEED_LENGTH = 1024
MAX_FIELD_LENGTH = 200  # characters of any other roster column's value

# A student id names their folder and their returned file: letters, digits, "-", "_"
# and ".", not leading with "." (a hidden file, "." or ".."), at most MAX_ID_LENGTH.
ID_PATTERN = re.compile(rf"[A-Za-z0-9_-][A-Za-z0-9._-]{{0,{MAX_ID_LENGTH - 1}}}")
# Names Windows keeps for devices, whatever their extension: a folder "con" cannot exist there.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}

_TOP_KEYS = {"lesson", "roster", "seed", "vary"}
_VARY_KEYS = {"data", "weights"}


class CourseError(ValueError):
    """A course that cannot be used; its message is one line naming the file and the field."""


@dataclass(frozen=True)
class Vary:
    """What each student's variant redraws (the rest is the base lesson's).

    ``data``: the inputs of ``[data]`` and of the ``[[neuron]]`` examples, with
    the targets (an MSE lesson: by the base's linear rule when its targets follow
    one, else within their ranges) and keeping each sample's class (a classifier:
    each class's points drawn within that class's ranges). ``weights``: every
    starting weight and bias, of the network and of the neuron examples.
    """

    data: bool = True
    weights: bool = True


@dataclass(frozen=True)
class Student:
    """One row of the roster: the id, and the other columns as (name, value) pairs."""

    id: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Course:
    """A validated course file, with its base lesson and its roster read.

    Paths are as the course file resolves them (relative to its folder).
    ``seed`` is the course's secret: every student's numbers come from a hash
    of it with their id, so it must not be handed out.
    """

    path: Path
    lesson_path: Path
    base: Lesson
    roster_path: Path
    students: tuple[Student, ...]
    seed: str
    vary: Vary

    @property
    def ids(self) -> tuple[str, ...]:
        """The students' ids, in the roster's order."""
        return tuple(student.id for student in self.students)

    def student(self, student_id: str) -> Student:
        """The roster's row of ``student_id`` (``CourseError`` when not on the roster)."""
        for student in self.students:
            if student.id == student_id:
                return student
        raise CourseError(f"{_name(self.roster_path)}: no student with id {student_id!r}")


def _name(path: Path) -> str:
    """A path as a message shows it: printable, at most 80 characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(path))
    return text if len(text) <= 80 else "..." + text[-77:]


def load_course(path: str | Path) -> Course:
    """Read and validate the course file at ``path``, its base lesson and its roster.

    Raises
    ------
    CourseError
        One line naming the file and the field: the course file itself (not
        TOML, an unknown key, a missing or empty ``seed``), the base lesson
        (missing, or refused: mlpmath's own message), the roster (missing, no
        ``id`` column, an empty, duplicate or unsafe id).
    """
    path = Path(path)
    where = _name(path)
    raw = _read_toml(path, where)
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise CourseError(
            f"{where}: {unknown[0]}: not a course key (expected lesson, roster, seed, [vary])"
        )
    folder = path.parent
    lesson_path = folder / _path_value(raw, "lesson", where)
    roster_path = folder / _path_value(raw, "roster", where)
    seed = raw.get("seed")
    if not isinstance(seed, str) or not seed.strip():
        raise CourseError(
            f'{where}: seed: expected the course\'s secret as a non-empty string, e.g. seed = "..."'
        )
    if len(seed) > MAX_SEED_LENGTH:
        raise CourseError(f"{where}: seed: longer than {MAX_SEED_LENGTH} characters")
    vary = _vary(raw.get("vary", {}), where)
    try:
        base = load_lesson(lesson_path)
    except LessonError as error:
        raise CourseError(f"{where}: lesson: {error}") from None
    students = read_roster(roster_path)
    return Course(
        path=path,
        lesson_path=lesson_path,
        base=base,
        roster_path=roster_path,
        students=students,
        seed=seed,
        vary=vary,
    )


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    data = _read_bounded(path, MAX_COURSE_BYTES, where, "course file")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise CourseError(f"{where}: not UTF-8 text (byte {error.start})") from None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as error:
        first = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        raise CourseError(f"{where}: not valid TOML ({first})") from None


def _read_bounded(path: Path, limit: int, where: str, kind: str) -> bytes:
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        raise CourseError(f"{where}: no such {kind}") from None
    except FileRefused as error:
        raise CourseError(f"{where}: not read as a {kind}: {error}") from None
    except OSError as error:
        raise CourseError(f"{where}: cannot read the {kind} ({error.strerror or error})") from None


def _path_value(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    example = {"lesson": "lessons/default.toml", "roster": "students.csv"}[key]
    if not isinstance(value, str) or not value.strip():
        raise CourseError(
            f"{where}: {key}: expected a file path relative to the course file, "
            f'e.g. {key} = "{example}"'
        )
    if "\x00" in value or any(not c.isprintable() for c in value):
        raise CourseError(f"{where}: {key}: the path holds control characters")
    return value


def _vary(table: Any, where: str) -> Vary:
    if not isinstance(table, dict):
        raise CourseError(f"{where}: vary: expected a [vary] table")
    unknown = sorted(set(table) - _VARY_KEYS)
    if unknown:
        raise CourseError(f"{where}: vary.{unknown[0]}: not a [vary] key (expected data, weights)")
    for key, value in table.items():
        if not isinstance(value, bool):
            raise CourseError(f"{where}: vary.{key}: expected true or false, got {value!r:.40}")
    vary = Vary(**table)
    if not (vary.data or vary.weights):
        raise CourseError(
            f"{where}: vary: nothing varies (data and weights both false): every student "
            "would get the same numbers"
        )
    return vary


def check_student_id(student_id: str) -> str | None:
    """Why ``student_id`` cannot name a student's files, or ``None`` when it can."""
    if not student_id:
        return "empty"
    if len(student_id) > MAX_ID_LENGTH:
        return f"longer than {MAX_ID_LENGTH} characters"
    if not ID_PATTERN.fullmatch(student_id) or student_id.endswith("."):
        return (
            "not a safe file name (letters, digits, '-', '_' and '.' only, not starting or "
            "ending with '.')"
        )
    if student_id.split(".")[0].lower() in _RESERVED:
        return "a name Windows keeps for a device"
    return None


def read_roster(path: Path) -> tuple[Student, ...]:
    """The students of the roster CSV at ``path``, in its order (``CourseError`` if refused).

    The header row names the columns; ``id`` is required (any case, spaces
    around it ignored). Ids differing only in case are duplicates: they would
    name the same folder on a case-insensitive disk.
    """
    where = _name(path)
    data = _read_bounded(path, MAX_ROSTER_BYTES, where, "roster")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CourseError(f"{where}: not UTF-8 text (byte {error.start})") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CourseError(f"{where}: not a CSV file ({error})") from None
    if not rows:
        raise CourseError(f"{where}: empty; expected a header row with an id column")
    header = [name.strip() for name in rows[0]]
    lowered = [name.lower() for name in header]
    if "id" not in lowered:
        raise CourseError(f"{where}: row 1: no id column (the header names {len(header)} columns)")
    id_column = lowered.index("id")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(students) >= MAX_STUDENTS:
            raise CourseError(f"{where}: more than {MAX_STUDENTS} students")
        student_id = row[id_column].strip() if id_column < len(row) else ""
        problem = check_student_id(student_id)
        if problem is not None:
            shown = "" if not student_id else f" {student_id[:40]!r}"
            raise CourseError(f"{where}: row {number}: id{shown}: {problem}")
        folded = student_id.lower()
        if folded in seen:
            raise CourseError(
                f"{where}: row {number}: id {student_id!r}: a duplicate of row {seen[folded]}"
            )
        seen[folded] = number
        fields = tuple(
            (header[c], row[c].strip()[:MAX_FIELD_LENGTH])
            for c in range(min(len(header), len(row)))
            if c != id_column and header[c]
        )
        students.append(Student(id=student_id, fields=fields))
    if not students:
        raise CourseError(f"{where}: no students (only a header row)")
    return tuple(students)

"""Marking the returned worksheets: every student of the roster gets a row.

``RETURNED/<id>.xlsx`` is read for each student of the roster, never more
than :data:`MAX_RETURNED_BYTES` of it, and only when its zip unpacks to at most
:data:`MAX_UNPACKED_BYTES` (a zip bomb is refused before it is opened). Each
answer cell of :func:`~mlp_lecture.course.questions.answer_cells` is checked
against that student's own trace at the shown precision: an answer is right
when it rounds to the shown value, or is within half a unit of the last shown
digit. Answers must be typed values: a formula in an answer cell is refused
(its saved result is whatever the file claims, not a recalculation).

One bad file costs only its student: a file that is missing, not a workbook,
too large, carrying another student's id or a formula where an answer
belongs scores 0 with the reason in its ``note``; the others are still marked.
"""

from __future__ import annotations

import csv
import io
import math
import os
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture.course.course_file import Course, CourseError
from mlp_lecture.course.questions import GENERATION_CELL, ID_CELL, SHEET, Question, answer_cells
from mlp_lecture.course.sheet_layout import cell_name
from mlp_lecture.course.variants import MAX_GENERATION, student_lesson, student_trace
from mlp_lecture.course.worksheet import DRAW_PROPERTY, STUDENT_PROPERTY
from mlp_lecture.written_aside import written_aside
from mlpmath import resolve
from mlpmath.files import FileRefused, read_regular

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = [
    "FEEDBACK_MARK",
    "MAX_MEMBERS",
    "MAX_RETURNED_BYTES",
    "MAX_UNPACKED_BYTES",
    "GradeReport",
    "StudentGrade",
    "WrongAnswer",
    "check_answer",
    "feedback_text",
    "grade",
    "write_grades",
]

MAX_RETURNED_BYTES = 8 * 1024 * 1024  # a returned file; ours are about 20 kB
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # what its zip may unpack to
MAX_MEMBERS = 200  # files inside it
FEEDBACK_MARK = "mlp-lecture feedback"  # a feedback file's first words: ours to replace
MISSING = "missing"
EMPTY = "left empty"  # how an empty answer cell reads in the feedback


@dataclass(frozen=True)
class WrongAnswer:
    """An answer cell marked wrong: the question, and how the answer read."""

    question: Question
    given: str  # "left empty", "not a number", or the number as typed


@dataclass(frozen=True)
class StudentGrade:
    """One roster row's marks: per question 1 (right) or 0; all 0 when not marked."""

    id: str
    score: float  # from 0 to 1: the share of answer cells right
    marks: tuple[int, ...]  # in the order of ``GradeReport.questions``
    note: str  # "" when marked; else why not (``missing``, a refused file's reason)
    wrong: tuple[WrongAnswer, ...]


@dataclass(frozen=True)
class GradeReport:
    """The whole class: the questions (their cells) and each roster student's grade."""

    questions: tuple[Question, ...]
    students: tuple[StudentGrade, ...]
    strays: tuple[str, ...]  # other files in RETURNED: none is <id>.xlsx of the roster
    returned: Path  # the folder they were read from

    @property
    def problems(self) -> list[str]:
        """One line per file not marked (missing ones aside) and per file naming no one."""
        lines = [
            f"{self.returned / (s.id + '.xlsx')}: {s.note}; scored 0"
            for s in self.students
            if s.note and s.note != MISSING
        ]
        lines += [
            f"{self.returned / name}: not <id>.xlsx of a student of the roster; not marked"
            for name in self.strays
        ]
        return lines


class _Refused(Exception):
    """A returned file that is not marked; its message is the student's note."""


def grade(
    course: Course, returned_dir: str | Path, generations: Mapping[str, int] | None = None
) -> GradeReport:
    """Mark ``RETURNED/<id>.xlsx`` for every student of ``course``'s roster.

    ``generations`` gives each student's current draw (the course run's
    ``course.json`` records it); a worksheet of another draw is refused. Without
    it, the draw written in the file is used.

    Raises
    ------
    CourseError
        Only when ``returned_dir`` is not a folder; a bad file is a student's note.
    """
    folder = Path(returned_dir)
    if not folder.is_dir() or folder.is_symlink():
        raise CourseError(f"{folder}: not a folder of returned worksheets")
    roster = set(course.ids)
    # Every student's worksheet has the same cells (a variant changes numbers, not
    # sizes): the first student's questions are the class's columns.
    first = course.ids[0]
    columns = tuple(answer_cells(_trace(course, first, (generations or {}).get(first, 0))))
    grades: list[StudentGrade] = []
    for student_id in course.ids:
        expected_draw = None if generations is None else generations.get(student_id, 0)
        try:
            data = _read_returned(folder, student_id)
            cells = _read_cells(data, columns)
            grades.append(_mark(course, student_id, cells, roster, expected_draw, columns))
        except _Refused as refused:
            grades.append(_unmarked(student_id, len(columns), str(refused)))
    # Anything else handed in (Ada.xlsx, ada.ods, notes.txt) is listed, so it is not lost.
    expected = {f"{student_id}.xlsx" for student_id in roster}
    strays = tuple(
        sorted(
            entry.name
            for entry in os.scandir(folder)
            if entry.name not in expected and not entry.name.startswith(".")
        )
    )
    return GradeReport(questions=columns, students=tuple(grades), strays=strays, returned=folder)


def _trace(course: Course, student_id: str, generation: int) -> Trace:
    lesson, _ = student_lesson(course, student_id, generation)
    return student_trace(lesson)


def _unmarked(student_id: str, count: int, note: str) -> StudentGrade:
    return StudentGrade(id=student_id, score=0.0, marks=(0,) * count, note=note, wrong=())


def _returned_path(folder: Path, student_id: str) -> Path:
    """``folder/<id>.xlsx`` through the containment gate (no link on the way, no escape)."""
    try:
        from mlp_lecture.pipeline.safe_names import NameRefused, inside
    except ImportError:  # the gate's module not there: mlpmath's own check
        from mlpmath.files import inside as plain_inside

        try:
            return plain_inside(folder, f"{student_id}.xlsx")
        except FileRefused as error:
            raise _Refused(f"refused: {error}") from None
    try:
        return inside(folder, f"{student_id}.xlsx", source=folder, field="roster id")
    except NameRefused as error:
        raise _Refused(f"refused: {error}") from None


def _read_returned(folder: Path, student_id: str) -> bytes:
    path = _returned_path(folder, student_id)
    if not os.path.lexists(path):
        raise _Refused(MISSING)
    try:
        data = read_regular(path, MAX_RETURNED_BYTES)
    except FileRefused as error:
        raise _Refused(f"refused: {error}") from None
    except OSError as error:
        raise _Refused(f"refused: cannot read it ({error.strerror or error})") from None
    _check_zip(data)
    return data


def _check_zip(data: bytes) -> None:
    """Refuse what is not an xlsx zip, or unpacks to too much, before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _Refused("not a workbook (not an .xlsx file)") from None
    if len(members) > MAX_MEMBERS:
        raise _Refused(f"refused: {len(members)} files inside; a worksheet has about 10")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _Refused(
            f"refused: unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} "
            "allowed (a zip bomb?)"
        )
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _Refused("not a workbook (a zip file, but not an .xlsx workbook)")


@dataclass(frozen=True)
class _Cells:
    """What grading reads of a returned file: the values of the cells it needs, which of
    them hold formulas, and the document's custom properties."""

    values: dict[str, Any]
    formulas: frozenset[str]
    properties: dict[str, str]


def _read_cells(data: bytes, questions: tuple[Question, ...]) -> _Cells:
    """Read only the rows and columns the questions need, streaming (openpyxl's read-only
    mode): a sheet padded with a million cells costs no memory."""
    import openpyxl
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    wanted = {ID_CELL, GENERATION_CELL, *(q.cell for q in questions)}
    places = [coordinate_from_string(cell) for cell in wanted]
    last_row = max(row for _, row in places)
    last_col = max(column_index_from_string(col) for col, _ in places)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _Refused("not a workbook (it cannot be opened as .xlsx)") from None
    try:
        if SHEET not in workbook.sheetnames:
            raise _Refused(f"not a worksheet of this course (no sheet named {SHEET})")
        values: dict[str, Any] = {}
        formulas: set[str] = set()
        rows = workbook[SHEET].iter_rows(min_row=1, max_row=last_row, max_col=last_col)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                name = cell_name(r, c)
                if name not in wanted:
                    continue
                values[name] = cell.value
                if _is_formula(cell):
                    formulas.add(name)
        properties = {
            item.name: _text(item.value)
            for item in getattr(workbook, "custom_doc_props", [])
            if item.name in (STUDENT_PROPERTY, DRAW_PROPERTY)
        }
    except _Refused:
        raise
    except Exception:
        raise _Refused("not a workbook (its sheet cannot be read)") from None
    finally:
        workbook.close()
    return _Cells(values, frozenset(formulas), properties)


def _mark(
    course: Course,
    student_id: str,
    cells: _Cells,
    roster: set[str],
    expected_draw: int | None,
    columns: tuple[Question, ...],
) -> StudentGrade:
    _check_owner(cells, student_id, roster)
    draw = _draw(cells, expected_draw)
    trace = _trace(course, student_id, draw)
    questions = tuple(answer_cells(trace))
    if [q.key for q in questions] != [q.key for q in columns]:  # pragma: no cover
        raise CourseError(f"{student_id}: the worksheet's questions differ from the class's")
    formulas = [q.cell for q in questions if q.cell in cells.formulas]
    if formulas:
        shown = ", ".join(formulas[:5]) + (" ..." if len(formulas) > 5 else "")
        raise _Refused(
            f"formulas where answers belong ({len(formulas)}: {shown}); type the numbers"
        )
    marks: list[int] = []
    wrong: list[WrongAnswer] = []
    names = {name: k for k, name in enumerate(trace.network.class_names)}
    for question in questions:
        answer = cells.values.get(question.cell)
        if question.path.startswith("network.predicted_classes") and answer in names:
            answer = names[answer]  # a predicted class typed by its name
        expected = resolve(trace, question.path)
        right = check_answer(answer, expected, question.decimals)
        marks.append(int(right))
        if not right:
            wrong.append(WrongAnswer(question, _as_typed(answer)))
    score = sum(marks) / len(marks) if marks else 0.0
    return StudentGrade(student_id, score, tuple(marks), "", tuple(wrong))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_owner(cells: _Cells, student_id: str, roster: set[str]) -> None:
    """The id in ``B2`` must be the student's, and so the document property when present."""
    claims = [_text(cells.values.get(ID_CELL))]
    if STUDENT_PROPERTY in cells.properties:
        claims.append(cells.properties[STUDENT_PROPERTY])
    for claim in claims:
        if claim == student_id:
            continue
        if not claim:
            raise _Refused(f"the student id cell {ID_CELL} is empty")
        if claim in roster:
            raise _Refused(f"carries another student's id ({claim})")
        raise _Refused("carries an id that is not this student's")


def _draw(cells: _Cells, expected: int | None) -> int:
    """The draw the file is of: the course's record when given (another is refused)."""
    claimed = cells.values.get(GENERATION_CELL)
    if isinstance(claimed, float) and claimed.is_integer():
        claimed = int(claimed)
    text = cells.properties.get(DRAW_PROPERTY, "")
    if text.isdigit() and int(text) != claimed:
        raise _Refused(f"its draw in {GENERATION_CELL} was changed")
    if type(claimed) is not int or not 0 <= claimed <= MAX_GENERATION:
        raise _Refused(f"the draw cell {GENERATION_CELL} is not a draw number")
    if expected is not None and claimed != expected:
        raise _Refused(f"a worksheet of draw {claimed}; the student's numbers are draw {expected}")
    return claimed


def _is_formula(cell: Any) -> bool:
    value = cell.value
    return cell.data_type == "f" or (isinstance(value, str) and value.lstrip().startswith("="))


def _number(answer: Any) -> float | None:
    """An answer as a number: a number, TRUE/FALSE as 1/0, or text of a number."""
    if isinstance(answer, bool):
        return float(answer)
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, str):
        text = answer.strip().replace("\u2212", "-").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma typed as text
        try:
            return float(Decimal(text))
        except (InvalidOperation, ValueError):
            return None
    return None


def _as_typed(answer: Any) -> str:
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return EMPTY
    number = _number(answer)
    if number is None or not math.isfinite(number):
        return "not a number"
    return repr(number)


def check_answer(answer: Any, expected: float, decimals: int) -> bool:
    """Whether ``answer`` is ``expected`` at ``decimals`` places: it rounds to the shown
    value, or is within half a unit of the last shown digit."""
    number = _number(answer)
    if number is None or not math.isfinite(number) or not math.isfinite(float(expected)):
        return False
    expected = float(expected)
    if f"{number:.{decimals}f}" == f"{expected:.{decimals}f}":
        return True
    half = 0.5 * 10.0**-decimals
    return abs(number - expected) <= half * (1 + 1e-9)


# -- writing ---------------------------------------------------------------------------


def write_grades(
    report: GradeReport, out_csv: str | Path, feedback_dir: str | Path | None = None
) -> Path:
    """``out_csv`` (a row per roster student: id, score, a column per answer cell, note) and
    a feedback file ``<id>.txt`` per student in ``feedback_dir`` (default: ``feedback/``
    beside ``out_csv``). Returns ``out_csv``.

    A file already there is replaced only when it is ours (a grades file with the
    same header, a feedback file that starts with :data:`FEEDBACK_MARK`);
    ``CourseError`` otherwise, before anything is written.
    """
    out_csv = Path(out_csv)
    feedback_dir = out_csv.parent / "feedback" if feedback_dir is None else Path(feedback_dir)
    header = ["id", "score", *(q.key for q in report.questions), "note"]
    _check_ours(out_csv, lambda text: text.split("\n", 1)[0].strip() == ",".join(header))
    feedback = {s.id: feedback_dir / f"{s.id}.txt" for s in report.students}
    for path in feedback.values():
        _check_ours(path, lambda text: text.startswith(FEEDBACK_MARK))
    rows = io.StringIO(newline="")
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(header)
    for student in report.students:
        score = f"{student.score:.4f}".rstrip("0").rstrip(".") or "0"
        writer.writerow([student.id, score, *student.marks, student.note])
    _write_aside(out_csv, rows.getvalue())
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for student in report.students:
        _write_aside(feedback[student.id], feedback_text(student, len(report.questions)))
    return out_csv


def feedback_text(student: StudentGrade, count: int) -> str:
    """The student's feedback: their score, and each wrong cell with the cells it uses."""
    right = sum(student.marks)
    lines = [f"{FEEDBACK_MARK} for {student.id}: {right} of {count} answers right"]
    if student.note == MISSING:
        lines.append("No worksheet was returned.")
    elif student.note:
        lines.append(f"Not marked: {student.note}.")
    empty = [wrong.question.cell for wrong in student.wrong if wrong.given == EMPTY]
    if student.wrong and len(empty) == len(student.wrong) == count:
        lines.append("Every answer cell was left empty.")
    else:
        for wrong in student.wrong:
            if wrong.given == EMPTY:
                continue
            q = wrong.question
            uses = f"; it is computed from {', '.join(q.depends_on)}" if q.depends_on else ""
            lines.append(f"{q.cell} ({q.label}; {q.section}): {wrong.given}, not right{uses}")
        if empty:
            lines.append(f"Left empty ({len(empty)}): {', '.join(empty)}")
    if not student.note and not student.wrong:
        lines.append("Every answer is right.")
    return "\n".join(lines) + "\n"


def _check_ours(path: Path, ours: Any) -> None:
    if not os.path.lexists(path):
        return
    try:
        text = read_regular(path, 4 * MAX_RETURNED_BYTES).decode("utf-8", errors="replace")
    except (FileRefused, OSError):
        text = ""
    if not ours(text):
        raise CourseError(
            f"{path}: already there and not written by mlp-lecture grade; not replaced"
        )


def _write_aside(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with written_aside(path) as partial:
        partial.write_text(text, encoding="utf-8")

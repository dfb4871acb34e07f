"""``DIR/course.json``: what a ``course`` run wrote, student by student (its one owner).

It lists every student's files with their sha256, the variant each was drawn
as (its generation: ``--redraw`` adds one), and the key the lesson was drawn
from. It is what proves a file in ``DIR`` is ours (so a re-run may replace it)
and complete (so a re-run reuses it). It is the teacher's: it records a hash of
the course's seed with each student's id, so it is not handed to students.

Every name read back from it passes the containment gate
(``mlp_lecture.pipeline.safe_names``) before anything uses it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlp_lecture.pipeline.safe_names import check_name, check_names
from mlp_lecture.written_aside import write_text_aside
from mlpmath.files import FileRefused, read_regular

__all__ = [
    "COURSE_JSON",
    "FORMAT",
    "MAX_COURSE_JSON_BYTES",
    "CourseRecord",
    "CourseRecordError",
    "StudentRecord",
    "read_course_record",
]

COURSE_JSON = "course.json"
FORMAT = "mlp-lecture course"
VERSION = 1
MAX_COURSE_JSON_BYTES = 64 * 1024 * 1024  # 5000 students of a few kB each, with room


class CourseRecordError(ValueError):
    """A ``course.json`` that cannot be read as ours: one line naming the file and the field."""


@dataclass
class StudentRecord:
    """One student's outputs: their files by sha256, and how their variant was drawn.

    ``pending`` lists files being moved into the student's folder with their
    sha256 (set before the move, cleared after): a run killed in between leaves
    files a later run can still prove are its own.
    """

    generation: int = 0
    drawn: str = ""  # the hash of what the lesson was drawn from (seed, base, vary, id, generation)
    variant: dict[str, Any] = field(default_factory=dict)  # course-data's VariantRecord
    lesson: str = ""  # sha256 of lesson.toml
    files: dict[str, str] = field(default_factory=dict)  # name in DIR/<id>/ -> sha256
    made_from: dict[str, str] = field(default_factory=dict)  # name -> the lesson's sha256 then
    pending: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "drawn": self.drawn,
            "variant": self.variant,
            "lesson": self.lesson,
            "files": self.files,
            "made_from": self.made_from,
            "pending": self.pending,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> StudentRecord:
        if not isinstance(data, dict):
            raise CourseRecordError(f"{where}: not an object")
        generation = data.get("generation", 0)
        if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
            raise CourseRecordError(f"{where}.generation: not a whole number >= 0")
        texts = {}
        for key in ("drawn", "lesson"):
            value = data.get(key, "")
            if not isinstance(value, str):
                raise CourseRecordError(f"{where}.{key}: not text")
            texts[key] = value
        variant = data.get("variant", {})
        if not isinstance(variant, dict):
            raise CourseRecordError(f"{where}.variant: not an object")
        maps = {}
        for key in ("files", "made_from", "pending"):
            value = data.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise CourseRecordError(f"{where}.{key}: not an object of names to hashes")
            check_names(value, source=where, field=key)
            maps[key] = dict(value)
        return cls(generation, texts["drawn"], variant, texts["lesson"], **maps)


@dataclass
class CourseRecord:
    """Every student's record, the options clips were rendered with, and the work folders.

    ``work`` names this run's temporary folders in ``DIR`` (a later run removes
    only those it finds named here).
    """

    students: dict[str, StudentRecord] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    work: list[str] = field(default_factory=list)

    def student(self, student_id: str) -> StudentRecord:
        return self.students.setdefault(student_id, StudentRecord())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "options": self.options,
            "work": self.work,
            "students": {sid: record.to_json() for sid, record in self.students.items()},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Any, where: str) -> CourseRecord:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CourseRecordError(f"{where}: not a course record of mlp-lecture")
        if data.get("version") != VERSION:
            raise CourseRecordError(f"{where}: version: expected {VERSION}")
        options = data.get("options", {})
        work = data.get("work", [])
        students = data.get("students", {})
        if not isinstance(options, dict):
            raise CourseRecordError(f"{where}: options: not an object")
        if not isinstance(work, list):
            raise CourseRecordError(f"{where}: work: not a list")
        if not isinstance(students, dict):
            raise CourseRecordError(f"{where}: students: not an object")
        check_names(work, source=where, field="work")
        records = {}
        for student_id, entry in students.items():
            check_name(student_id, source=where, field="students")
            if "/" in student_id:
                raise CourseRecordError(f"{where}: students: {student_id!r} is not one folder")
            records[student_id] = StudentRecord.from_json(entry, f"{where}: {student_id}")
        return cls(records, options, list(work))

    def save(self, out_dir: Path) -> None:
        """Write ``DIR/course.json`` all at once: written aside, then moved in."""
        write_text_aside(out_dir / COURSE_JSON, self.dumps(), prefix=".course-")


def read_course_record(out_dir: Path) -> CourseRecord | None:
    """``DIR/course.json`` (None when there is none); ``CourseRecordError`` (one line)
    for one that is not ours, too large, or names a file outside its folder."""
    path = out_dir / COURSE_JSON
    if not os.path.lexists(path):
        return None
    try:
        data = json.loads(read_regular(path, MAX_COURSE_JSON_BYTES))
    except (FileRefused, OSError, ValueError) as error:
        raise CourseRecordError(f"{path}: {error}") from None
    return CourseRecord.from_json(data, str(path))

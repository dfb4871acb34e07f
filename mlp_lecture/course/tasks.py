"""The course's task functions, as any ``Executor`` engine runs them (a Dask worker too).

Pure in the sense ``mlp_lecture.pipeline.executor`` asks: a task writes into a
fresh folder of its own inside the run's work folder and returns the files'
paths and sha256, never their bytes; the run (``run.py``) moves them into
place. Run twice, it writes a second fresh folder: nothing is half-written.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlp_lecture.pipeline.manifest import file_sha256

__all__ = ["WORKBOOKS", "WorkbookTask", "WrittenFile", "write_workbooks"]

WORKSHEET = "worksheet.xlsx"
KEY = "key.xlsx"
WORKBOOKS = (WORKSHEET, KEY)  # what a workbook task writes for each student


@dataclass(frozen=True)
class WorkbookTask:
    """One student's worksheet and key: their lesson's text, and where to write aside."""

    student: str
    lesson_source: str
    work: str  # the run's work folder: the task makes a fresh folder inside it
    generation: int = 0  # the draw: the worksheet records it, the grading holds returns to it


@dataclass(frozen=True)
class WrittenFile:
    """A file a task wrote aside: its final name, where it is now, and its sha256."""

    name: str
    path: str
    sha256: str


def write_workbooks(task: WorkbookTask) -> list[WrittenFile]:
    """Write ``task.student``'s worksheet and answer key aside; return where and their hashes."""
    from mlp_lecture.course.worksheet import write_key, write_worksheet
    from mlpmath import compute_trace, parse_lesson

    lesson = parse_lesson(task.lesson_source, name=task.student)
    trace = compute_trace(lesson)
    folder = Path(tempfile.mkdtemp(prefix=f"{task.student}-", dir=task.work))
    write_worksheet(trace, folder / WORKSHEET, task.student, task.generation)
    write_key(trace, folder / KEY)
    return [WrittenFile(name, str(folder / name), file_sha256(folder / name)) for name in WORKBOOKS]

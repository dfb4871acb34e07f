"""``mlp-lecture course``: every student's lesson, worksheet, key and clips, on one engine.

``run_course`` writes, for each student of the roster, ``DIR/<id>/``:
``lesson.toml`` (drawn here, in this process: cheap), ``worksheet.xlsx`` and
``key.xlsx`` (one task per student), and with scenes ``clips/``, a render
directory ``verify`` passes (one task per student and scene). Tasks run on an
``Executor`` (Dask, or the local pool), each writing into a fresh folder of its
own and returning paths and hashes; this process moves the files into place
and records them in ``DIR/course.json`` after each task, so:

- **a re-run reuses what is complete**: a file whose sha256 is the recorded one
  and was made from the student's current lesson, a clip whose render key is
  unchanged (the render manifest's own cache);
- **a killed run resumes** with only the missing work: nothing is ever
  half-written in place, and files moved in but not yet recorded are proved
  ours by their hashes listed as pending before the move;
- **a dead worker loses nothing**: its task runs again (the engine's retry);
- **``redraw``** draws a student's variant again (generation + 1, recorded),
  the others are left as they are;
- **nothing of the user's is overwritten**: a non-empty ``DIR`` with no
  ``course.json`` of ours is refused, and so is a file in a student's folder
  that is neither recorded nor carries mlp-lecture's mark.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from mlp_lecture.course.course_file import Course, CourseError
from mlp_lecture.course.course_json import (
    COURSE_JSON,
    CourseRecord,
    CourseRecordError,
    StudentRecord,
    read_course_record,
)
from mlp_lecture.course.tasks import WORKBOOKS, WorkbookTask, WrittenFile, write_workbooks
from mlp_lecture.pipeline.directory import OutputDirectory, hold_directory
from mlp_lecture.pipeline.executor import Executor
from mlp_lecture.pipeline.executor_tasks import render_aside
from mlp_lecture.pipeline.keys import digest, lesson_hash, scene_key
from mlp_lecture.pipeline.manifest import file_sha256
from mlp_lecture.pipeline.options import QUALITIES, RenderError, RenderOptions
from mlp_lecture.pipeline.ownership import check_out_dir, check_replaceable
from mlp_lecture.pipeline.safe_names import inside, rmtree_inside
from mlp_lecture.pipeline.worker import SceneOutput, SceneTask
from mlp_lecture.written_aside import write_text_aside
from mlpmath import Lesson, cached_trace, parse_lesson
from scenes import LECTURE_ORDER

__all__ = [
    "CLIPS",
    "LESSON_FILE",
    "CourseObserver",
    "CourseOptions",
    "CourseReport",
    "TaskFailure",
    "run_course",
]

LESSON_FILE = "lesson.toml"
CLIPS = "clips"  # DIR/<id>/clips/: the student's render directory
WORK_PREFIX = ".course-work-"


@dataclass(frozen=True)
class CourseOptions:
    """What a course run is asked for (the CLI's options)."""

    out_dir: Path
    scenes: tuple[str, ...] = ()  # lecture order; empty: no clips
    quality: str = "low"
    redraw: tuple[str, ...] = ()  # students whose variant is drawn again


@dataclass(frozen=True)
class TaskFailure:
    """A task that failed for good: whose, what (a scene, or ``workbooks``), and why."""

    student: str
    what: str
    error: str
    details: str | None = None


@dataclass
class CourseReport:
    """What a course run did: counts of work done and reused, and what failed."""

    out_dir: Path
    students: int = 0
    drawn: int = 0  # lessons drawn (new, redrawn or changed course) in this run
    workbooks: int = 0  # students whose workbooks were written in this run
    clips: int = 0  # scenes rendered in this run
    reused_workbooks: int = 0
    reused_clips: int = 0
    failures: list[TaskFailure] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = ""  # the executor's name, "" when nothing had to run


class CourseObserver:
    """Hears how a course run goes (the CLI draws its progress display from it)."""

    def planned(self, students: int, workbooks: int, clips: int) -> None:
        """Work to do: ``students`` with something missing, their workbook and clip tasks."""

    def finished(self, student: str, what: str, ok: bool) -> None:
        """A task ended: ``what`` is ``workbooks`` or a scene's name."""

    def student_done(self, student: str) -> None:
        """Every task of ``student`` in this run has ended."""


@dataclass
class _Student:
    """A student during a run: their lesson, record, folder and open render directory."""

    id: str
    lesson: Lesson
    record: StudentRecord
    folder: Path
    clips: OutputDirectory | None = None
    keys: dict[str, str] = field(default_factory=dict)
    outstanding: int = 0


def run_course(
    course: Course,
    options: CourseOptions,
    executor: Callable[[], Executor],
    observer: CourseObserver | None = None,
) -> CourseReport:
    """Write every student's files into ``options.out_dir``; return what was done.

    ``executor`` starts the engine; it is called only when some task must run.
    Raises ``CourseError`` or ``RenderError`` (one line, before anything is
    written) for a ``DIR`` or file that is not ours, or a ``redraw`` id that is
    not on the roster. A task that fails is reported, the others still run.
    """
    observer = observer or CourseObserver()
    started = time.perf_counter()
    out_dir = options.out_dir
    if options.quality not in QUALITIES:
        raise RenderError(f"--quality: choose from {', '.join(QUALITIES)}")
    unknown = [sid for sid in options.redraw if sid not in course.ids]
    if unknown:
        raise CourseError(f"--redraw: {unknown[0]!r} is not on the roster {course.roster_path}")
    if COURSE_JSON in course.ids:  # DIR/<id>/ would be the record itself
        raise CourseError(f"{course.roster_path}: id: {COURSE_JSON!r} names the course's record")
    record = _take_over(out_dir)
    record.options = {"quality": options.quality, "scenes": list(options.scenes)}
    report = CourseReport(out_dir, students=len(course.students))
    with ExitStack() as stack:
        stack.enter_context(hold_directory(out_dir))
        work = _work_folder(out_dir, record)
        stack.callback(_drop_work_folder, out_dir, record, work)
        students = [_prepare(course, record, out_dir, sid, options, report) for sid in course.ids]
        record.save(out_dir)
        tasks = _plan(students, options, work, stack, report)
        students_with_work = {student.id for student, _, _ in tasks}
        clips = sum(1 for _, what, _ in tasks if what != "workbooks")
        observer.planned(len(students_with_work), len(tasks) - clips, clips)
        if tasks:
            engine = stack.enter_context(executor())
            report.engine = engine.name
            _run(engine, tasks, record, out_dir, report, observer)
    report.seconds = time.perf_counter() - started
    return report


# -- the output directory ----------------------------------------------------------


def _take_over(out_dir: Path) -> CourseRecord:
    """``DIR``'s record, or a new one for a new or empty ``DIR``; refuse any other."""
    try:
        record = read_course_record(out_dir)
    except CourseRecordError as error:
        raise CourseError(f"{error}; choose another --out") from None
    if record is None:
        try:
            check_out_dir(out_dir)
        except RenderError:
            raise CourseError(
                f"{out_dir}: not empty and holds no {COURSE_JSON} of mlp-lecture; "
                "choose another --out"
            ) from None
        out_dir.mkdir(parents=True, exist_ok=True)
        record = CourseRecord()
    return record


def _work_folder(out_dir: Path, record: CourseRecord) -> Path:
    """A fresh work folder in ``DIR``, recorded; a killed run's recorded ones are removed."""
    for name in record.work:
        if name.startswith(WORK_PREFIX):
            rmtree_inside(out_dir, name, source=out_dir / COURSE_JSON, field="work")
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=out_dir))
    record.work = [work.name]
    record.save(out_dir)
    return work


def _drop_work_folder(out_dir: Path, record: CourseRecord, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    record.work = []
    record.save(out_dir)


def _is_ours(path: Path, recorded: Sequence[str], kind: str) -> bool:
    """Whether the file at ``path`` may be replaced: absent, a recorded hash, or our mark."""
    if not os.path.lexists(path):
        return True
    if path.is_file() and not path.is_symlink() and file_sha256(path) in recorded:
        return True
    try:
        check_replaceable(path, kind)
    except RenderError:
        return False
    return True


def _refuse_unless_ours(path: Path, record: StudentRecord, kind: str) -> None:
    name = path.name
    recorded = [h for h in (record.files.get(name), record.pending.get(name)) if h]
    if name == LESSON_FILE and record.lesson:
        recorded.append(record.lesson)
    if not _is_ours(path, recorded, kind):
        raise CourseError(
            f"{path}: exists and is not a file this course wrote; move it away or choose "
            "another --out"
        )


def _move_in(out_dir: Path, student: _Student, record: CourseRecord, files: list[WrittenFile]):
    """Move files written aside into the student's folder: listed as pending first."""
    mine = student.record
    for written in files:
        _refuse_unless_ours(student.folder / written.name, mine, "workbook")
    mine.pending = {written.name: written.sha256 for written in files}
    record.save(out_dir)
    for written in files:
        target = inside(student.folder, written.name, source=out_dir / COURSE_JSON, field="files")
        os.chmod(written.path, 0o644)
        os.replace(written.path, target)
        mine.files[written.name] = written.sha256
        mine.made_from[written.name] = mine.lesson
    mine.pending = {}
    record.save(out_dir)


# -- planning ----------------------------------------------------------------------


def _prepare(
    course: Course,
    record: CourseRecord,
    out_dir: Path,
    sid: str,
    options: CourseOptions,
    report: CourseReport,
) -> _Student:
    """The student's lesson: the recorded one when still current, else drawn and written."""
    mine = record.student(sid)
    if sid in options.redraw:
        mine.generation += 1
    folder = out_dir / sid
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise CourseError(f"{folder}: not a folder of this course (a link or a file); move it away")
    folder.mkdir(exist_ok=True)
    drawn = digest([course.seed, course.base.source, vars(course.vary), sid, mine.generation])
    lesson_path = folder / LESSON_FILE
    if mine.drawn == drawn and _complete(lesson_path, mine.lesson):
        text = lesson_path.read_text(encoding="utf-8")
        return _Student(sid, parse_lesson(text, name=sid), mine, folder)
    from mlp_lecture.course.variants import student_lesson

    lesson, variant = student_lesson(course, sid, mine.generation)
    _refuse_unless_ours(lesson_path, mine, "lesson")
    sha = _text_sha256(lesson.source)
    mine.pending = {LESSON_FILE: sha}
    record.save(out_dir)
    write_text_aside(lesson_path, lesson.source, prefix=".lesson-")
    mine.drawn, mine.lesson, mine.variant, mine.pending = drawn, sha, variant.to_json(), {}
    mine.files[LESSON_FILE] = sha
    report.drawn += 1
    return _Student(sid, lesson, mine, folder)


def _text_sha256(text: str) -> str:
    """The sha256 of ``text``'s UTF-8 bytes: the hash of the file it is written as."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _complete(path: Path, sha256: str | None) -> bool:
    """Whether ``path`` is a regular file whose sha256 is ``sha256``."""
    if not sha256 or path.is_symlink() or not path.is_file():
        return False
    try:
        return file_sha256(path) == sha256
    except OSError:
        return False


_Task = tuple[_Student, str, object]  # (student, "workbooks" or a scene, the task's argument)


def _plan(
    students: list[_Student],
    options: CourseOptions,
    work: Path,
    stack: ExitStack,
    report: CourseReport,
) -> list[_Task]:
    """Every task still to run: workbooks not complete, clips not rendered with this key."""
    tasks: list[_Task] = []
    render = RenderOptions(quality=options.quality)
    modules = dict(LECTURE_ORDER)
    for student in students:
        mine = student.record
        if all(
            _complete(student.folder / name, mine.files.get(name))
            and mine.made_from.get(name) == mine.lesson
            for name in WORKBOOKS
        ):
            report.reused_workbooks += 1
        else:
            task = WorkbookTask(student.id, student.lesson.source, str(work), mine.generation)
            tasks.append((student, "workbooks", task))
            student.outstanding += 1
        if not options.scenes:
            continue
        clips_dir = student.folder / CLIPS
        try:
            check_out_dir(clips_dir)
        except RenderError:
            raise CourseError(
                f"{clips_dir}: not empty and no render directory of mlp-lecture; move it away"
            ) from None
        trace = cached_trace(student.lesson)
        lesson_digest = lesson_hash(trace)
        student.keys = {
            name: scene_key(name, modules[name], lesson_digest, render) for name in options.scenes
        }
        clips_dir.mkdir(exist_ok=True)
        stack.enter_context(hold_directory(clips_dir))
        directory = OutputDirectory(clips_dir, student.lesson, lesson_digest, render)
        directory.start(list(options.scenes))
        stack.callback(directory.close)
        student.clips = directory
        _record_clips(student)
        lesson_file: Path | None = None
        for name in options.scenes:
            entry = directory.entries.get(name)
            if entry and entry.key == student.keys[name] and entry.complete_in(clips_dir):
                report.reused_clips += 1
                continue
            if lesson_file is None:
                (directory.work / "lesson").mkdir()
                lesson_file = directory.work / "lesson" / f"{student.id}.toml"
                lesson_file.write_text(student.lesson.source, encoding="utf-8")
            scene_work = directory.work / name
            scene_work.mkdir()
            scene = SceneTask(
                scene=name,
                module=modules[name],
                work=str(scene_work),
                lesson_file=str(lesson_file),
                quality=QUALITIES[options.quality],
            )
            tasks.append((student, name, scene))
            student.outstanding += 1
    return tasks


def _record_clips(student: _Student) -> None:
    """The student's record lists their clips' files with the render manifest's hashes."""
    mine = student.record
    for name in [name for name in mine.files if name.startswith(f"{CLIPS}/")]:
        del mine.files[name]
    if student.clips is None:
        return
    for entry in student.clips.manifest.scenes:
        for name, sha in entry.sha256.items():
            mine.files[f"{CLIPS}/{name}"] = sha


# -- running -----------------------------------------------------------------------


def _run(
    engine: Executor,
    tasks: list[_Task],
    record: CourseRecord,
    out_dir: Path,
    report: CourseReport,
    observer: CourseObserver,
) -> None:
    by_key: dict[str, tuple[_Student, str]] = {}
    # Workbooks first (seconds each), then clips: a teacher can hand out sheets early.
    for student, what, argument in sorted(tasks, key=lambda task: task[1] != "workbooks"):
        key = f"{student.id}/{what}"
        by_key[key] = (student, what)
        if what == "workbooks":
            engine.submit(write_workbooks, argument, key=key, retries=2)
        else:
            engine.submit(render_aside, argument, key=key, retries=2)
    for outcome in engine.as_completed():
        student, what = by_key[outcome.key]
        if not outcome.ok:
            report.failures.append(
                TaskFailure(student.id, what, outcome.error or "", outcome.details)
            )
        elif what == "workbooks":
            _move_in(out_dir, student, record, outcome.result)
            report.workbooks += 1
        else:
            _publish_clip(student, what, outcome.result)
            record.save(out_dir)
            report.clips += 1
        observer.finished(student.id, what, outcome.ok)
        student.outstanding -= 1
        if student.outstanding == 0:
            observer.student_done(student.id)


def _publish_clip(student: _Student, scene: str, output: SceneOutput) -> None:
    directory = student.clips
    assert directory is not None, "a clip task belongs to a student with a render directory"
    directory.publish(output, student.keys[scene])
    shutil.rmtree(directory.work / scene, ignore_errors=True)
    _record_clips(student)

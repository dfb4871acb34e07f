"""``course`` and ``grade``: a course's per-student outputs, and marking what comes back.

``course`` runs its tasks on the local pool of ``--workers`` (the embedded
default: a Dask ``LocalCluster`` cost 1.26x its CPU on a cold render,
``bench/README.md``), on a Dask ``LocalCluster`` (``--engine dask``), or on a
running Dask cluster (``--scheduler``); ``render`` and ``slides`` take
``--scheduler`` too (:func:`add_scheduler_argument`, :func:`scheduled`).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture.commands.common import UserError, os_error, positive

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands
    from mlp_lecture.pipeline.executor import Executor

__all__ = [
    "CourseDisplay",
    "add_parsers",
    "add_scheduler_argument",
    "course_command",
    "grade_command",
    "scheduled",
    "scheduler_executor",
]

DEFAULT_OUT = "renders/courses/COURSE"


def add_scheduler_argument(command: argparse.ArgumentParser) -> None:
    """``--scheduler ADDRESS``: run the command's tasks on a running Dask cluster."""
    command.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://host:8786); "
        "its workers must run this project and see the output directory at the same path",
    )


def scheduler_executor(address: str | None) -> Executor | None:
    """The Dask executor at ``address`` (None: none asked for); one line if it does not answer."""
    if address is None:
        return None
    from mlp_lecture.pipeline.executor import ExecutorError, open_executor
    from mlp_lecture.pipeline.executor_tasks import MANIM_PRELOAD

    try:
        return open_executor(scheduler=address, preload=MANIM_PRELOAD)
    except ExecutorError as error:
        raise UserError(str(error)) from None


@contextmanager
def scheduled(address: str | None) -> Iterator[Executor | None]:
    """The Dask executor at ``address`` for the ``with`` block, closed after it (None: none).

    What ``render`` and ``slides`` do with ``--scheduler``: one place opens the
    cluster's executor and closes it however the block ends.
    """
    executor = scheduler_executor(address)
    if executor is None:
        yield None
        return
    with executor:
        yield executor


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``course`` and ``grade``."""
    course = subcommands.add_parser(
        "course",
        help="every student of a course their own lesson, worksheet, key (and clips)",
        description="For each student of COURSE.toml's roster, write DIR/<id>/lesson.toml, "
        "worksheet.xlsx and key.xlsx (and with --scenes, DIR/<id>/clips/, a render directory), "
        "and DIR/course.json listing them with their sha256. A re-run reuses what is complete "
        "and resumes a run that was stopped.",
    )
    course.add_argument("course", type=Path, help="the course file (course.toml)")
    course.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT})")
    where = course.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=positive, help="local worker processes (default: one per core)"
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask cluster's scheduler (tcp://host:8786); its workers must run this "
        "project and see DIR at the same path",
    )
    course.add_argument(
        "--engine",
        choices=["pool", "dask"],
        default="pool",
        help="what runs the tasks without --scheduler: mlp-lecture's own worker pool "
        "(default) or a Dask LocalCluster",
    )
    scenes = course.add_mutually_exclusive_group()
    scenes.add_argument("--scenes", help="comma-separated scenes to render for each student")
    scenes.add_argument(
        "--all-scenes", action="store_true", help="render every scene for each student"
    )
    course.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low")
    course.add_argument(
        "--redraw",
        metavar="ID",
        action="append",
        default=[],
        help="draw this student's variant again (its generation + 1); repeatable",
    )
    course.add_argument("--verbose", action="store_true", help="tracebacks of failed tasks")
    course.set_defaults(run=course_command)

    grade = subcommands.add_parser(
        "grade",
        help="mark returned worksheets: grades.csv and a feedback file per student",
        description="Read RETURNED/<id>.xlsx for each student of COURSE.toml's roster, check "
        "every answer cell against that student's numbers, and write grades.csv (a row per "
        "student) and a feedback file per student.",
    )
    grade.add_argument("course", type=Path, help="the course file (course.toml)")
    grade.add_argument("returned", type=Path, help="the folder of returned <id>.xlsx files")
    grade.add_argument(
        "--out", type=Path, default=Path("grades.csv"), help="grades file (default: grades.csv)"
    )
    grade.add_argument(
        "--feedback", type=Path, help="folder of feedback files (default: feedback/ beside --out)"
    )
    grade.add_argument(
        "--course-out",
        type=Path,
        metavar="DIR",
        help="the course run's folder: its course.json says each student's current draw, and "
        "a worksheet of an older draw is refused (default: "
        f"{DEFAULT_OUT} when it holds one; else the draw the file names)",
    )
    grade.set_defaults(run=grade_command)


def _load(path: Path) -> Any:
    from mlp_lecture.course.course_file import CourseError, load_course

    try:
        return load_course(path)
    except CourseError as error:
        raise UserError(str(error)) from None


def course_command(args: argparse.Namespace) -> int:
    """``mlp-lecture course``: every student's files in DIR, on Dask or the local pool."""
    from mlp_lecture.course.course_file import CourseError
    from mlp_lecture.course.run import CourseOptions, run_course
    from mlp_lecture.pipeline.executor import ExecutorError, open_executor
    from mlp_lecture.pipeline.executor_tasks import MANIM_PRELOAD
    from mlp_lecture.pipeline.options import RenderError, select_scenes

    course = _load(args.course)
    scenes: list[str] = []
    if args.scenes or args.all_scenes:
        try:
            scenes = select_scenes(None if args.all_scenes else args.scenes)
        except ValueError as error:
            raise UserError(str(error)) from None
    out_dir = args.out or _default_out(args.course)
    options = CourseOptions(out_dir, tuple(scenes), args.quality, tuple(args.redraw))
    preload = MANIM_PRELOAD if scenes else ()

    def engine() -> Executor:
        return open_executor(
            workers=args.workers, scheduler=args.scheduler, engine=args.engine, preload=preload
        )

    from rich.console import Console

    display = CourseDisplay(Console(stderr=True))
    try:
        with ExitStack() as stack:
            if args.scheduler is not None:  # a cluster that does not answer: said before any work
                running = stack.enter_context(engine())

                def engine() -> Executor:
                    return running

            with display, _terminate_as_interrupt():
                report = run_course(course, options, engine, display)
    except (CourseError, RenderError, ExecutorError) as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise os_error(error) from None
    except KeyboardInterrupt:
        print(
            f"mlp-lecture: interrupted; finished work is kept in {out_dir}, "
            "run the same command again to do the rest",
            file=sys.stderr,
        )
        return 130
    for failure in report.failures:
        if args.verbose and failure.details:
            print(failure.details, file=sys.stderr)
        print(
            f"mlp-lecture: {failure.student}: {failure.what} failed: {failure.error}",
            file=sys.stderr,
        )
    engine_name = f" on {report.engine}" if report.engine else ""
    print(
        f"{out_dir}: {report.students} student(s); lessons drawn {report.drawn}; "
        f"workbooks written {report.workbooks}, reused {report.reused_workbooks}; "
        f"clips rendered {report.clips}, reused {report.reused_clips}; "
        f"{len(report.failures)} failed{engine_name} in {report.seconds:.1f} s"
    )
    return 1 if report.failures else 0


def grade_command(args: argparse.Namespace) -> int:
    """``mlp-lecture grade``: grades.csv and feedback for every student of the roster."""
    from mlp_lecture.course import grading
    from mlp_lecture.course.course_file import CourseError
    from mlp_lecture.course.course_json import CourseRecordError, read_course_record
    from mlp_lecture.pipeline.options import RenderError

    course = _load(args.course)
    course_out = args.course_out or _default_out(args.course)
    try:
        record = read_course_record(course_out)
    except CourseRecordError as error:
        raise UserError(str(error)) from None
    if record is None and args.course_out is not None:
        raise UserError(f"{course_out}: holds no course.json (run mlp-lecture course first)")
    generations = None
    if record is not None:
        generations = {sid: entry.generation for sid, entry in record.students.items()}
    try:
        grades = grading.grade(course, args.returned, generations)
        written = grading.write_grades(grades, args.out, args.feedback)
    except (CourseError, RenderError) as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise os_error(error) from None
    for line in grades.problems:
        print(f"mlp-lecture: {line}", file=sys.stderr)
    marked = sum(1 for student in grades.students if not student.note)
    print(
        f"{written}: {len(grades.students)} student(s), {marked} marked, "
        f"{len(grades.students) - marked} scored 0 (see the note column)"
    )
    return 0


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends a course run like Ctrl-C: the engine stopped, finished work kept."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _default_out(course_file: Path) -> Path:
    """Where ``course`` writes without ``--out``."""
    return Path("renders") / "courses" / course_file.stem


class CourseDisplay:
    """A live display of a course run: students, workbooks and clips done."""

    def __init__(self, console: Any):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(bar_width=30),
            TextColumn("{task.completed:>4.0f}/{task.total:<4.0f} {task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> CourseDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def planned(self, students: int, workbooks: int, clips: int) -> None:
        for name, total in (("students", students), ("workbooks", workbooks), ("clips", clips)):
            if total:
                self.tasks[name] = self.progress.add_task(name, total=total, detail="")

    def finished(self, student: str, what: str, ok: bool) -> None:
        bar = self.tasks.get("workbooks" if what == "workbooks" else "clips")
        if bar is not None:
            self.progress.update(bar, advance=1, detail=f"{student} {what}")

    def student_done(self, student: str) -> None:
        if "students" in self.tasks:
            self.progress.update(self.tasks["students"], advance=1, detail=student)

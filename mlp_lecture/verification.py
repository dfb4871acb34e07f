"""``mlp-lecture verify DIR``: recompute the lesson and check every ledger in DIR."""

from __future__ import annotations

from pathlib import Path

from mlp_lecture.pipeline.manifest import LESSON_COPY
from mlp_lecture.pipeline.options import FORMATS
from mlpmath import LessonError, compute_trace, parse_lesson
from scenekit.ledger import (
    LEDGER_SUFFIX,
    LedgerFile,
    LedgerFormatError,
    check_ledger,
    read_ledger,
)

__all__ = ["verify_dir"]


def verify_dir(out_dir: Path) -> tuple[int, list[str]]:
    """(number of values checked, problems found) for the render in ``out_dir``.

    Raises ``LessonError`` when ``out_dir`` is not a render directory.
    """
    if not out_dir.is_dir():
        raise LessonError(f"{out_dir}: no such render directory")
    lesson_file = out_dir / LESSON_COPY
    if not lesson_file.is_file():
        raise LessonError(f"{out_dir}: holds no {LESSON_COPY}; is it a render directory?")
    ledger_files = sorted(out_dir.glob(f"*{LEDGER_SUFFIX}"))
    if not ledger_files:
        raise LessonError(f"{out_dir}: holds no *{LEDGER_SUFFIX} ledgers to check")
    problems: list[str] = []
    ledgers: list[LedgerFile] = []
    for path in ledger_files:
        try:
            ledgers.append(read_ledger(path))
        except OSError as error:
            problems.append(f"{path.name}: unreadable ledger ({error.strerror or error})")
        except LedgerFormatError as error:
            problems.append(f"{path.name}: {error}")
    name = next((ledger.lesson for ledger in ledgers if ledger.lesson), "lesson")
    trace = compute_trace(parse_lesson(lesson_file.read_text(encoding="utf-8"), name=name))
    checked = 0
    for ledger in ledgers:
        problems += check_ledger(trace, ledger)
        problems += _section_problems(out_dir, ledger)
        problems += [f"audit at render time: {problem}" for problem in ledger.audit.problems]
        checked += len(ledger.values)
        if not any((out_dir / f"{ledger.scene}.{ext}").is_file() for ext in FORMATS):
            problems.append(f"{ledger.scene}: ledger without its video")
    return checked, problems


def _section_problems(out_dir: Path, ledger: LedgerFile) -> list[str]:
    """The ledger's steps: each names its clip (when there is one) and shown values."""
    count = len(ledger.values)
    problems = []
    for section in ledger.sections:
        if section.file and not (out_dir / section.file).is_file():
            problems.append(
                f"{ledger.scene}: section {section.index} lacks its clip {section.file}"
            )
        bad = [i for i in section.values if not 0 <= i < count]
        if bad:
            problems.append(f"{ledger.scene}: section {section.index} lists no such values {bad}")
    return problems

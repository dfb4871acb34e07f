"""``mlp-lecture verify DIR``: recompute the lesson and check every ledger in DIR."""

from __future__ import annotations

import json
from pathlib import Path

from mlpmath import LessonError, compute_trace, parse_lesson
from scenes.ledger import LEDGER_SUFFIX, check_ledger, read_ledger
from scenes.render import FORMATS, LESSON_COPY

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
    ledgers = []
    for path in ledger_files:
        try:
            ledgers.append(read_ledger(path))
        except (OSError, json.JSONDecodeError) as error:
            problems.append(f"{path.name}: unreadable ledger ({error})")
    name = next((ledger.get("lesson") for ledger in ledgers if ledger.get("lesson")), "lesson")
    trace = compute_trace(parse_lesson(lesson_file.read_text(encoding="utf-8"), name=name))
    checked = 0
    for ledger in ledgers:
        problems += check_ledger(trace, ledger)
        problems += _section_problems(out_dir, ledger)
        problems += [
            f"audit at render time: {problem}"
            for problem in ledger.get("audit", {}).get("problems", [])
        ]
        checked += len(ledger.get("values", []))
        scene = ledger.get("scene")
        if not any((out_dir / f"{scene}.{ext}").is_file() for ext in FORMATS):
            problems.append(f"{scene}: ledger without its video")
    return checked, problems


def _section_problems(out_dir: Path, ledger: dict) -> list[str]:
    """The ledger's steps: each names its clip (when there is one) and shown values."""
    scene = ledger.get("scene")
    count = len(ledger.get("values", []))
    problems = []
    for section in ledger.get("sections", []):
        clip = section.get("file")
        if clip and not (out_dir / clip).is_file():
            problems.append(f"{scene}: section {section.get('index')} lacks its clip {clip}")
        bad = [i for i in section.get("values", []) if not isinstance(i, int) or not 0 <= i < count]
        if bad:
            problems.append(f"{scene}: section {section.get('index')} lists no such values {bad}")
    return problems

"""A course folder for the course tests: a base lesson, a roster, a course file."""

from __future__ import annotations

from pathlib import Path

__all__ = ["LESSONS", "make_course"]

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def make_course(
    folder: Path,
    roster: str = "id,name\nalice,Alice\nbob,Bob\ncarol,Carol\n",
    lesson: str | None = None,
    extra: str = "",
    base: str = "default",
) -> Path:
    """A course folder: the base lesson (a shipped one, or ``lesson`` text), a roster."""
    folder.mkdir(parents=True, exist_ok=True)
    text = lesson if lesson is not None else (LESSONS / f"{base}.toml").read_text()
    (folder / "base.toml").write_text(text)
    (folder / "students.csv").write_text(roster)
    course = folder / "course.toml"
    course.write_text(f'lesson = "base.toml"\nroster = "students.csv"\nseed = "a secret"\n{extra}')
    return course

"""Writing a file of ours whole: written aside in its folder, then moved onto its name.

A reader (a re-run, ``verify``, a teacher's spreadsheet program) must find
either the old file or the new one, never half of one: a run killed mid-write
leaves only a hidden temporary file beside it. ``os.replace`` within one
folder is atomic on POSIX. Two shapes serve every writer:

- :func:`write_text_aside` for text we hold (``course.json``,
  ``narration.json``, a student's ``lesson.toml``);
- :func:`written_aside` for a library that writes to a path itself
  (xlsxwriter's workbooks) or several writes of our own.

Neither checks the name against a folder a user may have planted links in:
callers that write into such a folder go through
``mlp_lecture.pipeline.safe_names`` (``replace_inside``) instead.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["write_text_aside", "written_aside"]


def write_text_aside(path: Path, text: str, prefix: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole, readable by all (0o644); return ``path``.

    The temporary file is ``<prefix>XXXX.tmp`` in ``path``'s folder (``prefix``
    defaults to ``.<name>.``), removed if the write or the move fails.
    """
    file = tempfile.NamedTemporaryFile(
        "w",
        dir=path.parent,
        prefix=f".{path.name}." if prefix is None else prefix,
        suffix=".tmp",
        delete=False,
        encoding="utf-8",
    )
    temporary = Path(file.name)
    try:
        with file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def written_aside(path: Path) -> Iterator[Path]:
    """``.<name>.partial`` beside ``path``, to write to; moved onto ``path`` if the block
    ends without an exception, and removed in any case (no half file is left).

    Examples
    --------
    ``with written_aside(out / "key.xlsx") as partial: build_workbook(partial)``
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

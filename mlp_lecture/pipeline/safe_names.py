"""The one gate for file names read from our own files, before anything touches them.

``lecture.json`` lists a render's files, ``gallery.json`` a gallery's stills,
``.decks.json`` the decks, and later records list more (narration, course).
Each of those files sits in a folder anyone may have written into, so a name
read from one is a claim, not a fact: a forged manifest that lists
``../precious.txt`` or ``/home/you/thesis.tex`` must not make ``render``'s
sweep delete it (issue 32). So every such name passes here:

- when the record is read (``check_name``, ``check_names``): a name is a
  *plain relative name*: not empty, not absolute, no ``..`` or ``.`` part, no
  empty part (``a//b``), no backslash, no drive letter (``C:``), no NUL or
  other control character. One bad name refuses the whole record, in one line
  naming the file, the field and the name (``NameRefused``);
- right before anything is removed, replaced or read (``inside``, and
  ``unlink_inside``, ``rmtree_inside``, ``replace_inside``, which call it
  again as they act): the name is checked once more, no folder on its way is
  a symbolic link, and the resolved parent folder is inside the resolved
  folder. The last part itself may be a symbolic link: removing or replacing
  a link never touches what it points to, and a read refuses one
  (``mlpmath.files``).

For the narration's and the course's lists, call ``check_names`` as the
record is read and ``inside`` (or the three actions) when a name is used::

    check_names(record["clips"], source=path, field="clips")
    clip = inside(folder, name, source=path, field="clips")
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from mlp_lecture.pipeline.options import RenderError
from mlpmath.lesson_checks import quoted

__all__ = [
    "NameRefused",
    "check_name",
    "check_names",
    "inside",
    "name_problem",
    "replace_inside",
    "rmtree_inside",
    "unlink_inside",
]

MAX_NAME = 1024  # characters of a name in a record: ours are under 100
_DRIVE = re.compile(r"[A-Za-z]:")
# The bidi overrides and isolates: a name holding one shows as another name.
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


class NameRefused(RenderError):
    """A name in a record that is no plain name inside its folder: one line, for the user
    (a ``RenderError``, so every command that reports those reports this)."""


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a plain relative ``/``-separated name, or None when it is one."""
    if not isinstance(name, str):
        return "not text"
    if not name:
        return "empty"
    if len(name) > MAX_NAME:
        return f"longer than {MAX_NAME} characters"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in _BIDI for c in name):
        return "holds a control character"
    if "\\" in name:
        return "holds a backslash"
    if name.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    parts = name.split("/")
    if ".." in parts:
        return "climbs out with '..'"
    if "." in parts or "" in parts:
        return "has an empty or '.' part"
    return None


def _refused(source: Path | str, field: str, name: object, why: str) -> NameRefused:
    return NameRefused(
        f"{source}: {field}: {quoted(name, 80)} is not a plain name inside the folder ({why}); "
        "the whole file is refused"
    )


def check_name(name: object, *, source: Path | str, field: str) -> str:
    """``name`` when it is a plain relative name; else ``NameRefused`` (one line)."""
    why = name_problem(name)
    if why is not None:
        raise _refused(source, field, name, why)
    assert isinstance(name, str)
    return name


def check_names(names: Iterable[object], *, source: Path | str, field: str) -> None:
    """Refuse (``NameRefused``, naming the first) a list of which any name is not plain."""
    for name in names:
        check_name(name, source=source, field=field)


def inside(folder: Path, name: str, *, source: Path | str, field: str) -> Path:
    """``folder / name``, checked as it is about to be used.

    ``name`` must be plain (``check_name``); no folder between ``folder`` and the
    last part may be a symbolic link; and the parent, resolved, must be
    ``folder`` resolved or inside it. ``NameRefused`` (one line) otherwise.
    """
    check_name(name, source=source, field=field)
    parts = name.split("/")
    path = folder
    for part in parts[:-1]:
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            break  # nothing there yet: nothing to climb through
        if stat.S_ISLNK(mode):
            raise _refused(source, field, name, f"{part}/ is a symbolic link")
    target = folder.joinpath(*parts)
    root = folder.resolve()
    parent = target.parent.resolve()
    if parent != root and root not in parent.parents:
        raise _refused(source, field, name, "it leads outside the folder")
    return target


def unlink_inside(
    folder: Path, name: str, *, source: Path | str, field: str, missing_ok: bool = True
) -> None:
    """Remove the file (or symbolic link) ``name`` in ``folder``, checked right before."""
    inside(folder, name, source=source, field=field).unlink(missing_ok=missing_ok)


def rmtree_inside(folder: Path, name: str, *, source: Path | str, field: str) -> None:
    """Remove ``name`` in ``folder`` whatever it is (a folder with all it holds, a file,
    a link: never what a link points to), checked right before; gone already is fine."""
    path = inside(folder, name, source=source, field=field)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def replace_inside(
    source_file: Path, folder: Path, name: str, *, source: Path | str, field: str
) -> Path:
    """Move ``source_file`` to ``name`` in ``folder`` (``os.replace``), checked right before."""
    target = inside(folder, name, source=source, field=field)
    os.replace(source_file, target)
    return target

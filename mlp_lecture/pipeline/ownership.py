"""What of a directory mlp-lecture may replace or remove: only what it can prove it wrote.

A render directory's manifest (``lecture.json``) is the proof: its scenes' and
lecture's files, the lesson copy, and the other files and folders a command
recorded there (``Manifest.owned``: the decks, ``slides/``). Nothing else in
the directory is ever deleted or overwritten:

- a ``--out`` that exists, is not empty and holds no manifest is refused
  (``check_out_dir``) unless the caller forces it, and even then only files
  the manifest will list are written, never one already there;
- a file in the way of one a command writes, and not the command's, stops the
  command before it writes anything (``Ownership.check``);
- a work directory beside ``DIR`` is removed by a later run only when ``DIR``'s
  manifest records its name and the token written inside it (``make_work_dir``,
  ``remove_stale_work_dirs``): a folder of the user's that merely looks like one
  stays;
- files being moved into ``DIR`` are first listed with their sha256 in the work
  directory (``write_pending``), so a run killed between moving them and
  rewriting the manifest leaves files a later run can still prove are its own.

Every name read from those records is a plain name inside ``DIR`` (checked as
the manifest is read, and again right before removing: ``safe_names``); a
pending record naming anything else is ignored whole.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import zipfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from mlp_lecture.pipeline.manifest import (
    LESSON_COPY,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    Manifest,
    ManifestFormatError,
    file_sha256,
    read_manifest,
)
from mlp_lecture.pipeline.options import RenderError
from mlp_lecture.pipeline.safe_names import (
    NameRefused,
    inside,
    name_problem,
    replace_inside,
    rmtree_inside,
    unlink_inside,
)
from mlpmath.files import read_regular

__all__ = [
    "PENDING",
    "WORK_MARKER",
    "Ownership",
    "check_out_dir",
    "check_replaceable",
    "clear_pending",
    "make_work_dir",
    "pending_files",
    "read_pending",
    "remove_stale_work_dirs",
    "stale_work_dirs",
    "work_prefix",
    "write_manifest",
    "write_pending",
]

WORK_MARKER = "mlp-lecture-work"  # in each work directory: the token the manifest records
PENDING = "pending.json"  # in a work directory: files being moved into DIR -> their sha256s


def check_out_dir(out_dir: Path, force: bool = False) -> None:
    """Refuse (``RenderError``, one line) an ``out_dir`` that is not ours to write.

    A new or empty directory, or one holding a manifest of ours, is fine; a
    non-empty directory without one only with ``force`` (its files stay as
    they are). A manifest that cannot be read is never written over.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir():
        raise RenderError(f"{out_dir}: not a directory")
    if os.path.lexists(out_dir / MANIFEST):
        try:
            read_manifest(out_dir)
        except OSError as error:
            raise RenderError(f"{out_dir / MANIFEST}: cannot be read ({error.strerror})") from None
        except ManifestFormatError as error:
            raise RenderError(
                f"{out_dir / MANIFEST}: not a manifest mlp-lecture can read ({error}); "
                "move it away or choose another --out"
            ) from None
        return
    if not force and any(out_dir.iterdir()):
        raise RenderError(
            f"{out_dir}: not empty and not an mlp-lecture render directory (no {MANIFEST}); "
            "choose a new or empty --out, or add --force to write beside its files"
        )


class Ownership:
    """The paths of ``out_dir`` (relative, ``/``-separated) its manifest vouches are ours."""

    def __init__(self, out_dir: Path, manifest: Manifest | None = None):
        self.out_dir = out_dir
        if manifest is None:
            with suppress(OSError, ManifestFormatError):
                manifest = read_manifest(out_dir)
        self.manifest = manifest
        self.files: set[str] = set()
        self.folders: set[str] = set()
        if manifest is not None:
            self.files = {MANIFEST, manifest.lesson.file or LESSON_COPY}
            self.files |= {name for entry in manifest.scenes for name in entry.files}
            if manifest.lecture is not None:
                self.files |= {manifest.lecture.file, *manifest.lecture.files}
            if manifest.page is not None:  # explore/: the page's files, one by one
                self.files |= set(manifest.page.files)
            self.folders = {name.rstrip("/") for name in manifest.owned}

    def owns(self, relative: str) -> bool:
        if relative in self.files or relative in self.folders:
            return True
        return any(relative.startswith(f"{folder}/") for folder in self.folders)

    def in_the_way(self, relative: str) -> Path | None:
        """The first thing at or under ``relative`` that is there and not ours, if any."""
        try:
            path = inside(self.out_dir, relative, source=self.out_dir / MANIFEST, field="owned")
        except NameRefused:  # reached through a symbolic link: not a place of ours
            return self.out_dir / relative
        if not os.path.lexists(path):
            return None
        if path.is_symlink() and relative.rstrip("/") in self.folders:
            return path  # a folder of ours is never a link: writing there would leave DIR
        if self.owns(relative):
            return None
        if not path.is_dir() or path.is_symlink():
            return path
        for inner in sorted(path.rglob("*")):  # a folder of ours' files (or empty): usable
            if inner.is_dir() and not inner.is_symlink():
                continue
            if not self.owns(inner.relative_to(self.out_dir).as_posix()):
                return inner
        return None

    def check(self, relatives: Iterable[str]) -> None:
        """Raise ``RenderError`` naming the first of ``relatives`` in the way (not ours)."""
        for relative in relatives:
            found = self.in_the_way(relative)
            if found is not None:
                raise RenderError(
                    f"{found}: in the way (mlp-lecture writes there and did not write this); "
                    "move it or choose another --out"
                )

    def claim(self, relatives: Iterable[str], *, release: Iterable[str] = ()) -> None:
        """Record ``relatives`` as ours in the manifest (checked first), and forget ``release``."""
        relatives = list(relatives)
        self.check(relatives)
        if self.manifest is None:
            raise RenderError(f"{self.out_dir}: holds no {MANIFEST} to record its files in")
        owned = (set(self.manifest.owned) | set(relatives)) - set(release)
        if owned != set(self.manifest.owned):
            self.manifest.owned = sorted(owned)
            self.folders = set(owned)
            write_manifest(self.out_dir, self.manifest)

    def remove(self, relative: str) -> None:
        """Remove ``relative`` (a file or a folder) when it is ours; else leave it.

        Raises ``RenderError`` (one line) for a name that does not stay inside
        ``out_dir`` (``safe_names``), checked right before removing.
        """
        if not self.owns(relative):
            return
        try:
            rmtree_inside(self.out_dir, relative, source=self.out_dir / MANIFEST, field="owned")
        except NameRefused as error:
            raise RenderError(str(error)) from None


def write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Write ``DIR/lecture.json`` whole: written aside, then moved in."""
    with tempfile.NamedTemporaryFile(
        "w", dir=out_dir, prefix=f".{MANIFEST}.", suffix=".partial", delete=False
    ) as file:
        file.write(manifest.dumps())
    try:
        os.chmod(file.name, 0o644)
        replace_inside(Path(file.name), out_dir, MANIFEST, source=out_dir, field=MANIFEST)
    except BaseException:
        Path(file.name).unlink(missing_ok=True)
        raise


# -- work directories -----------------------------------------------------------------


def work_prefix(out_dir: Path) -> str:
    """The name prefix of the work directories a render of ``out_dir`` makes beside it."""
    return f".{out_dir.name}-work-"


def make_work_dir(out_dir: Path) -> tuple[Path, str]:
    """A new work directory beside ``out_dir`` and the random token written inside it."""
    token = secrets.token_hex(16)
    work = Path(tempfile.mkdtemp(prefix=work_prefix(out_dir), dir=out_dir.parent))
    (work / WORK_MARKER).write_text(token, encoding="utf-8")
    return work, token


def _ours(work: Path, token: str) -> bool:
    try:
        return (
            work.is_dir()
            and not work.is_symlink()
            and (work / WORK_MARKER).read_text(encoding="utf-8") == token
        )
    except (OSError, UnicodeDecodeError):
        return False


def stale_work_dirs(out_dir: Path, recorded: dict[str, str]) -> list[Path]:
    """The work directories ``recorded`` (name -> token) beside ``out_dir`` that provably
    are ours: named as this module names them, holding the recorded token."""
    found = []
    for name, token in recorded.items():
        if Path(name).name != name or not name.startswith(work_prefix(out_dir)):
            continue  # not a name this module gives
        if _ours(out_dir.parent / name, token):
            found.append(out_dir.parent / name)
    return found


def remove_stale_work_dirs(stale: Iterable[Path]) -> None:
    """Remove the work directories ``stale_work_dirs`` proved ours, each name checked
    again right before (``safe_names``)."""
    for work in stale:
        rmtree_inside(work.parent, work.name, source=MANIFEST, field="work")


def write_pending(work: Path, files: dict[str, list[str]]) -> None:
    """Record, before moving them in, the files about to appear in ``DIR`` (name -> sha256s)."""
    partial = work / f"{PENDING}.partial"
    partial.write_text(json.dumps(files), encoding="utf-8")
    replace_inside(partial, work, PENDING, source=work, field=PENDING)


def clear_pending(work: Path) -> None:
    unlink_inside(work, PENDING, source=work, field=PENDING)


def read_pending(work: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(read_regular(work / PENDING, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # FileRefused and UnicodeError are ValueErrors
        return {}
    if not isinstance(data, dict) or any(name_problem(name) for name in data):
        return {}  # not what write_pending writes: nothing in it is proved ours
    return {
        str(name): [h for h in hashes if isinstance(h, str)]
        for name, hashes in data.items()
        if isinstance(hashes, list)
    }


def pending_files(out_dir: Path, pending: dict[str, list[str]]) -> set[str]:
    """Those of ``pending`` that are in ``out_dir`` with a hash recorded for them: ours."""
    found = set()
    for name, hashes in pending.items():
        if name_problem(name) is not None:
            continue
        path = out_dir / name
        if path.is_symlink() or not path.is_file():
            continue
        with suppress(OSError, ValueError):
            if file_sha256(path) in hashes:
                found.add(name)
    return found


# -- single files a command writes where it is told (--out FILE) ---------------------------


def _workbook_mark(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return b"written by mlp-lecture" in archive.read("docProps/core.xml")


def _script_mark(path: Path) -> bool:
    lines = path.read_bytes()[:4096].split(b"\n")
    return (
        len(lines) > 3 and lines[0].endswith(b": the script") and lines[2].startswith(b"Lesson `")
    )


def _lesson_mark(path: Path) -> bool:
    return b"\n# A lesson file for mlp-lecture:" in path.read_bytes()[:4096]


# What each kind of file mlp-lecture writes carries, that a file of someone else's does not.
_MARKS = {"workbook": _workbook_mark, "script": _script_mark, "lesson": _lesson_mark}


def check_replaceable(path: Path, kind: str) -> None:
    """Raise ``RenderError`` (one line) unless ``path`` is new or a ``kind`` file of ours.

    ``kind`` is ``workbook``, ``script`` or ``lesson``: a file already at
    ``path`` is overwritten only when it carries what mlp-lecture writes in one.
    """
    if not os.path.lexists(path):
        return
    ours = False
    if path.is_file() and not path.is_symlink():
        with suppress(OSError, ValueError, KeyError, zipfile.BadZipFile):
            ours = _MARKS[kind](path)
    if not ours:
        raise RenderError(
            f"{path}: exists and is not a {kind} mlp-lecture wrote; "
            "choose another --out or move it away"
        )

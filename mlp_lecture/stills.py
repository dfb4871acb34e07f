"""A still per scene: its last frame, small, for a gallery (``mlp-lecture stills``).

The frames come from a PNG render (``render --format png``: the render
directory keeps its manifest, ledgers and audit as any render does); the
gallery folder gets one compact copy per scene, ``NN-Scene.png`` in lecture
order (a palette of at most ``COLOURS`` colours: the lecture's frames are a
few flat colours on black, so a 480p still stays near 30 kB), and
``gallery.json``, which lists what it wrote. Given the lesson's whole lecture,
each still is numbered by its scene's place in it, so stills of a few scenes
(``stills --scenes``) replace those scenes' stills and keep the others. A
file in the gallery folder is
replaced only when ``gallery.json`` says this command wrote it and it is
unchanged since (its sha256); anything else there is left alone and named.

``gallery.json`` is read as any record of ours is (``safe_names``): a regular
file of at most ``MAX_INDEX_BYTES``, every name in it a plain file name in the
folder (one that is not refuses the whole index, naming it); each still is
read only as a regular file of at most ``MAX_STILL_BYTES``, and removed only
through the gate, which checks its name again right before.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlp_lecture.pipeline.safe_names import NameRefused, check_name, unlink_inside
from mlpmath.files import FileRefused, read_regular, regular_sha256, regular_size

__all__ = [
    "COLOURS",
    "INDEX",
    "Still",
    "StillsError",
    "check_gallery",
    "still_names",
    "write_gallery",
]

COLOURS = 64  # the most colours a still keeps
INDEX = "gallery.json"  # what the gallery folder holds, written by this module
MAX_INDEX_BYTES = 1_000_000  # a gallery of every scene's still is under 2 kB
MAX_STILL_BYTES = 16_000_000  # a still is near 30 kB (a 4k one under 1 MB)


class StillsError(Exception):
    """A gallery folder this command may not write into: one line, for the user."""


@dataclass(frozen=True)
class Still:
    scene: str
    frame: Path  # the render's last frame (full PNG)


def _sha256(path: Path) -> str | None:
    """The sha256 of the still at ``path``: None unless a regular file (never through a
    symlink) of at most ``MAX_STILL_BYTES``, which is no still of ours."""
    try:
        if regular_size(path) > MAX_STILL_BYTES:
            return None
        return regular_sha256(path)
    except (FileRefused, OSError):
        return None


def _ours(folder: Path) -> dict[str, str]:
    """The files ``gallery.json`` says this command wrote, by name: their sha256.

    ``StillsError`` (one line) for an index that is not a regular file of at most
    ``MAX_INDEX_BYTES``, not the index's format, or naming anything but a plain
    file name in ``folder``: the whole index is refused.
    """
    index = folder / INDEX
    if not os.path.lexists(index):
        return {}
    try:
        data = json.loads(read_regular(index, MAX_INDEX_BYTES).decode("utf-8"))
        files = {str(name): str(digest) for name, digest in data["files"].items()}
        for name, digest in data["files"].items():
            check_name(name, source=index, field="files")
            if "/" in name:
                raise NameRefused(f"{index}: files: {name[:80]!r} is not a file of the folder")
            if not isinstance(digest, str):
                raise TypeError(name)
        return files
    except FileRefused as error:
        raise StillsError(f"{index}: {error}") from None
    except NameRefused as error:
        raise StillsError(str(error)) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise StillsError(f"{index}: not a gallery index written by mlp-lecture") from None


def _compact(frame: Path) -> bytes:
    from io import BytesIO

    from PIL import Image

    with Image.open(frame) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, dither=Image.Dither.NONE)
    buffer = BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_gallery(folder: Path) -> None:
    """Refuse, before any rendering, a folder holding a PNG this command did not write
    (or changed since), or an index that is not this command's."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise StillsError(f"{folder}: not a folder")
    ours = _ours(folder)
    for path in sorted(folder.glob("*.png")):
        if path.name not in ours or ours[path.name] != _sha256(path):
            raise StillsError(f"{path}: a file this command did not write; move it away first")


def still_names(scenes: Sequence[str]) -> list[str]:
    """``01-SingleNeuron.png``, ...: each scene's still, numbered in the order given."""
    return [f"{number:02d}-{scene}.png" for number, scene in enumerate(scenes, 1)]


def write_gallery(
    stills: Sequence[Still], folder: Path, lecture: Sequence[str] | None = None
) -> list[Path]:
    """Write each still's compact copy into ``folder`` (made if missing) and the index.

    ``lecture``: every scene the lesson's lecture shows, in order. Each still is
    numbered by its scene's place there, and the stills of the lecture's other
    scenes already in the gallery (ours, unchanged) are kept; without it the
    stills are numbered as given and are the whole gallery. Any other still of
    ours (a scene the lecture no longer shows, an old number) is removed.

    Raises :class:`StillsError`, before writing anything, when a file it would
    replace is not one it wrote (or was changed since).
    """
    check_gallery(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ours = _ours(folder)
    scenes = [still.scene for still in stills]
    if lecture is None:
        names, kept = still_names(scenes), {}
    else:
        numbered = dict(zip(lecture, still_names(lecture), strict=True))
        names = [numbered[scene] for scene in scenes]
        others = {numbered[scene] for scene in lecture if scene not in scenes}
        kept = {
            name: digest
            for name, digest in ours.items()
            if name in others and _sha256(folder / name) == digest
        }
    written: dict[str, str] = {}
    paths = []
    for name, still in zip(names, stills, strict=True):
        data = _compact(still.frame)
        _write_atomically(folder / name, data)
        written[name] = hashlib.sha256(data).hexdigest()
        paths.append(folder / name)
    # stills of scenes no longer shown (an earlier lesson's), written by us and unchanged
    for name, digest in ours.items():
        path = folder / name
        if name not in written and name not in kept and _sha256(path) == digest:
            try:
                unlink_inside(folder, name, source=folder / INDEX, field="files")
            except NameRefused as error:
                raise StillsError(str(error)) from None
    index = json.dumps({"files": dict(sorted({**kept, **written}.items()))}, indent=2) + "\n"
    _write_atomically(folder / INDEX, index.encode("utf-8"))
    return paths

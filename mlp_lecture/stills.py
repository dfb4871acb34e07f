"""A still per scene: its last frame, small, for a gallery (``mlp-lecture stills``).

The frames come from a PNG render (``render --format png``: the render
directory keeps its manifest, ledgers and audit as any render does); the
gallery folder gets one compact copy per scene, ``NN-Scene.png`` in lecture
order (a palette of at most ``COLOURS`` colours: the lecture's frames are a
few flat colours on black, so a 480p still stays near 30 kB), and
``gallery.json``, which lists what it wrote. A file in the gallery folder is
replaced only when ``gallery.json`` says this command wrote it and it is
unchanged since (its sha256); anything else there is left alone and named.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COLOURS", "INDEX", "Still", "StillsError", "check_gallery", "write_gallery"]

COLOURS = 64  # the most colours a still keeps
INDEX = "gallery.json"  # what the gallery folder holds, written by this module


class StillsError(Exception):
    """A gallery folder this command may not write into: one line, for the user."""


@dataclass(frozen=True)
class Still:
    scene: str
    frame: Path  # the render's last frame (full PNG)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ours(folder: Path) -> dict[str, str]:
    """The files ``gallery.json`` says this command wrote, by name: their sha256."""
    index = folder / INDEX
    if not index.exists():
        return {}
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
        return {str(name): str(digest) for name, digest in data["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
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
        if ours.get(path.name) != _sha256(path):
            raise StillsError(f"{path}: a file this command did not write; move it away first")


def write_gallery(stills: Sequence[Still], folder: Path) -> list[Path]:
    """Write each still's compact copy into ``folder`` (made if missing) and the index.

    Raises :class:`StillsError`, before writing anything, when a file it would
    replace is not one it wrote (or was changed since).
    """
    check_gallery(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ours = _ours(folder)
    names = [f"{number:02d}-{still.scene}.png" for number, still in enumerate(stills, 1)]
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
        if name not in written and path.exists() and _sha256(path) == digest:
            path.unlink()
    index = json.dumps({"files": written}, indent=2) + "\n"
    _write_atomically(folder / INDEX, index.encode("utf-8"))
    return paths

"""Clips in a notebook page: by reference or embedded, with captions and a poster.

A notebook's HTML output reaches files through the Jupyter server, which serves
the notebook's folder: a clip under the kernel's working directory (the
notebook's folder, as Jupyter starts kernels) is shown by its relative URL, so a
displayed render weighs a few kB, not megabytes. Anything else is embedded as a
data URI. The poster, the clip's last frame (the state it arrives at), is always
embedded, scaled to the width it is shown at: notebook front ends resolve a
relative ``src`` but not a relative ``poster``.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import sys
import urllib.parse
from pathlib import Path

__all__ = [
    "POSTER_WIDTH",
    "THUMBNAIL_WIDTH",
    "captions_track",
    "data_uri",
    "link",
    "picture_uri",
    "poster_uri",
]

POSTER_WIDTH = 720  # pixels: the width a clip is shown at in a notebook
POSTER_QUALITY = 75  # JPEG quality of a poster: a few tens of kB
THUMBNAIL_WIDTH = 240  # pixels: a deck's thumbnail


def data_uri(path: Path, mime: str) -> str:
    """The file's bytes as a ``data:`` URI."""
    return _bytes_uri(path.read_bytes(), mime)


def _bytes_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def link(path: Path, absolute: bool = False) -> str | None:
    """``path`` as a URL relative to the working directory (the notebook's folder, which
    Jupyter serves) when it lies under it; else its absolute path (``absolute``) or None.

    Colab serves no file of the kernel's machine: there nothing is linked by reference.
    """
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except (OSError, ValueError):
        relative = None
    if relative is not None and "google.colab" not in sys.modules:
        return urllib.parse.quote(relative.as_posix())
    return urllib.parse.quote(str(path)) if absolute else None


def captions_track(video: Path, embedded: bool) -> str:
    """The clip's WebVTT captions (the file beside it) as a ``<track>``, or "" without."""
    cues = video.with_suffix(".vtt")
    if not cues.is_file():
        return ""
    source = data_uri(cues, "text/vtt") if embedded else link(cues, absolute=True)
    return f"<track kind='captions' src='{html.escape(source or '')}' srclang='en' label='English'>"


def poster_uri(video: Path) -> str | None:
    """The clip's last frame as a small JPEG data URI; None for what PyAV cannot decode."""
    try:
        stat = video.stat()
        return _poster(video.resolve(), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError):  # PyAV's decoding errors are ValueErrors
        return None


@functools.lru_cache(maxsize=64)
def _poster(video: Path, mtime_ns: int, size: int) -> str:
    """One poster per clip content (``mtime_ns`` and ``size`` key the cache)."""
    return picture_uri(video, POSTER_WIDTH, "JPEG")


def picture_uri(video: Path, width: int, kind: str = "PNG") -> str:
    """The clip's last frame at most ``width`` pixels wide, as a ``kind`` data URI."""
    from mlp_lecture.deck import last_frame

    frame = last_frame(video).convert("RGB")
    if frame.width > width:
        frame = frame.resize((width, round(frame.height * width / frame.width)))
    data = io.BytesIO()
    frame.save(data, kind, **({"quality": POSTER_QUALITY} if kind == "JPEG" else {}))
    return _bytes_uri(data.getvalue(), f"image/{kind.lower()}")

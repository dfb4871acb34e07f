"""A step's clip played backwards, for ``manim-slides present``'s reverse key.

The reversed clip is encoded losslessly (libx264 at ``qp 0``, the input's
pixel format), so it decodes to exactly the clip's frames in reverse order:
its first frame is the clip's last (the step's poster, read without decoding
the whole clip). x264's ``ultrafast`` preset makes that encode about as cheap
as the lossy one the clips get (manim-slides' own reversal, libx264's default
preset at ``crf 23``, took three times the CPU and was not exact).

Frames are decoded a run at a time from the end (each run from the key frame
before it), so memory holds at most ``RUN`` frames whatever the clip's length.
``Reverser`` makes the reversed clips of a scene's steps in a background
thread while the render goes on with the next scenes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from mlp_lecture.pipeline.render import RenderedScene, RenderObserver
from mlp_lecture.pipeline.safe_names import inside
from scenekit.ledger import read_ledger

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["RECIPE", "Reverser", "first_frame", "reverse_clip", "reversed_name"]

# What a reversed clip is made with: part of its file name, so clips made another way
# (an older recipe) are not taken for this one.
RECIPE = "x264-qp0-ultrafast"
ENCODER_OPTIONS = {"qp": "0", "preset": "ultrafast"}
RUN = 120  # frames held in memory at once (1080p: about 370 MB)


def reversed_name(clip: Path) -> str:
    """``<stem>-<digest><suffix>``: the digest of the clip's bytes and of ``RECIPE``."""
    digest = hashlib.sha256(RECIPE.encode())
    with open(clip, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return f"{clip.stem}-{digest.hexdigest()[:16]}{clip.suffix}"


def reverse_clip(source: Path, target: Path) -> int:
    """Write ``source``'s frames, last first, to ``target`` (written aside, then moved in);
    returns the number of frames."""
    import av

    with av.open(str(source)) as clip:
        stream = clip.streams.video[0]
        rate = stream.average_rate or stream.base_rate
        if not rate:
            raise ValueError(f"{source.name}: no frame rate")
        keys, count = _key_frames(clip, stream, rate)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".reversing-") as work:
            partial = Path(work) / target.name
            with av.open(str(partial), mode="w") as output:
                out = output.add_stream("libx264", rate=rate, options=dict(ENCODER_OPTIONS))
                out.width, out.height, out.pix_fmt = stream.width, stream.height, stream.pix_fmt
                base = Fraction(1, 1) / rate
                written = 0
                for frame in _backwards(clip, stream, rate, keys, count):
                    frame.pts, frame.time_base = written, base
                    frame.pict_type = av.video.frame.PictureType.NONE
                    output.mux(out.encode(frame))
                    written += 1
                output.mux(out.encode())
            if written != count:
                raise ValueError(f"{source.name}: {written} frames reversed of {count}")
            os.replace(partial, target)
    return count


def _key_frames(clip, stream, rate: Fraction) -> tuple[list[int], int]:
    """The indices of the clip's key frames, and its number of frames (packets only)."""
    keys, count = [], 0
    for packet in clip.demux(stream):
        if packet.pts is None:
            continue
        if packet.is_keyframe:
            keys.append(round(packet.pts * stream.time_base * rate))
        count += 1
    if not keys or keys[0] != 0:
        raise ValueError("the clip does not start on a key frame")
    return keys, count


def _backwards(clip, stream, rate: Fraction, keys: list[int], count: int) -> Iterator:
    """The clip's decoded frames, last first, ``RUN`` at a time."""
    end = count
    while end > 0:
        start = max(0, end - RUN)
        key = max(k for k in keys if k <= start)
        clip.seek(round(key / rate / stream.time_base), stream=stream, backward=True)
        run = []
        for frame in clip.decode(stream):
            index = round(frame.pts * stream.time_base * rate)
            if index >= end:
                break
            if index >= start:
                run.append(frame)
        if len(run) != end - start:
            raise ValueError(f"frames {start}-{end}: {len(run)} decoded")
        yield from reversed(run)
        end = start


def first_frame(clip: Path) -> Image:
    """The clip's first frame as a picture (of a reversed clip: the step's last frame)."""
    import av

    with av.open(str(clip)) as container:
        return next(container.decode(video=0)).to_image()


class Reverser:
    """Reversed clips made in one background thread, each at most once.

    A clip whose reversed clip ``kept`` (the deck's folder of them) already
    holds is not made again; the others are made into ``stage`` (created when
    first needed, removed by ``close``), for the caller to move in once the
    deck is written. ``submit`` returns at once; ``result`` waits for the
    reversed clip's path (and raises what making it raised).
    """

    def __init__(self, kept: Path, stage: Path):
        self.kept = kept
        self.stage = stage
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reverse")
        self._made: dict[Path, Future[Path]] = {}
        self._lock = threading.Lock()

    def submit(self, clip: Path) -> Future[Path]:
        with self._lock:
            if clip not in self._made:
                self._made[clip] = self._pool.submit(self._make, clip)
            return self._made[clip]

    def result(self, clip: Path) -> Path:
        return self.submit(clip).result()

    def _make(self, clip: Path) -> Path:
        name = reversed_name(clip)
        if (self.kept / name).is_file():
            return self.kept / name
        self.stage.mkdir(parents=True, exist_ok=True)
        reverse_clip(clip, self.stage / name)
        return self.stage / name

    def observing(self, inner: RenderObserver, out_dir: Path) -> RenderObserver:
        """An observer of a render into ``out_dir`` that passes every event on to ``inner``
        and has each finished scene's steps reversed (``submit``)."""
        return _Reversing(inner, self, out_dir)

    def close(self) -> None:
        """Stop (dropping clips not started) and remove ``stage`` with what is left in it."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.stage, ignore_errors=True)

    def __enter__(self) -> Reverser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Reversing(RenderObserver):
    """Passes a render's events on, and has each finished scene's steps reversed."""

    def __init__(self, inner: RenderObserver, reverser: Reverser, out_dir: Path):
        self.inner, self.reverser, self.out_dir = inner, reverser, out_dir

    def planned(self, to_render: Sequence[str], frames: dict[str, int | None]) -> None:
        self.inner.planned(to_render, frames)

    def started(self, scene: str) -> None:
        self.inner.started(scene)

    def frames(self, scene: str, frames: int) -> None:
        self.inner.frames(scene, frames)

    def finished(self, result: RenderedScene) -> None:
        self.inner.finished(result)
        if result.status in ("skipped", "failed") or result.ledger is None or result.audit:
            return
        for section in read_ledger(result.ledger).sections:
            if section.file:  # a name from a ledger: a plain name inside DIR (safe_names)
                clip = inside(self.out_dir, section.file, source=result.ledger, field="sections")
                self.reverser.submit(clip)

    def joining(self, clips: int) -> None:
        self.inner.joining(clips)

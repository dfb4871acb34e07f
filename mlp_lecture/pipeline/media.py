"""Reading and joining clips with PyAV (no ffmpeg binary needed), an MP4's
timing read from its sample table without PyAV, and Manim's frames handed to
its encoder without a copy."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from io import BytesIO
from pathlib import Path

__all__ = ["MP4_SUFFIXES", "frames_encoded_in_place", "join_clips", "mp4_timing", "video_duration"]

MP4_SUFFIXES = (".mp4", ".mov")  # ISO base media files: what ``mp4_timing`` reads
MAX_MOOV_BYTES = 64 * 2**20  # an hour of 60 fps video indexes in a few MB


def video_duration(path: Path) -> float:
    """Seconds of video in ``path``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


@contextmanager
def frames_encoded_in_place() -> Iterator[None]:
    """While inside, Manim's video segments give PyAV each frame's pixels as they are.

    Manim's ``VideoSegmentEncoder.write_frame`` wraps each frame with
    ``av.VideoFrame.from_ndarray``, which copies it (8 MB at 1080p, a third of
    the encoder thread's time), only for the encoder to convert the copy to YUV
    and drop it. ``from_numpy_buffer`` wraps the array itself, which the writer
    owns by Manim's contract (``SceneFileWriter.write_frame``: the caller never
    touches it again): the same pixels in, the same video out, byte for byte.
    """
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    manims = VideoSegmentEncoder.write_frame
    if manims is _write_frame_in_place:  # already inside
        yield
        return
    VideoSegmentEncoder.write_frame = _write_frame_in_place  # type: ignore[method-assign]
    try:
        yield
    finally:
        VideoSegmentEncoder.write_frame = manims  # type: ignore[method-assign]


def _write_frame_in_place(self: object, pixels: object, *, repeat: int = 1) -> None:
    """Manim 0.22's ``VideoSegmentEncoder.write_frame``, wrapping ``pixels`` without a copy."""
    import av

    self._validate_frame(pixels, repeat)  # type: ignore[attr-defined]
    rate = self.spec.frame_rate  # type: ignore[attr-defined]
    time_base = Fraction(rate.denominator, rate.numerator)
    try:
        for _ in range(repeat):
            frame = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
            frame.pts = self._next_pts  # type: ignore[attr-defined]
            frame.time_base = time_base
            self._next_pts += 1  # type: ignore[attr-defined]
            for packet in self._stream.encode(frame):  # type: ignore[attr-defined]
                self._container.mux(packet)  # type: ignore[attr-defined]
    except BaseException as error:
        raise self._operation_error("encode", error) from error  # type: ignore[attr-defined]


def join_clips(clips: Sequence[Path], target: Path) -> None:
    """Join video clips of one format end to end into ``target`` (no re-encoding)."""
    import av

    listing = "".join(
        "file 'file:{}'\n".format(Path(clip).resolve().as_posix().replace("'", "'\\''"))
        for clip in clips
    )
    with av.open(BytesIO(listing.encode()), format="concat", options={"safe": "0"}) as source:
        stream = source.streams.video[0]
        with av.open(str(target), mode="w") as output:
            out_stream = output.add_stream_from_template(template=stream)
            for packet in source.demux(stream):
                if packet.dts is None:  # demux's flushing packets
                    continue
                packet.dts = None  # let libav make them increase across clips
                packet.stream = out_stream
                output.mux(packet)


def mp4_timing(path: Path) -> tuple[int, float]:
    """(frames, seconds) of the first video track of an MP4 or QuickTime file.

    Read from the track's sample table (``stts``, ``mdhd``), so no PyAV
    import and no decoding: ``verify`` checks a clip whose bytes it already
    knows by their sha256 this way. Raises ``ValueError`` when the file's
    boxes do not tile it exactly (cut short, or something appended) or it has
    no video track with a sample table.
    """
    with open(path, "rb") as file:
        total = os.fstat(file.fileno()).st_size
        moov = None
        at = 0
        while at < total:
            file.seek(at)
            head = file.read(16)
            kind, header, size = _box_header(head, 0, total - at)
            if kind == b"moov":
                if moov is not None or size > MAX_MOOV_BYTES:
                    raise ValueError("more than one moov box, or one too large")
                file.seek(at + header)
                moov = file.read(size - header)
            at += size
    if moov is None:
        raise ValueError("no moov box")
    for kind, start, end in _boxes(moov, 0, len(moov)):
        if kind == b"trak":
            timing = _video_timing(moov, start, end)
            if timing is not None:
                return timing
    raise ValueError("no video track")


def _box_header(data: bytes, at: int, room: int) -> tuple[bytes, int, int]:
    """(type, header length, whole size) of the box at ``data[at:]``, ``room`` bytes left."""
    if room < 8 or len(data) < at + 8:
        raise ValueError("a box header is cut short")
    size, kind = struct.unpack_from(">I4s", data, at)
    if not all(32 <= byte < 127 for byte in kind):  # a four-character code
        raise ValueError("a box without a type: not an MP4's box")
    header = 8
    if size == 1:
        if room < 16 or len(data) < at + 16:
            raise ValueError("a box header is cut short")
        size = struct.unpack_from(">Q", data, at + 8)[0]
        header = 16
    elif size == 0:  # to the end
        size = room
    if size < header or size > room:
        raise ValueError(f"box {kind!r} runs past its end")
    return kind, header, size


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box filling ``data[start:end]``."""
    at = start
    while at < end:
        kind, header, size = _box_header(data, at, end - at)
        yield kind, at + header, at + size
        at += size


def _video_timing(data: bytes, start: int, end: int) -> tuple[int, float] | None:
    """(frames, seconds) of the ``trak`` box ``data[start:end]``, or None if not video."""
    boxes = {kind: (s, e) for kind, s, e in _boxes(data, start, end)}
    if b"mdia" not in boxes:
        return None
    mdia = {kind: (s, e) for kind, s, e in _boxes(data, *boxes[b"mdia"])}
    if b"hdlr" not in mdia or data[mdia[b"hdlr"][0] + 8 : mdia[b"hdlr"][0] + 12] != b"vide":
        return None
    if b"mdhd" not in mdia or b"minf" not in mdia:
        raise ValueError("a video track without its media header")
    at, stop = mdia[b"mdhd"]
    offset = 20 if data[at] == 1 else 12  # version 1 has 64-bit times
    if stop - at < offset + 4:
        raise ValueError("a media header cut short")
    timescale = struct.unpack_from(">I", data, at + offset)[0]
    minf = {kind: (s, e) for kind, s, e in _boxes(data, *mdia[b"minf"])}
    stbl = {kind: (s, e) for kind, s, e in _boxes(data, *minf.get(b"stbl", (0, 0)))}
    if not timescale or b"stts" not in stbl:
        raise ValueError("a video track without its sample table")
    at, stop = stbl[b"stts"]
    count = struct.unpack_from(">I", data, at + 4)[0] if stop - at >= 8 else -1
    if count < 0 or stop - at < 8 + 8 * count:
        raise ValueError("a sample table cut short")
    frames = ticks = 0
    for samples, delta in struct.iter_unpack(">II", data[at + 8 : at + 8 + 8 * count]):
        frames += samples
        ticks += samples * delta
    return frames, ticks / timescale

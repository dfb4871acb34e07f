"""Reading and joining clips with PyAV (no ffmpeg binary needed)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

__all__ = ["join_clips", "video_duration"]


def video_duration(path: Path) -> float:
    """Seconds of video in ``path``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


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

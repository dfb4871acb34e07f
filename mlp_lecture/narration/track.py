"""The audio track of a narrated clip: each step's sound placed where the step begins.

After Manim writes a scene's video, ``place`` lays every narrated step's
samples at its start time on silence as long as the video, and
``mux_audio`` writes a new file with the video stream copied packet for
packet (no re-encode) beside an AAC track (Opus in WebM, which takes no
AAC). A step without narration is silence, so clips joined end to end stay
in sync. ``join_audio`` gives the joined lecture one track made of the
clips' tracks, each cut or padded to its clip's video length.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from mlp_lecture.narration.audio import RATE

__all__ = ["AUDIO_CODECS", "clip_audio", "has_audio", "join_audio", "mux_audio", "place"]

# Each joinable clip format's audio codec (gif and png have no sound).
AUDIO_CODECS = {"mp4": "aac", "mov": "aac", "webm": "libopus"}
BIT_RATE = 128_000  # AAC-LC mono: transparent for speech
FRAME = 1024  # samples per encoded audio frame (AAC's frame size)


def place(
    sounds: dict[int, np.ndarray], placed: Sequence[tuple[int, float]], seconds: float
) -> np.ndarray:
    """Silence ``seconds`` long with each step's sound starting at its start time."""
    track = np.zeros(max(1, round(seconds * RATE)), dtype=np.float32)
    for number, start in placed:
        sound = sounds[number]
        at = round(start * RATE)
        end = min(len(track), at + len(sound))
        if end > at:
            track[at:end] += sound[: end - at]
    return np.clip(track, -1.0, 1.0)


def has_audio(path: Path) -> bool:
    """Whether the media file at ``path`` has an audio stream."""
    import av

    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def mux_audio(video: Path, track: np.ndarray, target: Path) -> None:
    """Write ``target``: ``video``'s video stream (copied) and ``track`` as its audio."""
    import av

    codec = AUDIO_CODECS.get(video.suffix.lstrip(".").lower())
    if codec is None:
        raise ValueError(f"{video.suffix} clips carry no sound (use mp4, mov or webm)")
    with av.open(str(video)) as source, av.open(str(target), mode="w") as output:
        video_in = source.streams.video[0]
        video_out = output.add_stream_from_template(template=video_in)
        audio_out = output.add_stream(codec, rate=RATE, layout="mono")
        audio_out.bit_rate = BIT_RATE
        packets = _encoded(audio_out, track)
        queue = iter(packets)
        pending = next(queue, None)
        for packet in source.demux(video_in):
            if packet.dts is None:
                continue
            at = float(packet.pts * video_in.time_base) if packet.pts is not None else 0.0
            while pending is not None and _seconds(pending) <= at:
                output.mux(pending)
                pending = next(queue, None)
            packet.stream = video_out
            output.mux(packet)
        while pending is not None:
            output.mux(pending)
            pending = next(queue, None)


def _seconds(packet: object) -> float:
    pts, base = getattr(packet, "pts", None), getattr(packet, "time_base", None)
    return float(pts * base) if pts is not None and base is not None else 0.0


def _encoded(stream: object, track: np.ndarray) -> list[object]:
    """Every packet of ``track`` encoded by ``stream`` (kept, then interleaved with video)."""
    import av

    packets: list[object] = []
    samples = np.asarray(track, dtype=np.float32)
    for start in range(0, len(samples), FRAME):
        chunk = samples[start : start + FRAME].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="mono"
        )
        frame.rate = RATE
        frame.pts = start
        frame.time_base = Fraction(1, RATE)
        packets.extend(stream.encode(frame))  # type: ignore[attr-defined]
    packets.extend(stream.encode(None))  # type: ignore[attr-defined]
    return packets


def clip_audio(path: Path, seconds: float | None = None) -> np.ndarray:
    """The audio of the clip at ``path`` as mono ``RATE`` Hz floats (silence when it has
    none), cut or padded to ``seconds`` when given."""
    import av

    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        if container.streams.audio:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    audio = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if seconds is None:
        return audio
    wanted = round(seconds * RATE)
    if len(audio) >= wanted:
        return audio[:wanted]
    return np.concatenate([audio, np.zeros(wanted - len(audio), np.float32)])


def join_audio(clips: Sequence[Path], durations: Sequence[float], joined: Path) -> bool:
    """Give ``joined`` (the clips' videos end to end) one audio track: each clip's,
    cut or padded to its video's length. Nothing is done (False) when no clip has sound."""
    if not any(has_audio(clip) for clip in clips):
        return False
    track = np.concatenate(
        [clip_audio(clip, seconds) for clip, seconds in zip(clips, durations, strict=True)]
    )
    with_sound = joined.with_name(f".{joined.stem}-sound{joined.suffix}")
    mux_audio(joined, track, with_sound)
    with_sound.replace(joined)
    return True

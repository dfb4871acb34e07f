"""Narration audio in one shape: mono, 48 kHz, float32 samples in [-1, 1].

Teachers save a step's narration in any audio editor (WAV, FLAC, OGG or
MP3); drafts come from espeak-ng as WAV; recordings from ``arecord``. Every
one of them is decoded here with PyAV (FFmpeg's decoders) and resampled with
``av.AudioResampler``, so the rest of the narration layer sees one format and
a wrong sample rate is simply converted. Reading is bounded: an empty file,
a file that is not audio, or one longer than ``MAX_SECONDS`` is refused in
one line (``AudioRefused``) before it can fill memory.

``clean_take`` trims a recording's leading and trailing silence and
normalises its loudness to ``TARGET_LUFS`` (EBU R128, integrated loudness),
both with FFmpeg's own filters (``silenceremove``, ``loudnorm``) run through
PyAV's filter graph: no other dependency.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path

import numpy as np

__all__ = [
    "AUDIO_SUFFIXES",
    "MAX_SECONDS",
    "RATE",
    "TARGET_LUFS",
    "AudioRefused",
    "clean_take",
    "decode_audio",
    "encode_wav",
    "pcm_sha256",
]

RATE = 48_000  # samples a second of every decoded narration (and of the clips' AAC track)
# One step's narration is a sentence or two; ten minutes is far beyond any, and
# stops a two-hour file (or a stream that never ends) from filling memory.
MAX_SECONDS = 600.0
MAX_BYTES = 512 * 1024 * 1024  # a ten-minute WAV at 96 kHz stereo float is 460 MB
# EBU R128's broadcast target is -23 LUFS; speech for playback on laptops and in
# lecture halls is usually mastered louder: -16 LUFS is the common podcast/speech
# target (AES TD1004) and what `record` normalises to.
TARGET_LUFS = -16.0
TRUE_PEAK = -1.5  # dBTP, loudnorm's ceiling
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


class AudioRefused(ValueError):
    """A narration file that cannot be used: one line naming it and why."""


def decode_audio(path: Path, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """The sound in ``path`` as mono ``RATE`` Hz float32 samples (any rate, any layout).

    Raises ``AudioRefused`` (one line) for a missing, empty or oversized file,
    one that holds no audio stream or no sound, and one longer than
    ``max_seconds``.

    Examples
    --------
    >>> samples = decode_audio(Path("narration/SingleNeuron/01.flac"))  # doctest: +SKIP
    >>> len(samples) / RATE  # seconds  # doctest: +SKIP
    3.52
    """
    import av

    try:
        size = path.stat().st_size
    except OSError:
        raise AudioRefused(f"{path}: no such file") from None
    if not path.is_file():
        raise AudioRefused(f"{path}: not a regular file")
    if size == 0:
        raise AudioRefused(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise AudioRefused(f"{path}: {size / 2**20:.0f} MB is too large for one step's narration")
    limit = int(max_seconds * RATE)
    chunks: list[np.ndarray] = []
    count = 0
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise AudioRefused(f"{path}: holds no audio (a WAV, FLAC, OGG or MP3 file is)")
            stream = container.streams.audio[0]
            known = _declared_seconds(container, stream)
            if known is not None and known > max_seconds:
                raise AudioRefused(_too_long(path, known, max_seconds))
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    count += len(chunk)
                if count > limit:
                    raise AudioRefused(_too_long(path, count / RATE, max_seconds, "over "))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioRefused:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise AudioRefused(f"{path}: not audio FFmpeg can decode ({_first_line(error)})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if len(samples) == 0:
        raise AudioRefused(f"{path}: holds no sound (zero samples)")
    if len(samples) > limit:
        raise AudioRefused(_too_long(path, len(samples) / RATE, max_seconds))
    return np.clip(samples, -1.0, 1.0)


def _declared_seconds(container: object, stream: object) -> float | None:
    """The length the file's header declares, if any (checked before decoding)."""
    duration = getattr(stream, "duration", None)
    time_base = getattr(stream, "time_base", None)
    if duration and time_base:
        return float(duration * time_base)
    whole = getattr(container, "duration", None)  # in microseconds
    return whole / 1e6 if whole else None


def _too_long(path: Path, seconds: float, limit: float, prefix: str = "") -> str:
    return (
        f"{path}: {prefix}{_clock(seconds)} long; one step's narration is at most "
        f"{_clock(limit)} (cut it into the steps' files)"
    )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _first_line(error: BaseException) -> str:
    reason = getattr(error, "strerror", None)
    if isinstance(reason, str) and reason:
        return reason
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__


def encode_wav(samples: np.ndarray, path: Path) -> None:
    """Write ``samples`` (mono ``RATE`` Hz float) to ``path`` as 16-bit PCM WAV."""
    import av

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype(np.int16).reshape(1, -1)
    with av.open(str(path), mode="w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.rate = RATE
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def pcm_sha256(samples: np.ndarray) -> str:
    """The sha256 of ``samples`` as 16-bit PCM: the same sound gives the same hash."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    return hashlib.sha256(pcm.tobytes()).hexdigest()


def clean_take(samples: np.ndarray, lufs: float = TARGET_LUFS) -> np.ndarray:
    """A recorded take trimmed of leading and trailing silence, at ``lufs`` loudness.

    ``silenceremove`` cuts the silence (below -50 dBFS) at both ends (the end
    as the start of the take reversed), keeping a tenth of a second;
    ``loudnorm`` brings the integrated loudness to ``lufs`` with a true-peak
    ceiling of ``TRUE_PEAK`` (its linear mode when it can, which keeps the
    dynamics of speech). A take that is all silence
    is refused (``AudioRefused``): nothing was said.
    """
    trimmed = _filtered(
        samples,
        # the leading silence off, then (reversed) the trailing: pauses inside stay
        f"{_TRIM_START},areverse,{_TRIM_START},areverse",
    )
    if len(trimmed) < RATE // 10 or float(np.abs(trimmed).max(initial=0.0)) < 10 ** (-50 / 20):
        raise AudioRefused("the take is silent: nothing was recorded (is the microphone on?)")
    # loudnorm needs 3 s of sound for its measurement; repeat a short take to measure it
    # (loudness of a repetition is the loudness of the take), then apply that gain.
    return _filtered(trimmed, f"loudnorm=I={lufs}:TP={TRUE_PEAK}:LRA=11", pad_to=3 * RATE)


_TRIM_START = "silenceremove=start_periods=1:start_threshold=-50dB:start_silence=0.1"


def _filtered(samples: np.ndarray, description: str, pad_to: int = 0) -> np.ndarray:
    """``samples`` through FFmpeg's audio filter ``description`` (then back to ``RATE``)."""
    import av

    source = np.asarray(samples, dtype=np.float32)
    length = len(source)
    if pad_to and length < pad_to:  # too short to measure: measure a repetition
        source = np.tile(source, -(-pad_to // max(length, 1)))
    graph = av.filter.Graph()
    buffer = graph.add_abuffer(format="flt", sample_rate=RATE, layout="mono", time_base=None)
    chain = [buffer]
    for part in [*description.split(","), f"aresample={RATE}", "aformat=sample_fmts=flt"]:
        name, _, args = part.partition("=")
        chain.append(graph.add(name, args or None))
    sink = graph.add("abuffersink")
    chain.append(sink)
    for first, second in pairwise(chain):
        first.link_to(second)
    graph.configure()
    out: list[np.ndarray] = []
    step = 4096
    for start in range(0, len(source), step):
        frame = av.AudioFrame.from_ndarray(
            source[start : start + step].reshape(1, -1), format="flt", layout="mono"
        )
        frame.rate = RATE
        frame.pts = start
        graph.push(frame)
        out.extend(_drain(graph))
    graph.push(None)
    out.extend(_drain(graph))
    result = np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)
    if pad_to and length < pad_to:
        result = result[:length]
    return result


def _drain(graph: object) -> list[np.ndarray]:
    import av

    frames = []
    while True:
        try:
            frame = graph.pull()  # type: ignore[attr-defined]
        except (av.error.BlockingIOError, av.error.EOFError):
            return frames
        frames.append(frame.to_ndarray().reshape(-1))

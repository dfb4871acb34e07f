"""``verify``'s look at a narrated render: the sound each clip carries is the narration.

For each scene the manifest records as narrated, the clip's audio is decoded
(PyAV) and held to the record:

- the clip has an audio track, as long as its video (within a frame);
- each narrated step's window (its start, its length) is as loud as the
  narration placed there (RMS within ``LOUDNESS_TOLERANCE``, AAC being
  lossy) and the rest of the clip is silent: a track shifted, swapped or
  replaced fails;
- with the narration directory (``verify --narration DIR``), each step's
  file still has the sha256 the manifest records, and the clip's window
  matches that file decoded and placed at the step's start (correlation of
  at least ``MATCH``): the very recording, in its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mlp_lecture.narration.audio import RATE, AudioRefused, decode_audio, pcm_sha256

__all__ = ["LOUDNESS_TOLERANCE", "MATCH", "narration_problems"]

LOUDNESS_TOLERANCE = 0.2  # relative RMS difference allowed between placed sound and clip
SILENCE = 2e-3  # RMS of "no narration here" (AAC's noise on silence is far below)
MATCH = 0.9  # least correlation between a step's recording and the clip's window
EDGE = 0.03  # seconds left out at each window's ends (AAC's frame smears the onset)


def narration_problems(
    clip: Path, steps: list[dict[str, Any]], video_seconds: float, folder: Path | None = None
) -> list[str]:
    """What is wrong with the sound of ``clip`` given its manifest's ``steps`` (one line each)."""
    import av

    try:
        with av.open(str(clip)) as container:
            if not container.streams.audio:
                return [f"{clip.name}: narrated, but has no audio track"]
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = [
                out.to_ndarray().reshape(-1)
                for frame in container.decode(stream)
                for out in resampler.resample(frame)
            ]
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except (av.FFmpegError, ValueError, OSError) as error:
        return [f"{clip.name}: its audio does not decode ({error})"]
    sound = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    problems = []
    if abs(len(sound) / RATE - video_seconds) > 1 / 15 + 0.03:
        problems.append(
            f"{clip.name}: {len(sound) / RATE:.3f} s of audio for {video_seconds:.3f} s of video"
        )
    quiet = np.ones(len(sound), dtype=bool)
    for step in steps:
        start, seconds = float(step["start"]), float(step["seconds"])
        at, end = round((start + EDGE) * RATE), round((start + seconds - EDGE) * RATE)
        quiet[
            max(0, round(start * RATE) - RATE // 10) : round((start + seconds) * RATE) + RATE // 10
        ] = False
        window = sound[at:end]
        where = f"{clip.name}: step {step['step']} ({step['file']})"
        if len(window) < end - at:
            problems.append(f"{where}: the clip's audio ends before the step's narration")
            continue
        expected = step.get("rms")
        heard = _rms(window)
        if isinstance(expected, int | float) and abs(heard - expected) > LOUDNESS_TOLERANCE * max(
            expected, SILENCE
        ):
            problems.append(f"{where}: RMS {heard:.4f} where the narration has {expected:.4f}")
        if folder is not None:
            problems += _source_problems(folder, step, window, where)
    rest = sound[quiet]
    if len(rest) and _rms(rest) > SILENCE:
        problems.append(f"{clip.name}: sound where no step is narrated (RMS {_rms(rest):.4f})")
    return problems


def _source_problems(
    folder: Path, step: dict[str, Any], window: np.ndarray, where: str
) -> list[str]:
    """The step's file in ``folder``: its recorded sha256, and the clip's window is it."""
    from mlp_lecture.narration.script import file_sha256
    from mlp_lecture.pipeline.safe_names import NameRefused, inside

    try:
        path = inside(folder, step["file"], source="lecture.json", field="narration.file")
        if file_sha256(path) != step["sha256"]:
            return [f"{where}: the file changed since the render (sha256 differs); render again"]
        source = decode_audio(path)
    except (NameRefused, AudioRefused, OSError, ValueError) as error:
        return [f"{where}: {error}"]
    if pcm_sha256(source) != step.get("pcm_sha256"):
        return [f"{where}: decodes to other samples than the render placed"]
    cut = round(EDGE * RATE)
    reference = source[cut : cut + len(window)]
    length = min(len(reference), len(window))
    if length == 0:
        return []
    a, b = reference[:length].astype(np.float64), window[:length].astype(np.float64)
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    if denominator == 0.0:
        return (
            []
            if float(np.abs(a).max()) == float(np.abs(b).max()) == 0.0
            else [f"{where}: the clip is silent where its narration is"]
        )
    match = float(a @ b) / denominator
    if match < MATCH:
        return [f"{where}: the clip's sound is not this recording (correlation {match:.2f})"]
    return []


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0

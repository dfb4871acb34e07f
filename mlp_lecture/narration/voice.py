"""The render worker's side of narration: time the scene, then give its clips a voice.

``narrated`` decodes a task's step sounds and wraps the scene class
(``timing.with_narration``); once Manim wrote the video, ``voice_clips``
places the sounds at their steps' starts and muxes the track into the
scene's clip and each step clip (``track``), returning where each sound
sits for the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlp_lecture.narration.audio import RATE, decode_audio, pcm_sha256
from mlp_lecture.narration.plan import StepAudio
from mlp_lecture.narration.timing import with_narration
from mlp_lecture.narration.track import mux_audio, place

__all__ = ["PlacedNarration", "narrated", "voice_clips"]


@dataclass
class PlacedNarration:
    """One step's sound in a clip: the manifest's record of it."""

    step: int
    file: str  # relative to the narration directory
    sha256: str  # of that file
    voice: str  # "recorded" | "draft"
    start: float  # seconds into the scene's clip
    seconds: float  # its length
    pcm_sha256: str  # of the decoded sound (mono 48 kHz, 16-bit): what was placed
    rms: float = 0.0  # its loudness without its first and last EDGE seconds (verify's window)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "file": self.file,
            "sha256": self.sha256,
            "voice": self.voice,
            "start": self.start,
            "seconds": self.seconds,
            "pcm_sha256": self.pcm_sha256,
            "rms": self.rms,
        }


def narrated(cls: type, steps: Sequence[StepAudio]) -> tuple[type, dict[int, np.ndarray]]:
    """``cls`` timed to ``steps``' sounds, and the sounds (step -> samples)."""
    sounds = {audio.step: decode_audio(Path(audio.path)) for audio in steps}
    return with_narration(cls, steps, sounds), sounds


def voice_clips(
    scene: Any,
    sounds: dict[int, np.ndarray],
    steps: Sequence[StepAudio] | None,
    artifact: Path,
    sections: Sequence[Any],
) -> list[PlacedNarration]:
    """Mux the placed sounds into ``artifact`` and each section's clip (in place)."""
    from mlp_lecture.pipeline.media import video_duration

    # at the millisecond the manifest records, so verify finds each sound where it is
    placed_at = [(number, round(start, 3)) for number, start in scene.narration_placed]
    by_step = {audio.step: audio for audio in steps or ()}
    if artifact.suffix.lower() == ".png":
        return []
    seconds = video_duration(artifact)
    track = place(sounds, placed_at, seconds)
    _replace_with_sound(artifact, track)
    for section in sections:
        if section.file and section.start is not None:
            clip = Path(section.file)
            at = round(section.start * RATE)
            length = round(video_duration(clip) * RATE)
            part = track[at : at + length]
            if len(part) < length:
                part = np.concatenate([part, np.zeros(length - len(part), np.float32)])
            _replace_with_sound(clip, part)
    return [
        PlacedNarration(
            number,
            by_step[number].name,
            by_step[number].audio_sha256,
            by_step[number].voice,
            round(start, 3),
            round(len(sounds[number]) / RATE, 3),
            pcm_sha256(sounds[number]),
            _window_rms(sounds[number]),
        )
        for number, start in placed_at
    ]


def _window_rms(sound: np.ndarray) -> float:
    """The RMS ``verify`` expects in the step's window (its edges left out)."""
    from mlp_lecture.narration.check import EDGE

    cut = round(EDGE * RATE)
    inner = sound[cut : max(cut, len(sound) - cut)].astype(np.float64)
    return round(float(np.sqrt(np.mean(inner**2))), 5) if len(inner) else 0.0


def _replace_with_sound(clip: Path, track: np.ndarray) -> None:
    with_sound = clip.with_name(f"{clip.stem}.sound{clip.suffix}")
    mux_audio(clip, track, with_sound)
    with_sound.replace(clip)

"""Narration: the lecture spoken, in the teacher's own voice or a draft voice.

``narration.json`` (``record``) lists every step's sentence and where its
audio belongs; ``script.prepare_narration`` writes it (``mlp-lecture
narration``), ``capture`` records the teacher step by step (``mlp-lecture
record``), ``plan`` chooses each step's audio for a render, ``timing`` holds
each step for its narration, and ``track`` puts the sound in the clips.
Importing this package is light: no manim, no torch, no PyAV.
"""

from __future__ import annotations

from mlp_lecture.narration.record import (
    NARRATION_FILE,
    NarrationError,
    NarrationFile,
    NarrationStep,
    read_narration,
)

__all__ = ["NARRATION_FILE", "NarrationError", "NarrationFile", "NarrationStep", "read_narration"]

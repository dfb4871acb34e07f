"""Draft narration: espeak-ng speaks a step's sentence where the teacher has not (yet).

A draft is labelled a draft everywhere (its file is ``<Scene>/<NN>.draft.wav``,
its entry's voice ``draft``, the render's manifest and the CLI say so) and
never replaces a recording: the two have different names, and a recording
is always chosen over a draft.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from mlp_lecture.narration.audio import AudioRefused, decode_audio, encode_wav
from mlp_lecture.narration.steps import speakable

__all__ = ["ESPEAK", "DraftError", "espeak_available", "speak_draft"]

ESPEAK = "espeak-ng"
WORDS_PER_MINUTE = 165  # espeak-ng's default is 175; a little slower reads better with pictures


class DraftError(RuntimeError):
    """No draft could be made: one line (espeak-ng missing or failing)."""


def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


def speak_draft(sentence: str, target: Path) -> Path:
    """Write espeak-ng's reading of ``sentence`` to ``target`` (mono 48 kHz WAV).

    The file is written aside and moved in, so a killed draft leaves no half file.
    """
    program = shutil.which(ESPEAK)
    if program is None:
        raise DraftError(
            f"{ESPEAK} is not installed (Debian: apt-get install {ESPEAK}); "
            "drafts need it, recordings do not"
        )
    text = speakable(sentence) or "."
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlp-draft-", dir=target.parent) as folder:
        raw = Path(folder) / "espeak.wav"
        try:
            subprocess.run(
                [program, "-s", str(WORDS_PER_MINUTE), "-w", str(raw), "--", text],
                check=True,
                capture_output=True,
                timeout=60,
            )
            samples = decode_audio(raw)
        except (subprocess.SubprocessError, OSError, AudioRefused) as error:
            raise DraftError(
                f"{ESPEAK} could not speak a draft for {target.name}: {error}"
            ) from None
        written = Path(folder) / "draft.wav"
        encode_wav(samples, written)
        written.replace(target)
    return target

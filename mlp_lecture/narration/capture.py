"""``mlp-lecture record``: the teacher reads each step's sentence into the microphone.

Step by step: the sentence is shown, Enter starts the take, Enter stops it,
then Enter keeps it, ``r`` takes it again, ``s`` skips the step, ``q``
stops. Plain lines on standard input, no key hooks (manim-voiceover's
pynput recorder needs an X server and accessibility rights; a line read
works over ssh and in a test). The take comes from the default ALSA
microphone through ``arecord`` (alsa-utils), is trimmed of leading and
trailing silence and normalised to ``TARGET_LUFS`` (``audio.clean_take``),
and written as ``DIR/<Scene>/<NN>.wav`` with its entry in ``narration.json``.

``MLP_RECORD_SOURCE`` names audio files (``:``-separated, used in turn)
that stand in for the microphone: the tests drive ``record`` with it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

import numpy as np

from mlp_lecture.narration.audio import (
    RATE,
    TARGET_LUFS,
    AudioRefused,
    clean_take,
    decode_audio,
    encode_wav,
)
from mlp_lecture.narration.record import (
    NARRATION_FILE,
    NarrationError,
    NarrationFile,
    NarrationStep,
    sentence_sha256,
    step_name,
    write_narration,
)
from mlp_lecture.narration.script import file_sha256
from mlp_lecture.pipeline.safe_names import inside

__all__ = [
    "SOURCE_ENV",
    "ArecordMicrophone",
    "FileMicrophone",
    "Microphone",
    "RecordReport",
    "arecord_microphone",
    "read_line",
    "record_steps",
]

SOURCE_ENV = "MLP_RECORD_SOURCE"


class Microphone(Protocol):
    """Where takes come from: ``start()`` begins one, ``stop()`` returns its samples."""

    def start(self) -> None: ...

    def stop(self) -> np.ndarray: ...


class ArecordMicrophone:
    """The default ALSA capture device, through ``arecord`` (mono, 48 kHz, 16-bit)."""

    def __init__(self, program: str):
        self.program = program
        self.process: subprocess.Popen[bytes] | None = None
        self.folder = tempfile.TemporaryDirectory(prefix="mlp-record-")
        self.file = Path(self.folder.name) / "take.wav"

    def start(self) -> None:
        self.file.unlink(missing_ok=True)
        command = [self.program, "-q", "-f", "S16_LE", "-r", str(RATE), "-c", "1", "-t", "wav"]
        self.process = subprocess.Popen([*command, str(self.file)], stderr=subprocess.PIPE)

    def stop(self) -> np.ndarray:
        process, self.process = self.process, None
        if process is None:
            return np.zeros(0, np.float32)
        process.send_signal(signal.SIGINT)  # arecord closes the WAV properly on SIGINT
        try:
            _, errors = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
        if not self.file.is_file() or self.file.stat().st_size <= 44:
            why = (errors or b"").decode(errors="replace").strip().splitlines()
            raise NarrationError(
                "arecord recorded nothing"
                + (f" ({why[0]})" if why else "")
                + " (is there a microphone? `arecord -l` lists them)"
            )
        return decode_audio(self.file)


@dataclass
class FileMicrophone:
    """Takes read from audio files, in turn (the last one again when they run out)."""

    files: list[Path]
    taken: int = 0

    def start(self) -> None:
        pass

    def stop(self) -> np.ndarray:
        path = self.files[min(self.taken, len(self.files) - 1)]
        self.taken += 1
        return decode_audio(path)


def arecord_microphone() -> Microphone:
    """The microphone to record from: ``MLP_RECORD_SOURCE``'s files, else ``arecord``."""
    source = os.environ.get(SOURCE_ENV, "").strip()
    if source:
        return FileMicrophone([Path(part) for part in source.split(":") if part])
    program = shutil.which("arecord")
    if program is None:
        raise NarrationError(
            "arecord is not installed (Debian: apt-get install alsa-utils); "
            "or record in any audio editor and save the files narration.json names"
        )
    return ArecordMicrophone(program)


@dataclass
class RecordReport:
    """What a ``record`` session kept."""

    kept: list[int] = field(default_factory=list)  # step numbers recorded
    skipped: list[int] = field(default_factory=list)


def record_steps(
    folder: Path,
    narration: NarrationFile,
    scene: str,
    sentences: Sequence[str],
    first: int,
    microphone: Microphone,
    read: Callable[[], str],
    say: Callable[[str], None],
) -> RecordReport:
    """Record ``scene``'s steps from ``first`` on into ``folder`` (``sentences``: the
    title, then each step's); ``read`` gives a line of the teacher's input (EOFError
    ends the session), ``say`` shows one."""
    source = folder / NARRATION_FILE
    report = RecordReport()
    total = len(sentences) - 1  # sentences[0] is the title
    from mlp_lecture.captions import plain_text

    for number in range(first, len(sentences)):
        sentence = sentences[number]
        what = "the title" if number == 0 else f"step {number}/{total}"
        say(f"\n{scene} {what}:\n    {plain_text(sentence)}")
        entry = narration.find(scene, number)
        if entry is None:
            entry = NarrationStep(
                scene, number, sentence, sentence_sha256(sentence), step_name(scene, number)
            )
            narration.steps.append(entry)
        target = inside(folder, entry.file, source=source, field="file")
        _check_ours(target, entry)
        take = _take(microphone, read, say)
        if take is None:
            break
        if len(take) == 0:
            report.skipped.append(number)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written = target.with_name(f".{target.name}.take")
        encode_wav(take, written)
        written.replace(target)
        entry.sentence, entry.sha256 = sentence, sentence_sha256(sentence)
        entry.voice = "recorded"
        entry.audio_sha256 = entry.take_sha256 = file_sha256(target)
        write_narration(folder, narration)  # after every step: a session cut short keeps them
        report.kept.append(number)
        say(f"    kept: {entry.file} ({len(take) / RATE:.1f} s at {TARGET_LUFS:g} LUFS)")
    return report


def _check_ours(target: Path, entry: NarrationStep) -> None:
    """A file at ``target`` is replaced only when ``record`` wrote it (its hash says so)."""
    if target.exists() and file_sha256(target) != entry.take_sha256:
        raise NarrationError(
            f"{target}: a recording not made by `record` (or changed since); "
            "move it away to record this step again"
        )


def _take(
    microphone: Microphone, read: Callable[[], str], say: Callable[[str], None]
) -> np.ndarray | None:
    """One kept take (trimmed, normalised); empty: skip the step; None: stop the session."""
    while True:
        say("    Enter: start recording   s: skip this step   q: stop")
        answer = _line(read)
        if answer is None or answer == "q":
            return None
        if answer == "s":
            return np.zeros(0, np.float32)
        microphone.start()
        say("    recording... Enter: stop")
        stopped = _line(read)
        raw = microphone.stop()
        if stopped is None:
            return None
        try:
            take = clean_take(raw)
        except AudioRefused as error:
            say(f"    {error}; again")
            continue
        say(f"    {len(take) / RATE:.1f} s   Enter: keep   r: retake")
        answer = _line(read)
        if answer is None:
            return None
        if answer != "r":
            return take


def _line(read: Callable[[], str]) -> str | None:
    try:
        return read().strip().lower()
    except EOFError:
        return None


def read_line(stream: TextIO) -> Callable[[], str]:
    """``read`` for ``record_steps`` from a text stream (EOFError at its end)."""

    def read() -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line

    return read

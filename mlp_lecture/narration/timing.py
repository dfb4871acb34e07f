"""A scene timed to its narration: each step lasts at least its audio plus a pause.

manim-voiceover's ``voiceover()`` block starts the sound with the animation,
and on exit waits out what is left. Ours is the same idea at the grain of
our steps: ``with_narration`` wraps a scene class (in the render worker, as
``with_step_tracking`` does) so that each ``step()`` notes when the step
begins, and before the next step begins (or the scene ends) waits out what
is left of the step's narration and ``PAUSE``. Scenes know nothing of it.

A step whose sentence is not the one its audio was made for (the sha256
differs: the lesson or the scene changed what it says) is *stale*: the
scene stops with ``StaleNarration`` naming every such step, so the teacher
records them again rather than hearing words that no longer match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mlp_lecture.narration.audio import RATE
from mlp_lecture.narration.plan import PAUSE, StepAudio
from mlp_lecture.narration.record import sentence_sha256

__all__ = ["StaleNarration", "with_narration"]


class StaleNarration(RuntimeError):
    """Steps whose narration was made for another sentence (one line, naming them)."""


def with_narration(
    cls: type, steps: Sequence[StepAudio], sounds: Mapping[int, np.ndarray], pause: float = PAUSE
) -> type:
    """``cls`` with each narrated step held for its sound (``sounds``: step -> samples).

    Once played, ``narration_placed`` lists ``(step, start seconds)`` of each
    sound in the clip, and ``narration_spans`` maps a step's start to where
    its narration ends (the captions' cue ends there).
    """
    by_step = {audio.step: audio for audio in steps}

    class Narrated(cls):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self.narration_placed: list[tuple[int, float]] = []
            self.narration_spans: dict[float, float] = {}
            self.stale_steps: list[int] = []
            self._narration_until: float | None = None
            self._narration_section = 0.0
            self._narration_title_seen = 0 not in by_step  # step 0, the title, checked once shown
            if 0 in by_step:  # the title's sound starts with the scene
                self._narration_place(0, 0.0)

        def next_section(self, *args: Any, **kwargs: Any) -> None:
            self._narration_section = self.renderer.time
            super().next_section(*args, **kwargs)

        def step(self, *caption: Any) -> None:
            self._narration_title()
            self._narration_wait()
            super().step(*caption)
            number = len(self.steps)
            if number in by_step and self._narration_holds(number, self.steps[-1]):
                self._narration_place(number, self._narration_section)

        def _narration_holds(self, number: int, sentence: str) -> bool:
            """Whether step ``number``'s audio was made for ``sentence`` (else: stale)."""
            if sentence_sha256(sentence) == by_step[number].sentence_sha256:
                return True
            self.stale_steps.append(number)
            self.renderer.skip_animations = True  # the clip is refused: draw no more
            return False

        def _narration_title(self) -> None:
            if not self._narration_title_seen:
                self._narration_title_seen = True
                if not self._narration_holds(0, self.ledger.title):
                    self.narration_placed = [p for p in self.narration_placed if p[0] != 0]

        def _narration_place(self, number: int, start: float) -> None:
            seconds = len(sounds[number]) / RATE
            self.narration_placed.append((number, start))
            self.narration_spans[round(start, 3)] = start + seconds
            self._narration_until = start + seconds + pause

        def tear_down(self) -> None:
            self._narration_title()
            self._narration_wait()
            if self.stale_steps:
                raise StaleNarration(_stale_message(type(self).__name__, self.stale_steps, steps))
            super().tear_down()

        def _narration_wait(self) -> None:
            if self._narration_until is None:
                return
            left = self._narration_until - self.renderer.time
            self._narration_until = None
            if not self.renderer.skip_animations and left > 0.5 / _frame_rate():
                self.wait(left)

    Narrated.__name__ = Narrated.__qualname__ = cls.__name__
    Narrated.__module__ = cls.__module__
    return Narrated


def _stale_message(scene: str, stale: list[int], steps: Sequence[StepAudio]) -> str:
    """One line: which steps' narration is stale, and the command that mends it."""
    listed = ", ".join(str(n) for n in stale)
    plural = "s" if len(stale) > 1 else ""
    some = next(audio for audio in steps if audio.step == stale[0])
    folder = some.path[: -len(some.name) - 1] if some.path.endswith(some.name) else "DIR"
    drafts = all(a.voice == "draft" for a in steps if a.step in stale)
    if drafts:
        mend = (
            f"draft {'them' if plural else 'it'} anew: mlp-lecture narration --dir {folder} --draft"
        )
    else:
        mend = (
            f"record {'them' if plural else 'it'} again: mlp-lecture record --scenes {scene} "
            f"--from {stale[0]} --dir {folder}"
        )
    return (
        f"the narration of step{plural} {listed} was made for another sentence "
        f"(the step says something else now); {mend}"
    )


def _frame_rate() -> float:
    from manim import config

    return float(config.frame_rate)

"""Each scene's step sentences, got by building the scene without rendering it.

A step's sentence is its caption (``LectureScene.step``), which the scene
spells from the lesson's trace; the title (``show_title``) is spoken too, as
step 0, while it shows before the first step. Building the scene with animations skipped
(as the audit does) runs ``construct`` in about a second and gives every
sentence, in order, with no video written.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from mlpmath import Lesson

__all__ = ["scene_steps", "speakable"]


def scene_steps(
    lesson: Lesson, names: Sequence[str], heard: Callable[[str], None] | None = None
) -> dict[str, list[str] | None]:
    """Scene name -> its title then its step sentences (the ledger's text), for
    ``lesson``: item ``n`` is step ``n``'s, item 0 the title's (said as the scene
    opens, before its first step). ``None`` for a scene the lesson has nothing for
    (``applies`` is false). ``heard(name)`` is told as each scene is built."""
    from manim import tempconfig

    from scenekit.audit import draw_nothing, silent_build_settings
    from scenekit.context import LESSON_ENV, current_trace
    from scenes import scene_class

    steps: dict[str, list[str] | None] = {}
    previous = os.environ.get(LESSON_ENV)
    with tempfile.TemporaryDirectory(prefix="mlp-narration-") as folder:
        lesson_file = Path(folder) / "lesson.toml"
        lesson_file.write_text(lesson.source, encoding="utf-8")
        os.environ[LESSON_ENV] = str(lesson_file)
        settings = silent_build_settings(str(Path(folder) / "media")) | {"disable_caching": True}
        try:
            trace = current_trace()
            for name in names:
                if heard is not None:
                    heard(name)
                cls = scene_class(name)
                if not cls.applies(trace):
                    steps[name] = None
                    continue
                with tempconfig(settings):
                    scene = cls(skip_animations=True)
                    scene.renderer.update_frame = draw_nothing
                    scene.render()
                steps[name] = [scene.ledger.title, *scene.steps]
        finally:
            if previous is None:
                os.environ.pop(LESSON_ENV, None)
            else:
                os.environ[LESSON_ENV] = previous
    return steps


# How a symbol of the captions' math reads aloud (inside $...$ only: outside it, an
# apostrophe is English, "the neuron's output").
_SPOKEN = {
    "≈": " about ",
    "=": " equals ",
    "+": " plus ",
    "-": " minus ",
    "−": " minus ",
    "×": " times ",
    "·": " times ",
    "⊙": " times ",
    "→": " to ",
    "∂": " d ",
    "Σ": " sum ",
    "'": " prime ",
    "ᵀ": " transposed ",
    "\u0302": " hat ",
}
_SCRIPTS = dict(
    zip(
        "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ",
        "0123456789aehijklmnoprstuvx0123456789abcdefghijklmnoprstuvwxyz",
        strict=True,
    )
)
_MATH = re.compile(r"\$([^$]*)\$")


def speakable(sentence: str) -> str:
    """``sentence`` as words a speech synthesiser reads: math written out plainly.

    ``"Add the bias $b_1$"`` -> ``"Add the bias b 1"``; ``"$hat(y) = N + B$"`` ->
    ``"y hat equals N plus B"``. A draft only; the teacher's own recording says
    it properly.
    """
    from mlp_lecture.captions import plain_text

    def math(match: re.Match[str]) -> str:
        text = plain_text(f"${match[1]}$")
        for symbol, words in _SPOKEN.items():
            text = text.replace(symbol, words)
        return " " + "".join(f" {_SCRIPTS[c]}" if c in _SCRIPTS else c for c in text) + " "

    text = _MATH.sub(math, sentence)
    text = "".join(c if c.isalnum() or c in " ,.;:?!-'" else " " for c in text)
    return re.sub(r" ([,.;:?!])", r"\1", " ".join(text.split()))

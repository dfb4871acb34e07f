"""Captions: every step's caption as a subtitle cue, for clips, the joined lecture and the deck.

A scene's steps are its captions (``LectureScene.step``): one cue per step,
from the step's start to its end in the clip, and a first cue with the
scene's title for the title that comes before the first step. The worker
hands the cues to Manim's own subcaption mechanism (``Scene.add_subcaption``),
which writes ``<Scene>.srt`` beside the clip; ``<Scene>.vtt`` (WebVTT, what
an HTML ``<track>`` takes) is made from the same cues. The formats are
written by the ``srt`` and ``webvtt-py`` libraries, never by hand.

Captions are words: Typst math is written as Unicode text (``$k_j^((i))$`` ->
``kⱼ⁽ⁱ⁾``), the same text as the slides' speaker notes.
"""

from __future__ import annotations

import datetime
import html
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CAPTION_FORMATS",
    "LINE_WIDTH",
    "Cue",
    "compose_srt",
    "compose_vtt",
    "cue_text",
    "plain_text",
    "read_srt",
    "shifted",
    "write_captions",
]

CAPTION_FORMATS = ("srt", "vtt")  # the subtitle files beside every clip, by suffix
LINE_WIDTH = 42  # characters per caption line, the common broadcast limit
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    """One caption: shown from ``start`` to ``end`` seconds of its clip."""

    start: float
    end: float
    text: str


# -- Typst math as text ------------------------------------------------------------

_SUBSCRIPTS = dict(
    zip("0123456789aehijklmnoprstuvx()+-=", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₍₎₊₋₌", strict=True)
)
_SUPERSCRIPTS = dict(
    zip(
        "0123456789abcdefghijklmnoprstuvwxyzTLN()+-=",
        "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᴸᴺ⁽⁾⁺⁻⁼",
        strict=True,
    )
)
# a script in brackets (one level of brackets inside: the sample's ``^((i))``) or one letter
_SCRIPT = re.compile(r"([_^])(?:\(((?:[^()]|\([^()]*\))*)\)|(\w))")
_MATH = re.compile(r"\$([^$]*)\$")


def plain_text(caption: str) -> str:
    """``caption`` with its Typst math as Unicode text: ``$k_j^((i))$`` -> ``kⱼ⁽ⁱ⁾``."""

    def script(match: re.Match[str]) -> str:
        marks = _SUBSCRIPTS if match[1] == "_" else _SUPERSCRIPTS
        body = match[2] if match[2] is not None else match[3]
        if all(char in marks for char in body):
            return "".join(marks[char] for char in body)
        return f"{match[1]}({body})"

    def math(match: re.Match[str]) -> str:
        text = re.sub(r"hat\((\w)\)", "\\1\u0302", match[1])
        text = re.sub(r'"([^"]*)"', r"\1", text)
        return _SCRIPT.sub(script, text)

    return _MATH.sub(math, caption)


def cue_text(caption: str) -> str:
    """A caption as a cue's text: math as words, in lines of at most ``LINE_WIDTH``
    characters (two lines, wider only for a caption too long for two)."""
    words = " ".join(plain_text(caption).split())
    width = LINE_WIDTH
    while len(lines := textwrap.wrap(words, width, break_long_words=False)) > MAX_LINES:
        width += 4
    return "\n".join(lines)


# -- the formats -----------------------------------------------------------------------


def _milliseconds(seconds: float) -> datetime.timedelta:
    return datetime.timedelta(milliseconds=round(seconds * 1000))


def _subtitles(cues: Iterable[Cue]) -> list:
    import srt

    return [
        srt.Subtitle(index, _milliseconds(cue.start), _milliseconds(cue.end), cue.text)
        for index, cue in enumerate(cues, start=1)
    ]


def compose_srt(cues: Iterable[Cue]) -> str:
    """``cues`` as SubRip text (the ``srt`` library writes it)."""
    import srt

    return srt.compose(_subtitles(cues), reindex=True)


def compose_vtt(cues: Iterable[Cue]) -> str:
    """``cues`` as WebVTT text (``webvtt-py`` writes it; ``<`` and ``&`` escaped as VTT wants)."""
    from webvtt import Caption, WebVTT

    def stamp(seconds: float) -> str:
        total = round(seconds * 1000)
        hours, rest = divmod(total, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"

    captions = [
        Caption(stamp(cue.start), stamp(cue.end), html.escape(cue.text, quote=False).split("\n"))
        for cue in cues
    ]
    return WebVTT(captions=captions).content


MAX_CAPTION_BYTES = 4_000_000  # a SubRip file of ours: a cue a step, far below this


def read_srt(path: Path) -> list[Cue]:
    """The cues of a SubRip file (as Manim or ``write_captions`` wrote it).

    Only a regular file of at most ``MAX_CAPTION_BYTES`` is read, never through
    a symlink (``mlpmath.files.FileRefused``, a ``ValueError``, otherwise).
    """
    import srt

    from mlpmath.files import read_regular

    text = read_regular(path, MAX_CAPTION_BYTES).decode("utf-8")
    return [
        Cue(sub.start.total_seconds(), sub.end.total_seconds(), sub.content)
        for sub in srt.parse(text)
    ]


def write_captions(
    cues: Sequence[Cue], stem: Path, formats: Sequence[str] = CAPTION_FORMATS
) -> dict[str, Path]:
    """Write ``stem.srt`` and ``stem.vtt`` holding ``cues``; returns suffix -> file."""
    written = {}
    for suffix in formats:
        path = stem.with_name(f"{stem.name}.{suffix}")
        text = compose_srt(cues) if suffix == "srt" else compose_vtt(cues)
        path.write_text(text, encoding="utf-8")
        written[suffix] = path
    return written


def shifted(parts: Iterable[tuple[Sequence[Cue], float]]) -> list[Cue]:
    """Cues of clips played one after another: each part's cues moved by its offset."""
    return [
        Cue(round(cue.start + offset, 3), round(cue.end + offset, 3), cue.text)
        for cues, offset in parts
        for cue in cues
    ]

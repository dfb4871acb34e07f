"""The PowerPoint deck: a slide per step, its clip playing on entry, its note below.

The slides are the ones manim-slides' PowerPoint converter makes (its 1280 x 720
slide, the clip over the whole slide, played as the slide opens, the note in the
slide's notes), but each clip's poster picture, what PowerPoint, Keynote and
LibreOffice show before it plays and what a PDF or a printed handout shows, is
the step's last frame (the state the step arrives at), not its first: the first
frame of the step's reversed clip, which is exactly the clip's last
(``reversal``), read without decoding the clip. Written in one pass: the
converter's deck opened again to swap its posters took twice as long.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlp_lecture.reversal import first_frame

__all__ = ["SLIDE_PIXELS", "write_pptx"]

SLIDE_PIXELS = (1280, 720)  # the slide, as manim-slides' converter makes it
EMU_PER_PIXEL = 9525  # Office's units at 96 pixels per inch
PRESENTATION_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"


def write_pptx(path: Path, slides: Sequence[Any], work: Path) -> None:
    """Write ``slides`` (manim-slides' ``SlideConfig``: file, rev_file, notes, loop) to
    ``path``; their posters go through ``work``."""
    from pptx import Presentation
    from pptx.util import Emu

    presentation = Presentation()
    width, height = (Emu(pixels * EMU_PER_PIXEL) for pixels in SLIDE_PIXELS)
    presentation.slide_width, presentation.slide_height = width, height
    blank = presentation.slide_layouts[6]
    for number, step in enumerate(slides):
        poster = work / f"poster-{number}.png"
        first_frame(step.rev_file).save(poster, compress_level=1)
        slide = presentation.slides.add_slide(blank)
        movie = slide.shapes.add_movie(
            str(step.file),
            0,
            0,
            width,
            height,
            poster_frame_image=str(poster),
            mime_type=mimetypes.guess_type(step.file)[0],
        )
        _play_on_entry(movie.element, loop=step.loop)
        if step.notes:
            slide.notes_slide.notes_text_frame.text = step.notes
    presentation.save(str(path))


def _play_on_entry(movie: Any, loop: bool) -> None:
    """Start the movie (its XML element) as its slide opens rather than on a click, as
    manim-slides' converter does (https://github.com/scanny/python-pptx/issues/427)."""
    shape_id = _xpath(movie, ".//p:cNvPr")[0].get("id")
    slide = movie.getparent().getparent().getparent()
    (target,) = _xpath(slide, f'.//p:timing//p:video//p:spTgt[@spid="{shape_id}"]')
    timing = target.getparent().getparent()
    _xpath(timing, ".//p:cond")[0].set("delay", "0")
    if loop:
        _xpath(timing, ".//p:cTn")[0].set("repeatCount", "indefinite")


def _xpath(element: Any, query: str) -> list[Any]:
    """``query`` on any element of the slide's XML (python-pptx's own ``xpath`` is only
    on the elements it has classes for)."""
    from lxml import etree

    return etree.XPath(query, namespaces={"p": PRESENTATION_NS})(element)

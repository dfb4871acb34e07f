"""What the audit reads texts by: the classes of text, each text's source, and
a record of every text made while a scene is built (with which text each
glyph belongs to, for the shape audit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from manim import DecimalNumber, Mobject
from manim.mobject.text.tex_mobject import SingleStringMathTex
from manim.mobject.text.text_mobject import MarkupText, Paragraph, Text
from manim.mobject.text.typst_mobject import Typst

__all__ = ["TEXT_CLASSES", "glyph_owners", "recording_created_texts", "source_of"]

TEXT_CLASSES = (Typst, Text, MarkupText, Paragraph, SingleStringMathTex, DecimalNumber)


def source_of(mobject: Mobject) -> str:
    """The text a text mobject was made from (a formula's Typst code, a number's value)."""
    if isinstance(mobject, Typst):
        return mobject.typst_code
    if isinstance(mobject, Text | MarkupText):
        return mobject.original_text
    if isinstance(mobject, Paragraph):
        return " ".join(str(line) for line in mobject.lines_text)
    if isinstance(mobject, SingleStringMathTex):
        return mobject.tex_string
    return str(mobject.get_value())  # DecimalNumber


_OPEN_RECORDINGS: list[dict[int, Mobject]] = []  # the texts each open recording has seen
_OWNERS: dict[int, tuple[int, dict[int, Mobject]]] = {}  # per recording: texts read, owners


def glyph_owners() -> dict[int, Mobject]:
    """Each recorded text's glyphs (by id), for the newest open recording (else none);
    texts recorded since the last call are added to what earlier calls found."""
    if not _OPEN_RECORDINGS:
        return {}
    created = _OPEN_RECORDINGS[-1]
    read, owners = _OWNERS.get(id(created), (0, {}))
    if read < len(created):
        for text in islice(created.values(), read, None):
            owners.update(dict.fromkeys(map(id, text.get_family()), text))
        _OWNERS.clear()  # one recording at a time is read
        _OWNERS[id(created)] = (len(created), owners)
    return owners


@contextmanager
def recording_created_texts(
    classes: tuple[type, ...] = TEXT_CLASSES,
) -> Iterator[list[Mobject]]:
    """Collect every instance of ``classes`` constructed inside the block.

    This is the one place that patches Manim's classes: each class's own
    ``__init__`` is wrapped for the duration of the block and restored after
    it, even when the block raises. The list it yields is filled on exit.
    """
    created: dict[int, Mobject] = {}
    originals = {cls: cls.__dict__.get("__init__") for cls in classes}

    def wrap(original: Any) -> Any:
        def __init__(self: Mobject, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            created.setdefault(id(self), self)

        return __init__

    for cls, original in originals.items():
        if original is not None:
            cls.__init__ = wrap(original)
    found: list[Mobject] = []
    _OPEN_RECORDINGS.append(created)  # what the shape audit reads glyphs' texts from
    try:
        yield found
    finally:
        _OPEN_RECORDINGS[:] = [open_ for open_ in _OPEN_RECORDINGS if open_ is not created]
        _OWNERS.pop(id(created), None)
        for cls, original in originals.items():
            if original is not None:
                cls.__init__ = original
        found.extend(created.values())

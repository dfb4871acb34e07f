"""The one place that patches Manim's classes: the audit's record of created text.

``recording_created_texts`` wraps each text class's ``__init__`` for the span
of a block; it must see every text made inside, none made outside, and put
Manim's classes back exactly as they were, even when the block fails.
"""

from __future__ import annotations

import pytest
from manim import Text
from manim.mobject.text.typst_mobject import MathTypst, Typst

from scenekit.audit import TEXT_CLASSES, recording_created_texts


def _inits() -> dict[type, object]:
    return {cls: cls.__dict__.get("__init__") for cls in TEXT_CLASSES}


def test_it_records_the_texts_made_inside_the_block_only():
    before = Typst("outside")
    with recording_created_texts() as created:
        inside = [Typst("a"), MathTypst("x_1"), Text("b")]
    after = Typst("later")
    ids = {id(mobject) for mobject in created}
    assert all(id(mobject) in ids for mobject in inside)
    assert id(before) not in ids and id(after) not in ids
    assert len(created) == len(inside)  # a subclass's __init__ chain records it once


def test_manims_classes_are_restored_even_when_the_block_fails():
    original = _inits()
    with pytest.raises(RuntimeError), recording_created_texts():
        assert _inits() != original  # patched inside
        raise RuntimeError("a scene failed")
    assert _inits() == original

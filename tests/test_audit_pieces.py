"""The audit sees a table shown piece by piece: entries faded in one by one (and the
brackets after them) are no text of their own, only glyphs of one, and a text laid
over them must fail the audit as it would over the whole table.

NeuronBatch's ``tanh(n) = g`` column once lay on ``n``'s last entry (issue 33) and
the render said "audit ok": ``n`` was on screen as entries, which the text check
skipped. ``EntriesThenOverlap`` is that layout in small.
"""

from __future__ import annotations

import pytest
from manim import DOWN, RIGHT, UP, FadeIn, VGroup

from mlpmath import compute_trace, load_lesson
from scenekit import style
from scenekit.audit import audit_scene
from scenekit.context import LESSON_ENV
from scenekit.lecture_scene import LectureScene

RISE = 0.3  # Manim units the column rises from under the table: its top entry on the last row


@pytest.fixture
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


class EntriesThenOverlap(LectureScene):
    """A table shown row by row, then its brackets; then a column over its last row."""

    def place(self, table, column) -> None:
        column.next_to(table, DOWN, buff=0).align_to(table, RIGHT).shift(UP * RISE)

    def construct(self) -> None:
        self.show_title("Entry by entry")
        self.step("A table row by row, then a column")
        table = self.traced.matrix("network.layers[0].weight", color=style.RESULT)
        column = self.traced.matrix("network.layers[0].bias", color=style.ACTIVE)
        self.place(table, column)
        self.centre_on_stage(VGroup(table, column))
        for row in table.shown_rows:
            self.play(FadeIn(table.row(row)))
        self.play(FadeIn(table.frame()))
        self.play(FadeIn(column))
        self.pause()


class EntriesThenBeside(EntriesThenOverlap):
    """The same, the column beside the table: nothing overlaps."""

    def place(self, table, column) -> None:
        column.next_to(table, RIGHT, buff=style.BLOCK_BUFF)


def _audit(scene, monkeypatch, media) -> list[str]:
    monkeypatch.setenv(LESSON_ENV, "")
    return audit_scene(scene, compute_trace(load_lesson(None)), media)[1]


def test_a_text_over_entries_shown_one_by_one_fails_the_audit(monkeypatch, media):
    """The line names both by their trace paths (the table's entries by its own)."""
    problems = _audit(EntriesThenOverlap, monkeypatch, media)
    assert any(
        "network.layers[0].bias" in line
        and "overlaps" in line
        and "network.layers[0].weight" in line
        and "during an animation" not in line
        for line in problems
    ), problems


def test_entries_shown_one_by_one_beside_another_text_pass(monkeypatch, media):
    """Its brackets, shown apart from its entries, do not count as covering them,
    nor does a piece of a table count against another piece of it."""
    assert _audit(EntriesThenBeside, monkeypatch, media) == []

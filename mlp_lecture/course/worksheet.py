"""A student's worksheet, and the marker's key.

The worksheet holds the student's own given numbers and an empty, highlighted
answer cell for every step of the lecture, in the deck's order
(:mod:`.questions` places them; the grading reads the same list). Everything
but the answer cells is protected, so a student cannot overwrite a given number
by accident; the student's id and draw are in cells ``B2`` and ``B3`` and in
the document's properties, so a marker knows whose file it is.

The key has the same layout, with every answer cell a live formula over the
given numbers: a marker puts a student's sheet beside it, cell for cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlp_lecture.course.questions import (
    GENERATION_CELL,
    ID_CELL,
    SHEET,
    cells_by_path,
    formula_text,
    layout,
)
from mlp_lecture.spreadsheet.cells import Exact, number_format
from mlp_lecture.written_aside import written_aside
from mlpmath import resolve

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook

    from mlpmath import Trace

__all__ = [
    "DRAW_PROPERTY",
    "KEY_SHEET",
    "STUDENT_PROPERTY",
    "write_key",
    "write_worksheet",
]

STUDENT_PROPERTY = "mlp-lecture student"  # the custom document property holding the id
DRAW_PROPERTY = "mlp-lecture draw"  # and the one holding the generation
ANSWER_FILL = "#E2F0D9"  # answer cells: pale green, unlocked
KEY_SHEET = "Key"  # the key's one sheet


def write_worksheet(trace: Trace, path: str | Path, student_id: str, generation: int = 0) -> Path:
    """Write the worksheet of ``trace`` for ``student_id`` to ``path`` (``.xlsx``).

    ``generation`` is the draw of the student's numbers (0 unless the teacher
    redrew them); the grading refuses a file of another draw. The file is
    written aside and moved into place: a failed write leaves no half file.
    """
    return _write(trace, Path(path), student_id, generation, key=False)


def write_key(trace: Trace, path: str | Path, generation: int = 0) -> Path:
    """The marker's key: the worksheet of ``trace`` with every answer cell a live formula
    over the given numbers (and its value, the trace's, cached for a viewer that does
    not recalculate). The student's id is the trace's lesson name."""
    return _write(trace, Path(path), trace.lesson, generation, key=True)


def _write(trace: Trace, path: Path, student_id: str, generation: int, key: bool) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with written_aside(path) as partial:
        workbook = xlsxwriter.Workbook(str(partial), {"in_memory": True})
        kind = "key" if key else "worksheet"
        workbook.set_properties(
            {
                "title": f"{trace.title}: {kind} of {student_id}",
                "subject": student_id,
                "comments": "written by mlp-lecture; "
                + ("the answers as live formulas" if key else "fill in the green cells"),
            }
        )
        workbook.set_custom_property(STUDENT_PROPERTY, student_id)
        workbook.set_custom_property(DRAW_PROPERTY, str(generation))
        sheet = workbook.add_worksheet(KEY_SHEET if key else SHEET)
        formats = _Formats(workbook)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 80, 12)
        sheet.write_string(0, 0, f"{kind.capitalize()}: {trace.title}", formats.title)
        sheet.write_string(1, 0, "Student id", formats.label)
        sheet.write_string(ID_CELL, student_id, formats.bold)
        sheet.write_string(2, 0, "Draw", formats.label)
        sheet.write_number(GENERATION_CELL, generation, formats.bold)
        for row, note in enumerate(_notes(trace, key), start=3):
            sheet.write_string(row, 0, note, formats.note)
        sections = layout(trace)
        cell_of = cells_by_path(trace, sections) if key else {}
        for section in sections:
            sheet.write_string(section.top, 0, section.title, formats.heading)
            for c, head in enumerate(section.headers):
                sheet.write_string(section.top + 1, 1 + c, head, formats.header)
            for r, name in enumerate(section.rows):
                if name:
                    sheet.write_string(section.top + 2 + r, 0, name, formats.label)
            for entry in section.entries:
                style = formats.answer(entry.decimals)
                if entry.answer and key:
                    cached = resolve(trace, entry.path)
                    sheet.write_formula(
                        entry.row,
                        entry.col,
                        "=" + formula_text(entry.formula, cell_of),
                        style,
                        int(cached) if isinstance(cached, bool) else cached,
                    )
                elif entry.answer:
                    sheet.write_blank(entry.row, entry.col, None, style)
                else:
                    value = resolve(trace, entry.path)
                    # whole numbers (the deck's inputs 1, 2, 3; a class) are shown whole
                    places = 0 if float(value).is_integer() else entry.decimals
                    sheet.write_number(entry.row, entry.col, Exact(value), formats.given(places))
        if not key:
            sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
        sheet.activate()
        workbook.close()
    return path


def _notes(trace: Trace, key: bool) -> list[str]:
    if key:
        return [
            "The answer key: each green cell is a live formula over the yellow given numbers.",
            "Its cells are where the student's worksheet has them.",
        ]
    classes = " (a class as its number; right or not as 1 or 0)"
    return [
        f"Type each green cell's number to {trace.decimals} decimals"
        + (classes if trace.network.is_classification else "")
        + ".",
        "Type numbers, not formulas: a green cell holding a formula is not marked.",
    ]


class _Formats:
    """The worksheet's formats; a number's shows its precision."""

    def __init__(self, workbook: Workbook):
        add = workbook.add_format
        self._workbook = workbook
        self.title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True, "locked": True})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.heading = add({"bold": True, "font_color": "#1F3864"})
        self.header = add({"bold": True, "align": "center", "bottom": 1})
        self.label = add({"font_color": "#404040"})
        self._given: dict[int, Format] = {}
        self._answer: dict[int, Format] = {}

    def given(self, decimals: int) -> Format:
        if decimals not in self._given:
            self._given[decimals] = self._workbook.add_format(
                {"num_format": number_format(decimals), "bg_color": "#FFF2CC", "locked": True}
            )
        return self._given[decimals]

    def answer(self, decimals: int) -> Format:
        if decimals not in self._answer:
            self._answer[decimals] = self._workbook.add_format(
                {
                    "num_format": number_format(decimals),
                    "bg_color": ANSWER_FILL,
                    "border": 1,
                    "border_color": "#548235",
                    "locked": False,
                }
            )
        return self._answer[decimals]

"""Writing cells: the lesson's inputs as marked constants, everything else as formulas.

Each formula is written with its cached value (the trace's value), so a viewer
that does not recalculate still shows the right number, and with its trace path
as the cell's comment, so the sheet, the video and the ledger share one name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_rowcol_to_cell

from mlpmath import Trace, resolve
from mlpmath.activation_names import ACTIVATION_NAMES as LESSON_ACTIVATIONS
from scenekit import palette
from scenekit.palette import mix, on_paper

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "ACTIVATION_NAMES",
    "COUNT_FORMAT",
    "DIFFERENCE_FORMAT",
    "WRAP_COLUMNS",
    "Block",
    "Cell",
    "Exact",
    "Sheet",
    "Styles",
    "activation_formula",
    "derivative_formula",
    "flow",
    "number_format",
    "side_by_side",
    "span",
]

# A sheet this many columns wide or more prints landscape (column A 12, the others 11
# characters: 7 columns fill a portrait A4 page's width at full size).
PORTRAIT_COLUMNS = 7
FIRST_WIDTH, COLUMN_WIDTH = 12, 11  # characters: column A (the row labels), the others
A4_SHORT, A4_LONG = 595.3, 841.9  # the page, in points
ROW_POINTS = 15  # a row of Calibri 11 in Excel (LibreOffice's are lower: more fit)
# Tables side by side fill a band of at most this many columns (A included), then go on in
# a band below, as a board fills one line after the next: a printed page holds a band
# at a legible size (16 columns: about 80 % on landscape A4).
WRAP_COLUMNS = 16
# What a spreadsheet writes for a number that overflowed (torch's inf or nan).
OVERFLOW = "#NUM!"
COUNT_FORMAT = "0"  # a count: K, a step's number
DIFFERENCE_FORMAT = "0.00E+00"  # hand - torch: how small it is, not its digits


def number_format(decimals: int) -> str:
    """The number format of a value shown at ``decimals`` places: ``0.0000`` for 4."""
    return "0." + "0" * decimals if decimals else "0"


# the activation of the pre-activation n (mlpmath.notation's f(n); z is only a logit)
ACTIVATION_NAMES = {"none": "n", "relu": "ReLU(n)", "sigmoid": "σ(n)", "tanh": "tanh(n)"}


def activation_formula(name: str, n: str) -> str:
    """The activation applied to the pre-activation expression ``n``, as a spreadsheet
    formula."""
    formulas = {
        "none": f"{n}",
        "relu": f"MAX(0,{n})",
        "sigmoid": f"1/(1+EXP(-({n})))" if not _is_reference(n) else f"1/(1+EXP(-{n}))",
        "tanh": f"TANH({n})",
    }
    assert set(formulas) == set(LESSON_ACTIVATIONS)
    return formulas[name]


def derivative_formula(name: str, n: str, output: str) -> str:
    """``f'(n)`` as a formula over the pre-activation cell ``n`` and the output cell
    ``f(n)``: ReLU'(0) = 0, as torch has it; σ' = σ(1 - σ); tanh' = 1 - tanh^2."""
    formulas = {
        "none": "1",
        "relu": f"IF({n}>0,1,0)",
        "sigmoid": f"{output}*(1-{output})",
        "tanh": f"1-{output}^2",
    }
    return formulas[name]


def _is_reference(text: str) -> bool:
    return text.replace("$", "").replace("!", "").isalnum()


@dataclass(frozen=True)
class Cell:
    """One cell's place: its sheet, row and column (from 0)."""

    sheet: str
    row: int
    col: int

    def ref(self, here: str) -> str:
        """``C5``, or ``Layers!C5`` when written on another sheet than ``here``."""
        address = xl_rowcol_to_cell(self.row, self.col)
        return address if here == self.sheet else f"{self.sheet}!{address}"


def span(first: Cell, last: Cell, here: str) -> str:
    """The range from ``first`` to ``last`` (one sheet), as written on sheet ``here``."""
    end = xl_rowcol_to_cell(last.row, last.col)
    return f"{first.ref(here)}:{end}"


@dataclass(frozen=True)
class Block:
    """A rectangle of cells: a matrix laid out on a sheet."""

    sheet: str
    top: int
    left: int
    rows: int
    cols: int

    def cell(self, r: int, c: int) -> Cell:
        return Cell(self.sheet, self.top + r, self.left + c)

    def row_range(self, r: int, here: str) -> str:
        return span(self.cell(r, 0), self.cell(r, self.cols - 1), here)

    def col_range(self, c: int, here: str) -> str:
        return span(self.cell(0, c), self.cell(self.rows - 1, c), here)


# The lecture's colours (scenekit.palette), made for a dark frame, darkened or paled for paper.
INPUT_FONT = on_paper(palette.INPUT)
RESULT_FILL = mix(palette.ACTIVATION, "#FFFFFF", 0.75)


class Styles:
    """The workbook's formats: inputs stand out, formulas show the lesson's decimals."""

    def __init__(self, workbook: Workbook, decimals: int):
        digits = number_format(decimals)
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.heading = add({"bold": True, "font_color": "#1F3864"})
        self.header = add({"bold": True, "align": "center", "bottom": 1})
        self.label = add({"font_color": "#404040"})
        # a label left of its value: long ones run left, into the empty cells before them
        self.label_right = add({"font_color": "#404040", "align": "right"})
        # Every number shows the lesson's decimals and keeps its full value; only
        # counts (K, step numbers) are whole, and hand - torch is in E notation.
        # The lesson's own numbers: change these, watch the rest recompute.
        self.input = add(
            {
                "num_format": digits,
                "bg_color": "#FFF2CC",
                "font_color": INPUT_FONT,
                "border": 1,
                "border_color": "#BF9000",
            }
        )
        self.formula = add({"num_format": digits})
        self.count = add({"num_format": COUNT_FORMAT})
        # a class index typed by the lesson (data.classes): an input, shown whole
        self.input_count = add(
            {
                "num_format": COUNT_FORMAT,
                "bg_color": "#FFF2CC",
                "font_color": INPUT_FONT,
                "border": 1,
                "border_color": "#BF9000",
            }
        )
        self.result_count = add({"num_format": COUNT_FORMAT, "bold": True, "bg_color": RESULT_FILL})
        self.result = add({"num_format": digits, "bold": True, "bg_color": RESULT_FILL})
        self.torch = add({"num_format": digits, "italic": True, "font_color": "#7F7F7F"})
        self.difference = add({"num_format": DIFFERENCE_FORMAT, "font_color": "#7F7F7F"})
        self.path = add({"font_color": "#7F7F7F", "font_size": 9})


class Sheet:
    """One worksheet: writes labels, input cells, formula cells and their trace paths."""

    def __init__(self, workbook: Workbook, name: str, trace: Trace, styles: Styles):
        self.name = name
        self.trace = trace
        self.styles = styles
        self.worksheet: Worksheet = workbook.add_worksheet(name)
        self.worksheet.set_column(0, 0, FIRST_WIDTH)
        self.worksheet.set_column(1, 60, COLUMN_WIDTH)
        self.used_rows: set[int] = set()  # rows holding anything: blank rows part sections

    def value(self, path: str) -> float:
        return resolve(self.trace, path)

    def for_printing(self, title_rows: int = 1) -> None:
        """Print legibly: the sheet's width on one page (landscape when it is wide; as
        many pages down as it takes), its title repeated on every page, the lesson's
        title and the sheet's name and page in the header and footer."""
        sheet = self.worksheet
        widest = sheet.dim_colmax if sheet.dim_colmax is not None else 0
        if widest >= PORTRAIT_COLUMNS:
            sheet.set_landscape()
        sheet.set_paper(9)  # A4 (a Letter printer scales it: the width fits either way)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, title_rows - 1)
        # "&" starts a code in a header: a title's own is written "&&"
        title = self.trace.title.replace("&", "&&")
        sheet.set_header(f"&L{title[:200]}&R&A", {"margin": 0.3})
        sheet.set_footer("&Cpage &P of &N", {"margin": 0.3})
        breaks = page_breaks(sorted(self.used_rows), self.rows_per_page(widest), title_rows)
        if breaks:
            sheet.set_h_pagebreaks(breaks)

    def rows_per_page(self, widest: int) -> int:
        """About how many rows a printed page holds at the scale that fits the sheet's
        width (on the safe side: LibreOffice and Excel measure a little differently)."""
        landscape = widest >= PORTRAIT_COLUMNS
        width, height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
        printable_width, printable_height = width - 0.8 * 72, height - 1.2 * 72
        used = _column_points(FIRST_WIDTH) + widest * _column_points(COLUMN_WIDTH)
        scale = min(1.0, printable_width / used)
        return int(0.95 * printable_height / (ROW_POINTS * scale))

    def text(self, row: int, col: int, text: str, style: Format | None = None) -> None:
        self.worksheet.write_string(row, col, text, style)
        self.used_rows.add(row)

    def title(self, text: str, *notes: str) -> int:
        """The sheet's title and notes from the top; the next free row."""
        self.text(0, 0, text, self.styles.title)
        for i, note in enumerate(notes):
            self.text(1 + i, 0, note, self.styles.note)
        return len(notes) + 2

    def input(self, cell: Cell, path: str, note: str = "", style: Format | None = None) -> Cell:
        """A constant from the lesson file, marked as an input, named by its trace path."""
        self.used_rows.add(cell.row)
        self.worksheet.write_number(
            cell.row, cell.col, Exact(self.value(path)), style or self.styles.input
        )
        self._comment(cell, path, note or "an input of the lesson: change it")
        return cell

    def formula(
        self,
        cell: Cell,
        formula: str,
        path: str | None = None,
        value: float | str | None = None,
        style: Format | None = None,
        note: str = "",
    ) -> Cell:
        """``=formula`` with its cached value: the trace's at ``path``, else ``value``."""
        self.used_rows.add(cell.row)
        cached = self.value(path) if path is not None else value
        if cached is None:
            raise ValueError(f"{self.name}: a formula needs a trace path or a value: {formula}")
        if isinstance(cached, float) and not math.isfinite(cached):
            cached = OVERFLOW
        elif isinstance(cached, bool):  # a sample classified right: 1 or 0, as IF(...,1,0)
            cached = int(cached)
        self.worksheet.write_formula(
            cell.row, cell.col, "=" + formula, style or self.styles.formula, cached
        )
        if path is not None:
            self._comment(cell, path, note)
        elif note:
            self._comment(cell, note, "")
        return cell

    def result_cell(self, row: int, col: int, label: str) -> Cell:
        """Where a result under a table goes: ``label`` right-aligned at (row, col), and the
        cell beside it, returned for the result's formula."""
        self.text(row, col, label, self.styles.label_right)
        return Cell(self.name, row, col + 1)

    def trace_value(self, cell: Cell, path: str) -> Cell:
        """A number copied from the trace (torch's result), not a formula: shown as such."""
        self.used_rows.add(cell.row)
        number = self.value(path)
        if math.isfinite(number):
            self.worksheet.write_number(cell.row, cell.col, Exact(number), self.styles.torch)
        else:  # a diverging run: write what torch printed
            self.worksheet.write_string(cell.row, cell.col, _non_finite(number), self.styles.torch)
        self._comment(cell, path, "torch's value, copied from the trace")
        return cell

    def _comment(self, cell: Cell, path: str, note: str) -> None:
        text = f"{path}\n{note}" if note else path
        self.worksheet.write_comment(cell.row, cell.col, text, {"author": "mlp-lecture"})


def _column_points(characters: float) -> float:
    """A column ``characters`` wide, in points (Calibri 11: 7 px a digit, 5 px of padding)."""
    return (characters * 7 + 5) * 0.75


def page_breaks(rows: list[int], per_page: int, title_rows: int = 1) -> list[int]:
    """Rows to start a new printed page at, so no section (a run of rows between blank
    ones: a heading with its table) is cut across two pages when it fits on one.

    ``rows`` are the rows in use, sorted; each page holds ``per_page`` rows, the
    ``title_rows`` repeated on top of every page after the first among them.
    """
    sections: list[tuple[int, int]] = []
    for row in rows:
        if sections and row == sections[-1][1] + 1:
            sections[-1] = (sections[-1][0], row)
        else:
            sections.append((row, row))
    breaks: list[int] = []
    page_top, capacity = 0, per_page
    for first, last in sections:
        if last - page_top + 1 > capacity and first > page_top:
            breaks.append(first)
            page_top, capacity = first, per_page - title_rows
        while last - page_top + 1 > capacity:  # longer than a page: where it must split
            page_top += capacity
            capacity = per_page - title_rows
    return breaks


class Exact(float):
    """A number written to the file in full: XlsxWriter writes a constant with 16
    significant digits (``.16G``), one short of what a float may need (a float32
    weight's 0.13189999759197235), so this float formats as its shortest exact text."""

    def __format__(self, spec: str) -> str:
        return repr(float(self))


def _non_finite(number: float) -> str:
    if math.isnan(number):
        return "nan"
    return "inf" if number > 0 else "-inf"


def flow(row: int, shapes: list[tuple[int, int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Where tables go, left to right from column 1 in bands at most :data:`WRAP_COLUMNS`
    wide: ``shapes`` holds each table's (rows, columns, label columns before it); each
    table's title goes on the row above its heads, its heads on the row above its cells.

    Returns each table's (top, left) of its cells, and the first row below them all.
    """
    places: list[tuple[int, int]] = []
    top, left, height = row + 2, 1, 0
    for rows, cols, margin in shapes:
        start = left + margin
        if places and start + cols > WRAP_COLUMNS:
            top, left, height = top + height + 3, 1, 0  # a blank row, a title, the heads
            start = left + margin
        places.append((top, start))
        left, height = start + cols + 1, max(height, rows)
    return places, top + height


def side_by_side(
    sheet: Sheet, row: int, samples: int, blocks: list[tuple[str, list[str]]]
) -> list[Block]:
    """Tables of ``samples`` rows side by side from column 1, a blank column between, as a
    board lays out one step after the next: each one's title on ``row``, its column heads
    on ``row + 1``, its cells from ``row + 2``; column 0 names each sample."""
    made: list[Block] = []
    left = 1
    for title, heads in blocks:
        block = Block(sheet.name, row + 2, left, samples, len(heads))
        sheet.text(row, left, title, sheet.styles.label)
        for c, head in enumerate(heads):
            sheet.text(row + 1, left + c, head, sheet.styles.header)
        made.append(block)
        left += len(heads) + 1
    for s in range(samples):
        sheet.text(row + 2 + s, 0, f"sample {s + 1}", sheet.styles.label)
    return made

"""Where the worksheet's numbers go: titled tables down one sheet, in the deck's order.

A section is a table: column heads from column B, row names in column A, and
its entries (given numbers or answer cells), each with the trace path of its
value and the paths of the numbers it is computed from. :class:`Layout` stacks
sections down the sheet; :mod:`.forward_sections` and :mod:`.backward_sections`
fill it, :mod:`.questions` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "FIRST_ROW",
    "GENERATION_CELL",
    "ID_CELL",
    "SHEET",
    "Cells",
    "Entry",
    "Formula",
    "Layout",
    "Section",
    "cell_name",
    "ref",
    "shown_places",
    "span",
]

SHEET = "Worksheet"
ID_CELL = "B2"  # the student's id, also in the document's properties
GENERATION_CELL = "B3"  # which draw of their numbers this is (the course's --redraw)
FIRST_ROW = 6  # where the first section starts (rows from 0)


def cell_name(row: int, col: int) -> str:
    """``C7``: the spreadsheet name of (row, col), both counted from 0."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


@dataclass(frozen=True)
class Entry:
    """One filled cell of a section: a given number or an answer cell."""

    row: int
    col: int
    path: str  # the trace path of its value
    answer: bool  # an answer cell (empty on the worksheet) or a given number
    label: str  # what it is, in the lecture's notation
    depends: tuple[str, ...]  # trace paths of the numbers it is computed from
    decimals: int  # the precision it is shown (and marked) at
    # an answer's spreadsheet formula, each cell it reads written «trace path» (the key's)
    formula: str = ""

    @property
    def cell(self) -> str:
        """Its spreadsheet name, ``C7``."""
        return cell_name(self.row, self.col)


@dataclass(frozen=True)
class Section:
    """A titled table: column heads from column B, row names in column A."""

    title: str
    top: int  # the title's row; heads on top + 1, entries from top + 2
    headers: tuple[str, ...]
    rows: tuple[str, ...]
    entries: tuple[Entry, ...]


Cells = Callable[[int, int], tuple[str, bool, Sequence[str], int] | None]
Formula = Callable[[int, int], str]


def ref(path: str) -> str:
    """The cell holding the number at trace ``path``, in a formula (:data:`Entry.formula`)."""
    return f"«{path}»"


def span(first: str, last: str) -> str:
    """The range from the cell of trace path ``first`` to that of ``last``, in a formula."""
    return f"«{first}»:«{last}»"


class Layout:
    """Sections stacked down the sheet, a blank row between them."""

    def __init__(self, decimals: int):
        self.decimals = decimals
        self.row = FIRST_ROW
        self.sections: list[Section] = []

    def add(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[str],
        cells: Cells,
        formula: Formula | None = None,
    ) -> None:
        """A section; ``cells(r, c)`` gives (path, answer, depends, decimals) or None, and
        ``formula(r, c)`` an answer's formula (the key's), its cells as :func:`ref` writes."""
        top = self.row
        entries = []
        for r in range(len(rows)):
            for c in range(len(headers)):
                made = cells(r, c)
                if made is None:
                    continue
                path, answer, depends, decimals = made
                label = f"{headers[c]}, {rows[r]}" if rows[r] else headers[c]
                text = formula(r, c) if answer and formula is not None else ""
                entries.append(
                    Entry(top + 2 + r, 1 + c, path, answer, label, tuple(depends), decimals, text)
                )
        self.sections.append(Section(title, top, tuple(headers), tuple(rows), tuple(entries)))
        self.row = top + 2 + len(rows) + 1


def shown_places(value: float, most: int) -> int:
    """The fewest decimals (up to ``most``) that write ``value`` exactly."""
    for places in range(most + 1):
        if round(value, places) == value:
            return places
    return most

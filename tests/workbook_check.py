"""Workbooks recalculated by LibreOffice Calc (headless) and read back: the tests' helpers.

LibreOffice keeps the cached values of an xlsx file by default; the profile used
here sets /org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode to 0 (always
recalculate). Every file goes through one soffice call.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from mlpmath import Trace, resolve
from mlpmath.trace import PathError

__all__ = [
    "Recalculated",
    "assert_recalculates_to_the_trace",
    "cell_named",
    "check_against",
    "close",
    "formula_cells",
    "input_constants",
    "note",
    "recalculate",
    "trace_value",
]

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@dataclass
class Recalculated:
    trace: Trace
    written: Path  # as write_workbook wrote it
    recalculated: Path  # after LibreOffice loaded it, recalculated and saved it


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(
            "LibreOffice is not installed: run `.ci/setup --tests` (libreoffice-calc-nogui)"
        )
    return found


def recalculate(files: list[Path], out: Path, profile: Path, to: str = "xlsx") -> None:
    """Open every file in LibreOffice, recalculating on load, and save it as ``to`` into ``out``."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    command = [
        _soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(out),
        *map(str, files),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    suffix = "." + to.split(":")[0]
    missing = [f.name for f in files if not (out / f.with_suffix(suffix).name).exists()]
    assert done.returncode == 0 and not missing, f"soffice failed: {done.stderr}\n{missing}"


def note(cell) -> str | None:
    """A cell's trace path: its comment's first line."""
    return cell.comment.text.split("\n")[0] if cell.comment else None


def cell_named(sheet, path: str):
    """The one cell of ``sheet`` whose trace path is ``path``."""
    matches = [cell for row in sheet.iter_rows() for cell in row if note(cell) == path]
    assert len(matches) == 1, f"{sheet.title}: {len(matches)} cells named {path}"
    return matches[0]


def formula_cells(path: Path):
    """(sheet, coordinate, formula, first comment line) of every formula cell."""
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield sheet.title, cell.coordinate, cell.value, note(cell)


def input_constants(path: Path, copied: tuple[str, ...]):
    """(sheet title, cell, trace path) of every number written as a constant, but the
    Training sheet's step numbers and torch's values (paths starting with one of
    ``copied``), which must say they are copied from the trace."""
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, int | float):
                    continue
                if sheet.title == "Training" and cell.column == 1:
                    continue  # the step numbers
                name = note(cell)
                if name.startswith(copied):  # torch's values: shown grey, named as copies
                    assert "copied from the trace" in cell.comment.text
                    continue
                yield sheet.title, cell, name


def trace_value(trace: Trace, path: str | None) -> float | None:
    """The trace's value at ``path``; None for a cell the trace does not keep."""
    try:
        return resolve(trace, path) if path else None
    except PathError:
        return None  # a cell the trace does not keep (e.g. hand - torch)


def close(got, want: float) -> bool:
    """``got`` (a spreadsheet's number) equals ``want`` to 1e-9."""
    if not isinstance(got, int | float) or isinstance(got, bool):
        return False
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


def check_against(book_cells, recalculated: Path, cached: Path, trace: Trace, skip=()):
    """Each formula cell's recalculated value against ``cached``'s value and the trace's:
    (problems, cells checked, cells checked by trace path)."""
    values = openpyxl.load_workbook(recalculated, data_only=True)
    expected = openpyxl.load_workbook(cached, data_only=True)
    problems, checked, by_path = [], 0, 0
    for sheet, coordinate, formula, path in book_cells:
        if path in skip:
            continue
        got = values[sheet][coordinate].value
        want = expected[sheet][coordinate].value
        if isinstance(got, str) and (got.startswith("#") or got.startswith("Err:")):
            problems.append(f"{sheet}!{coordinate} {formula}: error {got}")
            continue
        if isinstance(want, str):  # a text formula ("6/8 = 0.75"): the same text
            if got != want:
                problems.append(f"{sheet}!{coordinate} {formula}: LibreOffice {got!r}, {want!r}")
        elif not close(got, want):
            problems.append(f"{sheet}!{coordinate} {formula}: LibreOffice {got}, expected {want}")
        traced = trace_value(trace, path)
        if traced is not None:
            by_path += 1
            if not close(got, traced):
                problems.append(f"{sheet}!{coordinate} {path}: LibreOffice {got}, trace {traced}")
        checked += 1
    return problems, checked, by_path


def assert_recalculates_to_the_trace(book: Recalculated, untraced: set[str]) -> int:
    """Every formula cell of ``book`` names what it is, LibreOffice recalculates it to its
    cached value and to the trace's value at its path (1e-9), and the cached values written
    are the trace's own; only the cells named in ``untraced`` may lack a trace path.
    Returns how many formula cells were checked."""
    cells = list(formula_cells(book.written))
    assert all(path for *_, path in cells), "every formula cell names what it is"
    problems, checked, by_path = check_against(cells, book.recalculated, book.written, book.trace)
    assert problems == []
    assert checked == len(cells) and by_path > checked / 2
    missing = {path for *_, path in cells if trace_value(book.trace, path) is None}
    assert missing <= untraced, "a formula cell without a trace path must say what it is"
    cached = openpyxl.load_workbook(book.written, data_only=True)
    for sheet, coordinate, _, path in cells:
        traced = trace_value(book.trace, path)
        if traced is not None and math.isfinite(traced):
            assert cached[sheet][coordinate].value == traced, f"{sheet}!{coordinate} {path}"
    return checked

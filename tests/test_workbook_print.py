"""The workbook printed (issue 33): LibreOffice's PDF of it, page by page.

Every page shows its sheet's title (the title rows repeat, and a page cut
off the right of a sheet would miss column A, where the title is), so no
sheet is split sideways; no page ends on a heading whose table is on the
next page; a wide sheet prints landscape; the classes are named on the Loss
sheet's pages.
"""

from __future__ import annotations

import subprocess

import openpyxl
import pytest
import torch
from workbook_check import recalculate

from mlp_lecture.spreadsheet import SHEETS, write_workbook
from mlpmath import Lesson, load_lesson

HEADING_COLOUR = "1F3864"  # cells.Styles.heading: a section's heading


def _named() -> Lesson:
    torch.manual_seed(7)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    inputs = [[0.2, 0.1], [0.5, -0.3], [1, 2], [-0.7, 0.4], [1.5, -1], [-1.2, -0.8]]
    inputs += [[0.3, 1.1], [-0.4, -1.5], [2, 0.5], [-1.8, 1.2]]
    return Lesson.from_model(
        net, inputs, [0, 1, 2, 0, 1, 0, 2, 1, 1, 2], learning_rate=0.5, steps=25,
        loss="cross_entropy", class_names=["setosa", "versicolor", "virginica"], name="iris",
    )  # fmt: skip


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Each lesson's workbook, and its PDF as LibreOffice prints it (one soffice call)."""
    out = tmp_path_factory.mktemp("print")
    books = {
        "default": write_workbook(load_lesson(None), out / "default.xlsx"),
        "named": write_workbook(_named(), out / "named.xlsx"),
    }
    recalculate(list(books.values()), out / "pdf", out / "profile", to="pdf")
    return {name: (book, out / "pdf" / f"{name}.pdf") for name, book in books.items()}


def _pages(pdf) -> list[tuple[str, tuple[float, float]]]:
    """Each page's text (pdftotext -layout) and size in points."""
    command = ["pdfinfo", "-f", "1", "-l", "999", str(pdf)]
    info = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            width, _, height = line.split("size:")[1].split()[:3]
            sizes.append((float(width), float(height)))
    texts = []
    for page in range(1, len(sizes) + 1):
        command = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
        texts.append(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return list(zip(texts, sizes, strict=True))


@pytest.mark.parametrize("name", ["default", "named"])
def test_every_page_is_a_whole_width_of_one_sheet_with_its_title(printed, name):
    book, pdf = printed[name]
    workbook = openpyxl.load_workbook(book)
    titles = {sheet.title: sheet["A1"].value for sheet in workbook}
    headings = {
        cell.value
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and cell.font.color is not None
        and str(cell.font.color.rgb).endswith(HEADING_COLOUR)
    }
    assert headings  # the sections' headings were found
    pages = _pages(pdf)
    seen = []
    for number, (text, (width, height)) in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # the header names the sheet (right), the footer the page
        sheet = next(title for title in SHEETS if lines[0].endswith(title))
        if not seen or seen[-1] != sheet:
            seen.append(sheet)
        assert titles[sheet] in text, f"page {number} ({sheet}): no title, cut sideways?"
        assert lines[-1] == f"page {number} of {len(pages)}"
        content = lines[1:-1]
        tail = [line for line in content[-2:] if line in headings]
        assert not tail, f"page {number} ({sheet}) ends on a heading: {tail}"
        wide = workbook[sheet].max_column >= 7
        assert (width > height) == wide, f"page {number} ({sheet}): {width} x {height}"
    assert seen == list(SHEETS)  # every sheet, in order, each on pages of its own
    assert len(pages) <= 4 * len(SHEETS)


def test_the_class_names_are_printed_on_the_loss_pages(printed):
    _, pdf = printed["named"]
    loss = "".join(text for text, _ in _pages(pdf) if "Loss" in text.splitlines()[0])
    for name in ("0 setosa", "1 versicolor", "2 virginica"):
        assert name in loss
    assert "/10 = " in loss  # the accuracy as a count

"""The classification tutorial runs as written (issue 33's "done when", as a test).

Its Python blocks run in order in a fresh folder, as a notebook's cells: a
teacher's tanh 2-5-3 classifier of 10 points and 3 named classes becomes a
lesson from ``nn.Sequential``, its trace is checked against torch by the
tutorial's own asserts, and its workbook and page are written. This test then
opens both and finds the class names there; its shell commands are parsed by
``test_docs_code``.
"""

from __future__ import annotations

import re

import openpyxl
from conftest import ROOT

PAGE = ROOT / "docs" / "source" / "tutorials" / "3-classification.md"
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)  # as test_docs_code reads them


def test_the_classification_tutorial_runs_and_its_outputs_name_the_classes(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cells = [body for lang, body in FENCE.findall(PAGE.read_text()) if lang == "python"]
    assert len(cells) >= 4
    namespace: dict = {}
    for cell in cells:
        exec(compile(cell, str(PAGE), "exec"), namespace)  # the page's own code
    lesson, trace = namespace["lesson"], namespace["trace"]
    names = ("setosa", "versicolor", "virginica")
    assert lesson.class_names == trace.network.class_names == names
    assert "inputs = [[0.2, 0.1], [0.5, -0.3]," in (tmp_path / "iris.toml").read_text()

    loss = openpyxl.load_workbook(tmp_path / "iris" / "workbook.xlsx")["Loss"]
    texts = {cell.value for row in loss.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {f"{k} {name}" for k, name in enumerate(names)} <= texts
    page = (tmp_path / "iris" / "explore" / "index.html").read_text()
    assert '"class_names": ["setosa", "versicolor", "virginica"]' in page

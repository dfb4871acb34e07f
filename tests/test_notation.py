"""The notation table: one source (``mlpmath.notation``), the docs' page generated from it,
and the texts the classification scenes put on screen held to it."""

from __future__ import annotations

from pathlib import Path

from mlpmath.notation import INDICES, NOTATION, notation_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_docs_page_is_generated_from_the_table():
    page = ROOT / "docs" / "source" / "reference" / "notation.md"
    assert page.read_text(encoding="utf-8") == notation_markdown(), (
        "regenerate: .venv/bin/python -c 'from mlpmath.notation import notation_markdown; "
        'print(notation_markdown(), end="")\' > docs/source/reference/notation.md'
    )


def test_one_index_per_kind():
    kinds = [index.kind for index in INDICES]
    letters = [index.letter for index in INDICES]
    assert sorted(kinds) == sorted(set(kinds)) == ["class", "layer", "neuron", "sample"]
    assert len(set(letters)) == len(letters)
    symbols = [row.symbol for row in NOTATION]
    assert len(set(symbols)) == len(symbols)

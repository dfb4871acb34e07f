"""What the README and the manual say the lecture does, held to what it does (issue 33).

Claims a reader acts on and a change can silently falsify: "these scenes skip
a classifier" (each scene's own ``applies`` decides, for the shipped
regression and classification lessons), and "the workbook refuses a
classifier" (it writes one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlpmath import cached_trace, load_lesson
from scenes import LECTURE_ORDER, scene_class

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs" / "source").rglob("*.md"))]
SCENES = [name for name, _ in LECTURE_ORDER]
KINDS = {  # the words a sentence names a kind of lesson by, and a shipped lesson of it
    "classifier": "classify",
    "classification": "classify",
    "regression": "default",
}
SKIP = re.compile(r"\bskip(?:s|ped)?\b(?:\s+(?:a|the|every))?\s+(\w+)", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)  # code blocks say no such thing
    return [s.replace("\n", " ") for s in re.split(r"(?<=[.!?])\s+|\n\s*\n", text)]


def _claims_in(text: str) -> list[tuple[str, str]]:
    """(scene, kind) for each "SCENE ... skip(s) a KIND" the text states."""
    claims = []
    for sentence in _sentences(text):
        for match in SKIP.finditer(sentence):
            kind = match.group(1).lower()
            if kind in KINDS:
                before = sentence[: match.start()]
                claims += [(scene, kind) for scene in SCENES if f"`{scene}`" in before]
    return claims


def _skip_claims() -> list[tuple[str, str, str]]:
    """(page, scene, kind) for each claim of each page."""
    return [
        (page.relative_to(ROOT).as_posix(), scene, kind)
        for page in PAGES
        for scene, kind in _claims_in(page.read_text(encoding="utf-8"))
    ]


def _trace(kind: str):
    return cached_trace(
        load_lesson(None if KINDS[kind] == "default" else ROOT / "lessons" / "classify.toml")
    )


def test_the_claim_finder_reads_claims_and_a_false_one_would_fail() -> None:
    text = "The scenes of the regression loss (`MSELoss`, `ChainRule`) skip a classifier, which "
    text += "gets `Softmax` in their place.\n\nIn a regression, `Softmax` is skipped."
    assert _claims_in(text) == [("MSELoss", "classifier"), ("ChainRule", "classifier")]
    # the README's old words: Backpropagation serves a classifier, so this claim fails
    (claim,) = _claims_in("`Backpropagation` skips a classifier.")
    assert scene_class(claim[0]).applies(_trace(claim[1]))


@pytest.mark.parametrize(("page", "scene", "kind"), _skip_claims() or [("-", "-", "-")])
def test_a_scene_said_to_skip_a_kind_of_lesson_skips_it(page, scene, kind) -> None:
    if page == "-":
        pytest.skip("no page says a scene skips a kind of lesson")
    assert not scene_class(scene).applies(_trace(kind)), f"{page}: {scene} does not skip a {kind}"


def test_no_page_says_the_workbook_refuses_a_classifier(tmp_path) -> None:
    from mlp_lecture.spreadsheet import write_workbook

    wrong = [
        page.relative_to(ROOT).as_posix()
        for page in PAGES
        for sentence in _sentences(page.read_text(encoding="utf-8"))
        if re.search(r"workbook", sentence, re.IGNORECASE)
        and re.search(r"\brefuses?\b", sentence)
        and re.search(r"classif", sentence)
    ]
    assert wrong == []
    # and what the pages must say instead holds: it writes a classifier's workbook
    assert write_workbook(load_lesson(ROOT / "lessons" / "classify.toml"), tmp_path / "c.xlsx")

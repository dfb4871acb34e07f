"""The explorable page as a reader sees it (issue 33), in headless Chromium at 1280 px.

The page never scrolls sideways (a wide table scrolls inside its own box), no
field cuts its number off, a two-input neuron is written out whole, the
training table marks the steps it leaves out, accuracy is a count ("6/8 =
0.75", checked against counts taken from torch's own predictions), and a
lesson's class names reach the tables, the legend and the downloaded lesson as
text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import chromium

from mlp_lecture.explorable import write_explore
from mlpmath import Lesson, compute_trace, load_lesson, parse_lesson
from mlpmath.display import format_accuracy

ROOT = Path(__file__).resolve().parents[1]
WINDOW = 1280
HOSTILE = "<img src=x onerror=1>"  # a class name that would be markup if not escaped


def _named_classifier() -> Lesson:
    """A teacher's tanh 2-5-3 classifier: 10 points, 3 named classes, 25 steps."""
    torch.manual_seed(7)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    inputs = [[0.2, 0.1], [0.5, -0.3], [1, 2], [-0.7, 0.4], [1.5, -1], [-1.2, -0.8]]
    inputs += [[0.3, 1.1], [-0.4, -1.5], [2, 0.5], [-1.8, 1.2]]
    classes = [0, 1, 2, 0, 1, 0, 2, 1, 1, 2]
    return Lesson.from_model(
        net, inputs, classes, learning_rate=0.5, steps=25, loss="cross_entropy",
        class_names=["setosa", HOSTILE, "virginica"], name="iris",
    )  # fmt: skip


LESSONS = {
    "default": lambda: load_lesson(None),
    "wide": lambda: load_lesson(ROOT / "lessons" / "wide.toml"),
    "classify": lambda: load_lesson(ROOT / "lessons" / "classify.toml"),
    "named": _named_classifier,
}


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    driver.set_window_size(WINDOW, 900)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory):
    """Open a lesson's page (each written once) and return the lesson."""
    out = tmp_path_factory.mktemp("pages")

    def open_page(name: str) -> Lesson:
        lesson = LESSONS[name]()
        index = out / name / "index.html"
        if not index.exists():
            write_explore(lesson, out / name)
        browser.get(index.as_uri())
        assert browser.execute_script("return !!window.mlpLecture"), browser.get_log("browser")
        return lesson

    return open_page


@pytest.mark.parametrize("name", list(LESSONS))
def test_the_page_fits_a_1280_px_window(browser, opened, name):
    opened(name)
    inner, document = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert inner <= WINDOW and document <= inner, (document, inner)
    # whatever reaches past the window is inside a box that scrolls, and that box fits
    loose = browser.execute_script(
        """
        const out = [];
        for (const e of document.querySelectorAll('main *')) {
          const box = e.getBoundingClientRect();
          if (box.right <= window.innerWidth + 0.5 || e.closest('.katex-mathml')) continue;
          let p = e.parentElement, held = false;
          while (p && p !== document.body) {
            const style = getComputedStyle(p);
            const fits = p.getBoundingClientRect().right <= window.innerWidth + 0.5;
            if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && fits) {
              held = true;
              break;
            }
            p = p.parentElement;
          }
          if (!held) out.push(e.tagName + '.' + e.className);
        }
        return out;
        """
    )
    assert loose == []
    # no field cuts its number off
    cut = browser.execute_script(
        "return [...document.querySelectorAll('input.edit')]"
        ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.value)"
    )
    assert cut == []


def test_a_two_input_neuron_is_written_out_whole(browser, opened):
    opened("named")  # its neurons take two inputs
    formulas = browser.execute_script(
        "return [...document.querySelectorAll('section')].slice(0, 2)"
        ".map(s => s.querySelector('.tex.display .katex-mathml').textContent)"
    )
    for formula in formulas:
        assert "…" not in formula and "⋯" not in formula, formula
        assert "x2" in formula.replace(" ", "") and "w2" in formula.replace(" ", "")


def _counts(lesson: Lesson) -> list[int]:
    """Samples right at every step, from torch's own predictions (argmax of the logits)."""
    trace = compute_trace(lesson).network
    labels = torch.tensor(lesson.classes)
    return [
        int((torch.tensor(step).argmax(dim=1) == labels).sum())
        for step in trace.training.predictions
    ]


@pytest.mark.parametrize("name", ["classify", "named"])
def test_accuracy_is_a_count_and_the_table_marks_its_gaps(browser, opened, name):
    lesson = opened(name)
    counts = _counts(lesson)
    shown = browser.execute_script(
        "return [...document.querySelectorAll('[data-accuracy]')]"
        ".map(e => [e.dataset.accuracy, e.textContent])"
    )
    assert len(shown) >= 3
    # no colour praises an accuracy: each is grey or white, as the text around it
    colours, neutral = browser.execute_script(
        "return [[...document.querySelectorAll('[data-accuracy]')]"
        ".map(e => getComputedStyle(e).color), [getComputedStyle(document.body).color,"
        " getComputedStyle(document.querySelector('.label')).color]]"
    )
    assert set(colours) <= set(neutral), (set(colours), neutral)
    samples = len(lesson.inputs)
    for step, text in shown:
        count = counts[0] if step == "now" else counts[int(step)]
        assert text == format_accuracy(count, samples, lesson.decimals)
    header = browser.execute_script(
        "const rows = [...document.querySelectorAll('table.matrix tr')]"
        ".filter(r => r.firstChild && r.firstChild.textContent === 'step');"
        "return [...rows[rows.length - 1].children].slice(1).map(c => c.textContent)"
    )
    steps = lesson.steps
    listed = [str(k) for k in range(min(steps, 9) + 1)]
    expected = listed + (["…", str(steps)] if steps > 10 else [str(steps)] if steps == 10 else [])
    assert header == expected


def test_class_names_reach_the_page_as_text(browser, opened, tmp_path):
    lesson = opened("named")
    assert browser.execute_script("return document.querySelectorAll('main img').length") == 0
    legend = browser.execute_script(
        "return [...document.querySelectorAll('.legend .key')].map(e => e.textContent)"
    )
    assert legend == ["setosa", HOSTILE, "virginica", "predicted wrong"]
    named = browser.execute_script(
        "return [...document.querySelectorAll('.class-name')].map(e => e.textContent)"
    )
    # the data's classes, then each sample's true class and its predicted class
    trace = compute_trace(lesson).network
    names = lesson.class_names
    expected = [names[y] for y in lesson.classes]
    for true, predicted in zip(trace.classes, trace.predicted_classes, strict=True):
        expected += [names[true], names[predicted]]
    assert named == expected
    assert browser.execute_script("return window.mlpLecture.trace().network.class_names") == list(
        names
    )
    text = browser.execute_script("return window.mlpLecture.toml()")
    assert parse_lesson(text, "edited").class_names == names
    assert f"class_names = {json.dumps(list(names))}" in text

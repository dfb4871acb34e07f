"""Free text is text in every output: a hostile title runs nothing and reads back literally.

A lesson title, a scene title and a step caption are free text: each is written
into HTML (the reveal.js deck, its speaker notes, the notebook's displays), into
Markdown (the teacher's script), WebVTT and SubRip (captions), PowerPoint notes
and a workbook. Here they are scripts, markup, Markdown links and spreadsheet
formulas. The HTML pages are opened in headless Chromium, where each payload
would set an attribute on the document if it ran; the other formats are read
back by their own readers (python-pptx, webvtt-py, srt, openpyxl, markdown-it).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import chromium

import mlp_lecture
from mlp_lecture import deck as deck_module
from mlp_lecture.captions import Cue, cue_text, read_srt, write_captions
from mlp_lecture.deck import speaker_note
from mlp_lecture.lecture_script import code_span, markdown_text, script_text
from mlp_lecture.media import THUMBNAIL_WIDTH
from mlp_lecture.notebook import Clip, Render, lesson_html
from mlp_lecture.pipeline.manifest import read_manifest
from mlpmath import default_lesson_text, parse_lesson
from scenekit.ledger import LedgerFile, read_ledger


def _pwn(mark: str) -> str:
    return f"document.documentElement.setAttribute('data-pwned','{mark}')"


# The lesson title (one line of at most 200 characters, as a lesson file allows).
HOSTILE = f'</title><script>{_pwn(1)}</script><img src=x onerror="{_pwn(2)}">'
# A scene's title and a step's caption: markup, a Markdown link, a formula, a table cell.
SCENE_TITLE = f'<svg onload="{_pwn(3)}"></svg> [a link](javascript:{_pwn(4)}) *x* | #'
CAPTION = f'=HYPERLINK("javascript:{_pwn(5)}") & <b>--></b> `tick` - _x_'
SCENE = "SingleNeuron"  # the shortest scene

PWNED = "return document.documentElement.getAttribute('data-pwned')"


def hostile_lesson(title: str = HOSTILE):
    """The default lesson under ``title``, read through the lesson file's own checks."""
    text = re.sub(
        r"^title = .*$", f"title = {json.dumps(title)}", default_lesson_text(), count=1, flags=re.M
    )
    return parse_lesson(text, "hostile")


def hostile_ledger(path: Path) -> LedgerFile:
    """The scene's ledger as a scene with a hostile title and hostile captions records it."""
    ledger = read_ledger(path)
    sections = [replace(s, step=CAPTION if s.step else "") for s in ledger.sections]
    return replace(ledger, title=SCENE_TITLE, sections=sections)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    """A hostile-titled lesson's deck (one short scene), its scene's notes hostile too."""
    out = tmp_path_factory.mktemp("hostile") / "deck"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deck_module, "read_ledger", hostile_ledger)
        made = mlp_lecture.slides(hostile_lesson(), scenes=[SCENE], out=out, jobs=1, progress=False)
    assert made.html and made.pptx, made
    return out, made


def wait_for(driver, script: str, seconds: float = 15.0):
    """The first truthy result of ``script`` (or the last one)."""
    deadline = time.monotonic() + seconds
    while (result := driver.execute_script(script)) in (None, False, [], {}):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return result


def notes_of(out: Path) -> list[str]:
    """Every slide's speaker note, as the deck's builder words it from the hostile ledger."""
    ledger = hostile_ledger(out / f"{SCENE}.values.json")
    sections = [section for section in ledger.sections if section.file]
    total = sum(1 for section in sections if section.step)
    numbers = [sum(1 for s in sections[: i + 1] if s.step) for i in range(len(sections))]
    return [
        speaker_note(ledger, section, number, total) for section, number in zip(sections, numbers)
    ]


# -- the HTML deck --------------------------------------------------------------------


def test_the_html_deck_runs_no_title_or_note_and_shows_them_literally(built, browser):
    out, _ = built
    browser.get((out / "deck.html").as_uri())
    assert wait_for(browser, "return typeof Reveal !== 'undefined' && Reveal.isReady()")
    assert browser.title == HOSTILE
    notes = browser.execute_script(
        "return Array.from(document.querySelectorAll('aside.notes'), a => a.textContent)"
    )
    assert notes == notes_of(out) and SCENE_TITLE in notes[0] and CAPTION in notes[1]
    # The notes as reveal.js shows them to an audience (its own innerHTML of each note).
    browser.execute_script("Reveal.configure({showNotes: true}); Reveal.next()")
    shown = wait_for(
        browser,
        "const n = document.querySelector('.speaker-notes');"
        "return n && n.textContent.includes('step') && n.textContent",
    )
    assert shown.strip() == notes[1]
    time.sleep(0.5)  # an image's error handler would have run by now
    assert browser.execute_script(PWNED) is None
    assert browser.execute_script("return document.querySelectorAll('svg, img').length") == 0


def test_the_html_deck_shows_no_unmute_button_for_its_silent_clips(built):
    """In a browser's own autoplay policy (no flag), each slide's clip plays by itself,
    muted (the clips have no sound), with no "Unmute video" button over it."""
    out, _ = built
    driver = chromium(autoplay=False)
    try:
        driver.get((out / "deck.html").as_uri())
        assert wait_for(driver, "return typeof Reveal !== 'undefined' && Reveal.isReady()")
        for slide in (1, 2):
            driver.execute_script("Reveal.next()")  # not a user gesture
            playing = wait_for(
                driver,
                "const v = Reveal.getCurrentSlide().slideBackgroundElement.querySelector('video');"
                f"return Reveal.getIndices().h === {slide} && v && !v.paused "
                "&& v.currentTime > 0.3 && {muted: v.muted}",
            )
            assert playing == {"muted": True}, slide
            buttons = driver.execute_script(
                "return Array.from(document.querySelectorAll('.r-media-play-button'))"
                ".filter(b => b.offsetParent !== null).map(b => b.textContent)"
            )
            assert buttons == [], buttons
    finally:
        driver.quit()


# -- the PowerPoint deck --------------------------------------------------------------


def test_the_pptx_notes_hold_the_hostile_text_literally(built):
    from pptx import Presentation

    out, made = built
    slides = list(Presentation(str(made.pptx)).slides)
    assert [slide.notes_slide.notes_text_frame.text for slide in slides] == notes_of(out)


# -- the notebook ---------------------------------------------------------------------


def test_the_notebook_displays_run_nothing_and_show_the_text_literally(built, browser, tmp_path):
    out, made = built
    clip = tmp_path / "Hostile.mp4"
    shutil.copyfile(out / f"{SCENE}.mp4", clip)
    write_captions([Cue(0.0, 1.0, cue_text(CAPTION))], tmp_path / "Hostile")
    render = Render(
        out=tmp_path,
        manifest=tmp_path / "lecture.json",
        scenes=[
            Clip("Hostile", SCENE_TITLE, "rendered", clip, None, duration=1.0),
            Clip("Broken", HOSTILE, "failed", None, None, note=CAPTION),
        ],
    )
    page = tmp_path / "notebook.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><title>notebook</title><body>"
        + render.html(embed=True)
        + lesson_html(hostile_lesson())
        + made._repr_html_()
        + "</body>",
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    headings = browser.execute_script(
        "return Array.from(document.querySelectorAll('h4'), h => h.textContent)"
    )
    assert headings == [SCENE_TITLE, HOSTILE]
    assert CAPTION in browser.find_element("css selector", "div > p[style*='#b00']").text
    summary = browser.execute_script("return document.querySelector('p > b').textContent")
    assert summary == HOSTILE  # the lesson's one-line summary
    # The clip's captions, as Chromium's WebVTT parser reads the embedded track.
    cue = wait_for(
        browser,
        "const t = document.querySelector('video').textTracks[0]; t.mode = 'hidden';"
        "return t.cues && t.cues.length && t.cues[0].getCueAsHTML().textContent",
    )
    assert cue == cue_text(CAPTION)
    # The deck shows as links that open it, under its first slide as a thumbnail.
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[target=_blank]'), a => a.href)"
    )
    assert made.html.resolve().as_uri() in links and made.pptx.resolve().as_uri() in links
    thumbnail = "const i = document.querySelector('a > img'); return i && i.naturalWidth"
    assert wait_for(browser, thumbnail) == THUMBNAIL_WIDTH
    time.sleep(0.5)
    assert browser.execute_script(PWNED) is None
    assert browser.execute_script("return document.querySelectorAll('svg, img[src=x]').length") == 0


# -- the script -----------------------------------------------------------------------


def test_the_script_reads_back_literally_and_renders_to_inert_html(built, browser, tmp_path):
    from markdown_it import MarkdownIt

    out, _ = built
    copy = tmp_path / "render"
    shutil.copytree(out, copy)
    ledger = copy / f"{SCENE}.values.json"
    ledger.write_text(hostile_ledger(ledger).dumps())  # as a hostile scene would record it
    entries = [  # the steps' captions as the manifest records them
        replace(
            entry, sections=[replace(s, step=CAPTION if s.step else "") for s in entry.sections]
        )
        for entry in read_manifest(copy).scenes
    ]
    markdown = script_text(read_manifest(copy), entries, copy)
    page = tmp_path / "script.html"
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    page.write_text(f"<!doctype html><meta charset='utf-8'><body>{rendered}</body>")
    browser.get(page.as_uri())
    text = browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent)", "h1"
    )
    assert text == [f"{HOSTILE}: the script"]
    (heading,) = browser.execute_script(
        "return Array.from(document.querySelectorAll('h2'), e => e.textContent)"
    )
    assert heading.startswith(f"1. {SCENE_TITLE} ({SCENE}, ")
    quotes = browser.execute_script(
        "return Array.from(document.querySelectorAll('blockquote'), e => e.textContent.trim())"
    )
    assert quotes == [SCENE_TITLE] + [CAPTION] * (len(quotes) - 1) and len(quotes) > 1
    # No link, image, emphasis or raw element came from the free text.
    assert (
        browser.execute_script("return document.querySelectorAll('a, img, svg, em, b').length") == 0
    )
    time.sleep(0.5)
    assert browser.execute_script(PWNED) is None


@pytest.mark.parametrize(
    "text",
    [HOSTILE, SCENE_TITLE, CAPTION, "- a list", "12. a number", "1) another", "=x", "# h", "a\nb"],
)
def test_markdown_text_reads_back_as_the_text_itself(text):
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for line, unwrap in (
        (markdown_text(text), r"<p>(.*)</p>"),
        (f"> {markdown_text(text)}", r"<blockquote>\n<p>(.*)</p>\n</blockquote>"),
        (f"| a |\n|---|\n| {markdown_text(text)} |", r"<td>(.*)</td>"),
    ):
        inner = re.search(unwrap, parser.render(line), flags=re.S)
        assert inner and html.unescape(inner.group(1)) == " ".join(text.split()), line


@pytest.mark.parametrize("text", ["plain", "a`b", "``x``", "`", "a|b", "x\ny"])
def test_code_span_shows_its_text_literally(text):
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table"])
    inner = re.search(r"<code>(.*)</code>", parser.render(code_span(text)))
    assert inner and html.unescape(inner.group(1)).strip() == " ".join(text.splitlines())
    cell = re.search(
        r"<td><code>(.*)</code></td>",
        parser.render(f"| a |\n|---|\n| {code_span(text, in_table=True)} |"),
    )
    assert cell and html.unescape(cell.group(1)).strip() == " ".join(text.splitlines())


# -- captions -------------------------------------------------------------------------


def test_captions_hold_the_hostile_text_literally(tmp_path):
    import webvtt

    cues = [Cue(0.0, 1.5, cue_text(text)) for text in (HOSTILE, SCENE_TITLE, CAPTION)]
    written = write_captions(cues, tmp_path / "Hostile")
    assert [cue.text for cue in read_srt(written["srt"])] == [cue.text for cue in cues]
    vtt = webvtt.read(str(written["vtt"]))  # webvtt-py gives the cue text as written
    assert [html.unescape(caption.text) for caption in vtt] == [cue.text for cue in cues]
    body = written["vtt"].read_text()
    assert "<" not in body and "-->" not in body.replace(" --> ", "")  # no tag, no false timing


# -- the workbook ---------------------------------------------------------------------


def test_a_formula_as_the_lesson_title_stays_text_in_the_workbook(tmp_path):
    from openpyxl import load_workbook

    title = '=HYPERLINK("http://example.invalid","click")'
    path = mlp_lecture.workbook(hostile_lesson(title), tmp_path / "hostile.xlsx")
    book = load_workbook(path)
    assert book.properties.title == f"{title}: the workbook"
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [
        cell.coordinate
        for cell in cells
        if "HYPERLINK" in str(cell.value) and cell.data_type != "s"
    ]


# -- the explorable page --------------------------------------------------------------


def test_the_explorable_page_runs_no_title_and_shows_it_literally(browser, tmp_path):
    from mlp_lecture.explorable import write_explore

    title = "{{ view_json }} " + HOSTILE  # also a placeholder of the page's own template
    page = write_explore(hostile_lesson(title), tmp_path / "page")
    browser.get(page.as_uri())
    shown = "const t = document.getElementById('title'); return t && t.textContent"
    assert wait_for(browser, shown) == title
    assert browser.title == f"{title} · explore"
    assert browser.execute_script("return document.querySelectorAll('main *').length") > 0
    time.sleep(0.5)
    assert browser.execute_script(PWNED) is None
    assert browser.execute_script("return document.querySelectorAll('img[src=x]').length") == 0

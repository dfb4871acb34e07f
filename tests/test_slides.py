"""`mlp-lecture slides`: the decks a teacher presents, checked where they are used.

The HTML deck is played in a real browser (Debian's headless Chromium), the
PowerPoint deck is opened with python-pptx, and both are checked slide by
slide against the render's own record of its steps (the ledgers' sections).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import tarfile
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from mlp_lecture import revealjs
from mlp_lecture.deck import plain_text, speaker_note
from scenekit.ledger import LedgerFile, LedgerSection
from scenes import LECTURE_ORDER

SCENES = ["SingleNeuron", "NeuronBatch"]
SCREENSHOTS = ROOT / "renders" / "tests"  # kept for a person to look at


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    """The default lesson's first two scenes as decks, built by the command a teacher runs."""
    out = tmp_path_factory.mktemp("slides") / "low-slides"
    result = run_cli("slides", "--scenes", ",".join(SCENES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def steps_of(deck: Path) -> list[dict]:
    """Every section the render recorded, in lecture order, with its scene's ledger."""
    steps = []
    for scene in SCENES:
        ledger = json.loads((deck / f"{scene}.values.json").read_text())
        steps += [{"ledger": ledger, **section} for section in ledger["sections"]]
    return steps


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the render beneath the deck ------------------------------------------------------


def test_every_step_of_every_scene_is_a_slide(deck):
    steps = steps_of(deck)
    for scene in SCENES:
        ledger = json.loads((deck / f"{scene}.values.json").read_text())
        captions = [section["step"] for section in ledger["sections"] if section["step"]]
        # The scene's source says which steps it takes: each `self.step("...")` call.
        module = dict(LECTURE_ORDER)[scene].replace(".", "/")
        source = (ROOT / f"{module}.py").read_text()
        assert captions == re.findall(r'self\.step\("([^"]+)"\)', source)
        # The title slide comes first, then one slide per step.
        assert ledger["sections"][0]["step"] == ""
    presentations = [json.loads((deck / "slides" / f"{s}.json").read_text()) for s in SCENES]
    assert sum(len(p["slides"]) for p in presentations) == len(steps)


def test_manim_slides_reads_the_presentations_and_their_clips(deck):
    from manim_slides.config import PresentationConfig

    steps = steps_of(deck)
    slides = [
        slide
        for scene in SCENES
        for slide in PresentationConfig.from_file(deck / "slides" / f"{scene}.json").slides
    ]
    assert [slide.file for slide in slides] == [deck / step["file"] for step in steps]
    for slide, step in zip(slides, steps):
        # The reversed clip is a clip of the same length, not the clip itself.
        assert slide.rev_file.is_file() and slide.rev_file != slide.file
        assert sha256(slide.rev_file.read_bytes()) != sha256(slide.file.read_bytes())
        assert slide.notes == note_of(step, steps)


def note_of(step: dict, steps: list[dict]) -> str:
    """The speaker note of a step read back from the ledger file."""
    ledger = LedgerFile.from_json(step["ledger"])
    return speaker_note(ledger, LedgerSection.from_json(step, "step"), *_position(steps, step))


def _position(steps: list[dict], step: dict) -> tuple[int, int]:
    """The step's number within its scene, and the scene's number of steps."""
    same_scene = [s for s in steps if s["ledger"]["scene"] == step["ledger"]["scene"]]
    captioned = [s for s in same_scene if s["step"]]
    number = captioned.index(step) + 1 if step["step"] else 0
    return number, len(captioned)


# -- speaker notes --------------------------------------------------------------------


def test_notes_are_the_title_then_each_caption_in_words():
    ledger = LedgerFile("LayerProduct", "default", title="A layer is a matrix product")
    title_slide = LedgerSection(0, "title", "", None, None, [])
    caption = "$K = X W^T$: entry $k_j^s$ is neuron $j$ on sample $s$"
    step = LedgerSection(1, "step", caption, None, None, [])
    assert speaker_note(ledger, title_slide, 0, 3) == "A layer is a matrix product"
    assert speaker_note(ledger, step, 2, 3) == (
        "A layer is a matrix product, step 2 of 3: K = X Wᵀ: entry kⱼˢ is neuron j on sample s"
    )


@pytest.mark.parametrize(
    ("caption", "words"),
    [
        ("Add the bias", "Add the bias"),
        ("$n_j^s = k_j^s + b_j$", "nⱼˢ = kⱼˢ + bⱼ"),
        # the sample superscript in its round brackets (the notation's ^((i)))
        ("$n_j^((i)) = k_j^((i)) + b_j$", "nⱼ⁽ⁱ⁾ = kⱼ⁽ⁱ⁾ + bⱼ"),
        ("$Z_(1) = X W_(1)^T + B_(1)$", "Z₁ = X W₁ᵀ + B₁"),
        ('The prediction $hat(y)$: $"net"(X)$', "The prediction y\u0302: net(X)"),
        # No Unicode subscript q: the script stays readable as text.
        ("$a_q$", "a_(q)"),
    ],
)
def test_plain_text_writes_typst_math_as_unicode(caption, words):
    assert plain_text(caption) == words


# -- the HTML deck, in a browser ------------------------------------------------------


def test_html_deck_links_nothing_outside_its_folder(deck):
    html = (deck / "deck.html").read_text()
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # comments load nothing
    links = re.findall(r'(?:href|src|data-background-video)="([^"]+)"', html)
    assert len(links) > len(steps_of(deck))
    for link in links:
        assert "://" not in link and not link.startswith("/"), link
        assert (deck / link).is_file(), link
    assert "cdn" not in html.lower()
    assert 'href="explore/index.html"' in html  # the lesson's explorable page, beside it


CURRENT_VIDEO = """
const slide = Reveal.getCurrentSlide();
const video = slide && slide.slideBackgroundElement
    ? slide.slideBackgroundElement.querySelector('video') : null;
return video ? {slide: Reveal.getIndices().h, src: video.currentSrc, time: video.currentTime,
                paused: video.paused, ended: video.ended,
                error: video.error ? video.error.code : null, width: video.videoWidth}
             : {slide: Reveal.getIndices().h};
"""


def wait_until_playing(driver, slide: int, seconds: float = 20.0) -> dict:
    """The current slide's video state once it has played a while (or the last seen)."""
    deadline = time.monotonic() + seconds
    state: dict = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(CURRENT_VIDEO)
        if state.get("slide") == slide and state.get("time", 0) > 0.3:
            return state
        time.sleep(0.1)
    return state


def test_html_deck_plays_in_chromium_and_advances_to_the_next_clip(deck, browser):
    from PIL import Image
    from selenium.webdriver.common.keys import Keys

    first, second = [step["file"] for step in steps_of(deck)[:2]]
    browser.get((deck / "deck.html").as_uri())
    playing = wait_until_playing(browser, 0)
    assert playing.get("error") is None, playing
    assert playing.get("src", "").endswith(Path(first).name), playing
    assert not playing["paused"] and playing["width"] > 0, playing
    deadline = time.monotonic() + 20
    while not browser.execute_script(CURRENT_VIDEO).get("ended") and time.monotonic() < deadline:
        time.sleep(0.1)  # the title slide's clip plays to its end, and stays on its last frame
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "deck-slide-1.png"))

    browser.find_element("tag name", "body").send_keys(Keys.ARROW_RIGHT)
    playing = wait_until_playing(browser, 1)
    assert playing.get("error") is None, playing
    assert playing.get("src", "").endswith(Path(second).name), playing
    assert not playing["paused"], playing
    time.sleep(1.0)  # into the step's animation
    browser.save_screenshot(str(SCREENSHOTS / "deck-slide-2.png"))

    # The screenshots show the clips, not a blank page: lit pixels, and they differ.
    images = [Image.open(SCREENSHOTS / f"deck-slide-{n}.png").convert("L") for n in (1, 2)]
    for image in images:
        assert sum(image.histogram()[64:]) > 0.002 * image.width * image.height
    assert images[0].tobytes() != images[1].tobytes()


TRACK = """
const slide = Reveal.getCurrentSlide();
const video = slide && slide.slideBackgroundElement
    ? slide.slideBackgroundElement.querySelector('video') : null;
const element = video ? video.querySelector('track') : null;
if (!element) return {slide: Reveal.getIndices().h};
const track = element.track;
return {slide: Reveal.getIndices().h, kind: track.kind, mode: track.mode,
        ready: element.readyState, tracks: video.textTracks.length,
        cues: track.cues
            ? Array.from(track.cues).map(c => [c.startTime, c.endTime, c.text]) : null};
"""


def current_track(driver, slide: int, seconds: float = 10.0) -> dict:
    """The current slide's caption track once it has loaded (or the last state seen)."""
    deadline = time.monotonic() + seconds
    state: dict = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(TRACK)
        if state.get("slide") == slide and state.get("ready") == 2:  # HTMLTrackElement.LOADED
            return state
        time.sleep(0.1)
    return state


def test_html_deck_carries_each_steps_caption_as_a_track_off_by_default(deck, browser):
    from selenium.webdriver.common.keys import Keys

    from mlp_lecture.captions import cue_text

    steps = steps_of(deck)
    browser.get((deck / "deck.html").as_uri())
    body = browser.find_element("tag name", "body")
    for number, step in enumerate(steps):
        track = current_track(browser, number)
        assert track.get("ready") == 2, track  # loaded
        assert (track["kind"], track["tracks"]) == ("captions", 1), track
        assert track["mode"] == "hidden", track  # off by default
        # The step clip's one cue: its caption (the title before the first step), all along.
        ((start, end, text),) = track["cues"]
        assert text == cue_text(step["step"] or step["ledger"]["title"])
        assert start == 0 and end == pytest.approx(step["duration"], abs=0.002)
        if number == 1:
            body.send_keys("c")  # the key the help lists turns captions on ...
            assert current_track(browser, number)["mode"] == "showing"
            body.send_keys("c")  # ... and off again
            assert current_track(browser, number)["mode"] == "hidden"
        body.send_keys(Keys.ARROW_RIGHT)
    browser.execute_script("Reveal.toggleHelp(true)")
    deadline = time.monotonic() + 5
    while not (shortcuts := browser.find_element("css selector", ".r-overlay-help").text):
        if time.monotonic() > deadline:  # the overlay fades in: its text shows once visible
            break
        time.sleep(0.1)
    assert "Captions on / off" in shortcuts and "C" in shortcuts


# -- the PowerPoint deck --------------------------------------------------------------


def test_pptx_holds_one_slide_per_step_with_its_clip_and_notes(deck):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    steps = steps_of(deck)
    presentation = Presentation(str(deck / "deck.pptx"))
    slides = list(presentation.slides)
    assert len(slides) == len(steps)
    for slide, step in zip(slides, steps):
        movies = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        media = [
            rel.target_part.blob
            for rel in slide.part.rels.values()
            if rel.reltype.endswith("/media") or rel.reltype.endswith("/video")
        ]
        assert sha256((deck / step["file"]).read_bytes()) in {sha256(blob) for blob in media}
        notes = slide.notes_slide.notes_text_frame.text
        assert notes == note_of(step, steps)
        assert plain_text(step["step"] or step["ledger"]["title"]) in notes


def test_pptx_prints_each_step_as_its_last_frame_through_libreoffice(deck, tmp_path):
    """The deck as LibreOffice Impress exports it to PDF: each page is its step's last frame."""
    import subprocess

    from manim_slides.convert import FrameIndex, read_image_from_video_file
    from PIL import Image, ImageChops, ImageStat

    soffice = shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        pytest.fail(
            "LibreOffice Impress and poppler-utils are test packages: run .ci/setup --tests"
        )
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck / "deck.pptx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    steps = steps_of(deck)
    first = read_image_from_video_file(deck / steps[0]["file"], FrameIndex.first)
    width, height = first.size
    subprocess.run(
        [
            *(pdftoppm, "-png", "-scale-to-x", str(width), "-scale-to-y", str(height)),
            *(str(tmp_path / "deck.pdf"), str(tmp_path / "page")),
        ],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(pages) == len(steps)

    def off(a: Image.Image, b: Image.Image) -> float:
        """The share of pixels that differ clearly (by more than a quarter of the range)."""
        differ = ImageChops.difference(a.convert("L"), b.convert("L")).point(
            lambda v: 255 if v > 64 else 0
        )
        return ImageStat.Stat(differ).mean[0] / 255

    for page, step in zip(pages, steps):
        printed = Image.open(page)
        last = read_image_from_video_file(deck / step["file"], FrameIndex.last)
        before = read_image_from_video_file(deck / step["file"], FrameIndex.first)
        assert off(printed, last) < 0.0005, page.name  # the state the step arrives at
        assert off(printed, before) > off(printed, last), page.name


# -- the cache ------------------------------------------------------------------------


def test_a_second_build_renders_only_the_scenes_it_lacks(deck, tmp_path):
    again = tmp_path / "low-slides"
    shutil.copytree(deck, again)
    reversed_clips = {p.name: p.stat().st_mtime_ns for p in (again / "slides").rglob("*.mp4")}
    result = run_cli(
        "slides", "--scenes", "SingleNeuron,NeuronBatch,Activation", "--out", str(again)
    )
    assert result.returncode == 0, result.stderr
    status = dict(re.findall(r"^(\w+)\s+(rendered|cached)\b", result.stdout, flags=re.M))
    assert status == {
        "SingleNeuron": "cached",
        "NeuronBatch": "cached",
        "Activation": "rendered",
    }
    # Reversed clips of unchanged slides are kept as they were, not made again.
    kept = {p.name: p.stat().st_mtime_ns for p in (again / "slides").rglob("*.mp4")}
    assert all(kept[name] == mtime for name, mtime in reversed_clips.items())
    assert len(kept) > len(reversed_clips)
    from pptx import Presentation

    ledgers = [again / f"{s}.values.json" for s in ("SingleNeuron", "NeuronBatch", "Activation")]
    sections = sum(len(json.loads(p.read_text())["sections"]) for p in ledgers)
    assert len(Presentation(str(again / "deck.pptx")).slides) == sections
    assert not list(again.glob(".deck-*"))


def test_a_deck_of_one_format_replaces_the_other_formats_old_deck(deck, tmp_path):
    again = tmp_path / "low-slides"
    shutil.copytree(deck, again)
    assert (again / "deck.pptx").is_file() and (again / "deck.html").is_file()
    result = run_cli("slides", "--scenes", ",".join(SCENES), "--to", "html", "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert (again / "deck.html").is_file() and (again / "deck_assets").is_dir()
    assert not (again / "deck.pptx").exists()  # it would show the old lesson's slides
    result = run_cli("slides", "--scenes", ",".join(SCENES), "--to", "pptx", "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert (again / "deck.pptx").is_file()
    assert not (again / "deck.html").exists() and not (again / "deck_assets").exists()
    assert (again / "explore" / "index.html").is_file()  # the render's page: it stays


def test_a_build_with_nothing_changed_keeps_both_decks_and_rewrites_a_changed_one(deck, tmp_path):
    again = tmp_path / "low-slides"
    shutil.copytree(deck, again)
    written = {name: (again / name).stat().st_mtime_ns for name in ("deck.pptx", "deck.html")}
    result = run_cli("slides", "--scenes", ",".join(SCENES), "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert all((again / name).stat().st_mtime_ns == t for name, t in written.items())
    # A deck file changed since it was written is not taken for the deck: written again.
    pptx = (again / "deck.pptx").read_bytes()
    (again / "deck.pptx").write_bytes(pptx + b"edited")
    result = run_cli("slides", "--scenes", ",".join(SCENES), "--out", str(again))
    assert result.returncode == 0, result.stderr
    from pptx import Presentation

    assert (again / "deck.pptx").read_bytes() != pptx + b"edited"
    assert len(Presentation(str(again / "deck.pptx")).slides) == len(steps_of(again))
    assert (again / "deck.html").stat().st_mtime_ns == written["deck.html"]


# -- reversed clips -------------------------------------------------------------------


def test_each_reversed_clip_decodes_to_its_clips_frames_last_first(deck):
    import av
    import numpy as np
    from manim_slides.config import PresentationConfig

    def frames(path: Path) -> list:
        with av.open(str(path)) as clip:
            return [frame.to_ndarray(format="rgb24") for frame in clip.decode(video=0)]

    for scene in SCENES:
        for slide in PresentationConfig.from_file(deck / "slides" / f"{scene}.json").slides:
            forwards, backwards = frames(slide.file), frames(slide.rev_file)
            assert len(forwards) == len(backwards) > 1
            assert all(np.array_equal(a, b) for a, b in zip(forwards, backwards[::-1]))


def test_reversal_holds_a_run_of_frames_at_a_time_and_loses_none(tmp_path, monkeypatch):
    """A clip longer than a run, its key frames not on the runs' edges, comes out whole."""
    import av
    import numpy as np

    from mlp_lecture import reversal

    source, target = tmp_path / "clip.mp4", tmp_path / "reversed.mp4"
    generator = np.random.default_rng(7)
    with av.open(str(source), "w") as clip:
        stream = clip.add_stream("libx264", rate=15, options={"g": "10", "crf": "30"})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(37):
            picture = generator.integers(0, 256, (48, 64, 3), dtype=np.uint8)
            clip.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        clip.mux(stream.encode())
    monkeypatch.setattr(reversal, "RUN", 8)
    assert reversal.reverse_clip(source, target) == 37

    def frames(path: Path) -> list:
        with av.open(str(path)) as clip:
            return [frame.to_ndarray(format="rgb24") for frame in clip.decode(video=0)]

    forwards, backwards = frames(source), frames(target)
    assert len(forwards) == len(backwards) == 37
    assert all(np.array_equal(a, b) for a, b in zip(forwards, backwards[::-1]))
    assert np.array_equal(np.asarray(reversal.first_frame(target)), forwards[-1])


def test_pptx_posters_are_exactly_each_clips_last_frame(deck):
    import numpy as np
    from manim_slides.convert import FrameIndex, read_image_from_video_file
    from PIL import Image
    from pptx import Presentation

    steps = steps_of(deck)
    slides = list(Presentation(str(deck / "deck.pptx")).slides)
    for slide, step in zip(slides, steps, strict=True):
        (poster,) = [
            rel.target_part.blob
            for rel in slide.part.rels.values()
            if rel.reltype.endswith("/image")
        ]
        last = read_image_from_video_file(deck / step["file"], FrameIndex.last)
        shown = Image.open(io.BytesIO(poster)).convert("RGB")
        assert np.array_equal(np.asarray(shown), np.asarray(last.convert("RGB")))


# -- bad input ------------------------------------------------------------------------


def test_slides_rejects_an_unknown_deck_format():
    result = run_cli("slides", "--to", "pdf")
    assert result.returncode == 2
    assert "--to" in result.stderr and "Traceback" not in result.stderr


def _fake_package(tmp_path: Path) -> tuple[str, str]:
    """A reveal.js-shaped tarball on disk: its file:// URL and registry-style sha512."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"window.Reveal = {};"
        info = tarfile.TarInfo("package/dist/reveal.js")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    tarball = tmp_path / "reveal.tgz"
    tarball.write_bytes(buffer.getvalue())
    digest = base64.b64encode(hashlib.sha512(buffer.getvalue()).digest()).decode()
    return tarball.as_uri(), digest


def test_revealjs_is_fetched_once_and_checked(tmp_path, monkeypatch):
    url, digest = _fake_package(tmp_path)
    target = tmp_path / "share" / "reveal"
    monkeypatch.setattr(revealjs, "revealjs_dir", lambda: target)
    monkeypatch.setattr(revealjs, "TARBALL_URL", url)
    monkeypatch.setattr(revealjs, "TARBALL_SHA512", digest)
    assert revealjs.ensure_revealjs() == target
    assert (target / "dist" / "reveal.js").read_bytes() == b"window.Reveal = {};"
    monkeypatch.setattr(revealjs, "TARBALL_URL", "file:///nonexistent/reveal.tgz")
    assert revealjs.ensure_revealjs() == target  # present: not fetched again


def test_revealjs_with_a_wrong_checksum_or_no_network_is_one_line_and_no_files(
    tmp_path, monkeypatch
):
    url, _ = _fake_package(tmp_path)
    target = tmp_path / "share" / "reveal"
    monkeypatch.setattr(revealjs, "revealjs_dir", lambda: target)
    monkeypatch.setattr(revealjs, "TARBALL_URL", url)
    with pytest.raises(revealjs.RevealJSError, match="checksum"):
        revealjs.ensure_revealjs()
    monkeypatch.setattr(revealjs, "TARBALL_URL", "file:///nonexistent/reveal.tgz")
    with pytest.raises(revealjs.RevealJSError, match="make setup") as raised:
        revealjs.ensure_revealjs()
    assert "\n" not in str(raised.value)
    assert not target.exists()


def test_slides_without_revealjs_says_how_to_get_it_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    from mlp_lecture.cli import main

    monkeypatch.setattr(revealjs, "revealjs_dir", lambda: tmp_path / "no-reveal")
    monkeypatch.setattr(revealjs, "TARBALL_URL", "file:///nonexistent/reveal.tgz")
    out = tmp_path / "deck"
    assert main(["slides", "--scenes", "Activation", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("mlp-lecture: cannot fetch reveal.js") and "make setup" in error
    assert "\n" not in error
    assert not out.exists()

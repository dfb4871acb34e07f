"""The example notebook runs, headless, in a real kernel, and its outputs hold the clips.

``examples/your_network.ipynb`` is executed by nbclient in an IPython kernel
running this very Python (the project's .venv), in a temporary directory,
so its renders land there. Any cell error fails the test.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "your_network.ipynb"
KERNEL = "mlp-lecture-test"


def _kernel_manager(folder: Path):
    """A kernel manager whose only kernel is ``sys.executable -m ipykernel_launcher``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "mlp-lecture (.venv)",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_spec_manager=specs, kernel_name=KERNEL)


def _outputs(notebook, kind: str) -> list[str]:
    """Every ``kind`` output (e.g. text/html) of every cell, as text."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if kind == "stream" and output.get("output_type") == "stream":
                found.append(output.get("text", ""))
            data = output.get("data", {})
            if kind in data:
                value = data[kind]
                found.append(value if isinstance(value, str) else "".join(value))
    return found


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        km=_kernel_manager(folder / "jupyter"),
        timeout=900,
        allow_errors=False,  # any cell error fails
        resources={"metadata": {"path": str(folder)}},  # the kernel's working directory
    )
    client.execute()
    nbformat.write(notebook, folder / "executed.ipynb")
    return folder, notebook


def test_the_example_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def videos_of(notebook, render: str = "your_network") -> list[str]:
    """Every ``<video>`` element of the notebook's HTML outputs showing a clip of ``render``."""
    html = "\n".join(_outputs(notebook, "text/html"))
    videos = re.findall(r"<video .*?</video>", html, flags=re.S)
    return [video for video in videos if f"renders/{render}/" in video]


def clips_cell(notebook, render: str = "your_network") -> str:
    """The one HTML output that shows the clips of ``render``."""
    (cell,) = [
        html
        for html in _outputs(notebook, "text/html")
        if "<video" in html and f"renders/{render}/" in html
    ]
    return cell


def test_the_notebook_runs_and_its_outputs_hold_the_clips(executed):
    folder, notebook = executed
    html = "\n".join(_outputs(notebook, "text/html"))
    assert len(videos_of(notebook)) == 3, "one clip per rendered scene"
    assert "The activation" in html  # the scenes' own titles head their clips
    assert "One neuron" in html or "many samples" in html or "NeuronBatch" in html
    # the clips were rendered into the kernel's working directory
    rendered = folder / "renders" / "your_network"
    assert (rendered / "Activation.mp4").is_file()
    assert (rendered / "NeuronBatch.values.json").is_file()


def test_a_tanh_network_of_ones_own_is_a_lecture_end_to_end(executed):
    """The teacher's own nn.Sequential with a tanh layer: its lesson gives torch's
    prediction, its Activation clip verifies, and its words are tanh's, not ReLU's."""
    folder, notebook = executed
    text = "\n".join(_outputs(notebook, "stream"))
    lesson = re.search(r"prediction, lesson: \((.+)\)", text).group(1)
    torch_own = re.search(r"prediction, torch: +\[(.+)\]", text).group(1)
    ours = [float(value) for value in lesson.split(",")]
    theirs = [float(value) for value in torch_own.split(",")]
    assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-6)  # float32's own rounding
    assert re.search(r"tanh_network: all \d+ shown values agree with the trace", text)
    (video,) = videos_of(notebook, "tanh_network")
    captions = (folder / "renders" / "tanh_network" / "Activation.vtt").read_text()
    assert "tanh" in captions and "(-1, 1)" in captions, captions
    assert "clamp" not in captions.lower() and "ReLU" not in captions, captions
    assert "Activation.vtt" in video  # the clip carries its captions as a track


def test_the_notebook_shows_the_lesson_verifies_and_sees_a_number_change(executed):
    _, notebook = executed
    html = "\n".join(_outputs(notebook, "text/html"))
    assert "Understand MLP" in html and "Network 2 → 3 → 2 → 1" in html  # the lesson's tables
    assert "shown values agree with the trace" in html  # verify
    text = "\n".join(_outputs(notebook, "stream"))
    change = re.search(r"n3 for sample 1: (\S+) -> (\S+)", text)
    assert change and change.group(1) != change.group(2)
    loss = re.search(r"loss: +(\S+) -> (\S+)\ntorch's own: +(\S+)", text)
    assert loss and loss.group(1) != loss.group(2)
    assert loss.group(2) == loss.group(3)  # the changed lesson is the changed model


# -- the clips, by reference ----------------------------------------------------------


def frame_of(clip: Path, last: bool):
    """The clip's first or last frame, decoded here with PyAV (not the display's helper)."""
    from collections import deque

    import av

    with av.open(str(clip)) as container:
        frames = container.decode(video=0)
        (frame,) = deque(frames, 1) if last else [next(frames)]
        return frame.to_image()


def test_the_clips_show_by_reference_with_captions_and_their_last_frame(executed):
    """Three low clips: a few kB each (a link, a track, a poster), not MB of base64."""
    import base64
    import io

    from PIL import Image, ImageChops, ImageStat

    folder, notebook = executed
    cell = clips_cell(notebook)
    assert len(cell.encode()) < 200_000, len(cell.encode())
    videos = videos_of(notebook)
    assert len(videos) == 3
    for video in videos:
        source = re.search(r" src='([^']+)'", video).group(1)
        # a path relative to the notebook's folder (Jupyter serves it), not the clip's bytes
        assert source.startswith("renders/your_network/") and source.endswith(".mp4"), source
        assert (folder / source).read_bytes()[4:8] == b"ftyp"
        track = re.search(r"<track kind='captions' src='([^']+)' srclang='en'", video)
        assert track and track.group(1) == source[: -len(".mp4")] + ".vtt", video[:300]
        assert (folder / track.group(1)).read_text().startswith("WEBVTT")
        poster = re.search(r"poster='data:image/jpeg;base64,([^']+)'", video).group(1)
        shown = Image.open(io.BytesIO(base64.b64decode(poster))).convert("L")
        last = frame_of(folder / source, last=True).convert("L").resize(shown.size)
        first = frame_of(folder / source, last=False).convert("L").resize(shown.size)
        difference = ImageStat.Stat(ImageChops.difference(shown, last)).mean[0]
        assert difference < 4, difference  # the last frame, give or take JPEG
        away = ImageStat.Stat(ImageChops.difference(shown, first)).mean[0]
        assert away > difference  # not the first


def test_embedded_clips_carry_the_clip_and_its_captions(executed, monkeypatch):
    import base64

    from mlp_lecture.notebook import Clip, Render

    folder, _ = executed
    monkeypatch.chdir(folder)
    clip = folder / "renders" / "your_network" / "NeuronBatch.mp4"
    render = Render(
        folder, folder / "lecture.json", [Clip("NeuronBatch", "x", "rendered", clip, None)]
    )
    assert f"src='renders/your_network/{clip.name}'" in render._repr_html_()  # by reference
    html = render.embedded()._repr_html_()
    data = re.search(r"<video [^>]* src='data:video/mp4;base64,([^']+)'", html).group(1)
    assert base64.b64decode(data) == clip.read_bytes()
    cues = re.search(r"<track kind='captions' src='data:text/vtt;base64,([^']+)'", html).group(1)
    assert base64.b64decode(cues) == clip.with_suffix(".vtt").read_bytes()


def test_the_clips_play_with_their_captions_when_served_as_jupyter_serves_them(executed, browser):
    """The output page served over HTTP from the notebook's folder, as Jupyter serves it:
    each clip loads from its relative URL and its caption track from the .vtt beside it."""
    import functools
    import http.server
    import threading
    import time

    folder, notebook = executed
    cell = clips_cell(notebook)
    (folder / "output.html").write_text(
        f"<!doctype html><meta charset='utf-8'><body>{cell}</body>", encoding="utf-8"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_port}/output.html")
        state: list = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = browser.execute_script(
                "return Array.from(document.querySelectorAll('video'), v => {"
                "  const t = v.textTracks[0]; if (t) t.mode = 'hidden';"
                "  return [v.readyState, v.duration, t && t.cues ? t.cues.length : 0]; })"
            )
            if state and all(ready >= 1 and cues > 0 for ready, _, cues in state):
                break
            time.sleep(0.2)
        assert len(state) == 3 and all(r >= 1 and d > 1 and c > 0 for r, d, c in state), state
    finally:
        server.shutdown()

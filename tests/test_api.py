"""``import mlp_lecture``: the notebook's API, and how its results display.

Rendering itself is tested by the example notebook (``test_notebook.py``)
and the pipeline's own tests; here, what the API returns and shows.
"""

from __future__ import annotations

import base64
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import mlp_lecture
from mlp_lecture.notebook import Clip, Render, Verification, lesson_html, trace_html
from mlp_lecture.pipeline.options import RenderError
from mlp_lecture.pipeline.render import RenderedScene, RenderReport
from mlpmath import compute_trace, default_lesson

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_api_loads_nothing_heavy():
    code = (
        "import sys, mlp_lecture; "
        "names = ('torch', 'manim', 'rich', 'IPython', 'mlpmath'); "
        "heavy = [m for m in names if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


def test_the_api_names_what_a_notebook_needs():
    for name in ("Lesson", "LessonError", "load_lesson", "default_lesson", "parse_lesson"):
        assert getattr(mlp_lecture, name) is getattr(__import__("mlpmath"), name)
    for name in ("trace", "render", "verify", "slides", "workbook", "script"):
        assert callable(getattr(mlp_lecture, name)), name
    assert set(mlp_lecture.__all__) <= set(dir(mlp_lecture))
    with pytest.raises(AttributeError):
        mlp_lecture.no_such_name  # noqa: B018


def test_trace_takes_a_lesson_a_path_or_nothing():
    default = compute_trace(default_lesson())
    assert mlp_lecture.trace() == default
    assert mlp_lecture.trace(default_lesson()) == default
    assert mlp_lecture.trace(ROOT / "lessons" / "default.toml").network == default.network
    assert mlp_lecture.trace(str(ROOT / "lessons" / "relu.toml")).network.activation == "relu"
    with pytest.raises(TypeError):
        mlp_lecture.trace(42)


def test_api_functions_stay_functions_when_the_application_is_imported(tmp_path):
    import mlp_lecture.cli
    import mlp_lecture.deck
    import mlp_lecture.lecture_script
    import mlp_lecture.spreadsheet
    import mlp_lecture.verification
    from mlpmath import LessonError

    for name in ("verify", "slides", "workbook", "render", "trace", "script"):
        assert inspect.isfunction(getattr(mlp_lecture, name)), name
    with pytest.raises(LessonError, match="no such render directory"):
        mlp_lecture.verify(tmp_path / "none")


def test_workbook_is_write_workbook(tmp_path):
    from mlp_lecture.spreadsheet import write_workbook

    path = mlp_lecture.workbook(default_lesson(), tmp_path / "w.xlsx")
    assert path == tmp_path / "w.xlsx" and path.stat().st_size > 0
    assert mlp_lecture.spreadsheet.write_workbook is write_workbook


def test_render_refuses_before_any_work(tmp_path):
    with pytest.raises(RenderError, match="scenes: unknown scene 'Nope'"):
        mlp_lecture.render(scenes=["Nope"], out=tmp_path / "r")
    with pytest.raises(RenderError, match="--quality"):
        mlp_lecture.render(scenes="Activation", quality="ultra", out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_a_script_without_the_main_guard_is_told_what_to_change(tmp_path):
    """Spawned workers import the script again: one calling render() at its top level
    would render in every worker. The worker stops before writing anything and the
    render says, in one line, to put the call under ``if __name__ == "__main__":``."""
    script = tmp_path / "lecture.py"
    out = tmp_path / "out"
    script.write_text(
        "import mlp_lecture\n"
        f"result = mlp_lecture.render(scenes='Activation', out={str(out)!r}, progress=False)\n"
        "print('failed:', [clip.note for clip in result.failed])\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    guard = 'under `if __name__ == "__main__":`'
    assert "failed: ['a worker ran your script again: in a script" in run.stdout, run.stdout
    assert guard in run.stdout and "Traceback" not in run.stderr, run.stderr
    assert not out.exists()  # the worker wrote nothing, and the render published nothing


def _fake_render(tmp_path: Path) -> Render:
    """A render result of one clip, one skipped and one failed scene (no Manim run)."""
    clip = tmp_path / "Activation.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42 fake clip")
    report = RenderReport(
        tmp_path,
        [
            RenderedScene("Activation", "rendered", video=clip, duration=18.4, values=18),
            RenderedScene("SingleNeuron", "skipped", skipped="the lesson has no [[neuron]]"),
            RenderedScene("ChainRule", "failed", error="boom"),
        ],
        tmp_path / "lecture.json",
    )
    return Render.from_report(report)


def test_a_render_displays_as_its_clips_embedded(tmp_path):
    render = _fake_render(tmp_path)
    html = render._repr_html_()
    data = base64.b64encode((tmp_path / "Activation.mp4").read_bytes()).decode()
    assert f"src='data:video/mp4;base64,{data}'" in html  # plays with the file gone
    assert "<video controls" in html and "Activation" in html
    assert "the lesson has no [[neuron]]" in html and "boom" in html
    assert render.clips == {"Activation": tmp_path / "Activation.mp4"}
    assert render["ChainRule"].status == "failed" and not render.ok
    assert [clip.scene for clip in render.failed] == ["ChainRule"]
    assert "\n  Activation       rendered" in repr(render)  # names padded to one column
    assert "src='" + str(tmp_path) in render.html(embed=False)


def test_a_clip_shows_the_title_its_scene_showed(tmp_path):
    from scenekit.ledger import LedgerFile

    ledger = tmp_path / "Activation.values.json"
    ledger_file = LedgerFile(scene="Activation", lesson="x", title="The activation: $f$")
    ledger.write_text(ledger_file.dumps())
    scene = RenderedScene("Activation", "rendered", ledger=ledger)
    assert (
        Render.from_report(RenderReport(tmp_path, [scene], tmp_path / "m"))
        .scenes[0]
        .title.startswith("The activation")
    )


def test_verification_is_true_when_everything_agrees(tmp_path):
    good = Verification(tmp_path, 12, ())
    bad = Verification(tmp_path, 12, ("X.values.json: entry 3: shows 0.1 but the trace says 0.2",))
    assert good and not bad
    assert "all 12 shown values agree" in good._repr_html_()
    assert "entry 3" in bad._repr_html_() and "1 mismatch" in str(bad)


def test_verify_reads_a_render_directory(tmp_path):
    from mlpmath import LessonError

    with pytest.raises(LessonError, match="no such render directory"):
        mlp_lecture.verify(tmp_path / "none")
    with pytest.raises(LessonError, match=r"lesson\.toml"):
        mlp_lecture.verify(_fake_render(tmp_path))


def test_a_lesson_and_a_trace_display_as_the_trace_tables():
    lesson = default_lesson()
    html = lesson_html(lesson)
    assert "Understand MLP" in html and "network 2 → 3 → 2 → 1" in html
    assert "Network 2 → 3 → 2 → 1" in html  # mlp-lecture trace's own summary line
    assert "588.2119" in html  # the loss, at the lesson's decimals
    assert "588.2119" in trace_html(compute_trace(lesson))


def test_ipython_shows_a_lesson_as_tables():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        from mlp_lecture.notebook import register_formatters

        register_formatters()
        data, _ = shell.display_formatter.format(default_lesson())
        assert "588.2119" in data["text/html"]
        render = Render(
            Path("r"), Path("r/lecture.json"), [Clip("A", "A title", "cached", None, None)]
        )
        data, _ = shell.display_formatter.format(render)
        assert "A title" in data["text/html"]
    finally:
        InteractiveShell.clear_instance()

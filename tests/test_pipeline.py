"""The render pipeline: parallel, cached, crash-safe, in every clip format.

Renders run as a user runs them (the ``mlp-lecture`` command, in a process of
its own) with the quickest scenes, so killing one is a real kill.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
import webvtt
from PIL import Image

from mlp_lecture.captions import read_srt
from mlp_lecture.pipeline import keys
from mlp_lecture.pipeline.keys import code_files, lesson_hash, scene_key
from mlp_lecture.pipeline.options import RenderError, RenderOptions
from mlp_lecture.pipeline.render import render_scenes
from mlpmath import compute_trace, default_lesson
from scenes import LECTURE_ORDER

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
CLI = [sys.executable, "-m", "mlp_lecture.cli"]
PAIR = "Activation,NeuronBatch"  # the two quickest scenes


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def start(*args: str) -> subprocess.Popen[str]:
    """A render in its own process group, as a shell starts a foreground job."""
    return subprocess.Popen(
        [*CLI, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def statuses(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Scene -> status, from the one-line-per-scene summary."""
    found = {}
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in dict(LECTURE_ORDER):
            found[words[0]] = words[1]
    return found


def frames_of(path: Path) -> int:
    """Decode every frame of a clip (a truncated file fails here)."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def duration_of(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def work_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}-work-*"))


def assert_only_complete_files(out: Path) -> None:
    """Every file in ``out`` is whole: clips decode to the end, JSON parses."""
    for path in sorted(out.rglob("*")):
        if path.is_relative_to(out / "explore"):  # the page: swapped in whole, hashes checked
            continue
        if path.suffix in {".mp4", ".webm", ".mov", ".gif"}:
            assert frames_of(path) > 0, path
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix in {".srt", ".vtt"}:
            assert read_srt(path) if path.suffix == ".srt" else webvtt.read(str(path)).captions
        elif path.is_file():
            assert path.suffix in {".toml", ".png"}, path


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Path:
    """Two scenes rendered cold, in two workers, and joined into lecture.mp4."""
    out = tmp_path_factory.mktemp("pair") / "low"
    result = run("render", "--scenes", PAIR, "--jobs", "2", "--lecture", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert statuses(result) == {"NeuronBatch": "rendered", "Activation": "rendered"}
    return out


def copy_of(out: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy" / "low"
    shutil.copytree(out, target)
    return target


# -- what a render writes ----------------------------------------------------------------


def test_render_writes_clips_ledgers_manifest_and_the_lecture(pair):
    assert sorted(p.name for p in pair.iterdir()) == [
        "Activation.mp4",
        "Activation.srt",
        "Activation.values.json",
        "Activation.vtt",
        "NeuronBatch.mp4",
        "NeuronBatch.srt",
        "NeuronBatch.values.json",
        "NeuronBatch.vtt",
        "explore",  # the lesson's explorable page
        "lecture.json",
        "lecture.mp4",
        "lecture.srt",
        "lecture.vtt",
        "lesson.toml",
    ]
    assert work_dirs(pair) == []
    assert_only_complete_files(pair)


def test_manifest_lists_each_scene_in_lecture_order(pair):
    manifest = json.loads((pair / "lecture.json").read_text())
    assert manifest["lesson"]["title"] == "Understand MLP"
    assert manifest["lesson"]["hash"] == lesson_hash(compute_trace(default_lesson()))
    assert manifest["quality"] == "low"
    assert [s["scene"] for s in manifest["scenes"]] == ["NeuronBatch", "Activation"]
    for scene in manifest["scenes"]:
        ledger = json.loads((pair / scene["ledger"]).read_text())
        assert scene["values"] == len(ledger["values"]) > 0
        assert scene["duration"] == pytest.approx(duration_of(pair / scene["file"]), abs=0.01)
        assert set(scene["files"]) == {scene["file"], scene["ledger"], *scene["captions"].values()}


def test_lecture_mp4_plays_all_scenes_end_to_end(pair):
    manifest = json.loads((pair / "lecture.json").read_text())
    clips = [pair / scene["file"] for scene in manifest["scenes"]]
    total = sum(duration_of(clip) for clip in clips)
    assert duration_of(pair / "lecture.mp4") == pytest.approx(total, abs=0.1)
    assert frames_of(pair / "lecture.mp4") == sum(frames_of(clip) for clip in clips)
    assert manifest["lecture"]["scenes"] == ["NeuronBatch", "Activation"]


def test_ledger_maps_each_step_to_the_values_it_shows(pair):
    ledger = json.loads((pair / "NeuronBatch.values.json").read_text())
    sections = ledger["sections"]
    assert [s["index"] for s in sections] == list(range(len(sections)))
    steps = [s["step"] for s in sections if s["step"]]
    assert len(steps) >= 3
    shown = set()
    for section in sections:
        assert all(0 <= i < len(ledger["values"]) for i in section["values"])
        shown.update(section["values"])
    assert shown == set(range(len(ledger["values"])))  # every value is shown in some step


def test_verify_passes_on_the_pipeline_output(pair):
    result = run("verify", str(pair))
    assert result.returncode == 0, result.stderr


# -- the cache ----------------------------------------------------------------------------


def test_rerun_with_nothing_changed_renders_nothing(pair):
    before = {p.name: p.stat().st_mtime_ns for p in pair.iterdir() if p.suffix != ".json"}
    result = run("render", "--scenes", PAIR, "--jobs", "2", "--lecture", "--out", str(pair))
    assert result.returncode == 0, result.stderr
    assert statuses(result) == {"NeuronBatch": "cached", "Activation": "cached"}
    after = {p.name: p.stat().st_mtime_ns for p in pair.iterdir() if p.suffix != ".json"}
    assert after == before
    assert work_dirs(pair) == []


def test_a_comment_in_the_lesson_changes_nothing(pair, tmp_path):
    out = copy_of(pair, tmp_path)
    lesson = tmp_path / "default.toml"
    lesson.write_text("# my own copy\n" + (LESSONS / "default.toml").read_text())
    result = run("render", str(lesson), "--scenes", "Activation", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert statuses(result) == {"Activation": "cached"}


def test_changing_the_lesson_renders_again_and_drops_the_old_lessons_files(pair, tmp_path):
    out = copy_of(pair, tmp_path)
    lesson = LESSONS / "relu.toml"
    result = run("render", str(lesson), "--scenes", "Activation", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert statuses(result) == {"Activation": "rendered"}
    assert sorted(p.name for p in out.iterdir()) == [
        "Activation.mp4",
        "Activation.srt",
        "Activation.values.json",
        "Activation.vtt",
        "explore",
        "lecture.json",
        "lesson.toml",
    ]
    assert (out / "lesson.toml").read_text() == lesson.read_text()
    assert run("verify", str(out)).returncode == 0


def test_force_renders_again_in_parallel_repeatedly(pair, tmp_path):
    """Two Manim processes at once, cold each time: no clash, no crash.

    With the module's first render and the killed renders' last run, the pair
    is rendered cold in two workers four times in this module.
    """
    out = copy_of(pair, tmp_path)
    for fmt in ("mp4", "png"):  # png: every Typst file compiled again, no video
        result = run(
            "render", "--scenes", PAIR, "--jobs", "2", "--force", "--format", fmt, "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
        assert statuses(result) == {"NeuronBatch": "rendered", "Activation": "rendered"}
        assert run("verify", str(out)).returncode == 0
    assert_only_complete_files(out)


def test_scene_key_follows_the_code_a_scene_runs():
    files = {p.relative_to(ROOT).as_posix() for p in code_files("scenes.activation")}
    assert {"scenes/activation.py", "scenekit/lecture_scene.py", "scenekit/traced.py"} <= files
    assert "mlpmath/trace.py" in files
    # Neither the lecture order, another scene, nor the application is part of it.
    assert not {"scenes/__init__.py", "scenes/single_neuron.py", "mlp_lecture/cli.py"} & files
    worker = {p.relative_to(ROOT).as_posix() for p in code_files(keys.WORKER_MODULE)}
    assert "mlp_lecture/pipeline/worker.py" in worker
    assert not {"mlp_lecture/__init__.py", "mlp_lecture/pipeline/render.py"} & worker


def test_scene_key_changes_with_lesson_options_and_code(monkeypatch, tmp_path):
    digest = lesson_hash(compute_trace(default_lesson()))
    low = RenderOptions()
    key = scene_key("Activation", "scenes.activation", digest, low)
    assert key == scene_key("Activation", "scenes.activation", digest, low)
    assert key != scene_key("Activation", "scenes.activation", "other", low)
    assert key != scene_key("Activation", "scenes.activation", digest, RenderOptions(sections=True))
    # A copy of the sources, edited: the toolkit counts, other scenes do not.
    copies = {name: tmp_path / name for name in keys.CODE_PACKAGES}
    for name, target in copies.items():
        shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(keys, "package_dirs", lambda: copies)
    copied = scene_key("Activation", "scenes.activation", digest, low)
    assert copied == key

    def edited(path: str) -> str:
        file = tmp_path / path
        original = file.read_text()
        file.write_text(original + "\n# edited\n")
        try:
            return scene_key("Activation", "scenes.activation", digest, low)
        finally:
            file.write_text(original)

    assert edited("scenekit/traced.py") != key
    assert edited("mlpmath/display.py") != key
    assert edited("mlp_lecture/pipeline/worker.py") != key
    assert edited("mlp_lecture/pipeline/render.py") == key
    assert edited("scenes/activation.py") != key
    assert edited("scenes/single_neuron.py") == key
    assert edited("scenes/__init__.py") == key


# -- killed at any moment -------------------------------------------------------------------


def wait_for_partial_movies(out: Path, process: subprocess.Popen[str], scenes: str) -> None:
    """Wait until Manim is writing clips of each of ``scenes`` (partial movie files)."""
    deadline = time.monotonic() + 120
    seen: set[str] = set()
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for scene in scenes.split(","):
            if list(out.parent.glob(f".{out.name}-work-*/{scene}/media/**/uncached_*")):
                seen.add(scene)
        if seen == set(scenes.split(",")):
            return
        time.sleep(0.05)
    raise AssertionError("the render never started writing clips")


def workers_of(pid: int) -> list[int]:
    """The render worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_mid_render(out: Path, lesson: str, how: str) -> None:
    """Start a render of two scenes in two workers; kill it while Manim writes clips."""
    process = start("render", lesson, "--scenes", PAIR, "--jobs", "2", "--force", "--out", str(out))
    wait_for_partial_movies(out, process, PAIR)
    workers = workers_of(process.pid)
    assert len(workers) == 2
    if how == "SIGINT":  # Ctrl-C in a terminal: the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, getattr(signal, how))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == (-9 if how == "SIGKILL" else 128 + getattr(signal, how))
    if how != "SIGKILL":
        assert stderr.strip().count("\n") == 0, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr
        assert work_dirs(out) == []
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), f"workers outlived the render ({how})"
    assert_only_complete_files(out)


def test_a_render_killed_mid_way_leaves_only_complete_files_and_runs_again(pair, tmp_path):
    """Killed three times in a row (Ctrl-C, SIGTERM, SIGKILL), then run to the end."""
    out = copy_of(pair, tmp_path)  # complete clips of another lesson: dropped, never broken
    lesson = str(LESSONS / "relu.toml")
    for how in ("SIGINT", "SIGTERM", "SIGKILL"):
        kill_mid_render(out, lesson, how)
    again = run("render", lesson, "--scenes", PAIR, "--jobs", "2", "--out", str(out))
    assert again.returncode == 0, again.stderr
    # Rendered now, or (had it been published just before a kill) complete already.
    assert set(statuses(again)) == {"NeuronBatch", "Activation"}
    assert "rendered" in statuses(again).values()
    assert work_dirs(out) == []
    assert_only_complete_files(out)
    assert run("verify", str(out)).returncode == 0


def test_a_worker_killed_mid_scene_fails_that_scene_in_one_line(pair, tmp_path):
    out = copy_of(pair, tmp_path)
    process = start("render", "--scenes", "Activation", "--force", "--out", str(out))
    wait_for_partial_movies(out, process, "Activation")
    (worker,) = workers_of(process.pid)
    os.kill(worker, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == [
        "mlp-lecture: Activation failed: the render worker died (exit code -9)"
    ]
    assert work_dirs(out) == []
    assert_only_complete_files(out)
    assert run("verify", str(out)).returncode == 0  # the last complete render is still there


# -- the audit of every render ------------------------------------------------------------


def test_the_render_audits_what_it_shows(pair):
    ledger = json.loads((pair / "Activation.values.json").read_text())
    assert ledger["audit"]["problems"] == []
    manifest = json.loads((pair / "lecture.json").read_text())
    assert all(scene["audit_problems"] == [] for scene in manifest["scenes"])


def test_a_scene_that_types_a_number_is_caught_by_the_render(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # for the workers, too
    out = tmp_path / "out"
    options = RenderOptions(format="png", wrapper="typed_number:typing_a_number")
    report = render_scenes(default_lesson(), ["Activation"], out, options, jobs=1)
    (scene,) = report.scenes
    assert scene.status == "rendered"
    assert any("42.4242" in problem and "not from the trace" in problem for problem in scene.audit)
    result = run("verify", str(out))
    assert result.returncode == 1
    assert "audit at render time" in result.stderr and "42.4242" in result.stderr


def test_a_render_whose_audit_finds_problems_fails(tmp_path, monkeypatch):
    """A scene whose label leaves the frame (tests/off_frame.py: NeuronBatch keeps large
    inputs in the frame itself now, so the fault is put in): the render says so and
    `verify` fails the folder."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # for the workers, too
    out = tmp_path / "out"
    options = RenderOptions(format="png", wrapper="off_frame:pushing_off_frame")
    report = render_scenes(default_lesson(), ["NeuronBatch"], out, options, jobs=1)
    (scene,) = report.scenes
    assert scene.name == "NeuronBatch"
    assert any("leaves the frame" in problem for problem in scene.audit)
    result = run("verify", str(out))
    assert result.returncode == 1
    assert "leaves the frame" in result.stderr and "Traceback" not in result.stderr


# -- formats ------------------------------------------------------------------------------


def render_one(tmp_path: Path, *options: str) -> tuple[Path, dict]:
    out = tmp_path / "out"
    result = run("render", "--scenes", "Activation", "--out", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert run("verify", str(out)).returncode == 0
    return out, json.loads((out / "lecture.json").read_text())


def test_png_writes_the_last_frame(tmp_path):
    out, manifest = render_one(tmp_path, "--format", "png")
    image = Image.open(out / "Activation.png")
    assert image.size == (854, 480)
    assert manifest["scenes"][0]["file"] == "Activation.png"
    assert manifest["scenes"][0]["duration"] is None
    assert manifest["scenes"][0]["captions"] == {}  # a still has no captions
    assert not list(out.glob("*.srt")) and not list(out.glob("*.vtt"))


def test_transparent_webm_with_one_clip_per_step(tmp_path):
    out, manifest = render_one(tmp_path, "--format", "webm", "--transparent", "--sections")
    clip = out / "Activation.webm"
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.metadata.get("alpha_mode") == "1"
        decoder = av.CodecContext.create("libvpx-vp9", "r")
        frame = next(f for packet in container.demux(stream) for f in decoder.decode(packet))
        assert frame.format.name == "yuva420p"
    ledger = json.loads((out / "Activation.values.json").read_text())
    files = [s["file"] for s in ledger["sections"]]
    assert files == [f"sections/Activation-{i:02d}.webm" for i in range(len(files))]
    assert sorted(p.name for p in (out / "sections").iterdir()) == sorted(
        Path(f).with_suffix(suffix).name for f in files for suffix in (".webm", ".srt", ".vtt")
    )
    total = sum(s["duration"] for s in ledger["sections"])
    assert total == pytest.approx(manifest["scenes"][0]["duration"], abs=0.1)
    assert any(s["values"] for s in ledger["sections"])


@pytest.mark.parametrize(("fmt", "codec"), [("mov", "qtrle"), ("gif", "gif")])
def test_mov_and_gif(tmp_path, fmt, codec):
    extra = ["--transparent"] if fmt == "mov" else []
    out, _ = render_one(tmp_path, "--format", fmt, *extra)
    with av.open(str(out / f"Activation.{fmt}")) as container:
        assert container.streams.video[0].codec_context.name == codec
    assert frames_of(out / f"Activation.{fmt}") > 100
    assert run("verify", str(out)).returncode == 0  # mov: its sample table read, as mp4's


# -- what a user gets wrong: one line, nothing written --------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--transparent"], "--transparent needs --format webm, mov or png"),
        (["--format", "png", "--sections"], "--sections needs a video format"),
        (["--format", "gif", "--lecture"], "--lecture joins video clips"),
    ],
)
def test_options_that_do_not_go_together(tmp_path, options, message):
    out = tmp_path / "out"
    result = run("render", "--scenes", "Activation", "--out", str(out), *options)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr
    assert not out.exists()


def test_options_check_in_the_api():
    with pytest.raises(RenderError, match="alpha"):
        RenderOptions(format="mp4", transparent=True).check()
    RenderOptions(format="webm", transparent=True, sections=True).check()


def test_a_directory_being_rendered_is_refused(pair, tmp_path):
    import fcntl

    out = copy_of(pair, tmp_path)
    descriptor = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        result = run("render", "--scenes", "Activation", "--out", str(out))
    finally:
        os.close(descriptor)
    assert result.returncode == 2
    assert result.stderr.strip() == f"mlp-lecture: {out}: another mlp-lecture render is writing it"

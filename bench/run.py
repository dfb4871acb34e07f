"""Benchmarks of the whole-lecture render, all measured in one run: ``make bench``.

Renders go through the ``mlp-lecture`` command into a temporary directory,
as a teacher runs them; the audit and the profile run in processes of their
own. The machine is shared, so the targets are checked on ratios of figures
taken minutes apart in this one run, not on figures from different runs; each
phase also reports the CPU time it used and the machine's load around it.
Every phase runs a snapshot of the project's packages taken at the
start, so edits made meanwhile (by anyone) do not change what is measured.

    .venv/bin/python bench/run.py [--scenes A,B] [--json FILE] [--keep] [--reference REV]
                                  [--baseline REV]

Besides the pipeline's own phases it renders the same scenes with plain
``manim -ql`` one after another (Manim's own command line, no pipeline), checks
that the pictures did not change (every scene's last frame, saved losslessly
as PNG, pixel for pixel against the code of ``--reference``, default ``HEAD``;
the ledgers byte for byte), times the whole lecture cold at low and high
quality with the code of ``--baseline`` too (before and after in one run), and
measures the encoded clips' quality (PSNR of
the pipeline's mp4 encoding and of Manim's default one against a lossless
encode of the same frames).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/figures.py, beside this script: named outright, since the bench runs this
# script again (--audit, --profile, --psnr) with PYTHONSAFEPATH set, which leaves
# the script's folder off sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import report

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "mlp_lecture.cli"]
WIDE = {"2x wide": BENCH / "lessons" / "wide2.toml", "4x wide": BENCH / "lessons" / "wide4.toml"}

# Where a profile's own time goes: the first pattern found in a function's
# file (or built-in's name) names its share.
CATEGORIES = [
    ("waiting for the video encoder threads", ("_thread.lock", "threading.py", "queue.py")),
    ("drawing frames (Manim camera, cairo)", ("manim/camera", "cairo", "manim/renderer")),
    ("Typst compile, SVG parsing", ("typst", "svg", "svgelements")),
    ("copying mobjects (deepcopy)", ("copy.py", "__deepcopy__")),
    ("mobjects and animations (Manim, numpy)", ("manim/", "numpy")),
    ("scene and toolkit code (scenes/, scenekit/)", ("/scenes/", "/scenekit/")),
    ("the lesson's math (mlpmath, torch)", ("mlpmath", "torch")),
]


PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")  # what the snapshot copies
PSNR_SCENE, PSNR_QUALITY = "Activation", "high_quality"  # the encoder's quality check
MANIM_DEFAULT_ENCODER = {"crf": "23"}  # Manim 0.22's libx264 options (its default preset)
ENV = dict(os.environ)  # PYTHONPATH points at the snapshot once it is taken
PHASES: dict[str, dict[str, float]] = {}  # phase -> wall, cpu, load before and after
AUDIT_FAILURES: dict[str, str] = {}  # phase -> what its render's audit found
PROGRESS: Path | None = None  # --json's file: the phases so far, rewritten after each


def snapshot(temp: Path) -> None:
    """Copy the code under test aside; every phase runs that copy."""
    source = temp / "src"
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), ENV.get("PYTHONPATH")]))
    # An empty trace cache: the cold render computes the lesson, as on a first run.
    ENV["MLP_LECTURE_CACHE"] = str(temp / "trace-cache")
    # `python -m` puts the working directory (the live tree) before PYTHONPATH;
    # PYTHONSAFEPATH (Python 3.11) leaves it out, so the snapshot is what runs.
    ENV["PYTHONSAFEPATH"] = "1"


def reference_snapshot(temp: Path, revision: str) -> dict[str, str]:
    """The packages as ``revision`` has them (``git archive``), for the frames check
    or the before-and-after timings; the environment that runs them."""
    source = temp / f"revision-{revision}"
    if source.exists():
        return _env_with(source)
    source.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision, *PACKAGES], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    return _env_with(source)


def _env_with(source: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MLP_LECTURE_CACHE"] = ENV["MLP_LECTURE_CACHE"]
    env["PYTHONSAFEPATH"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    return env


def measured(
    phase: str, command: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``command``; record its wall time, CPU time (with children) and the load."""
    load = os.getloadavg()[0]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env or ENV)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # A render whose audit found problems still wrote every clip: measured, and noted.
    audit_failed = "the audit found" in result.stderr
    if result.returncode != 0 and not audit_failed:
        sys.exit(f"bench: {' '.join(command[2:])} failed:\n{result.stderr[-3000:]}")
    PHASES[phase] = {
        "wall": seconds,
        "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
        "load before": load,
        "load after": os.getloadavg()[0],
    }
    if audit_failed:
        AUDIT_FAILURES[phase] = result.stderr.strip().splitlines()[-1]
        say(f"{phase}: {AUDIT_FAILURES[phase]}")
    if PROGRESS is not None:  # what is measured so far, in case a later phase fails
        PROGRESS.write_text(json.dumps({"phases": PHASES, "audit": AUDIT_FAILURES}, indent=1))
    return seconds, result


def cli(phase: str, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``mlp-lecture ARGS`` (fails loudly); its wall time and result."""
    return measured(phase, [*CLI, *args])


def plain_manim(phase: str, scenes: list[str], temp: Path) -> float:
    """The same scenes with plain ``manim -ql``, one after the other (no pipeline);
    the snapshot's scene files, each into a fresh media directory."""
    from scenes import LECTURE_ORDER

    modules = dict(LECTURE_ORDER)
    manim = Path(sys.executable).parent / "manim"
    source = Path(ENV["PYTHONPATH"].split(os.pathsep)[0])
    commands = [
        [
            str(manim), "-ql", "--media_dir", str(temp / "plain" / name),
            str(source / (modules[name].replace(".", "/") + ".py")), name,
        ]
        for name in scenes
    ]  # fmt: skip
    script = "; ".join(f"{' '.join(c)} >/dev/null || exit 1" for c in commands)
    seconds, _ = measured(phase, ["sh", "-c", script], {**ENV, "MLP_LESSON": ""})
    return seconds


def same_pictures(before: Path, after: Path) -> list[str]:
    """Every scene's last frame (lossless PNG) pixel for pixel, and its ledger byte
    for byte; one line per difference (empty: the same)."""
    import numpy as np
    from PIL import Image

    problems = []
    frames = sorted(p.name for p in before.glob("*.png"))
    if not frames or frames != sorted(p.name for p in after.glob("*.png")):
        problems.append(f"different scenes: {frames} vs {sorted(after.glob('*.png'))}")
    for name in frames:
        a = np.asarray(Image.open(before / name))
        b = np.asarray(Image.open(after / name)) if (after / name).is_file() else None
        if b is None or a.shape != b.shape or not np.array_equal(a, b):
            problems.append(f"{name}: last frame differs")
        ledger = name.removesuffix(".png") + ".values.json"
        if _ledger(before / ledger) != _ledger(after / ledger):
            problems.append(f"{ledger} differs")
    return problems


def _ledger(path: Path) -> str:
    if not path.is_file():
        return ""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.get("audit", {}).pop("seconds", None)  # timing, not content
    return json.dumps(data, indent=1)


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "lecture.json").read_text())


def scene_seconds(out: Path) -> dict[str, float]:
    if not (out / "lecture.json").is_file():  # a render that failed its audit keeps nothing
        return {}
    return {
        s["scene"]: s.get("render_seconds", 0.0)
        for s in manifest(out)["scenes"]
        if s.get("skipped") is None  # a scene the lesson has nothing for
    }


def self_run(phase: str, *args: str) -> dict[str, Any]:
    """This script in a fresh process (``--audit`` or ``--profile``); its JSON answer."""
    _, result = measured(phase, [sys.executable, __file__, *args])
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- in a process of their own ------------------------------------------------------------


def audit_all(scenes: list[str]) -> dict[str, Any]:
    """Audit each scene (the verification the tests run); seconds per scene."""
    from mlpmath import compute_trace, default_lesson
    from scenekit.audit import audit_scene
    from scenes import scene_class

    os.environ["MLP_LESSON"] = ""
    trace = compute_trace(default_lesson())
    media = tempfile.mkdtemp(prefix="mlp-bench-audit-")
    seconds = {}
    try:
        for name in scenes:
            cls = scene_class(name)
            start = time.perf_counter()
            _, problems = audit_scene(cls, trace, media)
            seconds[name] = time.perf_counter() - start
            if problems:
                seconds[name + " (problems)"] = len(problems)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return {"seconds": seconds}


def profile_scene(name: str) -> dict[str, Any]:
    """Render one scene as a worker does, under cProfile; where its time goes."""
    from mlp_lecture.pipeline.worker import SceneTask, render_task
    from scenes import LECTURE_ORDER

    work = tempfile.mkdtemp(prefix="mlp-bench-profile-")
    task = SceneTask(name, dict(LECTURE_ORDER)[name], work, "", "low_quality")
    profile = cProfile.Profile()
    start = time.perf_counter()
    try:
        profile.runcall(render_task, task)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - start
    stats = pstats.Stats(profile)
    shares: dict[str, float] = {label: 0.0 for label, _ in CATEGORIES}
    shares["other"] = 0.0
    for (file, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file} {function}"
        label = next((lab for lab, pats in CATEGORIES if any(p in where for p in pats)), "other")
        shares[label] += own
    top = []
    for (file, line, function), (_, calls, own, cumulative, _) in sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: -item[1][3],
    ):
        if "/scenes/" in file or "manim/" in file:
            short = file.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            top.append((f"{short}:{line}({function})", calls, round(own, 2), round(cumulative, 2)))
        if len(top) == 25:
            break
    return {"scene": name, "seconds": total, "shares": shares, "top": top}


def encoder_quality(name: str, quality: str) -> dict[str, Any]:
    """The encoded clips' quality: ``name`` rendered once with a lossless encode
    (libx264, ``crf 0``), its frames encoded again as the pipeline encodes mp4 and
    as Manim does by default; the PSNR of each against the lossless frames, the
    encode's time and size."""
    import av
    import numpy as np

    from mlp_lecture.pipeline import worker
    from scenes import LECTURE_ORDER

    work = Path(tempfile.mkdtemp(prefix="mlp-bench-psnr-"))
    try:
        pipeline = worker.ENCODER_OPTIONS.get("mp4", {})
        worker.ENCODER_OPTIONS["mp4"] = {"crf": "0", "preset": "ultrafast"}  # 8-bit: lossless
        task = worker.SceneTask(name, dict(LECTURE_ORDER)[name], str(work / "r"), "", quality)
        lossless = worker.render_task(task).artifact
        with av.open(lossless) as container:
            stream = container.streams.video[0]
            rate, width, height = stream.average_rate, stream.width, stream.height
        result: dict[str, Any] = {"scene": name, "quality": quality}
        for label, options in (("pipeline", pipeline), ("manim default", MANIM_DEFAULT_ENCODER)):
            path = work / f"{label.replace(' ', '-')}.mp4"
            frames = _decoded(lossless)  # one frame at a time: 1080p60 frames fill GBs
            start, cpu = time.perf_counter(), time.process_time()
            with av.open(str(path), "w") as out:
                stream = out.add_stream("libx264", rate=rate, options=dict(options))
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                for array in frames:
                    out.mux(stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")))
                out.mux(stream.encode())
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            psnr = []
            for a, b in zip(_decoded(lossless), _decoded(str(path)), strict=True):
                mse = float(np.mean((a.astype(np.float32) - b) ** 2))
                psnr.append(100.0 if mse == 0 else 10 * np.log10(255**2 / mse))
            result["frames"] = len(psnr)
            result[label] = {
                "options": dict(options),
                "seconds": seconds,
                "cpu": cpu,
                "bytes": path.stat().st_size,
                "psnr min": min(psnr),
                "psnr mean": float(np.mean(psnr)),
            }
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _decoded(path: str) -> Any:
    """The frames of the video at ``path``, as RGB arrays, one at a time."""
    import av

    with av.open(path) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")


# -- the benchmark --------------------------------------------------------------------------

# The phases, in the order they run; `--only` picks some (with what they need).
PHASE_NAMES = (
    "cold",  # the default lecture, low quality, 2 workers, nothing rendered before
    "slides",  # slide decks cold, then again with nothing changed (beside "cold")
    "classify",  # the classification lecture, cold (beside "cold")
    "baseline",  # "cold" with --baseline's code (issue 23's pictures: aa7d0b0)
    "warm",  # "cold" again, nothing changed
    "verify",
    "trace",  # with the trace cache filled, and with an empty one
    "plain",  # plain `manim -ql`, one scene after the other
    "one",  # the lecture, cold, 1 worker
    "audit",
    "wide",  # the 2x- and 4x-wide lessons, cold
    "high",  # 1080p60, cold
    "high-baseline",  # "high" with --baseline's code
    "frames",  # last frames (lossless PNG) and ledgers against --reference
    "encoder",  # PSNR of the encoded clips
    "profile",  # the slowest scene under cProfile
)
# What a phase needs measured in the same run: a ratio to it, or its render directory.
NEEDS = {
    "slides": ("cold",),
    "classify": ("cold",),
    "baseline": ("cold",),
    "warm": ("cold",),
    "verify": ("cold",),
    "one": ("cold",),
    "wide": ("cold",),
    "high-baseline": ("high",),
    "profile": ("cold",),
}
WORKERS = "2"  # every render: the 2-core figure on any machine (issue 24)
CLASSIFY = ROOT / "lessons" / "classify.toml"
PICTURES_BASELINE = "aa7d0b0"  # the code before issue 23 ("pictures"), the default --baseline


def chosen_phases(only: str | None) -> list[str]:
    """The phases ``--only`` names (comma-separated), with those they need, in run order."""
    if only is None:
        return list(PHASE_NAMES)
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    unknown = wanted - set(PHASE_NAMES)
    if unknown:
        sys.exit(f"bench: no phase {', '.join(sorted(unknown))} (phases: {', '.join(PHASE_NAMES)})")
    for name in list(wanted):
        wanted |= set(NEEDS.get(name, ()))
    return [name for name in PHASE_NAMES if name in wanted]


def run_bench(
    scenes: str | None, keep: bool, reference: str, baseline: str, phases: list[str]
) -> dict[str, Any]:
    temp = Path(tempfile.mkdtemp(prefix="mlp-bench-"))
    chosen = ["--scenes", scenes] if scenes else []
    jobs = ["--jobs", WORKERS]
    figures: dict[str, Any] = {
        "cores": len(os.sched_getaffinity(0)),
        "workers": int(WORKERS),
        "phases": PHASES,
        "audit_failures": AUDIT_FAILURES,
        "baseline": baseline,
        "run": phases,
    }
    cold_dir = temp / "cold" / "low"
    try:
        snapshot(temp)
        if "cold" in phases:
            say("whole lecture, low quality, 2 workers, cold ...")
            figures["cold"], _ = cli("cold", "render", *chosen, *jobs, "--out", str(cold_dir))
            figures["scenes"] = scene_seconds(cold_dir)
            figures["video"] = manifest(cold_dir)["duration"]
            figures["in_render_audit"] = {
                s["scene"]: s.get("audit_seconds", 0.0)
                for s in manifest(cold_dir)["scenes"]
                if s.get("skipped") is None
            }
        names = list(figures.get("scenes") or _scene_names(scenes))
        if "slides" in phases:
            say("slide decks (HTML and PowerPoint) of the whole lecture, 2 workers, cold ...")
            deck_dir = temp / "slides" / "low-slides"  # no sibling render: slides alone
            figures["slides_cold"], _ = cli(
                "slides cold", "slides", *chosen, *jobs, "--out", str(deck_dir)
            )
            say("the same decks again, nothing changed (warm) ...")
            figures["slides_warm"], warm = cli(
                "slides warm", "slides", *chosen, *jobs, "--out", str(deck_dir)
            )
            figures["slides_warm_rendered"] = warm.stdout.count(" rendered ")
        if "classify" in phases:
            say("the classification lecture, low quality, 2 workers, cold ...")
            classify_dir = temp / "classify" / "low"
            figures["classify"], _ = measured(
                "classify",
                [*CLI, "render", str(CLASSIFY), *jobs, "--out", str(classify_dir)],
                {**ENV, "MLP_LECTURE_CACHE": str(temp / "classify-cache")},  # its trace cold
            )
            figures["classify scenes"] = scene_seconds(classify_dir)
        if "baseline" in phases:
            say(f"the same with {baseline}'s code (before and after, in one run) ...")
            figures["cold_baseline"], _ = measured(
                "cold, baseline",
                [*CLI, "render", *chosen, *jobs, "--out", str(temp / "cold-base" / "low")],
                reference_snapshot(temp, baseline),
            )
        if "warm" in phases:
            say("the same again, nothing changed (warm) ...")
            figures["warm"], warm = cli("warm", "render", *chosen, *jobs, "--out", str(cold_dir))
            figures["warm_rendered"] = warm.stdout.count(" rendered ")
        if "verify" in phases:
            say("verify (ledgers against a fresh trace) ...")
            figures["verify"], _ = cli("verify", "verify", str(cold_dir))
        if "trace" in phases:
            say("trace (every number of the lesson, as tables) ...")
            if "cold" not in phases:  # the trace cache as a render leaves it
                subprocess.run([*CLI, "trace"], cwd=ROOT, env=ENV, capture_output=True)
            figures["trace"], _ = cli("trace", "trace")
            empty_cache = {**ENV, "MLP_LECTURE_CACHE": str(temp / "empty-cache")}
            figures["trace_uncached"], _ = measured(
                "trace, empty cache", [*CLI, "trace"], empty_cache
            )
        if "plain" in phases:
            say("the same scenes with plain `manim -ql`, one after the other ...")
            figures["plain_manim"] = plain_manim("plain manim -ql", names, temp)
        if "one" in phases:
            say("whole lecture, 1 worker, cold ...")
            one_dir = temp / "one" / "low"
            figures["one_worker"], _ = cli(
                "1 worker", "render", *chosen, "--jobs", "1", "--out", str(one_dir)
            )
            figures["one_worker_scenes"] = scene_seconds(one_dir)
        if "audit" in phases:
            say("audit of every scene (one process) ...")
            figures["audit"] = self_run("audit", "--audit", ",".join(names))["seconds"]
        if "wide" in phases:
            for label, lesson in WIDE.items():
                say(f"whole lecture, {label} network, 2 workers, cold ...")
                wide_dir = temp / label.replace(" ", "-") / "low"
                seconds, _ = cli(
                    label, "render", str(lesson), *chosen, *jobs, "--out", str(wide_dir)
                )
                figures[label] = seconds
                figures[f"{label} scenes"] = scene_seconds(wide_dir)
        high = [*CLI, "render", *chosen, "--quality", "high", *jobs]
        if "high" in phases:
            say("whole lecture, high quality (1080p60), 2 workers, cold ...")
            high_dir = temp / "high" / "high"
            figures["high"], _ = cli("high", *high[len(CLI) :], "--out", str(high_dir))
            figures["high scenes"] = scene_seconds(high_dir)
        if "high-baseline" in phases:
            say(f"the same with {baseline}'s code ...")
            figures["high_baseline"], _ = measured(
                "high, baseline",
                [*high, "--out", str(temp / "high-base" / "high")],
                reference_snapshot(temp, baseline),
            )
        if "frames" in phases:
            say(f"last frames (lossless PNG), this code and {reference} ...")
            frames = {}
            for label, env in (("reference", reference_snapshot(temp, reference)), ("now", ENV)):
                frames[label] = temp / f"frames-{label}" / "low"
                measured(
                    f"last frames, {label}",
                    [*CLI, "render", *chosen, "--format", "png", "--out", str(frames[label])],
                    env,
                )
            figures["frames_reference"] = reference
            figures["frames_problems"] = same_pictures(frames["reference"], frames["now"])
            figures["frames_count"] = len(list(frames["now"].glob("*.png")))
        if "encoder" in phases:
            say(f"encoder quality: {PSNR_SCENE} at {PSNR_QUALITY}, lossless against encoded ...")
            figures["encoder"] = self_run("encoder quality", "--psnr", PSNR_SCENE)
        if "profile" in phases:
            slowest = max(figures["scenes"], key=figures["scenes"].get)
            say(f"profile of the slowest scene, {slowest} ...")
            figures["profile"] = self_run("profile", "--profile", slowest)
    finally:
        if keep:
            say(f"renders kept in {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    return figures


def _scene_names(scenes: str | None) -> list[str]:
    """The scenes a render of the default lesson with ``--scenes`` renders (not skipped)."""
    from mlp_lecture.pipeline.options import select_scenes
    from mlpmath import cached_trace, default_lesson
    from scenes import scene_class

    os.environ["MLP_LESSON"] = ""
    trace = cached_trace(default_lesson())
    return [name for name in select_scenes(scenes) if scene_class(name).applies(trace)]


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", help="only these scenes (default: the whole lecture)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the renders")
    parser.add_argument("--audit", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        help=f"only these phases, comma-separated, with those they need ({', '.join(PHASE_NAMES)})",
    )
    parser.add_argument(
        "--reference", default="HEAD", help="git revision whose pictures must be matched"
    )
    parser.add_argument(
        "--baseline",
        default=PICTURES_BASELINE,
        help="git revision timed beside this code, cold at low and high quality "
        f"(default: {PICTURES_BASELINE}, the code before issue 23's pictures)",
    )
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--psnr", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.psnr:
        print(json.dumps(encoder_quality(args.psnr, PSNR_QUALITY)))
        return 0
    if args.audit:
        print(json.dumps(audit_all(args.audit.split(","))))
        return 0
    if args.profile:
        print(json.dumps(profile_scene(args.profile)))
        return 0
    global PROGRESS
    PROGRESS = args.json
    phases = chosen_phases(args.only)
    figures = run_bench(args.scenes, args.keep, args.reference, args.baseline, phases)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of the whole-lecture render, all measured in one run: ``make bench``.

Renders go through the ``mlp-lecture`` command into a temporary directory,
as a teacher runs them; the audit and the profile run in processes of their
own. The machine is shared, so the targets are checked on ratios of figures
taken minutes apart in this one run, not on figures from different runs; each
phase also reports the CPU time it used and the machine's load around it.
Every phase runs a snapshot of the project's packages taken at the
start, so edits made meanwhile (by anyone) do not change what is measured.

    .venv/bin/python bench/run.py [--scenes A,B] [--json FILE] [--keep]
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
ENV = dict(os.environ)  # PYTHONPATH points at the snapshot once it is taken
PHASES: dict[str, dict[str, float]] = {}  # phase -> wall, cpu, load before and after


def snapshot(temp: Path) -> None:
    """Copy the code under test aside; every phase runs that copy."""
    source = temp / "src"
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), ENV.get("PYTHONPATH")]))


def measured(phase: str, command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``command``; record its wall time, CPU time (with children) and the load."""
    load = os.getloadavg()[0]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command[2:])} failed:\n{result.stderr[-3000:]}")
    PHASES[phase] = {
        "wall": seconds,
        "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
        "load before": load,
        "load after": os.getloadavg()[0],
    }
    return seconds, result


def cli(phase: str, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``mlp-lecture ARGS`` (fails loudly); its wall time and result."""
    return measured(phase, [*CLI, *args])


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "lecture.json").read_text())


def scene_seconds(out: Path) -> dict[str, float]:
    return {s["scene"]: s.get("render_seconds", 0.0) for s in manifest(out)["scenes"]}


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


# -- the benchmark --------------------------------------------------------------------------


def run_bench(scenes: str | None, keep: bool) -> dict[str, Any]:
    temp = Path(tempfile.mkdtemp(prefix="mlp-bench-"))
    chosen = ["--scenes", scenes] if scenes else []
    figures: dict[str, Any] = {"cores": len(os.sched_getaffinity(0)), "phases": PHASES}
    try:
        snapshot(temp)
        cold_dir = temp / "cold" / "low"
        say("whole lecture, low quality, 2 workers, cold ...")
        figures["cold"], _ = cli("cold", "render", *chosen, "--jobs", "2", "--out", str(cold_dir))
        figures["scenes"] = scene_seconds(cold_dir)
        figures["video"] = manifest(cold_dir)["duration"]
        figures["in_render_audit"] = {
            s["scene"]: s.get("audit_seconds", 0.0) for s in manifest(cold_dir)["scenes"]
        }
        say("the same again, nothing changed (warm) ...")
        figures["warm"], warm = cli(
            "warm", "render", *chosen, "--jobs", "2", "--out", str(cold_dir)
        )
        figures["warm_rendered"] = warm.stdout.count(" rendered ")
        say("verify (ledgers against a fresh trace) ...")
        figures["verify"], _ = cli("verify", "verify", str(cold_dir))
        say("slide decks (HTML and PowerPoint) of the whole lecture, 2 workers, cold ...")
        deck_dir = temp / "slides" / "low-slides"
        figures["slides_cold"], _ = cli(
            "slides cold", "slides", *chosen, "--jobs", "2", "--out", str(deck_dir)
        )
        say("the same decks again, nothing changed (warm) ...")
        figures["slides_warm"], warm = cli(
            "slides warm", "slides", *chosen, "--jobs", "2", "--out", str(deck_dir)
        )
        figures["slides_warm_rendered"] = warm.stdout.count(" rendered ")
        say("whole lecture, 1 worker, cold ...")
        one_dir = temp / "one" / "low"
        figures["one_worker"], _ = cli(
            "1 worker", "render", *chosen, "--jobs", "1", "--out", str(one_dir)
        )
        figures["one_worker_scenes"] = scene_seconds(one_dir)
        say("audit of every scene (one process) ...")
        names = list(figures["scenes"])
        figures["audit"] = self_run("audit", "--audit", ",".join(names))["seconds"]
        for label, lesson in WIDE.items():
            say(f"whole lecture, {label} network, 2 workers, cold ...")
            wide_dir = temp / label.replace(" ", "-") / "low"
            seconds, _ = cli(
                label, "render", str(lesson), *chosen, "--jobs", "2", "--out", str(wide_dir)
            )
            figures[label] = seconds
            figures[f"{label} scenes"] = scene_seconds(wide_dir)
        slowest = max(figures["scenes"], key=figures["scenes"].get)
        say(f"profile of the slowest scene, {slowest} ...")
        figures["profile"] = self_run("profile", "--profile", slowest)
    finally:
        if keep:
            say(f"renders kept in {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    return figures


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def report(f: dict[str, Any]) -> str:
    audit_total = sum(v for k, v in f["audit"].items() if not k.endswith("(problems)"))
    render_one = sum(f["one_worker_scenes"].values())
    in_render = sum(f["in_render_audit"].values())
    render_two = sum(f["scenes"].values())
    rows = [
        ("whole lecture, low, cold, 2 workers", f"{f['cold']:.1f} s", "<= 60 s", f["cold"] <= 60),
        (
            "warm re-run / cold",
            f"{f['warm'] / f['cold']:.1%} ({f['warm']:.1f} s, {f['warm_rendered']} rendered)",
            "<= 10%",
            f["warm"] <= 0.1 * f["cold"],
        ),
        (
            "audit of all scenes / their render (1 worker)",
            f"{audit_total / render_one:.1%} ({audit_total:.1f} s / {render_one:.1f} s)",
            "<= 10%",
            audit_total <= 0.1 * render_one,
        ),
        (
            "audit inside the render (every render does it) / render",
            f"{in_render / render_two:.1%} ({in_render:.1f} s / {render_two:.1f} s)",
            "<= 10%",
            in_render <= 0.1 * render_two,
        ),
        (
            "`mlp-lecture verify` / cold render",
            f"{f['verify'] / f['cold']:.1%} ({f['verify']:.1f} s)",
            "-",
            None,
        ),
        (
            "slide decks, cold / plain render, cold",
            f"{f['slides_cold'] / f['cold']:.2f}x ({f['slides_cold']:.1f} s)",
            "<= 1.5x",
            f["slides_cold"] <= 1.5 * f["cold"],
        ),
        (
            "slide decks again, nothing changed / cold decks",
            f"{f['slides_warm'] / f['slides_cold']:.1%} ({f['slides_warm']:.1f} s, "
            f"{f['slides_warm_rendered']} rendered)",
            "<= 10%",
            f["slides_warm"] <= 0.1 * f["slides_cold"],
        ),
        (
            "2 workers: speedup over 1",
            f"{f['one_worker'] / f['cold']:.2f}x ({f['one_worker']:.1f} s -> {f['cold']:.1f} s)",
            ">= 1.7x",
            f["one_worker"] / f["cold"] >= 1.7,
        ),
    ]
    for label in WIDE:
        ratio = f[label] / f["cold"]
        rows.append(
            (
                f"{label} network / default",
                f"{ratio:.2f}x ({f[label]:.1f} s)",
                "<= 2x" if label.startswith("4x") else "-",
                ratio <= 2 if label.startswith("4x") else None,
            )
        )
    lines = [
        f"Machine: {f['cores']} cores; {len(f['scenes'])} scenes, {f['video']:.1f} s of video.",
        "",
        "| phase | wall (s) | CPU (s) | CPU / wall | load before -> after |",
        "|---|---|---|---|---|",
        *(
            f"| {phase} | {p['wall']:.1f} | {p['cpu']:.1f} | {p['cpu'] / p['wall']:.2f} | "
            f"{p['load before']:.1f} -> {p['load after']:.1f} |"
            for phase, p in f["phases"].items()
        ),
        "",
        "| measure | figure | target | met |",
        "|---|---|---|---|",
    ]
    for measure, figure, target, met in rows:
        mark = "-" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {measure} | {figure} | {target} | {mark} |")
    lines += ["", "| scene | render, 2 workers (s) | 1 worker (s) | audit (s) | 2x | 4x |"]
    lines.append("|---|---|---|---|---|---|")
    for name, seconds in f["scenes"].items():
        lines.append(
            f"| {name} | {seconds:.1f} | {f['one_worker_scenes'].get(name, 0):.1f} | "
            f"{f['audit'].get(name, 0):.1f} | {f['2x wide scenes'].get(name, 0):.1f} | "
            f"{f['4x wide scenes'].get(name, 0):.1f} |"
        )
    profile = f["profile"]
    lines += [
        "",
        f"Profile of the slowest scene, {profile['scene']} ({profile['seconds']:.1f} s "
        "under cProfile, main thread):",
        "",
        "| where | share |",
        "|---|---|",
    ]
    total = sum(profile["shares"].values()) or 1.0
    for label, seconds in sorted(profile["shares"].items(), key=lambda item: -item[1]):
        lines.append(f"| {label} | {seconds / total:.0%} ({seconds:.1f} s) |")
    lines += ["", "Top functions by cumulative time:", "", "```"]
    lines += [
        f"{cum:7.2f} s  {own:6.2f} s own  {calls:7d}x  {name}"
        for name, calls, own, cum in profile["top"]
    ]
    lines.append("```")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", help="only these scenes (default: the whole lecture)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the renders")
    parser.add_argument("--audit", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.audit:
        print(json.dumps(audit_all(args.audit.split(","))))
        return 0
    if args.profile:
        print(json.dumps(profile_scene(args.profile)))
        return 0
    figures = run_bench(args.scenes, args.keep)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

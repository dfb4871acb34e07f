"""The course engine's figures, in one run: Dask against the local pool, and a course's scaling.

Phases, each a fresh process running a snapshot of the code (others may edit the
tree meanwhile), each into fresh directories:

- ``render``: the default lecture's cold render at low quality on 2 workers,
  once on the render's own pool and once on a Dask ``LocalCluster`` of 2 workers
  (started inside the timing, as ``course`` starts it): the ratio decides which
  is the embedded default (issue 36: the pool stays when Dask costs > 5 % more);
- ``overhead``: 200 empty tasks on each engine (``LocalPool``, ``LocalCluster``):
  the start-up and the round trip per task;
- ``course``: ``mlp-lecture course`` of 20 students with 2 scenes each (MSELoss,
  Activation) at low quality, on 1 and on 2 Dask workers (the scaling ratio),
  with each task's own render seconds from the students' manifests.

    .venv/bin/python bench/course.py [--students 20] [--json FILE] [--only render,overhead]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from measure import timed

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")
SCENES = "MSELoss,Activation"
PHASES = ("render", "overhead", "course")

RENDER = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from mlp_lecture.pipeline.render import render_scenes
from mlp_lecture.pipeline.options import select_scenes
from mlpmath import load_lesson
lesson = load_lesson(sys.argv[2])
engine = sys.argv[1]
if engine == "dask":
    from mlp_lecture.pipeline.executor_dask import DaskExecutor
    from mlp_lecture.pipeline.executor_tasks import MANIM_PRELOAD
    with DaskExecutor(workers=2, preload=MANIM_PRELOAD) as executor:
        report = render_scenes(lesson, select_scenes(None), Path(sys.argv[3]), jobs=2,
                               executor=executor)
else:
    report = render_scenes(lesson, select_scenes(None), Path(sys.argv[3]), jobs=2)
assert not report.failed, [s.error for s in report.failed]
print(json.dumps({"wall": time.perf_counter() - start,
                  "rendered": sum(s.status == "rendered" for s in report.scenes)}))
"""

OVERHEAD = """
import json, sys, time
from mlp_lecture.pipeline.executor import open_executor
figures = {}
for engine in ("pool", "dask"):
    start = time.perf_counter()
    with open_executor(workers=2, engine=engine) as executor:
        started = time.perf_counter()
        executor.submit(abs, 0, key="warm-up")
        list(executor.as_completed())
        warm = time.perf_counter()
        count = int(sys.argv[1])
        for i in range(count):
            executor.submit(abs, -i, key=str(i))
        assert all(outcome.ok for outcome in executor.as_completed())
        done = time.perf_counter()
    figures[engine] = {"start": started - start, "first": warm - started,
                       "per_task": (done - warm) / count, "tasks": count}
print(json.dumps(figures))
"""


def snapshot(temp: Path) -> Path:
    """Copy the work tree's packages aside: every phase runs that copy."""
    source = temp / "src"
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return source


def run(command: list[str], env: dict[str, str]) -> tuple[str, dict[str, float]]:
    """Run ``command``; its stdout and the wall, CPU (children) and load around it."""
    result, timing = timed(command, env)
    if result.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {result.stderr.strip()[-500:]}")
    return result.stdout, {
        "wall": timing.wall,
        "cpu": timing.cpu,
        "load_before": timing.load_before,
        "load_after": timing.load_after,
    }


def environment(temp: Path, source: Path) -> dict[str, str]:
    return dict(
        os.environ,
        MLP_LECTURE_CACHE=tempfile.mkdtemp(dir=temp),
        PYTHONPATH=str(source),
        PYTHONSAFEPATH="1",
    )


def render_phase(temp: Path, source: Path) -> dict[str, Any]:
    lesson = str(ROOT / "lessons" / "default.toml")
    figures: dict[str, Any] = {}
    for engine in ("pool", "dask"):
        out = Path(tempfile.mkdtemp(dir=temp)) / "out"
        stdout, measured = run(
            [sys.executable, "-c", RENDER, engine, lesson, str(out)], environment(temp, source)
        )
        figures[engine] = {**measured, **json.loads(stdout.strip().splitlines()[-1])}
        print(f"render on {engine:4}: {figures[engine]['wall']:6.1f} s wall", flush=True)
    figures["ratio"] = figures["dask"]["wall"] / figures["pool"]["wall"]
    print(f"render: LocalCluster / pool = {figures['ratio']:.3f}x wall", flush=True)
    return figures


def overhead_phase(temp: Path, source: Path) -> dict[str, Any]:
    stdout, _ = run([sys.executable, "-c", OVERHEAD, "200"], environment(temp, source))
    figures = json.loads(stdout.strip().splitlines()[-1])
    for engine, f in figures.items():
        print(
            f"overhead {engine:4}: start {f['start']:.2f} s, first task {f['first'] * 1e3:.0f} ms, "
            f"then {f['per_task'] * 1e3:.2f} ms a task",
            flush=True,
        )
    return figures


def course_phase(temp: Path, source: Path, students: int) -> dict[str, Any]:
    folder = temp / "course"
    folder.mkdir()
    shutil.copy(ROOT / "lessons" / "default.toml", folder / "base.toml")
    with (folder / "students.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id"])
        writer.writerows([[f"s{n:03d}"] for n in range(students)])
    (folder / "course.toml").write_text(
        'lesson = "base.toml"\nroster = "students.csv"\nseed = "bench"\n', encoding="utf-8"
    )
    figures: dict[str, Any] = {}
    for workers in (1, 2):
        out = Path(tempfile.mkdtemp(dir=temp)) / "out"
        command = [sys.executable, "-m", "mlp_lecture.cli", "course", str(folder / "course.toml")]
        command += ["--out", str(out), "--workers", str(workers), "--scenes", SCENES]
        _, measured = run(command, environment(temp, source))
        render_seconds = 0.0
        for manifest in out.glob("*/clips/lecture.json"):
            data = json.loads(manifest.read_text(encoding="utf-8"))
            render_seconds += sum(scene.get("render_seconds", 0.0) for scene in data["scenes"])
        clips = len(list(out.glob("*/clips/*.values.json")))
        figures[str(workers)] = {**measured, "clips": clips, "render_seconds": render_seconds}
        print(
            f"course on {workers} worker(s): {measured['wall']:6.1f} s wall, {clips} clips "
            f"({render_seconds:.1f} s of rendering inside the tasks), load "
            f"{measured['load_before']:.1f} -> {measured['load_after']:.1f}",
            flush=True,
        )
    figures["scaling"] = figures["1"]["wall"] / figures["2"]["wall"]
    print(f"course: 1 worker / 2 workers = {figures['scaling']:.2f}x", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--only", help=f"comma-separated phases (default: {','.join(PHASES)})")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    phases = args.only.split(",") if args.only else list(PHASES)
    figures: dict[str, Any] = {"load_at_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as name:
        temp = Path(name)
        source = snapshot(temp)
        if "render" in phases:
            figures["render"] = render_phase(temp, source)
        if "overhead" in phases:
            figures["overhead"] = overhead_phase(temp, source)
        if "course" in phases:
            figures["course"] = course_phase(temp, source, args.students)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

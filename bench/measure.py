"""How the bench measures: a snapshot of the code, each phase's command timed.

Every phase runs a snapshot of the project's packages taken at the start
(:func:`snapshot`), so edits made meanwhile (by anyone) do not change what is
measured; :func:`measured` records each command's wall time, CPU time and the
machine's load around it in :data:`PHASES`. ``bench/run.py`` runs the phases.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AUDIT_FAILURES",
    "BENCH",
    "CLI",
    "ENV",
    "PHASES",
    "ROOT",
    "Timing",
    "cli",
    "manifest",
    "measured",
    "plain_manim",
    "reference_snapshot",
    "same_pictures",
    "say",
    "scene_seconds",
    "set_progress",
    "snapshot",
    "timed",
]

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "mlp_lecture.cli"]

PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")  # what the snapshot copies
ENV = dict(os.environ)  # PYTHONPATH points at the snapshot once it is taken
PHASES: dict[str, dict[str, float]] = {}  # phase -> wall, cpu, load before and after
AUDIT_FAILURES: dict[str, str] = {}  # phase -> what its render's audit found
PROGRESS: Path | None = None  # --json's file: the phases so far, rewritten after each


def set_progress(path: Path | None) -> None:
    """Rewrite ``path`` with the phases measured so far after each one (``--json``)."""
    global PROGRESS
    PROGRESS = path


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


@dataclass(frozen=True)
class Timing:
    """One command's cost: wall seconds, its and its children's CPU seconds, the load."""

    wall: float
    cpu: float
    load_before: float  # the 1-minute load average as it started: a busy machine is slower
    load_after: float


def timed(
    command: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], Timing]:
    """Run ``command`` in the project's root, output captured; its result and its cost.

    Every bench script times a command this one way; each decides what a
    failure means for it (``result.returncode`` is not checked here).
    """
    load = os.getloadavg()[0]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    return result, Timing(wall, spent, load, os.getloadavg()[0])


def measured(
    phase: str, command: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``command``; record its wall time, CPU time (with children) and the load."""
    result, timing = timed(command, env or ENV)
    # A render whose audit found problems still wrote every clip: measured, and noted.
    audit_failed = "the audit found" in result.stderr
    if result.returncode != 0 and not audit_failed:
        sys.exit(f"bench: {' '.join(command[2:])} failed:\n{result.stderr[-3000:]}")
    PHASES[phase] = {
        "wall": timing.wall,
        "cpu": timing.cpu,
        "load before": timing.load_before,
        "load after": timing.load_after,
    }
    if audit_failed:
        AUDIT_FAILURES[phase] = result.stderr.strip().splitlines()[-1]
        say(f"{phase}: {AUDIT_FAILURES[phase]}")
    if PROGRESS is not None:  # what is measured so far, in case a later phase fails
        PROGRESS.write_text(json.dumps({"phases": PHASES, "audit": AUDIT_FAILURES}, indent=1))
    return timing.wall, result


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


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)

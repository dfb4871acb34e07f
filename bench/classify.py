"""The classification lecture's render time against the regression lecture's, in one run.

Each lecture is rendered cold (a fresh output directory and a fresh trace cache) at
low quality with 2 workers, through the ``mlp-lecture`` command as a teacher runs
it, alternately (regression, classification, regression, ...), so a machine shared
with other work weighs on both alike. The target (issue 22): the classification
lecture takes at most 1.2x the regression lecture's time.

    .venv/bin/python bench/classify.py [--rounds 2] [--json FILE] [--rev REV]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import timed

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
LESSONS = {
    "regression": ROOT / "lessons" / "default.toml",
    "classification": ROOT / "lessons" / "classify.toml",
}
TARGET = 1.2
PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")  # what the snapshot copies


def snapshot(temp: Path, rev: str | None) -> Path:
    """Copy the code under test aside (others may edit the tree meanwhile): the work
    tree's packages, or those of commit ``rev``; every render runs that copy."""
    source = temp / "src"
    if rev is not None:
        source.mkdir()
        archive = subprocess.run(
            ["git", "archive", rev, *PACKAGES], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
        return source
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return source


def render(lesson: Path, temp: Path, source: Path) -> dict[str, float]:
    """One cold render of ``lesson``: wall seconds, the children's CPU seconds, the load."""
    out = Path(tempfile.mkdtemp(dir=temp)) / "out"
    env = dict(
        os.environ,
        MLP_LECTURE_CACHE=tempfile.mkdtemp(dir=temp),
        PYTHONPATH=str(source),
        PYTHONSAFEPATH="1",  # the snapshot, not the work tree python -m would put first
    )
    command = [sys.executable, "-m", "mlp_lecture.cli", "render", str(lesson)]
    command += ["--quality", "low", "--jobs", "2", "--out", str(out)]
    result, timing = timed(command, env)
    if result.returncode != 0:
        raise SystemExit(f"{lesson.name}: render failed: {result.stderr.strip()[-300:]}")
    return {
        "wall": timing.wall,
        "cpu": timing.cpu,
        "load_before": timing.load_before,
        "load_after": timing.load_after,
        "scenes": len(list(out.glob("*.values.json"))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="renders of each lecture")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--rev", help="measure this commit's code (default: the work tree)")
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in LESSONS}
    with tempfile.TemporaryDirectory() as temp:
        source = snapshot(Path(temp), args.rev)
        for _ in range(args.rounds):
            for name, lesson in LESSONS.items():
                figures = render(lesson, Path(temp), source)
                runs[name].append(figures)
                print(
                    f"{name:15} {figures['wall']:6.1f} s wall  {figures['cpu']:6.1f} s cpu  "
                    f"{figures['scenes']} scenes  load {figures['load_before']:.1f}"
                    f" -> {figures['load_after']:.1f}",
                    flush=True,
                )
    mean = {name: sum(r["wall"] for r in done) / len(done) for name, done in runs.items()}
    ratio = mean["classification"] / mean["regression"]
    cpu = {name: sum(r["cpu"] for r in done) for name, done in runs.items()}
    cpu_ratio = cpu["classification"] / cpu["regression"]
    verdict = "met" if ratio <= TARGET else "missed"
    print(f"classification / regression: {ratio:.2f}x wall (target {TARGET}x: {verdict}),")
    print(f"{cpu_ratio:.2f}x CPU (what a busy machine's load weighs on least)")
    if args.json:
        figures = {"runs": runs, "ratio": ratio, "cpu_ratio": cpu_ratio}
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

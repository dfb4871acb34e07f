"""What ``verify --frames`` costs against the render it checks (issue 32).

``verify --frames`` renders every scene again and compares every frame; the
issue asks for about one render's cost. This renders the default lecture cold
(a fresh directory and trace cache) through the ``mlp-lecture`` command as a
teacher runs it, then times ``verify``, ``verify --frames=ends`` and
``verify --frames`` on it, each in its own process (wall time and the CPU of
the process and its workers), ``--rounds`` times one after the other. The code
runs from a copy taken at the start (others may edit the tree meanwhile: a
scene changed between the render and ``--frames`` would rightly fail it).

    .venv/bin/python bench/verify_frames.py [--quality low] [--jobs 2] [--rounds 1]
        [--scenes SingleNeuron ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from measure import timed

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "mlp_lecture.cli"]
PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")  # what the snapshot copies
LEVELS = {"verify": [], "verify --frames=ends": ["--frames=ends"], "verify --frames": ["--frames"]}


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children) of one run; it must pass."""
    result, timing = timed(argv, env)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[2:])} failed:\n{result.stderr}")
    return timing.wall, timing.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="low", choices=["low", "medium", "high", "4k"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--scenes", nargs="*", default=None, help="default: the whole lecture")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    rows: dict[str, list[tuple[float, float]]] = {"render": []}
    rows |= {level: [] for level in LEVELS}
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as temp:
        source = Path(temp) / "src"
        for package in PACKAGES:
            shutil.copytree(
                ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        for round_ in range(args.rounds):
            env = dict(
                os.environ,
                MLP_LECTURE_CACHE=str(Path(temp) / f"cache-{round_}"),
                PYTHONPATH=str(source),
                PYTHONSAFEPATH="1",  # the copy, not the work tree python -m would put first
            )
            out = Path(temp) / f"render-{round_}"
            render = [*COMMAND, "render", "--quality", args.quality, "--jobs", str(args.jobs)]
            render += ["--out", str(out)]
            if args.scenes:
                render += ["--scenes", *args.scenes]
            rows["render"].append(_timed(render, env))
            for level, extra in LEVELS.items():
                jobs = ["--jobs", str(args.jobs)] if extra == ["--frames"] else []
                rows[level].append(_timed([*COMMAND, "verify", *extra, *jobs, str(out)], env))
    render_wall = min(wall for wall, _ in rows["render"])
    render_cpu = min(cpu for _, cpu in rows["render"])
    figures = {}
    print(f"{args.quality} quality, {args.jobs} workers, best of {args.rounds}:")
    for name, runs in rows.items():
        wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
        figures[name] = {"wall": round(wall, 2), "cpu": round(cpu, 2)}
        print(
            f"  {name:22s} {wall:7.1f} s wall ({wall / render_wall:4.2f}x the render), "
            f"{cpu:7.1f} s CPU ({cpu / render_cpu:4.2f}x)"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

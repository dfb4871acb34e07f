"""Benchmark of the explorable page: load time and recompute time, in headless Chromium.

    .venv/bin/python bench/explore.py [LESSON ...] [--edits N] [--json FILE]

For each lesson (default: the shipped ones) the page is written with
``mlp-lecture explore`` into a temporary directory and opened from
``file://``; the page measures itself with ``performance.now()``: ``load`` is
the time from navigation start until every section is drawn and the first
trace computed, ``recompute`` the time of one edit through
``window.mlpLecture.set`` (the whole trace recomputed, every shown number and
sign rewritten, the pictures redrawn; for the classifier also its 5 x 48 x 48
regions). ``mlp-lecture explore`` itself is timed too (``write_s``: the
command, start to end). The targets (issue 25): load under 1 s, recompute
of the default lesson under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import chromium  # noqa: E402  (the tests' headless Chromium, no network)

LESSONS = ["default", "relu", "wide", "classify"]
LOAD_TARGET_MS = 1000
RECOMPUTE_TARGET_MS = 20


def measure(driver, index: Path, edits: int) -> dict[str, float]:
    """Load the page ``edits`` + 1 times and edit it ``edits`` times; the figures in ms."""
    loads = []
    for _ in range(3):
        driver.get(index.as_uri())
        loads.append(driver.execute_script("return window.mlpLecture.timings.load"))
    path = driver.execute_script(
        "return document.querySelector('input[data-edit^=\"network.layers\"]').dataset.edit"
    )
    times = [
        driver.execute_script(
            "return window.mlpLecture.set(arguments[0], arguments[1]).ms", path, 0.1 + k / 1000
        )
        for k in range(edits)
    ]
    return {
        "load_ms": statistics.median(loads),
        "load_max_ms": max(loads),
        "recompute_ms": statistics.median(times),
        "recompute_max_ms": max(times),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=LESSONS)
    parser.add_argument("--edits", type=int, default=25)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    driver = chromium()
    try:
        with tempfile.TemporaryDirectory() as out:
            for name in args.lessons:
                lesson = ROOT / "lessons" / f"{name}.toml" if "/" not in name else Path(name)
                page = Path(out) / Path(name).stem
                started = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "mlp_lecture.cli",
                        "explore",
                        str(lesson),
                        "-o",
                        str(page),
                    ],
                    check=True,
                    capture_output=True,
                )
                written = time.perf_counter() - started
                figures[Path(name).stem] = measure(driver, page / "index.html", args.edits)
                figures[Path(name).stem]["write_s"] = written
    finally:
        driver.quit()
    print(
        f"{'lesson':<10} {'explore':>8} {'load (median, max)':>22} {'recompute (median, max)':>26}"
    )
    for name, f in figures.items():
        print(
            f"{name:<10} {f['write_s']:>6.2f} s"
            f" {f['load_ms']:>10.0f} ms {f['load_max_ms']:>6.0f} ms"
            f" {f['recompute_ms']:>13.1f} ms {f['recompute_max_ms']:>7.1f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    slow_load = [n for n, f in figures.items() if f["load_ms"] >= LOAD_TARGET_MS]
    slow = "default" in figures and figures["default"]["recompute_ms"] >= RECOMPUTE_TARGET_MS
    if slow_load or slow:
        print(f"over target: load {slow_load}, default recompute {slow}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

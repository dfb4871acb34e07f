"""A narrated lecture's render cost against a silent one's, per second of video, in one run.

The default lecture is rendered cold (a fresh output directory and trace cache) at
low quality with 2 workers, through ``mlp-lecture`` as a teacher runs it: silent,
then narrated with espeak-ng drafts of every step (``--narration DIR``, the drafts
made once beforehand by ``mlp-lecture narration --draft``, timed on their own), both
with ``--lecture``. A narrated lecture is longer (each step waits for its voice),
so the two are compared by cost per second of video. The target (issue 35): at
most 1.3x.

    .venv/bin/python bench/narration.py [--rounds 1] [--json FILE] [--rev REV]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from classify import snapshot  # the code under test copied aside
from measure import timed

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "default.toml"
TARGET = 1.3


def run(command: list[str], temp: Path, source: Path, cache: str) -> tuple[float, float]:
    """Run ``mlp-lecture COMMAND`` on the snapshot: (wall seconds, children's CPU seconds)."""
    env = dict(os.environ, MLP_LECTURE_CACHE=cache, PYTHONPATH=str(source), PYTHONSAFEPATH="1")
    result, timing = timed([sys.executable, "-m", "mlp_lecture.cli", *command], env)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {result.stderr.strip()[-300:]}")
    return timing.wall, timing.cpu


def render(temp: Path, source: Path, voice: Path | None) -> dict[str, float]:
    """One cold render of the default lecture (narrated when ``voice``)."""
    out = Path(tempfile.mkdtemp(dir=temp)) / "out"
    command = ["render", str(LESSON), "--quality", "low", "--jobs", "2", "--lecture"]
    command += ["--out", str(out)]
    if voice is not None:
        command += ["--narration", str(voice)]
    load = os.getloadavg()[0]
    wall, cpu = run(command, temp, source, tempfile.mkdtemp(dir=temp))
    manifest = json.loads((out / "lecture.json").read_text())
    video = float(manifest["lecture"]["duration"])
    return {
        "wall": wall,
        "cpu": cpu,
        "video": video,
        "wall_per_video_second": wall / video,
        "cpu_per_video_second": cpu / video,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="renders of each (default 1)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--rev", help="measure this commit's code (default: the work tree)")
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {"silent": [], "narrated": []}
    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder)
        source = snapshot(temp, args.rev)
        voice = temp / "voice"
        drafts_wall, _ = run(
            ["narration", str(LESSON), "--dir", str(voice), "--draft"],
            temp,
            source,
            tempfile.mkdtemp(dir=temp),
        )
        print(f"drafts (narration --draft, every step): {drafts_wall:.1f} s wall", flush=True)
        for _ in range(args.rounds):
            for name, narration in (("silent", None), ("narrated", voice)):
                figures = render(temp, source, narration)
                runs[name].append(figures)
                print(
                    f"{name:9} {figures['wall']:6.1f} s wall  {figures['cpu']:6.1f} s cpu  "
                    f"{figures['video']:6.1f} s of video  "
                    f"{figures['wall_per_video_second']:.3f} s wall per s  "
                    f"load {figures['load_before']:.1f} -> {figures['load_after']:.1f}",
                    flush=True,
                )

    def mean(name: str, key: str) -> float:
        return sum(r[key] for r in runs[name]) / len(runs[name])

    ratio = mean("narrated", "wall_per_video_second") / mean("silent", "wall_per_video_second")
    cpu_ratio = mean("narrated", "cpu_per_video_second") / mean("silent", "cpu_per_video_second")
    verdict = "met" if ratio <= TARGET else "missed"
    print(
        f"narrated / silent per second of video: {ratio:.2f}x wall (target {TARGET}x: {verdict}),"
    )
    print(f"{cpu_ratio:.2f}x CPU")
    if args.json:
        figures = {"runs": runs, "drafts_wall": drafts_wall, "ratio": ratio, "cpu_ratio": cpu_ratio}
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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

This script holds the phases and runs them; ``measure.py`` beside it the
snapshot and the timing of each command, ``probes.py`` what runs in a process
of its own (the audit, a profile, the encoder's quality), ``figures.py`` the
report.
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
from typing import Any

# bench/figures.py, measure.py and probes.py, beside this script: named outright, since
# the bench runs this script again (--audit, --profile, --psnr) with PYTHONSAFEPATH set,
# which leaves the script's folder off sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import report
from measure import (
    AUDIT_FAILURES,
    BENCH,
    CLI,
    ENV,
    PHASES,
    ROOT,
    cli,
    manifest,
    measured,
    plain_manim,
    reference_snapshot,
    same_pictures,
    say,
    scene_seconds,
    set_progress,
    snapshot,
)
from probes import PSNR_QUALITY, PSNR_SCENE, audit_all, encoder_quality, profile_scene

WIDE = {"2x wide": BENCH / "lessons" / "wide2.toml", "4x wide": BENCH / "lessons" / "wide4.toml"}


def self_run(phase: str, *args: str) -> dict[str, Any]:
    """This script in a fresh process (``--audit`` or ``--profile``); its JSON answer."""
    _, result = measured(phase, [sys.executable, __file__, *args])
    return json.loads(result.stdout.strip().splitlines()[-1])


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
    set_progress(args.json)
    phases = chosen_phases(args.only)
    figures = run_bench(args.scenes, args.keep, args.reference, args.baseline, phases)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

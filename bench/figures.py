"""The benchmark's figures as the text ``make bench`` prints (and bench/README.md keeps)."""

from __future__ import annotations

from typing import Any

WIDE_PHASES = ("2x wide", "4x wide")  # the wide lessons' phases, as bench/run.py names them


def report(f: dict[str, Any]) -> str:
    audit_total = sum(v for k, v in f["audit"].items() if not k.endswith("(problems)"))
    render_one = sum(f["one_worker_scenes"].values())
    in_render = sum(f["in_render_audit"].values())
    render_two = sum(f["scenes"].values())
    encoder = f["encoder"]
    ours, default = encoder["pipeline"], encoder["manim default"]
    problems = f["frames_problems"]
    baseline = f["baseline"]
    rows = [
        ("whole lecture, low, cold, 2 workers", f"{f['cold']:.1f} s", "<= 40 s", f["cold"] <= 40),
        (
            f"the same: this code / {baseline}'s code, same run",
            f"{f['cold'] / f['cold_baseline']:.2f}x ({f['cold_baseline']:.1f} s before)",
            "<= 0.63x (40 s of 61-66 s)",
            f["cold"] <= 0.63 * f["cold_baseline"],
        ),
        (
            "whole lecture, high (1080p60), cold, 2 workers",
            f"{f['high']:.1f} s",
            "<= 240 s",
            f["high"] <= 240,
        ),
        (
            f"the same: this code / {baseline}'s code, same run",
            f"{f['high'] / f['high_baseline']:.2f}x ({f['high_baseline']:.1f} s before)",
            "<= 0.69x (240 s of 350 s)",
            f["high"] <= 0.69 * f["high_baseline"],
        ),
        (
            "warm re-run / cold",
            f"{f['warm'] / f['cold']:.1%} ({f['warm']:.1f} s, {f['warm_rendered']} rendered)",
            "<= 3%",
            f["warm"] <= 0.03 * f["cold"],
        ),
        ("`mlp-lecture verify`", f"{f['verify']:.2f} s", "<= 0.5 s", f["verify"] <= 0.5),
        (
            "`mlp-lecture trace`",
            f"{f['trace']:.2f} s (empty trace cache: {f['trace_uncached']:.2f} s)",
            "<= 0.5 s",
            f["trace"] <= 0.5,
        ),
        (
            "audit of all scenes / their render (1 worker)",
            f"{audit_total / render_one:.1%} ({audit_total:.1f} s / {render_one:.1f} s)",
            "<= 25%",
            audit_total <= 0.25 * render_one,
        ),
        (
            "audit inside the render (every render does it) / render",
            f"{in_render / render_two:.1%} ({in_render:.1f} s / {render_two:.1f} s)",
            "<= 10%",
            in_render <= 0.1 * render_two,
        ),
        (
            "`mlp-lecture render` (2 workers) / plain `manim -ql` one after the other",
            f"{f['cold'] / f['plain_manim']:.2f}x ({f['cold']:.1f} s / {f['plain_manim']:.1f} s)",
            "-",
            None,
        ),
        (
            "`mlp-lecture render --jobs 1` / plain `manim -ql` one after the other",
            f"{f['one_worker'] / f['plain_manim']:.2f}x ({f['one_worker']:.1f} s)",
            "-",
            None,
        ),
        (
            f"last frames (lossless PNG) and ledgers vs {f['frames_reference']}",
            f"{f['frames_count']} scenes, "
            + ("pixel-identical" if not problems else "; ".join(problems)),
            "identical",
            not problems,
        ),
        (
            f"encoded mp4 PSNR vs lossless ({encoder['scene']}, {encoder['quality']})",
            f"min {ours['psnr min']:.1f} dB, mean {ours['psnr mean']:.1f} dB "
            f"(Manim's default: {default['psnr min']:.1f} / {default['psnr mean']:.1f} dB)",
            ">= Manim's default",
            ours["psnr min"] >= default["psnr min"] and ours["psnr mean"] >= default["psnr mean"],
        ),
        (
            "encoding those frames: pipeline / Manim's default",
            f"{ours['cpu'] / default['cpu']:.2f}x CPU ({ours['cpu']:.1f} s / "
            f"{default['cpu']:.1f} s), size {ours['bytes'] / default['bytes']:.2f}x",
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
    for label in WIDE_PHASES:
        ratio = f[label] / f["cold"]
        rows.append(
            (
                f"{label} network / default",
                f"{ratio:.2f}x ({f[label]:.1f} s)",
                "<= 1.5x" if label.startswith("4x") else "-",
                ratio <= 1.5 if label.startswith("4x") else None,
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
    if f.get("audit_failures"):
        lines += ["", "Renders whose audit found problems (clips written and timed all the same):"]
        lines.append("")
        lines += [f"- {phase}: {text}" for phase, text in f["audit_failures"].items()]
    lines += [
        "",
        "| scene | render, 2 workers (s) | 1 worker (s) | audit (s) | 2x | 4x | high (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, seconds in f["scenes"].items():
        lines.append(
            f"| {name} | {seconds:.1f} | {f['one_worker_scenes'].get(name, 0):.1f} | "
            f"{f['audit'].get(name, 0):.1f} | {f['2x wide scenes'].get(name, 0):.1f} | "
            f"{f['4x wide scenes'].get(name, 0):.1f} | {f['high scenes'].get(name, 0):.1f} |"
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

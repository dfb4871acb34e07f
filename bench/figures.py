"""The benchmark's figures as the text ``make bench`` prints (and bench/README.md keeps).

A run of some phases only (``--only``) reports the measures those phases give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

WIDE_PHASES = ("2x wide", "4x wide")  # the wide lessons' phases, as bench/run.py names them
Row = tuple[str, str, str, bool | None]  # measure, figure, target, met (None: no target)


def report(f: dict[str, Any]) -> str:
    lines = [
        f"Machine: {f['cores']} cores; every render limited to {f['workers']} workers "
        f"(`--jobs {f['workers']}`), so the figures are the {f['workers']}-core ones "
        "on any machine.",
    ]
    if "scenes" in f:
        lines.append(f"Default lecture: {len(f['scenes'])} scenes, {f['video']:.1f} s of video.")
    lines += [
        f"Phases run: {', '.join(f['run'])}.",
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
    for measure, figure, target, met in rows(f):
        mark = "-" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {measure} | {figure} | {target} | {mark} |")
    if f.get("audit_failures"):
        lines += ["", "Renders whose audit found problems (clips written and timed all the same):"]
        lines.append("")
        lines += [f"- {phase}: {text}" for phase, text in f["audit_failures"].items()]
    lines += scene_table(f)
    if "profile" in f:
        lines += profile_lines(f["profile"])
    return "\n".join(lines)


def rows(f: dict[str, Any]) -> Iterator[Row]:
    """The measures whose figures this run has, each against its target."""
    for needs, row in MEASURES:
        if all(key in f for key in needs):
            yield from row(f)


def _cpu(f: dict[str, Any], phase: str, against: str) -> str:
    """ ", CPU 1.02x": the ratio of two phases' CPU time (what a busy machine's load
    weighs on least), when both ran."""
    phases = f["phases"]
    if phase not in phases or against not in phases or not phases[against]["cpu"]:
        return ""
    return f"; CPU {phases[phase]['cpu'] / phases[against]['cpu']:.2f}x"


def _cold(f: dict[str, Any]) -> Iterator[Row]:
    yield "whole lecture, low, cold, 2 workers", f"{f['cold']:.1f} s", "<= 40 s", f["cold"] <= 40


def _pictures(f: dict[str, Any]) -> Iterator[Row]:
    ratio = f["cold"] / f["cold_baseline"]
    yield (
        f"the same: this code / {f['baseline']}'s code, same run (issue 23's pictures)",
        f"{ratio:.2f}x ({f['cold_baseline']:.1f} s before{_cpu(f, 'cold', 'cold, baseline')})",
        "<= 1.1x",
        ratio <= 1.1,
    )


def _high(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "whole lecture, high (1080p60), cold, 2 workers",
        f"{f['high']:.1f} s",
        "<= 240 s",
        f["high"] <= 240,
    )


def _high_baseline(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        f"the same: this code / {f['baseline']}'s code, same run",
        f"{f['high'] / f['high_baseline']:.2f}x ({f['high_baseline']:.1f} s before)",
        "-",
        None,
    )


def _warm(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "warm re-run / cold",
        f"{f['warm'] / f['cold']:.1%} ({f['warm']:.1f} s, {f['warm_rendered']} rendered)",
        "<= 3%",
        f["warm"] <= 0.03 * f["cold"],
    )


def _verify(f: dict[str, Any]) -> Iterator[Row]:
    yield "`mlp-lecture verify`", f"{f['verify']:.2f} s", "<= 0.5 s", f["verify"] <= 0.5


def _trace(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "`mlp-lecture trace`",
        f"{f['trace']:.2f} s (empty trace cache: {f['trace_uncached']:.2f} s)",
        "<= 0.5 s",
        f["trace"] <= 0.5,
    )


def _audit(f: dict[str, Any]) -> Iterator[Row]:
    audit_total = sum(v for k, v in f["audit"].items() if not k.endswith("(problems)"))
    render_one = sum(f["one_worker_scenes"].values())
    yield (
        "audit of all scenes / their render (1 worker)",
        f"{audit_total / render_one:.1%} ({audit_total:.1f} s / {render_one:.1f} s)",
        "<= 25%",
        audit_total <= 0.25 * render_one,
    )


def _in_render_audit(f: dict[str, Any]) -> Iterator[Row]:
    in_render = sum(f["in_render_audit"].values())
    render_two = sum(f["scenes"].values())
    yield (
        "audit inside the render (every render does it) / render",
        f"{in_render / render_two:.1%} ({in_render:.1f} s / {render_two:.1f} s)",
        "<= 10%",
        in_render <= 0.1 * render_two,
    )


def _plain(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "`mlp-lecture render` (2 workers) / plain `manim -ql` one after the other",
        f"{f['cold'] / f['plain_manim']:.2f}x ({f['cold']:.1f} s / {f['plain_manim']:.1f} s)",
        "-",
        None,
    )


def _one_plain(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "`mlp-lecture render --jobs 1` / plain `manim -ql` one after the other",
        f"{f['one_worker'] / f['plain_manim']:.2f}x ({f['one_worker']:.1f} s)",
        "-",
        None,
    )


def _frames(f: dict[str, Any]) -> Iterator[Row]:
    problems = f["frames_problems"]
    yield (
        f"last frames (lossless PNG) and ledgers vs {f['frames_reference']}",
        f"{f['frames_count']} scenes, "
        + ("pixel-identical" if not problems else "; ".join(problems)),
        "identical",
        not problems,
    )


def _encoder(f: dict[str, Any]) -> Iterator[Row]:
    encoder = f["encoder"]
    ours, default = encoder["pipeline"], encoder["manim default"]
    yield (
        f"encoded mp4 PSNR vs lossless ({encoder['scene']}, {encoder['quality']})",
        f"min {ours['psnr min']:.1f} dB, mean {ours['psnr mean']:.1f} dB "
        f"(Manim's default: {default['psnr min']:.1f} / {default['psnr mean']:.1f} dB)",
        ">= Manim's default",
        ours["psnr min"] >= default["psnr min"] and ours["psnr mean"] >= default["psnr mean"],
    )
    yield (
        "encoding those frames: pipeline / Manim's default",
        f"{ours['cpu'] / default['cpu']:.2f}x CPU ({ours['cpu']:.1f} s / "
        f"{default['cpu']:.1f} s), size {ours['bytes'] / default['bytes']:.2f}x",
        "-",
        None,
    )


def _slides(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "slide decks, cold / plain render, cold",
        f"{f['slides_cold'] / f['cold']:.2f}x ({f['slides_cold']:.1f} s"
        f"{_cpu(f, 'slides cold', 'cold')})",
        "<= 1.3x",
        f["slides_cold"] <= 1.3 * f["cold"],
    )
    yield (
        "slide decks again, nothing changed / cold decks",
        f"{f['slides_warm'] / f['slides_cold']:.1%} ({f['slides_warm']:.1f} s, "
        f"{f['slides_warm_rendered']} rendered)",
        "<= 3%",
        f["slides_warm"] <= 0.03 * f["slides_cold"],
    )


def _one(f: dict[str, Any]) -> Iterator[Row]:
    yield (
        "2 workers: speedup over 1",
        f"{f['one_worker'] / f['cold']:.2f}x ({f['one_worker']:.1f} s -> {f['cold']:.1f} s)",
        ">= 1.7x",
        f["one_worker"] / f["cold"] >= 1.7,
    )


def _classify(f: dict[str, Any]) -> Iterator[Row]:
    ratio = f["classify"] / f["cold"]
    yield (
        "classification lecture (lessons/classify.toml), cold / default",
        f"{ratio:.2f}x ({f['classify']:.1f} s, {len(f['classify scenes'])} scenes"
        f"{_cpu(f, 'classify', 'cold')})",
        "<= 1.2x",
        ratio <= 1.2,
    )


def _wide(f: dict[str, Any]) -> Iterator[Row]:
    for label in WIDE_PHASES:
        ratio = f[label] / f["cold"]
        four = label.startswith("4x")
        yield (
            f"{label} network / default",
            f"{ratio:.2f}x ({f[label]:.1f} s{_cpu(f, label, 'cold')})",
            "<= 1.5x" if four else "-",
            ratio <= 1.5 if four else None,
        )


MEASURES: list[tuple[tuple[str, ...], Callable[[dict[str, Any]], Iterator[Row]]]] = [
    (("cold",), _cold),
    (("cold", "cold_baseline"), _pictures),
    (("high",), _high),
    (("high", "high_baseline"), _high_baseline),
    (("warm",), _warm),
    (("verify",), _verify),
    (("trace",), _trace),
    (("audit", "one_worker_scenes"), _audit),
    (("in_render_audit", "scenes"), _in_render_audit),
    (("cold", "plain_manim"), _plain),
    (("one_worker", "plain_manim"), _one_plain),
    (("frames_problems",), _frames),
    (("encoder",), _encoder),
    (("slides_cold",), _slides),
    (("one_worker",), _one),
    (("classify",), _classify),
    (tuple(WIDE_PHASES), _wide),
]


def scene_table(f: dict[str, Any]) -> list[str]:
    """Each scene's render seconds in every phase that rendered it."""
    columns = [
        (label, f[key])
        for label, key in (
            ("render, 2 workers (s)", "scenes"),
            ("1 worker (s)", "one_worker_scenes"),
            ("audit (s)", "audit"),
            ("2x", "2x wide scenes"),
            ("4x", "4x wide scenes"),
            ("high (s)", "high scenes"),
            ("classification (s)", "classify scenes"),
        )
        if key in f
    ]
    if not columns:
        return []
    names = list(dict.fromkeys(name for _, seconds in columns for name in seconds))
    names = [name for name in names if not name.endswith("(problems)")]
    lines = [
        "",
        "| scene | " + " | ".join(label for label, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name in names:
        cells = [f"{seconds[name]:.1f}" if name in seconds else "-" for _, seconds in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def profile_lines(profile: dict[str, Any]) -> list[str]:
    lines = [
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
    return lines

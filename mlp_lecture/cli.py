"""The ``mlp-lecture`` command: trace, render and verify a lesson's lecture.

Every failure a user can cause (a bad lesson, a missing directory) ends in
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpmath import LessonError, cached_trace, load_lesson

if TYPE_CHECKING:
    from mlp_lecture.progress import RenderDisplay

__all__ = ["main"]


class UserError(Exception):
    """A problem the user can fix; its message is the one line printed."""


def _trace_command(args: argparse.Namespace) -> int:
    trace = cached_trace(load_lesson(args.lesson))
    if args.json:
        json.dump(trace.to_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        from mlp_lecture.report import print_trace

        print_trace(trace)
    return 0


def _render_command(args: argparse.Namespace) -> int:
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir
    from mlp_lecture.pipeline.render import render_scenes

    lesson, names = _lesson_and_scenes(args)
    options = RenderOptions(
        quality=args.quality,
        format=args.format,
        transparent=args.transparent,
        sections=args.sections,
    )
    _check(options)
    out_dir = args.out or default_out_dir(lesson, options)

    def render(display: RenderDisplay) -> Any:
        return render_scenes(
            lesson,
            names,
            out_dir,
            options,
            jobs=args.jobs,
            force=args.force,
            lecture=args.lecture,
            verbose=args.verbose,
            observer=display,
        )

    report = _rendering(out_dir, render)
    if isinstance(report, int):
        return report
    from mlp_lecture.progress import print_summary

    print_summary(report)
    return _report_problems(report, args.verbose)


def _stills_command(args: argparse.Namespace) -> int:
    """A PNG render (each scene's last frame) in a temporary folder, then a
    compact copy of each frame in DIR."""
    import tempfile

    from mlp_lecture.pipeline.options import RenderOptions, lesson_folder
    from mlp_lecture.pipeline.render import render_scenes
    from mlp_lecture.stills import Still, StillsError, check_gallery, write_gallery

    lesson, names = _lesson_and_scenes(args)
    options = RenderOptions(quality=args.quality, format="png")
    _check(options)
    gallery = args.out or lesson_folder(lesson) / "stills"
    try:
        check_gallery(gallery)  # before rendering: a folder of the user's is refused at once
    except StillsError as error:
        raise UserError(str(error)) from None
    with tempfile.TemporaryDirectory(prefix="mlp-lecture-stills-") as temporary:
        frames_dir = Path(temporary) / "frames"

        def render(display: RenderDisplay) -> Any:
            return render_scenes(
                lesson, names, frames_dir, options, jobs=args.jobs, force=True,
                verbose=args.verbose, observer=display,
            )  # fmt: skip

        report = _rendering(gallery, render)
        if isinstance(report, int):
            return report
        status = _report_problems(report, args.verbose)
        shown = [s for s in report.scenes if s.video is not None and s.status != "failed"]
        try:
            written = write_gallery([Still(s.name, s.video) for s in shown], gallery)
        except StillsError as error:
            raise UserError(str(error)) from None
    size = sum(path.stat().st_size for path in written)
    print(f"{gallery}: {len(written)} still(s), {size // 1024} kB")
    return status


def _slides_command(args: argparse.Namespace) -> int:
    from mlp_lecture.deck import SLIDES_DIR, TARGETS, build_deck
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir
    from mlp_lecture.revealjs import RevealJSError

    lesson, names = _lesson_and_scenes(args)
    options = RenderOptions(quality=args.quality, sections=True)
    _check(options)
    out_dir = args.out or default_out_dir(lesson, options)
    targets = [args.to] if args.to else list(TARGETS)

    def build(display: RenderDisplay) -> Any:
        return build_deck(
            lesson,
            names,
            out_dir,
            args.quality,
            targets,
            jobs=args.jobs,
            force=args.force,
            verbose=args.verbose,
            observer=display,
        )

    try:
        deck = _rendering(out_dir, build)
    except RevealJSError as error:
        raise UserError(str(error)) from None
    if isinstance(deck, int):
        return deck
    from mlp_lecture.progress import print_summary

    print_summary(deck.render)
    status = _report_problems(deck.render, args.verbose)
    if status:
        print(
            "mlp-lecture: no deck written: a scene failed to render or its audit found problems",
            file=sys.stderr,
        )
        return status
    scenes = [path.stem for path in deck.presentations]
    print(f"{deck.slides} slides from {len(deck.presentations)} scene(s):")
    for target, path in deck.decks.items():
        print(f"  {target:<5} {path}")
    player = Path(sys.executable).parent / "manim-slides"
    present = [str(player), "present", "--folder", str(out_dir / SLIDES_DIR), *scenes]
    print(f"  present: {' '.join(present)}")
    if args.present:
        return _present(present)
    return 0


def _present(command: list[str]) -> int:
    """Play the deck in manim-slides' own full-screen player (it needs Qt)."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("qtpy") is None or not any(
        importlib.util.find_spec(binding) for binding in ("PySide6", "PyQt6")
    ):
        raise UserError("the slide player needs Qt: run `make present` (installs PySide6)")
    return subprocess.call([sys.executable, "-m", "manim_slides", *command[1:]])


def _lesson_and_scenes(args: argparse.Namespace) -> tuple[Any, list[str]]:
    from mlp_lecture.pipeline.options import select_scenes

    lesson = load_lesson(args.lesson)
    try:
        return lesson, select_scenes(args.scenes)
    except ValueError as error:
        raise UserError(str(error)) from None


def _check(options: Any) -> None:
    from mlp_lecture.pipeline.options import RenderError

    try:
        options.check()
    except RenderError as error:
        raise UserError(str(error)) from None


def _check_replaceable(path: Path, kind: str) -> None:
    """A file already at ``path`` is overwritten only when mlp-lecture wrote it."""
    from mlp_lecture.pipeline.options import RenderError
    from mlp_lecture.pipeline.ownership import check_replaceable

    try:
        check_replaceable(path, kind)
    except RenderError as error:
        raise UserError(str(error)) from None


def _rendering(out_dir: Path, work: Any) -> Any:
    """Run ``work(display)`` under a live display; a user's problem becomes one line.

    Returns what ``work`` returns, or the exit status of an interrupted run.
    """
    from rich.console import Console

    from mlp_lecture.pipeline.options import RenderError
    from mlp_lecture.progress import RenderDisplay

    display = RenderDisplay(Console(stderr=True))
    try:
        with display:
            return work(display)
    except RenderError as error:
        raise UserError(str(error)) from None
    except OSError as error:  # e.g. no permission to write DIR, or the disk is full
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    except KeyboardInterrupt as interrupt:
        signame = str(interrupt) or "SIGINT"
        print(
            f"mlp-lecture: interrupted ({signame}); finished scenes are kept in {out_dir}, "
            "run the same command again to render the rest",
            file=sys.stderr,
        )
        return 128 + getattr(signal.Signals, signame, signal.SIGINT).value


def _report_problems(report: Any, verbose: bool) -> int:
    """Name failed scenes and scenes the audit rejects; 1 when there is any."""
    if report.explore_note:  # a folder of the user's where the page goes: said, not fatal
        print(f"mlp-lecture: {report.explore_note}", file=sys.stderr)
    for scene in report.scenes:
        if scene.audit:
            print(
                f"mlp-lecture: {scene.name}: the audit found {len(scene.audit)} "
                f"problem(s) (`mlp-lecture verify` lists them), e.g. {scene.audit[0]}",
                file=sys.stderr,
            )
    for scene in report.failed:
        if verbose and scene.details:
            print(scene.details, file=sys.stderr)
        print(f"mlp-lecture: {scene.name} failed: {scene.error}", file=sys.stderr)
    return 1 if report.failed or any(scene.audit for scene in report.scenes) else 0


def _verify_command(args: argparse.Namespace) -> int:
    from mlp_lecture.verification import verify_dir

    checked, problems = verify_dir(args.dir, recompute=args.recompute, frames=args.frames)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"mlp-lecture: {len(problems)} mismatch(es) in {args.dir}", file=sys.stderr)
        return 1
    extra = ", and every scene rebuilt draws its clip's frames" if args.frames else ""
    print(f"{args.dir}: all {checked} shown values agree with the trace{extra}")
    return 0


def _workbook_command(args: argparse.Namespace) -> int:
    from mlp_lecture.spreadsheet import default_workbook_path, write_workbook

    lesson = load_lesson(args.lesson)
    out = args.out or default_workbook_path(lesson)
    _check_replaceable(out, "workbook")
    try:
        written = write_workbook(lesson, out)
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    print(written)
    return 0


def _explore_command(args: argparse.Namespace) -> int:
    from mlp_lecture.explorable import ExploreError, default_explore_dir, write_explore
    from mlp_lecture.explorable.katex import KaTeXError

    lesson = load_lesson(args.lesson)
    try:
        written = write_explore(lesson, args.out or default_explore_dir(lesson))
    except (ExploreError, KaTeXError) as error:
        raise UserError(str(error)) from None
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    print(written)
    return 0


def _script_command(args: argparse.Namespace) -> int:
    from mlp_lecture.lecture_script import build_script, default_script_path
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir, select_scenes

    # No lesson named: the one --dir was rendered from. No --scenes: the scenes it holds.
    lesson = load_lesson(args.lesson) if args.lesson is not None else None
    try:
        names = select_scenes(args.scenes) if args.scenes is not None else None
    except ValueError as error:
        raise UserError(str(error)) from None
    out_dir = args.dir or default_out_dir(
        lesson or load_lesson(None), RenderOptions(quality=args.quality)
    )
    if str(args.out) != "-":  # before rendering: a file of the user's there is never replaced
        _check_replaceable(args.out or default_script_path(out_dir), "script")
    built = _rendering(
        out_dir,
        lambda display: build_script(lesson, names, out_dir, jobs=args.jobs, observer=display),
    )
    if isinstance(built, int):
        return built
    status = _report_problems(built.render, verbose=False)
    if status:
        print(
            "mlp-lecture: no script written: a scene failed to render or its audit found problems",
            file=sys.stderr,
        )
        return status
    counts: dict[str, int] = {}
    for scene in built.render.scenes:
        counts[scene.status] = counts.get(scene.status, 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in counts.items())
    print(f"{out_dir}: {len(built.render.scenes)} scene(s) ({tally})", file=sys.stderr)
    if str(args.out) == "-":
        sys.stdout.write(built.text)
        return 0
    out = args.out or default_script_path(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(built.text, encoding="utf-8")
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    print(out)
    return 0


def _lesson_command(args: argparse.Namespace) -> int:
    from mlp_lecture.lesson_file import lesson_from_files, parse_layers, write_text_atomically

    lesson = lesson_from_files(
        args.state_dict,
        args.data,
        layers=parse_layers(args.layers) if args.layers else None,
        activation=args.activation,
        output_activation=args.output_activation,
        learning_rate=args.learning_rate,
        steps=args.steps,
        title=args.title,
        decimals=args.decimals,
        loss=args.loss,
    )
    if args.out is None:
        sys.stdout.write(lesson.source)
        return 0
    _check_replaceable(args.out, "lesson")
    try:
        write_text_atomically(args.out, lesson.source)
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    sizes = ",".join(map(str, lesson.network.sizes))
    print(f"{args.out}: lesson {sizes}, {len(lesson.inputs)} samples")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _add_lesson_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("lesson", nargs="?", type=Path, help="lesson TOML (default: built-in)")


def _add_rendering_arguments(command: argparse.ArgumentParser, default_out: str) -> None:
    """The arguments every command that renders scenes takes (render, slides)."""
    _add_lesson_argument(command)
    command.add_argument("--scenes", help="comma-separated scene names (default: all, in order)")
    command.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low")
    command.add_argument("--out", type=Path, help=f"output directory (default: {default_out})")
    command.add_argument(
        "--jobs", type=_positive, help="worker processes rendering at once (default: one per core)"
    )
    command.add_argument(
        "--force",
        action="store_true",
        help="render again even scenes that are up to date; also write into a non-empty --out "
        "that is no render directory (no file already there is touched)",
    )
    command.add_argument(
        "--verbose", action="store_true", help="Manim's warnings, and tracebacks of failed scenes"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlp-lecture",
        description="Render lecture videos of how a small MLP computes and learns.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    trace = commands.add_parser("trace", help="print every number of a lesson")
    _add_lesson_argument(trace)
    trace.add_argument("--json", action="store_true", help="one JSON object, full precision")
    trace.set_defaults(run=_trace_command)

    render = commands.add_parser("render", help="render the lecture's scenes to video")
    _add_rendering_arguments(render, "renders/LESSON/QUALITY[-FORMAT][-slides]")
    render.add_argument(
        "--format",
        choices=["mp4", "webm", "mov", "gif", "png"],
        default="mp4",
        help="clip format; png writes each scene's last frame (default: mp4)",
    )
    render.add_argument(
        "--transparent",
        action="store_true",
        help="transparent background (webm, mov: clips with an alpha channel; png)",
    )
    render.add_argument(
        "--sections", action="store_true", help="also one clip per step, in DIR/sections/"
    )
    render.add_argument(
        "--lecture", action="store_true", help="also join the scenes into DIR/lecture.mp4"
    )
    render.set_defaults(run=_render_command)

    stills = commands.add_parser(
        "stills", help="each scene's last frame as a small PNG, for a gallery (DIR/NN-Scene.png)"
    )
    _add_rendering_arguments(stills, "renders/LESSON/stills")
    stills.set_defaults(run=_stills_command)

    slides = commands.add_parser(
        "slides", help="the lecture as a slide deck: a slide per step, notes, HTML and PowerPoint"
    )
    _add_rendering_arguments(slides, "renders/LESSON/QUALITY-slides")
    slides.add_argument(
        "--to", choices=["html", "pptx"], help="write only this deck (default: both)"
    )
    slides.add_argument(
        "--present", action="store_true", help="then play it in manim-slides' player (needs Qt)"
    )
    slides.set_defaults(run=_slides_command)

    verify = commands.add_parser("verify", help="check a render's ledgers against the math")
    verify.add_argument("dir", type=Path, help="a render directory, e.g. renders/default/low")
    verify.add_argument(
        "--recompute",
        action="store_true",
        help="compute the lesson with torch, not from the trace cache",
    )
    verify.add_argument(
        "--frames",
        action="store_true",
        help="also rebuild every scene (Manim): its ledger and the last frame of each step "
        "must match the recorded ones",
    )
    verify.set_defaults(run=_verify_command)

    workbook = commands.add_parser(
        "workbook", help="the lesson as a spreadsheet: every number a live formula (.xlsx)"
    )
    _add_lesson_argument(workbook)
    workbook.add_argument(
        "--out", type=Path, help="the .xlsx file (default: renders/LESSON/workbook.xlsx)"
    )
    workbook.set_defaults(run=_workbook_command)

    explore = commands.add_parser(
        "explore",
        help="the lesson as one offline HTML page: edit a number, everything after it is "
        "recomputed",
    )
    _add_lesson_argument(explore)
    explore.add_argument(
        "-o",
        "--out",
        type=Path,
        help="the page's directory, with index.html (default: renders/LESSON/explore)",
    )
    explore.set_defaults(run=_explore_command)

    script = commands.add_parser(
        "script",
        help="the lecture as a Markdown script to record a voice-over from (renders what is "
        "missing)",
    )
    _add_lesson_argument(script)
    script.add_argument(
        "--out",
        type=Path,
        help="the Markdown file, - for stdout (default: renders/LESSON/script.md)",
    )
    script.add_argument(
        "--scenes",
        help="comma-separated scene names (default: those --dir holds, else all, in order)",
    )
    script.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low")
    script.add_argument(
        "--dir",
        type=Path,
        help="the render it is read from, and its lesson when none is named "
        "(default: renders/LESSON/QUALITY)",
    )
    script.add_argument(
        "--jobs", type=_positive, help="worker processes rendering at once (default: one per core)"
    )
    script.set_defaults(run=_script_command)

    lesson = commands.add_parser(
        "lesson",
        help="a lesson file from a saved state dict and a CSV of data",
        description="Write a lesson file from torch.save(net.state_dict(), PATH) and a CSV whose "
        "rows are the network's inputs, then its targets (the split is the network's input and "
        "output sizes; a header row is skipped).",
    )
    lesson.add_argument(
        "--state-dict", type=Path, required=True, help="a state dict saved with torch.save"
    )
    lesson.add_argument(
        "--data", type=Path, required=True, help="CSV: input columns, then target columns"
    )
    lesson.add_argument(
        "--layers",
        help="input size then each layer's width, e.g. 2,3,2,1 (checked; default: "
        "read from the state dict)",
    )
    lesson.add_argument(
        "--activation",
        default="none",
        help="hidden layers' activation (none, relu, sigmoid, tanh), or one per layer: "
        "relu,tanh,none (default: none)",
    )
    lesson.add_argument(
        "--output-activation", default="none", help="the last layer's (default: none)"
    )
    lesson.add_argument(
        "--loss",
        default="mse",
        help="mse (the CSV ends with the targets) or cross_entropy (its last column is each "
        "row's class, 0 to C-1; the last layer gives logits) (default: mse)",
    )
    lesson.add_argument("--learning-rate", type=float, default=0.001, help="(default: 0.001)")
    lesson.add_argument("--steps", type=int, default=10, help="training steps (default: 10)")
    lesson.add_argument("--title", default="Your network", help="the lecture's title")
    lesson.add_argument("--decimals", type=int, default=4, help="digits shown (default: 4)")
    lesson.add_argument("--out", type=Path, help="the lesson file to write (default: stdout)")
    lesson.set_defaults(run=_lesson_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (LessonError, UserError) as error:
        print(f"mlp-lecture: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `mlp-lecture trace --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("mlp-lecture: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""``render``, ``stills`` and ``slides``: the commands that render the lecture's scenes.

Each renders through the pipeline under the live display
(:func:`~mlp_lecture.commands.common.rendering`) and reports failed scenes
and the audit's findings the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture.commands.common import (
    UserError,
    add_rendering_arguments,
    check_options,
    lesson_and_scenes,
    rendering,
    report_problems,
)
from mlp_lecture.commands.course import add_scheduler_argument, scheduled
from mlp_lecture.commands.narration import add_narration_arguments, narration_plan

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands
    from mlp_lecture.progress import RenderDisplay

__all__ = ["add_parsers"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``render``, ``stills`` and ``slides``."""
    render = subcommands.add_parser("render", help="render the lecture's scenes to video")
    add_rendering_arguments(render, "renders/LESSON/QUALITY[-FORMAT][-slides]")
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
    add_narration_arguments(render)
    add_scheduler_argument(render)
    render.set_defaults(run=render_command)

    stills = subcommands.add_parser(
        "stills", help="each scene's last frame as a small PNG, for a gallery (DIR/NN-Scene.png)"
    )
    add_rendering_arguments(stills, "renders/LESSON/stills")
    stills.set_defaults(run=stills_command)

    slides = subcommands.add_parser(
        "slides", help="the lecture as a slide deck: a slide per step, notes, HTML and PowerPoint"
    )
    add_rendering_arguments(slides, "renders/LESSON/QUALITY-slides")
    slides.add_argument(
        "--to", choices=["html", "pptx"], help="write only this deck (default: both)"
    )
    slides.add_argument(
        "--present", action="store_true", help="then play it in manim-slides' player (needs Qt)"
    )
    add_narration_arguments(slides)
    add_scheduler_argument(slides)
    slides.set_defaults(run=slides_command)


def render_command(args: argparse.Namespace) -> int:
    """``mlp-lecture render``: the scenes' clips (and sections, lecture) in DIR."""
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir
    from mlp_lecture.pipeline.render import render_scenes

    lesson, names = lesson_and_scenes(args)
    options = RenderOptions(
        quality=args.quality,
        format=args.format,
        transparent=args.transparent,
        sections=args.sections,
    )
    check_options(options)
    out_dir = args.out or default_out_dir(lesson, options)
    narration = narration_plan(args, lesson, names)

    def render(display: RenderDisplay) -> Any:
        with scheduled(args.scheduler) as executor:
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
                executor=executor,
                narration=narration,
            )

    report = rendering(out_dir, render)
    if isinstance(report, int):
        return report
    from mlp_lecture.progress import print_summary

    print_summary(report)
    return report_problems(report, args.verbose)


def stills_command(args: argparse.Namespace) -> int:
    """A PNG render (each scene's last frame) in a temporary folder, then a
    compact copy of each frame in DIR."""
    import tempfile

    from mlp_lecture.pipeline.options import RenderOptions, lesson_folder
    from mlp_lecture.pipeline.render import render_scenes
    from mlp_lecture.stills import Still, StillsError, check_gallery, write_gallery
    from mlpmath import cached_trace
    from scenes import lecture_of

    lesson, names = lesson_and_scenes(args)
    options = RenderOptions(quality=args.quality, format="png")
    check_options(options)
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

        report = rendering(gallery, render)
        if isinstance(report, int):
            return report
        status = report_problems(report, args.verbose)
        shown = [s for s in report.scenes if s.video is not None and s.status != "failed"]
        try:
            stills = [Still(s.name, s.video) for s in shown]
            written = write_gallery(stills, gallery, lecture_of(cached_trace(lesson)))
        except StillsError as error:
            raise UserError(str(error)) from None
    size = sum(path.stat().st_size for path in written)
    print(f"{gallery}: {len(written)} still(s), {size // 1024} kB")
    return status


def slides_command(args: argparse.Namespace) -> int:
    """``mlp-lecture slides``: a slide per step, as HTML and PowerPoint decks."""
    from mlp_lecture.deck import SLIDES_DIR, TARGETS, build_deck
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir
    from mlp_lecture.revealjs import RevealJSError

    lesson, names = lesson_and_scenes(args)
    options = RenderOptions(quality=args.quality, sections=True)
    check_options(options)
    out_dir = args.out or default_out_dir(lesson, options)
    targets = [args.to] if args.to else list(TARGETS)
    narration = narration_plan(args, lesson, names)

    def build(display: RenderDisplay) -> Any:
        with scheduled(args.scheduler) as executor:
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
                executor=executor,
                narration=narration,
            )

    try:
        deck = rendering(out_dir, build)
    except RevealJSError as error:
        raise UserError(str(error)) from None
    if isinstance(deck, int):
        return deck
    from mlp_lecture.progress import print_summary

    print_summary(deck.render)
    status = report_problems(deck.render, args.verbose)
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
        return present_deck(present)
    return 0


def present_deck(command: list[str]) -> int:
    """Play the deck in manim-slides' own full-screen player (it needs Qt)."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("qtpy") is None or not any(
        importlib.util.find_spec(binding) for binding in ("PySide6", "PyQt6")
    ):
        raise UserError("the slide player needs Qt: run `make present` (installs PySide6)")
    return subprocess.call([sys.executable, "-m", "manim_slides", *command[1:]])

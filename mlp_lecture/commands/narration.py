"""``narration`` and ``record``: the lecture's voice, and ``--narration`` for render and slides.

``narration`` writes ``DIR/narration.json`` (every step's sentence and where
its audio belongs), ``--draft`` speaks the steps without a recording with
espeak-ng; ``record`` records the teacher step by step. ``render`` and
``slides`` take ``--narration DIR`` (``add_narration_arguments``) and turn it
into a plan with ``narration_plan``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture.commands.common import UserError, add_lesson_argument, lesson_and_scenes

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands
    from mlp_lecture.narration.plan import NarrationPlan

__all__ = ["add_narration_arguments", "add_parsers", "narration_plan"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``narration`` and ``record``."""
    narration = subcommands.add_parser(
        "narration",
        help="write DIR/narration.json: every step's sentence and where its recording belongs",
    )
    add_lesson_argument(narration)
    narration.add_argument("--scenes", help="comma-separated scene names (default: all)")
    narration.add_argument("--dir", type=Path, required=True, help="the narration directory")
    narration.add_argument(
        "--draft",
        action="store_true",
        help="speak every step that has no recording with espeak-ng (labelled a draft)",
    )
    narration.set_defaults(run=narration_command)

    record = subcommands.add_parser(
        "record",
        help="record a scene's steps from the microphone, one sentence at a time",
    )
    add_lesson_argument(record)
    record.add_argument("--scenes", required=True, help="the scene to record (one name)")
    record.add_argument("--dir", type=Path, required=True, help="the narration directory")
    record.add_argument(
        "--from",
        dest="first",
        type=int,
        default=0,
        help="the first step to record (default: 0, the scene's title; then 1, 2, ...)",
    )
    record.set_defaults(run=record_command)


def add_narration_arguments(command: argparse.ArgumentParser) -> None:
    """``--narration DIR`` and ``--draft-missing`` (render, slides)."""
    command.add_argument(
        "--narration",
        type=Path,
        metavar="DIR",
        help="speak each step: its audio from DIR/narration.json, each step held for it",
    )
    command.add_argument(
        "--draft-missing",
        action="store_true",
        help="with --narration: a step with no audio gets an espeak-ng draft",
    )


def narration_plan(args: argparse.Namespace, lesson: Any, names: list[str]) -> NarrationPlan | None:
    """The render's narration (None without ``--narration``); one line when unusable."""
    folder = getattr(args, "narration", None)
    if folder is None:
        if getattr(args, "draft_missing", False):
            raise UserError("--draft-missing needs --narration DIR")
        return None
    from mlp_lecture.narration.draft import DraftError
    from mlp_lecture.narration.plan import plan_narration
    from mlp_lecture.narration.record import NarrationError
    from mlp_lecture.pipeline.safe_names import NameRefused

    try:
        plan = plan_narration(folder, lesson, names, args.draft_missing)
    except (NarrationError, DraftError, NameRefused) as error:
        raise UserError(str(error)) from None
    voices = [audio.voice for steps in plan.scenes.values() for audio in steps]
    print(
        f"mlp-lecture: narration from {folder}: {voices.count('recorded')} step(s) recorded, "
        f"{voices.count('draft')} draft(s) (espeak-ng, a draft voice)"
        + (f", {len(plan.drafted)} of them drafted now" if plan.drafted else ""),
        file=sys.stderr,
    )
    if plan.missing:
        print(
            f"mlp-lecture: {len(plan.missing)} step(s) have no audio and stay silent, "
            f"e.g. {plan.missing[0]} (record them, or add --draft-missing)",
            file=sys.stderr,
        )
    return plan


def narration_command(args: argparse.Namespace) -> int:
    """``mlp-lecture narration``: write or update DIR/narration.json (and drafts)."""
    from mlp_lecture.narration.draft import DraftError
    from mlp_lecture.narration.record import NarrationError
    from mlp_lecture.narration.script import prepare_narration
    from mlp_lecture.pipeline.safe_names import NameRefused

    lesson, names = lesson_and_scenes(args)

    def heard(name: str) -> None:
        print(f"  {name}", file=sys.stderr)

    try:
        report = prepare_narration(args.dir, lesson, names, draft=args.draft, heard=heard)
    except (NarrationError, DraftError, NameRefused) as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"{error.filename or args.dir}: {error.strerror or error}") from None
    print(
        f"{report.path}: {report.steps} steps; {len(report.recorded)} recorded, "
        f"{report.drafts} draft(s) (espeak-ng), {len(report.missing)} without audio"
    )
    if report.skipped:
        print(f"  not in this lesson: {', '.join(report.skipped)}")
    if report.stale:
        print(
            f"  stale (recorded for a sentence that changed; record again): "
            f"{', '.join(report.stale)}"
        )
    return 0


def record_command(args: argparse.Namespace) -> int:
    """``mlp-lecture record``: one scene's steps from the microphone, step by step."""
    from mlp_lecture.narration.capture import arecord_microphone, read_line, record_steps
    from mlp_lecture.narration.record import NARRATION_FILE, NarrationError, read_narration
    from mlp_lecture.narration.script import prepare_narration
    from mlp_lecture.narration.steps import scene_steps
    from mlp_lecture.pipeline.safe_names import NameRefused

    lesson, names = lesson_and_scenes(args)
    if len(names) != 1:
        raise UserError("--scenes: record one scene at a time")
    scene = names[0]
    try:
        if not (args.dir / NARRATION_FILE).exists():
            prepare_narration(args.dir, lesson, names)
        narration = read_narration(args.dir)
        if narration.lesson != lesson.name:
            raise NarrationError(
                f"{args.dir / NARRATION_FILE}: the narration of lesson {narration.lesson!r}, "
                f"not {lesson.name!r} (choose another --dir)"
            )
        sentences = scene_steps(lesson, names)[scene]
        if sentences is None:
            raise UserError(f"--scenes: this lesson has nothing {scene} shows")
        if not 0 <= args.first < len(sentences):
            raise UserError(f"--from: {scene} has steps 0 (its title) to {len(sentences) - 1}")
        microphone = arecord_microphone()
        report = record_steps(
            args.dir,
            narration,
            scene,
            sentences,
            args.first,
            microphone,
            read_line(sys.stdin),
            print,
        )
    except (NarrationError, NameRefused) as error:
        raise UserError(str(error)) from None
    print(f"{scene}: recorded steps {', '.join(map(str, report.kept)) or 'none'}")
    return 0

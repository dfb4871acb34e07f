"""``verify``: check a render's ledgers (and, with ``--frames``, its pictures) against the math."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands

__all__ = ["FRAMES", "add_parsers"]

FRAMES = ("all", "ends")  # --frames (every frame, a fresh render) and --frames=ends (cheap)


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``verify``."""
    from mlp_lecture.commands.common import positive

    verify = subcommands.add_parser("verify", help="check a render's ledgers against the math")
    verify.add_argument(
        "dir", type=Path, nargs="?", help="a render directory, e.g. renders/default/low"
    )
    verify.add_argument(
        "--recompute",
        action="store_true",
        help="compute the lesson with torch, not from the trace cache",
    )
    verify.add_argument(
        "--frames",
        nargs="?",
        const="all",
        metavar="ends",
        help="also render every scene again (Manim; about the cost of the render): its "
        "ledger and every frame of every clip must match the recorded ones. "
        "--frames=ends is the cheap check: it builds each scene with animations skipped "
        "and compares only the last frame of each step, so it misses anything a clip "
        "shows between step ends",
    )
    verify.add_argument(
        "--jobs",
        type=positive,
        default=None,
        help="with --frames: scenes rendered at once (default: one per core)",
    )
    verify.add_argument(
        "--narration",
        type=Path,
        metavar="DIR",
        help="also hold each narrated clip's sound to the recordings in DIR (their sha256, "
        "and the clip's sound at each step is that recording)",
    )
    verify.set_defaults(run=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    """``mlp-lecture verify``: every mismatch on its own line, then a count; 1 if any."""
    from mlp_lecture.commands.common import UserError
    from mlp_lecture.verification import verify_dir

    if args.frames not in (None, *FRAMES) and args.dir is None:
        args.dir, args.frames = Path(args.frames), "all"  # `verify --frames DIR`
    elif args.frames not in (None, *FRAMES):
        raise UserError(f"verify: --frames={args.frames}: expected --frames or --frames=ends")
    if args.dir is None:
        raise UserError(
            "verify: which render directory? e.g. mlp-lecture verify renders/default/low"
        )

    checked, problems = verify_dir(
        args.dir,
        recompute=args.recompute,
        frames=args.frames or False,
        jobs=args.jobs,
        narration=args.narration,
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"mlp-lecture: {len(problems)} mismatch(es) in {args.dir}", file=sys.stderr)
        return 1
    extra = {
        "all": ", and every frame of every clip is what the scene draws again",
        "ends": ", and every step's last frame is what the scene draws again",
    }.get(args.frames or "", "")
    print(f"{args.dir}: all {checked} shown values agree with the trace{extra}")
    return 0

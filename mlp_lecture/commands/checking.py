"""``verify``: check a render's ledgers (and, with ``--frames``, its pictures) against the math."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands

__all__ = ["add_parsers"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``verify``."""
    verify = subcommands.add_parser("verify", help="check a render's ledgers against the math")
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
    verify.set_defaults(run=verify_command)


def verify_command(args: argparse.Namespace) -> int:
    """``mlp-lecture verify``: every mismatch on its own line, then a count; 1 if any."""
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

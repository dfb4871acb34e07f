"""A mistyped flag names the right one: ``--output-activaton`` -> ``--output-activation``.

Python 3.11's argparse says only "unrecognized arguments". :class:`SuggestingParser`
(the parser ``mlp-lecture`` and each of its subcommands is built with) adds the
closest flag of the same subcommand, found by :mod:`difflib` among the flags its
own help lists.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["SuggestingParser", "closest_flag", "parser_flags"]

_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def parser_flags(parser: argparse.ArgumentParser) -> list[str]:
    """Every flag ``parser`` takes, as its help lists them (``-o``, ``--out``...)."""
    return sorted(set(_FLAG.findall(parser.format_help())))


def closest_flag(given: str, flags: Sequence[str]) -> str | None:
    """The flag ``given`` was most likely meant to be (None when none is close)."""
    name = given.split("=", 1)[0]
    long_flags = [flag for flag in flags if flag.startswith("--")]
    found = difflib.get_close_matches(name, long_flags if name.startswith("--") else flags, 1, 0.6)
    return found[0] if found and found[0] != name else None


class SuggestingParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose "unrecognized arguments" error suggests the right flag."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        unknown = [extra for extra in extras if extra.startswith("-")]
        if unknown:  # what argparse would refuse anyway: say which flag was meant
            flags = parser_flags(self)
            hints = [
                f"{flag} (did you mean {hint}?)" if (hint := closest_flag(flag, flags)) else flag
                for flag in unknown
            ]
            self.error(f"unrecognized arguments: {', '.join(hints)}")
        return parsed, extras

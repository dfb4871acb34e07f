"""The terms of shown arithmetic: traced values and the operators between them.

A worked sum or product on screen is a sequence of these; each operator says
both how Typst writes it and how it computes, so the "=" a scene prints can
be checked by hand-arithmetic on exactly what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLOSE",
    "MINUS",
    "NEW_LINE",
    "OPEN",
    "OVER",
    "PLUS",
    "SQUARED",
    "TIMES",
    "Checked",
    "Op",
    "Term",
    "Value",
]


@dataclass(frozen=True)
class Value:
    """A traced value inside a math expression; ``paren`` wraps a negative in ( )."""

    path: str
    color: Any = None
    paren: bool = False


@dataclass(frozen=True)
class Op:
    """An operator of shown arithmetic: how Typst writes it, how it computes."""

    typst: str
    arithmetic: str


PLUS = Op("+", "+")
MINUS = Op("-", "-")
TIMES = Op("dot", "*")
OVER = Op("/", "/")
OPEN = Op("(", "(")
CLOSE = Op(")", ")")
SQUARED = Op("^2", "**2")
NEW_LINE = Op("\\\n &", "")  # shown arithmetic goes on below, aligned at its "&"

Term = Value | Op


@dataclass(frozen=True)
class Checked:
    """A grid cell whose value a viewer can recompute from other shown values.

    The cell shows ``total``, prefixed with ``≈`` when ``terms`` computed by
    hand from their shown digits do not give it (a table's implied "=").
    """

    terms: tuple[Term, ...]
    total: str
    color: Any = None

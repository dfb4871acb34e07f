"""How a traced number is written on screen, and whether shown arithmetic holds.

Shown arithmetic must check out by hand at the shown precision (the deck's
0.2655-vs-0.26560 problem). The relations below compare the *shown* texts
exactly, with decimal arithmetic, and answer "=" only when a viewer adding
the shown terms gets the shown total; otherwise the scene writes "≈".
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "APPROX",
    "EQUALS",
    "dot_relation",
    "format_number",
    "shown_precision",
    "text_matches_value",
]

EQUALS = "="
APPROX = "≈"
_MINUS_SIGNS = ("\u2212", "-")


def format_number(value: float, decimals: int) -> str:
    """Whole numbers as integers (inputs ``1, 2, 3``), others at ``decimals`` places."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{decimals}f}"
    if _is_negative_zero(text):
        text = text[1:]
    return text


def _is_negative_zero(text: str) -> bool:
    return text.startswith("-") and Decimal(text) == 0


def _decimal(text: str) -> Decimal:
    for minus in _MINUS_SIGNS:
        text = text.replace(minus, "-")
    return Decimal(text)


def shown_precision(text: str) -> int:
    """Digits after the point in a shown number (0 for an integer)."""
    _, _, fraction = text.partition(".")
    return len(fraction)


def text_matches_value(text: str, value: float) -> bool:
    """Is ``text`` the value written at the precision ``text`` shows?"""
    try:
        shown = _decimal(text)
    except ArithmeticError:
        return False
    expected = f"{value:.{shown_precision(text)}f}"
    return Decimal(expected) == shown


def dot_relation(lefts: list[str], rights: list[str | None], total: str) -> str:
    """``=`` when ``sum(left * right)`` of the shown texts is exactly the shown total.

    A ``None`` right factor means the left term stands alone (a plain sum).
    """
    exact = sum(
        (_decimal(a) * (Decimal(1) if b is None else _decimal(b)) for a, b in zip(lefts, rights)),
        Decimal(0),
    )
    return EQUALS if exact == _decimal(total) else APPROX

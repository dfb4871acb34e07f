"""How a traced number is written on screen, and whether shown arithmetic holds.

Shown arithmetic must check out by hand at the shown precision (the deck's
0.2655-vs-0.26560 problem). The relations below compute with the *shown*
texts exactly, in decimal arithmetic, and answer "=" only when a viewer doing
the shown arithmetic by hand gets the shown result to its last shown digit;
otherwise the scene writes "≈".
"""

from __future__ import annotations

import ast
import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "APPROX",
    "EQUALS",
    "dot_expression",
    "dot_relation",
    "evaluate",
    "format_accuracy",
    "format_number",
    "format_share",
    "relation",
    "shown_precision",
    "shown_text",
    "text_matches_value",
]

EQUALS = "="
APPROX = "≈"
_MINUS_SIGNS = ("\u2212", "-")


def format_number(value: float, decimals: int) -> str:
    """Whole numbers as integers (inputs ``1, 2, 3``), others at ``decimals`` places.

    A diverging lesson's overflow shows as ``inf``/``-inf``/``nan``, as torch has it.
    """
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{decimals}f}"
    if _is_negative_zero(text):
        text = text[1:]
    return text


def format_accuracy(correct: int, total: int, decimals: int = 4) -> str:
    """Accuracy as the count it is: ``"6/8 = 0.75"``, ``"0/10 = 0"``, ``"7/9 ≈ 0.7778"``.

    One format for every output (scenes, workbook, page, notebook): the count
    stays countable, and the share is written with no more digits than it
    needs (at most ``decimals``, at least 2 places of room: "2/3 = 1" would
    mislead), by the shown-arithmetic rule of :func:`relation`.
    """
    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"accuracy {correct}/{total}: expected 0 <= correct <= total, total > 0")
    share = (Decimal(correct) / Decimal(total)).quantize(
        Decimal(1).scaleb(-max(decimals, 2)), rounding=ROUND_HALF_EVEN
    )
    text = format(share.normalize(), "f")
    return f"{correct}/{total} {relation(f'{correct}/{total}', text)} {text}"


def format_share(value: float, decimals: int) -> str:
    """A share (an accuracy) with no more digits than it needs, at most ``decimals``:
    ``0.75``, ``1``, ``0``, ``0.7778`` (never ``0.7500`` beside ``1``): the share
    :func:`format_accuracy` writes after its count."""
    if not math.isfinite(value):
        return format_number(value, decimals)
    share = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    text = format(share.normalize(), "f")
    return "0" if Decimal(text) == 0 else text


# trace paths written with no more digits than they need (format_share), on screen and
# in the ledger alike: a share (an accuracy), and the region plane's axis ends (ticks
# read 3.7, not 3.7000)
_SHARE_PATH = re.compile(r"(^|\.)(accuracy|accuracies\[\d+\]|regions\.bounds\[\d+\])$")


def shown_text(path: str, value: float, decimals: int) -> str:
    """How the value at trace path ``path`` is written on screen: a share (an accuracy)
    and an axis end of the region plane by :func:`format_share` (the fewest digits),
    every other number by :func:`format_number`."""
    if _SHARE_PATH.search(path):
        return format_share(value, decimals)
    return format_number(value, decimals)


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


def evaluate(expression: str) -> Decimal:
    """Exact decimal value of shown arithmetic: numbers, + - * /, ( ), ``**`` whole powers.

    Numbers are read from their text, so ``0.1 + 0.2`` is exactly ``0.3``;
    a division is carried to 50 significant digits.
    """
    # Parse and read numbers from the same text: a typeset minus is 3 bytes in
    # UTF-8, so source offsets into the original text would be off.
    text = expression.replace("\u2212", "-")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not shown arithmetic: {expression!r}") from None
    with localcontext() as context:
        context.prec = 50
        return _evaluate(tree.body, text)


_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _evaluate(node: ast.AST, source: str) -> Decimal:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Decimal(ast.get_source_segment(source, node) or repr(node.value))
    if isinstance(node, ast.Name) and node.id in ("inf", "nan"):
        return Decimal("Infinity" if node.id == "inf" else "NaN")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](
            _evaluate(node.left, source), _evaluate(node.right, source)
        )
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Pow)
        and isinstance(node.right, ast.Constant)
        and isinstance(node.right.value, int)
    ):
        return _evaluate(node.left, source) ** node.right.value
    raise ValueError(f"not shown arithmetic: {expression_part(source, node)!r}")


def expression_part(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or source


def relation(expression: str, result: str) -> str:
    """``=`` when the shown arithmetic checks out to the result's last shown digit.

    The arithmetic on the shown operands is done exactly, then rounded to as
    many decimals as ``result`` shows (half-up or half-even: a hand-checker
    may use either); anything else is ``≈``.
    """
    exact = evaluate(expression)
    shown = _decimal(result)
    if not (exact.is_finite() and shown.is_finite()):
        same = exact == shown or (exact.is_nan() and shown.is_nan())
        return EQUALS if same else APPROX  # an overflow, shown as it is
    quantum = Decimal(1).scaleb(-shown_precision(result))
    rounded = {exact.quantize(quantum, rounding=mode) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN)}
    return EQUALS if shown in rounded else APPROX


def dot_expression(lefts: list[str], rights: list[str | None]) -> str:
    """``a*b + c*d + e``: the arithmetic of a worked sum of products, as shown."""
    if len(lefts) != len(rights):
        raise ValueError(f"{len(lefts)} left terms but {len(rights)} right terms")
    terms = [f"({a})" if b is None else f"({a})*({b})" for a, b in zip(lefts, rights, strict=True)]
    return " + ".join(terms)


def dot_relation(lefts: list[str], rights: list[str | None], total: str) -> str:
    """``=`` when ``sum(left * right)`` of the shown texts is exactly the shown total.

    A ``None`` right factor means the left term stands alone (a plain sum).
    """
    return relation(dot_expression(lefts, rights), total)

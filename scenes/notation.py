"""How the lecture writes its symbols in Typst math (no numbers, only notation)."""

from __future__ import annotations

__all__ = ["activation_call", "activation_definition", "indexed"]

_FUNCTION_NAMES = {"relu": '"ReLU"', "sigmoid": "sigma", "tanh": "tanh", "none": "f"}
_DEFINITIONS = {
    "relu": "max(0, z)",
    "sigmoid": "1 / (1 + e^(-z))",
    "tanh": "(e^z - e^(-z)) / (e^z + e^(-z))",
    "none": "z",
}


def activation_call(name: str) -> str:
    """The activation's function name, e.g. ``"ReLU"`` or ``sigma``."""
    return _FUNCTION_NAMES[name]


def activation_definition(name: str) -> str:
    """``ReLU(z) = max(0, z)`` and the like, as Typst math."""
    return f"{activation_call(name)}(z) = {_DEFINITIONS[name]}"


def indexed(symbol: str, *indices: int | str) -> str:
    """``x_1``, ``k_3^1``: a symbol with a subscript and, optionally, a superscript."""
    text = f"{symbol}_({indices[0]})" if indices else symbol
    if len(indices) > 1:
        text += f"^({indices[1]})"
    return text

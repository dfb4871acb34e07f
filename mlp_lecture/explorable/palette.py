"""The lecture's colours and limits for the page, read from scenekit/style.py without Manim.

Importing :mod:`scenekit.style` imports Manim (about 4 s of CPU), only to
learn a few colours. So its source is read instead: an assignment
``ROLE = NAME`` names one of Manim's colour constants, whose hex code is read
from Manim's own ``manim_colors.py`` (found, not imported); ``ROLE = "#hex"``
is taken as it is; a number is a number. Anything else (an expression, a
ManimColor call) is beyond this reading, and the module is then imported
after all: the page always gets what the clips use.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["STYLE_FILE", "style_values"]

STYLE_FILE = Path(__file__).resolve().parents[2] / "scenekit" / "style.py"
HEX = re.compile(r"#[0-9A-Fa-f]{6}")


@cache
def _manim_colours() -> dict[str, str]:
    """Manim's named colours (``BLUE_C``: ``#58C4DD``), read from its source file."""
    spec = importlib.util.find_spec("manim")  # a top-level package: found, not run
    if spec is None or not spec.submodule_search_locations:
        return {}
    source = Path(spec.submodule_search_locations[0]) / "utils" / "color" / "manim_colors.py"
    colours = {}
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Call)
                and getattr(value.func, "id", None) == "ManimColor"
                and len(value.args) == 1
                and isinstance(value.args[0], ast.Constant)
                and HEX.fullmatch(str(value.args[0].value))
            ):
                colours[target.id] = value.args[0].value
    return colours


def _read(names: tuple[str, ...], colours: tuple[str, ...]) -> dict[str, Any] | None:
    """``names`` as style.py assigns them (colours as ``#RRGGBB``; one it lacks is left
    out), or None when one is not a plain name, hex text, tuple of those or number."""
    found: dict[str, ast.expr] = {}
    for node in ast.parse(STYLE_FILE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    found[target.id] = node.value
    manim = _manim_colours()

    def colour(node: ast.expr | None) -> str | None:
        while isinstance(node, ast.Name) and node.id in found:  # HIGHLIGHT = RESULT
            node = found[node.id]
        named = _from_palette(node)
        if isinstance(named, str) and HEX.fullmatch(named):
            return named.upper()
        if isinstance(node, ast.Name) and node.id in manim:
            return manim[node.id].upper()
        if isinstance(node, ast.Constant) and HEX.fullmatch(str(node.value)):
            return str(node.value).upper()
        return None

    values: dict[str, Any] = {}
    for name in names:
        node = found.get(name)
        if node is None:
            continue
        if name not in colours:
            if not isinstance(node, ast.Constant):
                return None
            values[name] = node.value
        elif isinstance(node, ast.Tuple):  # CLASS_COLORS = (BLUE_C, GOLD_C, ...)
            values[name] = [colour(item) for item in node.elts]
        elif isinstance(_from_palette(node), tuple):  # CLASS_COLORS = palette.CLASS_COLORS
            values[name] = [colour(ast.Constant(item)) for item in _from_palette(node)]
        else:
            values[name] = colour(node)
        if values[name] is None or None in (values[name] if isinstance(values[name], list) else ()):
            return None
    return values


def _from_palette(node: ast.expr | None) -> Any:
    """The value ``palette.NAME`` names in style.py (``scenekit.palette``: no Manim), else None."""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "palette"
    ):
        return None
    from scenekit import palette

    return getattr(palette, node.attr, None)


def style_values(names: tuple[str, ...], colours: tuple[str, ...]) -> dict[str, Any]:
    """The values of ``names`` in :mod:`scenekit.style` (those it has); those in
    ``colours`` as ``#RRGGBB`` (what ``ManimColor(...).to_hex()`` gives)."""
    values = _read(names, colours)
    if values is not None:
        return values
    from manim import ManimColor

    from scenekit import style

    def hex_of(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [hex_of(item) for item in value]
        return ManimColor(value).to_hex()

    return {
        name: hex_of(getattr(style, name)) if name in colours else getattr(style, name)
        for name in names
        if hasattr(style, name)
    }

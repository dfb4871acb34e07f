"""One palette: the lecture's colours are defined once (scenekit/palette.py, no Manim)
and every scene, the style module, the workbook and the page read them from there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT, top_packages_imported

from scenekit import palette

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b")


def _manim_colour_names() -> set[str]:
    """Manim's named colour constants (BLUE_C, ORANGE, ...), read from its source."""
    import importlib.util

    spec = importlib.util.find_spec("manim")
    source = Path(spec.submodule_search_locations[0]) / "utils" / "color" / "manim_colors.py"
    names = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def colour_literals(source: str, manim_names: set[str]) -> list[str]:
    """Every manim colour constant named and every hex colour written in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in manim_names:
            found.append(node.id)
        elif isinstance(node, ast.alias) and node.name in manim_names:
            found.append(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.extend(HEX.findall(node.value))
    return found


def test_no_scene_or_toolkit_module_names_a_colour_itself():
    manim_names = _manim_colour_names()
    assert {"BLUE_C", "ORANGE", "YELLOW", "WHITE"} <= manim_names
    files = sorted((ROOT / "scenes").glob("*.py")) + sorted((ROOT / "scenekit").glob("*.py"))
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in files
        if path.name != "palette.py"
        and (found := colour_literals(path.read_text(encoding="utf-8"), manim_names))
    }
    assert offenders == {}


def test_the_check_catches_a_named_or_hex_colour():
    names = _manim_colour_names()
    assert colour_literals("from manim import BLUE\nx = Dot(color=BLUE)", names) == ["BLUE", "BLUE"]
    assert colour_literals('Dot(color="#ff0000")', names) == ["#ff0000"]
    assert colour_literals("Dot(color=style.INPUT)", names) == []


def test_palette_imports_nothing_heavy_and_style_reads_it():
    assert top_packages_imported("import scenekit.palette", ("manim", "numpy", "torch")) == []
    from scenekit import style

    for role, colour in palette.ROLES.items():
        assert re.fullmatch(r"#[0-9A-F]{6}", colour), role
        assert getattr(style, role.upper()) == colour
    # nine roles, nine colours: no two roles of a network's values look alike
    assert len(set(palette.ROLES.values())) == len(palette.ROLES) == 9
    assert style.CLASS_COLORS == palette.CLASS_COLORS


def test_workbook_and_page_take_their_colours_from_the_palette():
    from mlp_lecture.explorable.palette import style_values
    from mlp_lecture.spreadsheet import cells

    names = ("INPUT", "WEIGHT", "GRADIENT", "CLASS_COLORS")
    page = style_values(names, names)
    assert page["INPUT"] == palette.INPUT and page["GRADIENT"] == palette.GRADIENT
    assert page["CLASS_COLORS"] == list(palette.CLASS_COLORS)
    # darkened for paper: each channel 35 % of the lecture's (rounded), independently computed
    channels = [round(int(palette.INPUT[i : i + 2], 16) * 0.35) for i in (1, 3, 5)]
    assert cells.INPUT_FONT == "#" + "".join(f"{c:02X}" for c in channels)

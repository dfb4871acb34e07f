"""The house a newcomer reads: short modules, privates kept home, a scene folder of scenes.

Read from the source with :mod:`ast` (nothing is imported), so the checks are
quick and see every module, lazy imports inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scenes import LECTURE_ORDER

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mlpmath", "scenekit", "scenes", "mlp_lecture")
BENCH = "bench"  # scripts that import each other by bare name (``from measure import ...``)
MAX_LINES = 500  # a module is under this many lines
SCENE_FOLDER_EXTRAS = {"__init__.py", "template.py", "GUIDE.md"}


def module_files() -> dict[str, Path]:
    """Every module of the project by its dotted name (bench's by their bare names)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    for path in sorted((ROOT / BENCH).glob("*.py")):
        found[path.stem] = path
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The dotted name ``from <level dots><module> import`` means inside ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def private_uses(source: str, importer: str, modules: set[str], is_package: bool = False):
    """Each place ``importer``'s source takes a private name of another project module:
    ``from m import _x`` (a function, or a private module), or ``m._x`` where ``m`` is
    a project module it imported. Yields ``(line, what)``."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}  # a local name -> the project module it is
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source_module = absolute(node.module, node.level, importer, is_package)
            if source_module not in modules or source_module == importer:
                continue
            for alias in node.names:
                if is_private(alias.name):
                    yield node.lineno, f"from {source_module} import {alias.name}"
                full = f"{source_module}.{alias.name}"
                if full in modules:
                    bound[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in {m.split(".")[0] for m in modules}:
                    continue
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    bound[head] = head
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not is_private(node.attr):
            continue
        chain = dotted(node.value)
        if chain is None:
            continue
        head, _, rest = chain.partition(".")
        if head not in bound:
            continue
        module = ".".join(filter(None, [bound[head], rest]))
        if module in modules and module != importer:
            yield node.lineno, f"{module}.{node.attr}"


def test_no_module_takes_another_modules_private_names():
    modules = module_files()
    names = set(modules)
    found = []
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        is_package = path.name == "__init__.py"
        for line, what in private_uses(source, name, names, is_package):
            found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == [], "make the name public on its owner:\n" + "\n".join(found)


MODULES = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c", "pkg._hidden"}


@pytest.mark.parametrize(
    ("source", "importer", "expected"),
    [
        ("from pkg.a import _x", "pkg.b", ["from pkg.a import _x"]),
        ("from pkg.a import x as _x, _y as y", "pkg.b", ["from pkg.a import _y"]),
        ("from . import _hidden", "pkg.b", ["from pkg import _hidden"]),
        ("from .a import _x", "pkg.b", ["from pkg.a import _x"]),
        ("from ..a import _x", "pkg.sub.c", ["from pkg.a import _x"]),
        ("from .c import _x", "pkg.sub", ["from pkg.sub.c import _x"]),  # in the package
        ("def f():\n    from pkg.a import _x", "pkg.b", ["from pkg.a import _x"]),
        ("import pkg.a\npkg.a._x()", "pkg.b", ["pkg.a._x"]),
        ("import pkg.sub.c as c\nc._x", "pkg.b", ["pkg.sub.c._x"]),
        ("from pkg import a\na._x", "pkg.b", ["pkg.a._x"]),
        ("from pkg import sub\nsub.c._x", "pkg.b", ["pkg.sub.c._x"]),
        # not private, not a project module's, or its own
        ("from pkg.a import x\nimport json\njson._x\nself._x", "pkg.b", []),
        ("from pkg.a import __all__\nimport pkg.a\npkg.a.__doc__", "pkg.b", []),
        ("import argparse\nargparse._SubParsersAction", "pkg.b", []),
        ("from pkg.b import _x", "pkg.b", []),
    ],
)
def test_the_private_name_check_sees_each_form(source, importer, expected):
    is_package = importer == "pkg.sub"
    assert [what for _, what in private_uses(source, importer, MODULES, is_package)] == expected


def test_every_module_is_under_500_lines():
    long = {}
    for path in module_files().values():
        with path.open(encoding="utf-8") as lines:
            count = sum(1 for _ in lines)
        if count >= MAX_LINES:
            long[path.relative_to(ROOT).as_posix()] = count
    assert long == {}, f"split these into cohesive modules under {MAX_LINES} lines"


def test_the_scene_folder_holds_only_the_lecture():
    """Scene modules in LECTURE_ORDER, the template, the guide, the package: a reader
    opening ``scenes/`` finds the lecture and nothing else (helpers go to scenekit/)."""
    lecture = {module.removeprefix("scenes.") + ".py" for _, module in LECTURE_ORDER}
    assert all(module.count(".") == 1 for _, module in LECTURE_ORDER)
    held = {path.name for path in (ROOT / "scenes").iterdir() if path.name != "__pycache__"}
    assert held == lecture | SCENE_FOLDER_EXTRAS

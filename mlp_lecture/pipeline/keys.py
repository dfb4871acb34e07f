"""Content keys: a scene is rendered again only when what it would show changes.

A scene's key hashes the lesson's values, the source of every project module
the scene runs (followed through its imports), the versions of the libraries
that draw it, and the render options. Equal keys, equal files.
"""

from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from importlib import metadata, util
from pathlib import Path
from typing import Any

from mlp_lecture.pipeline.options import RenderOptions
from mlpmath import Trace

__all__ = ["KEY_VERSION", "code_files", "digest", "lesson_hash", "package_dirs", "scene_key"]

KEY_VERSION = 2  # bump when what a render directory holds changes shape
# Libraries whose version changes what a clip (or its subtitles) looks like.
RENDER_LIBRARIES = ("manim", "typst", "av", "pycairo", "manimpango", "srt", "webvtt-py")
# Packages whose code scenes run; their modules join a scene's key when imported.
CODE_PACKAGES = ("scenes", "scenekit", "mlpmath", "mlp_lecture")
# Package front doors that no scene runs: scenes/__init__.py holds only the
# lecture order (adding a scene there must not invalidate every other scene's
# cache) and mlp_lecture/__init__.py only the notebook API's names.
KEY_EXCLUDED = frozenset({"scenes", "mlp_lecture"})
WORKER_MODULE = "mlp_lecture.pipeline.worker"


def digest(data: Any) -> str:
    """The sha256 of ``data`` as canonical JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lesson_hash(trace: Trace) -> str:
    """The hash of every value a scene of this lesson can show, its title and its name.

    The name is no clip's content, but each ledger records it (and ``verify``
    holds it to the manifest's), so it keys what a render writes. Where the
    lesson came from does not: a lesson made in Python and the same lesson
    read from a file under the same name have one hash (their traces are one
    trace cache entry whatever their names).
    """
    return digest(trace.to_dict())


@lru_cache(maxsize=1)
def package_dirs() -> dict[str, Path]:
    """Each project package's source folder (found without importing it)."""
    roots = {}
    for package in CODE_PACKAGES:
        spec = util.find_spec(package)
        if spec is not None and spec.origin:
            roots[package] = Path(spec.origin).resolve().parent
    return roots


def _module_file(module: str, roots: dict[str, Path]) -> Path | None:
    package, *rest = module.split(".")
    if package not in roots:
        return None
    base = roots[package].joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if rest and candidate.is_file():
            return candidate
    if not rest:
        return roots[package] / "__init__.py"
    return None


def _imported_modules(path: Path, module: str) -> frozenset[str]:
    """Every module named by an import statement in ``path`` (and its packages)."""
    stat = path.stat()
    return _imports_of(str(path), module, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _imports_of(file: str, module: str, mtime: int, size: int) -> frozenset[str]:
    path = Path(file)
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):  # being edited: its own bytes still key it
        return frozenset()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    closed = set()
    for name in names:
        parts = name.split(".")
        closed.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(closed)


def code_files(module: str) -> list[Path]:
    """The project's source files a module runs: itself and what it imports, transitively.

    Static imports of the project's packages are followed; other scenes'
    modules are not part of it unless imported.
    """
    roots = package_dirs()
    seen: dict[str, Path] = {}
    queue = [module]
    while queue:
        name = queue.pop()
        if name in seen or name in KEY_EXCLUDED:
            continue
        path = _module_file(name, roots)
        if path is None:
            continue
        seen[name] = path
        queue.extend(_imported_modules(path, name))
    return sorted(set(seen.values()))


@lru_cache(maxsize=1)
def _library_versions() -> dict[str, str]:
    versions = {}
    for name in RENDER_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def scene_key(
    scene: str,
    module: str,
    lesson_digest: str,
    options: RenderOptions,
    narration: list[object] | None = None,
) -> str:
    """The content key of one scene's render: equal keys, equal files.

    ``narration`` is the scene's part of a narrated render (``NarrationPlan.key``:
    each step's sentence and audio hashes), so a changed recording renders only
    its scene again; None for a render without narration.
    """
    modules = [module, WORKER_MODULE]
    if options.wrapper:
        modules.append(options.wrapper.partition(":")[0])
    files = sorted({path for name in modules for path in code_files(name)})
    roots = package_dirs()

    def relative(path: Path) -> str:
        for package, root in roots.items():
            if path.is_relative_to(root):
                return f"{package}/{path.relative_to(root).as_posix()}"
        return path.name

    code = {relative(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    keyed = {
        "scene": scene,
        "lesson": lesson_digest,
        "code": code,
        "libraries": _library_versions(),
        "options": options.to_json(),
        "manifest": KEY_VERSION,
    }
    if narration is not None:
        keyed["narration"] = narration
    return digest(keyed)

"""The explorable page: a lesson in the browser, every number recomputed on an edit.

``write_explore(lesson, out_dir)`` writes ``index.html`` with its scripts, its
style and a copy of KaTeX beside it: nothing is fetched from a network and it
works from ``file://``. The lesson's parameters and data ride in the page as
JSON; ``page/maths.js`` recomputes the whole trace from them in the browser
(the same paths and numbers as ``mlp-lecture trace --json``), ``page/app.js``
only draws what it returns. Names come from :mod:`mlpmath.numbering` and
colours from :mod:`scenekit.style` (read without Manim: ``palette``), read
here when the page is built, so the page and the clips cannot drift apart.
A render directory gets the page too (``publish``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlpmath import Lesson, Trace

__all__ = [
    "PAGE_FILES",
    "ExploreError",
    "assemble",
    "default_explore_dir",
    "is_page_dir",
    "page_files",
    "page_lesson",
    "page_view",
    "write_explore",
]

PAGE_DIR = Path(__file__).parent / "page"
# What a page directory holds: these files and katex/; nothing else is ever written there.
PAGE_FILES = (
    *("index.html", "display.js", "lesson_file.js", "maths.js", "loss_views.js", "app.js"),
    "style.css",
)
KATEX = "katex"
GENERATOR = "mlp-lecture explore"  # the page's <meta name="generator">: how a rebuild knows it
STAGE_PREFIX = ".explore-"


class ExploreError(Exception):
    """The page cannot be written; the message is one line naming the path."""


def default_explore_dir(lesson: Lesson) -> Path:
    """``renders/<lesson>/explore``: beside the lesson's renders."""
    from mlp_lecture.pipeline.options import lesson_folder

    return lesson_folder(lesson) / "explore"


def page_lesson(lesson: Lesson, trace: Trace | None = None) -> dict[str, Any]:
    """The lesson as the page's maths reads it: every parameter given (drawn ones as
    the trace draws them, rounded to the shown decimals), data and training.

    Drawn parameters come from the lesson's ``trace`` (the trace cache's when not
    given: no torch when it holds the lesson).
    """
    from mlpmath.schema import empty_fields
    from mlpmath.trace import NetworkTrace

    spec = lesson.network
    if spec.layers and trace is None:
        parameters = [(layer.weight, layer.bias) for layer in spec.layers]
    else:
        from mlpmath import cached_trace

        trace = trace or cached_trace(lesson)
        parameters = [(layer.weight, layer.bias) for layer in trace.network.layers]
    return {
        "name": lesson.name,
        "title": lesson.title,
        "decimals": lesson.decimals,
        "loss": spec.loss,
        "neurons": [
            {
                "inputs": [list(row) for row in n.inputs],
                "weight": list(n.weight),
                "bias": n.bias,
                "activation": n.activation,
            }
            for n in lesson.neurons
        ],
        "network": {
            "sizes": list(spec.sizes),
            "activation": spec.activation,
            "output_activation": spec.output_activation,
            "activations": list(spec.activations),
            "seed": spec.seed,
            "layers": [
                {"weight": [list(row) for row in weight], "bias": list(bias)}
                for weight, bias in parameters
            ],
        },
        "data": {
            "inputs": [list(row) for row in lesson.inputs],
            "targets": [list(row) for row in lesson.targets],
            "classes": list(lesson.classes),
            "class_names": list(lesson.class_names),
        },
        "training": {"learning_rate": lesson.learning_rate, "steps": lesson.steps},
        # what a trace of this loss holds in the other loss's fields ([] or null), from
        # mlpmath's records (mlpmath.schema): the page keeps no list of them
        "empty": {"network": empty_fields(NetworkTrace, spec.loss)},
    }


def page_view(lesson: Lesson) -> dict[str, Any]:
    """What the view needs beside the numbers: the lecture's names and colours."""
    from mlp_lecture.explorable.palette import style_values
    from mlpmath.numbering import bias_name, neuron_name, neuron_tag, weight_name

    sizes = lesson.network.sizes
    # a classifier's output neuron k is class k (mlpmath.notation): z0, w3,0, b0
    classifier = lesson.network.loss != "mse"
    roles = ("TEXT", "MUTED", "INPUT", "WEIGHT", "BIAS", "RESULT", "ACTIVE", "CLAMPED")
    roles += ("GRADIENT", "UPDATED", "CORRECT", "WRONG")
    limits = ("MAX_DIAGRAM_NEURONS", "MAX_LABELLED_NEURONS", "MAX_EDGE_LABELS", "LOG_SCALE_RATIO")
    style = style_values((*roles, "CLASS_COLORS", *limits), (*roles, "CLASS_COLORS"))
    palette = {name.lower(): style[name] for name in roles if name in style}
    return {
        "palette": palette,
        # a colour per class, cycled (the lecture's, when style.py names them)
        "classes": style.get("CLASS_COLORS") or [palette[r] for r in ("input", "weight", "active")],
        "limits": {
            "diagram_neurons": style["MAX_DIAGRAM_NEURONS"],
            "labelled_neurons": style["MAX_LABELLED_NEURONS"],
            "edge_labels": style["MAX_EDGE_LABELS"],
            "log_scale_ratio": style["LOG_SCALE_RATIO"],
        },
        "names": {
            "neurons": [
                [neuron_name(sizes, layer, i, classifier=classifier) for i in range(size)]
                for layer, size in enumerate(sizes)
            ],
            "tags": [
                [neuron_tag(sizes, layer, i, classifier=classifier) for i in range(size)]
                for layer, size in enumerate(sizes)
            ],
            "weights": [
                [
                    [
                        weight_name(sizes, layer, r, c, classifier=classifier)
                        for c in range(sizes[layer])
                    ]
                    for r in range(sizes[layer + 1])
                ]
                for layer in range(len(sizes) - 1)
            ],
            "biases": [
                [bias_name(sizes, layer, i, classifier=classifier) for i in range(sizes[layer + 1])]
                for layer in range(len(sizes) - 1)
            ],
        },
    }


def _script_json(value: Any) -> str:
    """JSON that stays inert inside a <script> element, whatever its text holds."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(lesson: Lesson, trace: Trace | None = None) -> str:
    """``index.html`` of the page for ``lesson``.

    The template's placeholders are filled in one pass, so a title that holds
    ``{{ view_json }}`` stays text.
    """
    template = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    values = {
        "title": html.escape(lesson.title),
        "generator": GENERATOR,
        "lesson_json": _script_json(page_lesson(lesson, trace)),
        "view_json": _script_json(page_view(lesson)),
    }
    return re.sub(r"\{\{ (\w+) \}\}", lambda match: values[match.group(1)], template)


def is_page_dir(folder: Path) -> bool:
    """Does ``folder`` hold only what this module writes (so replacing it loses nothing)?"""
    if folder.is_symlink() or not folder.is_dir():
        return False
    entries = {entry.name for entry in folder.iterdir()}
    if not entries:
        return True
    if not entries <= {*PAGE_FILES, KATEX} or "index.html" not in entries:
        return False
    head = (folder / "index.html").read_text(encoding="utf-8", errors="replace")[:2000]
    return f'<meta name="generator" content="{GENERATOR}">' in head


def page_files(lesson: Lesson, trace: Trace | None = None) -> dict[str, bytes | Path]:
    """Every file of the page (path inside its folder -> its text, or the file to copy).

    Raises :class:`~mlp_lecture.explorable.katex.KaTeXError` when KaTeX cannot be had.
    """
    from mlp_lecture.explorable.katex import ensure_katex

    katex = ensure_katex() / "dist"
    files: dict[str, bytes | Path] = {"index.html": page_html(lesson, trace).encode("utf-8")}
    for name in PAGE_FILES[1:]:
        files[name] = PAGE_DIR / name
    for name in ("katex.min.js", "katex.min.css"):
        files[f"{KATEX}/{name}"] = katex / name
    for font in sorted((katex / "fonts").glob("*.woff2")):
        files[f"{KATEX}/fonts/{font.name}"] = font
    return files


def assemble(files: dict[str, bytes | Path], folder: Path) -> None:
    """Write ``files`` (as :func:`page_files` gives them) into the new ``folder``."""
    folder.mkdir()
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)
        os.chmod(target, 0o644)


def write_explore(lesson: Lesson, out_dir: str | Path, stage: Path | None = None) -> Path:
    """Write the page for ``lesson`` into ``out_dir`` (made, or replaced whole when it
    holds an earlier page and nothing else); returns ``out_dir/index.html``.

    The page is written in a temporary folder in ``stage`` (default: beside
    ``out_dir``) and swapped in whole. Raises :class:`ExploreError` when
    ``out_dir`` is a file or holds anything this module did not write: nothing
    of the user's is touched.
    """
    out = Path(out_dir)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ExploreError(f"{out}: is a file, not a directory for the page")
    if out.is_dir() and not is_page_dir(out):
        raise ExploreError(
            f"{out}: holds files that are not an explorable page; choose an empty or new -o"
        )
    files = page_files(lesson)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=STAGE_PREFIX, dir=stage or out.parent) as work:
        staged = Path(work) / "page"
        assemble(files, staged)
        if out.exists():
            os.replace(out, Path(work) / "old")
        os.replace(staged, out)
    return out / "index.html"

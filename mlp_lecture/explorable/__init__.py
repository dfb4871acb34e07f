"""The explorable page: a lesson in the browser, every number recomputed on an edit.

``write_explore(lesson, out_dir)`` writes ``index.html`` with its scripts, its
style and a copy of KaTeX beside it: nothing is fetched from a network and it
works from ``file://``. The lesson's parameters and data ride in the page as
JSON; ``page/maths.js`` recomputes the whole trace from them in the browser
(the same paths and numbers as ``mlp-lecture trace --json``), ``page/app.js``
only draws what it returns. Names come from :mod:`mlpmath.numbering` and
colours from :mod:`scenekit.style`, read here when the page is built, so the
page and the clips cannot drift apart.
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
    from mlpmath import Lesson

__all__ = [
    "PAGE_FILES",
    "ExploreError",
    "default_explore_dir",
    "page_lesson",
    "page_view",
    "write_explore",
]

PAGE_DIR = Path(__file__).parent / "page"
# What a page directory holds: these files and katex/; nothing else is ever written there.
PAGE_FILES = ("index.html", "maths.js", "app.js", "style.css")
KATEX = "katex"
GENERATOR = "mlp-lecture explore"  # the page's <meta name="generator">: how a rebuild knows it
STAGE_PREFIX = ".explore-"


class ExploreError(Exception):
    """The page cannot be written; the message is one line naming the path."""


def default_explore_dir(lesson: Lesson) -> Path:
    """``renders/<lesson>/explore``: beside the lesson's renders."""
    from mlp_lecture.pipeline.options import lesson_folder

    return lesson_folder(lesson) / "explore"


def page_lesson(lesson: Lesson) -> dict[str, Any]:
    """The lesson as the page's maths reads it: every parameter given (drawn ones as
    the trace draws them, rounded to the shown decimals), data and training."""
    from mlpmath.compute import initial_parameters

    spec = lesson.network
    parameters = initial_parameters(spec, lesson.decimals)
    return {
        "name": lesson.name,
        "title": lesson.title,
        "decimals": lesson.decimals,
        "loss": "mse",
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
                {"weight": weight.tolist(), "bias": bias.tolist()} for weight, bias in parameters
            ],
        },
        "data": {
            "inputs": [list(row) for row in lesson.inputs],
            "targets": [list(row) for row in lesson.targets],
        },
        "training": {"learning_rate": lesson.learning_rate, "steps": lesson.steps},
    }


def page_view(lesson: Lesson) -> dict[str, Any]:
    """What the view needs beside the numbers: the lecture's names and colours."""
    from manim import ManimColor

    from mlpmath.numbering import bias_name, neuron_name, weight_name
    from scenekit import style

    sizes = lesson.network.sizes
    colours = ("TEXT", "MUTED", "INPUT", "WEIGHT", "BIAS", "RESULT", "ACTIVE", "CLAMPED")
    colours += ("GRADIENT", "UPDATED")
    return {
        "palette": {name.lower(): ManimColor(getattr(style, name)).to_hex() for name in colours},
        "limits": {
            "diagram_neurons": style.MAX_DIAGRAM_NEURONS,
            "labelled_neurons": style.MAX_LABELLED_NEURONS,
            "edge_labels": style.MAX_EDGE_LABELS,
            "log_scale_ratio": style.LOG_SCALE_RATIO,
        },
        "names": {
            "neurons": [
                [neuron_name(sizes, layer, i) for i in range(size)]
                for layer, size in enumerate(sizes)
            ],
            "weights": [
                [
                    [weight_name(sizes, layer, r, c) for c in range(sizes[layer])]
                    for r in range(sizes[layer + 1])
                ]
                for layer in range(len(sizes) - 1)
            ],
            "biases": [
                [bias_name(sizes, layer, i) for i in range(sizes[layer + 1])]
                for layer in range(len(sizes) - 1)
            ],
        },
    }


def _script_json(value: Any) -> str:
    """JSON that stays inert inside a <script> element, whatever its text holds."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(lesson: Lesson) -> str:
    """``index.html`` of the page for ``lesson``.

    The template's placeholders are filled in one pass, so a title that holds
    ``{{ view_json }}`` stays text.
    """
    template = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    values = {
        "title": html.escape(lesson.title),
        "generator": GENERATOR,
        "lesson_json": _script_json(page_lesson(lesson)),
        "view_json": _script_json(page_view(lesson)),
    }
    return re.sub(r"\{\{ (\w+) \}\}", lambda match: values[match.group(1)], template)


def _is_page_dir(folder: Path) -> bool:
    """Does ``folder`` hold only what this module writes (so replacing it loses nothing)?"""
    entries = {entry.name for entry in folder.iterdir()}
    if not entries:
        return True
    if not entries <= {*PAGE_FILES, KATEX} or "index.html" not in entries:
        return False
    head = (folder / "index.html").read_text(encoding="utf-8", errors="replace")[:2000]
    return f'<meta name="generator" content="{GENERATOR}">' in head


def write_explore(lesson: Lesson, out_dir: str | Path, stage: Path | None = None) -> Path:
    """Write the page for ``lesson`` into ``out_dir`` (made, or replaced whole when it
    holds an earlier page and nothing else); returns ``out_dir/index.html``.

    The page is written in a temporary folder in ``stage`` (default: beside
    ``out_dir``) and swapped in whole. Raises :class:`ExploreError` when
    ``out_dir`` is a file or holds anything this module did not write: nothing
    of the user's is touched.
    """
    from mlp_lecture.explorable.katex import ensure_katex

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExploreError(f"{out}: is a file, not a directory for the page")
    if out.is_dir() and not _is_page_dir(out):
        raise ExploreError(
            f"{out}: holds files that are not an explorable page; choose an empty or new -o"
        )
    katex = ensure_katex() / "dist"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=STAGE_PREFIX, dir=stage or out.parent) as work:
        staged = Path(work) / "page"
        staged.mkdir()
        (staged / "index.html").write_text(page_html(lesson), encoding="utf-8")
        for name in PAGE_FILES[1:]:
            shutil.copyfile(PAGE_DIR / name, staged / name)
        (staged / KATEX / "fonts").mkdir(parents=True)
        for name in ("katex.min.js", "katex.min.css"):
            shutil.copyfile(katex / name, staged / KATEX / name)
        for font in (katex / "fonts").glob("*.woff2"):
            shutil.copyfile(font, staged / KATEX / "fonts" / font.name)
        if out.exists():
            os.replace(out, Path(work) / "old")
        os.replace(staged, out)
    return out / "index.html"

"""Sphinx configuration of the mlp-lecture manual (``make docs`` -> build/docs/).

Markdown pages (MyST) in the Diátaxis sections, the furo theme, no asset
from a CDN (the site opens from disk, offline), and the generated reference
(commands, trace paths, lesson limits) from ``_ext/mlp_docs.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

project = "mlp-lecture"
author = "the mlp-lecture authors"
copyright = "the mlp-lecture authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "mlp_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/_*.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3  # #the-trace-cache style anchors, as on GitHub

html_theme = "furo"
html_title = "mlp-lecture"
html_static_path = ["_static"]
html_css_files = ["mlp.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
# furo loads nothing from the network; keep every page free of outside scripts and fonts
html_theme_options = {"navigation_with_keys": True}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
# The notebook API is lazy (mlp_lecture.__getattr__); autodoc imports the real modules.
suppress_warnings = ["myst.header", "toc.empty_glob"]
nitpicky = False

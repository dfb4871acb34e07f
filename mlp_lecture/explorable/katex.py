"""KaTeX, brought in from the npm registry, so the explorable page typesets offline.

As reveal.js for the HTML deck (:mod:`mlp_lecture.revealjs`): the published
``katex`` package is fetched once (by setup, or by the first page built),
checked against the registry's sha512 and unpacked into the virtual
environment; a page gets a copy of its ``dist/`` files beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlp_lecture.revealjs import RevealJSError, ensure_npm_package, npm_package_dir

__all__ = ["KATEX_VERSION", "KaTeXError", "ensure_katex", "katex_dir"]

KATEX_VERSION = "0.19.1"
TARBALL_URL = f"https://registry.npmjs.org/katex/-/katex-{KATEX_VERSION}.tgz"
# The registry's `dist.integrity` of that tarball.
TARBALL_SHA512 = (
    "jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="
)


class KaTeXError(RevealJSError):
    """KaTeX cannot be had; the message is one line saying what to do. A kind of
    RevealJSError (an npm asset missing), so a deck build reports both alike."""


def katex_dir() -> Path:
    """Where the unpacked package lives: inside the active virtual environment."""
    return npm_package_dir("katex", KATEX_VERSION)


def ensure_katex() -> Path:
    """The unpacked katex package (its ``dist/`` inside), fetched if missing."""
    return ensure_npm_package(
        f"katex {KATEX_VERSION}",
        TARBALL_URL,
        TARBALL_SHA512,
        katex_dir(),
        "dist/katex.min.js",
        KaTeXError,
    )


if __name__ == "__main__":  # `python -m mlp_lecture.explorable.katex`: what setup runs
    try:
        print(ensure_katex())
    except KaTeXError as error:
        print(f"setup: {error}", file=sys.stderr)
        sys.exit(1)

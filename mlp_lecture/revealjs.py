"""reveal.js, brought in from the npm registry, so an HTML deck plays with no network.

manim-slides' HTML deck loads reveal.js from a CDN when it is viewed. The
deck instead points at a copy beside it, taken from the published npm
package: fetched once (by setup, or by the first deck build), checked
against the registry's sha512, and unpacked into the virtual environment.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

__all__ = ["REVEAL_VERSION", "RevealJSError", "ensure_revealjs"]

# The version manim-slides 5.7's template is written for.
REVEAL_VERSION = "6.0.1"
TARBALL_URL = f"https://registry.npmjs.org/reveal.js/-/reveal.js-{REVEAL_VERSION}.tgz"
# The registry's `dist.integrity` of that tarball.
TARBALL_SHA512 = (
    "9eacArNIgqO2HGWOK+93gJNn+gvdGDVbSq+i2u3Ja9kjiHps0XNLpgYTZTYjKRH91uXy3clGimeGiw4umHG/tg=="
)
TIMEOUT_SECONDS = 60


class RevealJSError(Exception):
    """reveal.js cannot be had; the message is one line saying what to do."""


def revealjs_dir() -> Path:
    """Where the unpacked package lives: inside the active virtual environment."""
    return Path(sys.prefix) / "share" / "mlp-lecture" / f"reveal.js-{REVEAL_VERSION}"


def ensure_revealjs() -> Path:
    """The unpacked reveal.js package (its ``dist/`` inside), fetched if missing."""
    target = revealjs_dir()
    if (target / "dist" / "reveal.js").is_file():
        return target
    try:
        with urllib.request.urlopen(TARBALL_URL, timeout=TIMEOUT_SECONDS) as response:
            tarball = response.read()
    except OSError as error:
        raise RevealJSError(
            f"cannot fetch reveal.js {REVEAL_VERSION} from the npm registry ({error}); "
            "connect once and run `make setup` again"
        ) from None
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != TARBALL_SHA512:
        raise RevealJSError(
            f"the reveal.js {REVEAL_VERSION} download does not match its registry checksum"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as unpacked:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            archive.extractall(unpacked, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (Path(unpacked) / "package").rename(target)
    return target


if __name__ == "__main__":  # `python -m mlp_lecture.revealjs`: what setup runs
    try:
        print(ensure_revealjs())
    except RevealJSError as error:
        print(f"setup: {error}", file=sys.stderr)
        sys.exit(1)

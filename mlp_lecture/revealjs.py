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

__all__ = [
    "REVEAL_VERSION",
    "RevealJSError",
    "ensure_npm_package",
    "ensure_revealjs",
    "npm_package_dir",
]

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
    return npm_package_dir("reveal.js", REVEAL_VERSION)


def npm_package_dir(name: str, version: str) -> Path:
    """Where an unpacked npm package lives: inside the active virtual environment."""
    return Path(sys.prefix) / "share" / "mlp-lecture" / f"{name}-{version}"


def ensure_revealjs() -> Path:
    """The unpacked reveal.js package (its ``dist/`` inside), fetched if missing."""
    return ensure_npm_package(
        f"reveal.js {REVEAL_VERSION}",
        TARBALL_URL,
        TARBALL_SHA512,
        revealjs_dir(),
        "dist/reveal.js",
        RevealJSError,
    )


def ensure_npm_package(
    label: str, url: str, sha512: str, target: Path, marker: str, error: type[Exception]
) -> Path:
    """An npm package's tarball at ``url``, unpacked into ``target``, unless ``marker``
    (a file of it) is there already; checked against the registry's ``sha512`` (its
    ``dist.integrity``). ``error`` says, in one line, what to do when it cannot be had.
    """
    if (target / marker).is_file():
        return target
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            tarball = response.read()
    except OSError as failure:
        raise error(
            f"cannot fetch {label} from the npm registry ({failure}); "
            "connect once and run `make setup` again"
        ) from None
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != sha512:
        raise error(f"the {label} download does not match its registry checksum")
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

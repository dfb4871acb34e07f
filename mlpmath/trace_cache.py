"""The trace cache: a lesson's trace kept as JSON, so reading its numbers needs no torch.

Computing a lesson takes milliseconds; importing torch to compute it takes
seconds, and was most of what ``mlp-lecture trace``, ``verify`` and a render
with nothing to do spent. ``cached_trace`` returns the trace stored for the
same lesson, computed by the same ``mlpmath`` source with the same torch, and
imports torch only when there is none. The key is the sha256 of the lesson's
content (its numbers, title, activations and decimals; not its name, which is
only where it renders), the bytes of every ``mlpmath`` source file, torch's
build, Python's version and the machine's kind: an edit to ``mlpmath`` or a torch
upgrade computes afresh, and a stored trace is what a fresh one would be.

The cache lives in ``$MLP_LECTURE_CACHE/traces`` (default
``$XDG_CACHE_HOME/mlp-lecture/traces``, that is ``~/.cache/...``), one file
per key: a header line (the key and the sha256 of the rest) and the trace as
``Trace.to_json``. A file that is unreadable, damaged, truncated, too large
or not a file is as good as absent: the trace is computed and the file
written again (atomically). The cache never makes a command fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from contextlib import suppress
from dataclasses import replace
from importlib import util
from pathlib import Path

from mlpmath.lesson import Lesson
from mlpmath.trace import Trace, exact_json

__all__ = [
    "CACHE_ENV",
    "MAX_CACHE_BYTES",
    "MAX_ENTRIES",
    "SOURCE_DIR",
    "cache_dir",
    "cached_trace",
    "torch_build",
    "trace_key",
]

CACHE_ENV = "MLP_LECTURE_CACHE"  # the cache's folder (tests point it at a temporary one)
# The largest lesson the limits allow holds about 2.2 million numbers, some
# 60 MB of JSON; a larger file is damage, not a trace, and is never read.
MAX_CACHE_BYTES = 128 * 2**20
MAX_ENTRIES = 64  # traces kept; the least recently used go first
STALE_SECONDS = 3600  # a temporary file this old was left by a killed process
SUFFIX = ".json"
SOURCE_DIR = Path(__file__).resolve().parent  # mlpmath: every .py in it keys the cache


def cache_dir() -> Path:
    """Where traces are kept: ``$MLP_LECTURE_CACHE/traces``, else the XDG cache's."""
    override = os.environ.get(CACHE_ENV, "")
    if override:
        return Path(override) / "traces"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # XDG: absolute only
    return base / "mlp-lecture" / "traces"


def trace_key(lesson: Lesson) -> str:
    """The sha256 of everything a lesson's trace depends on."""
    numbers = exact_json(lesson)
    del numbers["source"]  # its comments do not change a number
    # Its name is where it renders (a file's stem, renders/NAME/), not what it holds:
    # the same lesson from a file or from Python shares one entry. (The title is
    # content: a file without one is titled by its name.)
    del numbers["name"]
    sources = {
        path.relative_to(SOURCE_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(SOURCE_DIR.rglob("*.py"))
    }
    key = {
        "lesson": numbers,
        "mlpmath": sources,
        "torch": torch_build(),
        "python": sys.version,
        "machine": _machine(),
    }
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _machine() -> str:
    """The processor's kind (``x86_64``): float results can differ across kinds."""
    if hasattr(os, "uname"):
        return os.uname().machine
    import platform  # imports more than it is worth where os.uname answers

    return platform.machine()


def torch_build() -> str:
    """The sha256 of torch's ``version.py`` (its version and git commit), found without
    importing torch, or importlib.metadata: that import alone costs a tenth of a second."""
    spec = util.find_spec("torch")
    if spec is None or not spec.origin:
        return "absent"
    try:
        return hashlib.sha256(Path(spec.origin).with_name("version.py").read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def cached_trace(lesson: Lesson, *, recompute: bool = False) -> Trace:
    """The trace of ``lesson``: the stored one when its key matches, else computed and stored.

    ``recompute`` ignores what is stored (and stores the fresh trace): the
    check that does not trust the cache.
    """
    key = trace_key(lesson)
    path = cache_dir() / f"{key}{SUFFIX}"
    if not recompute:
        trace = _load(path, key)
        if trace is not None:
            with suppress(OSError):
                os.utime(path)  # recently used: pruned last
            # stored under the name of whichever lesson computed it first
            return replace(trace, lesson=lesson.name)
    from mlpmath.compute import compute_trace  # imports torch

    trace = compute_trace(lesson)
    _store(path, key, trace)
    return trace


def _load(path: Path, key: str) -> Trace | None:
    """The trace stored at ``path`` under ``key``, or None when it is not there intact."""
    try:
        # O_NONBLOCK: a FIFO in the file's place must not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_CACHE_BYTES:
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    header, _, payload = data.partition(b"\n")
    try:
        meta = json.loads(header)
        if (
            not isinstance(meta, dict)
            or meta.get("key") != key
            or meta.get("sha256") != hashlib.sha256(payload).hexdigest()
        ):
            return None
        return Trace.from_json(json.loads(payload))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, not a trace
        return None


def _store(path: Path, key: str, trace: Trace) -> None:
    """Write ``trace`` to ``path`` whole or not at all; a failure only means no cache."""
    payload = json.dumps(trace.to_json(), separators=(",", ":"), allow_nan=False).encode()
    header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    if len(header) + 1 + len(payload) > MAX_CACHE_BYTES:
        return
    import tempfile  # only here: a hit needs none of it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            path.rmdir()  # an empty directory in its place; a full one stays, and so does OSError
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent
        )
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(header + b"\n" + payload)
            os.replace(temporary, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the ``MAX_ENTRIES`` most recently used traces; drop temporary files left behind."""
    try:
        entries = [(path.stat().st_mtime, path) for path in folder.iterdir()]
    except OSError:
        return
    now = time.time()
    traces = sorted(
        ((mtime, path) for mtime, path in entries if path.name.endswith(SUFFIX)), reverse=True
    )
    stale = [path for _, path in traces[MAX_ENTRIES:]]
    stale += [
        path
        for mtime, path in entries
        if path.name.startswith(".") and path.name.endswith(".tmp") and now - mtime > STALE_SECONDS
    ]
    for path in stale:
        with suppress(OSError):
            path.unlink()

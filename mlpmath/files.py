"""Reading a file someone else may have planted: regular files only, never through a
symlink, never more than a stated size.

``mlp-lecture verify`` reads a directory anyone could have written: a ledger
that is a symlink to ``/dev/zero`` must be refused at once, not read until
memory runs out. Every file it reads goes through here.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path, PurePosixPath

__all__ = ["FileRefused", "inside", "read_regular", "regular_sha256", "regular_size"]

BLOCK = 1 << 20


class FileRefused(ValueError):
    """A file that is not read: a symlink, not a regular file, or too large (one line)."""


def inside(root: Path, name: str) -> Path:
    """``root / name`` for a relative ``name`` that stays in ``root``: no ``..``, no
    absolute path, no folder on the way that is a symlink (``FileRefused`` otherwise)."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
        raise FileRefused("not a file name inside the directory")
    path = root
    for part in parts[:-1]:
        path = path / part
        if path.is_symlink():
            raise FileRefused(f"{part}/ is a symbolic link (not followed)")
    return path / parts[-1]


def _open(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at ``path`` (not followed if a symlink) and its status."""
    try:
        # O_NOFOLLOW: a symlink is refused; O_NONBLOCK: a FIFO never waits for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise FileRefused("a symbolic link (not followed)") from None
        raise
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        kind = "a directory" if stat.S_ISDIR(status.st_mode) else "a device, FIFO or socket"
        raise FileRefused(f"not a regular file ({kind})")
    return descriptor, status


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``FileRefused`` for a symlink, anything but a regular file, or a file over
    ``limit`` bytes (checked before reading, and again while reading: never
    more than ``limit + 1`` bytes are read); ``OSError`` when it cannot be opened.
    """
    descriptor, status = _open(path)
    try:
        if status.st_size > limit:
            raise FileRefused(f"{status.st_size:,} bytes, more than the {limit:,} allowed")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise FileRefused(f"more than the {limit:,} bytes allowed")
    return data


def regular_size(path: Path) -> int:
    """The size of the regular file at ``path`` (``FileRefused`` as ``read_regular``)."""
    status = os.lstat(path)
    if stat.S_ISLNK(status.st_mode):
        raise FileRefused("a symbolic link (not followed)")
    if not stat.S_ISREG(status.st_mode):
        raise FileRefused("not a regular file")
    return status.st_size


def regular_sha256(path: Path) -> str:
    """The hex sha256 of the regular file at ``path``, read to its size when opened."""
    descriptor, status = _open(path)
    digest = hashlib.sha256()
    left = status.st_size
    try:
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            while left > 0:
                block = file.read(min(BLOCK, left))
                if not block:
                    break
                digest.update(block)
                left -= len(block)
    finally:
        os.close(descriptor)
    return digest.hexdigest()

"""The explorable page in a render directory: ``DIR/explore/``, recorded as ours.

A render (and so ``slides``, whose HTML deck links to it) writes the lesson's
page beside its clips, under the render directory's rules (``pipeline.ownership``):

- the manifest lists every file of the page with its size and sha256
  (``Manifest.page``, the ``explore`` record), so ``verify`` checks them as it
  checks the clips, and a later render may replace them;
- the page is written in the render's work directory and swapped in whole;
- an ``explore/`` that is not ours (not in the manifest, and not a page
  ``mlp-lecture explore`` wrote: ``is_page_dir``) is left as it is, and the
  render says it wrote no page;
- the record's key digests the files' hashes: a render whose page would be the
  same (the lesson, the page's code, KaTeX and the palette unchanged) writes
  nothing, which keeps a warm render cheap.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from mlp_lecture.explorable import assemble, is_page_dir, page_files
from mlp_lecture.explorable.katex import KaTeXError
from mlp_lecture.pipeline.keys import digest
from mlp_lecture.pipeline.manifest import PageEntry
from mlp_lecture.pipeline.ownership import Ownership, clear_pending, write_pending

if TYPE_CHECKING:
    from mlp_lecture.pipeline.directory import OutputDirectory
    from mlpmath import Lesson, Trace

__all__ = ["PAGE_FOLDER", "publish_page"]

PAGE_FOLDER = "explore"  # in DIR; the HTML deck links to PAGE_FOLDER/index.html


def publish_page(
    directory: OutputDirectory, lesson: Lesson, trace: Trace
) -> tuple[Path | None, str | None]:
    """Bring ``DIR/explore/`` up to date with ``lesson``: (its index.html, or None; a
    one-line note when the page could not be written, else None).

    Nothing is written for a directory that holds no scene (a render that
    published nothing leaves nothing new).
    """
    manifest = directory.manifest
    out_dir = directory.out_dir
    folder = out_dir / PAGE_FOLDER
    if not manifest.scenes:
        return None, None
    try:
        files = page_files(lesson, trace)
    except KaTeXError as error:
        return None, f"{folder}: the explorable page is not written ({error})"
    sizes: dict[str, int] = {}
    hashes: dict[str, str] = {}
    for name, content in files.items():
        data = content.read_bytes() if isinstance(content, Path) else content
        sizes[f"{PAGE_FOLDER}/{name}"] = len(data)
        hashes[f"{PAGE_FOLDER}/{name}"] = hashlib.sha256(data).hexdigest()
    key = digest(hashes)
    old = manifest.page
    if old is not None and old.key == key and old.complete_in(out_dir):
        return folder / "index.html", None  # the same page: left alone
    in_the_way = Ownership(out_dir, manifest).in_the_way(PAGE_FOLDER)
    if in_the_way is not None and not is_page_dir(folder):
        return None, (
            f"{in_the_way}: not written by mlp-lecture, so the explorable page is not "
            f"written; move it away to get {PAGE_FOLDER}/"
        )
    staged = directory.work / "explore-page"
    assemble(files, staged)
    # Until the manifest lists them, the new files are proved ours by their hashes.
    write_pending(directory.work, {name: [sha] for name, sha in hashes.items()})
    manifest.page = None
    directory.save()
    if os.path.lexists(folder):
        os.replace(folder, directory.work / "explore-old")  # removed with the work directory
    os.replace(staged, folder)
    manifest.page = PageEntry(PAGE_FOLDER, key, sizes, hashes)
    directory.save()
    clear_pending(directory.work)
    return folder / "index.html", None

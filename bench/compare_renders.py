"""Compare two render directories: ledgers byte for byte, clips frame by frame.

    .venv/bin/python bench/compare_renders.py BEFORE_DIR AFTER_DIR

Clips are ``<Scene>.mp4``, ``.mov`` or ``.webm``; render with ``--format mov
--transparent`` (lossless) to compare the frames as drawn, not as encoded.
Used to show that a change of code (a move, a speed-up) left what the
lecture shows exactly as it was. A ledger written before its audit record
lost its timing (``audit.seconds``) is compared without it. Exits 1 when
anything differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import av
import numpy as np


def _ledger_text(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.get("audit", {}).pop("seconds", None)  # timing, not content (older ledgers)
    return json.dumps(data, indent=1)


def _frames(path: Path) -> list[np.ndarray]:
    pixels = "rgba" if path.suffix == ".mov" else "rgb24"  # mov: lossless, with alpha
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format=pixels) for frame in container.decode(video=0)]


def compare(before: Path, after: Path) -> list[str]:
    """One line per difference between the two directories (empty: the same)."""
    problems = []
    ledgers = sorted(p.name for p in before.glob("*.values.json"))
    if ledgers != sorted(p.name for p in after.glob("*.values.json")):
        problems.append("the two directories hold different scenes")
    for name in ledgers:
        scene = name.removesuffix(".values.json")
        if not (after / name).is_file():
            continue
        if _ledger_text(before / name) != (after / name).read_text(encoding="utf-8"):
            problems.append(f"{scene}: ledgers differ")
        clips = [f"{scene}{suffix}" for suffix in (".mp4", ".mov", ".webm")]
        clip = next((c for c in clips if (before / c).is_file()), None)
        if clip is None:
            continue
        old, new = _frames(before / clip), _frames(after / clip)
        if len(old) != len(new):
            problems.append(f"{scene}: {len(old)} frames before, {len(new)} after")
            continue
        differing = [i for i, (a, b) in enumerate(zip(old, new)) if not np.array_equal(a, b)]
        if differing:
            problems.append(f"{scene}: {len(differing)} of {len(old)} frames differ")
        print(f"{scene}: ledger same, {len(old) - len(differing)}/{len(old)} frames identical")
    return problems


def main() -> int:
    before, after = (Path(arg) for arg in sys.argv[1:3])
    problems = compare(before, after)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Our workers are spawned processes, and a spawned process imports the script that
started it again (as ``__mp_main__``). A script that calls ``mlp_lecture.render()``
at its top level, not under ``if __name__ == "__main__":``, would start the render
again inside every worker: each would fail on the render directory the first one
holds, with a traceback that says nothing of why.

So starting a render or a pool inside one of our workers stops that worker at
once, before it writes anything, with :data:`MAIN_RERUN_EXIT` and one line; the
render that started the worker reads the exit code and says what to change
(:func:`worker_death`).
"""

from __future__ import annotations

import multiprocessing
import os
import sys

__all__ = ["MAIN_RERUN", "MAIN_RERUN_EXIT", "WORKER_PREFIX", "refuse_in_worker", "worker_death"]

WORKER_PREFIX = "mlp-lecture-"  # every process we spawn is named so
MAIN_RERUN_EXIT = 86  # a worker that found itself starting a render
MAIN_RERUN = (
    "a worker ran your script again: in a script, call mlp_lecture.render() under "
    '`if __name__ == "__main__":` (the render workers are spawned processes that import it)'
)


def refuse_in_worker() -> None:
    """Stop this process at once if it is one of our spawned workers: a render or a
    pool started here is the user's script, re-imported, starting one at its top level."""
    # the name is set before the script is imported again (parent_process() only after)
    if not multiprocessing.current_process().name.startswith(WORKER_PREFIX):
        return
    sys.stderr.write(f"mlp-lecture: {MAIN_RERUN}\n")
    sys.stderr.flush()
    os._exit(MAIN_RERUN_EXIT)


def worker_death(kind: str, code: int | None) -> str:
    """Why a ``kind`` worker (``"render"``) died with exit code ``code``, in one line."""
    if code == MAIN_RERUN_EXIT:
        return MAIN_RERUN
    return f"the {kind} worker died (exit code {code})"

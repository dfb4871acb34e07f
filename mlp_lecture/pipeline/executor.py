"""One interface for the engines that run render and course tasks: the local pool or Dask.

A caller submits pure task functions and reads their outcomes as they end::

    with open_executor(workers=2) as executor:          # or scheduler="tcp://host:8786"
        executor.submit(render_aside, task, key="SingleNeuron", retries=2)
        for outcome in executor.as_completed():
            ...

Two engines stand behind it:

- ``LocalPool`` and ``SceneWorkers`` (``executor_local``): spawned processes
  on this machine, one pipe each, all killed on exit; ``SceneWorkers`` is the
  render's own pool (``pool.Workers``), the embedded default for ``render``
  (see ``bench/README.md``: a Dask ``LocalCluster`` costs more than 5 % over it
  on a cold render);
- ``DaskExecutor`` (``executor_dask``): Dask distributed, a ``LocalCluster``
  started here or a running cluster reached by its scheduler's address.

What a task function must be, whichever engine runs it: **pure**. Its only
effect is files written aside (a fresh temporary folder) and renamed into a
place that is the caller's to give; its result is a small record (paths,
sha256), never video bytes; and running it twice is harmless, because a worker
can die after writing and before reporting, and the task then runs again. Its
argument and result are pickled (Dask ships them to another machine).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ENGINES",
    "Executor",
    "ExecutorError",
    "Outcome",
    "one_line",
    "open_executor",
]

ENGINES = ("pool", "dask")  # what ``open_executor(engine=...)`` starts when no address is given


class ExecutorError(Exception):
    """An engine that cannot start (a scheduler that does not answer); one line for the user."""


@dataclass(frozen=True)
class Outcome:
    """How one submitted task ended: its ``result``, or ``error`` (one line) and ``details``."""

    key: str
    result: Any = None
    error: str | None = None
    details: str | None = None  # the traceback, for --verbose

    @property
    def ok(self) -> bool:
        return self.error is None


class Executor(ABC):
    """Runs submitted tasks on some workers; use as a context manager.

    Every submitted task is answered exactly once by ``as_completed``, with its
    result or its failure. A worker that dies mid-task is replaced and the task
    runs again, up to ``retries`` more times, before it fails.
    """

    name = "executor"  # "pool" | "dask": for reports and the bench
    workers = 0  # how many tasks run at once
    reports_progress = False  # whether it tells when each scene starts and its frames

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def submit(self, fn: Callable[[Any], Any], task: Any, *, key: str, retries: int = 2) -> None:
        """Run ``fn(task)`` on a worker; its outcome is reported under ``key`` (unique)."""

    @abstractmethod
    def as_completed(self) -> Iterator[Outcome]:
        """Yield each submitted task's outcome as it ends, until none is outstanding.

        ``submit`` may be called while iterating: the new task is waited for too.
        """

    @abstractmethod
    def close(self) -> None:
        """Stop the workers this executor started (a running cluster's stay up)."""


def open_executor(
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    engine: str = "pool",
    preload: tuple[str, ...] = (),
) -> Executor:
    """The engine asked for: Dask at ``scheduler`` when given, else ``engine`` on this machine.

    ``workers`` is how many local workers to start (default: one per core);
    ``preload`` names modules each local worker imports before its first task
    (Manim: about a second each). Raises ``ExecutorError`` (one line) when the
    engine cannot start.
    """
    if engine not in ENGINES:
        raise ExecutorError(f"engine: choose from {', '.join(ENGINES)}")
    if scheduler is not None or engine == "dask":
        from mlp_lecture.pipeline.executor_dask import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=workers, preload=preload)
    from mlp_lecture.pipeline.executor_local import LocalPool

    return LocalPool(workers, preload=preload)


def one_line(error: BaseException) -> str:
    """``error`` as one line: its type and the first line of its message."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    message = lines[0] if lines else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__

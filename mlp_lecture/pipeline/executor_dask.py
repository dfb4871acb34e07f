"""The Dask engine behind ``Executor``: a ``LocalCluster`` started here, or a running cluster.

``DaskExecutor()`` starts a ``LocalCluster`` on the loopback interface (worker
processes with one thread each, no dashboard) and stops it on exit;
``DaskExecutor(scheduler="tcp://host:8786")`` uses a running cluster and leaves
it running. Its workers must import this project (the same environment) and
see the output directory at the same path: a task writes its files there and
returns only their names and hashes.

Dask itself reruns a task whose worker died (up to the scheduler's
``allowed-failures``); ``retries`` reruns one that raised.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any

from mlp_lecture.pipeline.executor import Executor, ExecutorError, Outcome, one_line
from mlp_lecture.pipeline.options import default_jobs

__all__ = ["CONNECT_SECONDS", "DaskExecutor", "preload_modules"]

CONNECT_SECONDS = 10  # how long to wait for a running scheduler to answer


class DaskExecutor(Executor):
    """Tasks run on Dask: ``scheduler``'s cluster, or a ``LocalCluster`` of ``workers``."""

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        *,
        preload: tuple[str, ...] = (),
    ):
        import logging

        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_as_completed

        # Dask logs a worker's death, its retries and a lost scheduler (with tracebacks);
        # each task's outcome says what matters, in one line.
        for name in ["distributed", *logging.root.manager.loggerDict]:
            if name.split(".")[0] == "distributed":  # Dask sets some of them a level of their own
                logging.getLogger(name).setLevel(logging.CRITICAL)
        self.cluster = None
        try:
            if scheduler is None:
                self.cluster = LocalCluster(
                    n_workers=max(1, workers or default_jobs()),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,  # a task's failure is its outcome's
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as error:
            if self.cluster is not None:
                self.cluster.close()
            where = scheduler or "a local Dask cluster"
            raise ExecutorError(f"--scheduler {where}: {one_line(error)}") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        if preload:
            self.client.run(preload_modules, preload)
        self.pending = dask_as_completed()
        self.keys: dict[str, str] = {}  # Dask's key -> the caller's
        self.outstanding: set[str] = set()
        self.closed = False

    def submit(self, fn: Callable[[Any], Any], task: Any, *, key: str, retries: int = 2) -> None:
        if key in self.outstanding:
            raise ValueError(f"a task {key!r} is already outstanding")
        # A key of its own each time: a task submitted again (a re-run) is run again.
        dask_key = f"{key}-{uuid.uuid4().hex}"
        future = self.client.submit(fn, task, key=dask_key, retries=retries, pure=False)
        self.keys[dask_key] = key
        self.outstanding.add(key)
        self.pending.add(future)

    def as_completed(self) -> Iterator[Outcome]:
        while self.outstanding:
            future = next(self.pending)
            key = self.keys.pop(future.key)
            self.outstanding.discard(key)
            if future.status == "finished":
                yield Outcome(key, future.result())
                continue
            if future.status != "error":  # cancelled: the cluster lost it (its scheduler gone)
                yield Outcome(key, error=f"the Dask cluster lost the task ({future.status})")
                continue
            error = future.exception()
            details = "".join(traceback.format_exception(type(error), error, future.traceback()))
            yield Outcome(key, error=one_line(error), details=details)
            future.release()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


_imported = threading.Lock()


def preload_modules(modules: tuple[str, ...]) -> None:
    """Import ``modules`` in a worker before its first task (run on each by ``Client.run``)."""
    with _imported:
        for module in modules:
            import_module(module)

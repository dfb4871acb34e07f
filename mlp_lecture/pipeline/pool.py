"""The worker pool: spawned processes, one pipe each, all killed on exit.

Each worker imports Manim and the scene kit as soon as it starts, before its
first task: a pool started early (``render`` starts it while the parent
computes the lesson) has those imports done by the time there is work.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.connection import wait
from typing import Any

from mlp_lecture.pipeline.spawned import MAIN_RERUN_EXIT, refuse_in_worker, worker_death
from mlp_lecture.pipeline.worker import Done, Failed, SceneTask, WorkerMessage, worker_main

__all__ = ["Workers"]


class Workers:
    """Spawned worker processes rendering scenes; use as a context manager."""

    def __init__(self, count: int):
        refuse_in_worker()  # a worker re-running the user's script starts no workers
        context = multiprocessing.get_context("spawn")
        self.processes = []
        self.connections = []
        # Workers start with SIGINT ignored (inherited through exec): Ctrl-C in a
        # terminal reaches the whole process group, and only the parent handles it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for index in range(count):
                parent_end, child_end = context.Pipe()
                process = context.Process(
                    target=_preloaded_worker,
                    args=(child_end, os.getpid()),
                    name=f"mlp-lecture-render-{index}",
                    daemon=True,
                )
                process.start()
                child_end.close()
                self.processes.append(process)
                self.connections.append(parent_end)
        finally:
            signal.signal(signal.SIGINT, previous)
        self.given: set[int] = set()  # workers handed a task (or told to stop) by ``run``

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:  # done: each worker ``run`` spoke to was told to stop and is ending
            deadline = time.monotonic() + 10
            for index in sorted(self.given):  # one never handed work holds nothing: killed
                self.processes[index].join(timeout=max(0.0, deadline - time.monotonic()))
        for process in self.processes:
            if process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=5)
        for connection in self.connections:
            connection.close()

    def run(self, tasks: list[SceneTask]) -> Iterator[WorkerMessage]:
        """Hand out ``tasks`` to idle workers; yield their messages until all are answered.

        A worker that dies mid-scene answers for it with a ``Failed``.
        """
        queue = list(tasks)
        busy: dict[int, str | None] = {i: None for i in range(len(self.processes))}
        alive = set(busy)
        outstanding = {task.scene for task in tasks}

        def hand_out(worker: int) -> None:
            task = queue.pop(0) if queue else None
            busy[worker] = task.scene if task else None
            self.given.add(worker)
            try:
                self.connections[worker].send(task)
            except OSError:  # the worker is gone; the next wait notices
                if task is not None:
                    queue.insert(0, task)
                busy[worker] = None

        for worker in sorted(alive):
            hand_out(worker)
        while outstanding:
            if not alive:  # every worker died: nobody is left to render the rest
                codes = {process.exitcode for process in self.processes}
                why = "no render worker left"
                if MAIN_RERUN_EXIT in codes:  # the user's script, re-imported, started a render
                    why = worker_death("render", MAIN_RERUN_EXIT)
                for name in sorted(outstanding):
                    yield Failed(name, why)
                return
            waitables: dict[Any, int] = {}
            for worker in alive:
                waitables[self.connections[worker]] = worker
                waitables[self.processes[worker].sentinel] = worker
            for ready in wait(list(waitables), timeout=1.0):
                worker = waitables[ready]
                if worker not in alive:
                    continue
                connection = self.connections[worker]
                gone = False
                try:
                    while connection.poll():
                        message = connection.recv()
                        yield message
                        if isinstance(message, Done | Failed):
                            outstanding.discard(message.scene)
                            hand_out(worker)
                except (EOFError, OSError):
                    gone = True
                if gone or not self.processes[worker].is_alive():
                    alive.discard(worker)
                    self.processes[worker].join(timeout=5)
                    scene = busy[worker]
                    if scene is not None and scene in outstanding:
                        outstanding.discard(scene)
                        code = self.processes[worker].exitcode
                        yield Failed(scene, worker_death("render", code))


def _preloaded_worker(connection: Any, parent_pid: int) -> None:
    """``worker_main`` after the imports every scene needs (about a second of CPU).

    A parent that dies meanwhile is noticed by ``worker_main`` as it starts.
    """
    import manim  # noqa: F401

    import scenekit.audit
    import scenekit.families
    import scenekit.interpolation
    import scenekit.lecture_scene  # noqa: F401

    worker_main(connection, parent_pid)

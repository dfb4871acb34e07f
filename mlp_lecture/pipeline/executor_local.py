"""The local engine behind ``Executor``: spawned worker processes, one pipe each.

Like the render pool (``pool.Workers``) it is made of spawned processes that
die with the parent, even when the parent is killed with SIGKILL, and ignore
Ctrl-C (the parent handles it). It runs any pure task function, not only a
scene: a worker that dies mid-task is replaced and the task runs again.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from multiprocessing.connection import wait
from typing import Any

from mlp_lecture.pipeline.executor import Executor, Outcome, one_line
from mlp_lecture.pipeline.executor_tasks import render_aside
from mlp_lecture.pipeline.options import default_jobs
from mlp_lecture.pipeline.pool import Workers
from mlp_lecture.pipeline.spawned import MAIN_RERUN_EXIT, refuse_in_worker, worker_death
from mlp_lecture.pipeline.worker import (
    Done,
    Failed,
    Frames,
    SceneTask,
    Started,
    die_with_parent,
)

__all__ = ["LocalPool", "SceneWorkers"]


@dataclass
class _Job:
    key: str
    fn: Callable[[Any], Any]
    task: Any
    retries: int
    attempts: int = 0


@dataclass
class _Slot:
    process: Any
    connection: Any
    job: _Job | None = None


class LocalPool(Executor):
    """``workers`` spawned processes (default: one per core) running submitted tasks."""

    name = "pool"

    def __init__(self, workers: int | None = None, *, preload: tuple[str, ...] = ()):
        refuse_in_worker()  # a worker re-running the user's script starts no workers
        self.workers = max(1, workers or default_jobs())
        self.preload = tuple(preload)
        self.context = multiprocessing.get_context("spawn")
        self.slots: list[_Slot] = []
        self.queue: deque[_Job] = deque()
        self.outstanding: set[str] = set()
        self.closed = False
        for _ in range(self.workers):
            self.slots.append(self._spawn())

    def _spawn(self) -> _Slot:
        parent_end, child_end = self.context.Pipe()
        # Workers start with SIGINT ignored (inherited through exec): Ctrl-C reaches
        # the whole process group, and only the parent handles it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            process = self.context.Process(
                target=_serve,
                args=(child_end, os.getpid(), self.preload),
                name="mlp-lecture-task",
                daemon=True,
            )
            process.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        child_end.close()
        return _Slot(process, parent_end)

    @property
    def pids(self) -> list[int]:
        """The workers' process ids (tests kill one mid-task)."""
        return [slot.process.pid for slot in self.slots]

    def submit(self, fn: Callable[[Any], Any], task: Any, *, key: str, retries: int = 2) -> None:
        if key in self.outstanding:
            raise ValueError(f"a task {key!r} is already outstanding")
        self.outstanding.add(key)
        self.queue.append(_Job(key, fn, task, retries))
        self._hand_out()

    def _hand_out(self) -> None:
        for slot in self.slots:
            if slot.job is None and self.queue:
                job = self.queue.popleft()
                job.attempts += 1
                slot.job = job
                try:
                    slot.connection.send((job.key, job.fn, job.task))
                except OSError:  # the worker is gone; ``as_completed`` notices
                    pass

    def as_completed(self) -> Iterator[Outcome]:
        while self.outstanding:
            self._hand_out()
            waitables: dict[Any, _Slot] = {}
            for slot in self.slots:
                waitables[slot.connection] = slot
                waitables[slot.process.sentinel] = slot
            for ready in wait(list(waitables), timeout=1.0):
                slot = waitables[ready]
                if slot not in self.slots:
                    continue  # replaced while handling another ready handle
                outcome = self._read(slot)
                if outcome is not None:
                    self.outstanding.discard(outcome.key)
                    yield outcome

    def _read(self, slot: _Slot) -> Outcome | None:
        """The outcome ``slot``'s worker reported, or of its job if it died (None: retried)."""
        try:
            if slot.connection.poll():
                key, result, error, details = slot.connection.recv()
                slot.job = None
                return Outcome(key, result, error, details)
        except (EOFError, OSError):
            pass
        if slot.process.is_alive():
            return None
        # The worker died: a new one takes its place, and its task runs again.
        slot.process.join(timeout=5)
        code = slot.process.exitcode
        slot.connection.close()
        index = self.slots.index(slot)
        self.slots[index] = self._spawn()
        job = slot.job
        if job is None:
            return None
        if code == MAIN_RERUN_EXIT:  # every worker would: no retry helps
            return Outcome(job.key, error=worker_death("task", code))
        if job.attempts <= job.retries:
            self.queue.appendleft(job)
            return None
        return Outcome(job.key, error=f"the worker died (exit code {code}) {job.attempts} times")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for slot in self.slots:
            if slot.job is None:
                try:
                    slot.connection.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 5
        for slot in self.slots:
            if slot.job is None:
                slot.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for slot in self.slots:
            if slot.process.is_alive():
                slot.process.kill()
            slot.process.join(timeout=5)
            slot.connection.close()


# -- the worker process ------------------------------------------------------------


def _serve(connection: Any, parent_pid: int, preload: tuple[str, ...]) -> None:
    """Run tasks from ``connection`` until told to stop or the parent is gone."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for module in preload:
        import_module(module)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, fn, task = message
        try:
            reply = (key, fn(task), None, None)
        except Exception as error:
            reply = (key, None, one_line(error), traceback.format_exc())
        try:
            connection.send(reply)
        except (BrokenPipeError, OSError):
            return


class SceneWorkers(Executor):
    """The render's own pool (``pool.Workers``) behind the ``Executor`` interface.

    ``render``'s embedded default (``bench/README.md``: a Dask ``LocalCluster``
    costs more than 5 % over it on a cold render). Its workers are started
    early, while the parent computes the lesson, with Manim imported, and they
    report each scene's start and frame count (``started``, ``frames``) for the
    live display. It runs scene tasks only (``render_aside``; each renders in
    its task's own work folder). A scene whose worker dies is reported failed
    and not run again (``retries`` is not used): a scene that kills its worker
    would kill the next one too.
    """

    name = "pool"
    reports_progress = True

    def __init__(
        self,
        workers: Workers,
        *,
        started: Callable[[str], None] | None = None,
        frames: Callable[[str, int], None] | None = None,
    ):
        self.pool = workers
        self.workers = len(workers.processes)
        self.queue: list[SceneTask] = []
        self.started = started or (lambda scene: None)
        self.frames = frames or (lambda scene, count: None)

    def submit(self, fn: Callable[[Any], Any], task: Any, *, key: str, retries: int = 2) -> None:
        if fn is not render_aside or not isinstance(task, SceneTask) or key != task.scene:
            raise ValueError("the render pool runs render_aside's scene tasks, keyed by scene")
        self.queue.append(task)

    def as_completed(self) -> Iterator[Outcome]:
        while self.queue:
            tasks, self.queue = self.queue, []
            for message in self.pool.run(tasks):
                if isinstance(message, Started):
                    self.started(message.scene)
                elif isinstance(message, Frames):
                    self.frames(message.scene, message.frames)
                elif isinstance(message, Done):
                    yield Outcome(message.scene, message.output)
                elif isinstance(message, Failed):
                    yield Outcome(message.scene, error=message.error, details=message.details)

    def __exit__(self, kind: object, *exc: object) -> None:
        self.pool.__exit__(kind, *exc)  # an error or Ctrl-C: the workers are killed at once

    def close(self) -> None:
        self.pool.__exit__(None)

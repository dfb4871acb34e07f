"""The worker pool started early: a cold render's workers import while the lesson is computed."""

from __future__ import annotations

import multiprocessing
import time

from mlp_lecture.pipeline import render
from mlp_lecture.pipeline.pool import Workers
from mlpmath import default_lesson


def test_a_pool_never_given_work_ends_at_once():
    """An early pool whose scenes all came from the cache must not hold the render up."""
    began = time.monotonic()
    with Workers(2) as workers:
        processes = list(workers.processes)
    assert time.monotonic() - began < 5  # a worker waiting for a task is not joined (10 s)
    assert not any(process.is_alive() for process in processes)


def test_a_cold_render_starts_its_workers_before_computing_the_lesson(tmp_path, monkeypatch):
    computing = []
    computed = render.cached_trace

    def counted(lesson):
        computing.append(len(multiprocessing.active_children()))
        return computed(lesson)

    monkeypatch.setattr(render, "cached_trace", counted)
    out = tmp_path / "low"
    first = render.render_scenes(default_lesson(), ["Activation"], out, jobs=1)
    again = render.render_scenes(default_lesson(), ["Activation"], out, jobs=1)
    assert [scene.status for scene in first.scenes] == ["rendered"]
    assert [scene.status for scene in again.scenes] == ["cached"]
    # Cold: one worker already running. Warm (a manifest there): none started for nothing.
    assert computing == [1, 0]
    assert not multiprocessing.active_children()

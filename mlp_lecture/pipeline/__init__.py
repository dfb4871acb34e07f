"""The render pipeline, one module per concern.

- ``options``: what a render is asked for (quality, format, scenes), checked first;
- ``keys``: content keys, so an unchanged scene is not rendered again;
- ``manifest``: ``lecture.json``, what a render directory holds (its one owner);
- ``directory``: the output directory, where only complete files ever appear;
- ``pool`` and ``worker``: spawned processes that render one scene at a time;
- ``executor`` (``executor_local``, ``executor_dask``, ``executor_tasks``): one
  interface for the engines that run tasks, the local pool or Dask distributed;
- ``media``: clip durations and joining clips into one lecture;
- ``render``: ``render_scenes``, which puts these together.

Kept free of imports here: a worker's cache key follows the modules it imports.
"""

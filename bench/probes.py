"""What the bench measures in a process of its own: the audit, a profile, the encoder.

``bench/run.py --audit``, ``--profile`` and ``--psnr`` call these and print
their JSON answer, so each runs in a fresh process with the code snapshot.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from measure import ROOT

__all__ = [
    "PSNR_QUALITY",
    "PSNR_SCENE",
    "audit_all",
    "encoder_quality",
    "profile_scene",
]

# Where a profile's own time goes: the first pattern found in a function's
# file (or built-in's name) names its share.
CATEGORIES = [
    ("waiting for the video encoder threads", ("_thread.lock", "threading.py", "queue.py")),
    ("drawing frames (Manim camera, cairo)", ("manim/camera", "cairo", "manim/renderer")),
    ("Typst compile, SVG parsing", ("typst", "svg", "svgelements")),
    ("copying mobjects (deepcopy)", ("copy.py", "__deepcopy__")),
    ("mobjects and animations (Manim, numpy)", ("manim/", "numpy")),
    ("scene and toolkit code (scenes/, scenekit/)", ("/scenes/", "/scenekit/")),
    ("the lesson's math (mlpmath, torch)", ("mlpmath", "torch")),
]

PSNR_SCENE, PSNR_QUALITY = "Activation", "high_quality"  # the encoder's quality check
MANIM_DEFAULT_ENCODER = {"crf": "23"}  # Manim 0.22's libx264 options (its default preset)


def audit_all(scenes: list[str]) -> dict[str, Any]:
    """Audit each scene (the verification the tests run); seconds per scene."""
    from mlpmath import compute_trace, default_lesson
    from scenekit.audit import audit_scene
    from scenes import scene_class

    os.environ["MLP_LESSON"] = ""
    trace = compute_trace(default_lesson())
    media = tempfile.mkdtemp(prefix="mlp-bench-audit-")
    seconds = {}
    try:
        for name in scenes:
            cls = scene_class(name)
            start = time.perf_counter()
            _, problems = audit_scene(cls, trace, media)
            seconds[name] = time.perf_counter() - start
            if problems:
                seconds[name + " (problems)"] = len(problems)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return {"seconds": seconds}


def profile_scene(name: str) -> dict[str, Any]:
    """Render one scene as a worker does, under cProfile; where its time goes."""
    from mlp_lecture.pipeline.worker import SceneTask, render_task
    from scenes import LECTURE_ORDER

    work = tempfile.mkdtemp(prefix="mlp-bench-profile-")
    task = SceneTask(name, dict(LECTURE_ORDER)[name], work, "", "low_quality")
    profile = cProfile.Profile()
    start = time.perf_counter()
    try:
        profile.runcall(render_task, task)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - start
    stats = pstats.Stats(profile)
    shares: dict[str, float] = {label: 0.0 for label, _ in CATEGORIES}
    shares["other"] = 0.0
    for (file, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file} {function}"
        label = next((lab for lab, pats in CATEGORIES if any(p in where for p in pats)), "other")
        shares[label] += own
    top = []
    for (file, line, function), (_, calls, own, cumulative, _) in sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: -item[1][3],
    ):
        if "/scenes/" in file or "manim/" in file:
            short = file.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            top.append((f"{short}:{line}({function})", calls, round(own, 2), round(cumulative, 2)))
        if len(top) == 25:
            break
    return {"scene": name, "seconds": total, "shares": shares, "top": top}


def encoder_quality(name: str, quality: str) -> dict[str, Any]:
    """The encoded clips' quality: ``name`` rendered once with a lossless encode
    (libx264, ``crf 0``), its frames encoded again as the pipeline encodes mp4 and
    as Manim does by default; the PSNR of each against the lossless frames, the
    encode's time and size."""
    import av
    import numpy as np

    from mlp_lecture.pipeline import worker
    from scenes import LECTURE_ORDER

    work = Path(tempfile.mkdtemp(prefix="mlp-bench-psnr-"))
    try:
        pipeline = worker.ENCODER_OPTIONS.get("mp4", {})
        worker.ENCODER_OPTIONS["mp4"] = {"crf": "0", "preset": "ultrafast"}  # 8-bit: lossless
        task = worker.SceneTask(name, dict(LECTURE_ORDER)[name], str(work / "r"), "", quality)
        lossless = worker.render_task(task).artifact
        with av.open(lossless) as container:
            stream = container.streams.video[0]
            rate, width, height = stream.average_rate, stream.width, stream.height
        result: dict[str, Any] = {"scene": name, "quality": quality}
        for label, options in (("pipeline", pipeline), ("manim default", MANIM_DEFAULT_ENCODER)):
            path = work / f"{label.replace(' ', '-')}.mp4"
            frames = _decoded(lossless)  # one frame at a time: 1080p60 frames fill GBs
            start, cpu = time.perf_counter(), time.process_time()
            with av.open(str(path), "w") as out:
                stream = out.add_stream("libx264", rate=rate, options=dict(options))
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                for array in frames:
                    out.mux(stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")))
                out.mux(stream.encode())
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            psnr = []
            for a, b in zip(_decoded(lossless), _decoded(str(path)), strict=True):
                mse = float(np.mean((a.astype(np.float32) - b) ** 2))
                psnr.append(100.0 if mse == 0 else 10 * np.log10(255**2 / mse))
            result["frames"] = len(psnr)
            result[label] = {
                "options": dict(options),
                "seconds": seconds,
                "cpu": cpu,
                "bytes": path.stat().st_size,
                "psnr min": min(psnr),
                "psnr mean": float(np.mean(psnr)),
            }
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _decoded(path: str) -> Any:
    """The frames of the video at ``path``, as RGB arrays, one at a time."""
    import av

    with av.open(path) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")

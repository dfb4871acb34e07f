"""What a render shows on a terminal: a live progress display, then a summary."""

from __future__ import annotations

from typing import Any

__all__ = ["RenderDisplay", "print_summary"]


class RenderDisplay:
    """A live display of a render on a terminal: scenes done, and each running scene's frames."""

    def __init__(self, console: Any):
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<18}"),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.overall: Any = None
        self.running: dict[str, Any] = {}
        self.totals: dict[str, int | None] = {}

    def __enter__(self) -> RenderDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def planned(self, to_render: Any, frames: dict[str, int | None]) -> None:
        self.totals = dict(frames)
        self.overall = self.progress.add_task(
            "scenes", total=len(to_render), detail=f"0/{len(to_render)} rendered"
        )

    def started(self, scene: str) -> None:
        total = self.totals.get(scene)
        self.running[scene] = self.progress.add_task(
            scene, total=total, detail="starting" if total else "frames: 0"
        )

    def frames(self, scene: str, frames: int) -> None:
        if scene in self.running:
            total = self.totals.get(scene)
            detail = f"{frames}/{total} frames" if total else f"{frames} frames"
            self.progress.update(self.running[scene], completed=frames, detail=detail)

    def finished(self, result: Any) -> None:
        task = self.running.pop(result.name, None)
        if task is None:
            return  # cached: never started
        self.progress.remove_task(task)
        if self.overall is not None:
            self.progress.advance(self.overall)
            done = int(self.progress.tasks[self.overall].completed)
            total = int(self.progress.tasks[self.overall].total or 0)
            self.progress.update(self.overall, detail=f"{done}/{total} rendered")

    def joining(self, clips: int) -> None:
        self.progress.add_task(f"joining {clips} clips", total=None, detail="")


def print_summary(report: Any) -> None:
    """One line per scene (status, render time, video duration, values, file), then a total."""
    width = max((len(scene.name) for scene in report.scenes), default=0)
    counts: dict[str, int] = {}
    for scene in report.scenes:
        counts[scene.status] = counts.get(scene.status, 0) + 1
        name = f"{scene.name:<{width}}"
        if scene.status == "skipped":
            print(f"{name}  skipped   {scene.skipped}")
        elif scene.status == "failed":
            print(f"{name}  FAILED    {scene.error}")
        else:
            took = f"{scene.seconds:5.1f} s" if scene.status == "rendered" else "      -"
            video = f"{scene.duration:5.1f} s video" if scene.duration else "  still      "
            audit = f"audit: {len(scene.audit)} problem(s)" if scene.audit else "audit ok"
            print(
                f"{name}  {scene.status:<8}  {took}  {video}  {scene.values:3d} values  "
                f"{audit}  {scene.video}"
            )
    video_total = sum(scene.duration or 0.0 for scene in report.scenes)
    tally = ", ".join(f"{count} {status}" for status, count in counts.items())
    line = (
        f"{report.out_dir}: {len(report.scenes)} scene(s) ({tally}) in {report.seconds:.1f} s; "
        f"{video_total:.1f} s of video; manifest {report.manifest.name}"
    )
    if report.lecture is not None:
        line += f"; joined into {report.lecture} ({report.lecture_duration or 0:.1f} s)"
    print(line)

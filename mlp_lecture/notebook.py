"""What the Python API returns, and how Jupyter shows it.

``mlp_lecture.render`` returns a :class:`Render`: the clip and ledger of each
scene and the manifest, displayed in a notebook as the clips themselves, each
with its captions as a ``<track>`` and its last frame as the poster. A clip
that sits under the kernel's working directory (the notebook's folder) is shown
by reference, a few kB per clip; any other clip, or every clip with
``render.embedded()`` (a notebook to send to a student), is embedded as a data
URI. Every free text (titles, notes, paths) is HTML-escaped.
A render in progress shows the CLI's progress table, redrawn in the cell.
A ``Lesson`` or ``Trace`` displays as the tables of ``mlp-lecture trace``.

IPython is needed only when something is displayed; nothing here imports it
at module level.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlp_lecture.media import (
    POSTER_WIDTH,
    THUMBNAIL_WIDTH,
    captions_track,
    data_uri,
    link,
    picture_uri,
    poster_uri,
)
from mlp_lecture.progress import RenderDisplay

if TYPE_CHECKING:
    from mlp_lecture.deck import DeckReport
    from mlp_lecture.pipeline.render import RenderedScene, RenderReport
    from mlpmath import Lesson, Trace

__all__ = [
    "Clip",
    "Deck",
    "NotebookDisplay",
    "Render",
    "Verification",
    "in_notebook",
    "lesson_html",
    "register_formatters",
    "trace_html",
]

_MIME = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".gif": "image/gif",
    ".png": "image/png",
}
_BOX = "margin:0.6em 0;font-family:sans-serif"


def in_notebook() -> bool:
    """Is this running in a Jupyter kernel (where displays go to a notebook)?"""
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


# -- a render ------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """One scene of a render: its clip, its ledger and how it went."""

    scene: str
    title: str  # the title the scene shows, in words
    status: str  # "rendered" | "cached" | "skipped" | "failed"
    video: Path | None  # the clip (or, for png, the last frame)
    ledger: Path | None  # the values it shows: <Scene>.values.json
    duration: float | None = None  # seconds of video
    values: int = 0  # how many traced values it shows
    audit: tuple[str, ...] = ()  # what the render's audit found wrong
    note: str | None = None  # why it was skipped, or how it failed

    def html(self, embed: bool | None = None) -> str:
        """The clip as HTML: a titled ``<video>`` (or ``<img>``) with its captions and poster.

        ``embed``: the clip as a data URI (True), by its path (False), or by its path
        relative to the working directory when it sits under it, else embedded (None).
        """
        heading = f"<h4 style='margin:0.2em 0'>{html.escape(self.title)}</h4>"
        if self.video is None or not self.video.is_file():
            note = html.escape(self.note or "no clip")
            color = "#b00" if self.status == "failed" else "#666"
            return (
                f"<div style='{_BOX}'>{heading}<p style='color:{color}'>"
                f"{html.escape(self.scene)}: {html.escape(self.status)}: {note}</p></div>"
            )
        mime = _MIME.get(self.video.suffix, "application/octet-stream")
        linked = None if embed else link(self.video, absolute=embed is False)
        source = data_uri(self.video, mime) if linked is None else linked
        name = html.escape(self.scene)
        if mime.startswith("video/"):
            poster = poster_uri(self.video)
            media = (
                f"<video controls muted playsinline "
                f"style='max-width:100%;width:{POSTER_WIDTH}px' src='{html.escape(source)}'"
                + (f" poster='{poster}'" if poster else "")
                + f" title='{name}'>{captions_track(self.video, linked is None)}</video>"
            )
        else:
            media = (
                f"<img style='max-width:100%;width:{POSTER_WIDTH}px' "
                f"src='{html.escape(source)}' alt='{name}'>"
            )
        details = f"{name} · {self.values} values shown"
        if self.duration:
            details += f" · {self.duration:.1f} s"
        if self.audit:
            details += f" · <b style='color:#b00'>audit: {len(self.audit)} problem(s)</b>"
        return (
            f"<figure style='{_BOX}'>{heading}{media}"
            f"<figcaption style='color:#666;font-size:0.85em'>{details}</figcaption></figure>"
        )


@dataclass
class Render:
    """What ``mlp_lecture.render`` made: a clip and a ledger per scene, and the manifest.

    In a notebook it displays as the clips, one per scene with its title.
    """

    out: Path  # the render directory
    manifest: Path  # out/lecture.json
    scenes: list[Clip]
    lecture: Path | None = None  # out/lecture.mp4, when asked for
    seconds: float = 0.0
    report: Any = field(default=None, repr=False)  # the pipeline's RenderReport
    embed: bool | None = None  # how it displays: see Clip.html

    @classmethod
    def from_report(cls, report: RenderReport) -> Render:
        return cls(
            out=report.out_dir,
            manifest=report.manifest,
            scenes=[_clip(scene) for scene in report.scenes],
            lecture=report.lecture,
            seconds=report.seconds,
            report=report,
        )

    @property
    def clips(self) -> dict[str, Path]:
        """Scene name -> its clip, for the scenes that have one."""
        return {clip.scene: clip.video for clip in self.scenes if clip.video is not None}

    @property
    def ledgers(self) -> dict[str, Path]:
        """Scene name -> its ledger (``<Scene>.values.json``)."""
        return {clip.scene: clip.ledger for clip in self.scenes if clip.ledger is not None}

    @property
    def failed(self) -> list[Clip]:
        return [clip for clip in self.scenes if clip.status == "failed"]

    @property
    def ok(self) -> bool:
        """No scene failed and no audit found a problem."""
        return not self.failed and not any(clip.audit for clip in self.scenes)

    def __getitem__(self, scene: str) -> Clip:
        for clip in self.scenes:
            if clip.scene == scene:
                return clip
        raise KeyError(scene)

    def embedded(self) -> Render:
        """The same render, displayed with every clip embedded: a notebook that plays
        without its ``renders/`` folder (a few MB per clip)."""
        return replace(self, embed=True)

    def html(self, embed: bool | None = None) -> str:
        """Every clip, titled, in lecture order (``embed``: as ``Clip.html``)."""
        head = (
            f"<p style='color:#666;font-family:sans-serif;margin:0.2em 0'>"
            f"{len(self.scenes)} scene(s) in {html.escape(str(self.out))} "
            f"({self.seconds:.1f} s)</p>"
        )
        return "<div>" + head + "".join(clip.html(embed) for clip in self.scenes) + "</div>"

    def _repr_html_(self) -> str:
        return self.html(self.embed)

    def __repr__(self) -> str:
        lines = [f"Render({self.out}: {len(self.scenes)} scene(s), manifest {self.manifest.name})"]
        for clip in self.scenes:
            where = clip.video if clip.video is not None else clip.note
            lines.append(f"  {clip.scene:<16} {clip.status:<8} {where}")
        return "\n".join(lines)


def _clip(scene: RenderedScene) -> Clip:
    return Clip(
        scene=scene.name,
        title=_title(scene),
        status=scene.status,
        video=scene.video,
        ledger=scene.ledger,
        duration=scene.duration,
        values=scene.values,
        audit=tuple(scene.audit),
        note=scene.skipped or scene.error,
    )


def _title(scene: RenderedScene) -> str:
    """The title the scene showed (from its ledger), as plain words."""
    if scene.ledger is not None and scene.ledger.is_file():
        from scenekit.ledger import LedgerFormatError, read_ledger

        try:
            title = read_ledger(scene.ledger).title
        except (OSError, LedgerFormatError):
            title = ""
        if title:
            from mlp_lecture.deck import plain_text

            return plain_text(title)
    return scene.name


# -- progress in a notebook ----------------------------------------------------------


class NotebookDisplay(RenderDisplay):
    """The CLI's progress table, redrawn as HTML in the notebook cell as the render goes.

    It uses an IPython display handle (no widgets), so it shows in Jupyter,
    JupyterLab, VS Code and Colab alike, and the saved notebook keeps the last state.
    """

    INTERVAL = 0.5  # seconds between redraws

    def __init__(self) -> None:
        from rich.console import Console

        super().__init__(Console(file=io.StringIO(), force_terminal=False, force_jupyter=False))
        self.handle: Any = None
        self.drawn = 0.0

    def __enter__(self) -> NotebookDisplay:
        from IPython.display import HTML, display

        self.handle = display(HTML("<pre>starting the render...</pre>"), display_id=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)

    def planned(self, to_render: Any, frames: dict[str, int | None]) -> None:
        super().planned(to_render, frames)
        self._draw(force=True)

    def started(self, scene: str) -> None:
        super().started(scene)
        self._draw(force=True)

    def frames(self, scene: str, frames: int) -> None:
        super().frames(scene, frames)
        self._draw()

    def finished(self, result: Any) -> None:
        super().finished(result)
        self._draw(force=True)

    def joining(self, clips: int) -> None:
        super().joining(clips)
        self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.handle is None or (not force and now - self.drawn < self.INTERVAL):
            return
        self.drawn = now
        from IPython.display import HTML

        if not self.progress.tasks:
            self.handle.update(HTML("<pre>every scene is up to date</pre>"))
            return
        self.handle.update(HTML(_rich_html(self.progress.get_renderable(), width=100)))


def _rich_html(renderable: Any, width: int = 110) -> str:
    """A rich renderable as self-contained HTML (inline styles)."""
    from rich.console import Console

    console = Console(
        record=True, file=io.StringIO(), width=width, force_jupyter=False, color_system="truecolor"
    )
    console.print(renderable)
    return console.export_html(
        inline_styles=True,
        code_format="<pre style='font-family:Menlo,Consolas,monospace;font-size:0.85em;"
        "line-height:1.25'>{code}</pre>",
    )


# -- a lesson, a trace ---------------------------------------------------------------


def trace_html(trace: Trace) -> str:
    """The tables of ``mlp-lecture trace``, as HTML."""
    from mlp_lecture.report import report

    return "".join(_rich_html(part) for part in report(trace))


def lesson_html(lesson: Lesson) -> str:
    """A lesson as its network in one line, then the tables of ``mlp-lecture trace``."""
    from mlpmath import cached_trace

    network = lesson.network
    shape = " → ".join(map(str, network.sizes))
    activations = ", ".join(network.activations)
    classes = ""
    if network.loss != "mse":  # a classifier: its classes, as the lesson numbers and names them
        named = ", ".join(
            str(k) if name == str(k) else f"{k} {name}" for k, name in enumerate(lesson.class_names)
        )
        classes = f"; cross-entropy over {len(lesson.class_names)} classes: {named}"
    summary = (
        f"<p style='font-family:sans-serif'><b>{html.escape(lesson.title)}</b> "
        f"(lesson <code>{html.escape(lesson.name)}</code>): network {shape}, activations "
        f"{activations}{html.escape(classes)}; {len(lesson.inputs)} samples; learning rate "
        f"{lesson.learning_rate:g}, {lesson.steps} steps. <code>lesson.to_toml()</code> is its "
        "lesson file.</p>"
    )
    trace = cached_trace(lesson)
    return summary + numbering_html(trace) + trace_html(trace)


def numbering_html(trace: Trace) -> str:
    """How the lecture names this lesson's neurons, weights and biases (the deck's way)."""
    from mlpmath.numbering import explain_numbering

    return f"<p style='font-family:sans-serif'>{html.escape(explain_numbering(trace))}</p>"


def register_formatters() -> None:
    """Show ``Lesson`` and ``Trace`` objects as tables in IPython (no-op elsewhere).

    Registered by name, so neither class is imported to do it.
    """
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type_by_name("mlpmath.lesson", "Lesson", lesson_html)
    formatter.for_type_by_name("mlpmath.trace", "Trace", trace_html)


# -- verify, slides ------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What ``mlp_lecture.verify`` found: true when every shown value agrees with the math."""

    out: Path
    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"{self.out}: all {self.checked} shown values agree with the trace"
        return f"{self.out}: {len(self.problems)} mismatch(es)\n" + "\n".join(self.problems)

    def _repr_html_(self) -> str:
        if self.ok:
            return (
                f"<p style='font-family:sans-serif;color:#060'>✓ {html.escape(str(self.out))}: "
                f"all {self.checked} shown values agree with the trace</p>"
            )
        items = "".join(f"<li>{html.escape(problem)}</li>" for problem in self.problems)
        return (
            f"<div style='font-family:sans-serif;color:#b00'>✗ {html.escape(str(self.out))}: "
            f"{len(self.problems)} mismatch(es)<ul>{items}</ul></div>"
        )


@dataclass
class Deck:
    """What ``mlp_lecture.slides`` made: the deck files and the render beneath them."""

    decks: dict[str, Path]  # "html" | "pptx" -> file
    slides: int
    render: Render
    report: Any = field(default=None, repr=False)  # the DeckReport

    @classmethod
    def from_report(cls, report: DeckReport) -> Deck:
        return cls(dict(report.decks), report.slides, Render.from_report(report.render), report)

    @property
    def html(self) -> Path | None:
        return self.decks.get("html")

    @property
    def pptx(self) -> Path | None:
        return self.decks.get("pptx")

    def _repr_html_(self) -> str:
        """A link that opens each deck, under the first slide as a thumbnail."""
        if not self.decks:
            return self.render.html(embed=False)
        links = {kind: link(path) or path.resolve().as_uri() for kind, path in self.decks.items()}
        items = "".join(
            f"<li><a href='{html.escape(links[kind])}' target='_blank'>"
            f"{'open the HTML deck' if kind == 'html' else 'the PowerPoint deck'}</a> "
            f"<code>{html.escape(str(path))}</code></li>"
            for kind, path in self.decks.items()
        )
        first = _first_slide(self.render)
        thumbnail = ""
        if first is not None:
            picture = (
                f"<img src='{picture_uri(first, THUMBNAIL_WIDTH, 'PNG')}' alt='the first slide' "
                f"style='width:{THUMBNAIL_WIDTH}px;border:1px solid #ccc'>"
            )
            opens = links.get("html", links[next(iter(links))])
            thumbnail = f"<a href='{html.escape(opens)}' target='_blank'>{picture}</a>"
        return (
            f"<div style='font-family:sans-serif'>{thumbnail}<p style='margin:0.3em 0'>"
            f"{self.slides} slides from {len(self.render.scenes)} scene(s)</p>"
            f"<ul style='margin:0'>{items}</ul></div>"
        )


def _first_slide(render: Render) -> Path | None:
    """The first slide's clip: the first section clip of the first scene that has one."""
    from scenekit.ledger import LedgerFormatError, read_ledger

    for clip in render.scenes:
        if clip.ledger is None or not clip.ledger.is_file():
            continue
        try:
            files = [section.file for section in read_ledger(clip.ledger).sections if section.file]
        except (OSError, LedgerFormatError):
            continue
        if files and (render.out / files[0]).is_file():
            return render.out / files[0]
    return None


def scene_list(scenes: str | Sequence[str] | None) -> str | None:
    """The API's ``scenes=`` (a list, or the CLI's comma-separated text) as the CLI's text."""
    if scenes is None or isinstance(scenes, str):
        return scenes
    return ",".join(scenes)

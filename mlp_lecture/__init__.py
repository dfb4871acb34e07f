"""mlp-lecture: the lecture of a small MLP, from a notebook or the command line.

The Python API, for a Jupyter or Colab notebook::

    import mlp_lecture
    lesson = mlp_lecture.Lesson.from_model(net, X, Y, learning_rate=0.001, steps=10)
    lesson                                      # the numbers, as tables
    clips = mlp_lecture.render(lesson, scenes=["LayerProduct", "ForwardPass"])
    clips                                       # the clips, playing inline
    mlp_lecture.verify(clips)                   # every shown value against the math

- lessons: :class:`Lesson` (``Lesson.from_model``, ``lesson.to_toml()``),
  :func:`load_lesson`, :func:`default_lesson`, :func:`parse_lesson`;
- :func:`trace` (every number of a lesson), :func:`render` (clips),
  :func:`verify`, :func:`slides` (decks), ``workbook(lesson, path)`` (the
  spreadsheet, ``mlp_lecture.spreadsheet.write_workbook``), :func:`script`
  (the teacher's script of a render), :func:`explore` (the lesson as one
  offline page where every number is recomputed on an edit).

The rest of the package is the application: the ``mlp-lecture`` command
(``cli.py``), the render pipeline (``pipeline/``), the decks (``deck.py``),
``verification.py``, the workbook (``spreadsheet/``), captions and the script.
Its modules are named by what they hold, not by the API's verbs, so that
importing one never hides a function of this page. The
lecture itself is in ``scenes/``, the pieces it is built from in
``scenekit/``, and the math in ``mlpmath/``. Importing this package imports
nothing heavy: torch, manim, rich and IPython load when first used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlp_lecture.notebook import Deck, Render, Verification
    from mlpmath import Lesson, Trace

__all__ = [
    "Lesson",
    "LessonError",
    "default_lesson",
    "explore",
    "load_lesson",
    "parse_lesson",
    "render",
    "script",
    "slides",
    "trace",
    "verify",
    "workbook",
]

# Names re-exported from mlpmath, imported on first use (mlpmath imports torch).
_FROM_MLPMATH = {"Lesson", "LessonError", "default_lesson", "load_lesson", "parse_lesson"}


def __getattr__(name: str) -> Any:
    if name in _FROM_MLPMATH:
        import mlpmath

        return getattr(mlpmath, name)
    raise AttributeError(f"module 'mlp_lecture' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _lesson(lesson: Lesson | str | Path | None) -> Lesson:
    """A Lesson as it is, a lesson file's path, or ``None`` for the default lesson."""
    from mlpmath import Lesson, load_lesson

    if isinstance(lesson, Lesson):
        return lesson
    if lesson is None or isinstance(lesson, str | Path):
        return load_lesson(lesson)
    raise TypeError(f"expected a Lesson, a lesson file's path or None, got {type(lesson).__name__}")


def trace(lesson: Lesson | str | Path | None = None) -> Trace:
    """Every number of ``lesson`` (a Lesson, a lesson file, or ``None``: the default).

    The frozen record the scenes read: ``trace(lesson).network.loss``,
    ``.network.layers[0].product``, ``.network.gradients``... Taken from the
    trace cache when mlpmath computed this lesson before (no torch import).
    """
    from mlpmath import cached_trace

    return cached_trace(_lesson(lesson))


def render(
    lesson: Lesson | str | Path | None = None,
    scenes: str | Sequence[str] | None = None,
    quality: str = "low",
    out: str | Path | None = None,
    *,
    format: str = "mp4",
    transparent: bool = False,
    jobs: int | None = None,
    force: bool = False,
    lecture: bool = False,
    progress: bool = True,
    narration: str | Path | None = None,
    draft_missing: bool = False,
) -> Render:
    """Render ``scenes`` of ``lesson`` into ``out``; in a notebook, the result shows the clips.

    Parameters
    ----------
    lesson
        A :class:`Lesson`, a lesson file's path, or ``None`` for the default lesson.
    scenes
        Scene names (a list, or ``"A,B"``), in any order: they render in lecture
        order. ``None``: all of ``scenes.LECTURE_ORDER``.
    quality
        ``"low"``, ``"medium"``, ``"high"`` or ``"4k"``.
    out
        The render directory (default ``renders/<lesson>/<quality>``, as the CLI).
        Scenes already rendered there with the same lesson and code are kept.
    format, transparent, jobs, force, lecture
        As ``mlp-lecture render``'s options.
    progress
        Show the progress table while rendering (in the notebook cell, or on stderr).
    narration, draft_missing
        As ``--narration DIR`` and ``--draft-missing``: each step spoken from the
        narration directory (``mlp-lecture narration`` writes it), held for its voice.

    Returns
    -------
    Render
        ``.clips`` and ``.ledgers`` (scene -> path), ``.manifest``, ``.scenes``
        (with each title, status, duration); ``.failed`` lists failed scenes.
        Raises ``RenderError`` (one line) when the render cannot start.
    """
    from mlp_lecture.notebook import Render, scene_list
    from mlp_lecture.pipeline.options import RenderError, RenderOptions, default_out_dir
    from mlp_lecture.pipeline.options import select_scenes as select
    from mlp_lecture.pipeline.render import render_scenes

    chosen = _lesson(lesson)
    try:
        names = select(scene_list(scenes))
    except ValueError as error:
        raise RenderError(str(error).replace("--scenes", "scenes")) from None
    options = RenderOptions(quality=quality, format=format, transparent=transparent)
    options.check()
    out_dir = Path(out) if out is not None else default_out_dir(chosen, options)
    plan = _narration(narration, chosen, names, draft_missing)

    def run(observer: Any) -> Any:
        return render_scenes(
            chosen,
            names,
            out_dir,
            options,
            jobs=jobs,
            force=force,
            lecture=lecture,
            observer=observer,
            narration=plan,
        )

    return Render.from_report(_with_progress(run, progress))


def slides(
    lesson: Lesson | str | Path | None = None,
    scenes: str | Sequence[str] | None = None,
    quality: str = "low",
    out: str | Path | None = None,
    *,
    to: str | Sequence[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    narration: str | Path | None = None,
    draft_missing: bool = False,
) -> Deck:
    """The lecture as slide decks (``to``: ``"html"``, ``"pptx"`` or both), as the CLI's ``slides``.
    ``narration``, ``draft_missing``: each slide speaks its step (as :func:`render`).

    Returns a ``Deck``: ``.html`` and ``.pptx`` (the deck files), ``.slides``,
    and ``.render`` (the clips of every step).
    """
    from mlp_lecture.deck import TARGETS, build_deck
    from mlp_lecture.notebook import Deck, scene_list
    from mlp_lecture.pipeline.options import RenderError, RenderOptions, default_out_dir
    from mlp_lecture.pipeline.options import select_scenes as select

    chosen = _lesson(lesson)
    try:
        names = select(scene_list(scenes))
    except ValueError as error:
        raise RenderError(str(error).replace("--scenes", "scenes")) from None
    options = RenderOptions(quality=quality, sections=True)
    options.check()
    out_dir = Path(out) if out is not None else default_out_dir(chosen, options)
    targets = list(TARGETS) if to is None else ([to] if isinstance(to, str) else list(to))

    plan = _narration(narration, chosen, names, draft_missing)

    def run(observer: Any) -> Any:
        return build_deck(
            chosen, names, out_dir, quality, targets, jobs=jobs, force=force, observer=observer,
            narration=plan,
        )  # fmt: skip

    return Deck.from_report(_with_progress(run, progress))


def _narration(folder: str | Path | None, lesson: Lesson, names: list[str], drafts: bool) -> Any:
    """The render's narration plan from ``folder`` (None: a silent render)."""
    if folder is None:
        return None
    from mlp_lecture.narration.plan import plan_narration

    return plan_narration(Path(folder), lesson, names, drafts)


def verify(
    out: str | Path | Render, *, recompute: bool = False, frames: bool | str = False
) -> Verification:
    """Check every value the scenes of a render directory show against the lesson's trace.

    ``out`` is a render directory or what :func:`render` returned. The result
    is true when everything agrees; ``.problems`` lists what does not. The
    trace comes from the trace cache when mlpmath computed this lesson before
    (``recompute``: compute it with torch regardless). ``frames``: also render
    every scene again and compare its ledger and every frame of its clips (about
    one render's cost); ``frames="ends"``: build each scene with animations
    skipped and compare only each step's last frame (cheap, and blind to what a
    clip shows between step ends).
    """
    from mlp_lecture.notebook import Render, Verification
    from mlp_lecture.verification import verify_dir

    directory = out.out if isinstance(out, Render) else Path(out)
    checked, problems = verify_dir(directory, recompute=recompute, frames=frames)
    return Verification(directory, checked, tuple(problems))


def workbook(lesson: Lesson | str | Path | None = None, path: str | Path | None = None) -> Path:
    """Write the lesson's workbook (``renders/<lesson>/workbook.xlsx`` by default); its path.

    ``mlp_lecture.spreadsheet.write_workbook(lesson, path)``: every number a live formula.
    """
    from mlp_lecture.spreadsheet import default_workbook_path, write_workbook

    chosen = _lesson(lesson)
    return write_workbook(chosen, path if path is not None else default_workbook_path(chosen))


def explore(lesson: Lesson | str | Path | None = None, out: str | Path | None = None) -> Path:
    """Write the lesson's explorable page (``renders/<lesson>/explore/`` by default);
    the path of its ``index.html``: open it in a browser, offline, and edit any number.
    """
    from mlp_lecture.explorable import default_explore_dir, write_explore

    chosen = _lesson(lesson)
    return write_explore(chosen, out if out is not None else default_explore_dir(chosen))


def script(
    lesson: Lesson | str | Path | None = None,
    scenes: str | Sequence[str] | None = None,
    quality: str = "low",
    out: str | Path | None = None,
    *,
    dir: str | Path | None = None,
    jobs: int | None = None,
    progress: bool = True,
) -> Path:
    """Write the teacher's script (Markdown) of a render, as the CLI's ``script``; its path.

    ``dir`` is the render it reads (default ``renders/<lesson>/<quality>``);
    ``scenes`` ``None`` takes the scenes ``dir`` holds (all when it holds
    none), and only scenes missing from ``dir`` are rendered. ``lesson``
    ``None`` takes the lesson ``dir`` was rendered from. ``out`` is the
    Markdown file (default ``script.md`` beside ``dir``). Raises
    ``RenderError`` (one line) when a scene fails or the audit rejects it.
    """
    from mlp_lecture.lecture_script import build_script, default_script_path
    from mlp_lecture.lesson_file import write_text_atomically
    from mlp_lecture.notebook import scene_list
    from mlp_lecture.pipeline.options import RenderError, RenderOptions, default_out_dir
    from mlp_lecture.pipeline.options import select_scenes as select

    chosen = None if lesson is None else _lesson(lesson)
    try:
        listed = scene_list(scenes)
        names = None if listed is None else select(listed)
    except ValueError as error:
        raise RenderError(str(error).replace("--scenes", "scenes")) from None
    options = RenderOptions(quality=quality)
    options.check()
    if dir is not None:
        render_dir = Path(dir)
    else:
        render_dir = default_out_dir(chosen or _lesson(None), options)

    def run(observer: Any) -> Any:
        return build_script(chosen, names, render_dir, jobs=jobs, observer=observer)

    built = _with_progress(run, progress)
    for scene in built.render.scenes:
        if scene.status == "failed" or scene.audit:
            raise RenderError(
                f"{scene.name}: {scene.error or 'the audit found problems'}; no script written"
            )
    path = Path(out) if out is not None else default_script_path(render_dir)
    write_text_atomically(path, built.text)
    return path


def _with_progress(work: Any, progress: bool) -> Any:
    """Run ``work(observer)`` under the notebook's or the terminal's progress display."""
    from mlp_lecture.notebook import NotebookDisplay, in_notebook
    from mlp_lecture.pipeline.render import RenderObserver

    if not progress:
        return work(RenderObserver())
    if in_notebook():
        display: Any = NotebookDisplay()
    else:
        from rich.console import Console

        from mlp_lecture.progress import RenderDisplay

        display = RenderDisplay(Console(stderr=True))
    with display:
        return work(display)


def _register() -> None:
    # In IPython, show Lesson and Trace objects as tables: registered by class
    # name, so this imports neither mlpmath nor rich.
    import sys

    if "IPython" in sys.modules:
        from mlp_lecture.notebook import register_formatters

        register_formatters()


_register()

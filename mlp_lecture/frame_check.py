"""``mlp-lecture verify --frames=ends``: rebuild every scene and hold each step's end to it.

The cheap check. It sees only the last frame of each step: a clip showing
something else between step ends (another lesson's numbers spliced into
every other frame) passes it. ``--frames`` (``mlp_lecture.every_frame``)
renders every scene again and compares every frame, at about one render's
cost; it shares this module's limits, ledger comparison and lesson file.

Rendering is deterministic: the same code and lesson draw the same pixels.
So each scene is built again from the directory's ``lesson.toml``, with
animations skipped (Manim still brings every mobject to each animation's end
state) and no video written, drawing one frame only where each step ends.
Then

- the ledger the code makes must equal the recorded one, entry by entry: the
  same trace path, value, text and step at the same place in the scene's
  order (the order in which the scene created the mobjects), the same worked
  arithmetic, and the same steps with the same values on screen; so a path
  moved to another cell of equal value is found;
- the last frame of every step in the clip (the clip's frame just before the
  step's recorded end; a step clip's last frame; a png is its scene's last
  frame) must match the frame drawn: ``PSNR_THRESHOLD`` dB over the frame and
  no 2x2 patch off by more than ``PATCH_LIMIT``. A clip that does not show what
  its scene draws fails, whatever the manifest says of its size or hash.

Every format is checked (PyAV decodes mp4, webm, mov and gif; a png is read
with Pillow). A gif's 256 colours cost it some dB: SingleNeuron's step ends came
back at 33.6-45.2 dB, patches off by at most 34, still inside both limits.
"""

from __future__ import annotations

import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from manim import config, tempconfig
from manim.utils.iterables import list_update

from mlp_lecture.pipeline.manifest import Manifest, SceneEntry, SectionEntry
from mlp_lecture.pipeline.options import QUALITIES
from mlp_lecture.pipeline.worker import played_values, with_step_tracking
from mlpmath.files import FileRefused, inside, regular_size
from mlpmath.lesson_checks import quoted
from scenekit.audit import draw_nothing
from scenekit.context import LESSON_ENV, current_trace
from scenekit.ledger import LedgerFile, LedgerSection
from scenes import LECTURE_ORDER, scene_class

__all__ = [
    "PATCH_LIMIT",
    "PSNR_THRESHOLD",
    "frame_problems",
    "ledger_differences",
    "lesson_file",
    "patch_error",
    "psnr",
]

# A clip's frame against the same frame drawn again must pass both limits:
# PSNR over the whole frame (a clip of another scene or step is far below), and
# no 2x2 patch's brightness off by more than PATCH_LIMIT of 255 (one digit
# changed moves a whole frame's PSNR by only a few dB, but a patch of it by a lot).
# Measured (mp4; SingleNeuron, NeuronBatch, LayerProduct, ForwardPass at low
# quality, SingleNeuron at high): a clip's own step ends come back at 37.7-58.7 dB
# with no patch off by more than 23; SingleNeuron with one bias changed in its
# fourth decimal has patches off by 77-150 in the steps that show it (its whole
# frames stay at 37.5-43.3 dB); frames of other steps are at 19-21 dB. SingleNeuron
# as webm: 40.6-50.4 dB, patches off by at most 23, as its mp4.
PSNR_THRESHOLD = 30.0
PATCH_LIMIT = 48
MAX_LINES = 5  # mismatched ledger entries reported per scene, then a count


def frame_problems(
    out_dir: Path, manifest: Manifest, ledgers: dict[str, LedgerFile], lesson_text: str
) -> list[str]:
    """One line per scene whose rebuild differs from its recorded ledger or clip."""
    options = manifest.options
    if options.get("wrapper"):
        return ["lecture.json: rendered with a scene wrapper; --frames rebuilds plain scenes"]
    if options.get("quality") not in QUALITIES:
        return [f"lecture.json: options.quality: expected one of {', '.join(QUALITIES)}"]
    problems: list[str] = []
    known = dict(LECTURE_ORDER)
    with lesson_file(manifest.lesson.name, lesson_text) as recorded_lesson:
        for entry in manifest.scenes:
            if entry.skipped is not None:
                continue
            ledger = ledgers.get(entry.ledger)
            if entry.scene not in known:
                problems.append(f"{entry.ledger}: {quoted(entry.scene)} is no scene of the lecture")
                continue
            if ledger is None:
                continue  # its ledger's own problem is reported already
            try:
                rebuilt = _rebuild(entry.scene, options, recorded_lesson)
            except Exception as error:  # a scene that no longer builds: one line, no traceback
                problems.append(
                    f"{entry.ledger}: the scene does not build again ({_one_line(error)})"
                )
                continue
            differences = ledger_differences(ledger, rebuilt.ledger)
            problems += [f"{entry.ledger}: {line}" for line in differences]
            problems += _clip_differences(out_dir, entry, options, rebuilt)
    return problems


@contextmanager
def lesson_file(name: str, text: str) -> Any:
    """The recorded lesson as a file named like the render's (the trace records the name)."""
    plain = name.isprintable() and "/" not in name and "\\" not in name and len(name) <= 100
    safe = name if plain and not name.startswith(".") else "lesson"
    previous = os.environ.get(LESSON_ENV)
    with tempfile.TemporaryDirectory(prefix="mlp-verify-") as folder:
        path = Path(folder) / f"{safe}.toml"
        path.write_text(text, encoding="utf-8")
        os.environ[LESSON_ENV] = str(path)
        try:
            yield path
        finally:
            if previous is None:
                os.environ.pop(LESSON_ENV, None)
            else:
                os.environ[LESSON_ENV] = previous


class _Rebuilt:
    """What the scene's code makes of the lesson: its ledger file and step-end frames."""

    def __init__(self, ledger: LedgerFile, frames: list[np.ndarray], steps: list[str], rate: float):
        self.ledger = ledger
        self.frames = frames  # the last frame of each played step, in order
        self.steps = steps
        self.rate = rate  # frames a second at the render's quality


def _rebuild(name: str, options: dict[str, Any], lesson_file: Path) -> _Rebuilt:
    """Build scene ``name`` with animations skipped, drawing each step's last frame."""
    cls = with_step_tracking(scene_class(name))
    settings = {
        "verbosity": "ERROR",
        "quality": QUALITIES[options["quality"]],
        "transparent": bool(options.get("transparent")),
        "write_to_movie": False,
        "save_last_frame": False,
        "disable_caching": True,
        "progress_bar": "none",
    }
    with tempfile.TemporaryDirectory(prefix="mlp-verify-media-") as media:
        settings["media_dir"] = media
        with tempconfig(settings):
            scene = _drawing_step_ends(cls)(skip_animations=True)
            scene.render()
            ends = [*scene.step_end_frames, scene.draw_now()]
            rate = float(config.frame_rate)
    # steps_shown[i] ends where steps_shown[i + 1] begins: ends[i] is its last frame.
    index = {id(bucket): i for i, bucket in enumerate(scene.steps_shown)}
    frames = [ends[index[id(bucket)]] for bucket in scene.played_steps]
    trace = current_trace()
    ledger = scene.ledger.to_file(name, trace.lesson, set(scene.ever_shown))
    ledger.sections = [
        LedgerSection(i, bucket.name, bucket.step, None, None, values)
        for i, (bucket, values) in enumerate(zip(scene.played_steps, played_values(scene)))
    ]
    return _Rebuilt(ledger, frames, [bucket.step for bucket in scene.played_steps], rate)


def _drawing_step_ends(cls: type) -> type:
    """``cls`` drawing no frame while it plays, but one as each step begins (the last
    frame of the step before) and on ``draw_now``."""

    class StepEnds(cls):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self.step_end_frames: list[np.ndarray] = []
            self.draw_frame = self.renderer.update_frame
            # Skipped plays still draw (static backgrounds): nothing here needs those.
            self.renderer.update_frame = draw_nothing

        def next_section(self, *args: Any, **kwargs: Any) -> None:
            self.step_end_frames.append(self.draw_now())
            super().next_section(*args, **kwargs)

        def draw_now(self) -> np.ndarray:
            self.renderer.static_image = None
            self.draw_frame(self, list_update(self.mobjects, self.foreground_mobjects))
            return self.renderer.get_frame()

    StepEnds.__name__ = StepEnds.__qualname__ = cls.__name__
    StepEnds.__module__ = cls.__module__
    return StepEnds


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return quoted(f"{type(error).__name__}: {text}" if text else type(error).__name__, 120)[1:-1]


def ledger_differences(recorded: LedgerFile, made: LedgerFile) -> list[str]:
    """Where the recorded ledger differs from the one the scene's code ``made`` (its
    ``sections`` the played steps with the values on screen in each)."""
    lines = []
    if recorded.title != made.title:
        lines.append(f"title {quoted(recorded.title)}, but the scene shows {quoted(made.title)}")
    for kind, ours, theirs in (
        ("values", recorded.values, made.values),
        ("relations", recorded.relations, made.relations),
    ):
        if len(ours) != len(theirs):
            lines.append(f"lists {len(ours)} {kind}, but the scene shows {len(theirs)}")
        wrong = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a.to_json() != b.to_json()]
        for i in wrong[:MAX_LINES]:
            lines.append(
                f"{kind}[{i}] is {_entry(ours[i].to_json())}, "
                f"but the scene shows {_entry(theirs[i].to_json())} there"
            )
        if len(wrong) > MAX_LINES:
            lines.append(f"and {len(wrong) - MAX_LINES} more {kind} differ")
    steps = [(s.step, s.values) for s in recorded.sections]
    if steps != [(s.step, s.values) for s in made.sections]:
        lines.append("its steps, or the values on screen in each, differ from the scene's")
    return lines


def _entry(data: dict[str, Any]) -> str:
    return ", ".join(f"{key} {quoted(str(value), 60)}" for key, value in data.items())


def _clip_differences(
    out_dir: Path, entry: SceneEntry, options: dict[str, Any], rebuilt: _Rebuilt
) -> list[str]:
    """Each step's last frame in the clip against the frame the scene draws there."""
    form = options.get("format")
    try:
        clip = inside(out_dir, entry.file)
        regular_size(clip)
    except (FileRefused, OSError):
        return []  # the manifest's check names it
    alpha = bool(options.get("transparent"))
    if form == "png":
        wanted = {0: rebuilt.frames[-1]}
        found = _png_frame(clip, alpha)
        frames = {0: found} if found is not None else {}
        where = {0: "the scene"}
    else:
        ends = _step_ends(entry.sections, len(rebuilt.frames))
        if ends is None:
            return [f"{entry.file}: its steps in lecture.json are not the scene's steps"]
        indices = [max(0, round(end * rebuilt.rate) - 1) for end in ends]
        wanted = dict(zip(indices, rebuilt.frames))
        frames = _decoded_frames(clip, set(indices), alpha)
        where = {
            i: f"section {n} ({quoted(step or 'the title', 40)})"
            for n, (i, step) in enumerate(zip(indices, rebuilt.steps))
        }
    if frames is None:
        return [f"{entry.file}: does not decode as a clip"]
    size = rebuilt.frames[-1].shape[:2]
    other = next((f.shape[:2] for f in frames.values() if f.shape[:2] != size), None)
    if other is not None:
        return [
            f"{entry.file}: frames of {other[1]}x{other[0]}, "
            f"but the scene draws {size[1]}x{size[0]}"
        ]
    problems = []
    for index, drawn in wanted.items():
        problems += _frame_differences(entry.file, where[index], frames.get(index), drawn, alpha)
    if form != "png":
        problems += _section_clip_differences(out_dir, entry.sections, rebuilt, alpha)
    return problems


def _section_clip_differences(
    out_dir: Path, sections: list[SectionEntry], rebuilt: _Rebuilt, alpha: bool
) -> list[str]:
    """Each step's own clip (``--sections``) ends on the frame the scene draws there."""
    problems = []
    for n, (section, drawn) in enumerate(zip(sections, rebuilt.frames)):
        if section.file is None:
            continue
        try:
            clip = inside(out_dir, section.file)
            regular_size(clip)
        except (FileRefused, OSError):
            continue  # the manifest's check names it
        last = _decoded_frames(clip, None, alpha)
        if last is None:
            problems.append(f"{section.file}: does not decode as a clip")
            continue
        shown = last.get(max(last)) if last else None
        problems += _frame_differences(section.file, f"section {n}", shown, drawn, alpha)
    return problems


def _frame_differences(
    clip: str, where: str, shown: np.ndarray | None, drawn: np.ndarray, alpha: bool
) -> list[str]:
    """The clip's frame ``shown`` at ``where`` against the ``drawn`` one, within the limits."""
    if shown is None:
        return [f"{clip}: has no frame at the end of {where}"]
    expected = drawn[:, :, : 4 if alpha else 3]
    if shown.shape != expected.shape:
        return [
            f"{clip}: frames of {shown.shape[1]}x{shown.shape[0]}, but the scene "
            f"draws {expected.shape[1]}x{expected.shape[0]}"
        ]
    value, patch = psnr(shown, expected), patch_error(shown, expected)
    if value < PSNR_THRESHOLD or patch > PATCH_LIMIT:
        return [
            f"{clip}: the end of {where} is not what the scene draws "
            f"(PSNR {value:.1f} dB, a patch off by {patch:.0f}; limits "
            f"{PSNR_THRESHOLD:.0f} dB, {PATCH_LIMIT})"
        ]
    return []


def _step_ends(sections: list[SectionEntry], steps: int) -> list[float] | None:
    """Seconds into the clip where each played step ends, from the manifest."""
    ends = [section.end for section in sections]
    if len(ends) != steps or any(end is None or not math.isfinite(end) for end in ends):
        return None
    return [float(end) for end in ends if end is not None]


def _decoded_frames(
    path: Path, indices: set[int] | None, alpha: bool
) -> dict[int, np.ndarray] | None:
    """The frames at ``indices`` (counted from 0; None: only the last) of the clip's
    video, as RGB(A) arrays; None when it does not decode."""
    import av

    found: dict[int, np.ndarray] = {}
    last = max(indices) if indices else None
    kind = "rgba" if alpha else "rgb24"
    try:
        with av.open(str(path)) as container:
            final = None
            for number, frame in enumerate(container.decode(container.streams.video[0])):
                if indices is None:
                    final = (number, frame)
                elif number in indices:
                    found[number] = frame.to_ndarray(format=kind)
                if last is not None and number >= last:
                    break
            if final is not None:
                found[final[0]] = final[1].to_ndarray(format=kind)
    except (av.FFmpegError, IndexError, ValueError, OSError):
        return None
    return found


def _png_frame(path: Path, alpha: bool) -> np.ndarray | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGBA" if alpha else "RGB"))
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def psnr(first: np.ndarray, second: np.ndarray) -> float:
    """Peak signal-to-noise ratio of two 8-bit images in dB (inf when equal)."""
    error = np.mean((first.astype(np.float64) - second.astype(np.float64)) ** 2)
    return math.inf if error == 0 else 10 * math.log10(255.0**2 / error)


def patch_error(first: np.ndarray, second: np.ndarray) -> float:
    """The most any 2x2 patch's mean brightness differs between two 8-bit images (0-255)."""
    a, b = _brightness(first), _brightness(second)
    return float(np.abs(a - b).max()) if a.size else 0.0


def _brightness(image: np.ndarray) -> np.ndarray:
    """Mean of the channels, averaged over 2x2 patches (an odd last row or column dropped)."""
    gray = image.astype(np.float64).mean(axis=2)
    height, width = gray.shape[0] // 2 * 2, gray.shape[1] // 2 * 2
    return gray[:height, :width].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))

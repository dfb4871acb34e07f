"""What each step of a rendered scene shows: its values, its times, its captions.

A worker renders the scene class :func:`with_step_tracking` makes of it: each
Manim section (a step) notes the ledger entries on screen during it and when
it starts, and each step's caption becomes a Manim subcaption. Once the scene
is played, :func:`section_outputs` turns the sections into
:class:`SectionOutput` records and :func:`clip_captions` writes the clip's
subtitles and each step clip's own. ``mlp_lecture.pipeline.worker`` uses it;
its source is part of every scene's cache key, as the worker's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlp_lecture.captions import Cue, cue_text, read_srt, write_captions
from mlp_lecture.pipeline.media import video_duration

__all__ = [
    "SectionOutput",
    "StepShown",
    "clip_captions",
    "played_steps",
    "played_values",
    "section_outputs",
    "step_captions",
    "step_cues",
    "with_step_tracking",
]


@dataclass
class SectionOutput:
    """One Manim section of a rendered scene: a step, and the values it shows."""

    index: int
    name: str  # Manim's section name
    step: str  # the step's caption ("" for what comes before the first step)
    file: str | None  # the section's clip in the work directory (with --sections)
    duration: float | None
    values: list[int]  # indices into the ledger's "values" on screen during the section
    start: float | None = None  # seconds into the scene's clip where the step starts
    end: float | None = None  # ... and where it ends (None for a still)
    captions: dict[str, str] = field(default_factory=dict)  # "srt" | "vtt" -> the clip's cue


@dataclass
class StepShown:
    """Ledger entries on screen during one section (indices into ``ledger.entries``)."""

    name: str
    step: str
    first_play: int
    start: float  # the renderer's time (seconds of video written) when the section began
    shown: set[int] = field(default_factory=set)
    end: float = 0.0  # set once the scene is played: where the next section begins


def with_step_tracking(cls: type) -> type:
    """``cls``, also noting in ``steps_shown`` which ledger entries are on screen
    in each Manim section (each step) and when each section starts; once played,
    ``played_steps`` holds the sections that made video, and each step's caption
    is a Manim subcaption (Manim writes them to ``<Scene>.srt`` beside the clip)."""

    class StepTracked(cls):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            self.steps_shown = [StepShown("autocreated", "", 0, 0.0)]
            self.played_steps: list[StepShown] = []

        def next_section(self, *args: Any, **kwargs: Any) -> None:
            super().next_section(*args, **kwargs)
            section = self.renderer.file_writer.sections[-1]
            self.steps_shown.append(
                StepShown(
                    section.name, self.ledger.step, self.renderer.num_plays, self.renderer.time
                )
            )

        def tear_down(self) -> None:
            super().tear_down()
            self.played_steps = played_steps(self.steps_shown, self.renderer)
            spoken = getattr(self, "narration_spans", {})
            for cue in step_cues(self.played_steps, self.ledger.title, spoken):
                # Manim's subcaptions start at "now" plus an offset: now is the clip's end.
                self.add_subcaption(
                    cue.text, duration=cue.end - cue.start, offset=cue.start - self.renderer.time
                )

        def add(self, *mobjects: Any) -> Any:
            result = super().add(*mobjects)
            self.note_shown()
            return result

        def play(self, *args: Any, **kwargs: Any) -> None:
            self.note_shown()  # what stays on screen through this play
            super().play(*args, **kwargs)
            self.note_shown()

        def note_shown(self) -> None:
            """Add the ledger entries now on screen to the current step's."""
            if not getattr(self, "steps_shown", None):
                return  # Scene.__init__ adds mobjects before setup()
            on_screen = {
                id(member)
                for top in [*self.mobjects, *self.foreground_mobjects]
                for member in top.get_family()
            }
            bucket = self.steps_shown[-1]
            for index, entry in enumerate(self.ledger.entries):
                if index in bucket.shown or entry.mobject is None:
                    continue
                if id(entry.mobject) in on_screen:  # itself on screen: no family to walk
                    bucket.shown.add(index)
                    continue
                family = getattr(entry.mobject, "get_family", lambda m=entry.mobject: [m])()
                if any(id(member) in on_screen for member in family):
                    bucket.shown.add(index)

    StepTracked.__name__ = StepTracked.__qualname__ = cls.__name__
    StepTracked.__module__ = cls.__module__
    return StepTracked


def played_steps(steps: list[StepShown], renderer: Any) -> list[StepShown]:
    """The sections that played something, each with its end time.

    Manim drops a section that played nothing; its values show in the next one.
    """
    buckets: list[StepShown] = []
    carried: set[int] = set()
    plays = renderer.num_plays
    for i, bucket in enumerate(steps):
        following = steps[i + 1] if i + 1 < len(steps) else None
        end = following.first_play if following else plays
        carried |= bucket.shown
        if end > bucket.first_play:
            bucket.shown = carried
            bucket.end = following.start if following else renderer.time
            carried = set()
            buckets.append(bucket)
    return buckets


def step_cues(steps: list[StepShown], title: str, spoken: dict[float, float]) -> list[Cue]:
    """A cue per played section: the step's caption, or (before the first step) the title.

    A narrated step's cue lasts while its narration is heard (``spoken``: a step's
    start -> where its narration ends), as a subtitle does."""
    cues = []
    for bucket in steps:
        text = cue_text(bucket.step or title)
        start, end = round(bucket.start, 3), round(bucket.end, 3)
        if start in spoken:
            end = min(end, round(spoken[start], 3))
        if text and end > start:
            cues.append(Cue(start, end, text))
    return cues


def section_outputs(scene: Any, writer: Any, sections_dir: Path | None) -> list[SectionOutput]:
    """The scene's sections with their clips, times and the ledger values each shows."""
    buckets = scene.played_steps
    shown = played_values(scene)
    manim_sections = [section for section in writer.sections if not section.is_empty()]
    if sections_dir is not None and len(manim_sections) != len(buckets):
        raise RuntimeError(
            f"{len(manim_sections)} Manim sections but {len(buckets)} steps were played"
        )
    outputs = []
    for index, bucket in enumerate(buckets):
        clip = None
        duration = None
        if sections_dir is not None and manim_sections[index].video is not None:
            path = sections_dir / manim_sections[index].video
            if path.is_file():
                clip = str(path)
                duration = video_duration(path)
        values = shown[index]
        outputs.append(
            SectionOutput(
                index,
                bucket.name,
                bucket.step,
                clip,
                duration,
                values,
                start=round(bucket.start, 3),
                end=round(bucket.end, 3),
            )
        )
    return outputs


def played_values(scene: Any) -> list[list[int]]:
    """For each played step of ``scene`` (built ``with_step_tracking``), the values on
    screen during it: indices into its ledger file's values (entries put on screen)."""
    listed = scene.ledger.shown_entries(set(scene.ever_shown))
    position = {entry_index: i for i, entry_index in enumerate(listed)}
    return [
        sorted(position[i] for i in bucket.shown if i in position) for bucket in scene.played_steps
    ]


def clip_captions(artifact: Path, duration: float, sections: list[SectionOutput]) -> dict[str, str]:
    """The clip's subtitles beside it (Manim wrote the .srt), and each step clip's own.

    Cue times count frames; the container's last timestamp can fall a
    millisecond or two short of that, so the last cue is cut to the clip's end.
    """
    subrip = artifact.with_suffix(".srt")
    if not subrip.is_file():  # a scene with neither title nor steps has no captions
        return {}
    end = round(duration, 3)
    cues = [Cue(min(c.start, end), min(c.end, end), c.text) for c in read_srt(subrip)]
    written = write_captions(cues, artifact.with_suffix(""))
    for section in sections:
        if section.end is not None:
            section.end = min(section.end, end)
        section.captions = step_captions(section, cues)
    return {suffix: str(path) for suffix, path in written.items()}


def step_captions(section: SectionOutput, cues: Sequence[Cue]) -> dict[str, str]:
    """Write the step clip's own captions beside it: the scene's cue that starts where
    the step starts, moved to 0 and cut to the clip. Returns suffix -> file ({}: none)."""
    by_start = {cue.start: cue for cue in cues}
    cue = by_start.get(section.start) if section.start is not None else None
    if section.file is None or cue is None:
        return {}
    length = cue.end - cue.start
    if section.duration is not None:
        length = min(length, section.duration)
    clip = Path(section.file)
    files = write_captions([Cue(0.0, round(length, 3), cue.text)], clip.with_suffix(""))
    return {suffix: str(path) for suffix, path in files.items()}

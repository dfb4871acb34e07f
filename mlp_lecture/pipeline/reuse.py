"""Reuse: a scene the sibling render directory holds is taken from there, not rendered again.

``render`` writes ``renders/<lesson>/<quality>``, ``slides`` the sectioned
render beside it, ``<quality>-slides``. Both hold the same scenes under the
same lesson, code and options but ``sections``, and Manim makes both full
clips of the same partial movie files: the clips are the same bytes. A step's
clip is the run of those partial movies between the step's start and end
(the manifest's ``SectionEntry.start``/``end``, whole frames), each partial
movie starting on a key frame, so it is cut from the full clip by copying
its packets (no re-encoding): the frames it decodes to are the ones Manim's
own section file decodes to.

So a scene missing from ``DIR`` whose key, ``sections`` aside, matches the
sibling's entry is made from the sibling's files: the clip and its captions
hard-linked (copied where linking fails), the ledger rewritten with ``DIR``'s
steps, each step clip cut and captioned as the worker captions it. Everything
goes into ``DIR`` through ``OutputDirectory.publish``, so the manifest lists
it like a rendered scene. Only mp4 is reused (what ``slides`` renders); a
sibling file whose sha256 is not the one its manifest records, or a cut that
does not come out exact, is not used: that scene is rendered.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

from mlp_lecture.captions import read_srt
from mlp_lecture.pipeline.directory import OutputDirectory, hold_directory
from mlp_lecture.pipeline.keys import scene_key
from mlp_lecture.pipeline.manifest import (
    MANIFEST,
    ManifestFormatError,
    SceneEntry,
    file_sha256,
    read_manifest,
)
from mlp_lecture.pipeline.options import RenderError, RenderOptions
from mlp_lecture.pipeline.safe_names import NameRefused, inside
from mlp_lecture.pipeline.worker import SceneOutput, SectionOutput, step_captions
from mlpmath.files import FileRefused, regular_size
from scenekit.ledger import LedgerFormatError, read_ledger
from scenes import LECTURE_ORDER

__all__ = ["REUSED", "SLIDES_SUFFIX", "CutError", "cut_clip", "reuse_scenes", "sibling_dir"]

REUSED = "reused"  # a RenderedScene's status: made from the sibling directory's files
SLIDES_SUFFIX = "-slides"  # the sectioned render's directory: ``<quality>-slides``
REUSABLE_FORMATS = ("mp4",)  # checked to cut exactly (the slides' and render's default)


class CutError(ValueError):
    """A step clip that cannot be cut exactly from its scene's clip."""


def sibling_dir(out_dir: Path, options: RenderOptions) -> Path | None:
    """The directory the same render with ``sections`` flipped writes by default."""
    if options.sections:
        if not out_dir.name.endswith(SLIDES_SUFFIX) or out_dir.name == SLIDES_SUFFIX:
            return None
        return out_dir.with_name(out_dir.name[: -len(SLIDES_SUFFIX)])
    return out_dir.with_name(out_dir.name + SLIDES_SUFFIX)


def reuse_scenes(
    directory: OutputDirectory, keys: dict[str, str]
) -> dict[str, tuple[SceneEntry, float]]:
    """Publish into ``directory`` each scene of ``keys`` (scene -> its key in ``directory``)
    that its sibling holds under the same key, ``sections`` aside; returns each reused
    scene's entry and the seconds it took."""
    options = directory.options
    sibling = sibling_dir(directory.out_dir, options)
    if options.format not in REUSABLE_FORMATS or sibling is None or not sibling.is_dir():
        return {}
    flipped = replace(options, sections=not options.sections)
    try:
        with hold_directory(sibling):  # no render is changing it meanwhile
            manifest = read_manifest(sibling)
            if (
                manifest.lesson.hash != directory.manifest.lesson.hash
                or manifest.options != flipped.to_json()
            ):
                return {}
            modules = dict(LECTURE_ORDER)
            reused = {}
            for name, own_key in keys.items():
                entry = manifest.scene(name)
                key = scene_key(name, modules[name], manifest.lesson.hash, flipped)
                if entry is None or entry.skipped is not None or entry.key != key:
                    continue
                started = time.perf_counter()
                try:
                    output = _scene_output(sibling, entry, directory.work / name, options)
                except (OSError, CutError, LedgerFormatError):
                    shutil.rmtree(directory.work / name, ignore_errors=True)
                    continue  # rendered instead
                published = directory.publish(output, own_key)
                shutil.rmtree(directory.work / name, ignore_errors=True)
                reused[name] = (published, time.perf_counter() - started)
            return reused
    except (OSError, ManifestFormatError, RenderError):  # no sibling render, or one busy
        return {}


def _scene_output(
    sibling: Path, entry: SceneEntry, work: Path, options: RenderOptions
) -> SceneOutput:
    """The sibling's scene as a worker would have handed it over, its files in ``work``."""
    work.mkdir(parents=True)
    taken = {}  # file of the sibling's -> its copy in ``work``
    for name in [entry.file, *entry.captions.values()]:
        taken[name] = _link(sibling, entry, name, work / Path(name).name)
    ledger = read_ledger(_link(sibling, entry, entry.ledger, work / "sibling-ledger.json"))
    if len(ledger.sections) != len(entry.sections):
        raise CutError(f"{entry.ledger}: not the steps the manifest records")
    clip = taken[entry.file]
    cues = read_srt(taken[entry.captions["srt"]]) if "srt" in entry.captions else []
    if options.sections:
        _check_steps(entry)
    sections = []
    for step, recorded in zip(ledger.sections, entry.sections, strict=True):
        section = SectionOutput(
            step.index,
            step.name,
            step.step,
            None,
            None,
            list(step.values),
            start=recorded.start,
            end=recorded.end,
        )
        if options.sections:
            cut = work / f"{entry.scene}-{step.index:02d}{clip.suffix}"
            cut_clip(clip, cut, recorded.start or 0.0, recorded.end or 0.0)
            section.file = str(cut)
            section.duration = _duration(cut)
            section.captions = step_captions(section, cues)
        sections.append(section)
    ledger.sections = []  # ``publish`` writes this directory's steps
    return SceneOutput(
        scene=entry.scene,
        artifact=str(clip),
        ledger=ledger,
        sections=sections,
        duration=entry.duration,
        frames=entry.frames,
        seconds=entry.render_seconds,  # what rendering it cost, for planning the next render
        audit=list(entry.audit_problems),
        audit_seconds=entry.audit_seconds,
        captions={suffix: str(taken[name]) for suffix, name in entry.captions.items()},
    )


def _link(sibling: Path, entry: SceneEntry, name: str, target: Path) -> Path:
    """``target``: the sibling's file ``name``, hard-linked (else copied), checked by its sha256.

    Only a regular file inside the sibling (``safe_names``) at the size its manifest
    records is taken: a FIFO or ``/dev/zero`` listed there is refused before reading.
    """
    try:
        source = inside(sibling, name, source=sibling / MANIFEST, field=entry.scene)
        if regular_size(source) != entry.files.get(name):
            raise CutError(f"{source}: not the size its manifest records")
    except (NameRefused, FileRefused) as error:
        raise CutError(str(error)) from None
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    if name not in entry.sha256 or file_sha256(target) != entry.sha256[name]:
        raise CutError(f"{source}: not the file its manifest records")
    return target


def _check_steps(entry: SceneEntry) -> None:
    """The steps tile the clip: the first starts at 0, each ends where the next starts."""
    at = 0.0
    for section in entry.sections:
        if section.start is None or section.end is None or section.start != at:
            raise CutError(f"{entry.scene}: step {section.index} does not follow the one before")
        if section.end <= section.start:
            raise CutError(f"{entry.scene}: step {section.index} is empty")
        at = section.end
    if entry.duration is None or abs(at - entry.duration) > 1e-3:
        raise CutError(f"{entry.scene}: the steps end at {at}, the clip at {entry.duration}")


def _duration(path: Path) -> float:
    from mlp_lecture.pipeline.media import video_duration

    return video_duration(path)


def cut_clip(source: Path, target: Path, start: float, end: float) -> int:
    """Copy the frames of ``source`` from ``start`` to ``end`` seconds into ``target``.

    Packets are copied as they are (no re-encoding), timed from 0, as Manim
    writes a section's clip. ``start`` and ``end`` must fall on frames and
    the first frame must be a key frame: else ``CutError``. Returns the
    number of frames.
    """
    import av

    with av.open(str(source)) as clip:
        stream = clip.streams.video[0]
        rate = stream.average_rate
        base = stream.time_base
        if not rate or base is None:
            raise CutError(f"{source.name}: no frame rate")
        first, last = start * rate, end * rate
        if abs(first - round(first)) > 1e-2 or abs(last - round(last)) > 1e-2:
            raise CutError(f"{source.name}: {start}-{end} s is not whole frames")
        first, last = round(first), round(last)
        packets = [
            packet
            for packet in clip.demux(stream)
            if packet.dts is not None
            and packet.pts is not None
            and first <= round(packet.pts * base * rate) < last
        ]
        if len(packets) != last - first or not packets[0].is_keyframe:
            raise CutError(f"{source.name}: {start}-{end} s does not start on a key frame")
        offset = min(packet.pts for packet in packets)
        with av.open(str(target), mode="w") as output:
            output.metadata.update(
                {key: value for key, value in clip.metadata.items() if key == "comment"}
            )
            out_stream = output.add_stream_from_template(template=stream)
            for packet in packets:
                packet.pts -= offset
                packet.dts = None  # libav times them, as Manim's concatenation does
                packet.stream = out_stream
                output.mux(packet)
    return last - first

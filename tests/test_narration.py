"""Narration (issue 35): narration.json, drafts, recording, a narrated render checked through PyAV.

Tones at distinct frequencies stand in for recordings: each step's window of
the clip must hold its own tone (energy, and the FFT's peak at the tone's
frequency), decoded from the clip PyAV reads back, never from what the code
reports.
"""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import LESSONS, run_cli

from mlp_lecture.captions import read_srt
from mlp_lecture.narration.audio import RATE, AudioRefused, decode_audio
from mlp_lecture.narration.plan import PAUSE, plan_narration
from mlp_lecture.narration.record import read_narration
from mlp_lecture.narration.script import prepare_narration
from mlp_lecture.pipeline.keys import lesson_hash, scene_key
from mlp_lecture.pipeline.options import RenderOptions
from mlpmath import cached_trace, default_lesson

SCENE = "Activation"  # two steps, 18 s: the smallest scene to render
DRAFTED = "BiasBroadcast"  # after it in the lecture: narrated by espeak-ng drafts
TONES = {1: 440.0, 2: 1000.0}
LENGTHS = {1: 2.5, 2: 9.0}  # step 2's tone is longer than its animation: the step must wait


def tone(path: Path, frequency: float, seconds: float, rate: int = RATE, lead: float = 0.0) -> Path:
    """A sine at ``frequency`` (``lead`` seconds of silence before and after), any rate."""
    t = np.arange(int(seconds * rate)) / rate
    sound = 0.3 * np.sin(2 * np.pi * frequency * t)
    quiet = np.zeros(int(lead * rate))
    samples = np.concatenate([quiet, sound, quiet]).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format=path.suffix.lstrip(".")) as container:
        codec = {"wav": "pcm_s16le", "flac": "flac", "mp3": "libmp3lame", "ogg": "libopus"}[
            path.suffix.lstrip(".")
        ]
        stream = container.add_stream(codec, rate=rate, layout="mono")
        pcm = (samples * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def clip_sound(path: Path) -> np.ndarray:
    """The clip's audio, decoded by PyAV, mono at RATE."""
    with av.open(str(path)) as container:
        assert container.streams.audio, f"{path.name} has no audio stream"
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray().mean(axis=0) for frame in container.decode(stream)]
        assert stream.codec_context.sample_rate == RATE
    return np.concatenate(chunks)


def peak_frequency(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[spectrum.argmax()])


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


def stream_seconds(path: Path) -> dict[str, float]:
    with av.open(str(path)) as container:
        return {s.type: float(s.duration * s.time_base) for s in container.streams}


# -- narration.json, drafts and bad input (no render) -------------------------------


def test_narration_json_lists_every_step_and_drafts_never_replace_recordings(tmp_path):
    voice = tmp_path / "voice"
    report = prepare_narration(voice, default_lesson(), [SCENE], draft=True)
    narration = read_narration(voice)
    assert [s.step for s in narration.steps] == [0, 1, 2] and report.drafts == 3  # 0: title
    assert narration.steps[0].sentence == "The activation the first layer lacks: ReLU"
    for entry in narration.steps:
        assert entry.voice == "draft" and entry.file == f"{SCENE}/{entry.step:02d}.wav"
        draft = decode_audio(voice / entry.draft)
        assert len(draft) > RATE and rms(draft) > 0.01  # espeak-ng said something
    # the teacher's recording of step 1, saved as FLAC under the step's name, wins
    tone(voice / SCENE / "01.flac", 440.0, 1.0)
    prepare_narration(voice, default_lesson(), [SCENE], draft=True)
    entry = read_narration(voice).find(SCENE, 1)
    assert entry is not None and entry.voice == "recorded"
    plan = plan_narration(voice, default_lesson(), [SCENE])
    chosen = {audio.step: audio for audio in plan.for_scene(SCENE)}
    assert chosen[1].name == f"{SCENE}/01.flac" and chosen[1].voice == "recorded"
    assert chosen[2].voice == "draft"
    assert (voice / SCENE / "01.draft.wav").exists()  # the draft stays beside it, unused


def test_a_changed_recording_changes_only_its_scenes_key(tmp_path):
    voice = tmp_path / "voice"
    names = ["SingleNeuron", SCENE]
    prepare_narration(voice, default_lesson(), names)
    tone(voice / SCENE / "01.wav", 440.0, 1.0)
    tone(voice / "SingleNeuron" / "01.wav", 600.0, 1.0)
    digest = lesson_hash(cached_trace(default_lesson()))

    def keys() -> dict[str, str]:
        plan = plan_narration(voice, default_lesson(), names)
        modules = {"SingleNeuron": "scenes.single_neuron", SCENE: "scenes.activation"}
        return {n: scene_key(n, modules[n], digest, RenderOptions(), plan.key(n)) for n in names}

    before = keys()
    tone(voice / SCENE / "01.wav", 450.0, 1.0)
    after = keys()
    assert after[SCENE] != before[SCENE] and after["SingleNeuron"] == before["SingleNeuron"]


def test_bad_audio_is_refused_in_one_line(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("not a sound\n" * 50)
    # two hours of 8 kHz, 8-bit silence (58 MB): refused by its length, not read through
    long = tmp_path / "long.wav"
    size = 2 * 3600 * 8000
    header = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8) + b"data"
    long.write_bytes(header + struct.pack("<I", size) + bytes([128]) * size)
    for path, words in ((empty, "empty"), (text, "not audio"), (long, "2:00:00 long")):
        with pytest.raises(AudioRefused) as caught:
            decode_audio(path)
        message = str(caught.value)
        assert words in message and "\n" not in message and str(path) in message


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_each_editors_format_decodes_to_its_sound(tmp_path, suffix):
    rate = 48000 if suffix == ".ogg" else 44100  # Opus runs at 48 kHz
    sound = decode_audio(tone(tmp_path / f"take{suffix}", 523.0, 1.5, rate=rate))
    assert abs(len(sound) / RATE - 1.5) < 0.06  # an encoder's padding at most
    assert abs(peak_frequency(sound) - 523.0) < 3 and rms(sound) > 0.15


def test_a_wrong_sample_rate_is_resampled(tmp_path):
    sound = decode_audio(tone(tmp_path / "low.wav", 700.0, 1.0, rate=22050))
    assert abs(len(sound) / RATE - 1.0) < 0.01
    assert abs(peak_frequency(sound) - 700.0) < 3


def test_render_refuses_bad_narration_in_one_line(tmp_path):
    voice = tmp_path / "voice"
    prepare_narration(voice, default_lesson(), [SCENE])
    (voice / SCENE).mkdir(exist_ok=True)
    (voice / SCENE / "02.wav").write_text("hello")
    cases = [
        (["--narration", str(tmp_path / "missing")], "no such directory"),
        (["--narration", str(voice)], "not audio"),
        (["--draft-missing"], "needs --narration"),
    ]
    for extra, words in cases:
        result = run_cli("render", "--scenes", SCENE, "--out", str(tmp_path / "out"), *extra)
        assert result.returncode != 0 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert (voice / SCENE / "02.wav").read_text() == "hello"  # nothing of the user's lost
    data = json.loads((voice / "narration.json").read_text())
    data["lesson"] = "another"
    (voice / "narration.json").write_text(json.dumps(data))
    (voice / SCENE / "02.wav").unlink()
    result = run_cli("render", "--scenes", SCENE, "--narration", str(voice))
    assert result.returncode != 0 and "'another', not 'default'" in result.stderr


# -- record: a file in place of the microphone ---------------------------------------


def test_record_trims_normalises_and_retakes(tmp_path):
    voice = tmp_path / "voice"
    first = tone(tmp_path / "take1.wav", 440.0, 1.5, lead=1.0)
    second = tone(tmp_path / "take2.wav", 880.0, 1.5, lead=1.0, rate=44100)
    env = {**os.environ, "MLP_RECORD_SOURCE": f"{first}:{second}"}
    # step 1: start, stop, retake; start, stop, keep. Then stop the session.
    script = "\n\nr\n\n\n\nq\n"
    import subprocess

    from conftest import cli_command

    result = subprocess.run(
        [*cli_command(), "record", "--scenes", SCENE, "--dir", str(voice), "--from", "1"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ReLU clamps every negative pre-activation" in result.stdout  # the sentence shown
    kept = decode_audio(voice / SCENE / "01.wav")
    assert abs(peak_frequency(kept) - 880.0) < 3  # the retake, not the first take
    assert len(kept) / RATE < 1.5 + 0.5  # a second of silence trimmed at each end
    loudness = integrated_loudness(kept)
    assert abs(loudness - (-16.0)) < 1.0, loudness
    entry = read_narration(voice).find(SCENE, 1)
    assert entry is not None and entry.voice == "recorded"
    assert not (voice / SCENE / "02.wav").exists()
    # a recording saved from an audio editor is the teacher's: record never overwrites it
    theirs = tone(voice / SCENE / "02.wav", 300.0, 1.0).read_bytes()
    again = subprocess.run(
        [*cli_command(), "record", "--scenes", SCENE, "--dir", str(voice), "--from", "2"],
        input="\n\n\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert again.returncode != 0 and "move it away" in again.stderr, again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert (voice / SCENE / "02.wav").read_bytes() == theirs


def integrated_loudness(samples: np.ndarray) -> float:
    """EBU R128 integrated loudness by FFmpeg's ``ebur128`` meter (not loudnorm)."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(format="flt", sample_rate=RATE, layout="mono", time_base=None)
    meter = graph.add("ebur128", "metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1).astype(np.float32), "flt", "mono")
    frame.rate = RATE
    frame.pts = 0
    graph.push(frame)
    graph.push(None)
    value = None
    while True:
        try:
            out = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            break
        found = out.metadata.get("lavfi.r128.I")
        value = float(found) if found is not None else value
    assert value is not None
    return value


# -- a narrated render, checked through PyAV ------------------------------------------


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    root = tmp_path_factory.mktemp("narrated")
    voice = root / "voice"
    prepare_narration(voice, default_lesson(), [SCENE, DRAFTED])
    for step, frequency in TONES.items():
        tone(voice / SCENE / f"{step:02d}.wav", frequency, LENGTHS[step])
    # the second scene has no recordings: espeak-ng drafts fill it (--draft-missing)
    result = run_cli(
        "render", "--scenes", f"{SCENE},{DRAFTED}", "--narration", str(voice), "--lecture",
        "--draft-missing", "--out", str(root / "out"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root


def test_each_step_window_holds_its_narration(narrated):
    out = narrated / "out"
    manifest = json.loads((out / "lecture.json").read_text())
    (entry,) = [s for s in manifest["scenes"] if s["scene"] == SCENE]
    sound = clip_sound(out / f"{SCENE}.mp4")
    starts = {section["index"]: section["start"] for section in entry["sections"]}
    placed = {p["step"]: p for p in entry["narration"]}
    for step, frequency in TONES.items():
        start = starts[step]  # section 0 is the title; section N is step N
        window = sound[round((start + 0.05) * RATE) : round((start + LENGTHS[step] - 0.05) * RATE)]
        assert rms(window) > 0.1, step
        assert abs(peak_frequency(window) - frequency) < 3, step
        assert abs(placed[step]["start"] - start) < 1e-3
        # the step lasts at least its narration and the pause (within a frame)
        end = entry["sections"][step]["end"]
        assert end - start >= LENGTHS[step] + PAUSE - 1 / 15 - 1e-3
    title = sound[: round(starts[1] * RATE) - RATE // 20]  # the title: drafted by espeak-ng
    assert rms(title) > 0.01 and placed[0]["voice"] == "draft" and placed[0]["start"] == 0.0
    seconds = stream_seconds(out / f"{SCENE}.mp4")
    assert abs(seconds["audio"] - seconds["video"]) <= 1 / 15
    import hashlib

    def sha(name: str) -> str:
        return hashlib.sha256((narrated / "voice" / SCENE / name).read_bytes()).hexdigest()

    recorded = {step: sha(f"{step:02d}.wav") for step in TONES}
    assert {p["step"]: p["sha256"] for p in entry["narration"]} == {
        0: sha("00.draft.wav"),
        **recorded,
    }


def test_captions_lie_inside_their_narration(narrated):
    out = narrated / "out"
    manifest = json.loads((out / "lecture.json").read_text())
    (entry,) = [s for s in manifest["scenes"] if s["scene"] == SCENE]
    cues = read_srt(out / f"{SCENE}.srt")
    sound = clip_sound(out / f"{SCENE}.mp4")
    for step in TONES:
        start = entry["sections"][step]["start"]
        (cue,) = [c for c in cues if abs(c.start - start) < 1e-3]
        # where the tone is audible, by the decoded audio's energy in 10 ms blocks
        block = RATE // 100
        around = sound[round(start * RATE) : round((start + LENGTHS[step] + 1) * RATE)]
        loud = [
            i
            for i in range(len(around) // block)
            if rms(around[i * block : (i + 1) * block]) > 0.05
        ]
        heard_from, heard_to = start + loud[0] / 100, start + (loud[-1] + 1) / 100
        assert cue.start >= heard_from - 0.05 and cue.end <= heard_to + 0.05
        assert cue.end - cue.start >= LENGTHS[step] - 0.1


def test_the_joined_lecture_carries_the_narration(narrated):
    out = narrated / "out"
    seconds = stream_seconds(out / "lecture.mp4")
    assert abs(seconds["audio"] - seconds["video"]) <= 1 / 15
    manifest = json.loads((out / "lecture.json").read_text())
    (entry,) = [s for s in manifest["scenes"] if s["scene"] == SCENE]
    sound = clip_sound(out / "lecture.mp4")
    for step, frequency in TONES.items():
        start = entry["sections"][step]["start"]
        window = sound[round((start + 0.1) * RATE) : round((start + LENGTHS[step] - 0.1) * RATE)]
        assert abs(peak_frequency(window) - frequency) < 3
    # the second clip's voice (drafts) sits where that clip starts, sample for sample
    (second,) = [s for s in manifest["scenes"] if s["scene"] == DRAFTED]
    offset = manifest["lecture"]["offsets"][manifest["lecture"]["scenes"].index(DRAFTED)]
    assert offset == pytest.approx(entry["duration"])
    assert {p["voice"] for p in second["narration"]} == {"draft"}
    assert len(second["narration"]) == len(second["sections"])  # the title and every step
    (title,) = [p for p in second["narration"] if p["step"] == 0]  # said as the scene opens
    assert title["start"] == 0.0
    assert second["sections"][1]["start"] >= title["seconds"] + PAUSE - 1 / 15 - 1e-3
    own = clip_sound(out / f"{DRAFTED}.mp4")
    at = round(offset * RATE)
    part = sound[at : at + len(own)]
    length = min(len(part), len(own))
    match = float(part[:length] @ own[:length]) / float(
        np.linalg.norm(part[:length]) * np.linalg.norm(own[:length])
    )
    assert match > 0.95, match
    for placed in second["narration"]:  # each draft heard in its step's window
        begin = at + round((placed["start"] + 0.05) * RATE)
        assert rms(sound[begin : begin + round((placed["seconds"] - 0.1) * RATE)]) > 0.01


def test_stale_narration_stops_the_render_naming_the_steps(tmp_path):
    voice = tmp_path / "voice"
    prepare_narration(voice, default_lesson(), [SCENE])
    for step, frequency in TONES.items():
        tone(voice / SCENE / f"{step:02d}.wav", frequency, 1.0)
    # the same lesson with tanh: Activation's first sentence changes (ReLU's words go)
    tanh = tmp_path / "default.toml"
    tanh.write_text((LESSONS / "default.toml").read_text().replace('"relu"', '"tanh"'))
    result = run_cli(
        "render", str(tanh), "--scenes", SCENE, "--narration", str(voice), "--draft-missing",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.returncode != 0
    (line,) = [line for line in result.stderr.splitlines() if "narration of step" in line]
    assert "Activation" in line and re.search(r"steps? 1\b", line) and "record" in line
    assert decode_audio(voice / SCENE / "01.wav") is not None  # the recording is kept
    assert not (voice / SCENE / "01.draft.wav").exists()  # never drafted over


# -- the decks -----------------------------------------------------------------------

AUDIO_STATE = """
const slide = Reveal.getCurrentSlide();
const video = slide && slide.slideBackgroundElement
    ? slide.slideBackgroundElement.querySelector('video') : null;
if (!video) return {slide: Reveal.getIndices().h};
return {slide: Reveal.getIndices().h, muted: video.muted, paused: video.paused,
        time: video.currentTime, decoded: video.webkitAudioDecodedByteCount,
        src: video.currentSrc};
"""


def test_the_decks_carry_and_play_the_narration(narrated, tmp_path):
    import time
    import zipfile

    from conftest import chromium
    from selenium.webdriver.common.keys import Keys

    out = tmp_path / "deck"
    result = run_cli(
        "slides", "--scenes", SCENE, "--narration", str(narrated / "voice"), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    # the PowerPoint: the step slides' media parts hold audio (read back by PyAV)
    with zipfile.ZipFile(out / "deck.pptx") as deck:
        media = [name for name in deck.namelist() if name.startswith("ppt/media/media")]
        sounds = []
        for name in sorted(media):
            part = tmp_path / Path(name).name
            part.write_bytes(deck.read(name))
            with av.open(str(part)) as container:
                sounds.append(bool(container.streams.audio))
    assert sounds and all(sounds)
    # the speaker notes say which slide speaks a draft (the title) and which the teacher
    from pptx import Presentation

    notes = [
        slide.notes_slide.notes_text_frame.text
        for slide in Presentation(str(out / "deck.pptx")).slides
    ]
    assert "draft voice" in notes[0] and not any("draft voice" in n for n in notes[1:])
    # the HTML deck in Chromium: step 1's slide plays its clip with sound decoded
    browser = chromium()
    try:
        browser.get((out / "deck.html").as_uri())
        browser.find_element("tag name", "body").send_keys(Keys.ARROW_RIGHT)
        deadline = time.monotonic() + 20
        state: dict = {}
        while time.monotonic() < deadline:
            state = browser.execute_script(AUDIO_STATE)
            if state.get("slide") == 1 and state.get("time", 0) > 1.0:
                break
            time.sleep(0.1)
        assert state.get("slide") == 1 and not state["paused"] and not state["muted"], state
        assert state["decoded"] > 0, state
    finally:
        browser.quit()


def test_verify_holds_the_clips_sound_to_the_narration(narrated, tmp_path):
    import hashlib
    import shutil

    from mlp_lecture.narration.track import clip_audio, mux_audio

    out, voice = narrated / "out", narrated / "voice"
    result = run_cli("verify", str(out), "--narration", str(voice))
    assert result.returncode == 0, result.stderr
    # a clip whose sound is shifted by a second, its manifest forged to the new bytes
    forged = tmp_path / "forged"
    shutil.copytree(out, forged)
    clip = forged / f"{SCENE}.mp4"
    sound = clip_audio(clip)
    shifted = np.concatenate([np.zeros(RATE, np.float32), sound[:-RATE]])
    mux_audio(out / f"{SCENE}.mp4", shifted, tmp_path / "shifted.mp4")
    shutil.copyfile(tmp_path / "shifted.mp4", clip)
    manifest = json.loads((forged / "lecture.json").read_text())
    (entry,) = [s for s in manifest["scenes"] if s["scene"] == SCENE]
    entry["files"][clip.name] = clip.stat().st_size
    entry["sha256"][clip.name] = hashlib.sha256(clip.read_bytes()).hexdigest()
    (forged / "lecture.json").write_text(json.dumps(manifest))
    result = run_cli("verify", str(forged))
    assert result.returncode != 0 and f"{SCENE}.mp4: step 1" in result.stderr, result.stderr
    # a recording changed since the render: verify --narration names it
    changed = tmp_path / "voice"
    shutil.copytree(voice, changed)
    tone(changed / SCENE / "02.wav", 1200.0, LENGTHS[2])
    result = run_cli("verify", str(out), "--narration", str(changed))
    assert result.returncode != 0 and "step 2" in result.stderr and "sha256" in result.stderr


def test_drafts_follow_a_changed_sentence_recordings_are_marked_stale(tmp_path):
    voice = tmp_path / "voice"
    prepare_narration(voice, default_lesson(), [SCENE], draft=True)
    before = (voice / SCENE / "02.draft.wav").read_bytes()
    tone(voice / SCENE / "01.wav", 440.0, 1.0)  # step 1 recorded (for ReLU's sentence)
    prepare_narration(voice, default_lesson(), [SCENE])
    tanh = tmp_path / "default.toml"
    tanh.write_text((LESSONS / "default.toml").read_text().replace('"relu"', '"tanh"'))
    from mlpmath import load_lesson

    report = prepare_narration(voice, load_lesson(tanh), [SCENE], draft=True)
    narration = read_narration(voice)
    first, second = narration.find(SCENE, 1), narration.find(SCENE, 2)
    assert first is not None and second is not None
    assert report.stale == [f"{SCENE} step 1"] and "ReLU" in first.sentence  # kept, flagged
    assert "tanh" in second.sentence and second.voice == "draft"  # drafted anew
    assert (voice / SCENE / "02.draft.wav").read_bytes() != before


@pytest.mark.parametrize(
    "forged", ["../outside.wav", "/etc/hostname.wav", "Activation/../../x.wav", "a\x1b[2J.wav"]
)
def test_a_forged_file_name_refuses_the_whole_list(tmp_path, forged):
    from mlp_lecture.narration.record import NarrationError

    voice = tmp_path / "voice"
    prepare_narration(voice, default_lesson(), [SCENE])
    data = json.loads((voice / "narration.json").read_text())
    data["steps"][1]["file"] = forged
    (voice / "narration.json").write_text(json.dumps(data))
    outside = tmp_path / "outside.wav"
    tone(outside, 440.0, 0.5)
    with pytest.raises(NarrationError) as caught:
        plan_narration(voice, default_lesson(), [SCENE], draft_missing=True)
    assert "steps[1].file" in str(caught.value) and "\n" not in str(caught.value)
    assert "\x1b" not in str(caught.value)


@pytest.mark.parametrize(
    ("sentence", "spoken"),
    [
        ("Add the bias $b_1$", "Add the bias b 1"),
        ("Apply the activation: the neuron's output", "Apply the activation: the neuron's output"),
        ("$K = X W^T$: entry $k_j^s$", "K equals X W transposed: entry k j s"),
        ("The next layer: $hat(y) = N + B$", "The next layer: y hat equals N plus B"),
    ],
)
def test_a_draft_reads_the_math_as_words(sentence, spoken):
    from mlp_lecture.narration.steps import speakable

    assert speakable(sentence) == spoken

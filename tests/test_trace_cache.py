"""The trace cache (``mlpmath.trace_cache``): a stored trace is the computed one, bit
for bit; it is keyed by the lesson, mlpmath's source and torch; a damaged file is
recomputed and rewritten without a word; and with a warm cache, ``trace`` imports no
torch."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import pytest
from conftest import ROOT, cli_command, top_packages_imported
from random_lessons import random_lesson_text

import mlpmath.compute
from mlpmath import (
    Trace,
    cached_trace,
    compute_trace,
    default_lesson,
    load_lesson,
    parse_lesson,
    trace_cache,
)
from mlpmath.lesson import default_lesson_text

DIVERGING = default_lesson_text().replace("learning_rate = 0.001", "learning_rate = 1000.0")


def lessons():
    yield "default", default_lesson()
    for path in sorted((ROOT / "lessons").glob("*.toml")):
        yield path.stem, load_lesson(path)
    yield "diverging", parse_lesson(DIVERGING, name="diverging")
    for seed in (3, 17):
        yield f"random{seed}", parse_lesson(random_lesson_text(seed), name=f"random{seed}")


LESSONS = dict(lessons())


def bits(value: float) -> bytes:
    return struct.pack(">d", value)


def assert_same(a, b, where: str = "trace") -> None:
    """``a`` and ``b`` hold the same values of the same types; floats to the bit."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if is_dataclass(a):
        for item in fields(a):
            assert_same(getattr(a, item.name), getattr(b, item.name), f"{where}.{item.name}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert bits(a) == bits(b), f"{where}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def non_finite(value) -> int:
    """How many inf and NaN a trace holds."""
    if is_dataclass(value):
        return sum(non_finite(getattr(value, item.name)) for item in fields(value))
    if isinstance(value, tuple):
        return sum(non_finite(item) for item in value)
    return int(isinstance(value, float) and not math.isfinite(value))


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A fresh cache folder; returns where the traces go."""
    monkeypatch.setenv(trace_cache.CACHE_ENV, str(tmp_path / "cache"))
    return trace_cache.cache_dir()


@pytest.fixture
def computed(monkeypatch) -> list:
    """The lessons ``compute_trace`` was called for (the cache calls it on a miss)."""
    calls = []
    compute = mlpmath.compute.compute_trace

    def counting(lesson):
        calls.append(lesson)
        return compute(lesson)

    monkeypatch.setattr(mlpmath.compute, "compute_trace", counting)
    return calls


def stored(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


@pytest.mark.parametrize("name", list(LESSONS))
def test_a_stored_trace_is_the_computed_one_bit_for_bit(name, cache, computed):
    lesson = LESSONS[name]
    fresh = compute_trace(lesson)
    first = cached_trace(lesson)
    assert len(computed) == 1 and len(stored(cache)) == 1
    again = cached_trace(lesson)
    assert len(computed) == 1  # read, not computed
    assert_same(first, fresh)
    assert_same(again, fresh)


def test_the_diverging_lesson_exercises_inf_and_nan():
    assert non_finite(compute_trace(LESSONS["diverging"])) > 0


def test_json_keeps_every_float_exactly():
    trace = compute_trace(default_lesson())
    odd = (-0.0, math.inf, -math.inf, math.nan, -math.nan, 5e-324, 1.7976931348623157e308)
    network = trace.network
    training = replace(network.training, losses=odd)
    trace = replace(trace, network=replace(network, training=training))
    text = json.dumps(trace.to_json(), allow_nan=False)  # strict JSON
    assert_same(Trace.from_json(json.loads(text)), trace)


def _replace_first_loss(data: dict, value) -> dict:
    data["network"]["training"]["losses"][0] = value
    return data


BROKEN = {
    "a number as text": lambda d: _replace_first_loss(d, "1.5"),
    "a finite number as bits": lambda d: _replace_first_loss(d, "0x3ff0000000000000"),
    "true for a number": lambda d: _replace_first_loss(d, True),
    "null for a number": lambda d: _replace_first_loss(d, None),
    "a list for a number": lambda d: _replace_first_loss(d, [1.0]),
    "a number for a list": lambda d: {**d, "neurons": 1.0},
    "a number for text": lambda d: {**d, "title": 1.0},
    "a float for a count": lambda d: {**d, "decimals": 4.0},
    "a field missing": lambda d: {k: v for k, v in d.items() if k != "title"},
    "a field too many": lambda d: {**d, "extra": 1},
    "a list for the trace": lambda d: [d],
}


@pytest.mark.parametrize("damage", list(BROKEN))
def test_from_json_refuses_what_is_not_a_trace(damage):
    data = json.loads(json.dumps(compute_trace(default_lesson()).to_json()))
    with pytest.raises(ValueError):
        Trace.from_json(BROKEN[damage](data))


def test_the_key_follows_the_lesson_and_not_its_comments_or_name():
    text = default_lesson_text()
    key = trace_cache.trace_key(parse_lesson(text, name="default"))
    assert trace_cache.trace_key(parse_lesson("# a comment\n" + text, name="default")) == key
    # the name is where it renders (a file's stem), not what it holds
    assert trace_cache.trace_key(parse_lesson(text, name="other", origin="other.toml")) == key
    changed = {
        "learning rate": text.replace("learning_rate = 0.001", "learning_rate = 0.002"),
        "title": text.replace('title = "Understand MLP"', 'title = "Another"'),
        "decimals": text.replace("decimals = 4", "decimals = 3"),
    }
    for what, changed_text in changed.items():
        assert changed_text != text, what
        assert trace_cache.trace_key(parse_lesson(changed_text, name="default")) != key, what


def test_a_lesson_under_another_name_hits_and_keeps_its_own_name(cache, computed):
    first = cached_trace(default_lesson())
    renamed = cached_trace(parse_lesson(default_lesson_text(), name="lesson"))
    assert len(computed) == 1 and len(stored(cache)) == 1  # one entry, read back
    assert (first.lesson, renamed.lesson) == ("default", "lesson")
    assert_same(replace(renamed, lesson="default"), first)


def test_another_lesson_misses(cache, computed):
    cached_trace(default_lesson())
    text = default_lesson_text().replace("learning_rate = 0.001", "learning_rate = 0.002")
    other = parse_lesson(text, name="default")
    assert_same(cached_trace(other), compute_trace(other))
    assert len(computed) == 2 and len(stored(cache)) == 2


def test_the_key_follows_mlpmath_source_and_torch(tmp_path, monkeypatch, cache, computed):
    lesson = default_lesson()
    key = trace_cache.trace_key(lesson)
    copy = tmp_path / "mlpmath"
    shutil.copytree(trace_cache.SOURCE_DIR, copy)
    monkeypatch.setattr(trace_cache, "SOURCE_DIR", copy)
    assert trace_cache.trace_key(lesson) == key  # the same bytes, the same key
    cached_trace(lesson)
    with (copy / "compute.py").open("a") as file:
        file.write("# an edit\n")
    assert trace_cache.trace_key(lesson) != key
    cached_trace(lesson)
    assert len(computed) == 2
    build = trace_cache.torch_build()
    monkeypatch.setattr(trace_cache, "torch_build", lambda: build + " upgraded")
    cached_trace(lesson)
    assert len(computed) == 3 and len(stored(cache)) == 3


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xffnot a trace\n{[")


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _bit_flipped(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))


def _wrong_types_resealed(path: Path) -> None:
    """A payload that is not a trace, under a header whose sha256 fits it."""
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    payload = json.dumps({"lesson": 1}).encode()
    header["sha256"] = hashlib.sha256(payload).hexdigest()
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _another_key(path: Path) -> None:
    header, _, payload = path.read_bytes().partition(b"\n")
    meta = json.loads(header)
    meta["key"] = "0" * 64
    path.write_bytes(json.dumps(meta).encode() + b"\n" + payload)


def _huge(path: Path) -> None:
    with path.open("r+b") as file:  # sparse: no disk space taken
        file.truncate(trace_cache.MAX_CACHE_BYTES + 1)


def _empty_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


DAMAGES = {
    "garbage": _garbage,
    "truncated": _truncated,
    "empty": _empty,
    "a bit flipped": _bit_flipped,
    "not a trace, resealed": _wrong_types_resealed,
    "another key's header": _another_key,
    "huge": _huge,
    "an empty directory": _empty_directory,
    "a FIFO": _fifo,
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_cache_file_is_recomputed_and_rewritten(damage, cache, computed, capsys):
    lesson = default_lesson()
    fresh = compute_trace(lesson)
    cached_trace(lesson)
    [path] = stored(cache)
    DAMAGES[damage](path)
    assert_same(cached_trace(lesson), fresh)
    assert len(computed) == 2
    assert path.is_file() and path.stat().st_size < trace_cache.MAX_CACHE_BYTES
    assert_same(cached_trace(lesson), fresh)
    assert len(computed) == 2  # the rewritten file is read
    assert capsys.readouterr() == ("", "")


def test_a_full_directory_in_a_files_place_is_left_alone(cache, computed, capsys):
    lesson = default_lesson()
    cached_trace(lesson)
    [path] = stored(cache)
    path.unlink()
    path.mkdir()
    (path / "something").write_text("kept")
    for _ in range(2):
        assert_same(cached_trace(lesson), compute_trace(lesson))
    assert len(computed) == 3 and (path / "something").read_text() == "kept"  # never read
    assert capsys.readouterr() == ("", "")


def test_an_unusable_cache_folder_only_costs_time(tmp_path, monkeypatch, computed):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(trace_cache.CACHE_ENV, str(blocker))
    for _ in range(2):
        assert_same(cached_trace(default_lesson()), compute_trace(default_lesson()))
    assert len(computed) == 2


def test_recompute_ignores_the_stored_trace_and_stores_its_own(cache, computed):
    lesson = default_lesson()
    cached_trace(lesson)
    [path] = stored(cache)
    _garbage(path)
    assert_same(cached_trace(lesson, recompute=True), compute_trace(lesson))
    assert len(computed) == 2
    cached_trace(lesson)
    assert len(computed) == 2


def test_the_cache_keeps_the_most_recently_used(cache, computed, monkeypatch):
    monkeypatch.setattr(trace_cache, "MAX_ENTRIES", 3)
    text = default_lesson_text()
    rates = ["0.001", "0.002", "0.003", "0.004", "0.005"]
    chosen = [
        parse_lesson(text.replace("learning_rate = 0.001", f"learning_rate = {rate}"), name="d")
        for rate in rates
    ]
    for lesson in chosen:
        cached_trace(lesson)
    assert len(stored(cache)) == 3
    del computed[:]
    for lesson in chosen[-3:]:
        cached_trace(lesson)
    assert computed == []


def test_the_cache_lives_in_the_xdg_cache_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv(trace_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert trace_cache.cache_dir() == tmp_path / "mlp-lecture" / "traces"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec ignores it
    assert trace_cache.cache_dir() == Path.home() / ".cache" / "mlp-lecture" / "traces"
    monkeypatch.setenv(trace_cache.CACHE_ENV, str(tmp_path / "mine"))
    assert trace_cache.cache_dir() == tmp_path / "mine" / "traces"


def imported(stderr: str) -> set[str]:
    """The top-level packages a ``python -X importtime`` run imported."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def run_with_importtime(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, trace_cache.CACHE_ENV: str(cache)}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlp_lecture.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_trace_with_a_warm_cache_imports_no_torch(tmp_path):
    cold = run_with_importtime("trace", "--json", cache=tmp_path)
    assert cold.returncode == 0, cold.stderr
    assert "torch" in imported(cold.stderr)  # the probe sees torch when it is imported
    for args in (["trace", "--json"], ["trace"], ["trace", "lessons/default.toml"]):
        warm = run_with_importtime(*args, cache=tmp_path)
        assert warm.returncode == 0, warm.stderr
        assert not {"torch", "manim"} & imported(warm.stderr), args
    warm = run_with_importtime("trace", "--json", cache=tmp_path)
    assert warm.stdout == cold.stdout


def test_loading_a_lesson_imports_no_torch():
    code = (
        "import mlp_lecture.cli, mlp_lecture.verification, mlpmath\n"
        "mlpmath.load_lesson(None).to_toml()"
    )
    assert top_packages_imported(code, ("torch", "manim", "av")) == []


def test_the_command_shares_the_cache(tmp_path):
    env = {**os.environ, trace_cache.CACHE_ENV: str(tmp_path)}
    result = subprocess.run(
        [*cli_command(), "trace", "--json"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "traces").glob("*.json"))) == 1


def test_the_same_lesson_from_a_file_and_from_python_shares_one_entry(tmp_path, cache, computed):
    """Saved as ``lesson.toml``, a lesson made in Python renders into ``renders/lesson/``
    but is the same content: one trace cache entry. Its render keys hold the name (each
    ledger records it), not where the lesson came from: under one name, one lesson hash
    and the same scene keys."""
    import torch
    from torch import nn

    from mlp_lecture.pipeline.keys import lesson_hash, scene_key
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir
    from mlpmath import Lesson

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    python = Lesson.from_model(
        net, [[1, 2], [2, 3]], [[7], [12]], learning_rate=0.01, steps=3, title="Mine"
    )
    path = tmp_path / "lesson.toml"
    path.write_text(python.to_toml())
    from_file = load_lesson(path)
    options = RenderOptions()
    assert default_out_dir(from_file, options).parent.name == "lesson"  # the file's stem
    assert default_out_dir(python, options) != default_out_dir(from_file, options)

    assert trace_cache.trace_key(from_file) == trace_cache.trace_key(python)
    made, read = cached_trace(python), cached_trace(from_file)
    assert len(computed) == 1 and len(stored(cache)) == 1  # the file's lesson hit
    assert (made.lesson, read.lesson) == (python.name, "lesson")
    # the Python lesson under the file's name: the same render keys as the file's
    same_name = Lesson.from_model(
        net,
        [[1, 2], [2, 3]],
        [[7], [12]],
        learning_rate=0.01,
        steps=3,
        title="Mine",
        name="lesson",
    )
    renamed = cached_trace(same_name)
    assert len(computed) == 1 and renamed.lesson == "lesson"
    assert lesson_hash(renamed) == lesson_hash(read) != lesson_hash(made)
    for scene, module in (("ForwardPass", "scenes.forward_pass"), ("MSELoss", "scenes.mse_loss")):
        keys = {scene_key(scene, module, lesson_hash(t), options) for t in (renamed, read)}
        assert len(keys) == 1, scene
    # content still counts: another title is another lesson
    retitled = parse_lesson(path.read_text().replace('"Mine"', '"Yours"'), name="lesson")
    assert lesson_hash(cached_trace(retitled)) != lesson_hash(read)

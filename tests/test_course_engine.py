"""The course engine: Dask or the local pool behind one interface, resume, redraw, kills.

Loopback only: every Dask process listens on 127.0.0.1 and is killed when its
test ends. One cheap scene (MSELoss) at low quality where clips are needed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, cli_command

LESSON = ROOT / "lessons" / "default.toml"
SCENE = "MSELoss"
WORKER_OPTIONS = (
    "--nthreads",
    "1",
    "--nworkers",
    "1",
    "--no-dashboard",
)  # the quickest scene that applies to the default lesson


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_course(folder: Path, ids: list[str], seed: str = "a teacher's secret") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(LESSON.read_text(encoding="utf-8"), encoding="utf-8")
    with (folder / "students.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "name"])
        writer.writerows([[sid, sid.title()] for sid in ids])
    course = folder / "course.toml"
    course.write_text(
        f'lesson = "base.toml"\nroster = "students.csv"\nseed = "{seed}"\n', encoding="utf-8"
    )
    return course


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_command(), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def verify(folder: Path) -> None:
    result = run_cli("verify", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr


def check_recorded(out: Path, ids: list[str], scenes: bool) -> dict:
    """Every student's files are there, whole, with the sha256 ``course.json`` records."""
    record = json.loads((out / "course.json").read_text(encoding="utf-8"))
    assert sorted(record["students"]) == sorted(ids)
    for sid in ids:
        files = record["students"][sid]["files"]
        expected = {"lesson.toml", "worksheet.xlsx", "key.xlsx"}
        if scenes:
            expected |= {f"clips/{SCENE}.mp4", f"clips/{SCENE}.values.json"}
        assert expected <= set(files), (sid, sorted(files))
        for name, digest in files.items():
            assert sha256(out / sid / name) == digest, (sid, name)
        if scenes:
            verify(out / sid / "clips")
    assert not list(out.glob(".course-work-*")), "the run's work folder is left"
    return record


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file under ``out``: a file replaced gets new ones."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "course.json" and path.name != "lecture.json":
            status = path.stat()
            found[str(path.relative_to(out))] = (status.st_ino, status.st_mtime_ns)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kill_group(process: subprocess.Popen) -> None:
    """Kill ``process`` and everything it started (its own session)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


# -- the local pool ----------------------------------------------------------------


def test_local_pool_reruns_the_task_of_a_killed_worker() -> None:
    from mlp_lecture.pipeline.executor import open_executor

    with open_executor(workers=1, engine="pool") as pool:
        first = pool.pids[0]
        pool.submit(time.sleep, 3, key="slow", retries=1)
        pool.submit(abs, -5, key="after", retries=1)
        pool.submit(int, "not a number", key="raises", retries=1)
        time.sleep(1.5)
        os.kill(first, signal.SIGKILL)
        outcomes = {outcome.key: outcome for outcome in pool.as_completed()}
        assert pool.pids[0] != first, "the dead worker was not replaced"
    assert outcomes["slow"].ok and outcomes["after"].result == 5
    assert outcomes["raises"].error.startswith("ValueError: invalid literal")


# -- a LocalCluster course -----------------------------------------------------------


def test_local_cluster_course_reuses_and_redraws_one_student(tmp_path: Path) -> None:
    ids = ["ada", "bo", "cy"]
    course = make_course(tmp_path / "c", ids)
    out = tmp_path / "out"
    args = ["course", str(course), "--out", str(out), "--engine", "dask", "--workers", "2"]
    args += ["--scenes", SCENE]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "on dask" in result.stdout
    record = check_recorded(out, ids, scenes=True)
    lessons = {(out / sid / "lesson.toml").read_text(encoding="utf-8") for sid in ids}
    assert len(lessons) == len(ids), "two students got the same numbers"
    before = stamps(out)

    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert "workbooks written 0, reused 3; clips rendered 0, reused 3" in again.stdout
    assert stamps(out) == before, "a complete file was written again"

    redrawn = run_cli(*args, "--redraw", "bo")
    assert redrawn.returncode == 0, redrawn.stderr
    after = check_recorded(out, ids, scenes=True)
    assert after["students"]["bo"]["generation"] == 1
    assert after["students"]["bo"]["variant"]["generation"] == 1
    assert after["students"]["bo"]["lesson"] != record["students"]["bo"]["lesson"]
    now = stamps(out)
    for name, stamp in before.items():
        if name.startswith("bo/"):
            assert now.get(name) != stamp, f"{name} was not redrawn"
        else:
            assert now[name] == stamp, f"{name} changed with another student's redraw"


def test_dask_worker_killed_mid_render_loses_nothing(tmp_path: Path) -> None:
    from mlp_lecture.course.course_file import load_course
    from mlp_lecture.course.run import CourseOptions, run_course
    from mlp_lecture.pipeline.executor_dask import DaskExecutor
    from mlp_lecture.pipeline.executor_tasks import MANIM_PRELOAD

    course = load_course(make_course(tmp_path / "c", ["solo"]))
    out = tmp_path / "out"
    killed: list[int] = []
    engines: list[DaskExecutor] = []

    def engine() -> DaskExecutor:
        engines.append(DaskExecutor(workers=1, preload=MANIM_PRELOAD))
        return engines[0]

    def kill_when_rendering() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            if engines and list(out.glob("solo/.clips-work-*/*/attempt-*/media")):
                pids = engines[0].client.run(os.getpid)
                for pid in pids.values():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.1)

    killer = threading.Thread(target=kill_when_rendering, daemon=True)
    killer.start()
    report = run_course(course, CourseOptions(out, (SCENE,)), engine)
    killer.join(timeout=5)
    assert killed, "the render ended before its worker could be killed"
    assert report.failures == [] and report.clips == 1
    check_recorded(out, ["solo"], scenes=True)


# -- a killed course run --------------------------------------------------------------


def test_killed_course_run_resumes_with_only_the_missing_work(tmp_path: Path) -> None:
    ids = ["p1", "p2"]
    course = make_course(tmp_path / "c", ids)
    out = tmp_path / "out"
    args = ["course", str(course), "--out", str(out), "--workers", "1", "--scenes", SCENE]
    process = subprocess.Popen(
        [*cli_command(), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the run and its workers (the local pool): one group to kill
    )
    try:
        deadline = time.monotonic() + 300
        done: list[str] = []
        while time.monotonic() < deadline and process.poll() is None:
            try:
                record = json.loads((out / "course.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = {"students": {}}
            done = [
                sid
                for sid, entry in record["students"].items()
                if f"clips/{SCENE}.mp4" in entry["files"]
            ]
            if done:
                break
            time.sleep(0.1)
        assert process.poll() is None, "the run ended before it could be killed"
        assert len(done) == 1, done
    finally:
        kill_group(process)
    first = done[0]
    kept = {k: v for k, v in stamps(out).items() if k.startswith(f"{first}/clips/{SCENE}")}
    assert kept

    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "clips rendered 1, reused 1" in result.stdout, result.stdout
    assert "on pool" in result.stdout
    check_recorded(out, ids, scenes=True)
    now = stamps(out)
    assert {k: now[k] for k in kept} == kept, "a clip finished before the kill was redone"


# -- a running cluster, by address -------------------------------------------------------


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A ``dask scheduler`` and one ``dask worker`` on loopback; both killed at the end."""
    dask = Path(sys.executable).parent / "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = []
    try:
        started.append(
            subprocess.Popen(
                [
                    str(dask),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    *("--port", str(port), "--no-dashboard"),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        started.append(
            subprocess.Popen(
                [str(dask), "worker", address, "--host", "127.0.0.1", *WORKER_OPTIONS],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            kill_group(process)


def test_course_on_a_running_cluster(tmp_path: Path, scheduler: str) -> None:
    ids = ["r1", "r2"]
    course = make_course(tmp_path / "c", ids)
    out = tmp_path / "out"
    result = run_cli("course", str(course), "--out", str(out), "--scheduler", scheduler)
    assert result.returncode == 0, result.stderr
    assert "on dask" in result.stdout
    check_recorded(out, ids, scenes=False)


def test_render_on_a_running_cluster(tmp_path: Path, scheduler: str) -> None:
    out = tmp_path / "render"
    result = run_cli(
        "render", str(LESSON), "--scenes", SCENE, "--out", str(out), "--scheduler", scheduler
    )
    assert result.returncode == 0, result.stderr
    verify(out)


# -- refusals -------------------------------------------------------------------------


def test_refusals_are_one_line_and_touch_nothing(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["u1"])
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    cases = [
        (["--out", str(theirs)], "holds no course.json"),
        (["--out", str(tmp_path / "o"), "--redraw", "nobody"], "not on the roster"),
        (["--out", str(tmp_path / "o"), "--scheduler", f"tcp://127.0.0.1:{free_port()}"], ""),
    ]
    for extra, words in cases:
        result = run_cli("course", str(course), *extra)
        assert result.returncode == 2, (extra, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (extra, result.stderr)
        assert "Traceback" not in result.stderr
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_forged_course_json_is_refused_whole(tmp_path: Path) -> None:
    """A name read back from course.json that leaves its folder refuses the record."""
    course = make_course(tmp_path / "c", ["u1"])
    precious = tmp_path / "precious.txt"
    precious.write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    forged = {
        "format": "mlp-lecture course",
        "version": 1,
        "work": [],
        "students": {"u1": {"generation": 0, "files": {"../../precious.txt": "0" * 64}}},
    }
    (out / "course.json").write_text(json.dumps(forged), encoding="utf-8")
    result = run_cli("course", str(course), "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "precious.txt" in lines[0] and "course.json" in lines[0], lines
    assert precious.read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["course.json"]


def test_a_students_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    course = make_course(tmp_path / "c", ["u1"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    record = {"format": "mlp-lecture course", "version": 1, "work": [], "students": {}}
    (out / "course.json").write_text(json.dumps(record), encoding="utf-8")
    (out / "u1").symlink_to(elsewhere)
    result = run_cli("course", str(course), "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "u1" in lines[0] and "link" in lines[0], lines
    assert list(elsewhere.iterdir()) == []

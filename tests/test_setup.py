""".ci/setup's failures: one line naming the step and the command to run, not a pip dump.

Each case runs a copy of the script in a scratch directory where one step's program is a
stand-in that fails loudly (the system packages are already installed here, so no apt).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

DUMP = "Traceback (most recent call last):\nsomething pip-like went wrong at length"


def failing(path: Path, status: int) -> None:
    """An executable at ``path`` that prints a dump and exits with ``status``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{DUMP}' >&2\nexit {status}\n")
    path.chmod(0o755)


def run_setup(project: Path, bin_dir: Path | None = None) -> subprocess.CompletedProcess:
    (project / ".ci").mkdir(parents=True, exist_ok=True)
    for name in (".ci/setup", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, project / name)
    env = {**os.environ, "TMPDIR": str(project)}
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        [str(project / ".ci/setup")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def the_failure_line(result: subprocess.CompletedProcess) -> tuple[str, Path]:
    """The one line setup printed on stderr, and the log it names (which holds the dump)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert DUMP not in result.stdout + result.stderr
    log = Path(re.search(r"\(its output: (\S+)\)$", lines[0]).group(1))
    assert DUMP in log.read_text()
    return lines[0], log


def test_a_failed_venv_step_says_which_and_what_to_run(tmp_path):
    fake_bin = tmp_path / "bin"
    failing(fake_bin / "python3", 3)
    result = run_setup(tmp_path / "project", fake_bin)
    assert result.returncode == 3
    line, _ = the_failure_line(result)
    assert line.startswith(
        "setup: creating .venv/ failed (exit 3); run: python3 -m venv .venv to see why"
    )


def test_a_failed_lock_install_says_which_and_what_to_run(tmp_path):
    project = tmp_path / "project"
    failing(project / ".venv/bin/python", 0)  # present: no venv is made
    failing(project / ".venv/bin/pip", 1)
    result = run_setup(project)
    assert result.returncode == 1
    line, _ = the_failure_line(result)
    assert line.startswith(
        "setup: installing requirements.lock failed (exit 1); run: .venv/bin/pip "
        "--disable-pip-version-check install --require-hashes -r requirements.lock to see why"
    )

"""Shared helpers: the repository root and ``mlp-lecture`` run as a command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def cli_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m mlp_lecture.cli``."""
    script = Path(sys.executable).parent / "mlp-lecture"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlp_lecture.cli"]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``mlp-lecture ARGS`` as a user would, capturing both streams."""
    return subprocess.run(
        [*cli_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli

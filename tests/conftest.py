"""Shared helpers: the repository root and ``mlp-lecture`` run as a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlpmath.trace_cache import CACHE_ENV

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def cli_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m mlp_lecture.cli``."""
    script = Path(sys.executable).parent / "mlp-lecture"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlp_lecture.cli"]


def top_packages_imported(code: str, among: tuple[str, ...]) -> list[str]:
    """Which of the top-level packages ``among`` a fresh Python running ``code`` imported."""
    report = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    return [name for name in among if name in imported]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``mlp-lecture ARGS`` as a user would, capturing both streams."""
    return subprocess.run(
        [*cli_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def render_scene(out: Path, scene: str) -> Path:
    """``mlp-lecture render --scenes SCENE --out OUT`` in a fresh Python; it must succeed."""
    result = subprocess.run(
        [sys.executable, "-m", "mlp_lecture.cli", "render", "--scenes", scene, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


@pytest.fixture(scope="session", autouse=True)
def trace_cache_dir(tmp_path_factory) -> Iterator[Path]:
    """A trace cache of the session's own, for the tests and every command they run:
    they never read or fill the user's (``mlpmath.trace_cache``)."""
    folder = tmp_path_factory.mktemp("trace-cache")
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


def chromium(autoplay: bool = True, performance_log: bool = False):
    """Headless Chromium driven through its WebDriver, with no network of its own.

    ``performance_log``: keep DevTools' events (``driver.get_log("performance")``),
    so a test can list every request a page made.

    ``autoplay``: clips may start with sound and no user gesture (a presenter's key
    press is the gesture that starts each clip; in a test nobody presses). Without
    it, Chromium's own autoplay policy applies, as for a viewer who opens the page.
    """
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    flags = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,800",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        # Any request leaving the machine fails: a page must not need one.
        "--proxy-server=127.0.0.1:9",
    ]
    if autoplay:
        flags.append("--autoplay-policy=no-user-gesture-required")
    for flag in flags:
        options.add_argument(flag)
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options
    )


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for a test module (``chromium()``), quit at its end."""
    driver = chromium()
    yield driver
    driver.quit()

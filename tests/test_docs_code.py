"""The docs' code runs: what a reader copies from the manual works.

- every ``mlp-lecture`` command line in the manual, the README and the guide
  is parsed by the command's own parser (a removed or renamed option fails),
  and every ``make`` target they name is in the Makefile;
- the first tutorial's "a lesson of your own" block runs as written, in bash,
  in a fresh folder: it edits a lesson, renders one scene and verifies it;
- the notebook tutorial's Python cells run in order, as a notebook runs them,
  and its lesson's trace gives what its torch network gives.

The blocks are read from the pages, never copied here. One small render each
(one scene, low quality) keeps the cost down.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

MANUAL = ROOT / "docs" / "source"
PAGES = [ROOT / "README.md", ROOT / "scenes" / "GUIDE.md", *sorted(MANUAL.rglob("*.md"))]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks_in(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``text`` in ``language`` (``sh``, ``python``)."""
    return [body for lang, body in FENCE.findall(text) if lang == language]


def blocks(page: Path, language: str) -> list[str]:
    """The fenced code blocks of ``page`` in ``language`` (``sh``, ``python``)."""
    return blocks_in(page.read_text(encoding="utf-8"), language)


def command_lines(text: str) -> list[str]:
    """The shell command lines of ``text``: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(shlex.split(line, comments=True))
    return [" ".join(shlex.quote(word) for word in words) for words in lines if words]


def _all_commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        texts = blocks(page, "sh") + blocks(page, "text")
        # a console session's commands: its "$ " lines
        for session in blocks(page, "console"):
            texts += [line[2:] for line in session.splitlines() if line.startswith("$ ")]
        # the guide's indented commands (four spaces) are commands too
        texts += re.findall(r"^    (\.venv/bin/mlp-lecture .*)$", page.read_text(), re.M)
        for text in texts:
            for line in command_lines(text):
                found.append((str(page.relative_to(ROOT)), line))
    return found


COMMANDS = _all_commands()


def test_the_docs_show_commands():
    mlp = [line for _, line in COMMANDS if "mlp-lecture " in line]
    assert len(mlp) > 30, len(mlp)


@pytest.mark.parametrize(
    "line",
    sorted({line for _, line in COMMANDS if re.search(r"(^|/)mlp-lecture ", line)}),
)
def test_every_mlp_lecture_command_in_the_docs_parses(line):
    """Parsed, not run: each subcommand and option exists and takes what is given."""
    from mlp_lecture.cli import build_parser

    words = shlex.split(line)
    start = next(i for i, word in enumerate(words) if word.endswith("mlp-lecture"))
    arguments = [word for word in words[start + 1 :] if word != "..."]
    if "[LESSON]" in arguments or "usage:" in words:
        pytest.skip("a usage line")
    try:
        build_parser().parse_args(arguments)
    except SystemExit as exit:
        pytest.fail(f"{line}: argparse refused it (exit {exit.code})")


def test_every_make_target_in_the_docs_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    named = {
        shlex.split(line)[1]
        for _, line in COMMANDS
        if line.startswith("make ") and not shlex.split(line)[1].startswith("-")
    }
    assert named and named <= targets, named - targets


def _section(page: Path, heading: str) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _reader_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh folder that looks like the repository to a reader: its lessons and venv."""
    (tmp_path / "lessons").symlink_to(ROOT / "lessons")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "MLP_LECTURE_CACHE": str(tmp_path / "cache")}
    return tmp_path, env


def test_the_first_tutorial_renders_and_verifies_a_lesson_of_your_own(tmp_path):
    page = MANUAL / "tutorials" / "1-first-lecture.md"
    (script,) = blocks_in(_section(page, "## A lesson of your own"), "sh")
    folder, env = _reader_folder(tmp_path)
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # the edit took: the lesson rendered has w13 = 0.25, as the tutorial says
    from mlpmath import load_lesson

    edited = load_lesson(folder / "my-lesson.toml")
    assert edited.network.layers[0].weight[0][0] == 0.25
    assert (folder / "renders" / "my-lesson" / "low" / "LayerProduct.mp4").is_file()
    assert "agree" in result.stdout or "ok" in result.stdout.lower(), result.stdout[-2000:]


def test_the_notebook_tutorial_runs_as_a_notebook_does(tmp_path):
    """Its cells in order in one interpreter (as a kernel runs them; under a main
    guard, so render's spawned workers do not run them again), then checks made
    here: torch's own ``net(X)`` against the trace, and the verification clean."""
    cells = blocks(MANUAL / "tutorials" / "2-notebook.md", "python")
    assert len(cells) >= 3
    check = (
        "import torch as _t\n"
        "_want = net(X).detach().double()\n"
        "_got = _t.tensor(trace.network.prediction, dtype=_t.float64)\n"
        "_t.testing.assert_close(_got, _want, rtol=1e-5, atol=1e-6)\n"
        "_v = mlp_lecture.verify(clips)\n"
        "assert _v.ok and _v.checked > 0, str(_v)\n"
        "print('checked', _v.checked)\n"
    )
    folder, env = _reader_folder(tmp_path)
    body = textwrap.indent("\n".join([*cells, check]), "    ")
    notebook = folder / "notebook.py"
    notebook.write_text(f"if __name__ == '__main__':\n{body}", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(notebook)], cwd=folder, env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "checked" in result.stdout

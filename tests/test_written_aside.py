"""``mlp_lecture.written_aside``: a file of ours is replaced whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from mlp_lecture.written_aside import write_text_aside, written_aside


def test_text_replaces_the_file_whole_readable_by_all_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "course.json"
    target.write_text("old\n", encoding="utf-8")
    old_umask = os.umask(0o077)  # a strict umask: the file is still 0o644, as before the fold
    try:
        assert write_text_aside(target, "é new\n", prefix=".course-") == target
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == "é new\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.json"]


def test_a_failed_text_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "narration.json"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_text_aside(target, "\udc80", prefix=".narration-")  # a lone surrogate
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["narration.json"]


def test_the_partial_file_moves_in_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "key.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), written_aside(target) as partial:
        partial.write_bytes(b"half")
        raise RuntimeError("the workbook failed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.xlsx"]

    with written_aside(target) as partial:
        assert partial.parent == tmp_path and partial.name.startswith(".")
        partial.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.xlsx"]

"""Manim's Typst mobjects, made cheap to build and to copy; the same pictures.

Every formula of the lecture is one of these two classes (``TracedMath`` and
``TracedMatrix`` derive from :class:`MathTypst`). They draw exactly what
Manim's ``Typst`` and ``MathTypst`` draw; two costs are removed:

- **Copies.** Manim keeps each imported glyph's parsed SVG path (an
  svgelements object tree) on the glyph, needed only to build its points. Every
  copy (Manim's SVG cache stores one of each new formula and hands out one on
  each hit, a ``Transform`` copies its start and target) deep-copied those trees
  too, object by object: ten times the cost of copying the glyphs. Here a glyph
  forgets its parsed path as soon as its points are built.
- **Label probes.** ``MathTypst`` finds the glyphs of each ``{{ ... : label }}``
  group by compiling the formula again once per label, for every instance.
  The glyph-to-label map depends only on the source, so it is worked out once
  per process and reused (a worker renders several scenes; formulas repeat).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
from manim.constants import CapStyleType, LineJointType
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.mobject.text import typst_mobject as manim_typst
from manim.utils.typst_file_writing import typst_to_svg_file

__all__ = ["Glyph", "MathTypst", "Typst"]

# (math source, preamble, font paths) -> {SVG leaf index: its group labels}
_LEAF_LABELS: dict[tuple[str, str, tuple[str, ...]], dict[int, list[str]]] = {}


class Glyph(VMobjectFromSVGPath):
    """One imported glyph: Manim's ``VMobjectFromSVGPath`` (same points, same
    name), without its parsed SVG path once the points are built, and copied
    by a short path that gives what ``copy.deepcopy`` gives."""

    def __init__(self, path_obj: Any, **kwargs: Any):
        super().__init__(path_obj, name="VMobjectFromSVGPath", **kwargs)
        self.path_obj = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Glyph:
        result = self.__class__.__new__(self.__class__)
        memo[id(self)] = result
        for name, value in self.__dict__.items():
            kind = type(value)
            if kind in _ATOMIC or value is None:
                copied = value
            elif kind is np.ndarray and value.dtype != object:
                copied = memo.get(id(value))
                if copied is None:
                    copied = memo[id(value)] = value.copy()
            else:
                copied = copy.deepcopy(value, memo)
            setattr(result, name, copied)
        result.original_id = str(id(self))
        return result


_ATOMIC = frozenset({bool, int, float, str, LineJointType, CapStyleType})


class _LightGlyphs:
    """SVG mobjects whose path glyphs are :class:`Glyph`."""

    def path_to_mobject(self, path: Any) -> VMobjectFromSVGPath:
        return Glyph(path, **self.path_string_config)  # type: ignore[attr-defined]


class Typst(_LightGlyphs, manim_typst.Typst):
    """Manim's :class:`~manim.Typst`, with glyphs that are cheap to copy."""


class MathTypst(_LightGlyphs, manim_typst.MathTypst):
    """Manim's :class:`~manim.MathTypst`, cheap to copy, its label probes done once
    per source text in a process."""

    def __init__(self, math_expression: str, **kwargs: Any):
        processed, labels = self._preprocess_groups(math_expression)
        self._group_labels = labels
        typst_code = f"$ {processed} $"
        distinct_labels = list(dict.fromkeys(labels))
        if distinct_labels:
            user_preamble = kwargs.get("typst_preamble", "")
            font_paths = kwargs.get("font_paths")
            final_preamble = manim_typst._manimgrp_preamble(None)
            if user_preamble:
                final_preamble = f"{final_preamble}\n{user_preamble}"
            key = (typst_code, user_preamble, tuple(str(p) for p in font_paths or ()))
            if key not in _LEAF_LABELS:
                _LEAF_LABELS[key] = _probe_leaf_labels(
                    typst_code, distinct_labels, final_preamble, user_preamble, font_paths
                )
            self._svg_leaf_labels = {k: list(v) for k, v in _LEAF_LABELS[key].items()}
            kwargs["typst_preamble"] = final_preamble
        manim_typst.Typst.__init__(self, typst_code, **kwargs)
        for label in distinct_labels:
            self._label_aliases.setdefault(label, [])


def _probe_leaf_labels(
    typst_code: str,
    labels: list[str],
    final_preamble: str,
    user_preamble: str,
    font_paths: list[str | Path] | None,
) -> dict[int, list[str]]:
    """Which SVG leaves each label covers: Manim's own layout-preserving ``hide``
    probes, one compile per label (as ``manim.MathTypst.__init__`` does them)."""
    final_svg = typst_to_svg_file(typst_code, preamble=final_preamble, font_paths=font_paths)
    visible_leaves = manim_typst._svg_leaf_signatures(final_svg)
    leaf_labels: dict[int, list[str]] = {}
    for label in labels:
        probe_preamble = manim_typst._manimgrp_preamble(label)
        if user_preamble:
            probe_preamble = f"{probe_preamble}\n{user_preamble}"
        probe_svg = typst_to_svg_file(typst_code, preamble=probe_preamble, font_paths=font_paths)
        try:
            hidden = manim_typst._hidden_leaf_indices(
                visible_leaves, manim_typst._svg_leaf_signatures(probe_svg)
            )
        except ValueError as error:
            message = f"Could not map MathTypst group {label!r} to SVG leaves. {error}"
            raise ValueError(message) from error
        for leaf_index in sorted(hidden):
            leaf_labels.setdefault(leaf_index, []).append(label)
    return leaf_labels

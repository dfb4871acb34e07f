"""Manim's Typst mobjects, made cheap to build and to copy; the same pictures.

Every formula of the lecture is one of these two classes (``TracedMath`` and
``TracedMatrix`` derive from :class:`MathTypst`). They draw exactly what
Manim's ``Typst`` and ``MathTypst`` draw (``tests/test_formulas.py`` compares
them bit for bit); these costs are removed:

- **Building glyphs.** Each glyph's outline is parsed once per process and
  placed with array operations (``scenekit.outlines``), and a glyph is a copy
  of one built before with the same settings, given its own points: building
  a ``VMobject`` sets the same colours and flags every time, at twenty times
  the cost of a copy.

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
- **Geometry.** Manim gathers a formula's boundary points (every ``next_to``,
  ``move_to`` and width asks for them) as a tuple of single rows, and splits a
  glyph into subpaths (every ``Transform`` between formulas does) with one
  ``np.allclose`` call per curve; here both are whole-array operations.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import svgelements as se
import typst
from manim.constants import CapStyleType, LineJointType
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.mobject.text import typst_mobject as manim_typst
from manim.mobject.types.vectorized_mobject import VGroup, VMobject
from manim.utils.color import ManimColor
from manim.utils.typst_file_writing import typst_to_svg_file

from scenekit.outlines import outlines_parsed_once, placement_of

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

    @classmethod
    def placed(cls, path: Any, settings: dict[str, Any]) -> Glyph:
        """The glyph ``Glyph(path, **settings)`` builds, for a path placed inside
        ``outlines_parsed_once``: a copy of the first glyph built with these
        settings, given this path's points (building one sets the same colours
        and flags every time; a copy costs a twentieth of it)."""
        try:
            key = tuple(sorted(settings.items()))
            template = _GLYPH_TEMPLATES.get(key)
        except TypeError:  # settings that cannot be a key: built as usual
            return cls(path, **settings)
        if template is None:
            glyph = cls(path, **settings)
            template = _GLYPH_TEMPLATES[key] = copy.deepcopy(glyph)
            del template.original_id
            return glyph
        points = _placed_points(path, template.n_points_per_curve)
        if points is None:
            return cls(path, **settings)
        glyph = copy.deepcopy(template)
        del glyph.original_id  # a copy's mark; a built glyph has none
        glyph.points = points
        return glyph

    def handle_commands(self) -> Glyph:
        """Manim's points for the path, from its outline's placement when it was
        reified inside ``outlines_parsed_once`` (the same numbers)."""
        points = _placed_points(self.path_obj, self.n_points_per_curve)
        if points is None:
            return super().handle_commands()
        self.points = points
        return self

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
            elif kind is ManimColor or (kind is list and not value):
                copied = memo.get(id(value))
                if copied is None:
                    copied = memo[id(value)] = _copy_plain(value)
            else:
                copied = copy.deepcopy(value, memo)
            setattr(result, name, copied)
        result.original_id = str(id(self))
        return result

    def get_points_defining_boundary(self) -> np.ndarray:
        """Manim's (the curves' anchors), as one array."""
        return boundary_anchors([self])

    def reduce_across_dimension(self, reduce_func: Any, dim: int) -> Any:
        """Manim's, with the reductions a width or height asks for (Python's
        ``max`` and ``min`` over one coordinate, element by element) done by NumPy."""
        if self.submobjects or not len(self.points) or reduce_func not in (max, min):
            return super().reduce_across_dimension(reduce_func, dim)
        column = self.points[:, dim]
        return column.max() if reduce_func is max else column.min()

    def get_subpaths_from_points(self, points: np.ndarray) -> list[np.ndarray]:
        """Manim's subpaths (split where a curve does not start where the one
        before ended, by ``np.allclose``'s test), with one array comparison
        instead of an ``np.allclose`` call per curve: a ``Transform`` between
        two formulas aligns every pair of glyphs this way."""
        per_curve = self.n_points_per_cubic_curve
        starts = np.arange(per_curve, len(points), per_curve)
        tolerance = self.tolerance_for_point_equality
        joined = np.isclose(points[starts - 1], points[starts], atol=tolerance).all(axis=1)
        splits = [0, *starts[~joined].tolist(), len(points)]
        return [points[i:j] for i, j in itertools.pairwise(splits) if j - i >= per_curve]


def _placed_points(path: Any, points_per_curve: int) -> np.ndarray | None:
    """Manim's points for a path placed inside ``outlines_parsed_once`` (its
    outline's placement, for the cairo renderer's four points a curve), or
    ``None`` when they must be built from the path's segments."""
    placement = placement_of(path)
    if placement is None or points_per_curve != 4:
        return None
    outline, matrix = placement
    return outline.points_at(matrix)


def boundary_anchors(family: list[VMobject]) -> np.ndarray:
    """``VMobject.get_points_defining_boundary`` of a family: each member's
    ``get_anchors()`` (its curves' start and end anchors, interleaved), joined."""
    parts = []
    for member in family:
        if type(member).get_anchors is not VMobject.get_anchors:
            parts.append(np.array(member.get_anchors(), dtype=float).reshape(-1, 3))
        elif member.points.shape[0] == 1:
            parts.append(member.points)
        elif len(member.points):
            per_curve = member.n_points_per_cubic_curve
            starts, ends = member.points[::per_curve], member.points[per_curve - 1 :: per_curve]
            parts.append(np.stack([starts, ends], axis=1).reshape(-1, 3))
    parts = [part for part in parts if len(part)]
    return np.concatenate(parts) if parts else np.array(())


_ATOMIC = frozenset({bool, int, float, str, LineJointType, CapStyleType})
# sorted glyph settings -> a glyph as built with them (its points are never used)
_GLYPH_TEMPLATES: dict[tuple[tuple[str, Any], ...], Glyph] = {}


def _copy_plain(value: Any) -> Any:
    """``copy.deepcopy`` of an empty list or a ``ManimColor`` (an object holding
    one array), without the generic machinery."""
    if type(value) is list:
        return []
    result = object.__new__(type(value))
    for name, item in value.__dict__.items():
        setattr(result, name, item.copy() if type(item) is np.ndarray else copy.deepcopy(item))
    return result


class _LightGlyphs:
    """SVG mobjects whose path glyphs are :class:`Glyph`, and which build a group
    only for the SVG ids a label can select."""

    def path_to_mobject(self, path: Any) -> VMobjectFromSVGPath:
        return Glyph.placed(path, self.path_string_config)  # type: ignore[attr-defined]

    def init_svg_mobject(self, use_svg_cache: bool) -> Any:
        """Manim's, and then the glyphs whose stroke Typst rescales are found again.

        Manim 0.22 registers those glyphs (fraction bars, roots) only while
        parsing, so a formula served by its SVG cache kept the SVG's raw stroke
        width: the second ``a/b`` in a process drew its bar at 0.48 px, not
        1.62 px, and which formulas were second depended on which scenes a
        worker rendered before. The cached glyphs carry Typst's own marks.
        """
        result = super().init_svg_mobject(use_svg_cache)  # type: ignore[misc]
        self._stroke_width_tracked_submobjects = [
            glyph for glyph in self.submobjects if hasattr(glyph, "_typst_reference_size")
        ]
        return result

    def __init__(self, *args: Any, **kwargs: Any):
        with one_typst_compiler():
            super().__init__(*args, **kwargs)

    def generate_mobject(self) -> Any:
        with outlines_parsed_once():
            return super().generate_mobject()  # type: ignore[misc]

    def get_points_defining_boundary(self) -> np.ndarray:
        """Manim's (the anchors of every curve in the family, in order), one
        array per glyph: Manim stacks a tuple of single rows, and every
        ``next_to``, ``move_to`` and width of a formula asks for them."""
        return boundary_anchors(self.get_family())

    def get_mobjects_from(self, svg: se.SVG) -> tuple[list[VMobject], dict[str, VGroup]]:
        """Manim's traversal (the same glyphs, in the same order), but a ``VGroup``
        only for labelled ids: Manim builds one per SVG element (three per
        glyph), which every copy of the formula then deep-copies, and after
        import only labelled groups are ever looked up (``Typst.select``)."""
        glyphs: list[VMobject] = []
        stack: list[tuple[se.SVGElement, int]] = [(svg, 1)]
        unnamed = 0
        names = ["root"]
        groups: dict[str, VGroup] = {}
        while stack:
            element, depth = stack.pop()
            names = names[:depth]
            try:
                name = str(element.values["id"])
            except (AttributeError, KeyError, TypeError):
                name = f"numbered_group_{unnamed}"
                unnamed += 1
            names.append(name)
            if _selectable(name):
                groups[name] = VGroup()
            if isinstance(element, (se.Group, se.Use)):
                stack.extend((child, depth + 1) for child in element[::-1])
            if isinstance(element, _SHAPES):
                glyph = self.get_mob_from_shape_element(element)  # type: ignore[attr-defined]
                if glyph is not None:
                    glyphs.append(glyph)
                    for parent in names[:-1]:
                        if parent in groups:
                            groups[parent].add(glyph)
        return glyphs, groups


@contextmanager
def one_typst_compiler() -> Iterator[None]:
    """While inside, Manim's Typst compiles go through one ``typst.Compiler`` per
    set of font paths, kept for the process.

    Manim calls ``typst.compile`` once per formula (and once per label probe),
    and each call builds a new compiler that searches the system's fonts
    again: 28 ms a formula, of which 1 ms is compiling. A kept compiler gives
    the same SVG, byte for byte. Re-entrant (a formula built inside a formula).
    """
    if typst.compile is not _compile_with_kept_compiler:
        _KEPT["compile"] = typst.compile
        typst.compile = _compile_with_kept_compiler
        try:
            yield
        finally:
            typst.compile = _KEPT.pop("compile")
    else:
        yield


def _compile_with_kept_compiler(
    input: Any, output: Any = None, *, format: Any = None, font_paths: Any = (), **options: Any
) -> Any:
    """``typst.compile`` as Manim calls it (an input file, a format, font paths),
    by the kept compiler; any other call goes to ``typst.compile`` itself."""
    if output is not None or options:
        return _KEPT["compile"](input, output, format=format, font_paths=font_paths, **options)
    key = tuple(str(path) for path in font_paths or ())
    compiler = _COMPILERS.get(key)
    if compiler is None:
        compiler = _COMPILERS[key] = typst.Compiler(font_paths=list(key))
    # typst.compile's root: the input's folder
    return compiler.compile(input=input, format=format, root=str(Path(input).resolve().parent))


_KEPT: dict[str, Any] = {}  # typst.compile while it is replaced
_COMPILERS: dict[tuple[str, ...], Any] = {}  # font paths -> their kept typst.Compiler


_SHAPES = (se.Path, se.SimpleLine, se.Rect, se.Circle, se.Ellipse, se.Polygon, se.Polyline, se.Text)


def _selectable(svg_id: str) -> bool:
    """Whether ``Typst``'s label lookup can ever reach this SVG id (the rule of
    its label aliases: not the root, not unnamed, not one of Typst's own glyph ids)."""
    return not (
        svg_id == "root"
        or svg_id.startswith("numbered_group_")
        or manim_typst._INTERNAL_TYPST_ID_RE.fullmatch(svg_id) is not None
    )


class Typst(_LightGlyphs, manim_typst.Typst):
    """Manim's :class:`~manim.Typst`, with glyphs that are cheap to copy."""


class MathTypst(_LightGlyphs, manim_typst.MathTypst):
    """Manim's :class:`~manim.MathTypst`, cheap to copy, its label probes done once
    per source text in a process."""

    def __init__(self, math_expression: str, **kwargs: Any):
        with one_typst_compiler():
            self._build(math_expression, **kwargs)

    def _build(self, math_expression: str, **kwargs: Any) -> None:
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

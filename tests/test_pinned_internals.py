"""Every third-party internal the code relies on, named, so an upgrade is a deliberate act.

The renderer subclasses and patches parts of Manim, svgelements, Typst, manim-slides,
XlsxWriter and python-pptx that are not their public promise (``pyproject.toml`` pins each to
the series this was written for). When an upgrade moves or reshapes one of them, the test
here that names it fails and says which file relies on it and what to do, instead of a
render going subtly wrong. See the manual's "Upgrade a pinned package"
(docs/source/howto/upgrade.md).
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
UPGRADE = (
    "To upgrade deliberately: adapt that file to the new release, run "
    "tests/test_pinned_internals.py, tests/test_camera.py, tests/test_formulas.py and "
    "tests/test_render_speed.py "
    "(frames identical to Manim's own), widen the pin in pyproject.toml, then `make lock`."
)


@dataclass(frozen=True)
class Internal:
    """One thing of a package's that our code calls, overrides or replaces.

    ``params``: parameter names the callable must still take, in this order (others may
    sit between them). ``assigned``: names the object's source must still set
    (``self.NAME`` for a class: instance attributes our code reads or sets)."""

    package: str  # the distribution, as pyproject.toml pins it
    name: str  # dotted: module path, then attributes
    user: str  # the file that relies on it
    params: tuple[str, ...] | None = None
    assigned: tuple[str, ...] = ()


CAMERA, FORMULAS, OUTLINES = "scenekit/camera.py", "scenekit/formulas.py", "scenekit/outlines.py"
WORKER, DECK = "mlp_lecture/pipeline/worker.py", "mlp_lecture/deck.py"
STEPS = "mlp_lecture/pipeline/step_tracking.py"
HTML_DECK = "mlp_lecture/html_deck.py"
MEDIA = "mlp_lecture/pipeline/media.py"
PPTX = "mlp_lecture/pptx_deck.py"
INTERPOLATION, FAMILIES = "scenekit/interpolation.py", "scenekit/families.py"

INTERNALS = [
    # LectureCamera overrides these and calls the rest (the same cairo calls as Manim's).
    Internal(
        "manim",
        "manim.camera.camera.Camera.set_cairo_context_path",
        CAMERA,
        ("self", "ctx", "vmobject"),
    ),
    Internal(
        "manim",
        "manim.camera.camera.Camera.transform_points_pre_display",
        CAMERA,
        ("self", "mobject", "points"),
    ),
    Internal(
        "manim",
        "manim.camera.camera.Camera.display_image_mobject",
        CAMERA,
        ("self", "image_mobject", "pixel_array"),
    ),
    Internal(
        "manim",
        "manim.camera.camera.Camera.points_to_pixel_coords",
        CAMERA,
        ("self", "mobject", "points"),
    ),
    Internal(
        "manim",
        "manim.camera.camera.Camera.overlay_PIL_image",
        CAMERA,
        ("self", "pixel_array", "image"),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.consider_points_equals_2d",
        CAMERA,
        ("self", "p0", "p1"),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject",
        CAMERA,
        assigned=(
            "n_points_per_cubic_curve",
            "tolerance_for_point_equality",
            "fill_rgbas",
            "stroke_rgbas",
            "background_stroke_rgbas",
            "stroke_width",
            "background_stroke_width",
            "joint_type",
            "cap_style",
        ),
    ),
    # ... and draws a VMobject as Camera.display_vectorized does, reading what VMobject's
    # getters return (only for classes that keep VMobject's getters).
    Internal(
        "manim",
        "manim.camera.camera.Camera.display_vectorized",
        CAMERA,
        ("self", "vmobject", "ctx"),
    ),
    Internal("manim", "manim.camera.camera.Camera.apply_fill", CAMERA, ("self", "ctx", "vmobject")),
    Internal(
        "manim",
        "manim.camera.camera.Camera.apply_stroke",
        CAMERA,
        ("self", "ctx", "vmobject", "background"),
    ),
    Internal(
        "manim",
        "manim.camera.camera.Camera.set_cairo_context_color",
        CAMERA,
        ("self", "ctx", "rgbas", "vmobject"),
    ),
    Internal("manim", "manim.camera.camera.Camera.type_or_raise", CAMERA, ("self", "mobject")),
    Internal(
        "manim",
        "manim.camera.camera.Camera",
        CAMERA,
        assigned=("display_funcs", "cairo_line_width_multiple", "frame_width"),
    ),
    Internal("manim", "manim.camera.camera.LINE_JOIN_MAP", CAMERA),
    Internal("manim", "manim.camera.camera.CAP_STYLE_MAP", CAMERA),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.get_fill_rgbas",
        CAMERA,
        ("self",),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.get_stroke_rgbas",
        CAMERA,
        ("self", "background"),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.get_stroke_width",
        CAMERA,
        ("self", "background"),
    ),
    # Glyph (formulas.py) is a VMobjectFromSVGPath whose points come from outlines.py.
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.VMobjectFromSVGPath.__init__",
        FORMULAS,
        ("self", "path_obj", "kwargs"),
        assigned=("path_obj",),
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.VMobjectFromSVGPath.handle_commands",
        FORMULAS,
        ("self",),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.get_subpaths_from_points",
        FORMULAS,
        ("self", "points"),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.get_points_defining_boundary",
        FORMULAS,
        ("self",),
    ),
    Internal(
        "manim", "manim.mobject.types.vectorized_mobject.VMobject.get_anchors", FORMULAS, ("self",)
    ),
    Internal(
        "manim",
        "manim.mobject.mobject.Mobject.reduce_across_dimension",
        FORMULAS,
        ("self", "reduce_func", "dim"),
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.SVGMobject.path_to_mobject",
        FORMULAS,
        ("self", "path"),
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.SVGMobject.init_svg_mobject",
        FORMULAS,
        ("self", "use_svg_cache"),
    ),
    Internal(
        "manim", "manim.mobject.svg.svg_mobject.SVGMobject.generate_mobject", FORMULAS, ("self",)
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.SVGMobject.get_mobjects_from",
        FORMULAS,
        ("self", "svg"),
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.SVGMobject.get_mob_from_shape_element",
        FORMULAS,
        ("self", "shape"),
    ),
    Internal(
        "manim",
        "manim.mobject.svg.svg_mobject.SVGMobject",
        FORMULAS,
        assigned=("path_string_config",),
    ),
    # MathTypst's label probes, done once per source (formulas.py) as Manim's __init__ does them.
    Internal(
        "manim",
        "manim.mobject.text.typst_mobject.Typst.__init__",
        FORMULAS,
        ("self", "typst_code", "typst_preamble", "font_paths"),
        assigned=("_stroke_width_tracked_submobjects", "_label_aliases"),
    ),
    Internal(
        "manim",
        "manim.mobject.text.typst_mobject.MathTypst._preprocess_groups",
        FORMULAS,
        ("math_expr",),
    ),
    Internal(
        "manim",
        "manim.mobject.text.typst_mobject.MathTypst",
        FORMULAS,
        assigned=("_group_labels", "_svg_leaf_labels"),
    ),
    Internal("manim", "manim.mobject.text.typst_mobject._manimgrp_preamble", FORMULAS, ("target",)),
    Internal(
        "manim", "manim.mobject.text.typst_mobject._svg_leaf_signatures", FORMULAS, ("svg_file",)
    ),
    Internal(
        "manim",
        "manim.mobject.text.typst_mobject._hidden_leaf_indices",
        FORMULAS,
        ("visible", "probe"),
    ),
    Internal("manim", "manim.mobject.text.typst_mobject._INTERNAL_TYPST_ID_RE", FORMULAS),
    Internal(
        "manim",
        "manim.utils.typst_file_writing.typst_to_svg_file",
        FORMULAS,
        ("typst_code", "preamble", "font_paths"),
    ),
    # The worker counts frames; step_tracking tracks sections and adds each step's caption
    # as a subcaption.
    Internal(
        "manim",
        "manim.renderer.cairo_renderer.CairoRenderer.add_frame",
        WORKER,
        ("self", "frame", "num_frames"),
    ),
    Internal(
        "manim",
        "manim.renderer.cairo_renderer.CairoRenderer",
        WORKER,
        assigned=("file_writer", "num_plays", "time", "skip_animations"),
    ),
    Internal("manim", "manim.scene.scene.Scene.next_section", STEPS, ("self",)),
    Internal(
        "manim",
        "manim.scene.scene.Scene.add_subcaption",
        STEPS,
        ("self", "content", "duration", "offset"),
    ),
    Internal(
        "manim",
        "manim.scene.scene_file_writer.SceneFileWriter",
        WORKER,
        assigned=("sections", "sections_output_dir", "movie_file_path", "image_file_path"),
    ),
    Internal("manim", "manim.scene.section.Section.is_empty", STEPS, ("self",)),
    Internal("manim", "manim.scene.section.Section", STEPS, assigned=("name", "video")),
    # outlines.py replaces Path.parse and Path.reify while a formula is imported.
    Internal("svgelements", "svgelements.Path.parse", OUTLINES, ("self", "pathdef")),
    Internal("svgelements", "svgelements.Path.reify", OUTLINES, ("self",)),
    Internal("svgelements", "svgelements.Path", OUTLINES, assigned=("_segments", "_length")),
    Internal("svgelements", "svgelements.GraphicObject.reify", OUTLINES, ("self",)),
    Internal("svgelements", "svgelements.Transformable.reify", OUTLINES, ("self",)),
    Internal("svgelements", "svgelements.Matrix.reset", OUTLINES, ("self",)),
    # formulas.py replaces typst.compile by a kept Compiler's compile (the same SVG).
    Internal("typst", "typst.compile", FORMULAS, ("input", "output", "font_paths", "format")),
    Internal("typst", "typst.Compiler", FORMULAS, ("font_paths",)),
    Internal("typst", "typst.Compiler.compile", FORMULAS, ("input", "format", "root")),
    # html_deck.py subclasses the reveal.js converter (edits its template); deck.py reads clips.
    Internal("manim-slides", "manim_slides.convert.RevealJS.load_template", HTML_DECK, ("self",)),
    Internal(
        "manim-slides",
        "manim_slides.convert.read_image_from_video_file",
        DECK,
        ("file", "frame_index"),
    ),
    Internal("manim-slides", "manim_slides.convert.FrameIndex.last", DECK),
    # pptx_deck.py adds each clip with its poster, then makes it play on entry in the
    # slide's p:timing XML that add_movie writes (tests/test_slides.py reads it back).
    Internal(
        "python-pptx",
        "pptx.shapes.shapetree.SlideShapes.add_movie",
        PPTX,
        ("self", "movie_file", "left", "top", "width", "height", "poster_frame_image", "mime_type"),
    ),
    # media.py joins clips by copying packets into a stream made from the source's.
    Internal("av", "av.container.output.OutputContainer.add_stream_from_template", MEDIA),
    # ... and replaces Manim's segment encoder's write_frame (frames wrapped, not copied).
    Internal(
        "manim",
        "manim.scene.video_segment_encoder.VideoSegmentEncoder.write_frame",
        MEDIA,
        ("self", "pixels", "repeat"),
    ),
    Internal(
        "manim",
        "manim.scene.video_segment_encoder.VideoSegmentEncoder",
        MEDIA,
        assigned=("spec", "_next_pts", "_stream", "_container"),
    ),
    Internal(
        "manim",
        "manim.scene.video_segment_encoder.VideoSegmentEncoder._validate_frame",
        MEDIA,
        ("self", "pixels", "repeat"),
    ),
    Internal(
        "manim",
        "manim.scene.video_segment_encoder.VideoSegmentEncoder._operation_error",
        MEDIA,
        ("self", "operation", "error"),
    ),
    Internal("av", "av.VideoFrame.from_numpy_buffer", MEDIA),
    # interpolation.py plans Transform frames: what Animation and Transform do per frame.
    Internal(
        "manim",
        "manim.animation.animation.Animation.interpolate_mobject",
        INTERPOLATION,
        ("self", "alpha"),
    ),
    Internal(
        "manim",
        "manim.animation.animation.Animation.update_mobjects",
        INTERPOLATION,
        ("self", "dt"),
    ),
    Internal(
        "manim",
        "manim.animation.animation.Animation.get_all_mobjects_to_update",
        INTERPOLATION,
        ("self",),
    ),
    Internal(
        "manim",
        "manim.animation.animation.Animation.get_sub_alpha",
        INTERPOLATION,
        ("self", "alpha", "index", "num_submobjects"),
    ),
    Internal(
        "manim",
        "manim.animation.animation.Animation",
        INTERPOLATION,
        assigned=("starting_mobject", "lag_ratio", "suspend_mobject_updating"),
    ),
    Internal(
        "manim",
        "manim.animation.transform.Transform.get_all_families_zipped",
        INTERPOLATION,
        ("self",),
    ),
    Internal(
        "manim",
        "manim.animation.transform.Transform.interpolate_submobject",
        INTERPOLATION,
        ("self", "submobject", "starting_submobject", "target_copy", "alpha"),
    ),
    Internal(
        "manim", "manim.animation.transform.Transform", INTERPOLATION, assigned=("target_copy",)
    ),
    Internal(
        "manim",
        "manim.mobject.mobject.Mobject.interpolate",
        INTERPOLATION,
        ("self", "mobject1", "mobject2", "alpha", "path_func"),
    ),
    Internal(
        "manim",
        "manim.mobject.types.vectorized_mobject.VMobject.interpolate_color",
        INTERPOLATION,
        ("self", "mobject1", "mobject2", "alpha"),
    ),
    Internal("manim", "manim.utils.bezier.interpolate", INTERPOLATION, ("start", "end", "alpha")),
    # families.py replaces Mobject.get_family with the same walk.
    Internal("manim", "manim.mobject.mobject.Mobject.get_family", FAMILIES, ("self", "recurse")),
    Internal(
        "manim", "manim.mobject.mobject.Mobject._iter_family", FAMILIES, ("self", "active_path")
    ),
    Internal("manim", "manim.utils.iterables.remove_list_redundancies", FAMILIES, ("lst",)),
]


def resolve(dotted: str) -> object:
    """The object at ``dotted``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def problem(internal: Internal) -> str | None:
    """What is gone or changed about ``internal``, or ``None`` when it is as relied on."""
    try:
        found = resolve(internal.name)
    except (ImportError, AttributeError) as error:
        return f"it is gone ({error})"
    if internal.params is not None:
        try:
            names = list(inspect.signature(found).parameters)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            return f"its signature cannot be read ({error})"
        kept = [name for name in names if name in internal.params]
        if kept != list(internal.params):
            return f"its parameters are now {names}, not {list(internal.params)}"
    if internal.assigned:
        source = inspect.getsource(found)  # type: ignore[arg-type]
        prefix = "self." if inspect.isclass(found) or inspect.isfunction(found) else ""
        missing = [
            name
            for name in internal.assigned
            if not re.search(rf"{re.escape(prefix + name)}\b", source)
        ]
        if missing:
            return f"its source no longer sets {', '.join(missing)}"
    return None


@pytest.mark.parametrize("internal", INTERNALS, ids=[i.name for i in INTERNALS])
def test_internal_is_as_relied_on(internal):
    found = problem(internal)
    assert found is None, (
        f"{internal.name} ({internal.package} {version(internal.package)}): {found}. "
        f"{internal.user} relies on it. {UPGRADE}"
    )


def test_a_changed_internal_is_reported(monkeypatch):
    """The check can fail: a method gone, and one whose parameters changed."""
    from manim.camera.camera import Camera

    cairo_path = next(i for i in INTERNALS if i.name.endswith("set_cairo_context_path"))
    monkeypatch.delattr(Camera, "set_cairo_context_path")
    assert "gone" in (problem(cairo_path) or "")

    def reshaped(self, context, mobject):  # renamed parameters: a different contract
        return self

    monkeypatch.setattr(Camera, "set_cairo_context_path", reshaped, raising=False)
    assert "parameters are now ['self', 'context', 'mobject']" in (problem(cairo_path) or "")
    segments = Internal("svgelements", "svgelements.Path", OUTLINES, assigned=("_gone_name",))
    assert "no longer sets _gone_name" in (problem(segments) or "")


def test_transform_frames_are_as_planned():
    """scenekit/interpolation.py computes Manim's Transform frame: points by the straight
    path (``interpolate``, ``(1 - a) * x + a * y``), then ``interpolate_color``'s attributes."""
    from manim.mobject.types.vectorized_mobject import VMobject
    from manim.utils.bezier import interpolate
    from manim.utils.paths import straight_path

    from scenekit.interpolation import COLOUR_ATTRIBUTES

    source = inspect.getsource(VMobject.interpolate_color)
    listed = re.findall(r'"(\w+)"', source.split("]")[0])
    x, y = np.array([0.1, 7.3]), np.array([-2.2, 0.3])
    assert straight_path() is interpolate and np.array_equal(
        interpolate(x, y, 0.37), (1 - 0.37) * x + 0.37 * y
    ), f"manim.utils.bezier.interpolate changed: scenekit/interpolation.py relies on it. {UPGRADE}"
    assert listed == list(COLOUR_ATTRIBUTES), (
        f"VMobject.interpolate_color now interpolates {listed}: scenekit/interpolation.py's "
        f"COLOUR_ATTRIBUTES must match. {UPGRADE}"
    )


def test_xlsxwriter_writes_an_exact_float_in_full():
    """spreadsheet/cells.py's ``Exact`` relies on XlsxWriter formatting a number with
    ``format(number, ".16G")``: a float32 weight needs 17 significant digits."""
    import xlsxwriter

    from mlp_lecture.spreadsheet.cells import Exact

    weight = 0.13189999759197235  # float32(0.1319): 16 digits would read back as another float
    assert float(f"{weight:.16G}") != weight  # why Exact exists
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet().write_number(0, 0, Exact(weight))
    workbook.close()
    with zipfile.ZipFile(buffer) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    written = re.findall(r"<v>([^<]*)</v>", sheet)
    assert len(written) == 1 and float(written[0]) == weight, (
        f"XlsxWriter {version('XlsxWriter')} wrote {written} for {weight!r}: it no longer "
        f"formats numbers through __format__, which mlp_lecture/spreadsheet/cells.py's Exact "
        f"relies on (xlsxwriter.xmlwriter's _xml_number_element). {UPGRADE}"
    )


def pinned() -> dict[str, Requirement]:
    """pyproject.toml's dependencies (with the extras'), by normalised name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    found: dict[str, Requirement] = {}
    for line in lines:  # the main pin first: an extra may name a package again
        found.setdefault(_normal(Requirement(line).name), Requirement(line))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    """requirements.lock's ``name==version`` pins, by normalised name."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK.read_text(), flags=re.MULTILINE)
    return {_normal(name): found for name, found in pins}


@pytest.mark.parametrize("package", sorted({i.package for i in INTERNALS}))
def test_a_patched_package_is_pinned_to_one_series(package):
    """Each package whose internals are relied on has an upper bound in pyproject.toml
    below the next minor release, and the installed and locked versions fall inside it."""
    requirement = pinned().get(_normal(package))
    assert requirement is not None, f"pyproject.toml does not pin {package}"
    uppers = [Version(s.version) for s in requirement.specifier if s.operator == "<"]
    lowers = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert uppers and lowers, f"pyproject.toml: {requirement} needs >=X.Y,<X.(Y+1)"
    low, high = max(lowers), min(uppers)
    next_minor = Version(f"{low.major}.{low.minor + 1}")
    assert high <= next_minor, f"pyproject.toml: {requirement} allows a later series"
    for where, found in (("installed", version(package)), ("locked", locked()[_normal(package)])):
        assert Version(found) in requirement.specifier, (
            f"{package} {found} ({where}) is outside pyproject.toml's {requirement}"
        )


def test_the_lock_hashes_every_pin_and_holds_the_cpu_torch():
    """Every pin of requirements.lock carries a sha256 (pip installs it with
    --require-hashes), and torch is the CPU build .ci/setup installs."""
    text = LOCK.read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
    pins = [entry for entry in entries if re.match(r"[A-Za-z0-9_.-]+==", entry)]
    assert len(pins) == len(locked()) > 50
    unhashed = [entry.split()[0] for entry in pins if "--hash=sha256:" not in entry]
    assert not unhashed, f"requirements.lock: no hash for {unhashed}"
    assert locked()["torch"].endswith("+cpu")


def test_the_lock_fits_pyproject():
    """Every requirement of pyproject.toml (dependencies and extras) is locked at a version
    inside its range: a dependency added without `make lock` fails here (and in .ci/setup)."""
    present = dict(
        re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)",
            (ROOT / "requirements-present.lock").read_text(),
            flags=re.MULTILINE,
        )
    )
    present = {_normal(name): found for name, found in present.items()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [(line, locked()) for line in project["dependencies"]]
    wanted += [(line, locked()) for line in project["optional-dependencies"]["dev"]]
    wanted += [(line, present) for line in project["optional-dependencies"]["present"]]
    for line, pins in wanted:
        requirement = Requirement(line)
        found = pins.get(_normal(requirement.name))
        assert found is not None and Version(found) in requirement.specifier, (
            f"pyproject.toml's {line!r} is locked at {found}: run `make lock`"
        )
    assert {"pyside6"} <= present.keys() and "pyside6" not in locked()

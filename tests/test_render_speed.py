"""The render's shortcuts leave every frame and every encoded byte as Manim makes them.

A worker renders inside ``fast_transforms`` (a ``Transform``'s frames from a plan),
``fast_families`` (``get_family`` without nested generators) and
``frames_encoded_in_place`` (frames handed to PyAV without a copy). Each is
compared here with Manim's own code on the same input: the frames of small
scenes that use every kind of ``Transform`` the lecture plays, families with
shared members and cycles, and encoded video segments.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

import numpy as np
import pytest
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    ReplacementTransform,
    Scene,
    Square,
    VGroup,
    VMobject,
    Write,
    tempconfig,
)
from manim.mobject.mobject import Mobject

from scenekit import interpolation
from scenekit.camera import LectureCamera
from scenekit.families import family_of, fast_families
from scenekit.formulas import MathTypst, Typst
from scenekit.interpolation import fast_transforms


class _Plays(Scene):
    """Every kind of Transform the lecture plays, on formulas and shapes."""

    def __init__(self, **kwargs):
        super().__init__(camera_class=LectureCamera, **kwargs)
        self.frames: list[str] = []

    def construct(self):
        formula = MathTypst("(partial L)/(partial w_(1 2)) = sum_i delta_i x_i").to_edge(UP)
        words = Typst("Each weight steps against its gradient").next_to(formula, DOWN)
        shapes = VGroup(Circle().set_fill(opacity=0.5), Square().set_stroke(width=6))
        shapes.arrange(RIGHT).to_edge(DOWN)
        self.play(FadeIn(formula), FadeIn(words, shift=DOWN * 0.3))  # opacity only; moving
        self.play(Create(shapes[0]), Write(shapes[1]))  # not Transforms
        self.play(LaggedStart(*(FadeOut(glyph) for glyph in formula), lag_ratio=0.2))
        other = MathTypst("w <- w - eta (partial L)/(partial w)").to_edge(UP)
        self.play(ReplacementTransform(words, other), Indicate(shapes[0]))
        self.play(shapes.animate.shift(LEFT + UP * 0.5).set_color("#FF8800"), run_time=0.7)
        self.play(FadeOut(other), FadeOut(shapes, scale=0.5))


def _frames_of(scene_class: type, tmp_path, *contexts) -> list[str]:
    frames: list[str] = []

    class Recording(scene_class):
        def setup(self):
            super().setup()
            add_frame = self.renderer.add_frame

            def recording(frame, num_frames=1):
                frames.extend([hashlib.sha256(frame.tobytes()).hexdigest()] * num_frames)
                add_frame(frame, num_frames)

            self.renderer.add_frame = recording

    settings = {"quality": "low_quality", "media_dir": str(tmp_path), "disable_caching": True}
    settings |= {"write_to_movie": False, "progress_bar": "none", "verbosity": "ERROR"}
    with tempconfig(settings):
        scene = Recording()
        with _entered(contexts):
            scene.render()
    return frames


class _entered:
    def __init__(self, contexts):
        self.contexts = [context() for context in contexts]

    def __enter__(self):
        for context in self.contexts:
            context.__enter__()

    def __exit__(self, *exc):
        for context in reversed(self.contexts):
            context.__exit__(*exc)


def test_planned_transforms_give_manims_frames(tmp_path, monkeypatch):
    planned = []
    interpolate = interpolation._Plan.interpolate
    monkeypatch.setattr(
        interpolation._Plan,
        "interpolate",
        lambda self, animation, alpha: (
            planned.append(type(animation).__name__) or interpolate(self, animation, alpha)
        ),
    )
    manims = _frames_of(_Plays, tmp_path / "a")
    assert not planned
    ours = _frames_of(_Plays, tmp_path / "b", fast_transforms, fast_families)
    kinds = set(planned)
    assert {"FadeIn", "FadeOut", "ReplacementTransform", "Indicate", "_MethodAnimation"} <= kinds
    assert len(ours) == len(manims) > 60 and len(set(manims)) > 40
    assert ours == manims


def test_a_plan_is_made_again_when_a_transform_is_played_again(tmp_path):
    class Twice(Scene):
        def construct(self):
            square = Square().set_fill(opacity=0.6)
            fade = FadeIn(square)
            self.play(fade)
            self.remove(square)
            square.shift(RIGHT * 2)  # the second play starts from other points
            self.play(fade)

    Twice.__init__ = lambda self, **kw: Scene.__init__(self, camera_class=LectureCamera, **kw)
    manims = _frames_of(Twice, tmp_path / "a")
    assert _frames_of(Twice, tmp_path / "b", fast_transforms) == manims


def test_the_contexts_restore_manims_methods():
    from manim.animation.transform import Transform

    before = (Transform.interpolate_mobject, Transform.update_mobjects, Mobject.get_family)
    with fast_transforms(), fast_families(), fast_transforms():
        assert Transform.interpolate_mobject is not before[0]
        assert Mobject.get_family is family_of
    assert (Transform.interpolate_mobject, Transform.update_mobjects, Mobject.get_family) == before
    assert "interpolate_mobject" not in vars(Transform)


def _tree(seed: int) -> Mobject:
    """Mobjects nested at random, some members shared, some cycles."""
    rng = np.random.default_rng(seed)
    members = [VMobject() for _ in range(25)]
    for index, member in enumerate(members[1:], start=1):
        members[int(rng.integers(0, index))].submobjects.append(member)
    for _ in range(6):  # a member under a second parent, sometimes its own descendant
        a, b = rng.integers(0, len(members), size=2)
        members[int(a)].submobjects.append(members[int(b)])
    return members[0]


@pytest.mark.parametrize("seed", range(12))
def test_family_of_is_manims_get_family(seed):
    root = _tree(seed)
    for member in [root, *root.submobjects]:
        assert family_of(member) == Mobject.get_family(member)
    square = Square()
    assert family_of(square) == [square]


def test_frames_encoded_in_place_write_manims_bytes(tmp_path):
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    from mlp_lecture.pipeline.media import frames_encoded_in_place
    from mlp_lecture.pipeline.worker import ENCODER_OPTIONS

    rng = np.random.default_rng(3)
    frames = []
    for index in range(12):  # flat colours and a moving block, like a lecture's frames
        frame = np.full((480, 854, 4), 20, dtype=np.uint8)
        frame[100 + index * 5 : 200 + index * 5, 300:500] = rng.integers(0, 255, 4)
        frames.append(frame)

    def encode(target):
        spec = _spec(ENCODER_OPTIONS["mp4"])
        encoder = VideoSegmentEncoder(target=target, spec=spec)
        for index, frame in enumerate(frames):
            encoder.write_frame(frame.copy(), repeat=1 + index % 3)
        encoder.finish()
        return target.read_bytes()

    manims = encode(tmp_path / "manim.mp4")
    with frames_encoded_in_place():
        ours = encode(tmp_path / "ours.mp4")
    assert len(manims) > 1000 and ours == manims


def _spec(options):
    """The spec Manim's file writer makes for an mp4 at 854x480, 15 fps."""
    from manim._config.video_encoder import VideoEncoderSpec

    return VideoEncoderSpec(
        container_format="mp4",
        codec="libx264",
        pixel_format="yuv420p",
        width=854,
        height=480,
        frame_rate=Fraction(15),
        options=tuple(options.items()),
    )


def test_a_transform_that_cannot_be_planned_runs_as_manims(tmp_path):
    """A mobject with an updater that keeps running during the play (ClassifierTraining's
    step label) is no plan's: every frame is Manim's own, as without the shortcut."""

    class Updating(Scene):
        def construct(self):
            square = Square().set_fill(opacity=0.6)
            square.add_updater(lambda mobject, dt: mobject.rotate(dt))
            self.add(square)
            self.play(square.animate(suspend_mobject_updating=False).shift(RIGHT), run_time=1)

    Updating.__init__ = lambda self, **kw: Scene.__init__(self, camera_class=LectureCamera, **kw)
    manims = _frames_of(Updating, tmp_path / "a")
    assert _frames_of(Updating, tmp_path / "b", fast_transforms) == manims

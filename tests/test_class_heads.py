"""Issue 33's whole tables on a teacher's classifier (tanh 2-5-3, 10 named samples):
the lesson's class names stand over the columns of the tables with a column per
class, in the right column, and only when the lesson names its classes; the forward
pass's last output and ``net(X)`` show every sample's row.

Each check reads the scene's audit (what was on screen) against the lesson file's
own names and shape, never against numbers the scene printed.
"""

from __future__ import annotations

import pytest
from teacher_lesson import NAMES, SAMPLES, on_screen, shown_paths, teacher_lesson

from mlpmath import compute_trace, load_lesson
from scenekit.audit import audit_scene
from scenekit.classes import typst_literal
from scenekit.context import LESSON_ENV
from scenekit.legibility import too_small
from scenekit.notation_check import screen_problems
from scenes import scene_class


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "manim-media")


def _audit(name: str, names: list[str], monkeypatch, media: str, tmp_path):
    path = tmp_path / "teacher.toml"
    path.write_text(teacher_lesson(names))
    monkeypatch.setenv(LESSON_ENV, str(path))
    trace = compute_trace(load_lesson(path))
    audit, problems = audit_scene(scene_class(name), trace, media)
    assert problems == []
    assert screen_problems(audit) == []
    return audit


@pytest.fixture(scope="module")
def audited(media, tmp_path_factory):
    """``audited(scene, names)``: the scene's audit on the teacher's lesson with its
    classes so named, made once per module (each costs seconds)."""
    made = {}

    def audit(name: str, names: tuple[str, ...] = tuple(NAMES)):
        if (name, names) not in made:
            with pytest.MonkeyPatch.context() as patch:
                folder = tmp_path_factory.mktemp("lesson")
                made[name, names] = _audit(name, list(names), patch, media, folder)
        return made[name, names]

    return audit


def _assert_headed(audit, matrix: str, names) -> None:
    """Each name, as a Typst string literal, stands above the column of its class of
    the batch matrix at ``matrix`` (a trace path): level with that column's entries (a
    later sample's, so the batch matrix's, not a one-sample table's), above the
    matrix's first row."""
    texts = [(m, source) for m, source in audit.shown_texts()]
    entries = audit.scene.ledger.entries
    last = SAMPLES - 1
    for c, name in enumerate(names):
        heads = [m for m, source in texts if source == typst_literal(name)]
        assert heads, name
        column = [
            e.mobject
            for e in entries
            if e.path == f"{matrix}[{last}][{c}]" and on_screen(audit, e.mobject)
        ]
        first = [
            e.mobject
            for e in entries
            if e.path == f"{matrix}[0][{c}]" and on_screen(audit, e.mobject)
        ]
        assert column and first, (matrix, c)
        over = [
            h
            for h in heads
            if any(abs(h.get_x() - m.get_x()) < max(m.width, h.width) / 2 for m in column)
            and any(h.get_bottom()[1] > m.get_top()[1] for m in first)
        ]
        assert over, (matrix, name)


IRIS = ("setosa", "versicolor", "virginica")  # wider than P's columns: staggered there


def test_softmax_names_each_column_of_z_and_p_over_it(audited):
    """Softmax's batch: the logits Z and the probabilities P, each column under its
    class's name (the lesson file's names); every glyph legible at 480p (the bars
    shorten for the names and the rounding note rather than the slide shrinking)."""
    audit = audited("Softmax")
    _assert_headed(audit, "network.softmax.probabilities", NAMES)
    _assert_headed(audit, "network.softmax.logits", NAMES)
    assert too_small(audit.glyph_heights()) == []


@pytest.mark.parametrize("names", [tuple(NAMES), IRIS], ids=["short", "iris"])
def test_softmax_gradient_shows_every_row_headed(audited, names):
    """N = 10, C = 3: every entry of P, the one-hot Y and dL/dZ = (P - Y) / N is on
    screen, and each of the three tables, Y's narrow 0/1 columns too, stands under the
    lesson's class names (short ones, and the iris's, staggered over P)."""
    audit = audited("SoftmaxGradient", names)
    shown = shown_paths(audit)
    for matrix in ("softmax.probabilities", "one_hot", "prediction_gradient"):
        for s in range(SAMPLES):
            for c in range(len(names)):
                assert f"network.{matrix}[{s}][{c}]" in shown, (matrix, s, c)
        _assert_headed(audit, f"network.{matrix}", names)
    assert too_small(audit.glyph_heights()) == []


# the longest names a lesson takes (24 characters), wide glyphs and marks Typst reads
WIDEST_NAMES = ("W" * 24, 'a "quoted" <b>name</b> $', "鳥" * 24)


def test_softmax_gradient_keeps_every_row_with_the_widest_names(audited):
    """Names too wide for any column: no heads, but still every row, nothing shrunk
    below legibility (the worked entry leaves the name out rather than leave the frame)."""
    audit = audited("SoftmaxGradient", WIDEST_NAMES)
    shown = shown_paths(audit)
    for s in range(SAMPLES):
        for c in range(len(NAMES)):
            assert f"network.prediction_gradient[{s}][{c}]" in shown, (s, c)
    assert too_small(audit.glyph_heights()) == []


def test_numbered_classes_have_no_heads(monkeypatch, media, tmp_path):
    """A lesson that names its classes by their numbers (or not at all) keeps the frames
    it had: no class name typeset anywhere."""
    audit = _audit("Softmax", ["0", "1", "2"], monkeypatch, media, tmp_path)
    assert not any(source.startswith('#"') for _, source in audit.shown_texts())


def test_forward_pass_shows_every_row_of_z_and_net_x(monkeypatch, media, tmp_path):
    """N = 10: every sample's row of the logits and of torch's net(X) is on screen."""
    audit = _audit("ForwardPass", NAMES, monkeypatch, media, tmp_path)
    shown = {e.path for e in audit.scene.ledger.entries if on_screen(audit, e.mobject)}
    for s in range(SAMPLES):
        for c in range(len(NAMES)):
            assert f"network.net_prediction[{s}][{c}]" in shown, (s, c)
            assert f"network.layers[1].preactivation[{s}][{c}]" in shown, (s, c)


def test_softmax_gradient_names_the_worked_sample_s_class(audited):
    """The worked entry's ``y = y^((1)) = 0`` goes on with the first sample's class
    name (the lesson file's first sample is of class 0, "cat"), and dL/dZ's columns are
    headed with every class's name."""
    audit = audited("SoftmaxGradient")
    sources = [source for _, source in audit.shown_texts()]
    assert any("y^((1))" in s and typst_literal(NAMES[0]) in s for s in sources)
    for name in NAMES:
        assert typst_literal(name) in sources, name


def test_cross_entropy_heads_the_one_hot_y_as_p(audited):
    """CrossEntropyLoss's one-hot Y beside P: names wider than Y's 0/1 columns still
    stand over them (its columns widen), as over P."""
    audit = audited("CrossEntropyLoss", IRIS)
    _assert_headed(audit, "network.one_hot", IRIS)
    _assert_headed(audit, "network.softmax.probabilities", IRIS)


@pytest.mark.parametrize("names", [IRIS, WIDEST_NAMES], ids=["iris", "widest"])
def test_softmax_bars_name_every_class(audited, names):
    """Names wider than a bar's room stand in a legend beside the bars (``p_k`` and
    the name, in the class's colour), inside the frame and legible: the iris's as
    well as the widest a lesson takes, which no column of Z or P can head."""
    audit = audited("Softmax", names)
    sources = [source for _, source in audit.shown_texts()]
    for name in names:
        heads = sources.count(typst_literal(name))
        assert heads >= (1 if names == WIDEST_NAMES else 3), (name, heads)  # bars; Z, P
    assert too_small(audit.glyph_heights()) == []

"""Each student's own lesson: the base lesson's numbers redrawn from a hash of the
course's seed and the student's id.

The numbers come from sha256 of (seed, id, generation, attempt, what is drawn)
in counter mode, an own stream that no library version can change: the same id
gives the same lesson file byte for byte, whatever the roster's order, on any
machine, and adding a student changes no one else's. Each value is drawn
within the range the base lesson gives it, at the precision the base writes it
(whole inputs stay whole; weights at the lesson's decimals).

A draw whose lesson would teach badly is refused and drawn again with the next
attempt number (:func:`degenerate`): the loss diverges or rises over the
training, a ReLU layer is dead on every sample, or a classifier's top two
scores tie at the shown precision. The refused attempts are recorded in the
:class:`VariantRecord`, so a marker can see why a student's numbers are the
fourth draw and not the first.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mlp_lecture.course.course_file import Course, CourseError, check_student_id
from mlpmath import Lesson, LessonError, format_number, parse_lesson
from mlpmath.lesson import LayerSpec, NeuronSpec
from mlpmath.lesson_checks import MAX_TITLE
from mlpmath.lesson_writer import lesson_toml

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_GENERATION",
    "VariantRecord",
    "degenerate",
    "draw_lesson",
    "student_lesson",
    "student_trace",
]

MAX_ATTEMPTS = 64  # draws tried for one student before the course is refused
MAX_GENERATION = 1_000_000  # how many times one student's variant may be redrawn
_DOMAIN = "mlp-lecture course variant 1"  # changes only if the drawing itself changes

Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class VariantRecord:
    """How one student's lesson was drawn: enough for a marker to draw it again.

    ``generation`` is the teacher's (``--redraw`` adds one); ``attempt`` the
    draw that was kept, after the refused ones whose reasons ``redrawn`` lists
    in order; ``lesson_sha256`` the sha256 of the lesson file's UTF-8 bytes.
    """

    student_id: str
    generation: int
    attempt: int
    redrawn: tuple[str, ...]
    lesson_sha256: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data that :meth:`from_json` reads back equal."""
        data = asdict(self)
        data["redrawn"] = list(self.redrawn)
        return data

    @classmethod
    def from_json(cls, data: Any) -> VariantRecord:
        """The record :meth:`to_json` wrote; ``ValueError`` when ``data`` is not one."""
        if not isinstance(data, dict) or set(data) != {f for f in cls.__dataclass_fields__}:
            raise ValueError("not a variant record")
        ints = (data["generation"], data["attempt"])
        if any(type(n) is not int or n < 0 for n in ints):
            raise ValueError("variant record: generation and attempt must be whole numbers")
        if not isinstance(data["redrawn"], list) or not all(
            isinstance(r, str) for r in data["redrawn"]
        ):
            raise ValueError("variant record: redrawn must be a list of reasons")
        if not all(isinstance(data[k], str) for k in ("student_id", "lesson_sha256")):
            raise ValueError("variant record: student_id and lesson_sha256 must be text")
        return cls(
            student_id=data["student_id"],
            generation=data["generation"],
            attempt=data["attempt"],
            redrawn=tuple(data["redrawn"]),
            lesson_sha256=data["lesson_sha256"],
        )


def student_lesson(
    course: Course, student_id: str, generation: int = 0
) -> tuple[Lesson, VariantRecord]:
    """The lesson of ``student_id`` (its ``source`` is the lesson file's text) and its record.

    Deterministic: the same course seed, base lesson, id and generation give the
    same lesson text, byte for byte, on every run. The student need not be on
    the roster (a marker may draw anyone's), but the id must be a safe name.

    Raises
    ------
    CourseError
        When no usable draw is found in :data:`MAX_ATTEMPTS` attempts (a base
        lesson that diverges whatever its numbers), or a bad generation.
    """
    problem = check_student_id(student_id)
    if problem is not None:
        raise CourseError(f"{course.path.name}: student id {student_id[:40]!r}: {problem}")
    if type(generation) is not int or not 0 <= generation <= MAX_GENERATION:
        raise CourseError(f"{student_id}: generation: expected 0 to {MAX_GENERATION}")
    redrawn: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        lesson = draw_lesson(course, student_id, generation, attempt)
        reason = degenerate(student_trace(lesson))
        if reason is None:
            record = VariantRecord(
                student_id=student_id,
                generation=generation,
                attempt=attempt,
                redrawn=tuple(redrawn),
                lesson_sha256=hashlib.sha256(lesson.source.encode("utf-8")).hexdigest(),
            )
            return lesson, record
        redrawn.append(f"attempt {attempt}: {reason}")
    raise CourseError(
        f"{course.path.name}: lesson: no usable variant for {student_id} in {MAX_ATTEMPTS} "
        f"draws (the last: {redrawn[-1].partition(': ')[2]}); check the base lesson's "
        "learning rate and ranges"
    )


@lru_cache(maxsize=16)
def student_trace(lesson: Lesson) -> Trace:
    """The trace of a student's lesson, computed here (no trace cache on disk is read or
    written: a refused draw's trace is not worth keeping). The last few are kept in
    memory, so grading a student right after drawing their lesson computes it once."""
    from mlpmath import compute_trace

    return compute_trace(lesson)


# -- drawing ---------------------------------------------------------------------------


class _Stream:
    """Uniform whole numbers from sha256 in counter mode: the same key, the same numbers."""

    def __init__(self, key: bytes):
        self._key = key
        self._counter = 0

    def _next(self) -> int:
        block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big")

    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included, each equally likely."""
        count = high - low + 1
        limit = (1 << 64) // count * count  # rejection keeps every value equally likely
        while True:
            value = self._next()
            if value < limit:
                return low + value % count


class _Draw:
    """One attempt's draws; each group of numbers has its own stream (by name), so
    turning one part of ``[vary]`` off leaves the other part's numbers as they were."""

    def __init__(self, seed: str, student_id: str, generation: int, attempt: int):
        self._prefix = [_DOMAIN, seed, student_id, generation, attempt]

    def stream(self, group: str) -> _Stream:
        text = json.dumps([*self._prefix, group], ensure_ascii=True)
        return _Stream(hashlib.sha256(text.encode("ascii")).digest())


def _places(value: float, most: int) -> int:
    """The fewest decimals (up to ``most``) that write ``value`` exactly."""
    for places in range(most + 1):
        if round(value, places) == value:
            return places
    return most


def _range(values: Sequence[float]) -> tuple[float, float]:
    """The base's range for a group; a single value gets a range around it."""
    low, high = min(values), max(values)
    if low == high:
        half = abs(low) / 2 or 0.5
        return low - half, high + half
    return low, high


def _uniform(stream: _Stream, low: float, high: float, places: int) -> float:
    """A number from ``low`` to ``high`` with ``places`` decimals (the shortest text of
    ``k / 10**places``: what a teacher would type)."""
    scale = 10**places
    first, last = math.ceil(low * scale - 1e-9), math.floor(high * scale + 1e-9)
    if last < first:
        first = last = round((low + high) / 2 * scale)
    whole = stream.integer(first, last)
    return whole / scale if whole else 0.0


def _group(
    stream: _Stream, values: Sequence[float], decimals: int, count: int | None = None
) -> list[float]:
    """``count`` numbers (default: as many as ``values``) within the range of ``values``,
    at their precision."""
    low, high = _range(values)
    places = max(_places(v, decimals) for v in values)
    return [
        _uniform(stream, low, high, places) for _ in range(len(values) if count is None else count)
    ]


def _matrix(stream: _Stream, matrix: Matrix, decimals: int) -> Matrix:
    flat = _group(stream, [v for row in matrix for v in row], decimals)
    width = len(matrix[0])
    return tuple(tuple(flat[r * width : (r + 1) * width]) for r in range(len(matrix)))


def draw_lesson(course: Course, student_id: str, generation: int, attempt: int) -> Lesson:
    """Attempt ``attempt`` at the lesson of ``student_id`` (not yet checked for degeneracy).

    Its ``source`` is the lesson file :func:`mlpmath.lesson_writer.lesson_toml`
    writes, and the lesson is that file read back, so what a student is given
    and what is computed are the same numbers.
    """
    base = course.base
    draw = _Draw(course.seed, student_id, generation, attempt)
    decimals = base.decimals
    base_layers = layers = _base_layers(base)
    inputs, targets = base.inputs, base.targets
    if course.vary.weights:
        layers = tuple(
            LayerSpec(
                weight=_matrix(draw.stream(f"network.layer[{i}].weight"), layer.weight, decimals),
                bias=tuple(_group(draw.stream(f"network.layer[{i}].bias"), layer.bias, decimals)),
            )
            for i, layer in enumerate(layers)
        )
    if course.vary.data:
        inputs = _inputs(draw, base)
        if base.network.loss == "mse":
            targets = _targets(draw, base, inputs)
    neurons = tuple(
        _neuron(draw, course, n, spec, (base_layers[0], layers[0]), inputs)
        for n, spec in enumerate(base.neurons)
    )
    title = f"{base.title} ({student_id})"
    lesson = replace(
        base,
        name=student_id,
        title=title if len(title) <= MAX_TITLE else base.title,
        neurons=neurons,
        network=replace(base.network, layers=layers),
        inputs=inputs,
        targets=targets,
    )
    text = lesson_toml(lesson)
    try:
        return parse_lesson(text, name=student_id, origin=f"{student_id}'s lesson")
    except LessonError as error:  # a draw outside what a lesson allows: a bug, said plainly
        raise CourseError(f"{course.path.name}: lesson: {error}") from None


@lru_cache(maxsize=4)
def _base_layers(base: Lesson) -> tuple[LayerSpec, ...]:
    """The base's layers; drawn from its seed when the file gives none (the trace's values)."""
    if base.network.layers:
        return base.network.layers
    from mlpmath import compute_trace

    trace = compute_trace(base)
    return tuple(LayerSpec(weight=layer.weight, bias=layer.bias) for layer in trace.network.layers)


def _inputs(draw: _Draw, base: Lesson) -> Matrix:
    """Each column within its base range; a classifier's within each class's range."""
    stream = draw.stream("data.inputs")
    columns = range(len(base.inputs[0]))
    groups = base.classes or (0,) * len(base.inputs)
    rows: list[tuple[float, ...]] = []
    for group in groups:
        row = []
        for c in columns:
            peers = [base.inputs[t][c] for t, g in enumerate(groups) if g == group]
            row.append(_group(stream, peers, base.decimals, count=1)[0])
        rows.append(tuple(row))
    return tuple(rows)


def _targets(draw: _Draw, base: Lesson, inputs: Matrix) -> Matrix:
    """The base's rule when its targets follow a linear one exactly (``y = 3 x1 + 2 x2``),
    applied to the new inputs; else each output column within its base range."""
    rule = _linear_rule(base.inputs, base.targets)
    if rule is not None:
        weights, intercept = rule
        return tuple(
            tuple(
                _tidy(sum(w * x for w, x in zip(column, row, strict=True)) + b, base.decimals)
                for column, b in zip(weights, intercept, strict=True)
            )
            for row in inputs
        )
    stream = draw.stream("data.targets")
    columns = list(zip(*base.targets, strict=True))
    drawn = [_group(stream, column, base.decimals) for column in columns]
    return tuple(zip(*drawn, strict=True))


def _tidy(value: float, decimals: int) -> float:
    value = round(value, decimals)
    return value if value else 0.0


def _linear_rule(inputs: Matrix, targets: Matrix) -> tuple[Matrix, tuple[float, ...]] | None:
    """``(weights per output, intercepts)`` of a linear rule the targets follow exactly,
    tried without an intercept, then with one; only when there are more samples than
    unknowns (any few points fit some rule), and only with round coefficients."""
    import numpy as np

    x, y = np.array(inputs, dtype=float), np.array(targets, dtype=float)
    samples, features = x.shape
    for with_intercept in (False, True):
        design = np.hstack([x, np.ones((samples, 1))]) if with_intercept else x
        if samples <= design.shape[1]:
            continue
        coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
        rounded = np.round(coefficients, 4)
        if np.allclose(design @ rounded, y, rtol=0, atol=1e-9 * max(1.0, np.abs(y).max())):
            weights = tuple(
                tuple(float(v) for v in rounded[:features, k]) for k in range(y.shape[1])
            )
            intercept = (
                tuple(float(v) for v in rounded[features])
                if with_intercept
                else (0.0,) * y.shape[1]
            )
            return weights, intercept
    return None


def _neuron(
    draw: _Draw,
    course: Course,
    n: int,
    spec: NeuronSpec,
    first: tuple[LayerSpec, LayerSpec],
    inputs: Matrix,
) -> NeuronSpec:
    """A ``[[neuron]]`` example: when the base's is a neuron of the first layer on samples
    of the data (classify.toml's), the same neuron and samples of the variant; else drawn."""
    base = course.base
    decimals = base.decimals
    row = _first_layer_row(spec, first[0])
    samples = [_row_index(r, base.inputs) for r in spec.inputs]
    weight, bias = spec.weight, spec.bias
    if course.vary.weights:
        if row is not None:
            weight, bias = first[1].weight[row], first[1].bias[row]
        else:
            weight = tuple(_group(draw.stream(f"neuron[{n}].weight"), spec.weight, decimals))
            bias = _group(draw.stream(f"neuron[{n}].bias"), [spec.bias], decimals)[0]
    neuron_inputs = spec.inputs
    if course.vary.data:
        if all(s is not None for s in samples):
            neuron_inputs = tuple(inputs[s] for s in samples if s is not None)
        else:
            neuron_inputs = _matrix(draw.stream(f"neuron[{n}].inputs"), spec.inputs, decimals)
    return replace(spec, inputs=neuron_inputs, weight=weight, bias=bias)


def _first_layer_row(spec: NeuronSpec, first: LayerSpec) -> int | None:
    """Which neuron of the base's first layer the example is, if it is one."""
    if len(spec.weight) != len(first.weight[0]):
        return None
    for r, (weight, bias) in enumerate(zip(first.weight, first.bias, strict=True)):
        if tuple(weight) == tuple(spec.weight) and bias == spec.bias:
            return r
    return None


def _row_index(row: Sequence[float], rows: Matrix) -> int | None:
    for i, candidate in enumerate(rows):
        if tuple(candidate) == tuple(row):
            return i
    return None


# -- refusing a draw -------------------------------------------------------------------


def degenerate(trace: Trace) -> str | None:
    """Why a student's lesson would teach badly, or ``None`` when it is usable.

    - the loss is not finite at some step, or ends higher than it starts;
    - every ReLU of a layer (or of a neuron example) is 0 on every sample: a
      dead layer passes no gradient, and the worksheet's answers are all 0;
    - a classifier's two largest scores of a sample tie at the shown precision
      (the logits, or the softmax's probabilities): the predicted class is then
      a coin toss for a student working at that precision.
    """
    network = trace.network
    losses = network.training.losses
    if not all(math.isfinite(v) for v in (network.loss, *losses)):
        return "the loss diverges (not finite)"
    if len(losses) > 1 and losses[-1] > losses[0]:
        return f"the loss rises over the training ({losses[0]:.4g} to {losses[-1]:.4g})"
    for i, layer in enumerate(network.layers):
        if layer.activation == "relu" and all(z <= 0 for row in layer.preactivation for z in row):
            return f"every ReLU of layer {i + 1} is dead on every sample"
    for n, neuron in enumerate(trace.neurons):
        if neuron.activation == "relu" and all(z <= 0 for z in neuron.preactivation):
            return f"the ReLU of neuron example {n + 1} is dead on every sample"
    if network.is_classification and network.softmax is not None:
        for name, rows in (
            ("scores", network.prediction),
            ("probabilities", network.softmax.probabilities),
        ):
            for s, row in enumerate(rows):
                shown = sorted((format_number(v, trace.decimals) for v in row), key=float)
                if len(shown) > 1 and shown[-1] == shown[-2]:
                    return f"sample {s + 1}'s two largest {name} tie at {trace.decimals} decimals"
    return None

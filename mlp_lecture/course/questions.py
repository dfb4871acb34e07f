"""The worksheet's questions: one list that both writes the worksheet and grades it.

:func:`layout` places every number of a student's worksheet, in the deck's
order: Part 1's neurons (products, their sum, plus the bias, the activation),
then the network layer by layer (weighted sums, plus the bias, the
activation), the prediction, the loss (MSE: the errors and their squares; a
classifier: the softmax, the cross-entropy, the predicted classes and the
accuracy), the gradients back through each layer, and the weights after one
step. Given numbers (the lesson's own) are filled in; the rest are answer
cells. :func:`answer_cells` lists those as :class:`Question` s: where each one
is, which trace path holds its expected value, the precision it is marked
at, and the cells it is computed from (the feedback names them).

Names follow the lecture's notation (:mod:`mlpmath.notation`): ``k`` a weighted
sum, ``n`` plus the bias, ``g`` the activation, ``z`` a logit, ``p`` a
probability, ``δ`` the error signal, sample ``(i)`` and layer ``[l]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlpmath.notation import class_label, layer_index, sample_index
from mlpmath.numbering import neuron_name

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = [
    "GENERATION_CELL",
    "ID_CELL",
    "SHEET",
    "Entry",
    "Question",
    "Section",
    "answer_cells",
    "cell_name",
    "layout",
]

SHEET = "Worksheet"
ID_CELL = "B2"  # the student's id, also in the document's properties
GENERATION_CELL = "B3"  # which draw of their numbers this is (the course's --redraw)
FIRST_ROW = 5  # where the first section starts (rows from 0)


def cell_name(row: int, col: int) -> str:
    """``C7``: the spreadsheet name of (row, col), both counted from 0."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


@dataclass(frozen=True)
class Entry:
    """One filled cell of a section: a given number or an answer cell."""

    row: int
    col: int
    path: str  # the trace path of its value
    answer: bool  # an answer cell (empty on the worksheet) or a given number
    label: str  # what it is, in the lecture's notation
    depends: tuple[str, ...]  # trace paths of the numbers it is computed from
    decimals: int  # the precision it is shown (and marked) at

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)


@dataclass(frozen=True)
class Section:
    """A titled table: column heads from column B, row names in column A."""

    title: str
    top: int  # the title's row; heads on top + 1, entries from top + 2
    headers: tuple[str, ...]
    rows: tuple[str, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Question:
    """One answer cell: where it is, what it expects, what it depends on."""

    key: str  # its cell (``D14``): the grades' column and the feedback's name for it
    sheet: str
    cell: str
    label: str
    path: str  # the trace path of the expected value
    decimals: int  # an answer is right when it rounds to the value shown at these decimals
    depends_on: tuple[str, ...]  # the cells (given or answers) it is computed from
    section: str


Cells = Callable[[int, int], tuple[str, bool, Sequence[str], int] | None]


class _Layout:
    def __init__(self, decimals: int):
        self.decimals = decimals
        self.row = FIRST_ROW
        self.sections: list[Section] = []

    def add(self, title: str, headers: Sequence[str], rows: Sequence[str], cells: Cells) -> None:
        """A section; ``cells(r, c)`` gives (path, answer, depends, decimals) or None."""
        top = self.row
        entries = []
        for r in range(len(rows)):
            for c in range(len(headers)):
                made = cells(r, c)
                if made is None:
                    continue
                path, answer, depends, decimals = made
                label = f"{headers[c]}, {rows[r]}" if rows[r] else headers[c]
                entries.append(
                    Entry(top + 2 + r, 1 + c, path, answer, label, tuple(depends), decimals)
                )
        self.sections.append(Section(title, top, tuple(headers), tuple(rows), tuple(entries)))
        self.row = top + 2 + len(rows) + 1


def layout(trace: Trace) -> tuple[Section, ...]:
    """Every section of the worksheet of ``trace``, top to bottom in the deck's order."""
    sheet = _Layout(trace.decimals)
    d = trace.decimals
    for n, neuron in enumerate(trace.neurons):
        _neuron(sheet, n, neuron.activation, len(neuron.inputs), len(neuron.weight), d)
    _network(sheet, trace)
    return tuple(sheet.sections)


def answer_cells(trace: Trace) -> list[Question]:
    """The worksheet's answer cells in order; each one's dependencies named by cell."""
    sections = layout(trace)
    cell_of = _cells_by_path(trace, sections)
    questions = []
    for section in sections:
        for entry in section.entries:
            if not entry.answer:
                continue
            depends = []
            for path in entry.depends:
                cell = cell_of.get(path)
                if cell is not None and cell not in depends:
                    depends.append(cell)
            questions.append(
                Question(
                    key=entry.cell,
                    sheet=SHEET,
                    cell=entry.cell,
                    label=entry.label,
                    path=entry.path,
                    decimals=entry.decimals,
                    depends_on=tuple(depends),
                    section=section.title,
                )
            )
    return questions


def _cells_by_path(trace: Trace, sections: Sequence[Section]) -> dict[str, str]:
    """Each trace path's cell, and the paths that name the same number another way."""
    cell_of = {e.path: e.cell for s in sections for e in s.entries}
    network = trace.network
    last = len(network.layers) - 1
    for layer_at, layer in enumerate(network.layers):
        for s, row in enumerate(layer.output):
            for j in range(len(row)):
                out = f"network.layers[{layer_at}].output[{s}][{j}]"
                if out not in cell_of:  # no activation: its output is n itself
                    cell_of[out] = cell_of.get(
                        f"network.layers[{layer_at}].preactivation[{s}][{j}]", ""
                    )
                if layer_at < last:
                    cell_of[f"network.layers[{layer_at + 1}].input[{s}][{j}]"] = cell_of[out]
                else:
                    cell_of[f"network.prediction[{s}][{j}]"] = cell_of[out]
                    up = f"network.chain_rule[{layer_at}].upstream[{s}][{j}]"
                    cell_of[up] = cell_of.get(f"network.prediction_gradient[{s}][{j}]", "")
    return {path: cell for path, cell in cell_of.items() if cell}


# -- Part 1 ----------------------------------------------------------------------------


def _neuron(sheet: _Layout, n: int, activation: str, samples: int, width: int, d: int) -> None:
    base = f"neurons[{n}]"
    part = f"Part 1, neuron {n + 1}"
    sample_rows = [f"sample {sample_index(s)}" for s in range(samples)]
    inputs = [f"x_{i + 1}" for i in range(width)]
    sheet.add(
        f"{part}: the given numbers (inputs x, weights w, bias b)",
        [*inputs, "b"],
        [*sample_rows, "w"],
        lambda r, c: (
            (f"{base}.inputs[{r}][{c}]", False, (), d)
            if r < samples and c < width
            else (f"{base}.weight[{c}]", False, (), d)
            if r == samples and c < width
            else (f"{base}.bias", False, (), d)
            if r == samples
            else None
        ),
    )
    sheet.add(
        f"{part}: the products x_j · w_j",
        [f"x_{i + 1}·w_{i + 1}" for i in range(width)],
        sample_rows,
        lambda r, c: (
            f"{base}.products[{r}][{c}]",
            True,
            (f"{base}.inputs[{r}][{c}]", f"{base}.weight[{c}]"),
            d,
        ),
    )
    heads = ["k = Σ x_j·w_j", "n = k + b"] + (
        [f"g = {activation}(n)"] if activation != "none" else []
    )
    fields = ["weighted_sum", "preactivation", "output"]
    depends: list[Callable[[int], list[str]]] = [
        lambda r: [f"{base}.products[{r}][{j}]" for j in range(width)],
        lambda r: [f"{base}.weighted_sum[{r}]", f"{base}.bias"],
        lambda r: [f"{base}.preactivation[{r}]"],
    ]
    sheet.add(
        f"{part}: the weighted sum, plus the bias, the activation",
        heads,
        sample_rows,
        lambda r, c: (f"{base}.{fields[c]}[{r}]", True, depends[c](r), d),
    )


# -- Part 2 ----------------------------------------------------------------------------


def _network(sheet: _Layout, trace: Trace) -> None:
    step = "network.training.steps[0].updated"
    network = trace.network
    d = trace.decimals
    sizes = network.sizes
    samples = [f"sample {sample_index(s)}" for s in range(network.samples)]
    names = [
        [neuron_name(sizes, layer, i) for i in range(size)] for layer, size in enumerate(sizes)
    ]
    classes = network.class_names or tuple(str(k) for k in range(sizes[-1]))
    if network.is_classification:  # a classifier's output neuron k is class k: z_k
        names[-1] = [f"z_{class_label(k, classes)}" for k in range(sizes[-1])]
    _given(sheet, trace, names, samples)
    last = len(network.layers) - 1
    for layer_at in range(len(network.layers)):
        _forward(sheet, trace, layer_at, names, samples, last)
    if network.is_classification:
        _cross_entropy(sheet, trace, samples, classes)
    else:
        _mse(sheet, trace, samples)
    for layer_at in reversed(range(len(network.layers))):
        _backward(sheet, trace, layer_at, names, samples, last)
    for layer_at, layer in enumerate(network.layers):
        fan_out, fan_in = len(layer.weight), len(layer.weight[0])
        sheet.add(
            f"Layer {layer_index(layer_at + 1)} after one step: W - α ∂L/∂W, b - α ∂L/∂b",
            [*(f"w from {names[layer_at][j]}" for j in range(fan_in)), "b"],
            [names[layer_at + 1][o] for o in range(fan_out)],
            lambda r, c, layer_at=layer_at, fan_in=fan_in: (
                (
                    f"{step}[{layer_at}].weight[{r}][{c}]",
                    True,
                    (
                        f"network.layers[{layer_at}].weight[{r}][{c}]",
                        f"network.chain_rule[{layer_at}].weight[{r}][{c}]",
                        "network.training.learning_rate",
                    ),
                    d,
                )
                if c < fan_in
                else (
                    f"{step}[{layer_at}].bias[{r}]",
                    True,
                    (
                        f"network.layers[{layer_at}].bias[{r}]",
                        f"network.chain_rule[{layer_at}].bias[{r}]",
                        "network.training.learning_rate",
                    ),
                    d,
                )
            ),
        )


def _given(sheet: _Layout, trace: Trace, names: list[list[str]], samples: list[str]) -> None:
    network = trace.network
    d = trace.decimals
    width = network.sizes[0]
    if network.is_classification:
        extra, extra_path, extra_decimals = ["y (class)"], "network.classes[{r}]", 0
    else:
        outputs = network.sizes[-1]
        extra = ["y" if outputs == 1 else f"y_{k + 1}" for k in range(outputs)]
        extra_path, extra_decimals = "network.target[{r}][{c}]", d
    sheet.add(
        "Part 2, the data: inputs X and targets y",
        [*names[0], *extra],
        samples,
        lambda r, c: (
            (f"network.layers[0].input[{r}][{c}]", False, (), d)
            if c < width
            else (extra_path.format(r=r, c=c - width), False, (), extra_decimals)
        ),
    )
    for layer_at, layer in enumerate(network.layers):
        fan_in = len(layer.weight[0])
        sheet.add(
            f"Layer {layer_index(layer_at + 1)}: the given weights W (a row per neuron), biases b",
            [*(f"w from {names[layer_at][j]}" for j in range(fan_in)), "b"],
            [names[layer_at + 1][o] for o in range(len(layer.weight))],
            lambda r, c, layer_at=layer_at, fan_in=fan_in: (
                (f"network.layers[{layer_at}].weight[{r}][{c}]", False, (), d)
                if c < fan_in
                else (f"network.layers[{layer_at}].bias[{r}]", False, (), d)
            ),
        )
    sheet.add(
        "The learning rate α",
        ["α"],
        [""],
        lambda r, c: (
            "network.training.learning_rate",
            False,
            (),
            _shown_places(network.training.learning_rate, max(d, 6)),
        ),
    )


def _shown_places(value: float, most: int) -> int:
    for places in range(most + 1):
        if round(value, places) == value:
            return places
    return most


def _forward(
    sheet: _Layout,
    trace: Trace,
    layer_at: int,
    names: list[list[str]],
    samples: list[str],
    last: int,
) -> None:
    layer = trace.network.layers[layer_at]
    d = trace.decimals
    fan_in = len(layer.weight[0])
    base = f"network.layers[{layer_at}]"
    index = layer_index(layer_at + 1)
    outs = names[layer_at + 1]
    sheet.add(
        f"Layer {index}: weighted sums k = G^[{layer_at}] · W^{index}ᵀ (before the bias)",
        [f"k for {o}" for o in outs],
        samples,
        lambda r, c: (
            f"{base}.product[{r}][{c}]",
            True,
            [f"{base}.input[{r}][{j}]" for j in range(fan_in)]
            + [f"{base}.weight[{c}][{j}]" for j in range(fan_in)],
            d,
        ),
    )
    what = "the logits z" if trace.network.is_classification and layer_at == last else "n = k + b"
    if layer_at == last and not trace.network.is_classification and layer.activation == "none":
        what += ", the prediction ŷ"
    sheet.add(
        f"Layer {index}: {what}",
        list(outs),
        samples,
        lambda r, c: (
            f"{base}.preactivation[{r}][{c}]",
            True,
            (f"{base}.product[{r}][{c}]", f"{base}.bias[{c}]"),
            d,
        ),
    )
    if layer.activation != "none":
        what = "the prediction ŷ = " if layer_at == last else "g = "
        sheet.add(
            f"Layer {index}: {what}{layer.activation}(n)",
            [f"g for {o}" for o in outs],
            samples,
            lambda r, c: (
                f"{base}.output[{r}][{c}]",
                True,
                (f"{base}.preactivation[{r}][{c}]",),
                d,
            ),
        )


def _mse(sheet: _Layout, trace: Trace, samples: list[str]) -> None:
    network = trace.network
    d = trace.decimals
    outputs = network.sizes[-1]
    heads = ["y - ŷ" if outputs == 1 else f"y_{k + 1} - ŷ_{k + 1}" for k in range(outputs)]
    sheet.add(
        "Loss: the errors y - ŷ",
        heads,
        samples,
        lambda r, c: (
            f"network.errors[{r}][{c}]",
            True,
            (f"network.target[{r}][{c}]", f"network.prediction[{r}][{c}]"),
            d,
        ),
    )
    sheet.add(
        "Loss: the squared errors (y - ŷ)²",
        [f"({h})²" for h in heads],
        samples,
        lambda r, c: (f"network.squared_errors[{r}][{c}]", True, (f"network.errors[{r}][{c}]",), d),
    )
    every = [
        f"network.squared_errors[{s}][{k}]" for s in range(len(samples)) for k in range(outputs)
    ]
    sheet.add(
        "Loss: the mean squared error L",
        ["L"],
        [""],
        lambda r, c: ("network.loss", True, every, d),
    )


def _cross_entropy(
    sheet: _Layout,
    trace: Trace,
    samples: list[str],
    classes: Sequence[str],
) -> None:
    network = trace.network
    d = trace.decimals
    count = network.sizes[-1]
    logits = [[f"network.prediction[{s}][{k}]" for k in range(count)] for s in range(len(samples))]
    sheet.add(
        "Softmax: the probabilities p_k = e^(z_k - m) / Σ e^(z_j - m)",
        [f"p_{class_label(k, classes)}" for k in range(count)],
        samples,
        lambda r, c: (f"network.softmax.probabilities[{r}][{c}]", True, logits[r], d),
    )
    sheet.add(
        "Cross-entropy: L^(i) = -log p_y, and the predicted class ŷ = argmax_k p_k",
        ["L^(i)", "ŷ (class)", "right (1) or not (0)"],
        samples,
        lambda r, c: (
            (
                f"network.cross_entropy[{r}]",
                True,
                [f"network.softmax.probabilities[{r}][{k}]" for k in range(count)]
                + [f"network.classes[{r}]"],
                d,
            ),
            (f"network.predicted_classes[{r}]", True, logits[r], 0),
            (
                f"network.correct[{r}]",
                True,
                (f"network.predicted_classes[{r}]", f"network.classes[{r}]"),
                0,
            ),
        )[c],
    )
    sheet.add(
        "Loss and accuracy: L = the mean of L^(i); accuracy = the share classified right",
        ["L", "accuracy"],
        [""],
        lambda r, c: (
            ("network.loss", True, [f"network.cross_entropy[{s}]" for s in range(len(samples))], d),
            ("network.accuracy", True, [f"network.correct[{s}]" for s in range(len(samples))], d),
        )[c],
    )


def _backward(
    sheet: _Layout,
    trace: Trace,
    layer_at: int,
    names: list[list[str]],
    samples: list[str],
    last: int,
) -> None:
    network = trace.network
    layer = network.layers[layer_at]
    d = trace.decimals
    fan_out, fan_in = len(layer.weight), len(layer.weight[0])
    index = layer_index(layer_at + 1)
    outs = names[layer_at + 1]
    rule = f"network.chain_rule[{layer_at}]"
    if layer_at == last:
        target = (
            ("network.softmax.probabilities", "network.classes")
            if network.is_classification
            else ("network.errors",)
        )
        start = "(P - Y) / N" if network.is_classification else "-2/K (y - ŷ)"
        sheet.add(
            f"Gradients: ∂L/∂{'z' if network.is_classification else 'ŷ'} = {start}",
            [f"∂L/∂{o}" for o in outs],
            samples,
            lambda r, c: (
                f"network.prediction_gradient[{r}][{c}]",
                True,
                [f"{target[0]}[{r}][{c}]", *(f"{t}[{r}]" for t in target[1:])],
                d,
            ),
        )
    else:
        nxt = f"network.chain_rule[{layer_at + 1}]"
        above = len(network.layers[layer_at + 1].weight)
        sheet.add(
            f"Layer {index}: ∂L/∂g = δ^[{layer_at + 2}] · W^[{layer_at + 2}] (from above)",
            [f"∂L/∂g for {o}" for o in outs],
            samples,
            lambda r, c: (
                f"{rule}.upstream[{r}][{c}]",
                True,
                [f"{nxt}.delta[{r}][{m}]" for m in range(above)]
                + [f"network.layers[{layer_at + 1}].weight[{m}][{c}]" for m in range(above)],
                d,
            ),
        )
    if layer.activation != "none":
        sheet.add(
            f"Layer {index}: {layer.activation}'(n), and δ = ∂L/∂g ⊙ {layer.activation}'(n)",
            [*(f"f' for {o}" for o in outs), *(f"δ for {o}" for o in outs)],
            samples,
            lambda r, c: (
                (
                    f"{rule}.activation_derivative[{r}][{c}]",
                    True,
                    (f"network.layers[{layer_at}].preactivation[{r}][{c}]",),
                    d,
                )
                if c < fan_out
                else (
                    f"{rule}.delta[{r}][{c - fan_out}]",
                    True,
                    (
                        f"{rule}.upstream[{r}][{c - fan_out}]",
                        f"{rule}.activation_derivative[{r}][{c - fan_out}]",
                    ),
                    d,
                )
            ),
        )
    else:
        sheet.add(
            f"Layer {index}: δ = ∂L/∂n (no activation: the same as what comes back)",
            [f"δ for {o}" for o in outs],
            samples,
            lambda r, c: (f"{rule}.delta[{r}][{c}]", True, (f"{rule}.upstream[{r}][{c}]",), d),
        )
    sheet.add(
        f"Layer {index}: ∂L/∂W = δᵀ · G^[{layer_at}] and ∂L/∂b = Σ_i δ",
        [*(f"∂L/∂w from {names[layer_at][j]}" for j in range(fan_in)), "∂L/∂b"],
        [names[layer_at + 1][o] for o in range(fan_out)],
        lambda r, c: (
            (
                f"{rule}.weight[{r}][{c}]",
                True,
                [f"{rule}.delta[{s}][{r}]" for s in range(len(samples))]
                + [f"network.layers[{layer_at}].input[{s}][{c}]" for s in range(len(samples))],
                d,
            )
            if c < fan_in
            else (
                f"{rule}.bias[{r}]",
                True,
                [f"{rule}.delta[{s}][{r}]" for s in range(len(samples))],
                d,
            )
        ),
    )

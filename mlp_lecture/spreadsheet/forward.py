"""The forward sheets: Neuron (Part 1), Layers (the forward pass); each loss writes its own
Loss sheet (:mod:`.mse`, :mod:`.cross_entropy`)."""

from __future__ import annotations

from dataclasses import dataclass

from mlp_lecture.spreadsheet.cells import (
    ACTIVATION_NAMES,
    Block,
    Cell,
    Sheet,
    activation_formula,
    flow,
)
from mlpmath.numbering import bias_name, neuron_name, weight_name

__all__ = [
    "BIAS_LABEL",
    "LayerCells",
    "Names",
    "write_layers",
    "write_neurons",
]

INPUT_NOTE = "Yellow cells are the lesson's own numbers: change one and every formula recomputes."
BIAS_LABEL = "bias b"  # the row of a layer's biases, on the Layers and Step sheets
PATH_NOTE = "Hover a cell for its trace path: the name the video's ledger gives the same number."


class Names:
    """Neurons, weights and biases named as the lecture's diagram names them
    (``mlpmath.notation``): a classifier's output neuron k is class k, ``z0``..."""

    def __init__(self, sizes: tuple[int, ...], class_names: tuple[str, ...] = ()):
        self.sizes = sizes
        self.last = len(sizes) - 1
        self.class_names = class_names
        self.classifier = bool(class_names)

    def neuron(self, layer: int, index: int) -> str:
        """``x1``, ``n3``, ``ŷ`` (a classifier's logit ``z0``): neuron ``index`` of ``layer``
        (0: the inputs)."""
        return neuron_name(self.sizes, layer, index, classifier=self.classifier)

    def weight(self, layer: int, row: int, column: int) -> str:
        """``w13``, ``w6ŷ`` (into class 0: ``w3,0``): weight ``[row][column]`` of
        ``nn.Linear`` ``layer`` (from 0)."""
        return weight_name(self.sizes, layer, row, column, classifier=self.classifier)

    def bias(self, layer: int, index: int) -> str:
        return bias_name(self.sizes, layer, index, classifier=self.classifier)

    def class_label(self, index: int) -> str:
        """Class ``index`` as a column heads it: ``class 0``, or ``0 setosa`` when named."""
        name = self.class_names[index] if index < len(self.class_names) else str(index)
        return f"class {index}" if name == str(index) else f"{index} {name}"

    def loss_row(self, sample: int, output: int) -> str:
        """A squared error's row label, the same on the Loss and Step sheets: the sample
        (``2``), and with several outputs the output too (``2, ŷ1``)."""
        if self.sizes[-1] == 1:
            return f"{sample + 1}"
        return f"{sample + 1}, {self.neuron(self.last, output)}"


# -- Neuron ---------------------------------------------------------------------------


def write_neurons(sheet: Sheet) -> None:
    """Each ``[[neuron]]``: ``w_i * x_i`` per cell, their total, plus bias, the activation."""
    row = sheet.title(
        "Part 1 - one neuron: k = x · wᵀ, n = k + b, its output f(n)",
        INPUT_NOTE,
        PATH_NOTE,
    )
    if not sheet.trace.neurons:
        sheet.text(row, 0, "This lesson has no [[neuron]] examples.", sheet.styles.note)
    for n in range(len(sheet.trace.neurons)):
        row = _write_neuron(sheet, n, row) + 1


def _write_neuron(sheet: Sheet, n: int, row: int) -> int:
    neuron = sheet.trace.neurons[n]
    base = f"neurons[{n}]"
    size, samples = len(neuron.weight), len(neuron.inputs)
    styles, name = sheet.styles, sheet.name
    sheet.text(row, 0, f"Neuron {n + 1} ({base}), activation: {neuron.activation}", styles.heading)
    # the weights and bias: one row of inputs
    for i in range(size):
        sheet.text(row + 1, 1 + i, f"w{i + 1}", styles.header)
    sheet.text(row + 1, 1 + size, "bias", styles.header)
    sheet.text(row + 2, 0, "weights", styles.label)
    weights = [sheet.input(Cell(name, row + 2, 1 + i), f"{base}.weight[{i}]") for i in range(size)]
    bias = sheet.input(Cell(name, row + 2, 1 + size), f"{base}.bias")

    top = row + 4
    headers = (
        ["sample"]
        + [f"x{i + 1}" for i in range(size)]
        + [f"w{i + 1} · x{i + 1}" for i in range(size)]
        + ["k (total)", "b", "n = k + b", ACTIVATION_NAMES[neuron.activation]]
    )
    for c, header in enumerate(headers):
        sheet.text(top - 1, c, header, styles.header)
    for s in range(samples):
        r = top + s
        sheet.text(r, 0, f"{s + 1}", styles.label)
        xs = [sheet.input(Cell(name, r, 1 + i), f"{base}.inputs[{s}][{i}]") for i in range(size)]
        products = [
            sheet.formula(
                Cell(name, r, 1 + size + i),
                f"{weights[i].ref(name)}*{xs[i].ref(name)}",
                f"{base}.products[{s}][{i}]",
            )
            for i in range(size)
        ]
        column = 1 + 2 * size
        total = sheet.formula(
            Cell(name, r, column),
            f"SUM({products[0].ref(name)}:{products[-1].ref(name)})",
            f"{base}.weighted_sum[{s}]",
        )
        broadcast = sheet.formula(
            Cell(name, r, column + 1), bias.ref(name), f"{base}.bias_broadcast[{s}]"
        )
        z = sheet.formula(
            Cell(name, r, column + 2),
            f"{total.ref(name)}+{broadcast.ref(name)}",
            f"{base}.preactivation[{s}]",
        )
        sheet.formula(
            Cell(name, r, column + 3),
            activation_formula(neuron.activation, z.ref(name)),
            f"{base}.output[{s}]",
            style=styles.result,
        )
    return top + samples


# -- Layers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerCells:
    """Where one layer's matrices sit on the Layers sheet."""

    input: Block  # X: samples x in
    weight_t: Block  # W^T: in x out (cell [i][j] is torch's weight[j][i])
    bias: Block  # 1 x out
    product: Block  # K = X W^T
    broadcast: Block  # B
    preactivation: Block  # N = K + B
    output: Block  # f(N)


def write_layers(sheet: Sheet, names: Names) -> list[LayerCells]:
    """Per layer: ``X``, ``Wᵀ``, ``K = X Wᵀ`` per cell, the bias broadcast, ``N = K + B``, ``f(N)``;
    each layer's ``X`` is the previous layer's output cells."""
    network = sheet.trace.network
    row = sheet.title(
        "Part 2 - the forward pass, layer l at a time: K = G^[l-1] W^[l]ᵀ, "
        "N^[l] = K + B^[l], G^[l] = f(N^[l])",
        INPUT_NOTE + " G^[0] = X is the data; each later layer's input is the output of "
        "the layer before.",
        "W^[l]ᵀ is torch's weight (out x in) transposed: column j holds neuron j's weights, "
        "and K[i][j] = MMULT(row i of the input, column j of Wᵀ) for sample i.",
    )
    layers: list[LayerCells] = []
    for index in range(len(network.layers)):
        cells = _write_layer(sheet, names, index, row, layers[-1].output if layers else None)
        layers.append(cells)
        row = max(cells.output.top + cells.output.rows, cells.bias.top + 1) + 1
    return layers


def _write_layer(
    sheet: Sheet, names: Names, index: int, row: int, previous: Block | None
) -> LayerCells:
    layer = sheet.trace.network.layers[index]
    base = f"network.layers[{index}]"
    styles, name = sheet.styles, sheet.name
    samples, fan_in, fan_out = len(layer.input), len(layer.weight[0]), len(layer.weight)
    activation = layer.activation
    sheet.text(
        row,
        0,
        f"Layer {index + 1}: nn.Linear({fan_in}, {fan_out}), activation: {activation} ({base})",
        styles.heading,
    )
    # X, Wᵀ (its inputs' names in the column before it), then K, B, N, f(N): side by
    # side, in bands a printed page holds (cells.flow)
    tall = max(samples, fan_in)
    shapes = [(samples, fan_in, 0), (tall + 1, fan_out, 1)] + [(samples, fan_out, 0)] * 4
    places, _ = flow(row + 1, shapes)
    x = Block(name, *places[0], samples, fan_in)
    weight_t = Block(name, *places[1], fan_in, fan_out)
    # b on a row of its own, below the samples and Wᵀ's rows, under Wᵀ's columns:
    # column j is neuron j's, as in K, B and N.
    bias = Block(name, weight_t.top + tall, weight_t.left, 1, fan_out)
    product, broadcast, preactivation, output = (
        Block(name, *place, samples, fan_out) for place in places[2:]
    )
    # the notation's names (mlpmath.notation): layer l = index + 1, its input G^[l-1],
    # its activations G^[l] = f(N^[l])
    layer, given = index + 1, "X" if index == 0 else f"G^[{index}]"
    logits = names.classifier and index == len(sheet.trace.network.layers) - 1
    titles = [
        ("G^[0] = X (the data)" if index == 0 else f"G^[{index}]: layer {index}'s output", x),
        (f"W^[{layer}]ᵀ", weight_t),
        (f"K = {given} W^[{layer}]ᵀ", product),
        (f"B^[{layer}] (the bias row, repeated)", broadcast),
        (
            f"Z = K + B^[{layer}]: the logits" if logits else f"N^[{layer}] = K + B^[{layer}]",
            preactivation,
        ),
        (
            "Z: the output (no activation)"
            if logits
            else f"G^[{layer}] = f(N^[{layer}]), f = {activation}",
            output,
        ),
    ]
    inputs = [names.neuron(index, i) for i in range(fan_in)]
    neurons = [names.neuron(index + 1, j) for j in range(fan_out)]
    for title, block in titles:
        sheet.text(block.top - 2, block.left, title, styles.label)
        heads = inputs if block is x else neurons
        for c, head in enumerate(heads):
            sheet.text(block.top - 1, block.left + c, head, styles.header)
    for top in sorted({block.top for block in (x, product, broadcast, preactivation, output)}):
        for s in range(samples):  # each band of tables of samples names its rows
            sheet.text(top + s, 0, f"sample {s + 1}", styles.label)
    for i in range(fan_in):
        sheet.text(weight_t.top + i, weight_t.left - 1, inputs[i], styles.label)
    sheet.text(bias.top, weight_t.left - 1, BIAS_LABEL, styles.label)

    for i in range(fan_in):
        for j in range(fan_out):
            sheet.input(
                weight_t.cell(i, j),
                f"{base}.weight[{j}][{i}]",
                f"{names.weight(index, j, i)}: an input of the lesson: change it",
            )
    for j in range(fan_out):
        sheet.input(bias.cell(0, j), f"{base}.bias[{j}]", f"{names.bias(index, j)}: an input")
    for s in range(samples):
        for i in range(fan_in):
            path = f"{base}.input[{s}][{i}]"
            if previous is None:
                sheet.input(x.cell(s, i), path)
            else:
                sheet.formula(x.cell(s, i), previous.cell(s, i).ref(name), path)
        for j in range(fan_out):
            k = sheet.formula(
                product.cell(s, j),
                f"MMULT({x.row_range(s, name)},{weight_t.col_range(j, name)})",
                f"{base}.product[{s}][{j}]",
            )
            b = sheet.formula(
                broadcast.cell(s, j), bias.cell(0, j).ref(name), f"{base}.bias_broadcast[{s}][{j}]"
            )
            z = sheet.formula(
                preactivation.cell(s, j),
                f"{k.ref(name)}+{b.ref(name)}",
                f"{base}.preactivation[{s}][{j}]",
            )
            sheet.formula(
                output.cell(s, j),
                activation_formula(activation, z.ref(name)),
                f"{base}.output[{s}][{j}]",
                style=styles.result if index == len(sheet.trace.network.layers) - 1 else None,
            )
    return LayerCells(x, weight_t, bias, product, broadcast, preactivation, output)

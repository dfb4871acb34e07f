"""The learning sheets: Gradients (chain rule, backprop), Step (one descent step), Training."""

from __future__ import annotations

import math

from mlp_lecture.spreadsheet.cells import (
    Block,
    Cell,
    Sheet,
    activation_formula,
    derivative_formula,
    flow,
)
from mlp_lecture.spreadsheet.forward import BIAS_LABEL, LayerCells, Names
from mlp_lecture.spreadsheet.losses import LossCells
from mlpmath.display import format_accuracy

__all__ = ["Gradients", "write_gradients", "write_step", "write_training"]

# layer index -> ((output, input) -> dL/dW cell, output -> dL/db cell)
Gradients = dict[int, tuple[dict[tuple[int, int], Cell], dict[int, Cell]]]


def write_gradients(
    sheet: Sheet, names: Names, layers: list[LayerCells], loss: LossCells
) -> Gradients:
    """The output layer's chain rule as the ChainRule scene derives it, then each hidden
    layer's error signal as Backpropagation passes it back; beside each gradient, torch's."""
    row = sheet.title(
        "The gradient by the chain rule, then backpropagation",
        loss.start.note,
        "Hidden layers (Backpropagation): ∂L/∂G^[l] = δ^[l+1] W^[l+1], "
        "δ^[l] = ∂L/∂G^[l] · f'(N^[l]), ∂L/∂w = Σᵢ δ⁽ⁱ⁾ g⁽ⁱ⁾, ∂L/∂b = Σᵢ δ⁽ⁱ⁾ (i: the samples).",
        "Beside each gradient: torch's autograd .grad, copied from the trace (grey), "
        "and hand - torch.",
    )
    gradients: Gradients = {}
    deltas: dict[int, Block] = {}
    for index in reversed(range(len(layers))):
        row, deltas[index], gradients[index] = _write_layer_gradients(
            sheet, names, layers, loss, index, row, deltas.get(index + 1)
        )
        row += 1
    return gradients


def _write_layer_gradients(
    sheet: Sheet,
    names: Names,
    layers: list[LayerCells],
    loss: LossCells,
    index: int,
    row: int,
    next_delta: Block | None,
) -> tuple[int, Block, tuple[dict[tuple[int, int], Cell], dict[int, Cell]]]:
    network = sheet.trace.network
    styles, name = sheet.styles, sheet.name
    cells = layers[index]
    base = f"network.chain_rule[{index}]"
    samples, fan_in, fan_out = cells.input.rows, cells.input.cols, cells.output.cols
    activation = network.layers[index].activation
    is_output = next_delta is None
    role = "the output layer" if is_output else "a hidden layer"
    sheet.text(row, 0, f"Layer {index + 1}, {role} ({base})", styles.heading)
    start = loss.start
    inputs = [names.neuron(index, k) for k in range(fan_in)]
    neurons = [names.neuron(index + 1, o) for o in range(fan_out)]
    shown = is_output and start.shown is not None
    # the tables, side by side in bands a printed page holds (cells.flow): their title,
    # heads, and whether this layer has them
    wanted = [
        (f"G^[{index}]: the layer's input" if index else "G^[0] = X: the input", inputs, True),
        (start.shown or "", neurons, shown),
        (
            start.title if is_output else f"∂L/∂G^[{index + 1}] = δ^[{index + 2}] W^[{index + 2}]",
            neurons,
            True,
        ),
        (f"f'(N^[{index + 1}]), f = {activation}", neurons, activation != "none"),
        (
            f"δ^[{index + 1}] = ∂L/∂"
            + ("Z" if is_output and names.classifier else f"N^[{index + 1}]"),
            neurons,
            True,
        ),
    ]
    places, below = flow(row + 1, [(samples, len(heads), 0) for _, heads, on in wanted if on])
    blocks: list[Block | None] = []
    for title, heads, on in wanted:
        if not on:
            blocks.append(None)
            continue
        made = Block(name, *places.pop(0), samples, len(heads))
        blocks.append(made)
        sheet.text(made.top - 2, made.left, title, styles.label)
        for c, head in enumerate(heads):
            sheet.text(made.top - 1, made.left + c, head, styles.header)
    g, errors, upstream, slope, delta = blocks
    assert g is not None and upstream is not None and delta is not None

    scale = start.scale(name)
    for top in sorted({made.top for made in blocks if made is not None}):
        for s in range(samples):  # each band of tables names its rows
            sheet.text(top + s, 0, f"sample {s + 1}", styles.label)
    for s in range(samples):
        for k in range(fan_in):
            sheet.formula(
                g.cell(s, k),
                cells.input.cell(s, k).ref(name),
                f"network.layers[{index}].input[{s}][{k}]",
            )
        for o in range(fan_out):
            if errors is not None:
                error = sheet.formula(
                    errors.cell(s, o),
                    start.cells[s, o].ref(name),
                    start.path.format(s=s, o=o),
                )
                up = f"{scale}{error.ref(name)}"
            elif is_output:
                up = f"{scale}{start.cells[s, o].ref(name)}"
            else:
                weights_t = layers[index + 1].weight_t
                up = f"SUMPRODUCT({next_delta.row_range(s, name)},{weights_t.row_range(o, name)})"
            up_cell = sheet.formula(upstream.cell(s, o), up, f"{base}.upstream[{s}][{o}]")
            product = up_cell.ref(name)
            if slope is not None:
                derivative = derivative_formula(
                    activation,
                    cells.preactivation.cell(s, o).ref(name),
                    cells.output.cell(s, o).ref(name),
                )
                slope_cell = sheet.formula(
                    slope.cell(s, o), derivative, f"{base}.activation_derivative[{s}][{o}]"
                )
                product += f"*{slope_cell.ref(name)}"
            sheet.formula(delta.cell(s, o), product, f"{base}.delta[{s}][{o}]")

    row = below + 1
    headers = ["parameter", "∂L/∂w or ∂L/∂b by hand", "torch .grad", "hand - torch", "trace path"]
    for c, header in enumerate(headers):
        sheet.text(row, c, header, styles.header)
    weight_cells: dict[tuple[int, int], Cell] = {}
    bias_cells: dict[int, Cell] = {}
    row += 1
    for o in range(fan_out):
        for k in [*range(fan_in), None]:
            if errors is not None:
                factors = [errors.col_range(o, name)]
                if slope is not None:
                    factors.append(slope.col_range(o, name))
                if k is not None:
                    factors.append(g.col_range(k, name))
                total = (
                    f"SUMPRODUCT({','.join(factors)})" if len(factors) > 1 else f"SUM({factors[0]})"
                )
                formula = f"{scale}{total}"
            elif k is None:
                formula = f"SUM({delta.col_range(o, name)})"
            else:
                formula = f"SUMPRODUCT({delta.col_range(o, name)},{g.col_range(k, name)})"
            entry = f"bias[{o}]" if k is None else f"weight[{o}][{k}]"
            label = names.bias(index, o) if k is None else names.weight(index, o, k)
            sheet.text(row, 0, f"∂L/∂{label}", styles.label)
            hand = sheet.formula(
                Cell(name, row, 1), formula, f"{base}.{entry}", style=styles.result
            )
            torch = sheet.trace_value(Cell(name, row, 2), f"network.gradients[{index}].{entry}")
            sheet.formula(
                Cell(name, row, 3),
                f"{hand.ref(name)}-{torch.ref(name)}",
                value=sheet.value(f"{base}.{entry}")
                - sheet.value(f"network.gradients[{index}].{entry}"),
                style=styles.difference,
                note="hand - torch: how far the hand chain rule is from autograd",
            )
            sheet.text(row, 4, f"{base}.{entry}", styles.path)
            if k is None:
                bias_cells[o] = hand
            else:
                weight_cells[o, k] = hand
            row += 1
    return row, delta, (weight_cells, bias_cells)


def write_step(
    sheet: Sheet, layers: list[LayerCells], loss: LossCells, gradients: Gradients, names: Names
) -> None:
    """Every weight's ``w - α ∂L/∂w`` (each bias alike), then the forward pass and the
    loss again with them."""
    network = sheet.trace.network
    styles, name = sheet.styles, sheet.name
    row = sheet.title(
        "Gradient descent: w_new = w - α · ∂L/∂w (each bias alike), then the loss again",
        "α is the lesson's learning rate (an input); the gradients are the Gradients "
        "sheet's hand-computed ones.",
        "The forward pass runs again with the new parameters: f(G^[l-1] Wᵀ_new + b_new), layer "
        "by layer; the loss falls when the step is small enough.",
    )
    sheet.text(row, 0, "α", styles.label)
    rate = sheet.input(Cell(name, row, 1), "network.training.learning_rate")
    row += 2
    if not network.training.steps:
        sheet.text(
            row,
            0,
            "This lesson trains for 0 steps (training.steps = 0): there is no step to show.",
            styles.note,
        )
        return
    step = "network.training.steps[0]"
    hidden = _outputs_after_step(sheet)
    previous: Block | None = None
    last = len(layers) - 1
    for index, cells in enumerate(layers):
        fan_in, fan_out, samples = cells.weight_t.rows, cells.weight_t.cols, cells.input.rows
        activation = network.layers[index].activation
        sheet.text(
            row, 0, f"Layer {index + 1} after the step ({step}.updated[{index}])", styles.heading
        )
        top = row + 3
        weight_t = Block(name, top, 2, fan_in, fan_out)
        bias = Block(name, top + max(samples, fan_in), 2, 1, fan_out)  # a row of its own
        # a blank column, then the sample labels beside the outputs they name
        output = Block(name, top, weight_t.left + fan_out + 2, samples, fan_out)
        sheet.text(row + 1, weight_t.left, "Wᵀ_new, b_new", styles.label)
        given = "X" if index == 0 else f"G^[{index}]"  # the layer's input, G^[0] = X
        label = f"f({given} Wᵀ_new + b_new), f = {activation}"
        sheet.text(row + 1, output.left, label, styles.label)
        for j in range(fan_out):
            sheet.text(row + 2, weight_t.left + j, names.neuron(index + 1, j), styles.header)
            sheet.text(row + 2, output.left + j, names.neuron(index + 1, j), styles.header)
        weight_grads, bias_grads = gradients[index]
        for i in range(fan_in):
            sheet.text(top + i, 1, names.neuron(index, i), styles.label)
            for j in range(fan_out):
                old = cells.weight_t.cell(i, j).ref(name)
                sheet.formula(
                    weight_t.cell(i, j),
                    f"{old}-{rate.ref(name)}*{weight_grads[j, i].ref(name)}",
                    f"{step}.updated[{index}].weight[{j}][{i}]",
                )
        sheet.text(bias.top, 1, BIAS_LABEL, styles.label)
        for j in range(fan_out):
            old = cells.bias.cell(0, j).ref(name)
            sheet.formula(
                bias.cell(0, j),
                f"{old}-{rate.ref(name)}*{bias_grads[j].ref(name)}",
                f"{step}.updated[{index}].bias[{j}]",
            )
        x = previous or cells.input  # layer 1's input: the data on the Layers sheet
        for s in range(samples):
            sheet.text(top + s, output.left - 1, f"sample {s + 1}", styles.label)
            for j in range(fan_out):
                z = (
                    f"MMULT({x.row_range(s, name)},{weight_t.col_range(j, name)})"
                    f"+{bias.cell(0, j).ref(name)}"
                )
                path = f"network.training.predictions[1][{s}][{j}]" if index == last else None
                sheet.formula(
                    output.cell(s, j),
                    activation_formula(activation, z),
                    path,
                    value=hidden[index][s][j],
                    style=styles.result if index == last else None,
                    note="" if path else "after the step (the trace keeps only its prediction)",
                )
        previous = output
        row = bias.top + 2
    loss.write_after_step(sheet, row, previous, hidden[-1], names)


def _outputs_after_step(sheet: Sheet) -> list[list[list[float]]]:
    """Every layer's output with the first step's parameters, by mlpmath (cached values of
    cells the trace does not keep: it records only the prediction)."""
    import torch

    from mlpmath.compute import forward

    network = sheet.trace.network
    updated = network.training.steps[0].updated
    params = [
        (torch.tensor(p.weight, dtype=torch.float64), torch.tensor(p.bias, dtype=torch.float64))
        for p in updated
    ]
    x = torch.tensor(network.layers[0].input, dtype=torch.float64)
    layers = forward(params, x, [layer.activation for layer in network.layers])
    return [layer["output"].tolist() for layer in layers]


def write_training(sheet: Sheet, workbook) -> None:
    """The loss after every step of the lesson's training run: the trace's values."""
    losses = sheet.trace.network.training.losses
    styles = sheet.styles
    # a classifying loss records the accuracy after every step too
    accuracies = bool(sheet.trace.network.training.accuracies)
    shown = "loss and accuracy" if accuracies else "loss"
    row = sheet.title(
        f"Training: the {shown} step after step",
        "These values are copied from the trace (torch's training run), not formulas: "
        "the Step sheet recomputes the first step live.",
        "A loss too large for a number (the run diverged) is written as text, inf or nan, "
        "as torch prints it; the chart leaves it out.",
    )
    headers = ["step", "loss", *(["accuracy", "as a count"] if accuracies else []), "trace path"]
    counts = sheet.trace.network.training.correct_counts
    for c, header in enumerate(headers):
        sheet.text(row, c, header, styles.header)
    for j in range(len(losses)):
        sheet.worksheet.write_number(row + 1 + j, 0, j, styles.count)
        sheet.used_rows.add(row + 1 + j)
        sheet.trace_value(Cell(sheet.name, row + 1 + j, 1), f"network.training.losses[{j}]")
        if accuracies:
            path = f"network.training.accuracies[{j}]"
            sheet.trace_value(Cell(sheet.name, row + 1 + j, 2), path)
            shown = format_accuracy(counts[j], sheet.trace.network.samples, sheet.trace.decimals)
            sheet.text(row + 1 + j, 3, shown, styles.torch)
        sheet.text(row + 1 + j, len(headers) - 1, f"network.training.losses[{j}]", styles.path)
    if sum(math.isfinite(loss) for loss in losses) < 2:
        return
    chart = workbook.add_chart({"type": "line"})
    chart.add_series(
        {
            "name": "loss",
            "categories": [sheet.name, row + 1, 0, row + len(losses), 0],
            "values": [sheet.name, row + 1, 1, row + len(losses), 1],
            "marker": {"type": "circle"},
        }
    )
    if accuracies:  # on an axis of its own, from 0 to 1
        chart.add_series(
            {
                "name": "accuracy",
                "categories": [sheet.name, row + 1, 0, row + len(losses), 0],
                "values": [sheet.name, row + 1, 2, row + len(losses), 2],
                "marker": {"type": "square"},
                "y2_axis": True,
            }
        )
        chart.set_y2_axis({"name": "accuracy", "min": 0, "max": 1})
    chart.set_title({"name": "Loss and accuracy per step" if accuracies else "Loss per step"})
    chart.set_x_axis({"name": "step"})
    chart.set_y_axis({"name": "loss"})
    chart.set_legend({"position": "bottom"} if accuracies else {"none": True})
    sheet.worksheet.insert_chart(row, len(headers) + 1, chart)

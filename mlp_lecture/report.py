"""The readable account of a lesson's trace: what ``mlp-lecture trace`` prints.

Small tables of the numbers a teacher re-checks by hand, at the lesson's
display precision (``mlpmath.format_number``), in the lecture's order: the
one-neuron examples, each layer, the loss, the gradient twice (autograd and
the hand chain rule) and the training losses. For a classification lesson the
loss part is the softmax of the logits, each sample's cross-entropy, the
predicted classes and the accuracy, and training adds the accuracy per step.
It reads the trace only and never imports manim.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Sequence

from rich import box
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mlpmath import Trace, format_number
from mlpmath.display import format_accuracy, format_share
from mlpmath.numbering import neuron_name, neuron_tag
from mlpmath.trace import LayerTrace, NetworkTrace, NeuronTrace

__all__ = ["neuron_labels", "print_trace", "report"]

# Below this many columns a piped report would squeeze its tables.
_MIN_WIDTH = 100
# Beyond this size a value is shown in scientific notation (a diverging loss).
_LARGE = 1e9


def print_trace(trace: Trace, console: Console | None = None) -> None:
    """Print the whole trace as tables (the non-JSON ``mlp-lecture trace``)."""
    if console is None:
        console = Console()
        if not console.is_terminal and console.width < _MIN_WIDTH:
            console = Console(width=_MIN_WIDTH)
    for part in report(trace):
        console.print(part)
        console.print()


def report(trace: Trace) -> list[RenderableType]:
    """The report's parts, top to bottom."""
    number = _Formatter(trace.decimals)
    network = trace.network
    names = neuron_labels(network.sizes, classifier=network.is_classification)
    parts: list[RenderableType] = [
        Text.assemble(
            (trace.title, "bold"),
            f"  (lesson {trace.lesson}, values at {trace.decimals} decimals)",
        )
    ]
    for index, neuron in enumerate(trace.neurons):
        parts.append(_neuron(index, neuron, number))
    parts.append(_heading(_network_summary(network)))
    shown = _shown_labels(network.sizes, classifier=network.is_classification)
    for index, layer in enumerate(network.layers):
        last = index == len(network.layers) - 1
        logits = last and network.is_classification
        parts.append(_layer(index, layer, shown[index], shown[index + 1], number, logits))
    if network.is_classification:
        parts += [_softmax(network, number), _cross_entropy(network, number)]
    else:
        parts.append(_loss(network, shown[-1], number))
    parts.append(_gradients(network, names, number))
    parts.append(_training(network, number))
    return parts


def neuron_labels(sizes: Sequence[int], classifier: bool = False) -> list[list[str]]:
    """The deck's neuron subscripts per layer: inputs ``1, 2``, then ``3, 4, 5``...,
    a regression's one output ``ŷ`` (several are numbered on; a classifier's outputs
    are its classes ``0, 1, 2``, as ``mlpmath.notation`` numbers them).

    They are ``mlpmath.numbering``'s, as the scenes use them; a weight ``w_ij`` joins
    neuron ``i`` to neuron ``j`` (``w13``, ``w6ŷ``; into class 0 ``w3,0``). No output
    neuron is named by ``y``: that is the target.
    """
    return [
        [neuron_tag(sizes, layer, i, classifier=classifier) for i in range(size)]
        for layer, size in enumerate(sizes)
    ]


def _shown_labels(sizes: Sequence[int], classifier: bool = False) -> list[list[str]]:
    """Matrix headers: inputs ``x1, x2``, hidden neurons ``n3, n4``, outputs ``ŷ``
    (``ŷ1, ŷ2``; a classifier's logits ``z0, z1``), as the diagram names them."""
    return [
        [neuron_name(sizes, layer, i, classifier=classifier) for i in range(size)]
        for layer, size in enumerate(sizes)
    ]


# -- parts -------------------------------------------------------------------


def _neuron(index: int, neuron: NeuronTrace, number: _Formatter) -> RenderableType:
    f = neuron.activation
    heading = _heading(
        f"Neuron example {index + 1}: w = {number.row(neuron.weight)}, "
        f"b = {number(neuron.bias)}, activation {f}"
    )
    # The two list columns may wrap (between numbers) so a wide neuron still fits. The
    # table's letters (mlpmath.notation): sample i, input j, k the weighted sum, n = k + b
    # the pre-activation, f(n) the activation.
    table = _table(["i", "x", "x_j·w_j", "k = Σ x_j·w_j", "n = k + b", f"{f}(n)"], wrap={1, 2})
    for s, row in enumerate(neuron.inputs):
        table.add_row(
            str(s + 1),
            number.row(row),
            number.row(neuron.products[s]),
            number(neuron.weighted_sum[s]),
            number(neuron.preactivation[s]),
            number(neuron.output[s]),
        )
    return Group(heading, table)


def _network_summary(network: NetworkTrace) -> str:
    shape = " → ".join(str(size) for size in network.sizes)
    hidden = {layer.activation for layer in network.layers[:-1]}
    if len(hidden) > 1:  # the layers name their own: list them
        names = ", ".join(layer.activation for layer in network.layers)
        return f"Network {shape}: activations per layer {names}; {network.samples} samples"
    return (
        f"Network {shape}: hidden activation {hidden.pop() if hidden else network.activation}, "
        f"output activation {network.output_activation}; {network.samples} samples"
    )


def _layer(
    index: int,
    layer: LayerTrace,
    inputs: list[str],
    outputs: list[str],
    number: _Formatter,
    logits: bool = False,
) -> RenderableType:
    """One layer's matrices; ``logits``: it is a classifier's last (its ``N`` is ``Z``)."""
    samples = [str(s + 1) for s in range(len(layer.input))]
    f = layer.activation
    # the table's letters: K = X Wᵀ, N = K + B, G = f(N); a classifier's last N is its
    # logits Z (mlpmath.notation), layer l a superscript [l]
    layer_index = f"^[{index + 1}]"
    tables = [
        _matrix(f"W{layer_index} (out × in)", layer.weight, outputs, inputs, number),
        _matrix(f"b{layer_index}", [[b] for b in layer.bias], outputs, ["b"], number),
    ]
    if index == 0:  # later layers' input is the output printed just above
        tables.append(_matrix("input X", layer.input, samples, inputs, number))
    fed = "X" if index == 0 else f"G^[{index}]"
    k, n = f"K{layer_index}", f"N{layer_index}"
    if logits:
        n = "Z"
    tables += [
        _matrix(f"{k} = {fed} · Wᵀ", layer.product, samples, outputs, number),
        _matrix(f"{n} = {k} + b", layer.preactivation, samples, outputs, number),
    ]
    if f != "none":
        tables.append(_matrix(f"G{layer_index} = {f}({n})", layer.output, samples, outputs, number))
    shape = f"Linear({len(inputs)} → {len(outputs)})"
    output = f"output {n} (no activation)" if f == "none" else f"activation {f}"
    heading = _heading(f"Layer {index + 1}: {shape}, {output}; b is added to every sample's row")
    return Group(heading, Columns(tables, padding=(0, 2)))


def _loss(network: NetworkTrace, outputs: list[str], number: _Formatter) -> RenderableType:
    several = len(outputs) > 1
    headers = ["sample", *(["output"] if several else []), "ŷ", "y", "y − ŷ", "(y − ŷ)²"]
    table = _table(headers, title="Loss: prediction vs target")
    for s, row in enumerate(network.prediction):
        for j, predicted in enumerate(row):
            table.add_row(
                str(s + 1),
                *([outputs[j]] if several else []),
                number(predicted),
                number(network.target[s][j]),
                number(network.errors[s][j]),
                number(network.squared_errors[s][j]),
            )
    blanks = [""] * (len(headers) - 2)
    table.add_section()
    table.add_row("sum", *blanks, number(network.squared_error_sum))
    table.add_row(f"L = sum / {network.loss_count}", *blanks, Text(number(network.loss), "bold"))
    return table


def _softmax(network: NetworkTrace, number: _Formatter) -> RenderableType:
    softmax = network.softmax
    assert softmax is not None  # a classification lesson's trace holds it
    samples = [str(s + 1) for s in range(network.samples)]
    classes = [_class(network, c) for c in range(network.sizes[-1])]
    tables = [
        _matrix("logits Z", softmax.logits, samples, classes, number),
        _matrix("m: each row's largest", [[m] for m in softmax.row_max], samples, ["m"], number),
        _matrix("Z − m", softmax.shifted, samples, classes, number),
        _matrix("e^(Z − m)", softmax.exp, samples, classes, number),
        _matrix("Σ: each row's sum", [[t] for t in softmax.exp_sum], samples, ["Σ"], number),
        _matrix("P = e^(Z − m) / Σ", softmax.probabilities, samples, classes, number),
    ]
    heading = _heading("Softmax of each sample's logits (rows: samples, columns: classes)")
    return Group(heading, Columns(tables, padding=(0, 2)))


def _cross_entropy(network: NetworkTrace, number: _Formatter) -> RenderableType:
    table = _table(
        ["sample i", "true class y", "p_y", "L = −log p_y", "predicted ŷ", "right"],
        title="Loss: cross-entropy of the true class",
    )
    for s, true in enumerate(network.classes):
        table.add_row(
            str(s + 1),
            _class(network, true),
            number(network.true_class_probability[s]),
            number(network.cross_entropy[s]),
            _class(network, network.predicted_classes[s]),
            "yes" if network.correct[s] else "no",
        )
    table.add_section()
    table.add_row(f"L = mean of {network.loss_count}", "", "", Text(number(network.loss), "bold"))
    right = network.correct_count or 0
    accuracy = Text(
        f"accuracy: {format_accuracy(right, network.samples, number.decimals)} "
        f"({right} of {network.samples} right); dL/dZ = (P − Y) / {network.loss_count}"
    )
    return Group(table, accuracy)


def _class(network: NetworkTrace, index: int) -> str:
    """Class ``index`` as the lesson calls it: ``0``, or ``0 setosa`` when it names it
    (a name is free text: rich's markup in it, ``[bold]``, is shown as written)."""
    names = network.class_names
    name = names[index] if index < len(names) else str(index)
    return str(index) if name == str(index) else f"{index} {escape(name)}"


def _gradients(network: NetworkTrace, names: list[list[str]], number: _Formatter) -> RenderableType:
    table = _table(["parameter", "autograd", "chain rule"], title="Gradient: ∂L/∂w, ∂L/∂b")
    largest = 0.0
    for index, (torch_grad, hand) in enumerate(
        zip(network.gradients, network.chain_rule, strict=True)
    ):
        if index:
            table.add_section()
        # into a classifier's class k: w3,0 (mlpmath.numbering)
        comma = network.is_classification and index == len(network.layers) - 1
        rows = _parameter_rows(
            names[index], names[index + 1], torch_grad.weight, torch_grad.bias, comma
        )
        hand_rows = _parameter_rows(names[index], names[index + 1], hand.weight, hand.bias, comma)
        for (name, by_torch), (_, by_hand) in zip(rows, hand_rows, strict=True):
            table.add_row(name, number(by_torch), number(by_hand))
            largest = max(largest, abs(by_torch - by_hand))
    note = Text(f"largest difference between the two: {largest:.1e}", style="dim")
    return Group(table, note)


def _parameter_rows(
    inputs: list[str],
    outputs: list[str],
    weight: Sequence[Sequence[float]],
    bias: Sequence[float],
    comma: bool = False,
) -> Iterable[tuple[str, float]]:
    """``(w13, value)``, ..., then ``(b3, value)``: the deck's order and names (``comma``:
    always ``w3,0``, as into a classifier's class)."""
    rows = []
    for i, source in enumerate(inputs):
        for j, target in enumerate(outputs):
            name = f"w{source},{target}" if comma else _joined("w", source, target)
            rows.append((name, weight[j][i]))
    rows.extend((_joined("b", target), value) for target, value in zip(outputs, bias, strict=True))
    return rows


def _training(network: NetworkTrace, number: _Formatter) -> RenderableType:
    training = network.training
    table = _table(
        ["step", "loss", *(["accuracy"] if training.accuracies else [])],
        title=f"Training: w ← w − α · ∂L/∂w (b alike), α = {number.plain(training.learning_rate)}",
    )
    counts = training.correct_counts
    for step, loss in enumerate(training.losses):
        accuracy = (
            [format_accuracy(counts[step], network.samples, number.decimals)]
            if training.accuracies
            else []
        )
        table.add_row("before" if step == 0 else str(step), number(loss), *accuracy)
    losses = training.losses
    if not all(math.isfinite(loss) for loss in losses):
        verdict = Text("The loss overflowed: the learning rate is too large.", style="bold red")
    elif len(losses) > 1 and losses[-1] > losses[0]:
        verdict = Text("The loss grew: the learning rate is too large.", style="bold red")
    elif len(losses) > 1 and training.outcome == "learned":
        verdict = Text(
            f"The loss fell in {len(losses) - 1} steps, and every sample is classified right."
        )
    elif len(losses) > 1 and training.outcome == "partly":
        wrong = network.samples - counts[-1]
        verdict = Text(
            f"The loss fell in {len(losses) - 1} steps; {wrong} of {network.samples} samples "
            "are still classified wrong."
        )
    elif len(losses) > 1:
        verdict = Text(f"The loss fell in {len(losses) - 1} steps.")
    else:
        verdict = Text("No training steps.")
    parts: list[RenderableType] = [table, verdict]
    if training.regions is not None:
        regions = training.regions
        cells = len(regions.first)
        # the axis ends as the scene's ticks write them: no more digits than they need
        low1, high1, low2, high2 = (format_share(e, number.decimals) for e in regions.bounds)
        parts.append(
            Text(
                f"Regions: the predicted class on a {cells} × {cells} grid over "
                f"x1 {low1} to {high1}, x2 {low2} to {high2}, after steps "
                f"{', '.join(map(str, regions.steps))} (network.training.regions)",
                style="dim",
            )
        )
    return Group(*parts)


# -- building blocks ---------------------------------------------------------


class _Formatter:
    """Values at the lesson's decimals, the way the lecture writes them."""

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals

    def __call__(self, value: float) -> str:
        if math.isfinite(value) and abs(value) >= _LARGE:
            return f"{value:.{self.decimals}e}"
        return format_number(value, self.decimals)

    def row(self, values: Sequence[float]) -> str:
        return "[" + ", ".join(self(v) for v in values) + "]"

    @staticmethod
    def plain(value: float) -> str:
        """A lesson setting (the learning rate) exactly as given."""
        return repr(value)


def _heading(text: str) -> Text:
    return Text(text, style="bold")


def _table(headers: Sequence[str], title: str | None = None, wrap: Container[int] = ()) -> Table:
    """A table whose first column labels rows; only columns in ``wrap`` may wrap."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        min_width=len(title or ""),
    )
    for position, header in enumerate(headers):
        table.add_column(
            header,
            justify="left" if position == 0 or position in wrap else "right",
            no_wrap=position not in wrap,
            overflow="fold",
        )
    return table


def _matrix(
    title: str,
    rows: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    number: _Formatter,
) -> Table:
    table = Table(
        title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, min_width=len(title)
    )
    table.add_column("", style="dim", no_wrap=True)
    for label in column_labels:
        table.add_column(label, justify="right", no_wrap=True)
    for label, row in zip(row_labels, rows, strict=True):
        table.add_row(label, *(number(value) for value in row))
    return table


def _joined(symbol: str, *labels: str) -> str:
    """``w13`` when every label is one character, else ``w12,13``."""
    if all(len(label) == 1 for label in labels):
        return symbol + "".join(labels)
    return symbol + ",".join(labels)

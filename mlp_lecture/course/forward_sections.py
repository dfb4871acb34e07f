"""The worksheet's sections from the given numbers to the loss: Part 1's neurons, the
data and weights, each layer's forward pass, and the loss (MSE or cross-entropy)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlp_lecture.course.sheet_layout import Layout, ref, shown_places, span
from mlp_lecture.spreadsheet.cells import activation_formula
from mlpmath.notation import class_label, layer_index, sample_index

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = [
    "cross_entropy_sections",
    "forward_sections",
    "given_sections",
    "mse_sections",
    "neuron_sections",
]


def neuron_sections(
    sheet: Layout, n: int, activation: str, samples: int, width: int, d: int
) -> None:
    base = f"neurons[{n}]"
    part = f"Part 1, neuron {n + 1}"
    sample_rows = [f"sample {sample_index(s)}" for s in range(samples)]
    inputs = [f"x{i + 1}" for i in range(width)]
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
        f"{part}: the products xj · wj",
        [f"x{i + 1}·w{i + 1}" for i in range(width)],
        sample_rows,
        lambda r, c: (
            f"{base}.products[{r}][{c}]",
            True,
            (f"{base}.inputs[{r}][{c}]", f"{base}.weight[{c}]"),
            d,
        ),
        lambda r, c: f"{ref(f'{base}.inputs[{r}][{c}]')}*{ref(f'{base}.weight[{c}]')}",
    )
    heads = ["k = Σ xj·wj", "n = k + b"] + (
        [f"g = {activation}(n)"] if activation != "none" else []
    )
    fields = ["weighted_sum", "preactivation", "output"]
    depends: list[Callable[[int], list[str]]] = [
        lambda r: [f"{base}.products[{r}][{j}]" for j in range(width)],
        lambda r: [f"{base}.weighted_sum[{r}]", f"{base}.bias"],
        lambda r: [f"{base}.preactivation[{r}]"],
    ]
    formulas: list[Callable[[int], str]] = [
        lambda r: f"SUM({span(f'{base}.products[{r}][0]', f'{base}.products[{r}][{width - 1}]')})",
        lambda r: f"{ref(f'{base}.weighted_sum[{r}]')}+{ref(f'{base}.bias')}",
        lambda r: activation_formula(activation, ref(f"{base}.preactivation[{r}]")),
    ]
    sheet.add(
        f"{part}: the weighted sum, plus the bias, the activation",
        heads,
        sample_rows,
        lambda r, c: (f"{base}.{fields[c]}[{r}]", True, depends[c](r), d),
        lambda r, c: formulas[c](r),
    )


def given_sections(sheet: Layout, trace: Trace, names: list[list[str]], samples: list[str]) -> None:
    network = trace.network
    d = trace.decimals
    width = network.sizes[0]
    title = "Part 2, the data: inputs X and targets y"
    if network.is_classification:
        extra, extra_path, extra_decimals = ["y (class)"], "network.classes[{r}]", 0
        named = [class_label(k, network.class_names) for k in range(network.sizes[-1])]
        title = "Part 2, the data: inputs X and classes y"
        if named != [str(k) for k in range(len(named))]:  # the lesson names its classes
            title += " (" + ", ".join(f"{k} = {name}" for k, name in enumerate(named)) + ")"
    else:
        outputs = network.sizes[-1]
        extra = ["y" if outputs == 1 else f"y_{k + 1}" for k in range(outputs)]
        extra_path, extra_decimals = "network.target[{r}][{c}]", d
    sheet.add(
        title,
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
            shown_places(network.training.learning_rate, max(d, 6)),
        ),
    )


def forward_sections(
    sheet: Layout,
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
        lambda r, c: (
            f"SUMPRODUCT({span(f'{base}.input[{r}][0]', f'{base}.input[{r}][{fan_in - 1}]')},"
            f"{span(f'{base}.weight[{c}][0]', f'{base}.weight[{c}][{fan_in - 1}]')})"
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
        lambda r, c: f"{ref(f'{base}.product[{r}][{c}]')}+{ref(f'{base}.bias[{c}]')}",
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
            lambda r, c: activation_formula(
                layer.activation, ref(f"{base}.preactivation[{r}][{c}]")
            ),
        )


def mse_sections(sheet: Layout, trace: Trace, samples: list[str]) -> None:
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
        lambda r, c: f"{ref(f'network.target[{r}][{c}]')}-{ref(f'network.prediction[{r}][{c}]')}",
    )
    sheet.add(
        "Loss: the squared errors (y - ŷ)²",
        [f"({h})²" for h in heads],
        samples,
        lambda r, c: (f"network.squared_errors[{r}][{c}]", True, (f"network.errors[{r}][{c}]",), d),
        lambda r, c: f"{ref(f'network.errors[{r}][{c}]')}^2",
    )
    every = [
        f"network.squared_errors[{s}][{k}]" for s in range(len(samples)) for k in range(outputs)
    ]
    sheet.add(
        "Loss: the mean squared error L",
        ["L"],
        [""],
        lambda r, c: ("network.loss", True, every, d),
        lambda r, c: f"AVERAGE({span(every[0], every[-1])})",
    )


def cross_entropy_sections(
    sheet: Layout,
    trace: Trace,
    samples: list[str],
    classes: Sequence[str],
) -> None:
    network = trace.network
    d = trace.decimals
    count = network.sizes[-1]
    last = len(samples) - 1
    logits = [[f"network.prediction[{s}][{k}]" for k in range(count)] for s in range(len(samples))]
    probabilities = "network.softmax.probabilities"

    def row(r: int) -> str:
        return span(logits[r][0], logits[r][-1])

    def after(r: int, c: int) -> str:
        truth = ref(f"network.classes[{r}]")
        return (
            f"-LN(INDEX({span(f'{probabilities}[{r}][0]', f'{probabilities}[{r}][{count - 1}]')}"
            f",1,{truth}+1))",
            f"MATCH(MAX({row(r)}),{row(r)},0)-1",
            f"IF({ref(f'network.predicted_classes[{r}]')}={truth},1,0)",
        )[c]

    sheet.add(
        "Softmax: the probabilities p_k = e^(z_k - m) / Σ e^(z_j - m)",
        [f"p_{class_label(k, classes)}" for k in range(count)],
        samples,
        lambda r, c: (f"network.softmax.probabilities[{r}][{c}]", True, logits[r], d),
        lambda r, c: (
            f"EXP({ref(logits[r][c])}-MAX({row(r)}))/SUMPRODUCT(EXP({row(r)}-MAX({row(r)})))"
        ),
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
        after,
    )
    sheet.add(
        "Loss and accuracy: L = the mean of L^(i); accuracy = the share classified right",
        ["L", "accuracy"],
        [""],
        lambda r, c: (
            ("network.loss", True, [f"network.cross_entropy[{s}]" for s in range(len(samples))], d),
            ("network.accuracy", True, [f"network.correct[{s}]" for s in range(len(samples))], d),
        )[c],
        lambda r, c: (
            f"AVERAGE({span('network.cross_entropy[0]', f'network.cross_entropy[{last}]')})",
            f"AVERAGE({span('network.correct[0]', f'network.correct[{last}]')})",
        )[c],
    )

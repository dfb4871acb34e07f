"""The worksheet's sections from the loss back: the gradient of the loss, each layer's
δ and gradients (last layer first), and the weights after one step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlp_lecture.course.sheet_layout import Layout, ref, span
from mlp_lecture.spreadsheet.cells import derivative_formula
from mlpmath.notation import layer_index

if TYPE_CHECKING:
    from mlpmath import Trace

__all__ = ["backward_sections", "update_sections"]


def backward_sections(
    sheet: Layout,
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
    inputs = f"network.layers[{layer_at}].input"
    last_sample = len(samples) - 1
    if layer_at == last:
        target = (
            ("network.softmax.probabilities", "network.classes")
            if network.is_classification
            else ("network.errors",)
        )
        # the mean's count by the notation's N (several outputs: N·outputs terms)
        count = "N" if network.sizes[-1] == 1 else "(N·outputs)"
        start = "(P - Y) / N" if network.is_classification else f"-2/{count} (y - ŷ)"
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
            lambda r, c: (
                f"({ref(f'{target[0]}[{r}][{c}]')}-IF({ref(f'network.classes[{r}]')}={c},1,0))"
                f"/{network.samples}"
                if network.is_classification
                else f"-2/{network.loss_count}*{ref(f'network.errors[{r}][{c}]')}"
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
            lambda r, c: "+".join(
                f"{ref(f'{nxt}.delta[{r}][{m}]')}"
                f"*{ref(f'network.layers[{layer_at + 1}].weight[{m}][{c}]')}"
                for m in range(above)
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
            lambda r, c: (
                derivative_formula(
                    layer.activation,
                    ref(f"network.layers[{layer_at}].preactivation[{r}][{c}]"),
                    ref(f"network.layers[{layer_at}].output[{r}][{c}]"),
                )
                if c < fan_out
                else f"{ref(f'{rule}.upstream[{r}][{c - fan_out}]')}"
                f"*{ref(f'{rule}.activation_derivative[{r}][{c - fan_out}]')}"
            ),
        )
    else:
        sheet.add(
            f"Layer {index}: δ = ∂L/∂n (no activation: the same as what comes back)",
            [f"δ for {o}" for o in outs],
            samples,
            lambda r, c: (f"{rule}.delta[{r}][{c}]", True, (f"{rule}.upstream[{r}][{c}]",), d),
            lambda r, c: ref(f"{rule}.upstream[{r}][{c}]"),
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
        lambda r, c: (
            f"SUMPRODUCT({span(f'{rule}.delta[0][{r}]', f'{rule}.delta[{last_sample}][{r}]')},"
            f"{span(f'{inputs}[0][{c}]', f'{inputs}[{last_sample}][{c}]')})"
            if c < fan_in
            else f"SUM({span(f'{rule}.delta[0][{r}]', f'{rule}.delta[{last_sample}][{r}]')})"
        ),
    )


def update_sections(sheet: Layout, trace: Trace, names: list[list[str]]) -> None:
    """Each layer's weights and biases after one step of gradient descent."""
    step = "network.training.steps[0].updated"
    rate = ref("network.training.learning_rate")
    d = trace.decimals
    for layer_at, layer in enumerate(trace.network.layers):
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
            lambda r, c, layer_at=layer_at, fan_in=fan_in: (
                f"{ref(f'network.layers[{layer_at}].weight[{r}][{c}]')}-{rate}"
                f"*{ref(f'network.chain_rule[{layer_at}].weight[{r}][{c}]')}"
                if c < fan_in
                else f"{ref(f'network.layers[{layer_at}].bias[{r}]')}-{rate}"
                f"*{ref(f'network.chain_rule[{layer_at}].bias[{r}]')}"
            ),
        )

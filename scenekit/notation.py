"""How the lecture writes its symbols in Typst math (no numbers, only notation)."""

from __future__ import annotations

from typing import Any

from mlpmath.notation import typst_layer, typst_sample
from mlpmath.numbering import neuron_numbers
from scenekit.activation_words import activation_facts

__all__ = [
    "NetworkNotation",
    "activation_call",
    "activation_definition",
    "activation_derivative",
    "derivative",
    "indexed",
    "neuron_output",
    "slash_derivative",
]


def activation_call(name: str) -> str:
    """The activation's function name, e.g. ``"ReLU"`` or ``sigma``."""
    return activation_facts(name).call


def activation_definition(name: str) -> str:
    """``ReLU(n) = max(0, n)`` and the like, as Typst math: the variable is the table's
    pre-activation ``n`` (``z`` is only a classifier's logit)."""
    return f"{activation_call(name)}(n) = {activation_facts(name).definition}"


def activation_derivative(name: str) -> str:
    """``ReLU'(n) = ...``: the activation's derivative, as the chain rule multiplies by it."""
    return f"{activation_call(name)}'(n) = {activation_facts(name).derivative}"


def neuron_output(trace: Any, neuron: int) -> str:
    """What one-neuron example ``neuron``'s output is called, by the table: a
    regression's ``hat(y)`` where the neuron is the output; a hidden neuron's
    activation ``g`` (``g = f(n)``) where it is one of the network's hidden neurons
    (its weights and bias a row of a hidden layer) or stands on a classifier, where
    ``hat(y)`` is the predicted class; a classifier's output neuron with no
    activation is its class's logit ``z_k``."""
    spec, network = trace.neurons[neuron], trace.network
    last = len(network.layers) - 1
    found = [
        (index, row)
        for index, layer in enumerate(network.layers)
        for row, weight in enumerate(layer.weight)
        if list(weight) == list(spec.weight) and layer.bias[row] == spec.bias
    ]
    if network.is_classification:
        for index, row in found:
            if index == last and spec.activation == "none":
                return indexed("z", row)  # class ``row``'s logit, numbered from 0
        return "g"
    return "g" if any(index < last for index, _ in found) else "hat(y)"


def derivative(of: str, by: str) -> str:
    """``∂L/∂w`` as a fraction: how ``of`` changes with ``by``."""
    return f"(partial {of})/(partial {by})"


def slash_derivative(of: str, by: str) -> str:
    """``∂L/∂w`` on one line, for tables and labels."""
    return f"partial {of} \\/ partial {by}"


def indexed(symbol: str, *indices: int | str) -> str:
    """``x_1``, ``k_3^1``: a symbol with a subscript and, optionally, a superscript."""
    text = f"{symbol}_({indices[0]})" if indices else symbol
    if len(indices) > 1:
        text += f"^({indices[1]})"
    return text


class NetworkNotation:
    """Symbols of one network, numbered as the lecture numbers its neurons.

    ``layer`` 0 is the inputs; layer ``l`` is the l-th ``nn.Linear``'s neurons.
    A classifier's output neuron ``k`` is class ``k`` (numbered from 0 as the lesson
    numbers its classes): its logit ``z_k`` (softmax comes after them; ``hat(y)`` is
    then the predicted class), a regression's its prediction. Indices go where
    ``mlpmath.notation`` puts them: a sample ``x^((1))``, a layer ``W^([1])``.
    """

    def __init__(self, sizes: tuple[int, ...], classification: bool = False):
        self.sizes = tuple(sizes)
        self.numbers = neuron_numbers(self.sizes)
        self.last = len(self.sizes) - 1
        self.classification = classification

    def _tag(self, layer: int, index: int) -> str:
        """The neuron's index as a subscript: its number; a classifier's output, its
        class (from 0); a regression's one output ``hat(y)``, as the diagram names it
        (``y`` is only the target; several outputs are numbered on)."""
        if layer == self.last and self.classification:
            return str(index)
        if layer == self.last and self.sizes[-1] == 1:
            return "hat(y)"  # w_(6 hat(y)), b_(hat(y)): never the target's y
        return str(self.numbers[layer][index])

    def neuron(self, layer: int, index: int) -> str:
        """``x_(1)``, ``n_(3)``, ``hat(y)`` (a classifier's ``z_(1)``): a neuron's name
        on the diagram."""
        if layer == 0:
            return indexed("x", self.numbers[0][index])
        if layer == self.last and self.classification:
            return indexed("z", index)
        if layer == self.last:
            return "hat(y)" if self.sizes[-1] == 1 else indexed("hat(y)", index + 1)
        return indexed("n", self.numbers[layer][index])

    def entry(self, letter: str, layer: int, index: int, sample: int | str) -> str:
        """``k_(3)^((1))``: a per-sample value of neuron ``index`` of ``layer``, the sample
        a superscript in round brackets (``sample`` counts from 0, or is a symbol such
        as ``"i"``)."""
        return f"{letter}_({self._tag(layer, index)})^({typst_sample(sample)})"

    def weight(self, layer: int, row: int, column: int) -> str:
        """``w_(13)``, ``w_(6 hat(y))``: the weight of layer ``layer`` (1-based, torch's
        row, column)."""
        source = self._tag(layer - 1, column) if layer > 1 else str(self.numbers[0][column])
        target = self._tag(layer, row)
        into_class = self.classification and layer == self.last
        if target == "hat(y)":  # one symbol: a space keeps Typst from reading 6hat
            return f"w_({source}{' ' if len(source) == 1 else ','}{target})"
        joiner = "" if len(source) == 1 and len(target) == 1 and not into_class else ","
        return f"w_({source}{joiner}{target})"

    def bias(self, layer: int, index: int) -> str:
        """``b_(3)``: the bias of neuron ``index`` of ``layer``."""
        return f"b_({self._tag(layer, index)})"

    def loss_index(self, sample: int, output: int = 0) -> str:
        """The index ``i`` of one prediction entry in the loss's sum: the sample's
        number, or ``sample,output`` when the network has several outputs."""
        if self.sizes[-1] == 1:
            return str(sample + 1)
        return f"{sample + 1},{output + 1}"

    def output_entry(self, letter: str, sample: int | str, output: int | str = 0) -> str:
        """``y^((1))``: a per-sample value of the output (the target ``y``, the
        prediction ``hat(y)``), the sample a superscript (``sample`` from 0, or a
        letter); with several outputs, the output a subscript from 1: ``y_(2)^((1))``."""
        shown = f"{letter}^({typst_sample(sample)})"
        if self.sizes[-1] == 1:
            return shown
        index = output + 1 if isinstance(output, int) else output
        return f"{letter}_({index})^({typst_sample(sample)})"

    def mean_count(self) -> str:
        """What MSE's mean divides by: ``N``, the samples, with one output; with several,
        ``N dot "outputs"`` terms (``K`` is the table's weighted sums, never a count)."""
        return "N" if self.sizes[-1] == 1 else 'N dot "outputs"'

    def over_count(self, numerator: str = "1") -> str:
        """``1/N`` (or ``-2/N``): the mean's factor, over :meth:`mean_count`; with several
        outputs in brackets, ``1/(N dot "outputs")``."""
        count = self.mean_count()
        return f"{numerator}/{count}" if self.sizes[-1] == 1 else f"{numerator}/({count})"

    def over_outputs(self) -> str:
        """The sum over every prediction entry: ``sum_i`` (samples), or ``sum_(i,j)``
        with several outputs."""
        return "sum_i" if self.sizes[-1] == 1 else "sum_(i,j)"

    def layer_matrix(self, letter: str, layer: int) -> str:
        """``N^([2])``: a layer's matrix over all samples (``layer`` counts from 1)."""
        return f"{letter}^({typst_layer(layer)})"

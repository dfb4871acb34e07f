"""Cross-entropy's sheets: softmax, the loss, accuracy and ∂L/∂z, in a board's order.

The Loss sheet writes each step as a table of its own, one row per sample:
the logits ``z`` (the Layers sheet's last output), the row's largest ``m``,
``z - m``, ``e^(z - m)``, their sum, ``p``; then the true class ``y`` (an
input), ``p_y``, ``-ln p_y``, the predicted class and whether it is right,
their means (the loss, the accuracy); then the one-hot ``Y`` and
``∂L/∂z = (p - Y) / N``, where the chain rule starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mlp_lecture.spreadsheet.cells import Block, Cell, Sheet, side_by_side, span
from mlp_lecture.spreadsheet.forward import Names
from mlp_lecture.spreadsheet.losses import ChainStart, write_loss_change

__all__ = ["ACCURACY_COUNT", "CrossEntropyCells", "accuracy_count", "write_cross_entropy_loss"]

# The note of the cell that writes the accuracy as a count, "6/8 = 0.75"
ACCURACY_COUNT = "the accuracy as a count: right / N = the share (mlpmath.display.format_accuracy)"


def accuracy_count(sheet: Sheet, cell: Cell, right: Cell, count: Cell, correct: int) -> Cell:
    """``6/8 = 0.75``, live: the count of right samples over N and their share, written as
    ``format_accuracy`` writes it everywhere else (the share rounded, no trailing zeros)."""
    from mlpmath.display import format_accuracy

    samples = sheet.trace.network.samples
    places = max(sheet.trace.decimals, 2)
    r, n = right.ref(sheet.name), count.ref(sheet.name)
    return sheet.formula(
        cell,
        f'{r}&"/"&{n}&" = "&ROUND({r}/{n},{places})',
        value=format_accuracy(correct, samples, sheet.trace.decimals),
        style=sheet.styles.result,
        note=ACCURACY_COUNT,
    )


@dataclass(frozen=True)
class CrossEntropyCells:
    """Where the Loss sheet keeps what the Gradients and Step sheets use."""

    classes: Block  # samples x 1: y, the true class (inputs)
    gradient: Block  # samples x C: ∂L/∂z
    loss: Cell  # the mean of -ln p_y
    accuracy: Cell
    start: ChainStart = field(init=False)

    def __post_init__(self) -> None:
        cells = {
            (s, c): self.gradient.cell(s, c)
            for s in range(self.gradient.rows)
            for c in range(self.gradient.cols)
        }
        start = ChainStart(
            title="∂L/∂z = (p - Y) / N",
            note="Output layer: the logits z have no activation, so δ = ∂L/∂z = (p - Y) / N "
            "(the Loss sheet's), and ∂L/∂w = Σᵢ δᵢ gᵢ, ∂L/∂b = Σᵢ δᵢ, g the activations "
            "feeding it.",
            cells=cells,
        )
        object.__setattr__(self, "start", start)

    def write_after_step(
        self,
        sheet: Sheet,
        row: int,
        prediction: Block,
        predicted: list[list[float]],
        names: Names,
    ) -> None:
        """Per sample from the new logits: ``m``, ``Σ e^(z - m)``, ``p_y``, ``-ln p_y``, the
        predicted class and whether it is right; the new loss and accuracy, and their change."""
        styles, name = sheet.styles, sheet.name
        sheet.text(row, 0, "The loss and the accuracy with the new parameters", styles.heading)
        heads = ["y", "m_new", "Σ e^(z - m)", "z_y - m", "p_y", "-ln p_y", "predicted", "correct"]
        title = "from z_new above; -ln p_y = ln Σ - (z_y - m), the same, and finite where p_y is 0"
        (table,) = side_by_side(sheet, row + 1, prediction.rows, [(title, heads)])
        ces, rights = [], []
        for s, z in enumerate(predicted):
            logits = prediction.row_range(s, name)
            y_value = sheet.value(f"network.classes[{s}]")
            top = max(z)
            total = sum(math.exp(v - top) for v in z)
            guess = z.index(top)
            at = [table.cell(s, c) for c in range(len(heads))]
            y = sheet.formula(
                at[0],
                self.classes.cell(s, 0).ref(name),
                f"network.classes[{s}]",
                style=styles.count,
            )
            m = sheet.formula(at[1], f"MAX({logits})", value=top, note="m after the step")
            sums = sheet.formula(
                at[2],
                f"SUMPRODUCT(EXP({logits}-{m.ref(name)}))",
                value=total,
                note="Σ e^(z - m) after the step",
            )
            shifted = sheet.formula(
                at[3],
                f"INDEX({logits},1,{y.ref(name)}+1)-{m.ref(name)}",
                value=z[y_value] - top,
                note="z_y - m after the step",
            )
            sheet.formula(
                at[4],
                f"EXP({shifted.ref(name)})/{sums.ref(name)}",
                value=math.exp(z[y_value] - top) / total,
                note="p_y after the step",
            )
            ces.append(
                sheet.formula(
                    at[5],
                    f"LN({sums.ref(name)})-{shifted.ref(name)}",
                    value=math.log(total) - (z[y_value] - top),
                    note="-ln p_y after the step",
                )
            )
            guessed = sheet.formula(
                at[6],
                f"MATCH({m.ref(name)},{logits},0)-1",
                value=guess,
                style=styles.count,
                note="the predicted class after the step",
            )
            rights.append(
                sheet.formula(
                    at[7],
                    f"IF({guessed.ref(name)}={y.ref(name)},1,0)",
                    value=int(guess == y_value),
                    style=styles.count,
                    note="right after the step: 1, else 0",
                )
            )
        end = table.top + table.rows
        col = table.left + 4
        new = sheet.formula(
            sheet.result_cell(end, col, "mean L_new"),
            f"AVERAGE({span(ces[0], ces[-1], name)})",
            "network.training.losses[1]",
            style=styles.result,
        )
        after = write_loss_change(sheet, end + 1, col, new, self.loss)
        sheet.formula(
            sheet.result_cell(after, col, "accuracy_new"),
            f"AVERAGE({span(rights[0], rights[-1], name)})",
            "network.training.accuracies[1]",
            style=styles.result,
        )
        sheet.formula(
            sheet.result_cell(after + 1, col, "accuracy before the step"),
            self.accuracy.ref(name),
            "network.accuracy",
        )


def write_cross_entropy_loss(sheet: Sheet, names: Names, prediction: Block) -> CrossEntropyCells:
    """Softmax, the loss, the accuracy and ``∂L/∂z``: each a table, one row per sample."""
    network = sheet.trace.network
    styles, name = sheet.styles, sheet.name
    samples, classes = network.samples, network.sizes[-1]
    outputs = ", ".join(names.neuron(names.last, c) for c in range(classes))
    named = ", ".join(names.class_label(c) for c in range(classes))
    named = f" ({named})" if any(n != str(k) for k, n in enumerate(names.class_names)) else ""
    row = sheet.title(
        "How it learns to classify: softmax, then the loss L = 1/N Σ -ln p_y",
        f"z are the logits: the Layers sheet's last output ({outputs}), one per class "
        f"0 to {classes - 1}{named}. y, each sample's true class, is an input: change it.",
        "p = e^(z - m) / Σ e^(z - m): subtracting the row's largest z (m) first keeps e^ "
        "from overflowing and changes no p. N counts the samples.",
    )
    per_class = [names.class_label(c) for c in range(classes)]

    sheet.text(row, 0, "Softmax, a row at a time", styles.heading)
    z, top, shifted = side_by_side(
        sheet,
        row + 1,
        samples,
        [("z (the logits)", per_class), ("m = MAX(z)", ["m"]), ("z - m", per_class)],
    )
    row = z.top + samples + 1
    exp, total, p = side_by_side(
        sheet,
        row,
        samples,
        [("e^(z - m)", per_class), ("Σ e^(z - m)", ["Σ"]), ("p = e^(z - m) / Σ", per_class)],
    )
    softmax = "network.softmax"
    for s in range(samples):
        for c in range(classes):
            sheet.formula(
                z.cell(s, c), prediction.cell(s, c).ref(name), f"{softmax}.logits[{s}][{c}]"
            )
        sheet.formula(top.cell(s, 0), f"MAX({z.row_range(s, name)})", f"{softmax}.row_max[{s}]")
        m = top.cell(s, 0).ref(name)
        for c in range(classes):
            sheet.formula(
                shifted.cell(s, c), f"{z.cell(s, c).ref(name)}-{m}", f"{softmax}.shifted[{s}][{c}]"
            )
            sheet.formula(
                exp.cell(s, c), f"EXP({shifted.cell(s, c).ref(name)})", f"{softmax}.exp[{s}][{c}]"
            )
        sheet.formula(total.cell(s, 0), f"SUM({exp.row_range(s, name)})", f"{softmax}.exp_sum[{s}]")
        for c in range(classes):
            sheet.formula(
                p.cell(s, c),
                f"{exp.cell(s, c).ref(name)}/{total.cell(s, 0).ref(name)}",
                f"{softmax}.probabilities[{s}][{c}]",
            )

    row = exp.top + samples + 1
    sheet.text(row, 0, "The loss and the accuracy", styles.heading)
    heads = ["y", "p_y = p of y", "-ln p_y", "predicted", "correct"]
    (table,) = side_by_side(
        sheet, row + 1, samples, [("y: the true class; predicted: the largest z's class", heads)]
    )
    for s in range(samples):
        y = sheet.input(table.cell(s, 0), f"network.classes[{s}]", style=styles.input_count)
        p_y = sheet.formula(
            table.cell(s, 1),
            f"INDEX({p.row_range(s, name)},1,{y.ref(name)}+1)",
            f"network.true_class_probability[{s}]",
        )
        sheet.formula(table.cell(s, 2), f"-LN({p_y.ref(name)})", f"network.cross_entropy[{s}]")
        guess = sheet.formula(
            table.cell(s, 3),
            f"MATCH({top.cell(s, 0).ref(name)},{z.row_range(s, name)},0)-1",
            f"network.predicted_classes[{s}]",
            style=styles.count,
            note="MATCH finds the first largest z: a tie goes to the lowest class, as torch",
        )
        sheet.formula(
            table.cell(s, 4),
            f"IF({guess.ref(name)}={y.ref(name)},1,0)",
            f"network.correct[{s}]",
            style=styles.count,
        )
    end = table.top + samples
    label = table.left + 1
    count = sheet.formula(
        sheet.result_cell(end, label, "N"),
        f"ROWS({table.col_range(2, name)})",
        "network.loss_count",
        style=styles.count,
    )
    loss = sheet.formula(
        sheet.result_cell(end + 1, label, "mean L"),
        f"AVERAGE({table.col_range(2, name)})",
        "network.loss",
        style=styles.result,
    )
    right = sheet.formula(
        sheet.result_cell(end, label + 2, "Σ correct"),
        f"SUM({table.col_range(4, name)})",
        "network.correct_count",
        style=styles.count,
    )
    accuracy = sheet.formula(
        sheet.result_cell(end + 1, label + 2, "accuracy"),
        f"AVERAGE({table.col_range(4, name)})",
        "network.accuracy",
        style=styles.result,
    )
    accuracy_count(
        sheet,
        sheet.result_cell(end + 2, label + 2, "as a count"),
        right,
        count,
        network.correct_count or 0,
    )

    row = end + 3
    sheet.text(row, 0, "Where the chain rule starts: ∂L/∂z = (p - Y) / N", styles.heading)
    one_hot, gradient = side_by_side(
        sheet,
        row + 1,
        samples,
        [("Y: one-hot of y", per_class), ("∂L/∂z = (p - Y) / N", per_class)],
    )
    for s in range(samples):
        y = table.cell(s, 0).ref(name)
        for c in range(classes):
            hot = sheet.formula(
                one_hot.cell(s, c),
                f"IF({y}={c},1,0)",
                f"network.one_hot[{s}][{c}]",
                style=styles.count,
            )
            sheet.formula(
                gradient.cell(s, c),
                f"({p.cell(s, c).ref(name)}-{hot.ref(name)})/{count.ref(name)}",
                f"network.prediction_gradient[{s}][{c}]",
            )
    classes_block = Block(name, table.top, table.left, samples, 1)
    return CrossEntropyCells(classes_block, gradient, loss, accuracy)

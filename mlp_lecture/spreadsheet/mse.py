"""The mean squared error's sheets: the teacher's table, then the same after the step."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlp_lecture.spreadsheet.cells import Block, Cell, Sheet
from mlp_lecture.spreadsheet.forward import Names
from mlp_lecture.spreadsheet.losses import ChainStart, write_loss_change

__all__ = ["MseCells", "write_mse_loss"]


@dataclass(frozen=True)
class MseCells:
    """Where the Loss sheet keeps what the Gradients and Step sheets use."""

    targets: dict[tuple[int, int], Cell]  # (sample, output) -> y
    errors: dict[tuple[int, int], Cell]  # (sample, output) -> y - y_hat
    count: Cell  # how many squared errors the mean runs over
    loss: Cell  # the mean
    # the count's name (mlpmath.notation): N samples; with several outputs N·outputs
    count_name: str = "N"
    start: ChainStart = field(init=False)

    def __post_init__(self) -> None:
        over = self.count_name if self.count_name == "N" else f"({self.count_name})"
        start = ChainStart(
            title=f"∂L/∂ŷ = -2/{over} (y - ŷ)",
            note=f"Output layer (ChainRule): ∂L/∂w = -2/{over} Σᵢ (y⁽ⁱ⁾ - ŷ⁽ⁱ⁾) f'(n⁽ⁱ⁾) g⁽ⁱ⁾, "
            "g the activations feeding it, n its pre-activation (no f' without an "
            "activation).",
            cells=self.errors,
            shown="y - ŷ",
            path="network.errors[{s}][{o}]",
            coefficient="-2",
            count=self.count,
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
        """``y``, ``ŷ_new``, ``y - ŷ_new``, its square; the new mean and its change."""
        styles, name = sheet.styles, sheet.name
        sheet.text(row, 0, "The loss with the new parameters", styles.heading)
        row += 1
        for c, header in enumerate(["i", "y", "ŷ_new", "y - ŷ_new", "(y - ŷ_new)²"]):
            sheet.text(row, c, header, styles.header)
        squares = []
        for r, (s, o) in enumerate(self.targets):
            at = row + 1 + r
            target = sheet.value(f"network.target[{s}][{o}]")
            error = target - predicted[s][o]
            sheet.text(at, 0, names.loss_row(s, o), styles.label)
            y = sheet.formula(
                Cell(name, at, 1), self.targets[s, o].ref(name), f"network.target[{s}][{o}]"
            )
            y_hat = sheet.formula(
                Cell(name, at, 2),
                prediction.cell(s, o).ref(name),
                f"network.training.predictions[1][{s}][{o}]",
            )
            e = sheet.formula(
                Cell(name, at, 3),
                f"{y.ref(name)}-{y_hat.ref(name)}",
                value=error,
                note="y - ŷ after the step",
            )
            squares.append(
                sheet.formula(
                    Cell(name, at, 4),
                    f"{e.ref(name)}^2",
                    value=error**2,
                    note="(y - ŷ)² after the step",
                )
            )
        end = row + 1 + len(squares)
        new = sheet.formula(
            sheet.result_cell(end, 3, "mean L_new"),
            f"SUM({squares[0].ref(name)}:{squares[-1].ref(name)})/{self.count.ref(name)}",
            "network.training.losses[1]",
            style=styles.result,
        )
        write_loss_change(sheet, end + 1, 3, new, self.loss)


def write_mse_loss(sheet: Sheet, names: Names, prediction: Block) -> MseCells:
    """The teacher's table: ``y``, ``ŷ``, ``y - ŷ``, ``(y - ŷ)²``; their sum and mean."""
    network = sheet.trace.network
    styles, name = sheet.styles, sheet.name
    outputs = network.sizes[-1]
    # the count by the notation's N (the samples); several outputs average N·outputs terms
    count_name = "N" if outputs == 1 else "N·outputs"
    over = count_name if outputs == 1 else f"({count_name})"
    row = sheet.title(
        f"How it learns: the loss L = 1/{over} Σ (y - ŷ)²",
        "y are the lesson's targets (inputs); ŷ is the Layers sheet's last output.",
        "N is the number of samples"
        + ("" if outputs == 1 else ", N·outputs the squared errors averaged")
        + "; the mean is the MSE torch prints.",
    )
    headers = ["i", "y", "ŷ", "y - ŷ", "(y - ŷ)²"]
    for c, header in enumerate(headers):
        sheet.text(row, c, header, styles.header)
    top = row + 1
    targets, errors, squares = {}, {}, []
    entries = [(s, o) for s in range(network.samples) for o in range(outputs)]
    for r, (s, o) in enumerate(entries):
        at = top + r
        sheet.text(at, 0, names.loss_row(s, o), styles.label)
        y = sheet.input(Cell(name, at, 1), f"network.target[{s}][{o}]")
        y_hat = sheet.formula(
            Cell(name, at, 2), prediction.cell(s, o).ref(name), f"network.prediction[{s}][{o}]"
        )
        error = sheet.formula(
            Cell(name, at, 3), f"{y.ref(name)}-{y_hat.ref(name)}", f"network.errors[{s}][{o}]"
        )
        squares.append(
            sheet.formula(
                Cell(name, at, 4), f"{error.ref(name)}^2", f"network.squared_errors[{s}][{o}]"
            )
        )
        targets[s, o], errors[s, o] = y, error
    end = top + len(entries)
    column = f"{squares[0].ref(name)}:{squares[-1].ref(name)}"
    sheet.text(end, 3, "sum S", styles.label)
    total = sheet.formula(Cell(name, end, 4), f"SUM({column})", "network.squared_error_sum")
    sheet.text(end + 1, 3, count_name, styles.label)
    count = sheet.formula(
        Cell(name, end + 1, 4), f"ROWS({column})", "network.loss_count", style=styles.count
    )
    sheet.text(end + 2, 3, f"mean L = S / {over}", styles.label)
    loss = sheet.formula(
        Cell(name, end + 2, 4),
        f"{total.ref(name)}/{count.ref(name)}",
        "network.loss",
        style=styles.result,
    )
    return MseCells(targets, errors, count, loss, count_name)

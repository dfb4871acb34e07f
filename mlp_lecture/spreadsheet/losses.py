"""What the loss gives the sheets after it: the seam where the workbook asks "which loss".

Each loss writes its own Loss sheet (:mod:`.mse`, :mod:`.cross_entropy`) and
returns :class:`LossCells`: the loss's cell, where the chain rule starts
(``dL/d(prediction)``; from there on the Gradients sheet is the same for every
loss) and how to write the loss again after the Step sheet's step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from mlp_lecture.spreadsheet.cells import Block, Cell, Sheet

if TYPE_CHECKING:
    from mlp_lecture.spreadsheet.forward import Names

__all__ = ["ChainStart", "LossCells", "write_loss_change"]


@dataclass(frozen=True)
class ChainStart:
    """Where the output layer's chain rule starts, as the loss gives it.

    ``cells`` are the Loss sheet's cells it is made of, per (sample, output).
    With ``shown`` they are copied onto the Gradients sheet under that title and
    scaled by ``coefficient / count`` (MSE: ``y - ŷ``, times ``-2/N``, and each
    output gradient is ``-2/N Σ (y - ŷ) f' g`` as ChainRule derives it); without,
    they are ``dL/d(prediction)`` itself (cross-entropy's ``(p - Y) / N``) and the
    output layer's gradients are ``Σ δ g`` as a hidden layer's.
    """

    title: str  # the upstream block's title on the Gradients sheet
    note: str  # the Gradients sheet's line about the output layer
    cells: dict[tuple[int, int], Cell]
    shown: str | None = None  # the title the cells are copied under first, if any
    path: str = ""  # the shown cells' trace path, e.g. "network.errors[{s}][{o}]"
    coefficient: str = "1"
    count: Cell | None = None

    def scale(self, here: str) -> str:
        """``-2/N`` as a formula's factor on sheet ``here`` ("" when there is none)."""
        if self.count is None:
            return ""
        return f"{self.coefficient}/{self.count.ref(here)}*"


class LossCells(Protocol):
    """What a loss's sheet leaves for the Gradients and Step sheets."""

    loss: Cell  # the mean: network.loss
    start: ChainStart

    def write_after_step(
        self,
        sheet: Sheet,
        row: int,
        prediction: Block,
        predicted: list[list[float]],
        names: Names,
    ) -> None:
        """The loss again on the Step sheet, from ``prediction`` (the new outputs' cells;
        ``predicted`` their values, cached with the formulas)."""


def write_loss_change(sheet: Sheet, row: int, col: int, new: Cell, old_loss: Cell) -> int:
    """``L before the step`` and ``L_new - L`` under the new loss; the next free row."""
    name = sheet.name
    old = sheet.formula(
        sheet.result_cell(row, col, "L before the step"), old_loss.ref(name), "network.loss"
    )
    sheet.formula(
        sheet.result_cell(row + 1, col, "L_new - L"),
        f"{new.ref(name)}-{old.ref(name)}",
        value=sheet.value("network.training.losses[1]") - sheet.value("network.loss"),
        note="L_new - L: negative when the step lowered the loss",
    )
    return row + 2

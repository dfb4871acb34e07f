"""The workbook: every number of a lesson as a live spreadsheet formula.

One sheet per part of the lecture, in lecture order: Neuron, Layers, Loss,
Gradients, Step, Training. Only the lesson's own numbers (weights, biases,
data, targets or classes, learning rate) are constants, in marked input cells;
every other cell is a formula over them, written with its cached value (the
trace's) and its trace path as the cell's comment. The Training sheet alone
holds values copied from the trace (the whole training run), and says so.

The Loss sheet is the lesson's loss's (:data:`LOSS_SHEETS`: the MSE table, or
cross-entropy's softmax, loss, accuracy and ``∂L/∂z``); from ``∂L/∂(prediction)``
on, the Gradients and Step sheets are the same for every loss.

Example
-------
>>> from mlpmath import load_lesson
>>> from mlp_lecture.spreadsheet import write_workbook
>>> write_workbook(load_lesson(None), "workbook.xlsx")  # doctest: +SKIP
PosixPath('workbook.xlsx')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mlp_lecture.spreadsheet.backward import write_gradients, write_step, write_training
from mlp_lecture.spreadsheet.cells import Sheet, Styles
from mlp_lecture.spreadsheet.cross_entropy import write_cross_entropy_loss
from mlp_lecture.spreadsheet.forward import Names, write_layers, write_neurons
from mlp_lecture.spreadsheet.mse import write_mse_loss
from mlp_lecture.written_aside import written_aside
from mlpmath import Lesson, Trace, cached_trace

if TYPE_CHECKING:
    from mlp_lecture.spreadsheet.cells import Block
    from mlp_lecture.spreadsheet.losses import LossCells

__all__ = [
    "LOSS_SHEETS",
    "SHEETS",
    "default_workbook_path",
    "write_trace_workbook",
    "write_workbook",
]

SHEETS = ("Neuron", "Layers", "Loss", "Gradients", "Step", "Training")


class LossSheet(Protocol):
    def __call__(self, sheet: Sheet, names: Names, prediction: Block) -> LossCells: ...


# The one place the workbook asks "which loss": mlpmath's loss name -> its Loss sheet.
LOSS_SHEETS: dict[str, LossSheet] = {
    "mse": write_mse_loss,
    "cross_entropy": write_cross_entropy_loss,
}


def default_workbook_path(lesson: Lesson) -> Path:
    """``renders/<lesson>/workbook.xlsx``: beside the lesson's renders."""
    from mlp_lecture.pipeline.options import lesson_folder

    return lesson_folder(lesson) / "workbook.xlsx"


def write_workbook(lesson: Lesson, path: str | Path) -> Path:
    """Compute ``lesson`` and write its workbook to ``path`` (an ``.xlsx`` file).

    Returns the path written. The file is written aside and moved into place,
    so a failed write leaves no half file.
    """
    return write_trace_workbook(cached_trace(lesson), path)


def write_trace_workbook(trace: Trace, path: str | Path) -> Path:
    """Write the workbook of an already computed ``trace`` to ``path``.

    The Loss sheet is the one :data:`LOSS_SHEETS` gives the lesson's loss.
    """
    import xlsxwriter

    write_loss = LOSS_SHEETS[trace.network.loss_function]

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with written_aside(path) as partial:
        workbook = xlsxwriter.Workbook(str(partial), {"in_memory": True})
        workbook.set_properties(
            {"title": f"{trace.title}: the workbook", "comments": "written by mlp-lecture"}
        )
        styles = Styles(workbook, trace.decimals)
        sheets = {name: Sheet(workbook, name, trace, styles) for name in SHEETS}
        names = Names(trace.network.sizes, trace.network.class_names)
        write_neurons(sheets["Neuron"])
        layers = write_layers(sheets["Layers"], names)
        loss = write_loss(sheets["Loss"], names, layers[-1].output)
        gradients = write_gradients(sheets["Gradients"], names, layers, loss)
        write_step(sheets["Step"], layers, loss, gradients, names)
        write_training(sheets["Training"], workbook)
        for sheet in sheets.values():
            sheet.for_printing()
        workbook.close()
    return path

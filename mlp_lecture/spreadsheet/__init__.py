"""The workbook: every number of a lesson as a live spreadsheet formula.

One sheet per part of the lecture, in lecture order: Neuron, Layers, Loss,
Gradients, Step, Training. Only the lesson's own numbers (weights, biases,
data, targets, learning rate) are constants, in marked input cells; every
other cell is a formula over them, written with its cached value (the trace's)
and its trace path as the cell's comment. The Training sheet alone holds
values copied from the trace (the whole training run), and says so.

Example
-------
>>> from mlpmath import load_lesson
>>> from mlp_lecture.spreadsheet import write_workbook
>>> write_workbook(load_lesson(None), "workbook.xlsx")  # doctest: +SKIP
PosixPath('workbook.xlsx')
"""

from __future__ import annotations

from pathlib import Path

from mlp_lecture.spreadsheet.backward import write_gradients, write_step, write_training
from mlp_lecture.spreadsheet.cells import Sheet, Styles
from mlp_lecture.spreadsheet.forward import Names, write_layers, write_loss, write_neurons
from mlpmath import Lesson, LessonError, Trace, cached_trace

__all__ = ["SHEETS", "default_workbook_path", "write_trace_workbook", "write_workbook"]

SHEETS = ("Neuron", "Layers", "Loss", "Gradients", "Step", "Training")


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

    Its sheets are the MSE lecture's: a classification lesson is refused
    (``LessonError``, one line) before anything is written.
    """
    if trace.network.is_classification:
        raise LessonError(
            f"{trace.lesson}: network.loss is {trace.network.loss_function!r}; the workbook "
            'shows regression lessons (loss = "mse") only, for now'
        )
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    workbook = xlsxwriter.Workbook(str(partial), {"in_memory": True})
    try:
        workbook.set_properties(
            {"title": f"{trace.title}: the workbook", "comments": "written by mlp-lecture"}
        )
        styles = Styles(workbook, trace.decimals)
        sheets = {name: Sheet(workbook, name, trace, styles) for name in SHEETS}
        names = Names(trace.network.sizes)
        write_neurons(sheets["Neuron"])
        layers = write_layers(sheets["Layers"], names)
        loss = write_loss(sheets["Loss"], names, layers[-1].output)
        gradients = write_gradients(sheets["Gradients"], names, layers, loss)
        write_step(sheets["Step"], layers, loss, gradients, names)
        write_training(sheets["Training"], workbook)
        workbook.close()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path

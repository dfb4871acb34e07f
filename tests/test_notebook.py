"""The example notebook runs, headless, in a real kernel, and its outputs hold the clips.

``examples/your_network.ipynb`` is executed by nbclient in an IPython kernel
running this very Python (the project's .venv), in a temporary directory,
so its renders land there. Any cell error fails the test.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "your_network.ipynb"
KERNEL = "mlp-lecture-test"


def _kernel_manager(folder: Path):
    """A kernel manager whose only kernel is ``sys.executable -m ipykernel_launcher``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "mlp-lecture (.venv)",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_spec_manager=specs, kernel_name=KERNEL)


def _outputs(notebook, kind: str) -> list[str]:
    """Every ``kind`` output (e.g. text/html) of every cell, as text."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if kind == "stream" and output.get("output_type") == "stream":
                found.append(output.get("text", ""))
            data = output.get("data", {})
            if kind in data:
                value = data[kind]
                found.append(value if isinstance(value, str) else "".join(value))
    return found


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        km=_kernel_manager(folder / "jupyter"),
        timeout=900,
        allow_errors=False,  # any cell error fails
        resources={"metadata": {"path": str(folder)}},  # the kernel's working directory
    )
    client.execute()
    nbformat.write(notebook, folder / "executed.ipynb")
    return folder, notebook


def test_the_example_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_the_notebook_runs_and_its_outputs_hold_both_clips(executed):
    folder, notebook = executed
    html = "\n".join(_outputs(notebook, "text/html"))
    clips = re.findall(r"src='data:video/mp4;base64,([A-Za-z0-9+/=]{1000,})'", html)
    assert len(clips) == 2, "one embedded clip per rendered scene"
    import base64

    for clip in clips:
        assert base64.b64decode(clip)[4:8] == b"ftyp"  # an mp4 file, whole
    assert "The activation" in html  # the scenes' own titles head their clips
    assert "One neuron" in html or "many samples" in html or "NeuronBatch" in html
    # the clips were rendered into the kernel's working directory
    rendered = folder / "renders" / "your_network"
    assert (rendered / "Activation.mp4").is_file()
    assert (rendered / "NeuronBatch.values.json").is_file()


def test_the_notebook_shows_the_lesson_verifies_and_sees_a_number_change(executed):
    _, notebook = executed
    html = "\n".join(_outputs(notebook, "text/html"))
    assert "Understand MLP" in html and "Network 2 → 3 → 2 → 1" in html  # the lesson's tables
    assert "shown values agree with the trace" in html  # verify
    text = "\n".join(_outputs(notebook, "stream"))
    change = re.search(r"n3 for sample 1: (\S+) -> (\S+)", text)
    assert change and change.group(1) != change.group(2)
    loss = re.search(r"loss: +(\S+) -> (\S+)\ntorch's own: +(\S+)", text)
    assert loss and loss.group(1) != loss.group(2)
    assert loss.group(2) == loss.group(3)  # the changed lesson is the changed model

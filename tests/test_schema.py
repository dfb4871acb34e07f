"""The trace's schema (``mlpmath.schema``) says what real traces hold.

Every field has a meaning (its comment), and what the schema says a loss
leaves empty is what a trace of that loss holds, checked on real traces of
both shipped lessons and of random classifiers, read through ``to_dict``
(what ``trace --json`` writes) rather than through the schema.
"""

from __future__ import annotations

import dataclasses

import pytest
from conftest import LESSONS

from mlpmath import compute_trace, default_lesson, load_lesson, resolve
from mlpmath import trace as records
from mlpmath.schema import empty_fields, field_meanings, trace_paths

TRACES = {
    "mse": lambda: compute_trace(default_lesson()),
    "cross_entropy": lambda: compute_trace(load_lesson(LESSONS / "classify.toml")),
}


@pytest.fixture(scope="module")
def traces():
    return {loss: make().to_dict() for loss, make in TRACES.items()}


def _records(record: type) -> set[type]:
    found = {record}
    for item in dataclasses.fields(record):
        for hint in (item.type, *getattr(item.type, "__args__", ())):
            if isinstance(hint, type) and dataclasses.is_dataclass(hint):
                found |= _records(hint)
    return found


def test_every_field_of_every_record_has_its_meaning():
    records_found = {
        getattr(records, name)
        for name in records.__all__
        if dataclasses.is_dataclass(getattr(records, name))
    }
    assert records.NetworkTrace in records_found and records.SoftmaxTrace in records_found
    for record in records_found:
        meanings = field_meanings(record)
        for item in dataclasses.fields(record):
            assert meanings.get(item.name), f"{record.__name__}.{item.name}: no comment"


def test_every_path_resolves_in_a_trace_of_the_loss_that_fills_it(traces):
    for item in trace_paths():
        losses = [item.loss] if item.loss else list(traces)
        concrete = item.path
        for letter in "ijklm":
            concrete = concrete.replace(f"[{letter}]", "[0]")
        for loss in losses:
            value = resolve(traces[loss], concrete)
            assert value not in ([], None), f"{item.path} is empty in a {loss} trace"


@pytest.mark.parametrize("loss", list(TRACES))
def test_the_other_loss_fields_are_empty_as_the_schema_says(traces, loss):
    data = traces[loss]
    network_empty = empty_fields(records.NetworkTrace, loss)
    training_empty = empty_fields(records.TrainingTrace, loss)
    assert network_empty  # each loss leaves the other's fields
    for name, empty in network_empty.items():
        assert data["network"][name] == empty, name
    for name, empty in training_empty.items():
        assert data["network"]["training"][name] == empty, name
    # and nothing else in the network is empty: the schema names all of them
    for name, value in data["network"].items():
        if name not in network_empty:
            assert value not in ([], None), name


def test_a_field_without_a_comment_has_no_meaning():
    @dataclasses.dataclass(frozen=True)
    class Probe:
        told: float  # what it is
        # the line above says it
        above: float
        silent: float

    assert field_meanings(Probe) == {
        "told": "what it is",
        "above": "the line above says it",
        "silent": "",
    }

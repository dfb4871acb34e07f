"""The ledger: what a scene showed, and the checks that keep it honest.

Every traced piece writes here the path, the full-precision value and the
exact text it puts on screen; every worked sum or product writes the texts a
viewer would add or multiply by hand. ``mlp-lecture verify`` and the audit
test check these records against a fresh trace. No manim here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlpmath import PathError, Trace, format_number, jsonable, resolve
from mlpmath.display import relation

__all__ = ["Ledger", "LedgerEntry", "WorkedRelation", "check_ledger", "read_ledger"]

LEDGER_SUFFIX = ".values.json"


@dataclass
class LedgerEntry:
    path: str
    value: float
    text: str
    step: str
    mobject: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "value": self.value, "text": self.text, "step": self.step}


@dataclass
class WorkedRelation:
    """Shown arithmetic and its shown result: what a viewer checks by hand.

    ``expression`` is the arithmetic exactly as shown (``(w)*(x) + ...``, digits in place),
    ``relation`` the sign the scene wrote between it and ``total``.
    """

    expression: str
    total: str
    relation: str
    step: str
    mobject: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "total": self.total,
            "relation": self.relation,
            "step": self.step,
        }


@dataclass
class Ledger:
    """What one scene shows, step by step."""

    entries: list[LedgerEntry] = field(default_factory=list)
    relations: list[WorkedRelation] = field(default_factory=list)
    title: str = ""  # the scene's title, in words
    step: str = ""

    def record(self, mobject: Any, path: str, value: float, text: str) -> None:
        self.entries.append(LedgerEntry(path, value, text, self.step, mobject))

    def record_relation(self, mobject: Any, expression: str, total: str, sign: str) -> None:
        self.relations.append(WorkedRelation(expression, total, sign, self.step, mobject))

    def entries_of(self, mobject: Any) -> list[LedgerEntry]:
        return [entry for entry in self.entries if entry.mobject is mobject]

    def to_json(self, scene: str, lesson: str, shown: set[int] | None = None) -> dict[str, Any]:
        """The ledger file's content; ``shown`` limits it to mobjects put on screen."""

        def on_screen(record: LedgerEntry | WorkedRelation) -> bool:
            if shown is None:
                return True
            family = getattr(record.mobject, "get_family", lambda: [record.mobject])()
            return any(id(member) in shown for member in family)

        return jsonable(
            {
                "scene": scene,
                "lesson": lesson,
                "title": self.title,
                "values": [e.to_json() for e in self.entries if on_screen(e)],
                "relations": [r.to_json() for r in self.relations if on_screen(r)],
            }
        )


def _same_number(recorded: Any, true_value: float) -> bool:
    """Equal to the last bit that matters; a non-finite trace value is recorded as null."""
    if not math.isfinite(true_value):
        return recorded is None
    return isinstance(recorded, int | float) and math.isclose(
        recorded, true_value, rel_tol=1e-12, abs_tol=1e-12
    )


def read_ledger(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_ledger(trace: Trace, ledger: dict[str, Any]) -> list[str]:
    """Every way a ledger disagrees with the trace, one line each (empty: all good)."""
    problems = []
    scene = ledger.get("scene", "?")
    for entry in ledger.get("values", []):
        path, value, text = entry.get("path"), entry.get("value"), entry.get("text")
        try:
            true_value = resolve(trace, path)
        except PathError as error:
            problems.append(f"{scene}: {error}")
            continue
        if not isinstance(true_value, int | float) or isinstance(true_value, bool):
            problems.append(f"{scene}: {path} is not a number in the trace")
            continue
        if not _same_number(value, true_value):
            problems.append(f"{scene}: {path} recorded {value!r} but the trace has {true_value!r}")
        shown = format_number(true_value, trace.decimals)
        if not isinstance(text, str) or text.replace("\u2212", "-") != shown:
            problems.append(f"{scene}: {path} shows {text!r}, but the trace has {shown!r}")
    for worked in ledger.get("relations", []):
        try:
            truth = relation(worked["expression"], worked["total"])
        except (KeyError, ValueError, ArithmeticError) as error:
            problems.append(f"{scene}: unreadable worked arithmetic {worked!r} ({error})")
            continue
        if worked["relation"] != truth:
            problems.append(
                f"{scene}: shows {worked['expression']} {worked['relation']} {worked['total']}, "
                f"but by hand it is {truth}"
            )
    return problems

"""The ledger: what a scene showed, and the file that proves it.

Every traced piece records here the path, the full-precision value and the
exact text it puts on screen; every worked sum or product records the texts
a viewer would add or multiply by hand. After a render the record becomes a
``LedgerFile`` (``<Scene>.values.json``): this module is the one owner of that
format. The render pipeline writes it, ``mlp-lecture verify`` and the slides
read it, and ``check_ledger`` holds it against a fresh trace. No manim here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mlpmath import PathError, Trace, jsonable, resolve
from mlpmath.display import relation, shown_text
from mlpmath.files import FileRefused, read_regular

__all__ = [
    "LEDGER_SUFFIX",
    "MAX_LEDGER_BYTES",
    "AuditRecord",
    "Ledger",
    "LedgerEntry",
    "LedgerFile",
    "LedgerFormatError",
    "LedgerSection",
    "ShownValue",
    "WorkedRelation",
    "check_ledger",
    "read_ledger",
]

LEDGER_SUFFIX = ".values.json"
# The most a ledger file may be: a scene shows at most a few hundred values,
# about 150 bytes each; a larger file is refused before it is read.
MAX_LEDGER_BYTES = 16_000_000

T = TypeVar("T")


class LedgerFormatError(ValueError):
    """A ledger file that does not hold what the format says; names the field."""


# -- recording while a scene is built ---------------------------------------------


@dataclass
class LedgerEntry:
    """One traced number a scene put into a mobject."""

    path: str
    value: float
    text: str
    step: str
    mobject: Any = field(default=None, compare=False, repr=False)


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
        """The file's record: the four texts, not the mobject they were shown in."""
        return {
            "expression": self.expression,
            "total": self.total,
            "relation": self.relation,
            "step": self.step,
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> WorkedRelation:
        data = _object(data, where)
        return cls(
            expression=_field(data, "expression", str, where),
            total=_field(data, "total", str, where),
            relation=_field(data, "relation", str, where),
            step=_field(data, "step", str, where, default=""),
        )


@dataclass
class Ledger:
    """What one scene shows, step by step, while it is being built."""

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

    def shown_entries(self, shown: set[int] | None) -> list[int]:
        """Indices of the entries whose mobject was on screen (``shown``: ids ever shown)."""
        return [i for i, entry in enumerate(self.entries) if _on_screen(entry.mobject, shown)]

    def to_file(self, scene: str, lesson: str, shown: set[int] | None = None) -> LedgerFile:
        """The ledger file's content; ``shown`` limits it to mobjects put on screen."""
        return LedgerFile(
            scene=scene,
            lesson=lesson,
            title=self.title,
            values=[
                ShownValue(entry.path, _finite_or_none(entry.value), entry.text, entry.step)
                for entry in (self.entries[i] for i in self.shown_entries(shown))
            ],
            relations=[r for r in self.relations if _on_screen(r.mobject, shown)],
        )


def _on_screen(mobject: Any, shown: set[int] | None) -> bool:
    if shown is None:
        return True
    family = getattr(mobject, "get_family", lambda: [mobject])()
    return any(id(member) in shown for member in family)


def _finite_or_none(value: float) -> float | None:
    return jsonable(value)


# -- the ledger file --------------------------------------------------------------


@dataclass
class ShownValue:
    """A number on screen: its trace path, full-precision value (None: inf/NaN), its text."""

    path: str
    value: float | None
    text: str
    step: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> ShownValue:
        data = _object(data, where)
        value = data.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise LedgerFormatError(f"{where}.value: expected a number or null")
        return cls(
            path=_field(data, "path", str, where),
            value=value,
            text=_field(data, "text", str, where),
            step=_field(data, "step", str, where, default=""),
        )


@dataclass
class LedgerSection:
    """One step of the clip (a Manim section): its clip and the values it shows."""

    index: int
    name: str  # Manim's section name
    step: str  # the step's caption ("" before the first step)
    file: str | None  # the step's own clip, relative to the render directory
    duration: float | None
    values: list[int]  # indices into the ledger's values on screen during the step

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> LedgerSection:
        data = _object(data, where)
        values = _field(data, "values", list, where, default=[])
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in values):
            raise LedgerFormatError(f"{where}.values: expected whole numbers")
        duration = data.get("duration")
        if duration is not None and not isinstance(duration, int | float):
            raise LedgerFormatError(f"{where}.duration: expected a number or null")
        file = data.get("file")
        if file is not None and not isinstance(file, str):
            raise LedgerFormatError(f"{where}.file: expected a file name or null")
        return cls(
            index=_field(data, "index", int, where),
            name=_field(data, "name", str, where, default=""),
            step=_field(data, "step", str, where, default=""),
            file=file,
            duration=duration,
            values=values,
        )


@dataclass
class AuditRecord:
    """What the audit inside the render found wrong with the scene (empty: nothing)."""

    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str) -> AuditRecord:
        problems = _field(_object(data, where), "problems", list, where, default=[])
        if not all(isinstance(problem, str) for problem in problems):
            raise LedgerFormatError(f"{where}.problems: expected lines of text")
        return cls(problems)


@dataclass
class LedgerFile:
    """``<Scene>.values.json``: every number a clip shows, and how it was checked."""

    scene: str
    lesson: str
    title: str = ""
    values: list[ShownValue] = field(default_factory=list)
    relations: list[WorkedRelation] = field(default_factory=list)
    sections: list[LedgerSection] = field(default_factory=list)
    audit: AuditRecord = field(default_factory=AuditRecord)

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.scene,
            "lesson": self.lesson,
            "title": self.title,
            "values": [value.to_json() for value in self.values],
            "relations": [worked.to_json() for worked in self.relations],
            "sections": [section.to_json() for section in self.sections],
            "audit": self.audit.to_json(),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, allow_nan=False)

    @classmethod
    def from_json(cls, data: Any) -> LedgerFile:
        """Read a parsed ledger; raises ``LedgerFormatError`` naming the first bad field."""
        data = _object(data, "ledger")
        return cls(
            scene=_field(data, "scene", str, "ledger"),
            lesson=_field(data, "lesson", str, "ledger"),
            title=_field(data, "title", str, "ledger", default=""),
            values=_items(data, "values", ShownValue.from_json),
            relations=_items(data, "relations", WorkedRelation.from_json),
            sections=_items(data, "sections", LedgerSection.from_json),
            audit=AuditRecord.from_json(data.get("audit", {}), "audit"),
        )


def read_ledger(path: Path) -> LedgerFile:
    """The ledger file at ``path``; ``LedgerFormatError`` (naming the field) when it is not one,
    or is a symlink, not a regular file or over ``MAX_LEDGER_BYTES`` (refused before reading)."""
    try:
        raw = read_regular(path, MAX_LEDGER_BYTES)
    except FileRefused as error:
        raise LedgerFormatError(str(error)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise LedgerFormatError(f"not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise LedgerFormatError("nested too deeply to be a ledger") from None
    except json.JSONDecodeError as error:
        raise LedgerFormatError(f"not JSON ({error.msg}, line {error.lineno})") from None
    return LedgerFile.from_json(data)


def _object(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise LedgerFormatError(f"{where}: expected an object, got {_kind(data)}")
    return data


_MISSING: Any = object()


def _field(data: dict[str, Any], key: str, kind: type[T], where: str, default: Any = _MISSING) -> T:
    if key not in data:
        if default is _MISSING:
            raise LedgerFormatError(f"{where}.{key}: missing")
        return default
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise LedgerFormatError(f"{where}.{key}: expected {kind.__name__}, got {_kind(value)}")
    return value


def _items(data: dict[str, Any], key: str, read: Callable[[Any, str], T]) -> list[T]:
    items = _field(data, key, list, "ledger", default=[])
    return [read(item, f"{key}[{i}]") for i, item in enumerate(items)]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


# -- checking against the trace ------------------------------------------------------


def _same_number(recorded: float | None, true_value: float) -> bool:
    """Equal to the last bit that matters; a non-finite trace value is recorded as null."""
    if not math.isfinite(true_value):
        return recorded is None
    return recorded is not None and math.isclose(recorded, true_value, rel_tol=1e-12, abs_tol=1e-12)


def check_ledger(trace: Trace, ledger: LedgerFile) -> list[str]:
    """Every way a ledger disagrees with the trace, one line each (empty: all good)."""
    problems = []
    scene = ledger.scene
    for entry in ledger.values:
        try:
            true_value = resolve(trace, entry.path)
        except PathError as error:
            problems.append(f"{scene}: {error}")
            continue
        if not isinstance(true_value, int | float) or isinstance(true_value, bool):
            problems.append(f"{scene}: {entry.path} is not a number in the trace")
            continue
        if not _same_number(entry.value, true_value):
            problems.append(
                f"{scene}: {entry.path} recorded {entry.value!r} but the trace has {true_value!r}"
            )
        shown = shown_text(entry.path, true_value, trace.decimals)
        if entry.text.replace("\u2212", "-") != shown:
            problems.append(
                f"{scene}: {entry.path} shows {entry.text!r}, but the trace has {shown!r}"
            )
    for worked in ledger.relations:
        try:
            truth = relation(worked.expression, worked.total)
        except (ValueError, ArithmeticError, RecursionError) as error:
            problems.append(
                f"{scene}: unreadable worked arithmetic {worked.expression!r} ({error})"
            )
            continue
        if worked.relation != truth:
            problems.append(
                f"{scene}: shows {worked.expression} {worked.relation} {worked.total}, "
                f"but by hand it is {truth}"
            )
    return problems

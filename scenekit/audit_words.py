"""How an audit problem names what it found, from the scene's side.

A problem line says which scene and step, what is wrong, which texts (by the
trace paths they show, else a few of their characters, never a formula's
whole Typst source), and where on the frame: enough to find it in the clip
without reading the scene's code. ``scenekit.audit``, ``scenekit.shape_audit``
and ``scenekit.composition`` write their lines with these.
"""

from __future__ import annotations

from typing import Any

from manim import config

__all__ = ["MAX_QUOTED", "at_step", "placed", "quoted_text", "text_named"]

MAX_QUOTED = 40  # characters of a text quoted in a problem, at most
MAX_PATHS = 2  # trace paths named for one text; the rest are counted


def at_step(scene: Any) -> str:
    """``ForwardPass, step 3 ('the first layer, all samples')``: the scene and the step
    being played (its number, from 1, and the start of its caption)."""
    name = type(scene).__name__
    steps = getattr(scene, "steps", None) or []
    if not steps:
        return f"{name}, before the first step"
    return f"{name}, step {len(steps)} ({quoted_text(steps[-1])})"


def quoted_text(text: str, around: str | None = None) -> str:
    """``text`` on one line, quoted, cut to ``MAX_QUOTED`` characters (with ``…``), kept
    around the first ``around`` in it when given (the number a problem is about)."""
    flat = " ".join(str(text).split())
    if len(flat) > MAX_QUOTED:
        start = 0
        if around and around in flat:
            start = max(0, min(flat.index(around) - MAX_QUOTED // 2, len(flat) - MAX_QUOTED))
        cut = flat[start : start + MAX_QUOTED - 1]
        flat = ("…" if start else "") + cut + ("…" if start + len(cut) < len(flat) else "")
    return repr(flat)


def text_named(scene: Any, text: Any, source: str) -> str:
    """A text as a problem names it: ``the text of network.layers[0].bias[0]`` when it
    shows traced values (its ledger entries' paths), else ``the text 'ReLU(z) = …'``."""
    ledger = getattr(scene, "ledger", None)
    paths = list(dict.fromkeys(e.path for e in ledger.entries_of(text))) if ledger else []
    if paths:
        named = ", ".join(paths[:MAX_PATHS])
        more = len(paths) - MAX_PATHS
        return f"the text of {named}" + (f" and {more} more values" if more > 0 else "")
    return f"the text {quoted_text(source)}"


def placed(mobject: Any) -> str:
    """Where ``mobject``'s centre is, in thirds of the frame: ``at the top left``,
    ``at the middle``. Coarse on purpose: the same problem seen at several moments
    of one animation reads as one line."""
    x, y = (float(v) for v in mobject.get_center()[:2])
    third_x, third_y = config.frame_width / 6, config.frame_height / 6
    across = "left" if x < -third_x else "right" if x > third_x else "middle"
    down = "top" if y > third_y else "bottom" if y < -third_y else "middle"
    return "at the middle" if across == down == "middle" else f"at the {down} {across}"

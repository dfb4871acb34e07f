"""The output layer's error signal ``delta``, by the lesson's loss: Backpropagation's first step.

MSE's ``-2/N (y - hat(y))`` (through the output's activation), or cross-entropy's
``(P - Y) / N``: the formula, a note, and the tables that give each entry. Every
sample's row shows where the stage holds it: the formula over the tables when
that fits, else in lines beside them (``scenekit.room``); rows elide only when
neither holds them.
"""

from __future__ import annotations

from collections.abc import Callable

from manim import DOWN, RIGHT, FadeIn, VGroup, Write

from scenekit import style
from scenekit.formulas import Typst
from scenekit.learning import CLOSE_BRACKET, MINUS_TWO, OPEN_BRACKET
from scenekit.notation import activation_call, derivative
from scenekit.room import first_that_fits, place_on_stage, play_in_turn, rows_that_fit
from scenekit.terms import MINUS, OVER, TIMES, Checked, Term, Value
from scenekit.traced import TracedMath, TracedMatrix, TracedValues

__all__ = ["SAMPLE_COUNT", "chain_path", "checked_grid", "show_error_signal"]

SAMPLE_COUNT = "len(network.classes)"  # N, cross-entropy's mean's count
PROBABILITIES = "network.softmax.probabilities"


def chain_path(layer: int) -> str:
    """The trace's hand chain rule of ``layer``."""
    return f"network.chain_rule[{layer}]"


def checked_grid(
    traced: TracedValues,
    path: str,
    terms: Callable[[int, int], tuple[Term, ...]],
    color,
    **limits: int | None,
) -> TracedMatrix:
    """The matrix at ``path`` whose every entry is checked against ``terms(r, c)``."""
    rows, columns = traced.shape(path)
    return traced.grid(
        rows,
        columns,
        lambda r, c: Checked(terms(r, c), f"{path}[{r}][{c}]"),
        color=color,
        **limits,
    )


def show_error_signal(scene) -> None:
    """The output layer's delta, by the lesson's loss (``scene``: a LearningScene)."""
    show = scene.loss_view.pick(mse=_mse_signal, cross_entropy=_cross_entropy_signal)
    show(scene)


def _show(
    scene,
    formula: TracedMath,
    lines: TracedMath,
    note: Typst,
    tables: Callable[[int], VGroup],
    in_turn: Callable[[int], VGroup] | None = None,
) -> None:
    """``formula`` and ``note`` over ``tables(rows)``; else ``lines`` (the formula in
    lines) beside the tables, the note under them; else (with ``in_turn``: the
    tables as two groups, the second in the first's place) the formula and note over
    the first group, then the second in its place; every row where one fits."""

    def turned(rows: int, beside: bool = False) -> VGroup:
        first, second = in_turn(rows)
        second.move_to(first, aligned_edge=DOWN)
        stack = VGroup(first, second)
        stack.in_turn = True  # playback shows the two in turn
        if beside:
            return VGroup(lines, VGroup(stack, note).arrange(DOWN, buff=style.BLOCK_BUFF)).arrange(
                RIGHT, buff=style.BLOCK_BUFF * 2
            )
        return VGroup(formula, note, stack).arrange(DOWN, buff=style.BLOCK_BUFF)

    def layout(rows: int) -> VGroup | None:
        row = tables(rows)
        later = (
            []
            if in_turn is None
            else [(lambda: turned(rows), 1), (lambda: turned(rows, beside=True), 1)]
        )
        return first_that_fits(
            scene,
            [
                (lambda: VGroup(formula, note, row).arrange(DOWN, buff=style.BLOCK_BUFF), 1),
                (
                    lambda: VGroup(
                        lines, VGroup(row, note).arrange(DOWN, buff=style.BLOCK_BUFF)
                    ).arrange(RIGHT, buff=style.BLOCK_BUFF * 2),
                    1,
                ),
                *later,  # last: lessons whose tables fit side by side keep them so
            ],
        )

    def over(rows: int) -> VGroup:
        return VGroup(formula, note, tables(rows)).arrange(DOWN, buff=style.BLOCK_BUFF)

    whole = place_on_stage(scene, rows_that_fit(scene, layout, scene.trace.network.samples, over))
    if whole[0] is formula and getattr(whole[2], "in_turn", False):
        scene.play(Write(formula), FadeIn(note))
        play_in_turn(scene, *whole[2])
    elif whole[0] is formula:
        scene.play(Write(formula), FadeIn(note))
        scene.play(FadeIn(whole[2]))
    elif getattr(whole[1][0], "in_turn", False):
        tables_shown, note_shown = whole[1]
        scene.play(Write(lines), FadeIn(note_shown))
        play_in_turn(scene, *tables_shown)
    else:
        scene.play(Write(lines))
        scene.play(FadeIn(whole[1]))
    scene.pause()


def _mse_signal(scene) -> None:
    """MSE's error signal: ``-2/N (y - hat(y))``, through the output's activation (N
    the samples; with several outputs, N times the outputs)."""
    scene.step("The error signal: how the loss changes with the output's pre-activation")
    out, n = scene.output, scene.notation
    name = scene.trace.network.output_activation
    slope = "" if name == "none" else f" {activation_call(name)}'(n^((i)))"
    head, by = "delta^((i))", derivative("L", "n^((i))")
    rule = f"{n.over_count('-2')} (y^((i)) - hat(y)^((i))){slope}"
    # the count's value with its formula, not floating beside the matrices
    formula = scene.traced.math(
        f"{head} = {by} = {rule}", f", quad {n.mean_count()} =", Value("network.loss_count")
    )
    lines = scene.traced.math(  # the same in lines, to stand beside the tables
        f"{head} &= {by} \\\n &= {rule} \\\n {n.mean_count()} &=", Value("network.loss_count")
    )
    note = Typst(
        f"one entry per output; ${n.neuron(n.last, 0)} = n$ when the output has no activation"
        if name == "none"
        else "one entry per output",
        font_size=style.NOTE_SIZE,
        color=style.MUTED,
    )
    chain = chain_path(out)

    def terms(r: int, c: int) -> tuple[Term, ...]:
        shown: tuple[Term, ...] = (
            MINUS_TWO,
            OVER,
            Value("network.loss_count"),
            TIMES,
            Value(f"network.errors[{r}][{c}]"),
        )
        if name != "none":
            shown += (TIMES, Value(f"{chain}.activation_derivative[{r}][{c}]"))
        return shown

    def tables(rows: int) -> VGroup:
        errors = scene.traced.matrix("network.errors", color=style.CLAMPED, max_rows=rows)
        pieces = [scene.labelled(errors, "y - hat(y)")]
        if name != "none":
            pieces.append(
                scene.labelled(
                    scene.traced.matrix(f"{chain}.activation_derivative", max_rows=rows),
                    f"{activation_call(name)}'({n.layer_matrix('N', out + 1)})",
                )
            )
        delta = checked_grid(scene.traced, f"{chain}.delta", terms, style.GRADIENT, max_rows=rows)
        pieces.append(scene.labelled(delta, n.layer_matrix("delta", out + 1)))
        return VGroup(*pieces).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)

    _show(scene, formula, lines, note, tables)


def _cross_entropy_signal(scene) -> None:
    """Cross-entropy's error signal: the logits' gradient ``(P - Y) / N``."""
    scene.step("The error signal: how the loss changes with each logit, (P - Y) / N")
    head, by = "delta_k^((i))", derivative("L", "z_k^((i))")
    rule = "(p_k^((i)) - Y_k^((i))) / N"
    # N's value with its formula, not floating alone beside the matrices
    formula = scene.traced.math(f"{head} = {by} = {rule}, quad N =", Value(SAMPLE_COUNT))
    lines = scene.traced.math(  # the same in lines, to stand beside the tables
        f"{head} &= {by} \\\n &= {rule} \\\n N &=", Value(SAMPLE_COUNT)
    )
    note = Typst(
        "one entry per class, the gradient of the softmax scene",
        font_size=style.NOTE_SIZE,
        color=style.MUTED,
    )
    chain = chain_path(scene.output)

    def terms(r: int, c: int) -> tuple[Term, ...]:
        return (
            OPEN_BRACKET,
            Value(f"{PROBABILITIES}[{r}][{c}]"),
            MINUS,
            Value(f"network.one_hot[{r}][{c}]"),
            CLOSE_BRACKET,
            OVER,
            Value(SAMPLE_COUNT),
        )

    def pieces(rows: int) -> tuple[VGroup, VGroup, VGroup]:
        delta = checked_grid(scene.traced, f"{chain}.delta", terms, style.GRADIENT, max_rows=rows)
        return (
            scene.labelled(
                scene.traced.matrix("network.softmax.probabilities", max_rows=rows), "P"
            ),
            scene.labelled(scene.traced.matrix("network.one_hot", max_rows=rows), "Y"),
            scene.labelled(delta, scene.notation.layer_matrix("delta", scene.output + 1)),
        )

    def tables(rows: int) -> VGroup:
        return VGroup(*pieces(rows)).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN)

    def in_turn(rows: int) -> VGroup:
        """P and Y, then delta in their place: five classes' three tables side by
        side are wider than the frame."""
        p, y, delta = pieces(rows)
        return VGroup(VGroup(p, y).arrange(RIGHT, buff=style.BLOCK_BUFF, aligned_edge=DOWN), delta)

    _show(scene, formula, lines, note, tables, in_turn)

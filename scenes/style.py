"""Colours, sizes and spacing of the lecture, in one place.

Pieces read these names when they are called (never as default arguments),
so a teacher can restyle the whole lecture by editing this module.
"""

from __future__ import annotations

from manim import BLUE_C, GREEN_C, GREY_B, ORANGE, RED_C, TEAL_C, WHITE, YELLOW_C

__all__ = [name for name in dir() if name.isupper()]

# -- colours, by role ---------------------------------------------------------
TEXT = WHITE
MUTED = GREY_B
INPUT = BLUE_C  # x: data fed in
WEIGHT = ORANGE  # w, W: parameters
BIAS = TEAL_C  # b: bias
RESULT = YELLOW_C  # products, sums, outputs being computed
ACTIVE = GREEN_C  # what passes an activation
CLAMPED = RED_C  # what an activation clamps away, errors
HIGHLIGHT = YELLOW_C

# -- font sizes (Manim font-size units) ---------------------------------------
TITLE_SIZE = 40
CAPTION_SIZE = 28
MATH_SIZE = 34
MATRIX_SIZE = 30
LABEL_SIZE = 24
SMALL_SIZE = 20

# -- spacing (Manim units) ----------------------------------------------------
TITLE_BUFF = 0.35
BLOCK_BUFF = 0.45
LINE_BUFF = 0.25
EDGE_BUFF = 0.3  # least distance from the frame's edge
CAPTION_BAND = 0.7  # height kept free at the bottom for the step caption
NEURON_RADIUS = 0.38
LAYER_GAP = 3.0  # horizontal distance between diagram layers
INPUT_SPACING = 1.1  # vertical gap between a diagram's input labels
OUTPUT_ARROW = 1.0  # length of a neuron's output arrow
LABEL_GAP = 0.08  # between an edge and the label that runs along it

# -- elision: the most rows/columns a matrix shows before eliding with dots ---
MAX_MATRIX_ROWS = 6
MAX_MATRIX_COLUMNS = 5

# -- graphs -------------------------------------------------------------------
GRAPH_WIDTH = 6.5
GRAPH_HEIGHT = 4.2
GRAPH_MARGIN = 0.1  # of the values' spread, on each side
MAX_LISTED_VALUES = 9  # values listed beside a graph

# -- timing (seconds) ----------------------------------------------------------
STEP_PAUSE = 0.6

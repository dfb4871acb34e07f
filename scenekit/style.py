"""Colours, sizes and spacing of the lecture, in one place.

Pieces read these names when they are called (never as default arguments),
so a teacher can restyle the whole lecture by editing this module.
"""

from __future__ import annotations

from scenekit import palette

# -- colours, by role (hex text, defined once in scenekit.palette) ---------------
TEXT = palette.TEXT
MUTED = palette.MUTED
INPUT = palette.INPUT  # x: data fed in
WEIGHT = palette.WEIGHT  # w, W: parameters
BIAS = palette.BIAS  # b: bias
PREACTIVATION = palette.PREACTIVATION  # z = Wx + b
ACTIVATION = palette.ACTIVATION  # a = f(z)
PREDICTION = palette.PREDICTION  # y-hat, the logits
TARGET = palette.TARGET  # y
LOSS = palette.LOSS  # errors, the loss
RESULT = palette.RESULT  # products, sums, outputs being computed
ACTIVE = palette.ACTIVE  # what passes an activation
CLAMPED = palette.CLAMPED  # what an activation clamps away, errors
HIGHLIGHT = palette.HIGHLIGHT

# -- font sizes (Manim font-size units) ---------------------------------------
TITLE_SIZE = 40
CAPTION_SIZE = 32  # its x-height 1/60 of the frame: 8 px at 480p
NOTE_SIZE = CAPTION_SIZE  # a note in words beside the math: its x-height and colons legible
MATH_SIZE = 34
MATRIX_SIZE = 32
LABEL_SIZE = 30  # digits 1/40 of the frame: 12 px at 480p
SMALL_SIZE = 28  # still a value: digits 1/40 of the frame

# -- spacing (Manim units) ----------------------------------------------------
TITLE_BUFF = 0.35
BLOCK_BUFF = 0.45
LINE_BUFF = 0.25
EDGE_BUFF = 0.3  # least distance from the frame's edge
CAPTION_BAND = 0.7  # height kept free at the bottom for the step caption
BAND_GAP = 0.05  # least room between content and the caption band's top
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
CAPTION_FADE = 0.35  # of a step change's second: the old caption fades out, then the new in

# -- how it learns: gradients and the loss curve -------------------------------
GRADIENT = palette.GRADIENT  # dL/d(something): gradients and error signals
UPDATED = palette.UPDATED  # parameters after a gradient-descent step
MAX_WORKED_TERMS = 6  # samples a worked gradient writes out term by term
MAX_FORMULA_ROWS = 3  # formulas stacked in one column; more go in two
POINT_RADIUS = 0.05  # a plotted point of the loss curve
CURVE_STROKE = 3
LOG_SCALE_RATIO = 100  # losses spanning more than this factor get a log axis
MAX_TICK_CHARS = 14  # longest shown value an axis label may carry
TICK_SIZE = 30  # a plot's tick values and its marked point (legible digits)
TICK_LENGTH = 0.12
CURVE_WIDTH = 9.0
CURVE_TIME = 2.5  # seconds to draw the loss curve
MAX_UPDATE_COLUMNS = 3  # columns per matrix of an update W - alpha dL/dW too wide in full

# -- a network of layers: the diagram, matrices, the loss table -----------------
MAX_DIAGRAM_NEURONS = 6  # neurons a diagram column draws before eliding with dots
MAX_LABELLED_NEURONS = 4  # a diagram writes its weights only when no layer is larger
MAX_EDGE_LABELS = 16  # ... and it has at most this many weights
DIAGRAM_GAP = 1.6  # least length of an edge between two diagram columns
NEURON_BUFF = 0.22  # vertical room between two neurons of a column (and their labels)
WEIGHT_BUFF = 0.06  # between the weight labels stacked at one neuron
EDGE_STUB = 0.3  # from a neuron's stacked weights into the neuron
QUICK = 0.5  # seconds for one of many repeated moves (entry by entry)
NUDGE = 0.2  # how far a piece drifts as it fades in
NAME_FILL = 0.8  # of a neuron's width its name may take
MAX_PRODUCTS_PER_LINE = 4  # a worked dot product longer than this wraps onto more lines
MAX_WORKED_PRODUCTS = 16  # a dot product longer than this is shown elided: too long to read
MAX_PRODUCT_COLUMNS = 3  # columns a list of worked products may take when too tall for one
SETTLED = 0.1  # of the stage's height (width): a board this near its middle stays put
LEAST_SCALE = 0.85  # a row of matrices shrinks no further than this: more columns elide
MIN_MATRIX_COLUMNS = 3  # the fewest an elided matrix shows: first, dots, last
EDGE_LABEL_SIZE = 30  # the weights, biases and values written on a network diagram (legible digits)
POSITIVE_WEIGHT = palette.POSITIVE_WEIGHT  # a diagram's edge of a weight above zero (blue)
NEGATIVE_WEIGHT = palette.NEGATIVE_WEIGHT  # ... below zero (red)
EDGE_WIDTHS = (1.5, 7.0)  # stroke of a diagram's edge: weight zero, the largest |weight|
# where along its edge a weight sits, tried in turn
EDGE_FRACTIONS = (0.62, 0.38, 0.7, 0.3, 0.55, 0.45)
MAX_DIAGRAM_GAP = 4.6  # widest a diagram's columns spread to give their weights room
LEGEND_SWATCH = 0.5  # length of a legend's sample line
NEURON_LABEL_AT = 0.4  # of the way from an input to the neuron, where its weight sits

# -- classification: one colour per class (cycled past the last), the plane's regions --
CLASS_COLORS = palette.CLASS_COLORS
REGION_OPACITY = 0.45  # a region's colour mixed over the background, so the dots stand out
CORRECT = palette.CORRECT  # a sample predicted right
WRONG = palette.WRONG  # a sample predicted wrong
BAR_HEIGHT = 2.4  # the height of a probability bar of 1
BAR_WIDTH = 0.6
SAMPLE_RADIUS = 0.09  # a sample's dot on the plane
PLANE_SIZE = 4.2  # side of the plane of predicted classes

__all__ = [name for name in dir() if name.isupper()]

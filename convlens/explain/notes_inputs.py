"""The matrices of the lecture notes' worked examples, as printed in the notes (the numbers they produce are in
:mod:`convlens.explain.worked_examples`)."""
from __future__ import annotations

import numpy as np

# 004 l.56: the 5×5 binary image and the 3×3 "X" filter (also 000 l.743, 002 l.815).
BINARY_5x5 = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
X_FILTER = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
# 000 l.778: 8 rows, 7 columns: 1..7, 11..17, ..., 71..77
GRID_8x7 = np.array([[10 * r + c for c in range(1, 8)] for r in range(8)])
# 002 l.850: the cs231n max-pooling map (only its windows [[1, 1], [5, 6]] and [[3, 2], [1, 2]] are in the text).
POOL_4x4 = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
# 001 l.249: the pooling map of the notes' max/average pooling figure.
POOL_4x4_B = np.array([[1, 3, 10, 2], [5, 4, 6, 14], [1, 2, 17, 8], [3, 3, 10, 12]])
# 000 l.1895: three 4×4 feature maps (a convolutional layer's depth slices) before 2×2 max pooling.
MAPS_4x4x3 = np.array([[[1, 9, 6, 4], [5, 4, 7, 8], [5, 1, 2, 9], [6, 7, 6, 0]],
                       [[9, 1, 7, 4], [5, 6, 3, 0], [1, 2, 5, 4], [0, 8, 9, 0]],
                       [[7, 6, 9, 1], [5, 2, 0, 4], [5, 8, 3, 9], [0, 2, 2, 1]]]).transpose(1, 2, 0)
# 002 l.337: "Matrix Calculation": a 5×5 image and the kernel written as subscripts on its top-left patch.
MATRIX_5x5 = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
SUBSCRIPT_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
# 000 l.1136 and l.1187: the diagonal ("X"-stroke) detector and the 5×5 image it is slid over.
X_DETECTOR = np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])
STROKE_5x5 = np.array([[0, 1, 1, 1, 1], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0], [0, 0, 1, 0, 0], [0, 1, 0, 0, 0]])
# 000 l.561: the products of the edge kernel with one pixel's neighbourhood (-140, -225, 880, -205, -250): the pixel
# is 220, above 140, left 225, right 205, below 250. The corners meet kernel zeros; the notes do not print them.
EDGE_NEIGHBOURHOOD = np.array([[0, 140, 0], [225, 220, 205], [0, 250, 0]])
# 000 l.953: the pixel 192 and its neighbours, and the filter in NEW_PIXEL_VALUE = (-1 * 0) + (0 * 64) + ...
PIXEL_192 = np.array([[0, 64, 128], [48, 192, 144], [42, 226, 168]])
PIXEL_192_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, -1.5], [1.5, 2, -3]])
# 004 l.360: a flat 0.1 patch, and the same patch with a brighter centre.
FLAT_01 = np.full((3, 3), 0.1)
BRIGHT_CENTRE = np.array([[0.1, 0.1, 0.1], [0.1, 0.2, 0.1], [0.1, 0.1, 0.1]])
# 000 l.230 and l.240: the edge kernel with an 8 in the centre, and one with a -2 on the right.
EDGE_CENTRE_8 = np.array([[0, -1, 0], [-1, 8, -1], [0, -1, 0]])
EDGE_RIGHT_2 = np.array([[0, -1, 0], [-1, 4, -2], [0, -1, 0]])

# 000 l.846-915: the cs231n volume example: a 5×5×3 input (printed with its pad of 1), two 3×3×3 filters.
_PADDED_CHANNELS = [
    [[0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 2, 0], [0, 1, 0, 2, 0, 1, 0], [0, 1, 0, 2, 2, 0, 0],
     [0, 2, 0, 0, 2, 0, 0], [0, 2, 1, 2, 2, 0, 0], [0, 0, 0, 0, 0, 0, 0]],
    [[0, 0, 0, 0, 0, 0, 0], [0, 2, 1, 2, 1, 1, 0], [0, 2, 1, 2, 0, 1, 0], [0, 0, 2, 1, 0, 1, 0],
     [0, 1, 2, 2, 2, 2, 0], [0, 0, 1, 2, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0]],
    [[0, 0, 0, 0, 0, 0, 0], [0, 2, 1, 1, 2, 0, 0], [0, 1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 0, 0],
     [0, 1, 0, 2, 1, 0, 0], [0, 2, 2, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0]],
]
VOLUME_5x5x3 = np.array(_PADDED_CHANNELS).transpose(1, 2, 0)[1:-1, 1:-1]
W0 = np.array([[[-1, 0, 1], [0, 0, 1], [1, -1, 1]], [[-1, 0, 1], [1, -1, 1], [0, 1, 0]],
               [[-1, 1, 1], [1, 1, 0], [0, -1, 0]]]).transpose(1, 2, 0)
B0 = 1.0
W1 = np.array([[[0, 1, -1], [0, -1, 0], [0, -1, 1]], [[-1, 0, 0], [1, -1, 0], [1, -1, 0]],
               [[-1, 1, -1], [0, -1, -1], [1, 0, 0]]]).transpose(1, 2, 0)
B1 = 0.0

# The classic kernels as the notes print them (000 l.155 and l.199-226, 004 l.334-391), under the names of
# convlens.kernels' bank (`convlens filter`), which the tests hold equal to these.
NOTES_KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "edge2": np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]),
    "edge3": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "box_blur": np.ones((3, 3)) / 9.0,
    "gaussian_blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0,
}

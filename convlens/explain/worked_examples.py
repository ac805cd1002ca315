"""Every worked example of the lecture notes, as a table: where the notes print it (seed file and line), what they
say, and the same number computed by convlens's explainer, arithmetic and kernels.

Each row computes its value when asked, so a notebook can show the table and a test can check it. Values are shown
rounded (the edge kernel on a flat 0.1 patch is 0; floating point gives ±2.8e-17). Where the notes are wrong the row
says what is right and why (``correction``).

Example:
    >>> rows = {ex.key: ex for ex in WORKED_EXAMPLES}
    >>> ex = rows["001_1f793e2ffd8f5b57.txt:271"]
    >>> ex.notes, ex.value(), ex.correction[:40]
    (12, 8, 'claimed 12×12, exact 8×8: the last layer')
    >>> rows["004_8f28e351d2277123.txt:360"].shown()
    '0'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from convlens import arithmetic as ar
from convlens.explain import notes_inputs as n
from convlens.explain.conv import conv1d, conv2d
from convlens.explain.pool import pool2d
from convlens.explain.receptive import receptive_field_steps
from convlens.explain.text import number

S0, S1, S2, S3, S4 = ("000_83eb95560070a1a9.txt", "001_1f793e2ffd8f5b57.txt", "002_426f6e00330b5ba7.txt",
                      "003_d8e5b8b9496084c0.txt", "004_8f28e351d2277123.txt")


@dataclass(frozen=True)
class WorkedExample:
    """One worked example: the notes' ``seed`` file and 1-based ``line``, a ``quote`` that line contains, what the
    notes say (``notes``; None where they leave the sum undone), the right value (``expected``), how convlens
    computes it (``how``, ``compute``), and ``correction``: non-empty exactly when the notes are wrong. A kernel on one
    neighbourhood also names the ``kernel`` (as in ``convlens.kernels``) and its ``patch``."""

    seed: str
    line: int
    quote: str
    title: str
    notes: Any
    expected: Any
    how: str
    compute: Callable[[], Any]
    correction: str = ""
    kernel: str = ""
    patch: Any = None

    @property
    def key(self) -> str:
        """``'<seed file>:<line>'``: where the example is printed."""
        return f"{self.seed}:{self.line}"

    def value(self) -> Any:
        """The value convlens computes now."""
        return self.compute()

    def agrees(self) -> bool:
        """Whether convlens's value equals ``expected`` (same shape, equal to 1e-9)."""
        got, want = np.asarray(self.value(), dtype=float), np.asarray(self.expected, dtype=float)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=0, atol=1e-9))

    def shown(self) -> str:
        """convlens's value as text, rounded to 6 decimals (so -2.8e-17 shows as 0)."""
        return show(self.value())


def show(value: Any) -> str:
    """A number, tuple or matrix as short text, rounded to 6 decimals.

    >>> show(np.array([[2.7755575615628914e-17, 0.6000000000000001]])), show((26, 13))
    ('[[0, 0.6]]', '26, 13')
    """
    if isinstance(value, tuple):
        return ", ".join(show(v) for v in value)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return number(float(np.round(array, 6)) + 0.0)
    if array.ndim == 1:
        return "[" + ", ".join(show(v) for v in array) + "]"
    if array.ndim == 3:  # channels-last maps: one matrix per channel
        return " | ".join(show(array[..., c]) for c in range(array.shape[-1]))
    return "[" + ", ".join(show(row) for row in array) + "]"


def _stack(input_shape: Sequence[int], layers: Sequence[tuple]) -> tuple[int, ...]:
    """Parameter counts of a Keras summary from arithmetic alone: each layer with weights, then the total.
    Layers: ``("conv", filters, k, padding)``, ``("pool", k)``, ``("flatten",)``, ``("dense", units)``."""
    shape, counts = tuple(input_shape), []
    for kind, *args in layers:
        if kind == "conv":
            filters, k, padding = args
            counts.append(ar.conv_params((k, k), shape[-1], filters).count)
            shape = (*ar.conv_output_shape(shape[:2], (k, k), (1, 1), padding), filters)
        elif kind == "pool":
            shape = (*ar.pool_output_shape(shape[:2], (args[0],) * 2, (args[0],) * 2), shape[-1])
        elif kind == "flatten":
            shape = (math.prod(shape),)
        else:
            counts.append(ar.dense_params(shape[0], args[0]).count)
            shape = (args[0],)
    return (*counts, sum(counts))


def _conv(image: Any, kernel: Any, **kwargs: Any) -> np.ndarray:
    return conv2d(image, kernel, **kwargs).output


def _one(image: Any, kernel: Any) -> float:
    """A kernel on one 3×3 neighbourhood: the single output value."""
    return conv2d(image, kernel).steps[0].value


def _layers_until_tiny(size: int, k: int) -> tuple[int, int]:
    """How many valid k×k convolutions fit before the map is smaller than the kernel, and the last map's size."""
    count = 0
    while size >= k:
        size, count = ar.conv_output_length(size, k), count + 1
    return count, size


_MLP_28 = [("flatten",), ("dense", 512), ("dense", 512), ("dense", 10)]
_CIFAR_CNN = [("conv", 16, 2, "same"), ("pool", 2), ("conv", 32, 2, "same"), ("pool", 2), ("conv", 64, 2, "same"),
              ("pool", 2), ("flatten",), ("dense", 500), ("dense", 10)]
_RF_WHY = receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]).check_claim(12)
_E = WorkedExample
_RELU_MAP = lambda: np.maximum(_conv(n.STROKE_5x5, n.X_DETECTOR), 0)  # noqa: E731

WORKED_EXAMPLES: list[WorkedExample] = [
    # --- kernels on single neighbourhoods ---
    _E(S0, 169, r"\mathbf{0}", "edge kernel on a flat patch of ones", 0, 0, "conv2d + kernels 'edge2'",
       lambda: _one(np.ones((3, 3)), n.NOTES_KERNELS["edge2"]), kernel="edge2", patch=np.ones((3, 3))),
    _E(S0, 238, r"\boxed{4}", "edge kernel with 8 in the centre, on ones", 4, 4, "conv2d",
       lambda: _one(np.ones((3, 3)), n.EDGE_CENTRE_8)),
    _E(S0, 248, "{-1}", "edge kernel with -2 on the right, on ones", -1, -1, "conv2d",
       lambda: _one(np.ones((3, 3)), n.EDGE_RIGHT_2)),
    _E(S0, 561, "880", "edge kernel × one pixel's neighbourhood: the products", [[0, -140, 0], [-225, 880, -205],
       [0, -250, 0]], [[0, -140, 0], [-225, 880, -205], [0, -250, 0]], "conv2d step products",
       lambda: conv2d(n.EDGE_NEIGHBOURHOOD, n.NOTES_KERNELS["edge2"]).steps[0].products),
    _E(S0, 682, "**60**", "edge kernel on one pixel's neighbourhood", 60, 60, "conv2d + kernels 'edge2'",
       lambda: _one(n.EDGE_NEIGHBOURHOOD, n.NOTES_KERNELS["edge2"]), kernel="edge2", patch=n.EDGE_NEIGHBOURHOOD),
    _E(S0, 954, "NEW_PIXEL_VALUE", "the filter on pixel 192 and its neighbours (the notes leave the sum undone)",
       None, 427, "conv2d", lambda: _one(n.PIXEL_192, n.PIXEL_192_FILTER)),
    _E(S4, 360, "is **0**", "8-neighbour edge kernel on a flat 0.1 patch", 0, 0, "conv2d + kernels 'edge3'",
       lambda: _one(n.FLAT_01, n.NOTES_KERNELS["edge3"]), kernel="edge3", patch=n.FLAT_01),
    _E(S4, 361, "is **0.8**", "8-neighbour edge kernel, centre 0.2", 0.8, 0.8, "conv2d + kernels 'edge3'",
       lambda: _one(n.BRIGHT_CENTRE, n.NOTES_KERNELS["edge3"]), kernel="edge3", patch=n.BRIGHT_CENTRE),
    _E(S4, 377, "is **0.1**", "sharpen on a flat 0.1 patch", 0.1, 0.1, "conv2d + kernels 'sharpen'",
       lambda: _one(n.FLAT_01, n.NOTES_KERNELS["sharpen"]), kernel="sharpen", patch=n.FLAT_01),
    _E(S4, 378, "is **0.6**", "sharpen, centre 0.2", 0.6, 0.6, "conv2d + kernels 'sharpen'",
       lambda: _one(n.BRIGHT_CENTRE, n.NOTES_KERNELS["sharpen"]), kernel="sharpen", patch=n.BRIGHT_CENTRE),
    _E(S4, 334, "Identity", "identity kernel, centre 0.2 (the notes show the picture only)", None, 0.2,
       "conv2d + kernels 'identity'",
       lambda: _one(n.BRIGHT_CENTRE, n.NOTES_KERNELS["identity"]), kernel="identity", patch=n.BRIGHT_CENTRE),
    _E(S4, 390, "Box blur", "box blur, centre 0.2 (the notes show the picture only)", None, 1.0 / 9,
       "conv2d + kernels 'box_blur'",
       lambda: _one(n.BRIGHT_CENTRE, n.NOTES_KERNELS["box_blur"]), kernel="box_blur", patch=n.BRIGHT_CENTRE),
    _E(S4, 391, "Gaussian blur", "Gaussian blur, centre 0.2 (the notes show the picture only)", None, 0.125,
       "conv2d + kernels 'gaussian_blur'",
       lambda: _one(n.BRIGHT_CENTRE, n.NOTES_KERNELS["gaussian_blur"]),
       kernel="gaussian_blur", patch=n.BRIGHT_CENTRE),
    # --- inner products and whole convolutions ---
    _E(S4, 17, "= 70", "vector inner product", 70, 70, "conv1d",
       lambda: conv1d([1, 2, 3, 4], [5, 6, 7, 8]).output[0]),
    _E(S4, 23, "= 70", "matrix inner product", 70, 70, "conv2d",
       lambda: _conv([[1, 3], [2, 4]], [[5, 7], [6, 8]])[0, 0]),
    _E(S4, 107, "| 4 | 3 | 4 |", "X filter over the 5×5 binary image", [[4, 3, 4], [2, 4, 3], [2, 3, 4]],
       [[4, 3, 4], [2, 4, 3], [2, 3, 4]], "conv2d", lambda: _conv(n.BINARY_5x5, n.X_FILTER)),
    _E(S4, 150, "value **4**", "its step 0 (top-left patch)", 4, 4, "conv2d steps[0]",
       lambda: conv2d(n.BINARY_5x5, n.X_FILTER).steps[0].value),
    _E(S4, 200, "value **3**", "its step 1", 3, 3, "conv2d steps[1]",
       lambda: conv2d(n.BINARY_5x5, n.X_FILTER).steps[1].value),
    _E(S4, 253, "value **4**", "its step 8 (bottom-right patch)", 4, 4, "conv2d steps[8]",
       lambda: conv2d(n.BINARY_5x5, n.X_FILTER).steps[8].value),
    _E(S4, 308, "| 4 | 3 |", "X filter over the 4×4 image", [[4, 3], [3, 4]], [[4, 3], [3, 4]], "conv2d",
       lambda: _conv(n.BINARY_5x5[1:, 1:], n.X_FILTER)),
    _E(S2, 343, "12.0\t12.0\t17.0", "'Matrix Calculation': kernel 0 1 2 / 2 2 0 / 0 1 2 over a 5×5 image",
       [[12, 12, 17], [10, 17, 19], [9, 6, 14]], [[12, 12, 17], [10, 17, 19], [9, 6, 14]], "conv2d",
       lambda: _conv(n.MATRIX_5x5, n.SUBSCRIPT_KERNEL)),
    _E(S0, 793, "108\t126", "stride 2, 3×3 all-ones kernel over the numbered 8×7 grid (top-left 2×2 shown)",
       [[108, 126], [288, 306]], [[108, 126], [288, 306]], "conv2d stride=2",
       lambda: _conv(n.GRID_8x7, np.ones((3, 3)), stride=2)[:2, :2]),
    _E(S0, 921, "2\t3\t3", "5×5×3 volume, pad 1, stride 2: filter W0 + bias 1", [[2, 3, 3], [3, 7, 3], [8, 10, -3]],
       [[2, 3, 3], [3, 7, 3], [8, 10, -3]], "conv2d padding=1 stride=2 bias",
       lambda: _conv(n.VOLUME_5x5x3, n.W0, stride=2, padding=1, bias=n.B0)),
    _E(S0, 926, "-8\t-8\t-3", "the same volume, filter W1 + bias 0", [[-8, -8, -3], [-3, 1, 0], [-3, -8, -5]],
       [[-8, -8, -3], [-3, 1, 0], [-3, -8, -5]], "conv2d padding=1 stride=2 bias",
       lambda: _conv(n.VOLUME_5x5x3, n.W1, stride=2, padding=1, bias=n.B1)),
    # --- the X-stroke detector before and after ReLU ---
    _E(S0, 1179, "= -2", "diagonal detector, output[0, 1] before ReLU", -2, -2, "conv2d",
       lambda: _conv(n.STROKE_5x5, n.X_DETECTOR)[0, 1]),
    _E(S0, 1185, "= 0", "the same value after ReLU", 0, 0, "conv2d, max(0, x)",
       lambda: _RELU_MAP()[0, 1]),
    _E(S0, 1262, "= 3", "diagonal detector on the diagonal stroke, output[1, 2]", 3, 3, "conv2d, max(0, x)",
       lambda: _RELU_MAP()[1, 2]),
    _E(S0, 1211, "0\t0\t3", "the whole feature map after ReLU", [[0, 0, 0], [0, 0, 3], [0, 3, 0]],
       [[0, 0, 0], [0, 0, 3], [0, 3, 0]], "conv2d, max(0, x)", _RELU_MAP),
    # --- pooling ---
    _E(S2, 845, "6\t8", "2×2 max pooling, stride 2, of the cs231n map", [[6, 8], [3, 4]], [[6, 8], [3, 4]],
       "pool2d max", lambda: pool2d(n.POOL_4x4, 2).output),
    _E(S2, 850, "becomes 6", "its windows [[1, 1], [5, 6]] → 6 and [[3, 2], [1, 2]] → 3", (6, 3), (6, 3),
       "pool2d steps", lambda: (pool2d(n.POOL_4x4, 2).steps[0].value, pool2d(n.POOL_4x4, 2).steps[2].value)),
    _E(S1, 249, "1\t3\t10\t2", "2×2 max pooling, stride 2, of the notes' 4×4 map (the output is a picture)", None,
       [[5, 14], [3, 17]], "pool2d max", lambda: pool2d(n.POOL_4x4_B, 2).output),
    _E(S1, 246, "Average pooling", "2×2 average pooling of the same map (the output is a picture)", None,
       [[3.25, 8], [2.25, 11.75]], "pool2d average", lambda: pool2d(n.POOL_4x4_B, 2, mode="average").output),
    _E(S0, 1895, "1\t9\t6\t4", "2×2 max pooling, stride 2, of three 4×4 maps (the output is a picture)", None,
       np.array([[[9, 8], [7, 9]], [[9, 7], [8, 9]], [[7, 9], [8, 9]]]).transpose(1, 2, 0), "pool2d max",
       lambda: pool2d(n.MAPS_4x4x3, 2).output),
    _E(S1, 242, "discards 3/4", "2×2 max pooling, stride 2, discards 3/4 of the neurons", 0.75, 0.75,
       "pool_output_shape", lambda: 1 - math.prod(ar.pool_output_shape((4, 4), (2, 2), (2, 2))) / 16),
    _E(S4, 667, r"8 \times 8", "2×2 max pooling of an 8×8 map", 4, 4, "pool_output_length",
       lambda: ar.pool_output_length(8, 2)),
    _E(S4, 629, r"12 \times 12", "12×12, pool 3×3, stride 3 (a question; no answer printed)", None, 4,
       "pool_output_length", lambda: ar.pool_output_length(12, 3)),
    _E(S4, 640, r"1 \times 1", "12×12, pool 3×3, stride 1 (a question; no answer printed)", None, 10,
       "pool_output_length", lambda: ar.pool_output_length(12, 3, 1)),
    _E(S2, 44, r"= 75\%", "2×2 max pooling keeps 1 value in 4: 25% kept, 75% dropped (handwritten)", 0.75, 0.75,
       "pool_output_shape", lambda: 1 - math.prod(ar.pool_output_shape((2, 2), (2, 2), (2, 2))) / 4),
    _E(S2, 46, r"\frac{8}{9}", "max pooling a 3×3 window [9 1 2; 4 5 6; 7 8 0] keeps the 9: 8/9 dropped (handwritten)",
       8 / 9, 8 / 9, "pool2d max",
       lambda: 1 - pool2d([[9, 1, 2], [4, 5, 6], [7, 8, 0]], 3).output.size / 9),
    _E(S0, 2036, "(None, 5, 5, 64)", "2×2 max pooling of an 11×11 map: the odd row and column are dropped", 5, 5,
       "pool_output_length", lambda: ar.pool_output_length(11, 2)),
    _E(S2, 1652, r"112 \times 112", "VGG: 2×2 max pooling of 224×224", 112, 112, "pool_output_length",
       lambda: ar.pool_output_length(224, 2)),
    # --- output sizes ---
    _E(S4, 77, "= 9", "3×3 patches in a 5×5 image", 9, 9, "conv_output_length",
       lambda: ar.conv_output_length(5, 3) ** 2),
    _E(S1, 83, "2x2 filter over a 4x4", "2×2 filter over a 4×4 slice", 3, 3, "conv_output_length",
       lambda: ar.conv_output_length(4, 2)),
    _E(S1, 145, "= 26", "28×28 input, 3×3 filter, stride 1 and stride 2", (26, 13), (26, 13), "conv_output_length",
       lambda: (ar.conv_output_length(28, 3), ar.conv_output_length(28, 3, 2))),
    _E(S0, 843, "= 55", "AlexNet conv1: (227 − 11)/4 + 1", 55, 55, "conv_output_length",
       lambda: ar.conv_output_length(227, 11, 4)),
    _E(S0, 939, "= 3", "the volume example: (5 − 3 + 2·1)/2 + 1", 3, 3, "conv_output_length",
       lambda: ar.conv_output_length(5, 3, 2, 1)),
    _E(S2, 717, "3x3", "5×5 grid, 3×3 filter, stride 1", 3, 3, "conv_output_length",
       lambda: ar.conv_output_length(5, 3)),
    _E(S2, 732, "5x5", "the same grid padded to 7×7", 5, 5, "conv_output_length",
       lambda: ar.conv_output_length(5, 3, 1, 1)),
    _E(S4, 504, r"d_1 \times d_2", "zero padding: 3×3 filter on (d + 2)×(d + 2) keeps d (d = 28)", 28, 28,
       "conv_output_length", lambda: ar.conv_output_length(28, 3, 1, 1)),
    _E(S4, 465, "13 convolutional layers", "28×28, 3×3 filters: at most 13 layers, the 13th gives 2×2", (13, 2),
       (13, 2), "conv_output_length", lambda: _layers_until_tiny(28, 3)),
    _E(S4, 556, r"24 \times 24", "ten 5×5 filters on 28×28", 24, 24, "conv_output_length",
       lambda: ar.conv_output_length(28, 5)),
    _E(S4, 655, r"8 \times 8", "5×5×10 filters on 12×12×10", 8, 8, "conv_output_length",
       lambda: ar.conv_output_length(12, 5)),
    _E(S4, 675, "320", "flatten 4×4×20", 320, 320, "pool_output_shape",
       lambda: math.prod((*ar.pool_output_shape((8, 8), (2, 2), (2, 2)), 20))),
    _E(S1, 426, "4608", "flatten 12×12×32", 4608, 4608, "conv/pool_output_length",
       lambda: math.prod((ar.pool_output_length(ar.conv_output_length(ar.conv_output_length(28, 3), 3), 2),) * 2) * 32),
    _E(S0, 2037, "1600", "flatten 5×5×64 (28 → 26 → 13 → 11 → 5)", 1600, 1600, "conv/pool_output_length",
       lambda: math.prod((ar.pool_output_length(ar.conv_output_length(ar.pool_output_length(
           ar.conv_output_length(28, 3), 2), 3), 2),) * 2) * 64),
    _E(S2, 1079, "3136", "flatten 7×7×64 ('same' convolutions, two poolings of 28)", 3136, 3136, "pool_output_length",
       lambda: ar.pool_output_length(ar.pool_output_length(28, 2), 2) ** 2 * 64),
    _E(S0, 2190, "1024", "flatten 4×4×64 (32 → 16 → 8 → 4)", 1024, 1024, "pool_output_length",
       lambda: ar.pool_output_length(ar.pool_output_length(ar.pool_output_length(32, 2), 2), 2) ** 2 * 64),
    _E(S2, 2046, "48 x 48 x 64", "a 1×1 convolution keeps 48×48 (only the depth changes, 256 → 64)", (48, 48),
       (48, 48), "conv_output_shape", lambda: ar.conv_output_shape((48, 48), (1, 1), (1, 1), "valid")),
    _E(S2, 77, r"34 \times 34", "36×36×3, 3×3 filters", 34, 34, "conv_output_length",
       lambda: ar.conv_output_length(36, 3)),
    _E(S2, 1999, r"30 \times 30", "32×32, 3×3 filters", 30, 30, "conv_output_length",
       lambda: ar.conv_output_length(32, 3)),
    # --- parameter counts ---
    _E(S1, 31, "314, 5728", "Dense(1024) on 32×32×3 = 3,072 inputs, weights only (the notes misprint 3,072 as "
       "2072 in the product; its result is 3,072·1,024)", 3145728, 3145728, "dense_params",
       lambda: ar.dense_params(32 * 32 * 3, 1024, use_bias=False).count),
    _E(S1, 97, "28 weights", "one 3×3×3 filter + bias", 28, 28, "conv_params",
       lambda: ar.conv_params((3, 3), 3, 1).count),
    _E(S1, 115, "= 304", "four 5×5 filters over 3 slices", 304, 304, "conv_params",
       lambda: ar.conv_params((5, 5), 3, 4).count),
    _E(S1, 115, "= 76", "one of those filters with its bias", 76, 76, "conv_params",
       lambda: ar.conv_params((5, 5), 3, 1).count),
    _E(S2, 132, "= 320", "((3·3·1) + 1)·32", 320, 320, "conv_params",
       lambda: ar.conv_params((3, 3), 1, 32).count),
    _E(S2, 140, "= 18496", "((3·3·32) + 1)·64", 18496, 18496, "conv_params",
       lambda: ar.conv_params((3, 3), 32, 64).count),
    _E(S2, 143, "= 200768", "(3136·64) + 64", 200768, 200768, "dense_params",
       lambda: ar.dense_params(3136, 64).count),
    _E(S4, 690, "= 250", "ten 5×5 filters, no intercepts", 250, 250, "conv_params",
       lambda: ar.conv_params((5, 5), 1, 10, use_bias=False).count),
    _E(S4, 695, "= 5000", "twenty 5×5×10 filters, no intercepts", 5000, 5000, "conv_params",
       lambda: ar.conv_params((5, 5), 10, 20, use_bias=False).count),
    _E(S4, 700, "32,000", "Dense(100) on 320, no intercepts", 32000, 32000, "dense_params",
       lambda: ar.dense_params(320, 100, use_bias=False).count),
    _E(S4, 706, "38,250", "the CNN without intercepts (with the Dense(10) output: 100·10 = 1,000 more)", 38250, 38250,
       "conv_params + dense_params",
       lambda: ar.conv_params((5, 5), 1, 10, False).count + ar.conv_params((5, 5), 10, 20, False).count
       + ar.dense_params(320, 100, False).count + ar.dense_params(100, 10, False).count),
    # --- whole model summaries (parameters of each layer with weights, then the total) ---
    _E(S4, 1014, "38,390", "the notes' MNIST CNN summary", (260, 5020, 32100, 1010, 38390),
       (260, 5020, 32100, 1010, 38390), "summary arithmetic",
       lambda: _stack((28, 28, 1), [("conv", 10, 5, "valid"), ("pool", 2), ("conv", 20, 5, "valid"), ("pool", 2),
                                    ("flatten",), ("dense", 100), ("dense", 10)])),
    _E(S1, 431, "305,194", "MNIST CNN with two 3×3 convolutions", (320, 9248, 294976, 650, 305194),
       (320, 9248, 294976, 650, 305194), "summary arithmetic",
       lambda: _stack((28, 28, 1), [("conv", 32, 3, "valid"), ("conv", 32, 3, "valid"), ("pool", 2), ("flatten",),
                                    ("dense", 64), ("dense", 10)])),
    _E(S3, 50, "669,706", "MLP 784-512-512-10", (401920, 262656, 5130, 669706), (401920, 262656, 5130, 669706),
       "summary arithmetic", lambda: _stack((28, 28), _MLP_28)),
    _E(S2, 197, "669,706", "MLP 784-512-512-10, layer by layer", (401920, 262656, 5130, 669706),
       (401920, 262656, 5130, 669706), "summary arithmetic", lambda: _stack((28, 28), _MLP_28)),
    _E(S0, 1810, "10,544", "three 2×2 'same' convolutions on 32×32×3", (208, 2080, 8256, 10544),
       (208, 2080, 8256, 10544), "summary arithmetic",
       lambda: _stack((32, 32, 3), [("conv", 16, 2, "same"), ("conv", 32, 2, "same"), ("conv", 64, 2, "same")])),
    _E(S0, 2193, "528,054", "the CIFAR-10 CNN", (208, 2080, 8256, 512500, 5010, 528054),
       (208, 2080, 8256, 512500, 5010, 528054), "summary arithmetic", lambda: _stack((32, 32, 3), _CIFAR_CNN)),
    _E(S2, 1349, "528,054", "the CIFAR-10 CNN (second set of notes)", (208, 2080, 8256, 512500, 5010, 528054),
       (208, 2080, 8256, 512500, 5010, 528054), "summary arithmetic", lambda: _stack((32, 32, 3), _CIFAR_CNN)),
    _E(S0, 2039, "1290", "Conv64-pool-Conv64-pool-Dense128-Dense10 on 28×28 (no total printed)",
       None, (640, 36928, 204928, 1290, 243786), "summary arithmetic",
       lambda: _stack((28, 28, 1), [("conv", 64, 3, "valid"), ("pool", 2), ("conv", 64, 3, "valid"), ("pool", 2),
                                    ("flatten",), ("dense", 128), ("dense", 10)])),
    _E(S0, 2698, "3,590,642", "CIFAR-10 MLP 3072-1000-512-10", (3073000, 512512, 5130, 3590642),
       (3073000, 512512, 5130, 3590642), "summary arithmetic",
       lambda: _stack((32, 32, 3), [("flatten",), ("dense", 1000), ("dense", 512), ("dense", 10)])),
    _E(S2, 1083, "220,234", "MNIST CNN with 'same' 3×3 convolutions", (320, 18496, 200768, 650, 220234),
       (320, 18496, 200768, 650, 220234), "summary arithmetic",
       lambda: _stack((28, 28, 1), [("conv", 32, 3, "same"), ("pool", 2), ("conv", 64, 3, "same"), ("pool", 2),
                                    ("flatten",), ("dense", 64), ("dense", 10)])),
    # --- receptive fields ---
    _E(S2, 1489, r"7 \times 7", "stacked 3×3 convolutions: receptive fields", (3, 5, 7), (3, 5, 7),
       "receptive_field_steps", lambda: tuple(receptive_field_steps([("conv", 3, 1)] * 3).sizes)),
    _E(S2, 1489, r"18 \times 18", "the same stack on 20×20: map sizes", (18, 16, 14), (18, 16, 14),
       "conv_output_length", lambda: (ar.conv_output_length(20, 3), ar.conv_output_length(18, 3),
                                      ar.conv_output_length(16, 3))),
    _E(S2, 1458, r"(5 \times 5)", "second 3×3 convolution sees 5×5", 5, 5, "receptive_field_steps",
       lambda: receptive_field_steps([("conv", 3, 1)] * 2).size),
    _E(S1, 269, "4x4", "a 2×2 group of first-layer neurons (3×3 conv) sees 4×4", 4, 4, "receptive_field_steps",
       lambda: receptive_field_steps([("conv", 3, 1), ("pool", 2, 2)]).size),
    _E(S1, 271, "12x12", "conv 3×3 → max-pool 2×2 → conv 3×3: receptive field", 12, 8, "receptive_field_steps",
       lambda: receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]).size, _RF_WHY),
]


def to_markdown(examples: Sequence[WorkedExample] = WORKED_EXAMPLES) -> str:
    """The table as Markdown: where, what, the notes' value, convlens's value (rounded) and any correction.

    >>> to_markdown().splitlines()[0]
    '| where (seed:line) | example | the notes say | convlens computes | with |'
    """
    lines = ["| where (seed:line) | example | the notes say | convlens computes | with |", "|---|---|---|---|---|"]
    for ex in examples:
        said = "(not printed)" if ex.notes is None else show(ex.notes)
        got = ex.shown() + (f" — **the notes are wrong**: {ex.correction}" if ex.correction else "")
        lines.append(f"| `{ex.key}` | {ex.title} | {said} | {got} | `{ex.how}` |")
    return "\n".join(lines)

"""Worked examples from the lecture notes (inputs only; the expected numbers live in the tests)."""
from convlens.explain.notes_inputs import (  # noqa: F401  (re-exported for the explainer's tests)
    B0, B1, BINARY_5x5, GRID_8x7, POOL_4x4, VOLUME_5x5x3, W0, W1, X_FILTER,
)

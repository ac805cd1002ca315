"""One test harness for every layer (after Keras's run_layer_test): shapes, weights, config, a training step."""
from __future__ import annotations

import numpy as np
import torch

from convlens import layers as L


def _detached(x):
    return [t.detach() for t in x] if isinstance(x, list) else x.detach()


def run_layer_test(layer: L.Layer, input_shape: tuple | list[tuple], seed: int = 0,
                   round_trip: bool = True) -> torch.Tensor:
    """Build ``layer`` for ``input_shape`` (with batch; a list of shapes for merge layers), check what every layer
    promises, return its output. ``round_trip=False`` for layers that cannot have a config (Lambda)."""
    torch.manual_seed(seed)
    many = isinstance(input_shape, list)
    shapes = input_shape if many else [input_shape]
    xs = [torch.randn(s, requires_grad=True) for s in shapes]
    x = xs if many else xs[0]
    batch_shapes = [(None, *s[1:]) for s in shapes]
    expected_shape = layer.compute_output_shape(batch_shapes if many else batch_shapes[0])
    y = layer(x)
    assert tuple(y.shape[1:]) == tuple(expected_shape[1:]), (layer, y.shape, expected_shape)

    # parameter count from the arithmetic module equals the real number of weights
    weights = layer.get_weights()
    assert layer.param_count(batch_shapes if many else batch_shapes[0]).count == sum(w.size for w in weights)

    # config round trip rebuilds an equivalent layer; Keras-layout weights move across unchanged
    if round_trip:
        twin = type(layer).from_config(layer.get_config())
        twin(_detached(x))
        twin.set_weights(weights)
        assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), weights))
        layer.eval(), twin.eval()
        torch.testing.assert_close(twin(_detached(x)), layer(_detached(x)))
        layer.train()

    # one training step: every trainable parameter and every input receives a gradient
    y = layer(x)
    y.float().square().mean().backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert all(t.grad is not None for t in xs)
    return y.detach()

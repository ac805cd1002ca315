"""One test harness for every layer (after Keras's run_layer_test): shapes, weights, config, a training step."""
from __future__ import annotations

import numpy as np
import torch

from convlens import layers as L


def run_layer_test(layer: L.Layer, input_shape: tuple, seed: int = 0) -> torch.Tensor:
    """Build ``layer`` for ``input_shape`` (with batch), check what every layer promises, return its output."""
    torch.manual_seed(seed)
    x = torch.randn(input_shape, requires_grad=True)
    expected_shape = layer.compute_output_shape((None, *input_shape[1:]))
    y = layer(x)
    assert tuple(y.shape[1:]) == tuple(expected_shape[1:]), (layer, y.shape, expected_shape)

    # parameter count from the arithmetic module equals the real number of weights
    weights = layer.get_weights()
    assert layer.param_count((None, *input_shape[1:])).count == sum(w.size for w in weights)

    # config round trip rebuilds an equivalent layer; Keras-layout weights move across unchanged
    twin = type(layer).from_config(layer.get_config())
    twin(x.detach())
    twin.set_weights(weights)
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), weights))
    layer.eval(), twin.eval()
    torch.testing.assert_close(twin(x.detach()), layer(x.detach()))
    layer.train()

    # one training step: every trainable parameter receives a gradient
    y = layer(x)
    y.float().square().mean().backward()
    for name, p in layer.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert x.grad is not None
    return y.detach()

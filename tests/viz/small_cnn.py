"""A small CNN for the model-based plots and the report tests: the real convlens Sequential when it exists, else a stand-in
that follows the model contract of docs/ARCHITECTURE.md (channels-last, `.layers` with `.name`)."""
from __future__ import annotations

import numpy as np
import torch


class Conv2D(torch.nn.Module):
    def __init__(self, name: str, c_in: int, filters: int) -> None:
        super().__init__()
        self.name = name
        self.conv = torch.nn.Conv2d(c_in, filters, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x.permute(0, 3, 1, 2))).permute(0, 2, 3, 1)

    def get_weights(self) -> list[np.ndarray]:
        return [self.conv.weight.detach().permute(2, 3, 1, 0).numpy(), self.conv.bias.detach().numpy()]


class Flatten(torch.nn.Module):
    name = "flatten"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)


class DenseSoftmax(torch.nn.Module):
    name = "dense"

    def __init__(self, units_in: int, units: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(units_in, units)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x), dim=-1)


class StandIn(torch.nn.Module):
    def __init__(self, layers: list[torch.nn.Module]) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def predict(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self(torch.as_tensor(np.asarray(x, dtype=np.float32))).numpy()


def build_small_cnn(channels: int = 1, size: int = 12, classes: int = 3):
    """conv2d_1 (4 filters) -> conv2d_2 (6 filters) -> flatten -> dense softmax; input (size, size, channels)."""
    torch.manual_seed(0)
    try:
        from convlens.layers import Conv2D as RealConv2D, Dense, Flatten as RealFlatten
        from convlens.models import Sequential
    except ImportError:
        side = size - 4
        return StandIn(
            [Conv2D("conv2d_1", channels, 4), Conv2D("conv2d_2", 4, 6), Flatten(), DenseSoftmax(side * side * 6, classes)]
        )
    return Sequential(
        [
            RealConv2D(4, 3, activation="relu", input_shape=(size, size, channels), name="conv2d_1"),
            RealConv2D(6, 3, activation="relu", name="conv2d_2"),
            RealFlatten(),
            Dense(classes, activation="softmax"),
        ]
    )

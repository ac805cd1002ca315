"""``from convlens import backend as K``: the Keras 2 backend functions that CNN programs of that era call.

convlens is channels-last, float32 and keeps no session, so most of these report a fixed fact and the setters accept
only the value that is already in force (anything else is refused with a message saying what to do instead).

Example:
    >>> from convlens import backend as K
    >>> K.image_data_format(), K.floatx(), K.epsilon(), K.backend()
    ('channels_last', 'float32', 1e-07, 'torch')
    >>> input_shape = (1, 28, 28) if K.image_data_format() == "channels_first" else (28, 28, 1)
    >>> input_shape
    (28, 28, 1)
"""
from __future__ import annotations

import gc
import os
from typing import Any

import numpy as np
import torch

_EPSILON = 1e-7


def backend() -> str:
    """The array library underneath: ``'torch'``."""
    return "torch"


def image_data_format() -> str:
    """Always ``'channels_last'``: images are ``(N, H, W, C)`` at the convlens API."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    """Accepts ``'channels_last'``; ``'channels_first'`` is refused (convlens layers take channels-last arrays)."""
    if data_format == "channels_last":
        return
    if data_format == "channels_first":
        raise ValueError("convlens works channels-last only: images are (N, H, W, C). Keep the default "
                         "'channels_last' and move the channel axis of your arrays with "
                         "x = np.moveaxis(x, 1, -1)")
    raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")


def image_dim_ordering() -> str:
    """Keras 1's name: ``'tf'`` (channels last)."""
    return "tf"


def set_image_dim_ordering(dim_ordering: str) -> None:
    """Keras 1's setter: ``'tf'`` accepted, ``'th'`` (channels first) refused."""
    set_image_data_format({"tf": "channels_last", "th": "channels_first"}.get(dim_ordering, dim_ordering))


def epsilon() -> float:
    """The fuzz factor of losses and optimizers' defaults: ``1e-07``."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Only the value in force (1e-7) is accepted: the losses use it as a constant."""
    if float(value) != _EPSILON:
        raise ValueError(f"convlens uses a fixed epsilon of {_EPSILON}; set_epsilon({value}) is not supported. "
                         f"Pass epsilon= to the optimizer instead")


def floatx() -> str:
    """The float type of weights and computations: ``'float32'``."""
    return "float32"


def set_floatx(value: str) -> None:
    """Only ``'float32'`` is accepted; for bfloat16 compute use ``model.compile(..., mixed_precision='bfloat16')``."""
    if value != "float32":
        raise ValueError(f"convlens keeps weights in float32; set_floatx({value!r}) is not supported. For faster "
                         f"bfloat16 compute use model.compile(..., mixed_precision='bfloat16')")


def clear_session() -> None:
    """Free what Python and the GPU cache still hold from earlier models (convlens keeps no graph or session)."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def learning_phase() -> int:
    """Keras 2's global training flag; convlens decides per call (``fit`` trains, ``predict`` does not): 0."""
    return 0


def set_learning_phase(value: int) -> None:
    """Refused: pass ``training=`` to a model call instead (there is no global training flag)."""
    raise ValueError("set_learning_phase is not supported (it was removed in Keras 3); call the model with "
                     "training=True/False instead")


def get_value(x: Any) -> Any:
    """A tensor or variable as NumPy (a number stays a number)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return x


def set_value(x: torch.Tensor, value: Any) -> None:
    """Copy ``value`` into the tensor ``x`` in place. (To change an optimizer's learning rate, assign
    ``model.optimizer.learning_rate = value``.)"""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"set_value needs a tensor to write into, got {type(x).__name__}; for the learning rate "
                        f"assign model.optimizer.learning_rate = value")
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))


def int_shape(x: Any) -> tuple:
    """The shape as a tuple of ints, ``None`` where a size is not known (a symbolic tensor's batch axis)."""
    return tuple(None if d is None else int(d) for d in (x.shape if hasattr(x, "shape") else np.shape(x)))


def count_params(x: Any) -> int:
    """The number of scalars in a tensor or array."""
    shape = int_shape(x)
    if None in shape:
        raise ValueError(f"count_params needs every size to be known, got shape {shape}")
    return int(np.prod(shape))


def resolve_device(device: Any = None, environ: dict[str, str] | None = None) -> torch.device:
    """``device`` if given, else ``$CONVLENS_DEVICE``, else CUDA (``cuda:$LOCAL_RANK`` under torchrun), MPS, CPU."""
    environ = os.environ if environ is None else environ
    choice = device if device is not None else environ.get("CONVLENS_DEVICE") or None
    if choice is None:
        if torch.cuda.is_available():
            return torch.device("cuda", int(environ.get("LOCAL_RANK", 0)) % torch.cuda.device_count())
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(choice)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps', got {choice!r}") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {choice!r} asked for, but torch sees no CUDA GPU here; use 'cpu'")
    if resolved.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device {choice!r} asked for, but MPS is not available here; use 'cpu'")
    if resolved.type == "cuda" and resolved.index is None:
        resolved = torch.device("cuda", int(environ.get("LOCAL_RANK", 0)) % torch.cuda.device_count())
    return resolved


__all__ = ["backend", "clear_session", "count_params", "epsilon", "floatx", "get_value", "image_data_format",
           "image_dim_ordering", "int_shape", "learning_phase", "resolve_device", "set_epsilon", "set_floatx",
           "set_image_data_format", "set_image_dim_ordering", "set_learning_phase", "set_value"]

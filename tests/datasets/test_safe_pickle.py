from __future__ import annotations

import builtins
import pickle

import numpy as np
import pytest

from convlens.datasets._safe_pickle import UnsafePickleError, safe_loads


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_arrays_and_containers_round_trip(protocol):
    original = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4), b"labels": [1, 2, 3], b"name": b"batch 1"}
    loaded = safe_loads(pickle.dumps(original, protocol=protocol))
    np.testing.assert_array_equal(loaded[b"data"], original[b"data"])
    assert loaded[b"labels"] == [1, 2, 3] and loaded[b"name"] == b"batch 1"


class _CallsEval:
    def __reduce__(self):
        return builtins.eval, ("1 + 1",)


@pytest.mark.parametrize("payload", [_CallsEval(), pickle.loads, print])
def test_any_other_callable_is_refused(payload):
    with pytest.raises(UnsafePickleError, match="Refusing to load .* from evil.pkl"):
        safe_loads(pickle.dumps(payload), source="evil.pkl")

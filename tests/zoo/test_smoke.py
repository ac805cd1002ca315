"""One smoke test for every registered model, at the small configuration its registry entry names."""
import numpy as np
import pytest
import torch

from convlens.models import load_model
from convlens.zoo import create_model, list_models, model_info


@pytest.mark.parametrize("name", list_models())
def test_registered_model_smoke(name, tmp_path):
    torch.manual_seed(0)
    model = create_model(name, **model_info(name).smoke)
    x = torch.rand(2, *model.input_shape[1:])
    model.train()
    out = model(x)
    assert out.shape[0] == 2 and torch.isfinite(out).all(), name
    (out * torch.randn_like(out)).sum().backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and (p.grad is None or
                                                                            not torch.isfinite(p.grad).all())]
    assert not missing, f"{name}: no gradient for {missing}"
    assert "Total params" in model.summary(return_string=True)

    model.eval()
    expected = model.predict(x.numpy(), verbose=0)
    model.save(tmp_path / "m.convlens")
    again = load_model(tmp_path / "m.convlens")
    np.testing.assert_allclose(again.predict(x.numpy(), verbose=0), expected, rtol=1e-5, atol=1e-6)

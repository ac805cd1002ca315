import numpy as np
import pytest

from convlens.explain import conv2d, conv2d_backward

torch = pytest.importorskip("torch")


def _torch_grads(image, kernel, upstream, stride, padding):
    """dL/dinput and dL/dkernel from autograd, with L = sum(output * upstream)."""
    x = torch.tensor(np.atleast_3d(image).transpose(2, 0, 1)[None], requires_grad=True)
    w = torch.tensor(np.atleast_3d(kernel).transpose(2, 0, 1)[None], requires_grad=True)
    y = torch.nn.functional.conv2d(x, w, stride=stride, padding=padding)
    (y[0, 0] * torch.tensor(upstream)).sum().backward()
    return x.grad[0].numpy().transpose(1, 2, 0), w.grad[0].numpy().transpose(1, 2, 0)


@pytest.mark.parametrize("shape, kshape, stride, padding", [
    ((5, 5), (3, 3), 1, 0),
    ((6, 7), (3, 2), 2, 1),   # stride 2 does not reach the last column: it must get zero gradient
    ((7, 7, 3), (3, 3, 3), 2, 1),
    ((5, 6, 2), (2, 3, 2), (1, 2), 0),
])
def test_gradients_match_torch_autograd(shape, kshape, stride, padding):
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=shape), rng.normal(size=kshape)
    out_shape = conv2d(image, kernel, stride, padding).output.shape
    upstream = rng.normal(size=out_shape)
    back = conv2d_backward(image, kernel, upstream, stride=stride, padding=padding)
    grad_x, grad_w = _torch_grads(image, kernel, upstream, stride, padding)
    np.testing.assert_allclose(np.atleast_3d(back.grad_input), grad_x, atol=1e-10)
    np.testing.assert_allclose(np.atleast_3d(back.grad_kernel), grad_w, atol=1e-10)
    assert back.grad_bias == pytest.approx(upstream.sum())
    assert back.grad_input.shape == np.shape(image)


def test_shows_flipped_kernel_and_dilated_gradient():
    kernel = np.arange(9.0).reshape(3, 3)
    upstream = np.array([[1.0, 2.0], [3.0, 4.0]])
    back = conv2d_backward(np.ones((5, 5)), kernel, upstream, stride=2)
    np.testing.assert_array_equal(back.flipped_kernel, kernel[::-1, ::-1])
    np.testing.assert_array_equal(back.dilated_grad, [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert back.padded_grad.shape == (3 + 2 * 2, 3 + 2 * 2)
    np.testing.assert_array_equal(back.padded_grad[2:5, 2:5], back.dilated_grad)
    # The transposed convolution is itself a step-by-step trace whose output is dL/dinput.
    np.testing.assert_array_equal(back.transposed[0].output, back.grad_input_padded)
    text = str(back)
    assert "flipped" in text and "dL/dinput" in text and "dL/dkernel" in text and "= 10" in text


def test_single_position_gradient_is_the_kernel():
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    back = conv2d_backward(np.zeros((2, 2)), kernel, [[1.0]])
    np.testing.assert_array_equal(back.grad_input, kernel)


def test_wrong_upstream_shape():
    with pytest.raises(ValueError, match=r"upstream_grad must have the forward output's shape \(3, 3\)"):
        conv2d_backward(np.ones((5, 5)), np.ones((3, 3)), np.ones((2, 2)))

"""A small ``tf.data``-style dataset: a re-iterable pipeline of elements (usually ``(images, labels)`` batches of
torch tensors) with ``map``, ``batch``, ``unbatch``, ``shuffle``, ``cache``, ``prefetch``, ``take``, ``skip`` and
``repeat``, as the Keras image tutorials chain them.

Each ``for`` over a dataset is one pass (an epoch); a shuffled source draws a new order every pass. Images are
decoded a batch at a time by a thread pool, batches ahead of the one being used (``convlens.data.prefetch``);
``cache()`` keeps every element the first time it is produced, so no file is read twice. A dataset also answers
``len()`` (elements per pass, when known) and ``ds[i]`` read in order, so ``fit``/``evaluate``/``predict`` take it
like a Keras ``Sequence``. The code lives in ``pipeline`` (``Dataset`` and its steps), ``image_batches`` and
``elements``; every name is here too.

Example:
    >>> import torch
    >>> ds = Dataset.from_tensor_slices((torch.arange(10.0), torch.arange(10) % 2)).batch(4)
    >>> len(ds), [tuple(x.shape) for x, y in ds]
    (3, [(4,), (4,), (2,)])
    >>> sorted(int(y.sum()) for x, y in ds.unbatch().shuffle(10, seed=0).batch(5).cache().prefetch(AUTOTUNE))
    [2, 3]
"""
from convlens.data.elements import AUTOTUNE, ArrayTensor
from convlens.data.image_batches import ImageFileBatches
from convlens.data.pipeline import Dataset, TensorSlices

__all__ = ["AUTOTUNE", "ArrayTensor", "Dataset", "ImageFileBatches", "TensorSlices"]

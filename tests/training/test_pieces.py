"""The Trainer's pieces: the epoch iterator that fit, evaluate and predict share, the one default-step marker, and
the size of the loop's methods (a screen long)."""
import ast
from pathlib import Path

import numpy as np
import torch

import convlens.training
from convlens import Sequential
from convlens.layers import Dense
from convlens.training.data import ArrayData
from convlens.training.default_steps import is_default_step
from convlens.training.epoch_iterator import EpochIterator


def rows_seen(passes, epoch, seed, start=0):
    return [batch[0][:, 0].tolist() for _, batch, _ in passes.epoch(epoch, seed, start)]


def test_the_permutation_follows_the_seed_and_the_epoch_only():
    data = ArrayData(np.arange(10.0).reshape(10, 1), np.arange(10))
    passes = EpochIterator(data, 4, shuffle=True)
    torch.manual_seed(0)
    first = rows_seen(passes, 1, 5)
    torch.manual_seed(1)  # the global RNG plays no part
    assert rows_seen(passes, 1, 5) == first
    assert rows_seen(passes, 2, 5) != first
    assert sorted(sum(first, [])) == list(range(10))
    assert rows_seen(passes, 1, 5, start=1) == first[1:]  # a resumed epoch skips the batches it already ran
    assert rows_seen(EpochIterator(data, 4), 1, 5) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_shards_of_each_global_batch_are_disjoint_and_cover_it():
    data = ArrayData(np.arange(10.0).reshape(10, 1), np.arange(10))

    def shard(rank):
        return lambda n: (n * rank // 2, n * (rank + 1) // 2)

    ranks = [list(EpochIterator(data, 4, shuffle=True, shard=shard(r)).epoch(0, 3)) for r in range(2)]
    whole = list(EpochIterator(data, 4, shuffle=True).epoch(0, 3))
    for (index, batch, rows), *parts in zip(whole, *ranks):
        assert {p[0] for p in parts} == {index} and {p[2] for p in parts} == {rows}
        assert sum((p[1][0][:, 0].tolist() for p in parts), []) == batch[0][:, 0].tolist()


def test_the_models_steps_carry_the_trainings_default_marker():
    class Custom(Sequential):
        def train_step(self, data):
            return super().train_step(data)

    model = Sequential([Dense(1, input_shape=(2,))])
    assert is_default_step(model.train_step) and is_default_step(model.test_step)
    assert is_default_step(model.trainer.predict_step)
    assert not is_default_step(Custom([Dense(1, input_shape=(2,))]).train_step)


def test_every_method_of_the_training_package_is_a_screen_long_and_every_file_small():
    folder = Path(convlens.training.__file__).parent
    long = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text()
        assert len(text.splitlines()) <= 450, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                if node.end_lineno - first + 1 > 60:
                    long.append(f"{path.name}:{node.name}")
    assert long == []

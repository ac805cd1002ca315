"""The Trainer: run state and exact resume (mid-epoch, callbacks, ImageDataGenerator.flow, each precision policy),
hooks, modes, the global RNG, the precision decision, and plain torch modules."""
import warnings

import numpy as np
import pytest
import torch

from convlens import Sequential
from convlens.callbacks import BackupAndRestore, Callback, EarlyStopping, LambdaCallback, ReduceLROnPlateau
from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.preprocessing.image import ImageDataGenerator
from convlens.training import Trainer
from convlens.training.strategy import Strategy, resolve_device, resolve_precision
from convlens.utils import set_random_seed

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


class Interrupt(Exception):
    """Stands for a kill (test_resume.py kills real processes with SIGKILL)."""


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 8, 8, 1), dtype=np.float32)
    return x, (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")


def small_model(precision="float32"):
    set_random_seed(0)
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(2), Flatten(),
                        Dropout(0.3), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], precision=precision, device="cpu")
    return model


def run(backup, source, interrupt_at=None, save_freq="epoch", precision="float32", epochs=4, resumed=False):
    """Fit with BackupAndRestore (and callbacks that hold state); raise Interrupt after global batch
    ``interrupt_at``. Returns (model, history, reduce_lr)."""
    model = small_model(precision)
    reduce_lr = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5, min_delta=10.0)
    stopper = EarlyStopping(monitor="loss", patience=50, min_delta=10.0)
    seen = []

    def count(batch, logs):
        seen.append(batch)
        if interrupt_at is not None and len(seen) == interrupt_at:
            raise Interrupt

    x, y = source(resumed)
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0,
                        callbacks=[BackupAndRestore(backup, save_freq=save_freq), reduce_lr, stopper,
                                   LambdaCallback(on_train_batch_end=count)])
    return model, history, reduce_lr


def arrays(resumed=False):
    return data()


def flow(resumed=False):
    x, y = data()  # the resumed run asks for a fresh seed (seed=None): it must take the saved one instead
    generator = ImageDataGenerator(horizontal_flip=True, rotation_range=10)
    return generator.flow(x, y, batch_size=16, seed=None if resumed else 7), None


@pytest.mark.parametrize("source", [arrays, flow], ids=["arrays", "ImageDataGenerator.flow"])
@pytest.mark.parametrize("interrupt_at, save_freq", [(15, 4), (12, "epoch")], ids=["mid-epoch", "epoch-end"])
def test_interrupted_and_resumed_run_equals_uninterrupted(tmp_path, source, interrupt_at, save_freq):
    straight, straight_history, straight_lr = run(tmp_path / "a", source)
    with pytest.raises(Interrupt):
        run(tmp_path / "b", source, interrupt_at=interrupt_at, save_freq=save_freq)
    assert (tmp_path / "b" / "backup.convlens").exists()
    set_random_seed(123)  # whatever happens in between must not matter
    resumed, history, reduce_lr = run(tmp_path / "b", source, save_freq=save_freq, resumed=True)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert history.epoch[-1] == 3 and history.history["loss"][-1] == straight_history.history["loss"][-1]
    assert (reduce_lr.wait, reduce_lr.cooldown_counter, reduce_lr.best) == \
        (straight_lr.wait, straight_lr.cooldown_counter, straight_lr.best)
    assert resumed.optimizer.learning_rate == straight.optimizer.learning_rate < 0.001  # it did reduce


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_exact_resume_under_each_cpu_precision_policy(tmp_path, precision):
    straight, _, _ = run(tmp_path / "a", arrays, precision=precision, epochs=3)
    with pytest.raises(Interrupt):
        run(tmp_path / "b", arrays, interrupt_at=9, save_freq=2, precision=precision, epochs=3)
    resumed, _, _ = run(tmp_path / "b", arrays, save_freq=2, precision=precision, epochs=3)
    assert resumed.precision_policy == precision
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_patience_survives_a_resume(tmp_path):
    model = small_model()
    stopper = EarlyStopping(monitor="loss", patience=3, min_delta=10.0)
    x, y = data()
    with pytest.raises(Interrupt):
        model.fit(x, y, epochs=10, verbose=0, callbacks=[BackupAndRestore(tmp_path), stopper, LambdaCallback(
            on_epoch_end=lambda epoch, logs: (_ for _ in ()).throw(Interrupt) if epoch == 2 else None)])
    assert stopper.wait == 2  # the backup of epoch 1 (taken last, after the callbacks) holds wait == 1
    again = EarlyStopping(monitor="loss", patience=3, min_delta=10.0)
    history = small_model().fit(x, y, epochs=10, verbose=0, callbacks=[BackupAndRestore(tmp_path), again])
    assert history.epoch == [2, 3]  # waited 1 epoch before the backup, then 2 more: patience 3 spent
    assert again.stopped_epoch == 3


def test_the_global_rng_is_never_reset():
    model = small_model()
    x, y = data()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    model.fit(x, y, epochs=1, verbose=0)  # draws its seed once from the global generator
    model.evaluate(x, y, verbose=0)
    model.predict(x)
    after = torch.rand(3)
    torch.manual_seed(5)
    torch.randint(0, 2 ** 62, (1,))
    assert torch.equal(after, torch.rand(3)) and not torch.equal(after, expected)


def test_validation_calls_test_hooks_and_predict_calls_predict_hooks():
    calls = []

    class Record(Callback):
        def on_test_begin(self, logs=None):
            calls.append(("test_begin", self.trainer is not None))

        def on_test_batch_end(self, batch, logs=None):
            calls.append(("test_batch", batch))

        def on_test_end(self, logs=None):
            calls.append(("test_end", sorted(logs)))

        def on_predict_batch_end(self, batch, logs=None):
            calls.append(("predict_batch", logs["outputs"].shape))

        def on_predict_end(self, logs=None):
            calls.append(("predict_end", None))

    model = small_model()
    x, y = data(40)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, validation_data=data(20, 1), callbacks=[Record()])
    assert calls == [("test_begin", True), ("test_batch", 0), ("test_batch", 1),
                     ("test_end", ["accuracy", "loss"])]
    calls.clear()
    model.predict(x[:20], batch_size=16, callbacks=[Record()])
    assert calls == [("predict_batch", (16, 2)), ("predict_batch", (4, 2)), ("predict_end", None)]


@pytest.mark.parametrize("mode", [True, False])
def test_evaluate_and_predict_restore_the_previous_mode(mode):
    model = small_model()
    x, y = data(20)
    model.train(mode)
    model.evaluate(x, y, verbose=0)
    assert model.training is mode
    model.predict(x)
    assert model.training is mode


def test_precision_auto_follows_the_hardware():
    cpu = torch.device("cpu")
    assert resolve_precision("auto", cpu, cpu_flags={"avx2", "avx512f", "amx_bf16"}) == "mixed_bfloat16"
    assert resolve_precision("auto", cpu, cpu_flags={"avx2", "avx512_bf16"}) == "mixed_bfloat16"
    assert resolve_precision("auto", cpu, cpu_flags={"avx2", "avx512f"}) == "float32"
    assert resolve_precision("float32", cpu, cpu_flags={"amx_bf16"}) == "float32"
    assert Strategy(device="cpu").precision == "float32"  # the default, on every machine
    with pytest.raises(ValueError, match="mixed_float16.*CUDA"):
        resolve_precision("mixed_float16", cpu)
    with pytest.raises(ValueError, match="'float64'"):
        resolve_precision("float64", cpu)


def test_precision_policy_is_visible_and_runs_in_predict(capsys):
    model = small_model(precision="bfloat16")  # compile's short spelling of Keras's "mixed_bfloat16"
    assert model.precision_policy == "mixed_bfloat16"
    x, y = data(32)
    seen = []
    model.layers[0].register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    model.fit(x, y, epochs=1, verbose=2)
    assert "precision: mixed_bfloat16" in capsys.readouterr().out
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    assert set(seen) == {torch.bfloat16}
    with pytest.warns(DeprecationWarning, match="precision='bfloat16'"):
        model.compile("adam", "sparse_categorical_crossentropy", mixed_precision="bfloat16", device="cpu")
    assert model.precision_policy == "mixed_bfloat16"


def test_device_choice(monkeypatch):
    monkeypatch.setenv("CONVLENS_DEVICE", "cpu")
    assert resolve_device() == torch.device("cpu")
    with pytest.raises(ValueError, match="'tpu'"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            resolve_device("cuda")


@cuda
@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16", "mixed_float16"])
def test_cuda_policies_train_and_resume_exactly(tmp_path, precision):
    def fit(backup, interrupt_at=None):
        set_random_seed(0)
        model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), Flatten(),
                            Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", precision=precision, device="cuda")
        x, y = data()
        stop = LambdaCallback(on_train_batch_end=lambda b, logs: (_ for _ in ()).throw(Interrupt)
                              if interrupt_at is not None and b == interrupt_at else None)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[BackupAndRestore(backup, save_freq=1), stop])
        return model

    straight = fit(tmp_path / "a")
    assert straight.precision_policy == precision and next(straight.parameters()).is_cuda
    with pytest.raises(Interrupt):
        fit(tmp_path / "b", interrupt_at=3)
    torch.use_deterministic_algorithms(True, warn_only=True)
    resumed = fit(tmp_path / "b")
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_trainer_runs_a_plain_torch_module_and_warns_about_logits():
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    trainer = Trainer(module)
    trainer.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], device="cpu")
    x, y = data(32)
    with pytest.warns(RuntimeWarning, match="from_logits=True"):
        trainer.fit(x, y, epochs=1, verbose=0)
    from convlens.losses import SparseCategoricalCrossentropy
    trainer.compile("adam", SparseCategoricalCrossentropy(from_logits=True), ["accuracy"], device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = trainer.fit(x, y, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert trainer.predict(x).shape == (32, 2)


def test_a_trainer_subclass_overrides_the_step():
    class Counting(Trainer):
        steps = 0

        def train_step(self, data):
            Counting.steps += 1
            return super().train_step(data)

    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2), torch.nn.Softmax(-1))
    trainer = Counting(module)
    trainer.compile("sgd", "sparse_categorical_crossentropy", device="cpu")
    x, y = data(40)
    trainer.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert Counting.steps == 6

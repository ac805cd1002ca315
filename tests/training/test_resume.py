"""A run killed after epoch k and resumed with BackupAndRestore ends with exactly the uninterrupted weights."""
import os
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from convlens import Sequential
    from convlens.callbacks import BackupAndRestore, LambdaCallback
    from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from convlens.utils import set_random_seed

    backup_dir, out, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((96, 8, 8, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(2), Flatten(),
                        Dropout(0.3), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])

    def maybe_die(epoch, logs):
        if epoch + 1 == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # a real, abrupt kill: no clean-up runs

    model.fit(x, y, batch_size=16, epochs=5, verbose=0,
              callbacks=[BackupAndRestore(backup_dir), LambdaCallback(on_epoch_end=maybe_die)])
    np.savez(out, *model.get_weights())
""")


def run(tmp_path, backup, out, kill_after):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, str(script), str(backup), str(out), str(kill_after)],
                          env=env, capture_output=True, text=True, timeout=120)


def test_killed_and_resumed_run_equals_uninterrupted(tmp_path):
    straight = run(tmp_path, tmp_path / "backup_a", tmp_path / "a.npz", 0)
    assert straight.returncode == 0, straight.stderr

    killed = run(tmp_path, tmp_path / "backup_b", tmp_path / "b.npz", 2)
    assert killed.returncode == -9  # SIGKILL after epoch 2
    assert (tmp_path / "backup_b" / "backup.convlens").exists()
    assert not (tmp_path / "b.npz").exists()

    resumed = run(tmp_path, tmp_path / "backup_b", tmp_path / "b.npz", 0)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "backup_b" / "backup.convlens").exists()  # deleted after a finished run

    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    assert len(a.files) == len(b.files) == 4
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])


def test_initial_epoch_with_full_checkpoint_continues_exactly(tmp_path):
    from convlens.models import load_model
    from convlens.zoo import create_model
    from convlens.utils import set_random_seed

    rng = np.random.default_rng(0)
    x = rng.random((64, 32, 32, 3), dtype=np.float32)
    y = rng.integers(0, 10, 64)

    def fresh():
        set_random_seed(7)
        model = create_model("notes_cifar10_cnn")  # has Dropout, so the RNG state matters
        model.compile("rmsprop", "sparse_categorical_crossentropy", ["accuracy"])
        return model

    straight = fresh()
    straight.fit(x, y, batch_size=16, epochs=4, verbose=0)

    first = fresh()
    first.fit(x, y, batch_size=16, epochs=2, verbose=0)
    first.save(tmp_path / "epoch2.convlens")
    del first
    set_random_seed(999)  # whatever happens in between must not matter
    resumed = load_model(tmp_path / "epoch2.convlens")
    history = resumed.fit(x, y, batch_size=16, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_layers_with_their_own_seed_resume_exactly(tmp_path):
    """RandomFlip(seed=…) and RandomRotation(seed=…) draw from their own generators: a resumed run draws what the
    uninterrupted one drew, and the same seed gives the same augmentations."""
    from convlens.layers import Conv2D, Dense, Flatten, RandomFlip, RandomRotation
    from convlens.models import Sequential, load_model
    from convlens.utils import set_random_seed

    rng = np.random.default_rng(0)
    x = rng.random((48, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 2, 48)

    def fresh():
        set_random_seed(3)
        model = Sequential([RandomFlip("horizontal", seed=1, input_shape=(8, 8, 1)), RandomRotation(0.2, seed=2),
                            Conv2D(2, 3), Flatten(), Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    straight = fresh()
    straight.fit(x, y, batch_size=16, epochs=4, verbose=0)
    first = fresh()
    first.fit(x, y, batch_size=16, epochs=2, verbose=0)
    first.layers[0].generator.manual_seed(12345)  # the layers' generator states are not what resume relies on
    first.save(tmp_path / "epoch2.convlens")
    resumed = load_model(tmp_path / "epoch2.convlens")
    resumed.fit(x, y, batch_size=16, epochs=4, initial_epoch=2, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)

"""torchrun scale-out on one machine: 2 processes × 1 thread on gloo, each run with a timeout."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

SCRIPT = textwrap.dedent("""
    import json, os, signal, sys
    import numpy as np
    from convlens import Sequential
    from convlens.callbacks import BackupAndRestore, CSVLogger, LambdaCallback, ModelCheckpoint
    from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from convlens.mixed_precision import set_global_policy
    from convlens.utils import set_random_seed

    out, epochs, kill_after, backup, policy = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    set_global_policy(policy)
    rank = int(os.environ.get("RANK", "0"))
    work = os.path.join(out, f"rank{rank}")
    os.makedirs(work, exist_ok=True)
    os.chdir(work)  # relative file names: a file written by rank 1 would land here
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((37, 8, 8, 1), dtype=np.float32)   # 37 = 4 batches of 8 and an uneven last batch of 5
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    xv, yv = rng.random((11, 8, 8, 1), dtype=np.float32), rng.integers(0, 2, 11)
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(2), Flatten(),
                        Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], device="cpu")

    def maybe_die(epoch, logs):
        if epoch + 1 == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    callbacks = [CSVLogger("log.csv"), ModelCheckpoint("best.weights.h5", save_weights_only=True),
                 LambdaCallback(on_epoch_end=maybe_die)]
    if backup != "-":
        callbacks.insert(0, BackupAndRestore(backup))
    history = model.fit(x, y, batch_size=8, epochs=epochs, validation_data=(xv, yv), callbacks=callbacks,
                        verbose=2)
    np.savez(os.path.join(out, f"weights{rank}.npz"), *model.get_weights())
    with open(os.path.join(out, f"history{rank}.json"), "w") as f:
        json.dump(history.history, f)
""")


def launch(tmp_path, out, nproc, epochs=2, kill_after=0, backup="-", policy="float32"):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    args = [str(script), str(out), str(epochs), str(kill_after), str(backup), policy]
    if nproc > 1:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *args]
    else:
        command = [sys.executable, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


def weights(path):
    data = np.load(path)
    return [data[key] for key in data.files]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """An uninterrupted 2-process run of 3 epochs (with a backup folder, deleted at its end)."""
    root = tmp_path_factory.mktemp("straight")
    result = launch(root, root / "two", 2, epochs=3, backup=root / "backup")
    assert result.returncode == 0, result.stderr[-3000:]
    return root, result


def test_two_processes_equal_one_with_the_same_global_batch(tmp_path, straight):
    root, two = straight
    one = launch(tmp_path, tmp_path / "one", 1, epochs=3)
    assert one.returncode == 0, one.stderr[-3000:]
    single = weights(tmp_path / "one" / "weights0.npz")
    for rank in (0, 1):
        for a, b in zip(single, weights(root / "two" / f"weights{rank}.npz")):
            np.testing.assert_allclose(a, b, atol=1e-5)
    h0 = json.loads((root / "two" / "history0.json").read_text())
    h1 = json.loads((root / "two" / "history1.json").read_text())
    assert h0 == h1  # exact and identical on every rank
    reference = json.loads((tmp_path / "one" / "history0.json").read_text())
    assert set(h0) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key in h0:
        np.testing.assert_allclose(h0[key], reference[key], rtol=1e-5)  # validation counted once, no duplicates
    assert sorted(p.name for p in (root / "two" / "rank0").iterdir()) == ["best.weights.h5", "log.csv"]
    assert list((root / "two" / "rank1").iterdir()) == []  # only rank 0 writes files
    assert two.stdout.count("Epoch 1/3") == 1  # only rank 0 prints
    assert not (root / "backup" / "backup.convlens").exists()


def test_a_mixed_precision_policy_runs_on_every_rank(tmp_path):
    two = launch(tmp_path, tmp_path / "two", 2, epochs=1, policy="mixed_bfloat16")
    one = launch(tmp_path, tmp_path / "one", 1, epochs=1, policy="mixed_bfloat16")
    assert two.returncode == 0 and one.returncode == 0, (two.stderr + one.stderr)[-3000:]
    assert "precision: mixed_bfloat16" in two.stdout and "precision: mixed_bfloat16" in one.stdout
    rank0, rank1 = weights(tmp_path / "two" / "weights0.npz"), weights(tmp_path / "two" / "weights1.npz")
    for a, b, c in zip(rank0, rank1, weights(tmp_path / "one" / "weights0.npz")):
        np.testing.assert_array_equal(a, b)  # the ranks agree exactly
        np.testing.assert_allclose(a, c, atol=1e-2)  # bfloat16 sums per shard: close to one process, not bitwise
        assert a.dtype == np.float32


def test_killed_and_resumed_two_process_run_equals_uninterrupted(tmp_path, straight):
    root, _ = straight
    killed = launch(tmp_path, tmp_path / "b", 2, epochs=3, kill_after=2, backup=tmp_path / "backup_b")
    assert killed.returncode != 0
    assert (tmp_path / "backup_b" / "backup.convlens").exists()
    resumed = launch(tmp_path, tmp_path / "b", 2, epochs=3, backup=tmp_path / "backup_b")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for rank in (0, 1):
        for a, b in zip(weights(root / "two" / f"weights{rank}.npz"), weights(tmp_path / "b" / f"weights{rank}.npz")):
            np.testing.assert_array_equal(a, b)
    lines = (tmp_path / "b" / "rank0" / "log.csv").read_text().splitlines()
    # the resumed run appended; epoch 1 was killed after its CSV row but before its backup, so it ran again
    assert [line.split(",")[0] for line in lines] == ["epoch", "0", "1", "1", "2"]


SYNC_BN = textwrap.dedent("""
    import os, sys
    import numpy as np
    import torch
    import torch.distributed as dist
    from convlens.layers import BatchNormalization

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    failures = []
    for rows in (7, 1):  # uneven shards, and one rank with no rows at all
        x = torch.from_numpy(np.random.default_rng(rows).normal(2.0, 3.0, (rows, 3, 3, 4)).astype("float32"))
        weights = torch.from_numpy(np.random.default_rng(9).normal(size=(1, 3, 3, 4)).astype("float32"))
        full, synced = BatchNormalization(momentum=0.5), BatchNormalization(momentum=0.5, synchronized=True)
        for layer in (full, synced):
            layer.build((None, 3, 3, 4))
            layer.train()
        (full(x) * weights).sum().backward()
        lo, hi = rows * rank // world, rows * (rank + 1) // world
        (synced(x[lo:hi]) * weights).sum().backward()
        grad = synced.gamma.grad.clone()
        dist.all_reduce(grad)
        for name, a, b in (("moving_mean", full.moving_mean, synced.moving_mean),
                           ("moving_variance", full.moving_variance, synced.moving_variance),
                           ("gamma gradient", full.gamma.grad, grad)):
            if rows > 1 and not torch.allclose(a, b, atol=1e-5):
                failures.append(f"rows={rows} {name}: {a.tolist()} != {b.tolist()}")
    print("OK" if not failures else "\\n".join(failures), file=open(os.path.join(sys.argv[1], f"rank{rank}"), "w"))
    dist.destroy_process_group()
""")


def test_synchronized_batch_norm_statistics_equal_the_full_batch(tmp_path):
    script = tmp_path / "sync_bn.py"
    script.write_text(SYNC_BN)
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                             str(script), str(tmp_path)], env={**env, "OMP_NUM_THREADS": "1"}, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    for rank in (0, 1):
        assert (tmp_path / f"rank{rank}").read_text().strip() == "OK"

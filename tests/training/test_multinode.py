"""Past one machine: ``torchrun --nnodes=2`` with a c10d rendezvous, two "nodes" on 127.0.0.1, runs the same script
as one process and ends with the same weights (float32, atol 1e-5)."""
import os
import socket
import subprocess
import sys
import textwrap
import uuid

import numpy as np

TIMEOUT = 240  # seconds for each run: the machine is shared, but a stuck rendezvous must not hang the suite

SCRIPT = textwrap.dedent("""
    import os, sys
    import numpy as np
    from convlens import Sequential
    from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from convlens.utils import set_random_seed

    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((40, 8, 8, 1), dtype=np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(2), Flatten(),
                        Dense(2, activation="softmax")])
    model.compile("rmsprop", "sparse_categorical_crossentropy", ["accuracy"], device="cpu", precision="float32")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    np.savez(os.path.join(sys.argv[1], f"weights{os.environ.get('RANK', '0')}.npz"), *model.get_weights())
""")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict[str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_WORLD_SIZE"):
        env.pop(name, None)
    return env


def weights(path):
    data = np.load(path)
    return [data[key] for key in data.files]


def test_two_nodes_with_a_c10d_rendezvous_equal_one_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = subprocess.run([sys.executable, str(script), str(tmp_path / "one")], env=environment(),
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert one.returncode == 0, one.stderr[-3000:]

    endpoint, run_id = f"127.0.0.1:{free_port()}", uuid.uuid4().hex[:8]
    nodes = [subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc_per_node=1",
                               "--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", f"--rdzv-id={run_id}",
                               "--local-addr=127.0.0.1", str(script), str(tmp_path / "two")],
                              env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    try:
        outputs = [node.communicate(timeout=TIMEOUT)[0] for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                node.kill()
                node.communicate()
    for node, output in zip(nodes, outputs):
        assert node.returncode == 0, output[-3000:]

    reference = weights(tmp_path / "one" / "weights0.npz")
    for rank in (0, 1):  # both nodes end with the one-process weights
        for got, expected in zip(weights(tmp_path / "two" / f"weights{rank}.npz"), reference):
            np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)

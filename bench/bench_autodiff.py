"""The cheap-gradient principle, measured: backward time / forward time, for the autodiff engine and the MLP kernel.

The same network (2 inputs, two hidden layers of ``width`` sigmoid units, one output, binary cross-entropy, full
batch of ``--samples`` samples, float64) is run by

- ``backprop.mlp``: the hand-written ``forward`` (with the loss) and ``backward``;
- ``backprop.autodiff``: ``mlp_loss`` (which builds the graph while it computes) and ``loss.backward()``.

Reverse-mode differentiation promises that the gradient with respect to all parameters costs a small constant
multiple of the function itself (Griewank and Walther, 2008, "Evaluating Derivatives", the cheap-gradient
principle; in practice a factor of about 2 to 5), whatever the number of parameters. Printed per width: the number
of parameters, the fastest times (with one BLAS thread), backward / forward for each, and engine / kernel for each
pass. Timings vary from machine to machine and run to run; the ratios are what to compare.

Run: ``.venv/bin/python bench/bench_autodiff.py`` (about 20 s), or ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from backprop.autodiff import Tensor
from backprop.autodiff.networks import mlp_loss
from backprop.mlp import backward, batch_loss, forward, init_parameters

ACTIVATION = "sigmoid"
LOSS = "binary_cross_entropy"


def fastest_seconds(run, repeats: int) -> float:
    """The fastest wall-clock time of ``run()`` in ``repeats`` calls, after one warm-up call (other programs on the
    machine can only ever add time, so the minimum is the least noisy estimate)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(width: int, m: int, repeats: int, seed: int = 0) -> dict:
    """Times of forward and backward for both implementations on the network (2, width, width, 1)."""
    rng = np.random.default_rng(seed)
    sizes = (2, width, width, 1)
    weights, biases = init_parameters(sizes, "xavier", rng=rng)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)

    def kernel_forward():
        Z, _ = forward(weights, biases, X, ACTIVATION)
        return batch_loss(weights, Z[-1], Y, LOSS)

    Z, A = forward(weights, biases, X, ACTIVATION)
    W_t, b_t = [Tensor(W) for W in weights], [Tensor(b) for b in biases]
    loss = mlp_loss(W_t, b_t, X, Y, ACTIVATION, LOSS)
    loss.backward()
    dW, _ = backward(weights, Z, A, Y, ACTIVATION, LOSS)
    assert np.allclose(W_t[0].grad, dW[0], rtol=1e-10, atol=1e-14), "engine and kernel disagree"
    return {
        "parameters": sum(W.size + b.size for W, b in zip(weights, biases, strict=True)),
        "kernel_forward": fastest_seconds(kernel_forward, repeats),
        "kernel_backward": fastest_seconds(lambda: backward(weights, Z, A, Y, ACTIVATION, LOSS), repeats),
        "engine_forward": fastest_seconds(lambda: mlp_loss(W_t, b_t, X, Y, ACTIVATION, LOSS), repeats),
        # backward may be re-run on the same graph (it adds to .grad, which does not matter for timing)
        "engine_backward": fastest_seconds(loss.backward, repeats),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="two small widths, few repeats")
    args = parser.parse_args(argv)
    widths = (4, 16) if args.quick else (4, 16, 64, 256, 1024)
    repeats = 3 if args.quick else args.repeats
    print(f"network (2, width, width, 1), {ACTIVATION}, {LOSS}, {args.samples} samples, float64; fastest of "
          f"{repeats} runs, times in ms")
    print(f"{'width':>6} {'params':>9} | {'kernel fwd':>10} {'bwd':>8} {'bwd/fwd':>7} | {'engine fwd':>10} "
          f"{'bwd':>8} {'bwd/fwd':>7} | {'engine/kernel fwd':>17} {'bwd':>6}")
    for width in widths:
        with threadpool_limits(1):  # one BLAS thread: on a shared machine, threads waiting for cores add noise
            r = measure(width, args.samples, repeats)
        ms = {k: v * 1e3 for k, v in r.items() if k != "parameters"}
        print(f"{width:>6} {r['parameters']:>9} | {ms['kernel_forward']:>10.3f} {ms['kernel_backward']:>8.3f} "
              f"{r['kernel_backward'] / r['kernel_forward']:>7.2f} | {ms['engine_forward']:>10.3f} "
              f"{ms['engine_backward']:>8.3f} {r['engine_backward'] / r['engine_forward']:>7.2f} | "
              f"{r['engine_forward'] / r['kernel_forward']:>17.2f} "
              f"{r['engine_backward'] / r['kernel_backward']:>6.2f}")


if __name__ == "__main__":
    main()

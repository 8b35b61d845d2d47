"""The cost of a gradient, measured: reverse mode's backward / forward, and forward mode against reverse mode.

1. The cheap-gradient principle. The same network (2 inputs, two hidden layers of ``width`` sigmoid units, one
   output, binary cross-entropy, full batch of ``--samples`` samples, float64) is run by

   - ``backprop.mlp``: the hand-written ``forward`` (with the loss) and ``backward``;
   - ``backprop.autodiff``: ``mlp_loss`` (which builds the graph while it computes) and ``loss.backward()``.

   Reverse-mode differentiation promises that the gradient with respect to all parameters costs a small constant
   multiple of the function itself (Griewank and Walther, 2008, "Evaluating Derivatives", the cheap-gradient
   principle; in practice a factor of about 2 to 5), whatever the number of parameters. Printed per width: the
   number of parameters, the fastest times (with one BLAS thread), backward / forward for each, and engine / MLP
   for each pass.

2. Forward mode against reverse mode. The whole gradient of the same loss (on ``--forward-samples`` samples) by
   forward mode, ``backprop.autodiff.forward.forward_gradient`` (one pass of ``mlp_loss`` on Duals per parameter,
   n passes), and by reverse mode (``mlp_loss`` on Tensors and one ``backward``). Printed per width: n, both times
   (CPU time of the process), forward mode's time per pass, their ratio, and the ratio divided by n (forward
   mode's cost per parameter, in reverse-mode gradients), which the operation count predicts to stay near 1.

Timings vary from machine to machine and run to run (on a machine shared with other jobs, sub-millisecond times
move by tens of percent); the ratios are what to compare, and the operation counts in chapter 12 are what
they are compared with.

Run: ``.venv/bin/python bench/bench_autodiff.py`` (about 40 s), or ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from backprop.autodiff import Tensor
from backprop.autodiff.forward import forward_gradient
from backprop.autodiff.networks import mlp_loss
from backprop.mlp import backward, batch_loss, forward, init_parameters

ACTIVATION = "sigmoid"
LOSS = "binary_cross_entropy"


def fastest_seconds(run, repeats: int, clock=time.perf_counter) -> float:
    """The fastest time of ``run()`` in ``repeats`` calls, after one warm-up call (other programs on the machine can
    only ever add time, so the minimum is the least noisy estimate). ``clock`` is wall-clock time by default;
    ``time.process_time`` (this process's CPU time) leaves out the turns other jobs take on the core, which matters
    for runs long enough to be interrupted."""
    run()
    times = []
    for _ in range(repeats):
        start = clock()
        run()
        times.append(clock() - start)
    return min(times)


def measure(width: int, m: int, repeats: int, seed: int = 0) -> dict:
    """Times of forward and backward for both implementations on the network (2, width, width, 1)."""
    rng = np.random.default_rng(seed)
    sizes = (2, width, width, 1)
    weights, biases = init_parameters(sizes, "xavier", rng=rng)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)

    def mlp_forward():
        Z, _ = forward(weights, biases, X, ACTIVATION)
        return batch_loss(weights, Z[-1], Y, LOSS)

    Z, A = forward(weights, biases, X, ACTIVATION)
    W_t, b_t = [Tensor(W) for W in weights], [Tensor(b) for b in biases]
    loss = mlp_loss(W_t, b_t, X, Y, ACTIVATION, LOSS)
    loss.backward()
    dW, _ = backward(weights, Z, A, Y, ACTIVATION, LOSS)
    assert np.allclose(W_t[0].grad, dW[0], rtol=1e-10, atol=1e-14), "engine and MLP disagree"
    return {
        "parameters": sum(W.size + b.size for W, b in zip(weights, biases, strict=True)),
        "mlp_forward": fastest_seconds(mlp_forward, repeats),
        "mlp_backward": fastest_seconds(lambda: backward(weights, Z, A, Y, ACTIVATION, LOSS), repeats),
        "engine_forward": fastest_seconds(lambda: mlp_loss(W_t, b_t, X, Y, ACTIVATION, LOSS), repeats),
        # backward may be re-run on the same graph (it adds to .grad, which does not matter for timing)
        "engine_backward": fastest_seconds(loss.backward, repeats),
    }


def measure_modes(width: int, m: int, repeats: int, forward_repeats: int, seed: int = 0) -> dict:
    """Times of the whole gradient by forward mode (n passes) and by reverse mode, network (2, width, width, 1)."""
    rng = np.random.default_rng(seed)
    weights, biases = init_parameters((2, width, width, 1), "xavier", rng=rng)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)

    def loss_of(*parameters):  # Duals in forward mode, Tensors in reverse mode
        return mlp_loss(list(parameters[:3]), list(parameters[3:]), X, Y, ACTIVATION, LOSS)

    def reverse_gradient():
        parameters = [Tensor(p) for p in weights + biases]
        loss_of(*parameters).backward()
        return [p.grad for p in parameters]

    forward_result = forward_gradient(loss_of, weights + biases)
    for f, r in zip(forward_result, reverse_gradient(), strict=True):
        assert np.allclose(f, r, rtol=1e-10, atol=1e-14), "forward and reverse mode disagree"
    return {
        "parameters": sum(W.size + b.size for W, b in zip(weights, biases, strict=True)),
        # CPU time for both: a forward-mode gradient runs long enough (up to seconds) to be interrupted by other jobs
        "forward_mode": fastest_seconds(lambda: forward_gradient(loss_of, weights + biases), forward_repeats,
                                        time.process_time),
        "reverse_mode": fastest_seconds(reverse_gradient, repeats, time.process_time),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--forward-samples", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--forward-repeats", type=int, default=3, help="runs of the n-pass forward-mode gradient")
    parser.add_argument("--quick", action="store_true", help="two small widths, few repeats")
    args = parser.parse_args(argv)
    widths = (4, 16) if args.quick else (4, 16, 64, 256, 1024)
    mode_widths = (2, 4) if args.quick else (2, 4, 8, 16, 32, 48, 64)
    repeats = 3 if args.quick else args.repeats
    forward_repeats = 1 if args.quick else args.forward_repeats

    print(f"1. backward / forward: network (2, width, width, 1), {ACTIVATION}, {LOSS}, {args.samples} samples, "
          f"float64; fastest of {repeats} runs, times in ms")
    print(f"{'width':>6} {'params':>9} | {'MLP fwd':>10} {'bwd':>8} {'bwd/fwd':>7} | {'engine fwd':>10} "
          f"{'bwd':>8} {'bwd/fwd':>7} | {'engine/MLP fwd':>14} {'bwd':>6}")
    for width in widths:
        with threadpool_limits(1):  # one BLAS thread: on a shared machine, threads waiting for cores add noise
            r = measure(width, args.samples, repeats)
        ms = {k: v * 1e3 for k, v in r.items() if k != "parameters"}
        print(f"{width:>6} {r['parameters']:>9} | {ms['mlp_forward']:>10.3f} {ms['mlp_backward']:>8.3f} "
              f"{r['mlp_backward'] / r['mlp_forward']:>7.2f} | {ms['engine_forward']:>10.3f} "
              f"{ms['engine_backward']:>8.3f} {r['engine_backward'] / r['engine_forward']:>7.2f} | "
              f"{r['engine_forward'] / r['mlp_forward']:>14.2f} "
              f"{r['engine_backward'] / r['mlp_backward']:>6.2f}")

    print(f"\n2. the whole gradient, forward mode (n passes) against reverse mode (forward + backward): network "
          f"(2, width, width, 1), {args.forward_samples} samples; fastest of {forward_repeats} runs (forward mode) "
          f"and {repeats} (reverse mode), CPU times in ms")
    print(f"{'width':>6} {'params n':>9} | {'forward mode':>12} {'per pass':>9} {'reverse mode':>12} | {'ratio':>8} "
          f"{'ratio / n':>9}")
    for width in mode_widths:
        with threadpool_limits(1):
            r = measure_modes(width, args.forward_samples, repeats, forward_repeats)
        ratio = r["forward_mode"] / r["reverse_mode"]
        per_pass = r["forward_mode"] / r["parameters"]  # forward mode runs one pass per parameter
        print(f"{width:>6} {r['parameters']:>9} | {r['forward_mode'] * 1e3:>12.3f} {per_pass * 1e3:>9.3f} "
              f"{r['reverse_mode'] * 1e3:>12.3f} | {ratio:>8.0f} {ratio / r['parameters']:>9.2f}")


if __name__ == "__main__":
    main()

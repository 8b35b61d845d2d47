"""One training step of our NumPy MLP against PyTorch on the CPU, side by side in one run.

A step is forward, backward and the gradient-descent update on the full batch, with the same architecture, data,
dtype (float64, the book's) and initial weights. PyTorch is an optional dependency of this benchmark only:
``make bench-mlp`` installs it (``torch==2.13.0``, the CPU build) if it is missing.

Printed per case: the median time of a step for each, ours / PyTorch, and our backward / forward time ratio (the
cheap-gradient principle says a gradient costs a small constant multiple of the function). A second table times
the whole fit of chapter 7 (make_moons, 4 sigmoid hidden units) against scikit-learn's MLPClassifier.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from backprop.mlp import StepBuffers, backward, batch_loss, forward, init_parameters, train_step

CASES = {  # name: (layer sizes, samples)
    "small": ((2, 16, 16, 1), 200),
    "medium": ((100, 128, 128, 1), 1024),
    "large": ((784, 512, 512, 1), 4096),
}
ACTIVATION = "relu"
LEARNING_RATE = 0.01


def median_seconds(run, repeats: int, reset=None) -> float:
    """Median wall time of ``run()``; ``reset()`` (untimed) runs before each call.

    Resetting the parameters makes every timed step the same first step: left to train for thousands of steps, the
    outputs saturate and the errors shrink into subnormal numbers, whose arithmetic is many times slower on x86 and
    would make the figures depend on how long the benchmark ran.
    """
    if reset:
        reset()
    run()  # warm-up: first calls allocate and fill caches
    times = []
    for _ in range(repeats):
        if reset:
            reset()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def case_data(sizes, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((sizes[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    weights, biases = init_parameters(sizes, "he", rng=rng)
    return X, Y, weights, biases


def ours(sizes, m, repeats):
    X, Y, weights, biases = case_data(sizes, m)
    initial = [p.copy() for p in weights + biases]
    buffers = StepBuffers(sizes, m)  # as MLP.fit runs its steps: the step's large arrays allocated once

    def reset():
        for p, p0 in zip(weights + biases, initial, strict=True):
            np.copyto(p, p0)

    step = median_seconds(lambda: train_step(weights, biases, X, Y, ACTIVATION, "binary_cross_entropy",
                                             LEARNING_RATE, buffers=buffers), repeats, reset)
    Z, A = forward(weights, biases, X, ACTIVATION, buffers)

    def forward_and_loss():
        Z_, _ = forward(weights, biases, X, ACTIVATION, buffers)
        batch_loss(weights, Z_[-1], Y, "binary_cross_entropy")

    t_forward = median_seconds(forward_and_loss, repeats)
    t_backward = median_seconds(lambda: backward(weights, Z, A, Y, ACTIVATION, "binary_cross_entropy",
                                                 buffers=buffers), repeats)
    return step, t_forward, t_backward


def pytorch(sizes, m, repeats):
    import torch

    X, Y, weights, biases = case_data(sizes, m)
    x, y = torch.from_numpy(X.T.copy()), torch.from_numpy(Y.T.copy())  # PyTorch's layout: samples as rows
    params = []
    for W, b in zip(weights, biases, strict=True):
        params += [torch.tensor(W, requires_grad=True), torch.tensor(b[:, 0], requires_grad=True)]
    loss_fn = torch.nn.BCEWithLogitsLoss()
    initial = [p.detach().clone() for p in params]

    def reset():
        with torch.no_grad():
            for p, p0 in zip(params, initial, strict=True):
                p.copy_(p0)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = torch.nn.functional.linear(h, params[i], params[i + 1])
            if i + 2 < len(params):
                h = torch.relu(h)
        loss = loss_fn(h, y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LEARNING_RATE * p.grad
                p.grad = None

    return median_seconds(step, repeats, reset)


def moons_fits(repeats: int = 3):
    """Fit time and test accuracy on chapter 7's split: ours against three MLPClassifier solvers."""
    import warnings

    from sklearn.datasets import make_moons
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    from backprop.mlp import MLP

    X, y = make_moons(n_samples=200, noise=0.2, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)
    common = dict(hidden_layer_sizes=(4,), activation="logistic", max_iter=10_000, random_state=0)
    makers = {
        "ours, gradient descent lr 1.0": lambda: MLP(hidden_sizes=(4,), init="normal", init_scale=0.01,
                                                     learning_rate=1.0, n_epochs=10_000, random_state=0),
        "MLPClassifier adam (default)": lambda: MLPClassifier(**common),
        "MLPClassifier lbfgs": lambda: MLPClassifier(**common, solver="lbfgs"),
        "MLPClassifier gradient descent": lambda: MLPClassifier(**common, solver="sgd", alpha=0.0, batch_size=140,
                                                                learning_rate_init=1.0, momentum=0.0,
                                                                n_iter_no_change=10_000, tol=0.0),
    }
    print(f"\n{'make_moons fit (chapter 7)':<32} {'iterations':>10} {'fit ms':>9} {'test acc':>9}")
    for name, make in makers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds = median_seconds(lambda make=make: make().fit(X_train, y_train), repeats)
            model = make().fit(X_train, y_train)
        iterations = getattr(model, "n_iter_", None) or len(model.loss_curve_)
        print(f"{name:<32} {iterations:>10} {seconds * 1e3:>9.1f} {model.score(X_test, y_test):>9.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--repeats", type=int, default=0, help="steps timed per case (default: by size)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        raise SystemExit("PyTorch is missing: run `make bench-mlp` (it installs torch==2.13.0, CPU build).") from None
    print(f"NumPy {np.__version__}, PyTorch {torch.__version__} ({torch.get_num_threads()} threads), float64, "
          f"{ACTIVATION} hidden layers, binary cross-entropy, full batch\n")
    header = f"{'case':<8} {'architecture':<18} {'m':>5} {'ours ms':>9} {'torch ms':>9} {'ours/torch':>10} " \
             f"{'our bwd/fwd':>11}"
    print(header)
    print("-" * len(header))
    for name in args.cases:
        sizes, m = CASES[name]
        repeats = args.repeats or {"small": 2000, "medium": 200, "large": 10}[name]
        ours_step, t_forward, t_backward = ours(sizes, m, repeats)
        torch_step = pytorch(sizes, m, repeats)
        arch = "-".join(map(str, sizes))
        print(f"{name:<8} {arch:<18} {m:>5} {ours_step * 1e3:>9.3f} {torch_step * 1e3:>9.3f} "
              f"{ours_step / torch_step:>10.2f} {t_backward / t_forward:>11.2f}")
    moons_fits()


if __name__ == "__main__":
    main()

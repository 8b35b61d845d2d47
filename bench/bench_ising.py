"""Cost of the Ising samplers at L = 64 near Tc, against a plain Python-loop Metropolis, in one run.

- Metropolis: nanoseconds per attempted flip (compiled checkerboard sweep vs the Python loop).
- Wolff: cost per independent sample = (time per cluster step) x 2 tau_int(|m|) in steps, compared with
  Metropolis's (time per sweep) x 2 tau_int(|m|) in sweeps, for the compiled and the Python-loop versions.

Run: .venv/bin/python bench/bench_ising.py   (timings are noisy on a shared machine; the goal is <= 5 ns/flip)
"""

import time

import numpy as np

from backprop import ising

L, T = 64, 2.27


def python_metropolis(spins, temperature, n_sweeps, rng):
    """The reference: the same checkerboard sweep written as plain Python loops."""
    spins = spins.copy()
    accept = {4: np.exp(-4 / temperature), 8: np.exp(-8 / temperature)}
    n = spins.shape[0]
    for _ in range(n_sweeps):
        for parity in range(2):
            for i in range(n):
                for j in range((i + parity) % 2, n, 2):
                    s = spins[i, j]
                    h = spins[i - 1, j] + spins[(i + 1) % n, j] + spins[i, j - 1] + spins[i, (j + 1) % n]
                    dE = 2 * s * h
                    if dE <= 0 or rng.random() < accept[dE]:
                        spins[i, j] = -s
    return spins


def best_time(function, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rng = np.random.default_rng(0)
    spins = ising.initial_spins(L, T, rng)
    ising.run_chain(spins, T, 2, "metropolis", 0)  # compile (or load the cache) before timing
    ising.run_chain(spins, T, 2, "wolff", 0)
    spins, *_ = ising.run_chain(spins, T, 2000, "wolff", 1)  # equilibrate near Tc

    n_sweeps = 2000
    t_metropolis = best_time(lambda: ising.run_chain(spins, T, n_sweeps, "metropolis", 2)) / n_sweeps
    t_python = best_time(lambda: python_metropolis(spins, T, 2, np.random.default_rng(3)), repeats=1) / 2

    _, m_metropolis, _, _ = ising.run_chain(spins, T, 40_000, "metropolis", 4)
    tau_metropolis = ising.integrated_autocorrelation_time(np.abs(m_metropolis))
    n_steps = 20_000
    t_wolff = best_time(lambda: ising.run_chain(spins, T, n_steps, "wolff", 5)) / n_steps
    _, m_wolff, _, sizes = ising.run_chain(spins, T, n_steps, "wolff", 6)
    tau_wolff = ising.integrated_autocorrelation_time(np.abs(m_wolff))

    n = L * L
    per_sample = {
        "Python-loop Metropolis": t_python * 2 * tau_metropolis,
        "compiled Metropolis": t_metropolis * 2 * tau_metropolis,
        "compiled Wolff": t_wolff * 2 * tau_wolff,
    }
    print(f"2D Ising, L = {L}, T = {T} (Tc = {ising.CRITICAL_TEMPERATURE:.4f}), one core")
    print(f"tau_int(|m|): Metropolis {tau_metropolis:.1f} sweeps; Wolff {tau_wolff:.2f} cluster steps "
          f"(mean cluster {sizes.mean() / n:.2f} N, so {tau_wolff * sizes.mean() / n:.2f} sweeps' worth of flips)")
    print()
    print(f"{'':28s}{'ns / attempted flip':>22s}{'vs Python':>12s}")
    print(f"{'Python-loop Metropolis':28s}{t_python / n * 1e9:22.1f}{1.0:12.1f}")
    print(f"{'compiled Metropolis':28s}{t_metropolis / n * 1e9:22.2f}{t_python / t_metropolis:12.0f}"
          f"   (goal <= 5 ns)")
    print()
    print(f"{'':28s}{'ms / independent sample':>24s}{'vs Python':>12s}")
    for name, cost in per_sample.items():
        print(f"{name:28s}{cost * 1e3:24.3f}{per_sample['Python-loop Metropolis'] / cost:12.0f}")
    print(f"(independent sample = 2 tau_int steps; Wolff cluster step {t_wolff * 1e6:.1f} us, "
          f"Metropolis sweep {t_metropolis * 1e6:.1f} us)")


if __name__ == "__main__":
    main()
